# bench.mk: `make bench-boot`, the boot-time benchmark: TSC at payload/kernel entry under QEMU
# -icount for firmware alone, tagboot (chainload and native), systemd-boot and GRUB.
# Included from the top Makefile, which defines BUILD, Q, EFI_CFLAGS, EFI_LDFLAGS, BOOTX64
# and KERNEL_ELF. See docs/bench.md.

.PHONY: bench-boot

# Same settings for every loader; SMP and memory only need to match across the cases.
BENCH_RUNS ?= 3
BENCH_SMP ?= 1
BENCH_MEM ?= 512M
BENCH_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
BENCH_TIMEOUT ?= 900
# Debian's systemd-boot-efi and grub-efi-amd64-bin / grub-common provide these.
BENCH_SDBOOT ?= /usr/lib/systemd/boot/efi/systemd-bootx64.efi
BENCH_GRUB_MKSTANDALONE ?= grub-mkstandalone

# The payload: tests/bench/payload/tsc.c, built with the loader's gnu-efi flags by the
# top Makefile's $(BUILD)/efi/%.o rule.
BENCH_PAYLOAD := $(BUILD)/bench/payload/tsc.efi

$(BUILD)/bench/payload/tsc.so: $(BUILD)/efi/tests/bench/payload/tsc.o
	@mkdir -p $(@D)
	$(Q)ld $(EFI_LDFLAGS) $< -o $@ -lefi -lgnuefi

$(BENCH_PAYLOAD): $(BUILD)/bench/payload/tsc.so
	$(Q)objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j .reloc \
		--target=efi-app-x86_64 --subsystem=10 $< $@

bench-boot: $(BENCH_PAYLOAD) $(BOOTX64) $(KERNEL_ELF) $(BUILD)/bin/handoff
	$(Q)tests/bench/boot/bench-boot.sh --out $(BUILD)/bench --payload $(BENCH_PAYLOAD) \
		--tagboot $(BOOTX64) --kernel $(KERNEL_ELF) --handoff-tool $(BUILD)/bin/handoff \
		--sdboot $(BENCH_SDBOOT) --grub-mkstandalone $(BENCH_GRUB_MKSTANDALONE) \
		--runs $(BENCH_RUNS) --smp $(BENCH_SMP) --mem $(BENCH_MEM) --jobs $(BENCH_JOBS) \
		--timeout $(BENCH_TIMEOUT)
