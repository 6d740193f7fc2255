#!/bin/bash
# stage-esps.sh: builds the six benchmark ESP directories (one per loader case) under OUT/esp.
#
# Usage: stage-esps.sh --out DIR --payload TSC.EFI --tagboot BOOTX64.EFI --kernel KERNEL.ELF
#            --sdboot SYSTEMD-BOOTX64.EFI --grub-mkstandalone PROGRAM
# Every ESP holds the payload at /bench/tsc.efi, so the loaders differ only in what runs first.
set -eu

out="" payload="" tagboot="" kernel="" sdboot="" mkstandalone=""
while [ $# -gt 0 ]; do
	case "$1" in
	--out) out=$2; shift 2 ;;
	--payload) payload=$2; shift 2 ;;
	--tagboot) tagboot=$2; shift 2 ;;
	--kernel) kernel=$2; shift 2 ;;
	--sdboot) sdboot=$2; shift 2 ;;
	--grub-mkstandalone) mkstandalone=$2; shift 2 ;;
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
declare -A grub_need=()
grub_todo=(normal part_msdos part_gpt fat search chain)
while [ "${#grub_todo[@]}" -gt 0 ]; do
	grub_mod=${grub_todo[0]}
	grub_todo=("${grub_todo[@]:1}")
	[ -n "${grub_need[$grub_mod]:-}" ] && continue
	grub_need[$grub_mod]=1
	read -ra grub_deps <<<"$(sed -n "s/^$grub_mod: *//p" "$grub_lib/moddep.lst")"
	grub_todo+=("${grub_deps[@]}")
done
"$mkstandalone" -O x86_64-efi --install-modules="${!grub_need[*]}" --locales= --fonts= --themes= \
	-o "$out/grub/grubx64.efi" "boot/grub/grub.cfg=$out/grub/grub.cfg"
new_esp grub "$out/grub/grubx64.efi"
