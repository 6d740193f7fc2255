#!/bin/bash
# stage-esps.sh: builds the benchmark ESP directories (one per loader case) under OUT/esp.
#
# Usage: stage-esps.sh --out DIR --payload TSC.EFI --tagboot BOOTX64.EFI --kernel KERNEL.ELF
#            --sdboot SYSTEMD-BOOTX64.EFI --grub-mkstandalone PROGRAM [--vmlinuz V --initrd I]
# Every ESP holds the payload at /bench/tsc.efi, so the loaders differ only in what runs first.
# With --vmlinuz and --initrd, four more: Debian's kernel with the same initrd and command line
# through tagboot native, tagboot's efi-stub entry, systemd-boot and GRUB (linux-*).
set -eu

out="" payload="" tagboot="" kernel="" sdboot="" mkstandalone="" vmlinuz="" initrd=""
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--payload) payload=$2; shift 2 ;;
	--tagboot) tagboot=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--sdboot) sdboot=$2; shift 2 ;;
	--grub-mkstandalone) mkstandalone=$2; shift 2 ;;
	--vmlinuz) vmlinuz=$2; shift 2 ;;
	--initrd) initrd=$2; shift 2 ;;
	*) echo "stage-esps.sh: unknown option '$1'" >&2; exit 2 ;;
	esac
done

need_file() {
	[ -f "$2" ] || { echo "stage-esps.sh: $1: '$2' does not exist${3:+ ($3)}" >&2; exit 2; }
}
need_file --payload "$payload" "make $payload"
need_file --tagboot "$tagboot" "make efi"
need_file --kernel "$kernel" "make kernel"
need_file --sdboot "$sdboot" "apt-get install systemd-boot-efi"
command -v "$mkstandalone" >/dev/null || {
	echo "stage-esps.sh: --grub-mkstandalone: '$mkstandalone' not found (apt-get install grub-efi-amd64-bin grub-common)" >&2
	exit 2
}

esps="$out/esp"
rm -rf "$esps"

# new_esp NAME LOADER: an ESP with LOADER as the removable-media path and the payload.
new_esp() {
	mkdir -p "$esps/$1/EFI/BOOT" "$esps/$1/bench"
	cp "$2" "$esps/$1/EFI/BOOT/BOOTX64.EFI"
	cp "$payload" "$esps/$1/bench/tsc.efi"
}

# 1. The floor: the firmware starts the payload itself.
new_esp direct "$payload"

# 2. tagboot chainloading the payload through an efi entry.
new_esp tagboot-efi "$tagboot"
mkdir -p "$esps/tagboot-efi/loader/entries"
printf 'default bench\ntimeout 0\n' >"$esps/tagboot-efi/loader/loader.conf"
printf 'title benchmark payload\nefi /bench/tsc.efi\n' \
	>"$esps/tagboot-efi/loader/entries/bench.conf"

# 3. tagboot booting the kernel-sample natively (selftest off: only the entry TSC matters,
#    the kernel's own work after entry is not measured).
new_esp tagboot-native "$tagboot"
mkdir -p "$esps/tagboot-native/loader/entries" "$esps/tagboot-native/tagboot"
cp "$kernel" "$esps/tagboot-native/tagboot/kernel.elf"
printf 'default bench\ntimeout 0\n' >"$esps/tagboot-native/loader/loader.conf"
printf 'title benchmark kernel\nhandoff-kernel /tagboot/kernel.elf\noptions console=ttyS0 selftest=off\n' \
	>"$esps/tagboot-native/loader/entries/bench.conf"

# 3b. The same with `ap-park mailbox`: after ExitBootServices the loader parks the APs on an
#     ACPI MP wakeup mailbox, as TDVF does (the boots run with -smp 2 so there is an AP).
new_esp tagboot-native-park "$tagboot"
mkdir -p "$esps/tagboot-native-park/loader/entries" "$esps/tagboot-native-park/tagboot"
cp "$kernel" "$esps/tagboot-native-park/tagboot/kernel.elf"
printf 'default bench\ntimeout 0\n' >"$esps/tagboot-native-park/loader/loader.conf"
printf 'title benchmark kernel\nhandoff-kernel /tagboot/kernel.elf\noptions console=ttyS0 selftest=off\nap-park mailbox\n' \
	>"$esps/tagboot-native-park/loader/entries/bench.conf"

# 4. systemd-boot with the same BLS entry as case 2.
new_esp systemd-boot "$sdboot"
mkdir -p "$esps/systemd-boot/loader/entries"
printf 'default bench.conf\ntimeout 0\n' >"$esps/systemd-boot/loader/loader.conf"
printf 'title benchmark payload\nefi /bench/tsc.efi\n' \
	>"$esps/systemd-boot/loader/entries/bench.conf"

# 5. GRUB: a standalone image whose memdisk holds grub.cfg. Its root starts as the memdisk, so
#    the config loads the partition-table and FAT modules (not autoloaded here) and finds the
#    ESP by the payload's path before chainloading it, as grub-install's configs do by UUID.
mkdir -p "$out/grub"
cat >"$out/grub/grub.cfg" <<'CFG'
set timeout=0
insmod part_msdos
insmod fat
search --no-floppy --set=root --file /bench/tsc.efi
chainloader /bench/tsc.efi
boot
CFG
# Only the modules this config needs, with what they depend on (moddep.lst), and no fonts,
# locales or themes: grub-mkstandalone's default puts every module in the memdisk (9.3 MiB
# instead of about 0.5 MiB), which the firmware would have to read before GRUB starts.
grub_lib=/usr/lib/grub/x86_64-efi
[ -f "$grub_lib/moddep.lst" ] || {
	echo "stage-esps.sh: $grub_lib/moddep.lst does not exist (apt-get install grub-efi-amd64-bin)" >&2
	exit 2
}
# grub_modules MODULE...: the modules with everything they depend on.
grub_modules() {
	local -A need=()
	local todo=("$@") mod deps
	while [ "${#todo[@]}" -gt 0 ]; do
		mod=${todo[0]}
		todo=("${todo[@]:1}")
		[ -n "${need[$mod]:-}" ] && continue
		need[$mod]=1
		read -ra deps <<<"$(sed -n "s/^$mod: *//p" "$grub_lib/moddep.lst")"
		todo+=("${deps[@]}")
	done
	echo "${!need[*]}"
}
"$mkstandalone" -O x86_64-efi --install-modules="$(grub_modules normal part_msdos part_gpt fat search chain)" \
	--locales= --fonts= --themes= -o "$out/grub/grubx64.efi" "boot/grub/grub.cfg=$out/grub/grub.cfg"
new_esp grub "$out/grub/grubx64.efi"

[ -n "$vmlinuz" ] || exit 0
need_file --vmlinuz "$vmlinuz" "tests/linux/fetch-kernel.sh"
need_file --initrd "$initrd"
# The Linux cases: the same kernel, initrd and command line for every loader. quiet keeps the
# serial console (which costs instructions per character) out of the comparison.
linux_options="console=ttyS0 quiet tagboot.test=1 panic=-1"
linux_esp() {
	new_esp "$1" "$2"
	mkdir -p "$esps/$1/linux"
	cp "$vmlinuz" "$esps/$1/linux/vmlinuz"
	cp "$initrd" "$esps/$1/linux/initrd.img"
}
linux_entry() {
	mkdir -p "$esps/$1/loader/entries"
	printf '%s\ntimeout 0\n' "$2" >"$esps/$1/loader/loader.conf"
	printf 'title Debian (benchmark)\nlinux /linux/vmlinuz\ninitrd /linux/initrd.img\noptions %s\n%s' \
		"$linux_options" "$3" >"$esps/$1/loader/entries/bench.conf"
}
linux_esp linux-tagboot-native "$tagboot"
linux_entry linux-tagboot-native "default bench" "linux-protocol native
"
linux_esp linux-tagboot-efi "$tagboot"
linux_entry linux-tagboot-efi "default bench" ""
linux_esp linux-systemd-boot "$sdboot"
linux_entry linux-systemd-boot "default bench.conf" ""
cat >"$out/grub/grub-linux.cfg" <<CFG
set timeout=0
insmod part_msdos
insmod fat
search --no-floppy --set=root --file /linux/vmlinuz
linux /linux/vmlinuz $linux_options
initrd /linux/initrd.img
boot
CFG
"$mkstandalone" -O x86_64-efi --install-modules="$(grub_modules normal part_msdos part_gpt fat search linux)" \
	--locales= --fonts= --themes= -o "$out/grub/grubx64-linux.efi" "boot/grub/grub.cfg=$out/grub/grub-linux.cfg"
linux_esp linux-grub "$out/grub/grubx64-linux.efi"
