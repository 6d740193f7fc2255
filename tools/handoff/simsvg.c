/* simsvg.c: `handoff simulate --svg`: the simulated map as one SVG bar of the address space,
 * each entry (and each hole) as wide as the logarithm of its size, so that a 4 KiB page stays
 * visible next to gigabytes; one colour per type, a legend, tagged entries outlined. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "simulate.h"

#define SIMSVG_WIDTH 1200.0
#define SIMSVG_MARGIN 20.0
#define SIMSVG_BAR_Y 50.0
#define SIMSVG_BAR_H 60.0
#define SIMSVG_LABEL_GAP 14.0 /* pixels between two address labels (11 px text at 60 degrees) */
#define SIMSVG_LEGEND_Y 250.0
#define SIMSVG_LEGEND_COLUMNS 4
#define SIMSVG_HOLE_COLOUR "#ffffff"
/* Tagged entries get a dashed black outline, a mark no type colour uses. */
#define SIMSVG_TAG_COLOUR "#000000"
#define SIMSVG_TAG_STYLE "stroke-width=\"2\" stroke-dasharray=\"4 2\""

/* Indexed by enum tb_mem_type; 0 stands for a type this reader does not know. In order:
 * unknown, usable, reserved, ACPI reclaimable, ACPI NVS, MMIO, bad, persistent, unaccepted,
 * firmware runtime, loader reclaimable, kernel, module, framebuffer, AP-held. */
static const char *const simsvg_colours[TB_MEM_TYPE_MAX + 1] = {
	"#555555", "#4caf50", "#9e9e9e", "#81d4fa", "#0277bd", "#ff9800", "#000000", "#7e57c2",
	"#f48fb1", "#795548", "#c5e1a5", "#1a237e", "#3949ab", "#ffeb3b", "#e53935",
};

static const char *simsvg_colour(uint32_t type)
{
	uint32_t known = tb_mem_type_known(type);

	return known == type ? simsvg_colours[type] : simsvg_colours[0];
}

/* 1 + log2(pages), linear between powers of two: 4 KiB -> 1, 8 KiB -> 2, 1 GiB -> 19. */
static double simsvg_weight(uint64_t length)
{
	uint64_t pages = length / TB_PAGE_SIZE, power = 1;
	unsigned k = 0;

	if (pages == 0)
		pages = 1;
	while (k < 63 && (power << 1) <= pages) {
		power <<= 1;
		k++;
	}
	return 1.0 + k + (double)(pages - power) / (double)power;
}

/* Text content with the five XML specials escaped. */
static void simsvg_text(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* One piece of the bar: an entry, or a hole (entry == NULL) between base and base + length. */
struct simsvg_piece {
	const struct tb_mem_entry *entry;
	uint64_t base, length;
};

/* Where the bar has got to while it is drawn. */
struct simsvg_pen {
	FILE *f;           /* NULL: only add up the weights */
	double scale;      /* pixels per unit of weight */
	double x;          /* left edge of the next piece */
	double last_label; /* x of the last address label */
	double total;      /* weight so far */
};

static void simsvg_piece(struct simsvg_pen *pen, const struct simsvg_piece *p)
{
	const struct tb_mem_entry *e = p->entry;
	bool tagged = e != NULL && e->owner != TB_OWNER_NONE;
	double w = simsvg_weight(p->length);

	pen->total += w;
	if (pen->f == NULL)
		return;
	w *= pen->scale;
	fprintf(pen->f, "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.0f\" fill=\"%s\" "
	                "stroke=\"#333333\" stroke-width=\"0.5\"><title>0x%llx-0x%llx %s",
	        pen->x, SIMSVG_BAR_Y, w, SIMSVG_BAR_H, e ? simsvg_colour(e->type) : SIMSVG_HOLE_COLOUR,
	        (unsigned long long)p->base, (unsigned long long)(p->base + (p->length - 1)),
	        e ? tb_mem_type_name(e->type) : "not in the map");
	if (tagged)
		fprintf(pen->f, " (%s, %s, reclaim %s)", tb_owner_name(e->owner),
		        tb_reason_name(e->reason), tb_reclaim_name(e->reclaim));
	fprintf(pen->f, "</title></rect>\n");
	if (tagged)
		fprintf(pen->f, "<rect x=\"%.2f\" y=\"%.0f\" width=\"%.2f\" height=\"%.0f\" "
		                "fill=\"none\" stroke=\"%s\" " SIMSVG_TAG_STYLE "/>\n",
		        pen->x + 1, SIMSVG_BAR_Y - 6, w > 2 ? w - 2 : w, SIMSVG_BAR_H + 12,
		        SIMSVG_TAG_COLOUR);
	/* Labels only where the previous one leaves room: small pieces stay unlabelled. */
	if (pen->x - pen->last_label >= SIMSVG_LABEL_GAP) {
		double y = SIMSVG_BAR_Y + SIMSVG_BAR_H + 14;

		fprintf(pen->f, "<text x=\"%.2f\" y=\"%.0f\" transform=\"rotate(60 %.2f %.0f)\">"
		                "0x%llx</text>\n", pen->x, y, pen->x, y, (unsigned long long)p->base);
		pen->last_label = pen->x;
	}
	pen->x += w;
}

/* Every entry, and the hole before it if there is one, in address order. */
static void simsvg_walk(struct simsvg_pen *pen, const struct tb_rec_memmap *map)
{
	uint64_t next = 0;

	pen->x = SIMSVG_MARGIN;
	pen->last_label = -SIMSVG_LABEL_GAP;
	pen->total = 0;
	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		struct simsvg_piece hole = { NULL, next, e->base - next };
		struct simsvg_piece piece = { e, e->base, e->length };

		if (e->base > next)
			simsvg_piece(pen, &hole);
		simsvg_piece(pen, &piece);
		next = e->base + e->length;
	}
}

static void simsvg_legend_item(FILE *f, unsigned n, const char *fill, const char *stroke,
                               const char *label)
{
	double x = SIMSVG_MARGIN + (n % SIMSVG_LEGEND_COLUMNS) * 290.0;
	double y = SIMSVG_LEGEND_Y + (n / SIMSVG_LEGEND_COLUMNS) * 22.0;

	fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"16\" height=\"14\" fill=\"%s\" stroke=\"%s\" "
	           "%s/>\n<text x=\"%.0f\" y=\"%.0f\">%s</text>\n",
	        x, y, fill, stroke,
	        strcmp(fill, "none") == 0 ? SIMSVG_TAG_STYLE : "stroke-width=\"0.5\"", x + 22, y + 12,
	        label);
}

/* Swatches for the types present, holes if any, and the outline of tagged entries. */
static unsigned simsvg_legend(FILE *f, const struct tb_rec_memmap *map)
{
	bool present[TB_MEM_TYPE_MAX + 1] = { false }, holes = false, tagged = false;
	uint64_t next = 0;
	unsigned n = 0;

	for (uint32_t i = 0; i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);
		uint32_t known = tb_mem_type_known(e->type);

		present[known == e->type ? known : 0] = true;
		holes |= e->base > next;
		tagged |= e->owner != TB_OWNER_NONE;
		next = e->base + e->length;
	}
	for (uint32_t t = 0; t <= TB_MEM_TYPE_MAX; t++)
		if (present[t])
			simsvg_legend_item(f, n++, simsvg_colours[t], "#333333",
			                   t == 0 ? "unknown (reserved)" : tb_mem_type_name(t));
	if (holes)
		simsvg_legend_item(f, n++, SIMSVG_HOLE_COLOUR, "#333333", "not in the map");
	if (tagged)
		simsvg_legend_item(f, n++, "none", SIMSVG_TAG_COLOUR,
		                   "tagged (owner, reason, reclaim in the tooltip)");
	return n;
}

int simsvg_write(const char *path, const char *title, const struct tb_rec_memmap *map)
{
	FILE *f = fopen(path, "w");
	struct simsvg_pen pen = { NULL, 1.0, 0, 0, 0 };
	double height;


	if (f == NULL) {
		fprintf(stderr, "handoff: %s: cannot create: %s\n", path, strerror(errno));
		return -1;
	}
	/* Twice: once to add up the weights, once to draw at the scale that fills the width. */
	simsvg_walk(&pen, map);
	pen.scale = (SIMSVG_WIDTH - 2 * SIMSVG_MARGIN) / (pen.total > 0 ? pen.total : 1.0);
	pen.f = f;
	/* Legend rows: at most one per type and two more, four to a row. */
	height = SIMSVG_LEGEND_Y + ((TB_MEM_TYPE_MAX + 3) / SIMSVG_LEGEND_COLUMNS + 1) * 22.0;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
	           "viewBox=\"0 0 %.0f %.0f\">\n"
	           "<style>text { font-family: monospace; font-size: 11px; }</style>\n"
	           "<rect width=\"100%%\" height=\"100%%\" fill=\"#fafafa\"/>\n<title>",
	        SIMSVG_WIDTH, height, SIMSVG_WIDTH, height);
	simsvg_text(f, title);
	fprintf(f, "</title>\n<text x=\"%.0f\" y=\"24\">handoff simulate: ", SIMSVG_MARGIN);
	simsvg_text(f, title);
	fprintf(f, " (%u entries; widths grow with log2 of the size)</text>\n", map->entry_count);
	simsvg_walk(&pen, map);
	simsvg_legend(f, map);
	fprintf(f, "</svg>\n");
	if (ferror(f) != 0 || fclose(f) != 0) {
		fprintf(stderr, "handoff: %s: write error: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}
