#!/usr/bin/env python3
"""table.py: turns the boot benchmark's per-run results (CASE-N.result) into the table of
TSC at entry, overhead over the firmware floor and overhead relative to tagboot."""
import argparse
import statistics
import sys

# What each case is, as the table's first column.
LABELS = {
    "direct": "firmware -> payload (floor)",
    "tagboot-efi": "tagboot -> payload (efi entry)",
    "tagboot-native": "tagboot -> kernel-sample (native)",
    "systemd-boot": "systemd-boot -> payload",
    "grub": "GRUB -> payload",
}
FLOOR = "direct"
REFERENCE = "tagboot-efi"
# icount makes runs repeat; a wider spread means something else varied (docs/bench.md).
SPREAD_LIMIT_PERCENT = 0.1


def read_result(path):
    """A result line is "entry N" plus, for the native case, "loader N exit N"."""
    with open(path, encoding="ascii") as f:
        words = f.read().split()
    if len(words) < 2 or len(words) % 2 != 0:
        sys.exit(f"table.py: {path}: expected 'entry N [key N]...', got {' '.join(words)!r}")
    values = {}
    for key, value in zip(words[0::2], words[1::2]):
        if not value.isdigit():
            sys.exit(f"table.py: {path}: field '{key}': '{value}' is not a decimal number")
        values[key] = int(value)
    if "entry" not in values:
        sys.exit(f"table.py: {path}: no 'entry' field")
    return values


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", required=True)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--cases", required=True)
    parser.add_argument("--settings", default="")
    args = parser.parse_args()

    cases = args.cases.split()
    runs = {c: [read_result(f"{args.results}/{c}-{n}.result") for n in range(1, args.runs + 1)]
            for c in cases}
    entry = {c: statistics.median(r["entry"] for r in runs[c]) for c in cases}
    spread = {}
    for c in cases:
        values = [r["entry"] for r in runs[c]]
        spread[c] = (max(values) - min(values)) / entry[c] * 100 if entry[c] else 0.0

    floor = entry.get(FLOOR)
    reference = entry[REFERENCE] - floor if floor is not None and REFERENCE in entry else None

    print("Boot benchmark: TSC at the first instruction of the payload or kernel")
    print(f"(guest instructions executed since reset; median of {args.runs} runs; {args.settings})")
    print()
    header = f"{'loader':<36}{'TSC at entry':>16}{'spread':>9}{'over floor':>15}{'vs tagboot':>12}"
    print(header)
    print("-" * len(header))
    for c in cases:
        over = "-" if floor is None or c == FLOOR else f"{entry[c] - floor:,.0f}"
        if c == FLOOR or floor is None or not reference:
            relative = "-"
        else:
            relative = f"{(entry[c] - floor) / reference:.2f}x"
        mark = " !" if spread[c] > SPREAD_LIMIT_PERCENT else ""
        print(f"{LABELS.get(c, c):<36}{entry[c]:>16,.0f}{spread[c]:>8.3f}%{over:>15}{relative:>12}{mark}")
    print()
    print("over floor: instructions the loader adds before its payload/kernel runs;")
    print(f"vs tagboot: that overhead divided by tagboot's ({LABELS[REFERENCE]}).")

    native = runs.get("tagboot-native")
    if native and all("loader" in r and "exit" in r for r in native):
        # Medians of the per-run differences: each run's steps belong together.
        loader = statistics.median(r["loader"] for r in native)
        to_exit = statistics.median(r["exit"] - r["loader"] for r in native)
        to_jump = statistics.median(r["entry"] - r["exit"] for r in native)
        print()
        print("tagboot native boot, from the handoff's timestamps record (medians):")
        print(f"  loader entry (efi_main)        {loader:>16,.0f}")
        print(f"  entry -> before ExitBootServices {to_exit:>14,.0f}")
        print(f"  before ExitBootServices -> jump  {to_jump:>14,.0f}")
        if floor is not None:
            print(f"  firmware's part up to tagboot  {loader - floor:>16,.0f} over the floor"
                  " (loading a larger image)")

    wide = [c for c in cases if spread[c] > SPREAD_LIMIT_PERCENT]
    if wide:
        print()
        print(f"! spread above {SPREAD_LIMIT_PERCENT}% (max-min over median) for: {', '.join(wide)};")
        print("  per-run values:")
        for c in wide:
            print(f"  {c}: {', '.join(str(r['entry']) for r in runs[c])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
