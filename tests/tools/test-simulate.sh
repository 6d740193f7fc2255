#!/bin/sh
# test-simulate.sh: `handoff simulate` on every text form, the real OVMF maps and the TDX, SNP
# and Xen-style fixtures: tags, hazards and totals worked out by hand from the input text, the
# --out blob through `handoff decode`, the --svg file through an XML parser, and the messages
# and exit codes for bad files, bad lines and bad options.
set -u
tool=build/bin/handoff
fx=tests/fixtures
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
# expect_line FILE REGEX: some line of FILE matches the extended regex.
expect_line() { grep -Eq -- "$2" "$1" || fail "no line matching '$2' in $1"; }
no_line() { if grep -Eq -- "$2" "$1"; then fail "unexpected line matching '$2' in $1"; fi; }
# sim NAME ARGS...: run simulate into $dir/NAME.out / .err, exit status in $rc.
sim() { name=$1; shift; "$tool" simulate "$@" >"$dir/$name.out" 2>"$dir/$name.err"; rc=$?; }
# total NAME LABEL BYTES: the totals line LABEL of NAME.out says BYTES.
total() { expect_line "$dir/$1.out" "^  $2 +$3 bytes"; }
want_rc() { [ "$rc" -eq "$2" ] || fail "$1: exit $rc, want $2 ($(head -c 300 "$dir/$1.err" 2>/dev/null))"; }

# --- each input form, a small map in each ---
cat >"$dir/shell.txt" <<'T'
Type       Start            End              # Pages          Attributes
BS_Code    0000000000000000-0000000000000FFF 0000000000000001 000000000000000F
Available  0000000000001000-000000000009FFFF 000000000000009F 000000000000000F
LoaderData 0000000000100000-00000000001FFFFF 0000000000000100 000000000000000F
ACPI_NVS   0000000000200000-0000000000200FFF 0000000000000001 000000000000000F
RT_Data    0000000000201000-0000000000201FFF 0000000000000001 800000000000000F
  Reserved  :              1 Pages (4,096 Bytes)
T
sim shell "$dir/shell.txt"
want_rc shell 0
expect_line "$dir/shell.out" '\(edk2-shell 5\), 2 other lines skipped$'
# BS_Code, Available and LoaderData are usable once boot services are gone:
# 0x1000 + 0x9F000 + 0x100000.
total shell usable-now $((0x1000 + 0x9F000 + 0x100000))
expect_line "$dir/shell.out" '^  0x0000000000200000 0x0000000000201000 +4 KiB +acpi-nvs '
expect_line "$dir/shell.out" '^  0x0000000000201000 0x0000000000202000 +4 KiB +firmware-runtime '

cat >"$dir/efi.txt" <<'T'
[    0.000000] efi: EFI v2.70 by EDK II
[    0.000000] efi: mem00: [Boot Code   |   |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000000000-0x0000000000000fff] (0MB)
[    0.000000] efi: mem01: [Conventional|   |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000001000-0x000000000009ffff] (0MB)
[    0.000000] efi: mem02: [Unaccepted  |   |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000100000000-0x00000001ffffffff] (4096MB)
T
sim efi "$dir/efi.txt"
want_rc efi 0
expect_line "$dir/efi.out" '\(linux-efi 3\), 1 other lines skipped$'
total efi usable-now $((0xA0000))
total efi unaccepted $((0x100000000))

cat >"$dir/e820.txt" <<'T'
[    0.000000] BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000000ffffff] usable
T
sim e820 "$dir/e820.txt"
want_rc e820 0
expect_line "$dir/e820.out" '\(e820 3\), 1 other lines skipped$'
# tb_normalize shrinks usable to whole pages (0x9fc00 -> 0x9f000) and grows the reserved
# piece outward over that page.
total e820 usable-now $((0x9F000 + 0xF00000))
expect_line "$dir/e820.out" '^  0x000000000009f000 0x00000000000a0000 +4 KiB +reserved '

cat >"$dir/bare.txt" <<'T'
# START END TYPE, END inclusive
0x0 0x9ffff usable
0x100000 0x3fffffff usable
0x40000000 0x4000ffff ACPI NVS
0xfee00000 0xfee00fff MMIO
T
sim bare "$dir/bare.txt"
want_rc bare 0
expect_line "$dir/bare.out" '\(bare 4\), 1 other lines skipped$'
total bare usable-now $((0xA0000 + 0x3FF00000))
expect_line "$dir/bare.out" '^  0x00000000fee00000 0x00000000fee01000 +4 KiB +mmio '

# --- the real OVMF maps: numbers from tests/unit/test_efimap_fixtures.c's comments ---
sim pc1g "$fx/ovmf-2022.11-pc-1G.memmap.txt"
want_rc pc1g 0
expect_line "$dir/pc1g.out" '^memory map: 16 entries$'
expect_line "$dir/pc1g.out" '\(edk2-shell 124\), 0 other lines skipped$'
total pc1g usable-now $((0x3F986000))
expect_line "$dir/pc1g.out" '^tagged regions: 0$'
expect_line "$dir/pc1g.out" '^hazards: 0$'
sim q35 "$fx/ovmf-2022.11-q35-2G.memmap.txt"
want_rc q35 0
expect_line "$dir/q35.out" '^memory map: 17 entries$'
total q35 usable-now $((0x7F986000))
sim lessons "$fx/ovmf-x64-pc-128M-uefi-lessons.memmap.txt"
want_rc lessons 0
expect_line "$dir/lessons.out" '^memory map: 14 entries$'
total lessons usable-now $((0x7A8C000))

# The same OVMF pc map as if it were a TDX guest without a mailbox: the four quirk regions
# (0x800000 +0x6000, 0x809000 +0x2000, 0x80B000 and 0x80C000 +0x1000 each) all lie in the
# Available runs 0x100000-0x805FFF and 0x808000-0x80FFFF, so all four are hazards. Without an
# MP wakeup mailbox the APs can never be woken: the memory never comes back.
sim pc1g_tdx "$fx/ovmf-2022.11-pc-1G.memmap.txt" --platform tdx
want_rc pc1g_tdx 0
expect_line "$dir/pc1g_tdx.out" '^hazards: 4$'
total pc1g_tdx usable-now $((0x3F986000 - 0xA000))
total pc1g_tdx usable-after-wakeup $((0x3F986000 - 0xA000))
total pc1g_tdx usable-after-wakeup-no-reset $((0x3F986000 - 0xA000))
total pc1g_tdx ap-held $((0xA000))
expect_line "$dir/pc1g_tdx.out" '^  0x800000-0x805fff \(24 KiB\) ap-held, owner firmware, reason page-tables, reclaim never -> usable, source quirk$'

# The UEFI-Lessons build has ACPI NVS at 0x800000-0x807FFF: the page tables are tagged but
# are no hazard and go back to ACPI NVS, not usable; TD HOB, work area and initial mailbox
# lie in Available 0x808000-0x80FFFF: three hazards.
sim lessons_tdx "$fx/ovmf-x64-pc-128M-uefi-lessons.memmap.txt" --platform tdx \
	--madt-mailbox 0x7b80000 --mailbox-version 0
want_rc lessons_tdx 0
expect_line "$dir/lessons_tdx.out" '^hazards: 3$'
no_line "$dir/lessons_tdx.out" 'parked APs use it \(page tables\)'
expect_line "$dir/lessons_tdx.out" '^  0x800000-0x805fff \(24 KiB\) ap-held, owner firmware, reason page-tables, reclaim after-ap-wakeup -> acpi-nvs, source quirk$'
total lessons_tdx usable-now $((0x7A8C000 - 0x4000))
total lessons_tdx usable-after-wakeup $((0x7A8C000))

# --- TDX-style map: 0x0-0x80BFFF reported usable (background.md section 1) ---
tdx=$fx/tdx-style-2G.efi-dmesg.txt
# Usable rows: Conventional 0x0-0x80BFFF, Boot Data 0x80C000-0x80FFFF, Conventional
# 0x810000-0x7DFFFFFF, Boot Data 0x7E100000-0x7EFFFFFF.
tdx_usable=$((0x80C000 + 0x4000 + (0x7E000000 - 0x810000) + 0xF00000))
quirks=$((0x6000 + 0x2000 + 0x1000 + 0x1000))
# The mailbox 0x7E0FF000 lies in ACPI NVS 0x7E080000-0x7E0FFFFF: the whole allocation is
# AP-held (loop code + mailbox page) and returns to ACPI NVS.
nvs=$((0x80000))
for v in 0 1; do
	sim tdx$v "$tdx" --platform tdx --madt-mailbox 0x7e0ff000 --mailbox-version $v
	want_rc tdx$v 0
	out="$dir/tdx$v.out"
	expect_line "$out" '\(linux-efi 11\), 5 other lines skipped$'
	expect_line "$out" '^hazards: 4$'
	expect_line "$out" '^  0x800000-0x805fff is reported usable but parked APs use it \(page tables\)$'
	expect_line "$out" '^  0x809000-0x80afff is reported usable but parked APs use it \(td hob\)$'
	expect_line "$out" '^  0x80b000-0x80bfff is reported usable but parked APs use it \(work area\)$'
	expect_line "$out" '^  0x80c000-0x80cfff is reported usable but parked APs use it \(initial mailbox\)$'
	expect_line "$out" '^  0x0000000000800000 0x0000000000806000 +24 KiB +ap-held +firmware +page-tables '
	expect_line "$out" '^  0x7e0ff000-0x7e0fffff \(4 KiB\) ap-held, owner firmware, reason mailbox, .* -> acpi-nvs, source acpi$'
	expect_line "$out" '^  0x7e080000-0x7e0fefff \(508 KiB\) ap-held, owner firmware, reason ap-loop-code, .* -> acpi-nvs, source efi-map$'
	total tdx$v usable-now $((tdx_usable - quirks))
	total tdx$v ap-held $((quirks + nvs))
	total tdx$v unaccepted $((0x80000000))
	# Whatever the version, a kernel that never uses the reset vector gets the quirk pages.
	total tdx$v usable-after-wakeup-no-reset $tdx_usable
done
# Version 0 has no way back into firmware: the pages are free after wakeup. Version 1 has the
# reset vector, which reloads CR3 = 0x800000: only a no-reset kernel may take them
# (loader/core/tagging.c tagging_ap_reclaim).
total tdx0 usable-after-wakeup $tdx_usable
total tdx1 usable-after-wakeup $((tdx_usable - quirks))
expect_line "$dir/tdx0.out" 'reason page-tables, reclaim after-ap-wakeup -> usable, source quirk$'
expect_line "$dir/tdx1.out" 'reason page-tables, reclaim after-ap-wakeup-no-reset -> usable, source quirk$'

# No mailbox: the quirk pages never come back.
sim tdxnone "$tdx" --platform tdx
want_rc tdxnone 0
total tdxnone usable-after-wakeup-no-reset $((tdx_usable - quirks))
total tdxnone ap-held $quirks

# A mailbox in memory the firmware calls usable (Boot Data 0x7E100000-): one more hazard, and
# only that page is tagged; it returns to usable after wakeup with version 0.
sim tdxmb "$tdx" --platform tdx --madt-mailbox 0x7e200000 --mailbox-version 0
want_rc tdxmb 0
expect_line "$dir/tdxmb.out" '^hazards: 5$'
expect_line "$dir/tdxmb.out" '^  0x7e200000-0x7e200fff is reported usable but parked APs use it \(mailbox\)$'
total tdxmb usable-now $((tdx_usable - quirks - 0x1000))
total tdxmb usable-after-wakeup $tdx_usable

# --strict turns hazards into a failure; the same map on SNP has no TDX quirks and passes.
sim strict "$tdx" --platform tdx --strict
want_rc strict 1
grep -q "4 hazard" "$dir/strict.err" || fail "--strict does not say how many hazards"
sim tdx_as_snp "$tdx" --platform snp --strict
want_rc tdx_as_snp 0
expect_line "$dir/tdx_as_snp.out" '^tagged regions: 0$'
total tdx_as_snp usable-now $tdx_usable

# --- SNP-style map (EDK2 shell form), unaccepted memory above 4 GiB ---
sim snp "$fx/snp-style-2G.edk2-memmap.txt" --platform snp --out "$dir/snp.bin"
want_rc snp 0
out="$dir/snp.out"
expect_line "$out" '\(edk2-shell 16\), 0 other lines skipped$'
expect_line "$out" '^platform: sev-snp$'
expect_line "$out" '^hazards: 0$'
# Usable: BS_Code 0x1000, Available 0x9F000, 0x706000, 0x8000, BS_Data 0xC00000,
# Available 0x1500000-0x7EFFFFFF, BS_Data 0x7F312000-0x7FFFFFFF.
total snp usable-now $((0x1000 + 0x9F000 + 0x706000 + 0x8000 + 0xC00000 + (0x7F000000 - 0x1500000) + (0x80000000 - 0x7F312000)))
total snp unaccepted $((0x80000000))
total snp ap-held 0
"$tool" decode "$dir/snp.bin" >"$dir/snp.decode" 2>&1 || fail "decode of the --out blob failed"
expect_line "$dir/snp.decode" '^verdict: ok$'
expect_line "$dir/snp.decode" '^      kind sev-snp \(2\), flags 0xf \(hypervisor, sev, sev-es, sev-snp\)$'
entries=$(sed -n 's/^memory map: \([0-9]*\) entries$/\1/p' "$out")
expect_line "$dir/snp.decode" "^memory map: $entries entries\$"

# --- Xen HVM-style map (BIOS-e820 form) with two reserves ---
sim xen "$fx/xen-hvm-style-4G.e820.txt" --platform xen --reserve 0x7e000000 0x1000 xen-shared \
	--reserve 0x7d000000 2097152 my_ring --svg "$dir/xen.svg" --out "$dir/xen.bin"
want_rc xen 0
out="$dir/xen.out"
expect_line "$out" '\(e820 9\), 2 other lines skipped$'
expect_line "$out" '^platform: xen-hvm$'
expect_line "$out" '^tagged regions: 2$'
# A reason word tagboot knows keeps its name; any other becomes "config".
expect_line "$out" '^  0x7e000000-0x7e000fff \(4 KiB\) reserved, owner loader, reason xen-shared, reclaim never -> reserved, source config$'
expect_line "$out" '^  0x7d000000-0x7d1fffff \(2 MiB\) reserved, owner loader, reason config, reclaim never -> reserved, source config$'
# Usable 0x0-0x9FBFF shrinks to 0x9F000; 0x100000-0x7EFFFFFF; 0x100000000-0x17FFFFFFF; minus
# the two reserves.
total xen usable-now $((0x9F000 + (0x7F000000 - 0x100000) + 0x80000000 - 0x1000 - 0x200000))
expect_line "$out" '^  0x000000007f000000 0x000000007f010000 +64 KiB +acpi-reclaimable '
expect_line "$out" '^  0x00000000fc000000 0x0000000100000000 +64 MiB +reserved '
"$tool" decode "$dir/xen.bin" >"$dir/xen.decode" 2>&1 || fail "decode of the Xen blob failed"
expect_line "$dir/xen.decode" 'hypervisor "XenVMMXenVMM" at CPUID leaf 0x40000000$'

# --- the SVG is well-formed, has one bar piece per entry and hole, a legend and outlines ---
python3 - "$dir/xen.svg" "$out" <<'PY' || fail "the SVG check failed"
import re, sys
import xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == ns + "svg", root.tag
table = [l.split() for l in open(sys.argv[2]) if re.match(r"^  0x[0-9a-f]{16} 0x", l)]
starts = [int(r[0], 16) for r in table]
ends = [int(r[1], 16) for r in table]
holes = sum(1 for i in range(len(table)) if starts[i] > (ends[i - 1] if i else 0))
bar = [r for r in root.iter(ns + "rect") if r.get("y") == "50"]
assert len(bar) == len(table) + holes, (len(bar), len(table), holes)
widths = [float(r.get("width")) for r in bar]
assert min(widths) > 5, min(widths)  # a 4 KiB page is still visible
outlines = [r for r in root.iter(ns + "rect") if r.get("stroke-dasharray") is not None]
assert len(outlines) == 2 + 1, len(outlines)  # two tagged entries and the legend swatch
texts = {t.text for t in root.iter(ns + "text")}
for name in ("usable", "reserved", "acpi-reclaimable", "acpi-nvs", "not in the map"):
    assert name in texts, name
PY

# --- the example in docs/simulate.md is what the tool prints today ---
"$tool" simulate "$tdx" --platform tdx --madt-mailbox 0x7e0ff000 --mailbox-version 1 \
	>"$dir/doc.out" 2>&1 || fail "the docs/simulate.md example run failed"
# The second fenced block after "## Example run" (the first is the command), without the
# lines that name the output files.
awk '/^## Example run/ { in_section = 1; next }
     in_section && /^```/ { fence++; if (fence == 4) exit; next }
     fence == 3 && !/^wrote / { print }' docs/simulate.md >"$dir/doc.excerpt"
[ "$(wc -l <"$dir/doc.excerpt")" -ge 30 ] || fail "docs/simulate.md: no example output found"
while IFS= read -r line; do
	grep -qxF -- "$line" "$dir/doc.out" || fail "docs/simulate.md: stale example line: $line"
done <"$dir/doc.excerpt"

# --- bad files, bad lines, bad options ---
sim missing "$dir/no-such-map.txt"
want_rc missing 2
grep -q "no-such-map.txt: cannot open" "$dir/missing.err" || fail "a missing file is not named"
printf 'Available  0000000000001000-000000000009FFFF 000000000000009F 000000000000000F\nFrobnicated 0000000000100000-00000000001FFFFF 0000000000000100 000000000000000F\n' >"$dir/badtype.txt"
sim badtype "$dir/badtype.txt"
want_rc badtype 1
expect_line "$dir/badtype.err" "badtype.txt: line 2: unknown memory type 'Frobnicated'$"
printf '0x1000 0x1fff usable\n0x3000 0x2fff usable\n' >"$dir/badrange.txt"
sim badrange "$dir/badrange.txt"
want_rc badrange 1
expect_line "$dir/badrange.err" "badrange.txt: line 2: END below START '0x2fff'$"
printf 'Available  0000000000001000-000000000009FFFF 0000000000000001 000000000000000F\n' >"$dir/badpages.txt"
sim badpages "$dir/badpages.txt"
want_rc badpages 1
expect_line "$dir/badpages.err" "badpages.txt: line 1: page count disagrees with the range"
printf 'hello\nthis is not a memory map\n' >"$dir/norows.txt"
sim norows "$dir/norows.txt"
want_rc norows 1
expect_line "$dir/norows.err" "norows.txt: no memory map rows in 2 non-empty lines"

sim noargs
want_rc noargs 2
sim badopt "$tdx" --frobnicate
want_rc badopt 2
expect_line "$dir/badopt.err" "unknown option '--frobnicate'"
sim badplat "$tdx" --platform sgx
want_rc badplat 2
expect_line "$dir/badplat.err" "--platform 'sgx': expected tdx, snp, xen, kvm or none"
sim noversion "$tdx" --madt-mailbox 0x7e0ff000
want_rc noversion 2
expect_line "$dir/noversion.err" "--madt-mailbox needs --mailbox-version"
sim badversion "$tdx" --madt-mailbox 0x7e0ff000 --mailbox-version 2
want_rc badversion 2
expect_line "$dir/badversion.err" "--mailbox-version '2': expected 0 or 1"
sim unaligned "$tdx" --madt-mailbox 0x7e0ff010 --mailbox-version 0
want_rc unaligned 2
expect_line "$dir/unaligned.err" "--madt-mailbox '0x7e0ff010': .*4 KiB-aligned"
sim badnum "$tdx" --reserve 0x1000 12k scratch
want_rc badnum 2
expect_line "$dir/badnum.err" "--reserve SIZE '12k': "
sim shortres "$tdx" --reserve 0x1000 0x1000
want_rc shortres 2
expect_line "$dir/shortres.err" "--reserve needs BASE SIZE REASON"
sim zerores "$tdx" --reserve 0x1000 0 scratch
want_rc zerores 2
expect_line "$dir/zerores.err" "SIZE is 0"
sim twofiles "$tdx" "$tdx"
want_rc twofiles 2
sim help --help
want_rc help 0
expect_line "$dir/help.out" '^usage: handoff simulate FILE'
sim badsvg "$tdx" --svg "$dir/no-such-dir/x.svg"
want_rc badsvg 2
expect_line "$dir/badsvg.err" "no-such-dir/x.svg: cannot create"

# --- --entry linux: the shield for a chainloaded stub ---
# The TDX-style map (an older TDVF): the page tables, TD HOB and work area are conventional
# memory and get allocated as ACPI NVS; the initial mailbox is boot-services data and cannot.
sim shield "$tdx" --platform tdx --madt-mailbox 0x7e080000 --mailbox-version 0 --entry linux
want_rc shield 0
expect_line "$dir/shield.out" '^entry: linux \(chainloaded'
expect_line "$dir/shield.out" '^  0x800000-0x805fff page-tables \(quirk\) +ConventionalMemory +covered: allocated at its address by the shield as ACPIMemoryNVS$'
expect_line "$dir/shield.out" '^  0x80c000-0x80cfff initial-mailbox \(quirk\) +BootServicesData +NOT covered'
expect_line "$dir/shield.out" '^  0x7e080000-0x7e080fff mailbox \(acpi\) +ACPIMemoryNVS +covered: the firmware'"'"'s own type keeps it$'
expect_line "$dir/shield.out" '^  ACPIMemoryNVS +0x0000000000800000-0x0000000000805fff$'
expect_line "$dir/shield.out" '^  ConventionalMemory +0x0000000000806000-0x0000000000808fff$'
expect_line "$dir/shield.out" '^hazards not covered: 1 '
sim shieldstrict "$tdx" --platform tdx --entry efi --strict
want_rc shieldstrict 1
expect_line "$dir/shieldstrict.err" '1 hazard piece\(s\) not covered \(--strict\)'
# A reserve line over conventional memory of the real q35 map is shielded as reserved.
sim shieldres "$fx/ovmf-2022.11-q35-2G.memmap.txt" --reserve 0x800000 0x6000 hole --entry linux --strict
want_rc shieldres 0
expect_line "$dir/shieldres.out" '^  0x800000-0x805fff hole \(reserve line\) .*as ReservedMemoryType$'
expect_line "$dir/shieldres.out" '^  ReservedMemoryType +0x0000000000800000-0x0000000000805fff$'
# e820 rows carry no EFI types: refused with the reason.
printf '0x0 0x9ffff usable\n' >"$dir/e820.txt"
sim shielde820 "$dir/e820.txt" --entry linux
want_rc shielde820 1
expect_line "$dir/shielde820.err" 'needs an EFI memory map'
sim badentry "$tdx" --entry grub
want_rc badentry 2
expect_line "$dir/badentry.err" "--entry: 'grub' is not native, linux or efi"

if [ "$fails" -ne 0 ]; then
	echo "test-simulate: $fails failure(s)"
	exit 1
fi
echo "test-simulate: ok"
