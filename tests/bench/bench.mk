# bench.mk: `make bench-boot`, the boot-time benchmark: TSC at payload/kernel entry under QEMU
# -icount for firmware alone, tagboot (chainload, native, native with ap-park mailbox),
# systemd-boot and GRUB, Debian's kernel to /init through each loader, plus the normalize
# benchmark's ns/entry and the images' sizes.
# Included from the top Makefile, which defines BUILD, Q, EFI_CFLAGS, EFI_LDFLAGS, BOOTX64
# and KERNEL_ELF. See docs/bench.md.

.PHONY: bench-boot

# Same settings for every loader; SMP and memory only need to match across the cases. Two CPUs
# so the ap-park case has an AP to park; at most two QEMUs at a time (each is one host thread
# under -icount, and the benchmark shares the machine with other builds).
BENCH_RUNS ?= 3
BENCH_SMP ?= 2
BENCH_MEM ?= 512M
BENCH_JOBS ?= 2
BENCH_TIMEOUT ?= 900
# Debian's systemd-boot-efi and grub-efi-amd64-bin / grub-common provide these.
BENCH_SDBOOT ?= /usr/lib/systemd/boot/efi/systemd-bootx64.efi
BENCH_GRUB_MKSTANDALONE ?= grub-mkstandalone

# The payloads: tests/bench/payload/*.c, built with the loader's gnu-efi flags by the top
# Makefile's $(BUILD)/efi/%.o rule. tsc.efi is the benchmark's; tsc_ebs.efi also calls
# ExitBootServices and reports the TSC after it (docs/performance.md, `make bench-payloads`).
BENCH_PAYLOAD := $(BUILD)/bench/payload/tsc.efi
BENCH_PAYLOADS := $(patsubst tests/bench/payload/%.c,$(BUILD)/bench/payload/%.efi,\
	$(wildcard tests/bench/payload/*.c))

.PHONY: bench-payloads
bench-payloads: $(BENCH_PAYLOADS)

$(BUILD)/bench/payload/%.so: $(BUILD)/efi/tests/bench/payload/%.o
	@mkdir -p $(@D)
	$(Q)ld $(EFI_LDFLAGS) $< -o $@ -lefi -lgnuefi

$(BUILD)/bench/payload/%.efi: $(BUILD)/bench/payload/%.so
	$(Q)objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j .reloc \
		--target=efi-app-x86_64 --subsystem=10 $< $@

# bench-boot runs the normalize benchmark itself, so its output lands in the same report
# (build/bench/normalize.txt); `make bench` has run it just before, it takes seconds.
BENCH_NORMALIZE := $(BUILD)/bench/bench_normalize

# BENCH_LINUX=0 leaves out the four Debian-kernel cases (they need the kernel download).
BENCH_LINUX ?= 1

bench-boot: $(BENCH_PAYLOAD) $(BOOTX64) $(KERNEL_ELF) $(BUILD)/bin/handoff $(BENCH_NORMALIZE)
	$(Q)tests/bench/boot/bench-boot.sh --out $(BUILD)/bench --payload $(BENCH_PAYLOAD) \
		$(if $(filter 1,$(BENCH_LINUX)),--vmlinuz $$(tests/linux/fetch-kernel.sh --build $(BUILD))) \
		--normalize $(BENCH_NORMALIZE) \
		--tagboot $(BOOTX64) --kernel $(KERNEL_ELF) --handoff-tool $(BUILD)/bin/handoff \
		--sdboot $(BENCH_SDBOOT) --grub-mkstandalone $(BENCH_GRUB_MKSTANDALONE) \
		--runs $(BENCH_RUNS) --smp $(BENCH_SMP) --mem $(BENCH_MEM) --jobs $(BENCH_JOBS) \
		--timeout $(BENCH_TIMEOUT)
