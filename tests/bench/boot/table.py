#!/usr/bin/env python3
"""table.py: turns the boot benchmark's per-run results (CASE-N.result) into the report: TSC at
entry, overhead over the firmware floor, each loader's overhead as a ratio to systemd-boot's,
tagboot's own stamps, image sizes and the normalize benchmark. Prints text; writes the same as
markdown (--md) and a bar chart of the overheads (--svg)."""
import argparse
import os
import statistics
import sys
import xml.etree.ElementTree as ElementTree

# What each case is, as the table's first column.
LABELS = {
    "direct": "firmware -> payload (floor)",
    "tagboot-efi": "tagboot -> payload (efi entry)",
    "tagboot-native": "tagboot -> kernel-sample (native)",
    "tagboot-native-park": "tagboot -> kernel-sample (native, ap-park mailbox)",
    "systemd-boot": "systemd-boot -> payload",
    "grub": "GRUB -> payload",
    "linux-tagboot-native": "tagboot native -> Linux /init",
    "linux-tagboot-efi": "tagboot efi-stub entry -> Linux /init",
    "linux-systemd-boot": "systemd-boot -> Linux /init",
    "linux-grub": "GRUB -> Linux /init",
}
# Debian's kernel to its /init through each loader (the same kernel, initrd, command line).
LINUX_PREFIX = "linux-"
LINUX_REFERENCE = "linux-systemd-boot"
FLOOR = "direct"
REFERENCE = "systemd-boot"
# The target: tagboot's overhead at most this fraction of systemd-boot's.
TARGET_FRACTION = 0.25
TAGBOOT_CASES = ("tagboot-efi", "tagboot-native", "tagboot-native-park")
# icount makes runs repeat; a wider spread means something else varied (docs/bench.md).
SPREAD_LIMIT_PERCENT = 0.1


def read_result(path):
    """A result line is "entry N" plus, for the native cases, "loader N exit N park_start N ..."."""
    try:
        with open(path, encoding="ascii") as f:
            words = f.read().split()
    except OSError as e:
        sys.exit(f"table.py: {path}: cannot read: {e.strerror}")
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


def median_of(runs, fn):
    return statistics.median(fn(r) for r in runs)


def ratio_text(value, reference):
    return f"{value / reference:.3f}x" if reference else "-"


def stamp_rows(runs, cases, floor):
    """tagboot's own steps from the handoff's timestamps record, per native case: medians of the
    per-run differences, since each run's stamps belong together."""
    rows = []
    for c in cases:
        rs = runs[c]
        if not all("loader" in r and "exit" in r for r in rs):
            continue
        parked = all(r.get("park_start", 0) and r.get("park_end", 0) for r in rs)
        rows.append({
            "case": c,
            "loader entry over floor": median_of(rs, lambda r: r["loader"]) - floor
            if floor is not None else None,
            "entry -> before EBS": median_of(rs, lambda r: r["exit"] - r["loader"]),
            "before EBS -> jump": median_of(rs, lambda r: r["entry"] - r["exit"]),
            "of which AP parking": median_of(rs, lambda r: r["park_end"] - r["park_start"])
            if parked else None,
            "entry -> jump": median_of(rs, lambda r: r["entry"] - r["loader"]),
        })
    return rows


STAMP_COLUMNS = ("loader entry over floor", "entry -> before EBS", "before EBS -> jump",
                 "of which AP parking", "entry -> jump")


def num(value):
    return "-" if value is None else f"{value:,.0f}"


def read_sizes(specs):
    sizes = []
    for spec in specs:
        label, sep, path = spec.partition("=")
        if not sep:
            sys.exit(f"table.py: --size '{spec}': expected LABEL=PATH")
        try:
            sizes.append((label, path, os.path.getsize(path)))
        except OSError as e:
            sys.exit(f"table.py: --size {label}: {path}: {e.strerror}")
    return sizes


def read_normalize(path):
    if not path:
        return []
    try:
        with open(path, encoding="utf-8") as f:
            return [line.rstrip("\n") for line in f if line.strip()]
    except OSError as e:
        sys.exit(f"table.py: --normalize: {path}: {e.strerror}")


def build_report(args):
    """The report as (kind, content) blocks, so text and markdown come from the same data."""
    all_cases = args.cases.split()
    runs = {c: [read_result(f"{args.results}/{c}-{n}.result") for n in range(1, args.runs + 1)]
            for c in all_cases}
    linux_cases = [c for c in all_cases if c.startswith(LINUX_PREFIX)]
    cases = [c for c in all_cases if c not in linux_cases]
    entry = {c: median_of(runs[c], lambda r: r["entry"]) for c in all_cases}
    spread = {}
    for c in all_cases:
        values = [r["entry"] for r in runs[c]]
        spread[c] = (max(values) - min(values)) / entry[c] * 100 if entry[c] else 0.0
    floor = entry.get(FLOOR)
    over = {c: entry[c] - floor for c in cases if floor is not None and c != FLOOR}
    reference = over.get(REFERENCE)

    blocks = [("title", "Boot benchmark: TSC at the first instruction of the payload or kernel"),
              ("para", f"Guest instructions executed since reset; median of {args.runs} runs; "
                       f"{args.settings}.")]
    rows = []
    for c in cases:
        mark = " !" if spread[c] > SPREAD_LIMIT_PERCENT else ""
        rows.append([LABELS.get(c, c), f"{entry[c]:,.0f}", f"{spread[c]:.3f}%{mark}",
                     num(over.get(c)),
                     "-" if c not in over else ratio_text(over[c], reference)])
    blocks.append(("table", (["loader", "TSC at entry", "spread", "over floor",
                              "vs systemd-boot"], rows)))
    blocks.append(("para", "over floor: instructions the loader adds before its payload or kernel "
                           "runs (including the firmware loading the loader's image); "
                           "vs systemd-boot: that overhead divided by systemd-boot's."))

    stamps = stamp_rows(runs, cases, floor)
    if stamps:
        blocks.append(("heading", "tagboot's own stamps (handoff timestamps record, medians)"))
        blocks.append(("table", (["case"] + list(STAMP_COLUMNS),
                                 [[LABELS.get(s["case"], s["case"])] +
                                  [num(s[k]) for k in STAMP_COLUMNS] for s in stamps])))
        blocks.append(("para", "EBS: ExitBootServices (the stamp is taken just before the final "
                               "GetMemoryMap/ExitBootServices); AP parking runs after it; jump: "
                               "just before tagboot jumps to the kernel, the table's "
                               "'TSC at entry' for these rows."))

    if reference:
        blocks.append(("heading", f"Target: tagboot's overhead at most {TARGET_FRACTION:g} of "
                                  "systemd-boot's"))
        target_rows = []
        for c in TAGBOOT_CASES:
            if c in over:
                fraction = over[c] / reference
                target_rows.append([LABELS.get(c, c), num(over[c]),
                                    num(reference * TARGET_FRACTION), f"{fraction:.3f}",
                                    "reached" if fraction <= TARGET_FRACTION else "NOT reached"])
        blocks.append(("table", (["case", "over floor", "limit", "fraction", "target"],
                                 target_rows)))

    if linux_cases:
        blocks.append(("heading", "Debian's kernel: TSC when /init starts (same kernel, initrd "
                                  "and command line for every loader)"))
        ref = entry.get(LINUX_REFERENCE)
        fastest = min(linux_cases, key=lambda c: entry[c])
        linux_rows = []
        for c in linux_cases:
            mark = " !" if spread[c] > SPREAD_LIMIT_PERCENT else ""
            linux_rows.append([LABELS.get(c, c), f"{entry[c]:,.0f}", f"{spread[c]:.3f}%{mark}",
                               num(entry[c] - ref) if ref else "-",
                               ratio_text(entry[c], ref) if ref else "-",
                               "fastest" if c == fastest else ""])
        blocks.append(("table", (["loader", "TSC at /init", "spread", "vs systemd-boot",
                                  "ratio", ""], linux_rows)))
        blocks.append(("para", "TSC at /init: guest instructions from reset until the kernel "
                               "ran the initramfs's /init (its first instruction reads the TSC); "
                               "vs systemd-boot: the difference to systemd-boot's."))

    sizes = read_sizes(args.size)
    if sizes:
        blocks.append(("heading", "Image sizes"))
        blocks.append(("table", (["image", "bytes", "KiB", "file"],
                                 [[label, f"{size:,}", f"{size / 1024:,.0f}", path]
                                  for label, path, size in sizes])))

    normalize = read_normalize(args.normalize)
    if normalize:
        blocks.append(("heading", "Normalize benchmark (build/bench/bench_normalize, host)"))
        blocks.append(("pre", normalize))

    wide = [c for c in all_cases if spread[c] > SPREAD_LIMIT_PERCENT]
    if wide:
        lines = [f"{c}: {', '.join(str(r['entry']) for r in runs[c])}" for c in wide]
        blocks.append(("heading", f"! spread above {SPREAD_LIMIT_PERCENT}% (max-min over median); "
                                  "per-run TSC at entry"))
        blocks.append(("pre", lines))
    return blocks, [(c, over[c]) for c in cases if c in over], reference


def render_text(blocks):
    out = []
    for kind, content in blocks:
        if kind == "title":
            out.append(content)
        elif kind == "para":
            out.append(content)
            out.append("")
        elif kind == "heading":
            out.append("")
            out.append(content + ":")
        elif kind == "pre":
            out.extend("  " + line for line in content)
        elif kind == "table":
            header, rows = content
            widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
            def line(cells):
                return "  ".join(str(cell).ljust(w) if i == 0 else str(cell).rjust(w)
                                 for i, (cell, w) in enumerate(zip(cells, widths)))
            out.append("")
            out.append(line(header))
            out.append("-" * len(line(header)))
            out.extend(line(r) for r in rows)
            out.append("")
    # One blank line between blocks, whichever block asked for it.
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip() + "\n"


def render_markdown(blocks):
    out = []
    for kind, content in blocks:
        if kind == "title":
            out += ["# " + content, ""]
        elif kind == "heading":
            out += ["## " + content, ""]
        elif kind == "para":
            out += [content, ""]
        elif kind == "pre":
            out += ["```"] + content + ["```", ""]
        elif kind == "table":
            header, rows = content
            out.append("| " + " | ".join(header) + " |")
            out.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
            out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
            out.append("")
    return "\n".join(out)


def xml_text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_svg(bars, reference):
    """Horizontal bars, one per case: overhead over the floor, on a linear scale."""
    label_w, bar_w, value_w, row_h, top = 380, 420, 220, 28, 50
    width = label_w + bar_w + value_w
    height = top + row_h * len(bars) + 30
    largest = max((v for _, v in bars), default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             '<text x="10" y="22" font-size="15" font-weight="bold">Boot overhead over the '
             'firmware floor (guest instructions, QEMU -icount)</text>']
    for i, (case, value) in enumerate(bars):
        y = top + i * row_h
        length = max(0.0, value) / largest * bar_w
        colour = "#2a7ab0" if case.startswith("tagboot") else "#999999"
        note = f"{value:,.0f}"
        if reference:
            note += f" ({value / reference:.3f}x sd-boot)"
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">'
                     f'{xml_text(LABELS.get(case, case))}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{length:.1f}" height="{row_h - 8}" '
                     f'fill="{colour}"/>')
        parts.append(f'<text x="{label_w + length + 6:.1f}" y="{y + 17}">{xml_text(note)}</text>')
    axis_y = top + row_h * len(bars) + 4
    parts.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{axis_y}" stroke="black"/>')
    parts.append(f'<text x="{label_w}" y="{axis_y + 18}" font-size="11">0</text>')
    parts.append(f'<text x="{label_w + bar_w}" y="{axis_y + 18}" font-size="11" '
                 f'text-anchor="middle">{largest:,.0f}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", required=True)
    parser.add_argument("--runs", type=int, required=True)
    parser.add_argument("--cases", required=True)
    parser.add_argument("--settings", default="")
    parser.add_argument("--md", help="write the report as markdown here")
    parser.add_argument("--svg", help="write the overhead bar chart here")
    parser.add_argument("--size", action="append", default=[], metavar="LABEL=PATH")
    parser.add_argument("--normalize", help="the normalize benchmark's captured output")
    args = parser.parse_args()

    blocks, bars, reference = build_report(args)
    sys.stdout.write(render_text(blocks))
    if args.md:
        with open(args.md, "w", encoding="utf-8") as f:
            f.write(render_markdown(blocks))
    if args.svg:
        svg = render_svg(bars, reference)
        try:
            ElementTree.fromstring(svg)
        except ElementTree.ParseError as e:
            sys.exit(f"table.py: {args.svg}: the chart does not parse as XML: {e}")
        with open(args.svg, "w", encoding="utf-8") as f:
            f.write(svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
