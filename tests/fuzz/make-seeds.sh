#!/bin/sh
# make-seeds.sh: fill SEED_DIR/<harness>/ with seed inputs from the repository, Debian's OVMF and seedgen.
# Usage: tests/fuzz/make-seeds.sh SEED_DIR SEEDGEN [BUILD_DIR]   (run from the repository root)
set -eu

seeds=$1
seedgen=$2
build=${3:-build}

rm -rf "$seeds"
for h in handoff normalize config elf acpi tdvf memtext efimap bzimage place boot uki; do
	mkdir -p "$seeds/$h"
done

# Binary seeds built with the real builder and hand-laid tables.
"$seedgen" "$seeds"

# Handoff: the host tool's representative blob, when the tool is built.
if [ -x "$build/bin/handoff" ]; then
	"$build/bin/handoff" sample "$seeds/handoff/tool-sample.bin" >/dev/null 2>&1 ||
		rm -f "$seeds/handoff/tool-sample.bin"
fi

# Handoff: the blobs of real boots, 1.0 (and 1.1 once tests/fixtures has them).
for f in tests/fixtures/handoff-1.0/*.bin tests/fixtures/handoff-1.1/*.bin; do
	[ -f "$f" ] && cp "$f" "$seeds/handoff/$(basename "$(dirname "$f")")-$(basename "$f")"
done

# Config: the default ESP's files and every entry the boot tests use.
for f in esp/loader/loader.conf esp/loader/entries/*.conf "$build"/boot/esps/*/loader/*.conf \
	"$build"/boot/esps/*/loader/entries/*.conf; do
	# Flattened paths, cut to stay a valid file name (the boot tests have 245-byte names);
	# the 10 MB configs of the hostile boots would only slow the fuzzer down.
	[ -f "$f" ] && [ "$(stat -c %s "$f")" -le 65536 ] &&
		cp "$f" "$seeds/config/$(echo "$f" | tr '/' '_' | cut -c1-200)"
done

# A seed for fuzz_config's named entry: file name, NUL, then the entry text.
printf '/loader/entries/debian-6.1.0-13.conf\000title Debian\nversion 6.1.0-13\nsort-key debian\nlinux /vmlinuz\ninitrd /initrd.img\noptions root=/dev/vda1 ro\n' \
	>"$seeds/config/named-entry.bin"

# Memory-map text: the real captured maps.
for f in tests/fixtures/*.memmap.txt; do
	[ -f "$f" ] && cp "$f" "$seeds/memtext/"
done

# ELF: the sample kernel, when it is built.
[ -f "$build/kernel/kernel.elf" ] && cp "$build/kernel/kernel.elf" "$seeds/elf/kernel.elf"

# Placement: the sample kernel behind a byte choosing a 2 GiB identity map.
[ -f "$build/kernel/kernel.elf" ] && { printf '\001'; cat "$build/kernel/kernel.elf"; } >"$seeds/place/kernel.bin"
# and its variants whose request notes differ (Makefile KERNEL_VARIANTS), on a 6 GiB map.
for v in "$build"/kernel/kernel-*.elf; do
	[ -f "$v" ] && { printf '\005'; cat "$v"; } >"$seeds/place/$(basename "$v" .elf).bin"
done

# The whole path: u16 length, an entry with reserve lines, a platform byte (1: KVM, 3: TDX),
# then the seedgen EFI map without its stride byte.
boot_seed() {
	entry=$1 platform=$2 name=$3
	len=$(printf '%s' "$entry" | wc -c)
	{
		printf "\\$(printf '%03o' $((len % 256)))\\$(printf '%03o' $((len / 256)))"
		printf '%s' "$entry"
		printf "\\$(printf '%03o' "$platform")"
		tail -c +2 "$seeds/efimap/ovmf-like-48.bin"
	} >"$seeds/boot/$name"
}
boot_seed "$(printf 'title t\nhandoff-kernel /k.elf\noptions console=ttyS0\nreserve 0x2000 0x3000 test\nreserve 0x800000 0x6000 tdvf\n')" 1 kvm-reserves.bin
boot_seed "$(printf 'handoff-kernel /k.elf\nap-park mailbox\n')" 3 tdx-plain.bin

# UKI: the PE headers of systemd's stub (Debian's systemd-boot-efi), no size prefix beyond.
stub=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
if [ -f "$stub" ] && command -v objcopy >/dev/null; then
	t=$(mktemp -d)
	printf 'ID=debian\nPRETTY_NAME="Debian GNU/Linux 12"\nVERSION_ID=12\n' >"$t/osrel"
	printf 'root=/dev/vda' >"$t/cmdline"
	printf 'MZ' >"$t/linux"
	objcopy --add-section .osrel="$t/osrel" --change-section-vma .osrel=0x20000 \
		--add-section .cmdline="$t/cmdline" --change-section-vma .cmdline=0x30000 \
		--add-section .linux="$t/linux" --change-section-vma .linux=0x2000000 "$stub" "$t/uki.efi"
	{ printf '\000\000\000\000'; cat "$t/uki.efi"; } >"$seeds/uki/uki-small.bin"
	rm -rf "$t"
fi

# bzImage: the head of Debian's kernel when tests/linux fetched it (the setup header and the
# start of the protected-mode kernel; syssize then refuses it as truncated, so a second copy
# with syssize zeroed lets the fuzzer start from an accepted header too).
for k in "$build"/linux/kernel/boot/vmlinuz-*; do
	[ -f "$k" ] || continue
	head -c 65536 "$k" >"$seeds/bzimage/vmlinuz-head64k.bin"
	cp "$seeds/bzimage/vmlinuz-head64k.bin" "$seeds/bzimage/vmlinuz-head64k-syssize0.bin"
	printf '\000\000\000\000' | dd of="$seeds/bzimage/vmlinuz-head64k-syssize0.bin" bs=1 seek=500 conv=notrunc status=none
done

# TDVF: the last 64 KiB of Debian's firmware images (the footer table and, for the 2 MiB
# build, the TDX metadata live near the end).
for fd in /usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd; do
	[ -f "$fd" ] && tail -c 65536 "$fd" >"$seeds/tdvf/$(basename "$fd" .fd)-tail64k.bin"
done

for h in "$seeds"/*; do
	echo "seeds: $(basename "$h"): $(ls "$h" | wc -l) files"
done
