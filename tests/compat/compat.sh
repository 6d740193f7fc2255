#!/bin/bash
# compat.sh: tagboot as a drop-in for systemd-boot: the Boot Loader Interface variables, one-shot
# entries, boot counting across real resets, and the same ESPs booted under tagboot and under
# Debian's systemd-boot 252 side by side with the same outcome.
#
# Usage: tests/compat/compat.sh [NAME...]   (needs `make all`: build/esp, build/payload/probe.efi)
# Every boot runs the probe payload (tests/boot/payload/probe.c) as the entry: it prints its
# load options and every Loader* variable, then exits QEMU (pass) or resets.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
RUN=tests/boot/run-boot.sh
ESP=build/esp
WORK=build/compat
SDBOOT=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
for f in "$ESP/EFI/BOOT/BOOTX64.EFI" build/payload/probe.efi "$SDBOOT"; do
	[ -f "$f" ] || { echo "compat.sh: $f missing (make all; apt-get install systemd-boot-efi)" >&2; exit 2; }
done
rm -rf "$WORK"
mkdir -p "$WORK"
passed=0 failed=0

ok() { echo "PASS $1"; passed=$((passed + 1)); }
bad() { echo "FAIL $1: $2"; failed=$((failed + 1)); }
want() { selected "$1" || return 1; }
selected() {
	[ ${#ONLY[@]} -eq 0 ] && return 0
	local n
	for n in "${ONLY[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}
ONLY=("$@")

# An ESP with the loader (tagboot or systemd-boot), the probe, loader.conf and no entries yet.
new_esp() {
	local d="$WORK/esp-$1" loader=$2
	mkdir -p "$d/EFI/BOOT" "$d/EFI/tests" "$d/loader/entries"
	cp "$loader" "$d/EFI/BOOT/BOOTX64.EFI"
	cp build/payload/probe.efi "$d/EFI/tests/probe.efi"
	printf '%s' "$3" >"$d/loader/loader.conf"
	echo "$d"
}
# probe_entry DIR FILE OPTIONS [EXTRA LINES]: an efi entry running the probe.
probe_entry() {
	{
		printf 'title %s\nefi /EFI/tests/probe.efi\noptions %s\n' "${2%.conf}" "$3"
		[ $# -ge 4 ] && printf '%s\n' "$4"
	} >"$1/loader/entries/$2"
}
log_of() { sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\r//g' "build/boot/$1/serial.log"; }
# The value of a BLI variable the probe printed (last boot in the log).
var_of() { log_of "$1" | grep -a "^PROBE-VAR $2=" | tail -n 1 | sed "s/^PROBE-VAR $2=//"; }
options_of() { log_of "$1" | grep -a '^PROBE-OPTIONS ' | sed 's/^PROBE-OPTIONS //'; }

# ---- the Boot Loader Interface: what bootctl status / list read ----
if want bli-vars; then
	d=$(new_esp bli "$ESP/EFI/BOOT/BOOTX64.EFI" $'default probe\ntimeout 0\n')
	probe_entry "$d" probe.conf "id=probe pass"
	probe_entry "$d" other.conf "id=other pass" "sort-key zz"
	if "$RUN" --name compat-bli-vars --esp "$d" --smp 1 --mem 256M --timeout 120 --expect efi-pass \
		--expect-text 'PROBE-OPTIONS id=probe pass' >"$WORK/bli-vars.out" 2>&1; then
		n=compat-bli-vars why=""
		[ "$(var_of $n LoaderInfo)" = "tagboot 0.1.0" ] || why="$why LoaderInfo='$(var_of $n LoaderInfo)'"
		[ "$(var_of $n LoaderEntrySelected)" = "probe.conf" ] || why="$why LoaderEntrySelected='$(var_of $n LoaderEntrySelected)'"
		case "$(var_of $n LoaderEntries)" in "other.conf,probe.conf"|"other.conf,probe.conf,auto-"*) ;;
		*) why="$why LoaderEntries='$(var_of $n LoaderEntries)'" ;; esac
		[ "$(var_of $n LoaderFeatures | tr A-F a-f)" = "0x33f" ] || why="$why LoaderFeatures='$(var_of $n LoaderFeatures)'"
		[ "$(var_of $n LoaderImageIdentifier)" = '\EFI\BOOT\BOOTX64.EFI' ] || why="$why LoaderImageIdentifier='$(var_of $n LoaderImageIdentifier)'"
		case "$(var_of $n LoaderFirmwareType)" in "UEFI 2."[0-9][0-9]) ;; *) why="$why LoaderFirmwareType='$(var_of $n LoaderFirmwareType)'" ;; esac
		case "$(var_of $n LoaderFirmwareInfo)" in "EDK II "[0-9]*.[0-9][0-9]) ;; *) why="$why LoaderFirmwareInfo='$(var_of $n LoaderFirmwareInfo)'" ;; esac
		[ -z "$why" ] && ok bli-vars || bad bli-vars "$why"
	else
		bad bli-vars "$(head -n 1 "$WORK/bli-vars.out")"
	fi
fi

# ---- bootctl set-oneshot: the probe sets LoaderEntryOneShot as bootctl does and resets; the
# second start boots that entry once, and the variable is gone. ----
if want oneshot; then
	d=$(new_esp oneshot "$ESP/EFI/BOOT/BOOTX64.EFI" $'default first\ntimeout 0\n')
	probe_entry "$d" first.conf "id=first oneshot=second.conf reset"
	probe_entry "$d" second.conf "id=second pass"
	if "$RUN" --name compat-oneshot --esp "$d" --smp 1 --mem 256M --timeout 120 --allow-reboot \
		--max-starts 2 --expect efi-pass --expect-text 'PROBE-OPTIONS id=second pass' \
		>"$WORK/oneshot.out" 2>&1; then
		if log_of compat-oneshot | sed -n '/PROBE-OPTIONS id=second/,$p' | grep -aq '^PROBE-VAR LoaderEntryOneShot='; then
			bad oneshot "LoaderEntryOneShot still set in the second boot"
		else
			ok oneshot
		fi
	else
		bad oneshot "$(head -n 1 "$WORK/oneshot.out")"
	fi
fi

# ---- boot counting end to end: count+2.conf resets twice (renamed +1-1, then +0-2), is then
# bad and sorted last, and good.conf boots; renamed as systemd-bless-boot does, it boots again.
if want boot-counting; then
	d=$(new_esp counting "$ESP/EFI/BOOT/BOOTX64.EFI" $'timeout 0\n')
	probe_entry "$d" count+2.conf "id=count reset" "sort-key aa"
	probe_entry "$d" good.conf "id=good pass" "sort-key bb"
	if "$RUN" --name compat-counting --esp "$d" --smp 1 --mem 256M --timeout 180 --allow-reboot \
		--max-starts 3 --expect efi-pass --expect-text 'PROBE-OPTIONS id=good pass' \
		>"$WORK/counting.out" 2>&1; then
		e=build/boot/compat-counting/esp/loader/entries
		seen=$(log_of compat-counting | grep -a '^PROBE-VAR LoaderBootCountPath=' | sed 's/.*=//' | tr '\n' ' ')
		if [ ! -f "$e/count+0-2.conf" ]; then
			bad boot-counting "entries after three boots: $(ls "$e" | tr '\n' ' ')"
		elif [ "$seen" != '\loader\entries\count+1-1.conf \loader\entries\count+0-2.conf ' ]; then
			bad boot-counting "LoaderBootCountPath seen: $seen"
		else
			# systemd-bless-boot's rename: the entry is good again and boots first.
			b="$WORK/esp-blessed"
			cp -r build/boot/compat-counting/esp "$b"
			mv "$b/loader/entries/count+0-2.conf" "$b/loader/entries/count.conf"
			sed -i 's/id=count reset/id=count pass/' "$b/loader/entries/count.conf"
			if "$RUN" --name compat-blessed --esp "$b" --smp 1 --mem 256M --timeout 120 \
				--expect efi-pass --expect-text 'PROBE-OPTIONS id=count pass' >"$WORK/blessed.out" 2>&1; then
				ok boot-counting
			else
				bad boot-counting "after the bless rename: $(head -n 1 "$WORK/blessed.out")"
			fi
		fi
	else
		bad boot-counting "$(head -n 1 "$WORK/counting.out")"
	fi
fi

# ---- side by side: the same ESP under tagboot and under systemd-boot 252 boots the same
# entry with the same options.
LOADERS="tagboot systemd-boot"
loader_of() { [ "$1" = systemd-boot ] && echo "$SDBOOT" || echo "$ESP/EFI/BOOT/BOOTX64.EFI"; }
# same_verdict NAME WANT TAGBOOT SYSTEMD-BOOT: both loaders booted the same (and, when WANT is
# not empty, that).
same_verdict() {
	if [ -z "$3" ] || [ "$3" != "$4" ] || { [ -n "$2" ] && [ "$3" != "$2" ]; }; then
		bad "$1" "tagboot booted '$3', systemd-boot booted '$4'"
	else
		ok "$1 (both: ${3:0:60})"
	fi
}
# Each case: NAME | loader.conf | entries as FILE=OPTIONS[@EXTRA]
side_case() {
	local name=$1 conf=$2 entries=$3 loader label out=() e
	want "same-$name" || return 0
	for label in $LOADERS; do
		loader=$(loader_of "$label")
		local d
		d=$(new_esp "$name-$label" "$loader" "$conf")
		IFS=';' read -r -a list <<<"$entries"
		for e in "${list[@]}"; do
			local file=${e%%=*} rest=${e#*=} extra=""
			case "$rest" in *@*) extra=${rest#*@}; rest=${rest%%@*} ;; esac
			probe_entry "$d" "$file" "$rest" "$(printf '%b' "$extra")"
		done
		[ -n "${SIDE_SETUP:-}" ] && $SIDE_SETUP "$d"
		"$RUN" --name "compat-$name-$label" --esp "$d" --smp 1 --mem 256M --timeout 120 \
			--expect efi-pass >"$WORK/$name-$label.out" 2>&1
		out+=("$(options_of "compat-$name-$label" | head -n 1)")
	done
	same_verdict "same-$name" "" "${out[0]}" "${out[1]}"
}

side_case order $'timeout 0\n' "a-6.9.conf=id=a-6.9 pass;a-6.10.conf=id=a-6.10 pass;b.conf=id=b pass"
side_case tilde $'timeout 0\n' "k-6.1~rc1.conf=id=rc pass@sort-key k\nversion 6.1~rc1;k-6.1.conf=id=release pass@sort-key k\nversion 6.1"
side_case sort-key $'timeout 0\n' "z.conf=id=no-key pass;a.conf=id=keyed pass@sort-key m\nversion 2"
side_case default-glob $'default lin*\ntimeout 0\n' "zz.conf=id=zz pass;linux-6.1.conf=id=linux pass"
side_case default-file-name $'default other.conf\ntimeout 0\n' "zz.conf=id=zz pass;other.conf=id=other pass"
side_case bad-entry-last $'timeout 0\n' "zz+0-3.conf=id=bad pass;aa.conf=id=good pass"
side_case key-without-value $'timeout 0\n' "e.conf=id=e pass@title\nversion"
# default @saved over four boots: a (first in order, nothing saved yet: remembered) sets a
# one-shot for b and resets; b boots once by the one-shot, which is not remembered, and resets;
# the third start boots a again by @saved, which sends it to b once more (its second run passes).
if want same-saved; then
	out=()
	for label in $LOADERS; do
		d=$(new_esp "saved-$label" "$(loader_of "$label")" $'default @saved\ntimeout 0\n')
		probe_entry "$d" a.conf "id=a oneshot=b.conf reset" "sort-key a"
		probe_entry "$d" b.conf "id=b runs=2" "sort-key b"
		"$RUN" --name "compat-saved-$label" --esp "$d" --smp 1 --mem 256M --timeout 150 \
			--allow-reboot --max-starts 4 --expect efi-pass >"$WORK/saved-$label.out" 2>&1
		out+=("$(options_of "compat-saved-$label" | tr '\n' '|')")
	done
	same_verdict same-saved "id=a oneshot=b.conf reset|id=b runs=2|id=a oneshot=b.conf reset|id=b runs=2|" \
		"${out[0]}" "${out[1]}"
fi

# XBOOTLDR: a GPT disk with the ESP and an Extended Boot Loader partition; the entry there (and
# the program it runs) lives on that partition and sorts first: both loaders boot it.
if want same-xbootldr; then
	out=()
	for label in $LOADERS; do
		d=$(new_esp "xbootldr-$label" "$(loader_of "$label")" $'timeout 0\n')
		probe_entry "$d" esp.conf "id=esp pass" "sort-key zz"
		x="$WORK/xbootldr-part-$label"
		mkdir -p "$x/loader/entries" "$x/EFI/tests"
		cp build/payload/probe.efi "$x/EFI/tests/probe.efi"
		printf 'title on XBOOTLDR\nefi /EFI/tests/probe.efi\noptions id=xbootldr pass\nsort-key aa\n' \
			>"$x/loader/entries/xb.conf"
		"$RUN" --name "compat-xbootldr-$label" --esp "$d" --xbootldr "$x" --smp 1 --mem 256M \
			--timeout 120 --expect efi-pass >"$WORK/xbootldr-$label.out" 2>&1
		out+=("$(options_of "compat-xbootldr-$label" | head -n 1)")
	done
	same_verdict same-xbootldr "id=xbootldr pass" "${out[0]}" "${out[1]}"
fi

long=$(printf 'x%.0s' $(seq 1 1100))
side_case long-line $'timeout 0\n' "long.conf=id=long pass $long"
# A missing kernel: the entry is not listed, the next one boots.
missing_setup() { sed -i 's|^efi .*|efi /EFI/tests/missing.efi|' "$1/loader/entries/zz.conf"; }
SIDE_SETUP=missing_setup side_case missing-kernel $'timeout 0\n' "zz.conf=id=zz pass;aa.conf=id=aa pass"

echo "compat tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
