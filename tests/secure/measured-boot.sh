#!/bin/bash
# measured-boot.sh: boots with swtpm as the guest's TPM 2.0 and checks PCR 9/12 against digests computed on the host.
#
# Usage: tests/secure/measured-boot.sh [NAME...]
# Needs `make all`, swtpm and sbsigntool. For each scenario: a fresh swtpm, one boot
# (tests/boot/run-boot.sh), then the loader's "tagboot: tpm: pcr N sha256 X" lines (read from
# the TPM with TPM2_PCR_Read just before ExitBootServices) must equal the PCR values replayed
# on the host from the ESP's files: PCR 9 = kernel then each module, PCR 12 = the command line
# of the entry file, then the handoff plan text the loader logged. tpm-shield: an `efi` entry
# with two `reserve` lines; PCR 12 = the one shield event (the ranges the shield allocated).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
RUN=tests/boot/run-boot.sh
ENROLL=tools/secure/tagboot-enroll.py
LOADER=build/esp/EFI/BOOT/BOOTX64.EFI
KERNEL=build/kernel/kernel.elf
KEY=/usr/share/ovmf/PkKek-1-snakeoil.key
CERT=/usr/share/ovmf/PkKek-1-snakeoil.pem
MADE=$ROOT/build/measured  # absolute: swtpm --daemon changes to /

for f in "$LOADER" "$KERNEL" "$KEY" "$CERT"; do
	[ -f "$f" ] || { echo "measured-boot.sh: $f missing (make all)" >&2; exit 2; }
done
for c in swtpm sbsign python3; do
	command -v $c >/dev/null || { echo "measured-boot.sh: $c missing (apt-get install swtpm sbsigntool)" >&2; exit 2; }
done

rm -rf "$MADE"
mkdir -p "$MADE/keys"
openssl pkey -in "$KEY" -passin pass:snakeoil -out "$MADE/keys/snakeoil.key" ||
	{ echo "measured-boot.sh: cannot decrypt $KEY" >&2; exit 2; }
KEY=$MADE/keys/snakeoil.key
KSHA=$(sha256sum "$KERNEL" | cut -d' ' -f1)
CMDLINE='console=ttyS0 selftest=on measured=yes'

# ESP NAME: the sample kernel pinned, with two pinned modules.
make_esp() {
	local d="$MADE/$1/esp"
	mkdir -p "$d/EFI/BOOT" "$d/tagboot" "$d/loader/entries"
	cp "$LOADER" "$d/EFI/BOOT/BOOTX64.EFI"
	cp "$KERNEL" "$d/tagboot/kernel.elf"
	printf 'first module of %s\n' "$1" >"$d/tagboot/one.bin"
	head -c 10000 /dev/urandom >"$d/tagboot/two.bin"
	printf 'default sample\ntimeout 0\n' >"$d/loader/loader.conf"
	{
		printf 'title measured sample\nhandoff-kernel /tagboot/kernel.elf\nkernel-sha256 %s\n' "$KSHA"
		printf 'module /tagboot/one.bin\nmodule-sha256 %s\n' "$(sha256sum "$d/tagboot/one.bin" | cut -d' ' -f1)"
		printf 'module /tagboot/two.bin\nmodule-sha256 %s\n' "$(sha256sum "$d/tagboot/two.bin" | cut -d' ' -f1)"
		printf 'options %s\n' "$CMDLINE"
	} >"$d/loader/entries/sample.conf"
	echo "$d"
}

# Replay on the host and compare with what the TPM said. $1 ESP, $2 clean serial log.
check_pcrs() {
	python3 - "$1" "$2" <<'PY'
import hashlib, re, sys
esp, log_path = sys.argv[1], sys.argv[2]
log = open(log_path, encoding="latin-1").read()
def sha(b): return hashlib.sha256(b).digest()
def replay(items):
    pcr = bytes(32)
    for d in items:
        pcr = sha(pcr + d)
    return pcr.hex()
files = [open(esp + p, "rb").read() for p in ("/tagboot/kernel.elf", "/tagboot/one.bin", "/tagboot/two.bin")]
entry = open(esp + "/loader/entries/sample.conf").read()
cmdline = re.search(r"^options (.*)$", entry, re.M).group(1).encode()
plan = re.search(r"measured: pcr 12 EV_IPL handoff sha256 [0-9a-f]{64} event '([^']*)'", log)
if not plan:
    sys.exit("no handoff measurement in the log")
want = {9: replay([sha(f) for f in files]),
        12: replay([sha(cmdline), sha(plan.group(1).encode())])}
got = {int(n): v for n, v in re.findall(r"tagboot: tpm: pcr (\d+) sha256 ([0-9a-f]{64})", log)}
bad = 0
for n in (9, 12):
    if got.get(n) != want[n]:
        print("PCR %d: TPM says %s, host replay gives %s" % (n, got.get(n), want[n]))
        bad = 1
# The per-event digests the loader logged must be the files' own.
logged = re.findall(r"measured: pcr 9 EV_IPL \w+ sha256 ([0-9a-f]{64})", log)
if logged != [hashlib.sha256(f).hexdigest() for f in files]:
    print("PCR 9 events: logged %s" % logged)
    bad = 1
sys.exit(bad)
PY
}

# The shield (loader/core/shield.c) before a chainloaded entry: PCR 12 must be the host replay
# of the one shield event, whose data is the text the loader logged; that text names both
# `reserve` ranges. $1 ESP (unused), $2 clean serial log.
check_shield_pcr() {
	python3 - "$2" <<'PY'
import hashlib, re, sys
log = open(sys.argv[1], encoding="latin-1").read()
ev = re.search(r"measured: pcr 12 EV_IPL shield sha256 ([0-9a-f]{64}) event '([^']*)'", log)
if not ev:
    sys.exit("no shield measurement in the log")
text = ev.group(2).encode()
if hashlib.sha256(text).hexdigest() != ev.group(1):
    sys.exit("the logged digest is not the event text's")
for r in ("0x800000-0x805fff tdvf-page-tables", "0x20000000-0x200fffff test-hole"):
    if r not in ev.group(2):
        sys.exit("the shield event does not name %s: %s" % (r, ev.group(2)))
want = hashlib.sha256(bytes(32) + hashlib.sha256(text).digest()).hexdigest()
got = dict(re.findall(r"tagboot: tpm: pcr (\d+) sha256 ([0-9a-f]{64})", log)).get("12")
if got != want:
    sys.exit("PCR 12: TPM says %s, host replay gives %s" % (got, want))
PY
}

# run NAME [run-boot.sh options...]: one boot with a fresh swtpm, then the PCR check
# ($CHECK, check_pcrs by default; $EXPECT and $EXPECT_TEXT the run-boot.sh verdict).
run() {
	local name=$1; shift
	local d="$MADE/$name" tpm="$MADE/$name/tpm"
	mkdir -p "$tpm"
	swtpm socket --tpm2 --tpmstate dir="$tpm" --ctrl type=unixio,path="$tpm/sock" \
		--terminate --daemon --pid file="$tpm/pid" --log file="$tpm/log" ||
		{ echo "FAIL mb-$name: swtpm did not start"; return 1; }
	for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$tpm/sock" ] && break; sleep 0.2; done
	"$RUN" --name "mb-$name" --esp "$d/esp" --expect "${EXPECT:-pass}" --expect-text "${EXPECT_TEXT:-tagboot: tpm: pcr 12}" \
		--qemu-arg -chardev --qemu-arg "socket,id=chrtpm,path=$tpm/sock" \
		--qemu-arg -tpmdev --qemu-arg emulator,id=tpm0,chardev=chrtpm \
		--qemu-arg -device --qemu-arg tpm-tis,tpmdev=tpm0 "$@"
	local rc=$?
	[ -f "$tpm/pid" ] && kill "$(cat "$tpm/pid")" 2>/dev/null
	[ $rc = 0 ] || return 1
	local log="$d/serial.clean"
	sed -e 's/\x1b\[[0-9;?=]*[A-Za-z]//g' -e 's/\r//g' "build/boot/mb-$name/serial.log" | tr -d '\000' >"$log"
	if "${CHECK:-check_pcrs}" "$d/esp" "$log"; then
		echo "PASS mb-$name: the PCRs match the host replay"
	else
		echo "FAIL mb-$name: PCR values differ from the host replay"
		return 1
	fi
}

WANT=("$@")
selected() {
	[ ${#WANT[@]} -eq 0 ] && return 0
	local n
	for n in "${WANT[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}

passed=0 failed=0
tally() { if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi; }

if selected tpm; then
	make_esp tpm >/dev/null
	tally run tpm
fi
if selected tpm-secure-boot; then
	d=$(make_esp tpm-secure-boot)
	python3 "$ENROLL" enroll "$d" "$d/EFI/BOOT/BOOTX64.EFI" "$d/EFI/BOOT/BOOTX64.EFI.enrolled" >/dev/null
	sbsign --key "$KEY" --cert "$CERT" --output "$d/EFI/BOOT/BOOTX64.EFI" \
		"$d/EFI/BOOT/BOOTX64.EFI.enrolled" >/dev/null 2>&1
	rm -f "$d/EFI/BOOT/BOOTX64.EFI.enrolled"
	tally run tpm-secure-boot --secure-boot
fi
if selected tpm-shield; then
	d="$MADE/tpm-shield/esp"
	mkdir -p "$d/EFI/BOOT" "$d/EFI/tests" "$d/loader/entries"
	cp "$LOADER" "$d/EFI/BOOT/BOOTX64.EFI"
	cp build/payload/memmap.efi "$d/EFI/tests/memmap.efi"
	printf 'default memmap\ntimeout 0\n' >"$d/loader/loader.conf"
	printf 'title shielded payload\nefi /EFI/tests/memmap.efi\noptions expect 0x800000 0x6000 0 0x20000000 0x100000 0\nreserve 0x800000 0x6000 tdvf-page-tables\nreserve 0x20000000 0x100000 test-hole\n' \
		>"$d/loader/entries/memmap.conf"
	EXPECT=efi-pass EXPECT_TEXT='MEMMAP-CHECK ok 2 ranges' CHECK=check_shield_pcr tally run tpm-shield --mem 1G
fi
echo "measured boot tests: $passed passed, $failed failed"
[ "$failed" = 0 ]
