# Makefile: builds tagboot out of tree (loader, handoff, kernel-sample, tools) and runs its tests.
#
# Three builds of the same freestanding sources:
#   host   handoff/src + loader/core with ASan/UBSan, for cmocka tests and tools (build/host)
#   efi    handoff/src + loader/core + loader/efi with gnu-efi into BOOTX64.EFI   (build/efi)
#   kernel handoff/src + the shared parsers + kernel-sample into kernel.elf      (build/kernel)

BUILD ?= build
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

# Debian 12 packages the project needs; `make deps` installs whichever are missing.
PACKAGES := gcc make gnu-efi libcmocka-dev qemu-system-x86 ovmf mtools dosfstools clang \
            python3 sbsigntool swtpm openssl libclang-rt-14-dev valgrind cpio \
            systemd-boot-efi grub-efi-amd64-bin grub-common binutils fdisk

# Boot settings for `make run` (see tests/boot/README.md).
SMP ?= 4
MEM ?= 2G
MACHINE ?= q35
ESP ?=

.DEFAULT_GOAL := all
.PHONY: all help deps run test unit tool-tests boot-tests compat-tests bench clean efi kernel tools esp payloads

help:
	@echo "tagboot targets:"
	@echo "  make run        install what is missing, build, boot the default ESP in QEMU+OVMF"
	@echo "                  (SMP=$(SMP) MEM=$(MEM) MACHINE=q35|pc ESP=dir)"
	@echo "  make test       install what is missing, build, run unit and QEMU boot tests"
	@echo "  make unit       host unit tests only (cmocka, ASan+UBSan)"
	@echo "  make tool-tests host tool and public-header tests"
	@echo "  make boot-tests QEMU boot matrix only"
	@echo "  make compat-tests systemd-boot drop-in: BLI variables, boot counting, side by side"
	@echo "  make fuzz       every libFuzzer harness for FUZZ_SECONDS (default 60)"
	@echo "  make fuzz-smoke every harness for a few seconds (part of make test)"
	@echo "  make valgrind-unit the unit tests without sanitizers under valgrind"
	@echo "  make secure-tests Secure Boot (snakeoil OVMF) and measured-boot (swtpm) boots"
	@echo "  make linux-tests boot Debian 12's own vmlinuz + initrds through a linux entry"
	@echo "  make sign SIGN_KEY=k SIGN_CERT=c [SIGN_ESP=dir]  enroll the config hash, sign the loader"
	@echo "  make bench      benchmarks: normalize time per entry, then boot time against"
	@echo "                  systemd-boot and GRUB under QEMU -icount (make bench-boot alone)"
	@echo "  make deps       install missing Debian packages (root)"
	@echo "  make all        build loader, kernel-sample, tools and the default ESP"
	@echo "  make clean      remove $(BUILD)/"

deps:
	$(Q)tools/deps.sh $(PACKAGES)

# The entry points install first, then build in a fresh make so that wildcards and headers
# see the installed packages.
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)tests/boot/run-boot.sh --live --smp $(SMP) --mem $(MEM) --machine $(MACHINE) \
		$(if $(ESP),--esp $(ESP),--esp $(BUILD)/esp) --name run

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory tool-tests
	$(Q)$(MAKE) --no-print-directory valgrind-unit
	$(Q)$(MAKE) --no-print-directory fuzz-smoke
	$(Q)$(MAKE) --no-print-directory boot-tests
	$(Q)$(MAKE) --no-print-directory compat-tests
	$(Q)$(MAKE) --no-print-directory secure-tests
	$(Q)$(MAKE) --no-print-directory linux-tests

# ---------------------------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------------------------

HANDOFF_SRCS := $(sort $(wildcard handoff/src/*.c))
# acpi/: the ACPI reader and writer, freestanding, shared by the loader, the kernel and tools.
ACPI_SRCS := $(sort $(wildcard acpi/*.c))
# The loader's logic; every host, EFI and fuzz build takes the shared ACPI code with it.
CORE_SRCS := $(sort $(wildcard loader/core/*.c)) $(ACPI_SRCS)
LOADER_EFI_SRCS := $(sort $(wildcard loader/efi/*.c))
LOADER_EFI_ASM := $(sort $(wildcard loader/efi/*.S))
KERNEL_SRCS := $(sort $(wildcard kernel-sample/*.c))
KERNEL_ASM := $(sort $(wildcard kernel-sample/*.S))
# What the kernel shares with the loader besides handoff/: the ACPI reader (acpi/).
KERNEL_SHARED_SRCS := $(ACPI_SRCS)
TOOL_SRCS := $(sort $(wildcard tools/handoff/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))

INCLUDES := -Ihandoff/include -Iacpi -Iloader/core

# ---------------------------------------------------------------------------------------------
# Host build: library for tests and tools
# ---------------------------------------------------------------------------------------------

HOST_CC ?= gcc
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HOST_CFLAGS := -std=c11 -g -O1 $(WARN) $(SAN) $(INCLUDES) -DTB_HOST=1 -MMD -MP
HOST_LDFLAGS := $(SAN)

HOST_LIB_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(HANDOFF_SRCS) $(CORE_SRCS))
HOST_LIB := $(BUILD)/host/libtagboot.a

$(BUILD)/host/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

$(HOST_LIB): $(HOST_LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)rm -f $@ && ar rcs $@ $^

# Tools: build/bin/handoff (decode, simulate).
TOOL_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(TOOL_SRCS))
$(BUILD)/bin/handoff: $(TOOL_OBJS) $(HOST_LIB)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $(TOOL_OBJS) $(HOST_LIB)

tools: $(if $(TOOL_SRCS),$(BUILD)/bin/handoff)

# Unit tests: one binary per tests/unit/test_*.c, each linked with the whole host library.
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
$(BUILD)/tests/%: $(BUILD)/host/tests/unit/%.o $(HOST_LIB)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $< $(HOST_LIB) -lcmocka

# Each test runs from the repository root so it finds tests/fixtures/.
unit: $(UNIT_BINS)
	$(Q)tests/unit/run-all.sh $(UNIT_BINS)

# ---------------------------------------------------------------------------------------------
# EFI build: BOOTX64.EFI with Debian's gnu-efi 3.0.15 (background.md section 7)
# ---------------------------------------------------------------------------------------------

EFI_CC ?= gcc
EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_CFLAGS := -std=c11 -O2 -g0 $(WARN) $(INCLUDES) -I$(EFI_INC) -I$(EFI_INC)/x86_64 \
	-ffreestanding -fno-stack-protector -fno-strict-aliasing -fpic -fshort-wchar \
	-mno-red-zone -mno-mmx -mno-sse -maccumulate-outgoing-args -DGNU_EFI_USE_MS_ABI \
	-DTB_EFI=1 -MMD -MP
EFI_LDFLAGS := -nostdlib -znocombreloc -T $(EFI_LIB)/elf_x86_64_efi.lds -shared -Bsymbolic \
	--no-undefined -L$(EFI_LIB) $(EFI_LIB)/crt0-efi-x86_64.o

# Code only the host tools use (the simulator's text readers) stays out of BOOTX64.EFI.
HOST_ONLY_SRCS := loader/core/memtext.c
EFI_OBJS := $(patsubst %.c,$(BUILD)/efi/%.o,$(HANDOFF_SRCS) $(filter-out $(HOST_ONLY_SRCS),$(CORE_SRCS)) \
	$(LOADER_EFI_SRCS)) \
	$(patsubst %.S,$(BUILD)/efi/%.o,$(LOADER_EFI_ASM))

$(BUILD)/efi/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(EFI_CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/%.o: %.S
	@mkdir -p $(@D)
	$(Q)$(EFI_CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/efi/tagboot.so: $(EFI_OBJS)
	$(Q)ld $(EFI_LDFLAGS) $(EFI_OBJS) -o $@ -lefi -lgnuefi

BOOTX64 := $(BUILD)/esp/EFI/BOOT/BOOTX64.EFI
$(BOOTX64): $(BUILD)/efi/tagboot.so
	@mkdir -p $(@D)
	$(Q)objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j .reloc \
		--target=efi-app-x86_64 --subsystem=10 $< $@

efi: $(if $(LOADER_EFI_SRCS),$(BOOTX64))

# Test payloads: tiny EFI programs the boot tests chainload (tests/boot/payload/NAME.c ->
# build/payload/NAME.efi), built with the same gnu-efi flags as the loader.
PAYLOAD_SRCS := $(sort $(wildcard tests/boot/payload/*.c))
PAYLOADS := $(patsubst tests/boot/payload/%.c,$(BUILD)/payload/%.efi,$(PAYLOAD_SRCS))
$(BUILD)/payload/%.so: $(BUILD)/efi/tests/boot/payload/%.o
	@mkdir -p $(@D)
	$(Q)ld $(EFI_LDFLAGS) $< -o $@ -lefi -lgnuefi
$(BUILD)/payload/%.efi: $(BUILD)/payload/%.so
	$(Q)objcopy -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j .reloc \
		--target=efi-app-x86_64 --subsystem=10 $< $@
payloads: $(PAYLOADS)

# ---------------------------------------------------------------------------------------------
# Kernel build: kernel-sample/kernel.elf, freestanding x86-64
# ---------------------------------------------------------------------------------------------

KERNEL_CC ?= gcc
# The kernel sees handoff/ and acpi/ only, never loader/core/.
KERNEL_CFLAGS := -std=c11 -O2 -g $(WARN) -Ihandoff/include -Iacpi -ffreestanding -fno-stack-protector \
	-fno-pic -fno-pie -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mcmodel=kernel \
	-fno-asynchronous-unwind-tables -DTB_KERNEL=1 -MMD -MP $(KERNEL_EXTRA_CFLAGS)
KERNEL_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -T kernel-sample/kernel.ld

KERNEL_OBJS := $(patsubst %.c,$(BUILD)/kernel/%.o,$(HANDOFF_SRCS) $(KERNEL_SHARED_SRCS) \
	$(KERNEL_SRCS)) $(patsubst %.S,$(BUILD)/kernel/%.o,$(KERNEL_ASM))

$(BUILD)/kernel/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(KERNEL_CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.o: %.S
	@mkdir -p $(@D)
	$(Q)$(KERNEL_CC) $(KERNEL_CFLAGS) -c $< -o $@

KERNEL_ELF := $(BUILD)/kernel/kernel.elf
$(KERNEL_ELF): $(KERNEL_OBJS) kernel-sample/kernel.ld
	$(Q)ld $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS)

# Variants of the sample kernel that differ only in their request note (kernel-sample/request.c),
# for the boots that prove the loader refuses or honours a note: NAME:DEFINES.
KERNEL_VARIANTS := future:-DKERNEL_REQUEST_MIN_MINOR=99 bad-park:-DKERNEL_REQUEST_AP_PARK=7 \
	parks:-DKERNEL_REQUEST_AP_PARK=TB_REQ_AP_PARK_MAILBOX \
	nofb:-DKERNEL_REQUEST_FRAMEBUFFER=TB_REQ_FRAMEBUFFER_NONE \
	needfb:-DKERNEL_REQUEST_FRAMEBUFFER=TB_REQ_FRAMEBUFFER_REQUIRED
KERNEL_VARIANT_ELFS := $(foreach v,$(KERNEL_VARIANTS),$(BUILD)/kernel/kernel-$(word 1,$(subst :, ,$(v))).elf)
KERNEL_COMMON_OBJS := $(filter-out $(BUILD)/kernel/kernel-sample/request.o,$(KERNEL_OBJS))
.SECONDARY: $(foreach v,$(KERNEL_VARIANTS),$(BUILD)/kernel/variants/request-$(word 1,$(subst :, ,$(v))).o)

$(BUILD)/kernel/variants/request-%.o: kernel-sample/request.c
	@mkdir -p $(@D)
	$(Q)$(KERNEL_CC) $(KERNEL_CFLAGS) $(subst :, ,$(word 2,$(subst :, ,$(filter $*:%,$(KERNEL_VARIANTS))))) -c $< -o $@

$(BUILD)/kernel/kernel-%.elf: $(KERNEL_COMMON_OBJS) $(BUILD)/kernel/variants/request-%.o kernel-sample/kernel.ld
	$(Q)ld $(KERNEL_LDFLAGS) -o $@ $(KERNEL_COMMON_OBJS) $(BUILD)/kernel/variants/request-$*.o

kernel: $(if $(KERNEL_SRCS),$(KERNEL_ELF) $(KERNEL_VARIANT_ELFS))

# ---------------------------------------------------------------------------------------------
# Default ESP: esp/ (config) + the built loader and kernel, in build/esp
# ---------------------------------------------------------------------------------------------

ESP_SRC := $(shell find esp -type f 2>/dev/null)
$(BUILD)/esp/.stamp: $(ESP_SRC) $(if $(KERNEL_SRCS),$(KERNEL_ELF))
	@mkdir -p $(BUILD)/esp
	$(Q)cp -r esp/. $(BUILD)/esp/
	$(Q)$(if $(KERNEL_SRCS),mkdir -p $(BUILD)/esp/tagboot && cp $(KERNEL_ELF) $(BUILD)/esp/tagboot/kernel.elf)
	$(Q)touch $@

esp: efi kernel $(BUILD)/esp/.stamp

all: efi kernel tools esp payloads

# ---------------------------------------------------------------------------------------------
# Boot tests and benchmarks (scripts live with their tests)
# ---------------------------------------------------------------------------------------------

# The 1.0 reader as it shipped (tests/handoff-1.0), built with the 1.0 header alone on the
# include path, for tests/tools/test-compat-1.0.sh.
HANDOFF10_SRCS := $(sort $(wildcard tests/handoff-1.0/*.c))
$(BUILD)/bin/handoff10-read: $(HANDOFF10_SRCS) tests/handoff-1.0/tagboot_handoff.h
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) -std=c11 -g -O1 $(WARN) $(SAN) -Itests/handoff-1.0 -o $@ $(HANDOFF10_SRCS)

# Host-tool and header tests: every tests/tools/*.sh, run from the repository root.
TOOL_TESTS := $(sort $(wildcard tests/tools/*.sh))
tool-tests: tools $(BUILD)/bin/handoff10-read
	$(Q)set -e; for t in $(TOOL_TESTS); do echo "== $$t"; $$t; done; \
		echo "tool tests: $(words $(TOOL_TESTS)) passed"

# Boot-time comparison with systemd-boot and GRUB under -icount (tests/bench/bench.mk).
include tests/bench/bench.mk

boot-tests: all
	$(Q)tests/boot/matrix.sh

# systemd-boot drop-in: Boot Loader Interface, one-shot, boot counting, side by side with
# Debian's systemd-boot (tests/compat/compat.sh).
compat-tests: all
	$(Q)tests/compat/compat.sh

BENCH_SRCS := $(sort $(wildcard tests/bench/*.c))
BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
BENCH_CFLAGS := -std=c11 -O2 $(WARN) $(INCLUDES) -MMD -MP
$(BUILD)/bench/%: tests/bench/%.c $(HANDOFF_SRCS) $(CORE_SRCS)
	@mkdir -p $(@D)
	$(Q)$(HOST_CC) $(BENCH_CFLAGS) -o $@ $^

bench: deps
	$(Q)$(MAKE) --no-print-directory $(BENCH_BINS)
	$(Q)for b in $(BENCH_BINS); do $$b || exit 1; done
	$(Q)$(MAKE) --no-print-directory bench-boot

clean:
	rm -rf $(BUILD)

# Secure Boot signing and its tests (tests/secure/secure.mk).
include tests/secure/secure.mk
# Debian 12's own vmlinuz through a `linux` entry (tests/linux/linux.mk).
include tests/linux/linux.mk
# libFuzzer harnesses and the valgrind run of the unit tests (tests/fuzz/fuzz.mk).
include tests/fuzz/fuzz.mk

# Dependency files of the compiled objects (not the unpacked Debian trees under build/linux).
# The dependency files are never rebuilt by a rule (request-%.o would match request-x.d.o).
%.d: ;
-include $(shell find $(BUILD) -path $(BUILD)/linux -prune -o -name '*.d' -type f -print 2>/dev/null)
