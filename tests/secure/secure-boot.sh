#!/bin/bash
# secure-boot.sh: Secure Boot boots under Debian's snakeoil OVMF: signed, unsigned, tampered loader, config, kernel, pins, chainload.
#
# Usage: tests/secure/secure-boot.sh [-j N] [NAME...]   (default -j 2; names pick scenarios)
# Needs `make all`. Signs with /usr/share/ovmf/PkKek-1-snakeoil.key/.pem (enrolled in
# OVMF_VARS_4M.snakeoil.fd as PK, KEK and db). Prints one line per scenario and a summary.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
RUN=tests/boot/run-boot.sh
ENROLL=tools/secure/tagboot-enroll.py
ESP=build/esp
LOADER=$ESP/EFI/BOOT/BOOTX64.EFI
KERNEL=build/kernel/kernel.elf
KEY=/usr/share/ovmf/PkKek-1-snakeoil.key
CERT=/usr/share/ovmf/PkKek-1-snakeoil.pem
MADE=build/secure
jobs=2

while [ $# -gt 0 ]; do
	case "$1" in
	-j) jobs=$2; shift 2 ;;
	-j*) jobs=${1#-j}; shift ;;
	*) break ;;
	esac
done

for f in "$LOADER" "$KERNEL" build/payload/hello.efi "$KEY" "$CERT" \
	/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd; do
	[ -f "$f" ] || { echo "secure-boot.sh: $f missing (make all; apt-get install ovmf)" >&2; exit 2; }
done
command -v sbsign >/dev/null || { echo "secure-boot.sh: sbsign missing (apt-get install sbsigntool)" >&2; exit 2; }

rm -rf "$MADE"
mkdir -p "$MADE"
KSHA=$(sha256sum "$KERNEL" | cut -d' ' -f1)
# sbsign cannot take a passphrase; Debian's README.Debian gives 'snakeoil' for this test key.
mkdir -p "$MADE/keys"
openssl pkey -in "$KEY" -passin pass:snakeoil -out "$MADE/keys/snakeoil.key" ||
	{ echo "secure-boot.sh: cannot decrypt $KEY" >&2; exit 2; }
KEY=$MADE/keys/snakeoil.key

# A fresh ESP NAME with the loader (not yet enrolled) and kernel; entries written by the caller.
new_esp() {
	local d="$MADE/$1/esp"
	mkdir -p "$d/EFI/BOOT" "$d/tagboot" "$d/loader/entries"
	cp "$LOADER" "$d/EFI/BOOT/BOOTX64.EFI"
	cp "$KERNEL" "$d/tagboot/kernel.elf"
	printf 'default sample\ntimeout 0\n' >"$d/loader/loader.conf"
	echo "$d"
}

pinned_entry() {
	printf 'title pinned sample\nhandoff-kernel /tagboot/kernel.elf\nkernel-sha256 %s\noptions console=ttyS0 selftest=on\n' "$KSHA"
}

# Enroll the ESP's config into its loader and sign it (what `make sign` does).
enroll_and_sign() {
	local d=$1 efi="$1/EFI/BOOT/BOOTX64.EFI"
	python3 "$ENROLL" enroll "$d" "$efi" "$efi.enrolled" >/dev/null || return 1
	sbsign --key "$KEY" --cert "$CERT" --output "$efi" "$efi.enrolled" >/dev/null 2>&1 || return 1
	rm -f "$efi.enrolled"
}

# signed: the pinned sample kernel boots to RESULT: PASS under Secure Boot.
make_signed() {
	local d; d=$(new_esp signed)
	pinned_entry >"$d/loader/entries/sample.conf"
	enroll_and_sign "$d"
}
# unsigned: enrolled but not signed: the firmware refuses the loader.
make_unsigned() {
	local d; d=$(new_esp unsigned)
	pinned_entry >"$d/loader/entries/sample.conf"
	python3 "$ENROLL" enroll "$d" "$d/EFI/BOOT/BOOTX64.EFI" "$d/EFI/BOOT/BOOTX64.EFI" >/dev/null
}
# tampered-loader: signed, then one byte of the image changed (at the config hash block).
make_tampered_loader() {
	local d; d=$(new_esp tampered-loader)
	pinned_entry >"$d/loader/entries/sample.conf"
	enroll_and_sign "$d" || return 1
	local at
	at=$(grep -abo 'TAGBOOT-CFGHASH' "$d/EFI/BOOT/BOOTX64.EFI" | head -n 1 | cut -d: -f1)
	printf '\x55' | dd of="$d/EFI/BOOT/BOOTX64.EFI" bs=1 seek=$((at + 24)) conv=notrunc status=none
}
# tampered-config: signed for one config, then the entry's options changed.
make_tampered_config() {
	local d; d=$(new_esp tampered-config)
	pinned_entry >"$d/loader/entries/sample.conf"
	enroll_and_sign "$d" || return 1
	echo 'options init=/bin/sh' >>"$d/loader/entries/sample.conf"
}
# added-entry: signed, then a new entry file planted next to the enrolled one.
make_added_entry() {
	local d; d=$(new_esp added-entry)
	pinned_entry >"$d/loader/entries/sample.conf"
	enroll_and_sign "$d" || return 1
	printf 'title planted\nhandoff-kernel /tagboot/kernel.elf\n' >"$d/loader/entries/zz.conf"
}
# tampered-kernel: config and pin enrolled, then the kernel file changed (one byte appended).
make_tampered_kernel() {
	local d; d=$(new_esp tampered-kernel)
	pinned_entry >"$d/loader/entries/sample.conf"
	enroll_and_sign "$d" || return 1
	printf '\0' >>"$d/tagboot/kernel.elf"
}
# missing-pin: the entry has no kernel-sha256.
make_missing_pin() {
	local d; d=$(new_esp missing-pin)
	printf 'title unpinned\nhandoff-kernel /tagboot/kernel.elf\noptions console=ttyS0\n' \
		>"$d/loader/entries/sample.conf"
	enroll_and_sign "$d"
}
# missing-module-pin: kernel pinned, its module not.
make_missing_module_pin() {
	local d; d=$(new_esp missing-module-pin)
	echo 'module data' >"$d/tagboot/module.bin"
	{ pinned_entry; echo 'module /tagboot/module.bin'; } >"$d/loader/entries/sample.conf"
	enroll_and_sign "$d"
}
# unpinned-allowed: the documented opt-out in loader.conf lets an unpinned entry boot.
make_unpinned_allowed() {
	local d; d=$(new_esp unpinned-allowed)
	printf 'title unpinned\nhandoff-kernel /tagboot/kernel.elf\noptions console=ttyS0 selftest=on\n' \
		>"$d/loader/entries/sample.conf"
	echo 'secure-boot-unpinned allow' >>"$d/loader/loader.conf"
	enroll_and_sign "$d"
}
# not-enrolled: signed without an enrolled config hash.
make_not_enrolled() {
	local d; d=$(new_esp not-enrolled)
	pinned_entry >"$d/loader/entries/sample.conf"
	sbsign --key "$KEY" --cert "$CERT" --output "$d/EFI/BOOT/BOOTX64.EFI" "$LOADER" 2>/dev/null
}
# efi-unsigned: an unsigned EFI program as chainload target: LoadImage refuses it.
make_efi_unsigned() {
	local d; d=$(new_esp efi-unsigned)
	mkdir -p "$d/EFI/tests"
	cp build/payload/hello.efi "$d/EFI/tests/hello.efi"
	printf 'title hello\nefi /EFI/tests/hello.efi\n' >"$d/loader/entries/sample.conf"
	enroll_and_sign "$d"
}
# efi-signed: the same program signed with the db key runs.
make_efi_signed() {
	local d; d=$(new_esp efi-signed)
	mkdir -p "$d/EFI/tests"
	sbsign --key "$KEY" --cert "$CERT" --output "$d/EFI/tests/hello.efi" build/payload/hello.efi \
		2>/dev/null
	printf 'title hello\nefi /EFI/tests/hello.efi\n' >"$d/loader/entries/sample.conf"
	enroll_and_sign "$d"
}

# linux-native-*: Debian's kernel booted natively (linux-protocol native). The firmware never
# sees the bzImage, so under Secure Boot the kernel-sha256 pin is what vouches for it; the
# firmware-bug emulator is refused outright. The kernel comes from tests/linux/fetch-kernel.sh,
# the initramfs is tests/linux/init.c.
linux_esp() {
	local d; d=$(new_esp "$1")
	local vmlinuz
	vmlinuz=$(tests/linux/fetch-kernel.sh --build build) || return 1
	mkdir -p "$d/linux" "$MADE/linux-root"
	cp "$vmlinuz" "$d/linux/vmlinuz"
	[ -f "$MADE/linux-initrd.img" ] || {
		gcc -static -O2 -Ihandoff/include -o "$MADE/linux-root/init" tests/linux/init.c &&
			(cd "$MADE/linux-root" && echo init | cpio -o -H newc --quiet --owner=0:0) |
			gzip -9n >"$MADE/linux-initrd.img"
	} || return 1
	cp "$MADE/linux-initrd.img" "$d/linux/initrd.img"
	{
		printf 'title Debian native
linux /linux/vmlinuz
initrd /linux/initrd.img
linux-protocol native
'
		printf 'options console=ttyS0 tagboot.test=1 panic=-1 loglevel=3
'
		[ "$2" = pinned ] && printf 'kernel-sha256 %s\n' "$(sha256sum "$vmlinuz" | cut -d' ' -f1)"
		[ "$2" = unreported ] && printf 'kernel-sha256 %s\nap-park mailbox-unreported\n' \
			"$(sha256sum "$vmlinuz" | cut -d' ' -f1)"
	} >"$d/loader/entries/sample.conf"
	enroll_and_sign "$d"
}
make_linux_native_pinned() { linux_esp linux-native-pinned pinned; }
make_linux_native_unpinned() { linux_esp linux-native-unpinned unpinned; }
make_linux_unreported() { linux_esp linux-unreported unreported; }

# make-sign: the `make sign` target itself (tests/secure/secure.mk) on a pinned ESP; the boot
# uses its build/signed/esp. SECURE_MAKEFILE names a makefile to use instead of ./Makefile.
make_make_sign() {
	local d; d=$(new_esp make-sign-src)
	pinned_entry >"$d/loader/entries/sample.conf"
	make --no-print-directory ${SECURE_MAKEFILE:+-f "$SECURE_MAKEFILE"} sign SIGN_KEY="$KEY" \
		SIGN_CERT="$CERT" SIGN_ESP="$d" >"$MADE/make-sign.log" 2>&1 ||
		{ cat "$MADE/make-sign.log" >&2; return 1; }
	mkdir -p "$MADE/make-sign"
	cp -r build/signed/esp "$MADE/make-sign/esp"
}

# name | maker | run-boot.sh arguments
SCENARIOS=(
	"signed|make_signed|--expect pass --expect-text config matches the enrolled hash"
	"unsigned|make_unsigned|--expect firmware-refused --timeout 90"
	"tampered-loader|make_tampered_loader|--expect firmware-refused --timeout 90"
	"tampered-config|make_tampered_config|--expect loader-error --expect-text config hash mismatch"
	"added-entry|make_added_entry|--expect loader-error --expect-text config hash mismatch"
	"tampered-kernel|make_tampered_kernel|--expect loader-error --expect-text SHA-256 mismatch"
	"missing-pin|make_missing_pin|--expect loader-error --expect-text no kernel-sha256 pin"
	"missing-module-pin|make_missing_module_pin|--expect loader-error --expect-text no module-sha256 pin for module /tagboot/module.bin"
	"unpinned-allowed|make_unpinned_allowed|--expect pass"
	"not-enrolled|make_not_enrolled|--expect loader-error --expect-text no enrolled config hash"
	"efi-unsigned|make_efi_unsigned|--expect loader-error --expect-text LoadImage refused the image (Secure Boot?)"
	"efi-signed|make_efi_signed|--expect efi-pass"
	"make-sign|make_make_sign|--expect pass --expect-text config matches the enrolled hash"
	"linux-native-pinned|make_linux_native_pinned|--expect efi-pass --mem 1G --expect-text TAGBOOT-LINUX-OK cmdline="
	"linux-native-unpinned|make_linux_native_unpinned|--expect loader-error --mem 1G --expect-text no kernel-sha256 pin for /linux/vmlinuz"
	"linux-unreported|make_linux_unreported|--expect loader-error --mem 1G --expect-text reports the parking memory as usable on purpose (a firmware-bug emulator); refused"
)

WANT=("$@")
selected() {
	[ ${#WANT[@]} -eq 0 ] && return 0
	local n
	for n in "${WANT[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}

pids=() names=()
for s in "${SCENARIOS[@]}"; do
	IFS='|' read -r name maker args <<<"$s"
	selected "$name" || continue
	"$maker" >/dev/null || { echo "FAIL sb-$name: could not stage the ESP"; exit 1; }
	# --expect-text takes the rest of the line as one argument.
	pre=${args%%--expect-text*}
	text=""
	[ "$pre" != "$args" ] && text=${args#*--expect-text }
	# shellcheck disable=SC2086 # pre is a list of options
	if [ -n "$text" ]; then
		"$RUN" --secure-boot --name "sb-$name" --esp "$MADE/$name/esp" $pre --expect-text "$text" \
			>"$MADE/$name.out" 2>&1 &
	else
		"$RUN" --secure-boot --name "sb-$name" --esp "$MADE/$name/esp" $pre >"$MADE/$name.out" 2>&1 &
	fi
	pids+=($!) names+=("$name")
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 0.5; done
done

passed=0 failed=0
for i in "${!pids[@]}"; do
	if wait "${pids[$i]}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	cat "$MADE/${names[$i]}.out"
done
echo "secure boot tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
