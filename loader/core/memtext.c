/* memtext.c: memory maps from text (EDK2 shell memmap, Linux efi: mem lines, e820 lines, bare rows) into raw ranges. */
#include "memtext.h"

#include "efimap.h"
#include "util.h"

#define MEMTEXT_E820_SOFT_RESERVED 0xffu
#define MEMTEXT_WORDS_MAX 8u

/* A byte range of the current line. */
struct memtext_span {
	const char *s;
	size_t n;
};

/* One parsed row before it is stored. */
struct memtext_row {
	enum memtext_form form;
	uint64_t start, end; /* END inclusive */
	uint32_t src;        /* MEMTEXT_SRC_* + type */
	bool has_attr;       /* the row printed EFI attributes (shell column, Linux flags) */
	uint64_t attr;       /* EFI_MEMORY_* bits, as far as the form shows them */
};

/* Row parsers return one of these: the line is not of this form, a row, or a broken row. */
enum memtext_match { MEMTEXT_NO_MATCH, MEMTEXT_ROW, MEMTEXT_BAD_ROW };

uint32_t memtext_e820_to_tb(uint32_t e820_type)
{
	switch (e820_type) {
	case 1:
		return TB_MEM_USABLE;
	case 3:
		return TB_MEM_ACPI_RECLAIMABLE;
	case 4:
		return TB_MEM_ACPI_NVS;
	case 5:
		return TB_MEM_BAD;
	case 7:
		return TB_MEM_PERSISTENT;
	default:
		/* 2 reserved, soft reserved (kept for drivers) and anything newer: do not touch. */
		return TB_MEM_RESERVED;
	}
}

/* EDK2 shell memmap names, indexed by EFI memory type. */
static const char *const memtext_shell_names[EFIMAP_TYPE_COUNT] = {
	"Reserved", "LoaderCode", "LoaderData", "BS_Code", "BS_Data", "RT_Code", "RT_Data",
	"Available", "Unusable", "ACPI_Recl", "ACPI_NVS", "MMIO", "MMIO_Port", "PalCode",
	"Persistent", "Unaccepted",
};

/* Linux's names in "efi: mem" lines (drivers/firmware/efi/efi.c), indexed by EFI type. */
static const char *const memtext_linux_names[EFIMAP_TYPE_COUNT] = {
	"Reserved", "Loader Code", "Loader Data", "Boot Code", "Boot Data", "Runtime Code",
	"Runtime Data", "Conventional", "Unusable", "ACPI Reclaim", "ACPI Mem NVS", "MMIO",
	"MMIO Port", "PAL Code", "Persistent", "Unaccepted",
};

static bool memtext_ieq(struct memtext_span a, const char *word)
{
	size_t n = util_strlen(word);
	if (a.n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (util_ascii_lower(a.s[i]) != util_ascii_lower(word[i]))
			return false;
	return true;
}

static bool memtext_starts(struct memtext_span a, const char *word)
{
	size_t n = util_strlen(word);
	return a.n >= n && util_memcmp(a.s, word, n) == 0;
}

static size_t memtext_split(struct memtext_span line, struct memtext_span *w, size_t max)
{
	size_t n = 0, i = 0;
	while (i < line.n && n < max) {
		while (i < line.n && util_is_blank(line.s[i]))
			i++;
		if (i == line.n)
			break;
		size_t s = i;
		while (i < line.n && !util_is_blank(line.s[i]))
			i++;
		w[n].s = line.s + s;
		w[n].n = i - s;
		n++;
	}
	return n;
}

static bool memtext_all_hex(struct memtext_span a)
{
	if (a.n == 0)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (util_hex_value(a.s[i]) < 0)
			return false;
	return true;
}

/* Find "word" in the span; returns its offset or a.n when absent. */
static size_t memtext_find(struct memtext_span a, const char *word)
{
	size_t n = util_strlen(word);
	for (size_t i = 0; i + n <= a.n; i++)
		if (util_memcmp(a.s + i, word, n) == 0)
			return i;
	return a.n;
}

static void memtext_error(struct memtext_diag *diag, unsigned line, const char *what,
                          struct memtext_span token)
{
	if (diag == NULL || diag->error_line != 0)
		return;
	diag->error_line = line;
	struct util_sb sb;
	util_sb_init(&sb, diag->error, sizeof diag->error);
	util_sb_str(&sb, "line ");
	util_sb_u64(&sb, line);
	util_sb_str(&sb, ": ");
	util_sb_str(&sb, what);
	if (token.n > 0) {
		util_sb_str(&sb, " '");
		util_sb_strn(&sb, token.s, token.n > 40 ? 40 : token.n);
		util_sb_char(&sb, '\'');
	}
}

/* EDK2 shell: "Available  0000000000001000-000000000009FFFF 000000000000009F 000000000000000F".
 * A row is recognised by its second word, HEX-HEX; the header and summary lines lack it. */
static enum memtext_match memtext_edk2(struct memtext_span line, unsigned no,
                                       struct memtext_row *row, struct memtext_diag *diag)
{
	struct memtext_span w[MEMTEXT_WORDS_MAX];
	size_t n = memtext_split(line, w, MEMTEXT_WORDS_MAX);
	if (n < 2)
		return MEMTEXT_NO_MATCH;
	size_t dash = memtext_find(w[1], "-");
	struct memtext_span a = { w[1].s, dash }, b = { w[1].s + dash + 1, 0 };
	if (dash == w[1].n)
		return MEMTEXT_NO_MATCH;
	b.n = w[1].n - dash - 1;
	/* The shell prints 16 digits; asking for 8 keeps version strings ("6.1-13") out. */
	if (a.n < 8 || b.n < 8 || !memtext_all_hex(a) || !memtext_all_hex(b))
		return MEMTEXT_NO_MATCH;
	struct memtext_span none = { 0, 0 };
	uint32_t type = EFIMAP_TYPE_COUNT;
	for (uint32_t t = 0; t < EFIMAP_TYPE_COUNT; t++)
		if (memtext_ieq(w[0], memtext_shell_names[t]))
			type = t;
	if (type == EFIMAP_TYPE_COUNT) {
		memtext_error(diag, no, "unknown memory type", w[0]);
		return MEMTEXT_BAD_ROW;
	}
	if (n != 4) {
		memtext_error(diag, no, "expected TYPE START-END PAGES ATTRIBUTES", none);
		return MEMTEXT_BAD_ROW;
	}
	uint64_t pages, attr;
	if (util_parse_hex_u64(a.s, a.n, &row->start) != UTIL_PARSE_OK ||
	    util_parse_hex_u64(b.s, b.n, &row->end) != UTIL_PARSE_OK) {
		memtext_error(diag, no, "address too large", w[1]);
		return MEMTEXT_BAD_ROW;
	}
	if (util_parse_hex_u64(w[2].s, w[2].n, &pages) != UTIL_PARSE_OK) {
		memtext_error(diag, no, "bad page count", w[2]);
		return MEMTEXT_BAD_ROW;
	}
	if (util_parse_hex_u64(w[3].s, w[3].n, &attr) != UTIL_PARSE_OK) {
		memtext_error(diag, no, "bad attributes", w[3]);
		return MEMTEXT_BAD_ROW;
	}
	if (row->end < row->start) {
		memtext_error(diag, no, "END below START", w[1]);
		return MEMTEXT_BAD_ROW;
	}
	/* Pages are 4 KiB: the range must be exactly that many (both checks avoid overflow). */
	uint64_t span = row->end - row->start; /* length - 1 */
	if (pages == 0 || pages > (UINT64_MAX >> 12) + 1 || (pages << 12) - 1 != span) {
		memtext_error(diag, no, "page count disagrees with the range", w[2]);
		return MEMTEXT_BAD_ROW;
	}
	row->form = MEMTEXT_FORM_EDK2_SHELL;
	row->src = MEMTEXT_SRC_EFI + type;
	row->has_attr = true;
	row->attr = attr;
	return MEMTEXT_ROW;
}

/* "0xSTART-0xEND" (inclusive) into two numbers. */
static bool memtext_range(struct memtext_span r, uint64_t *start, uint64_t *end)
{
	size_t dash = memtext_find(r, "-");
	if (dash == r.n)
		return false;
	struct memtext_span a = { r.s, dash }, b = { r.s + dash + 1, r.n - dash - 1 };
	return memtext_starts(a, "0x") && memtext_starts(b, "0x") &&
	       util_parse_u64(a.s, a.n, start) == UTIL_PARSE_OK &&
	       util_parse_u64(b.s, b.n, end) == UTIL_PARSE_OK;
}

/* The attribute words Linux prints between '|' after the type name (efi_md_typeattr_format):
 * the two that decide the type (WB, SP) and RUN, each as its EFI_MEMORY_* bit. */
static uint64_t memtext_linux_attr(struct memtext_span rest, size_t open, size_t bar)
{
	static const struct {
		const char *word;
		uint64_t bit;
	} words[] = { { "WB", EFIMAP_ATTR_WB }, { "SP", EFIMAP_ATTR_SP }, { "RUN", EFIMAP_ATTR_RUNTIME } };
	struct memtext_span after = { rest.s + open, rest.n - open };
	size_t close = memtext_find(after, "]");
	uint64_t attr = 0;
	size_t i = bar - open + 1;
	while (i < close) {
		size_t j = i;
		while (j < close && after.s[j] != '|')
			j++;
		struct memtext_span w = { after.s + i, j - i };
		while (w.n > 0 && util_is_blank(w.s[0]))
			w.s++, w.n--;
		while (w.n > 0 && util_is_blank(w.s[w.n - 1]))
			w.n--;
		for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
			if (memtext_ieq(w, words[k].word))
				attr |= words[k].bit;
		i = j + 1;
	}
	return attr;
}

/* Linux: "efi: mem07: [Conventional|   |  |...|WB|WT|WC|UC] range=[0x...-0x...] (7MB)",
 * perhaps after a dmesg timestamp. */
static enum memtext_match memtext_linux(struct memtext_span line, unsigned no,
                                        struct memtext_row *row, struct memtext_diag *diag)
{
	size_t at = memtext_find(line, "efi: mem");
	if (at == line.n)
		return MEMTEXT_NO_MATCH;
	struct memtext_span rest = { line.s + at + 8, line.n - at - 8 };
	size_t i = 0;
	while (i < rest.n && util_is_digit(rest.s[i]))
		i++;
	if (i == 0 || i + 1 >= rest.n || rest.s[i] != ':')
		return MEMTEXT_NO_MATCH;
	rest.s += i + 1;
	rest.n -= i + 1;
	struct memtext_span none = { 0, 0 };
	size_t open = memtext_find(rest, "["), bar = memtext_find(rest, "|");
	if (open == rest.n || bar == rest.n || bar < open) {
		memtext_error(diag, no, "expected [TYPE|attributes]", none);
		return MEMTEXT_BAD_ROW;
	}
	struct memtext_span name = { rest.s + open + 1, bar - open - 1 };
	while (name.n > 0 && util_is_blank(name.s[name.n - 1]))
		name.n--;
	uint32_t type = MEMTEXT_SRC_E820;
	for (uint32_t t = 0; t < EFIMAP_TYPE_COUNT; t++)
		if (memtext_ieq(name, memtext_linux_names[t]))
			type = t;
	/* Types Linux has no name for print as "type=N"; they map to reserved. Only values that
	 * fit below MEMTEXT_SRC_E820 can be kept as a source type. */
	uint64_t v;
	if (type == MEMTEXT_SRC_E820 && name.n > 5 && memtext_starts(name, "type=") &&
	    util_parse_u64(name.s + 5, name.n - 5, &v) == UTIL_PARSE_OK && v < MEMTEXT_SRC_E820)
		type = (uint32_t)v;
	if (type == MEMTEXT_SRC_E820) {
		memtext_error(diag, no, "unknown memory type", name);
		return MEMTEXT_BAD_ROW;
	}
	size_t r = memtext_find(rest, "range=[");
	struct memtext_span tail = { rest.s + r + 7, r == rest.n ? 0 : rest.n - r - 7 };
	size_t close = memtext_find(tail, "]");
	if (r == rest.n || close == tail.n) {
		memtext_error(diag, no, "expected range=[0xSTART-0xEND]", none);
		return MEMTEXT_BAD_ROW;
	}
	struct memtext_span range = { tail.s, close };
	if (!memtext_range(range, &row->start, &row->end)) {
		memtext_error(diag, no, "bad range", range);
		return MEMTEXT_BAD_ROW;
	}
	if (row->end < row->start) {
		memtext_error(diag, no, "END below START", range);
		return MEMTEXT_BAD_ROW;
	}
	row->form = MEMTEXT_FORM_LINUX_EFI;
	row->src = MEMTEXT_SRC_EFI + type;
	row->has_attr = true;
	row->attr = memtext_linux_attr(rest, open, bar);
	return MEMTEXT_ROW;
}

/* e820 type words as Linux prints them (arch/x86/kernel/e820.c) and the bare form uses. */
static bool memtext_e820_type(struct memtext_span t, uint32_t *out)
{
	static const struct {
		const char *name;
		uint32_t type;
	} names[] = {
		{ "usable", 1 }, { "reserved", 2 }, { "ACPI data", 3 }, { "ACPI NVS", 4 },
		{ "unusable", 5 }, { "persistent (type 7)", 7 }, { "persistent (type 12)", 12 },
		{ "soft reserved", MEMTEXT_E820_SOFT_RESERVED },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (memtext_ieq(t, names[i].name)) {
			*out = names[i].type;
			return true;
		}
	}
	/* Linux prints types it has no name for as "type N". */
	uint64_t v;
	if (t.n > 5 && memtext_starts(t, "type ") &&
	    util_parse_u64(t.s + 5, t.n - 5, &v) == UTIL_PARSE_OK && v < 0xff) {
		*out = (uint32_t)v;
		return true;
	}
	return false;
}

/* "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable", perhaps timestamped. */
static enum memtext_match memtext_e820(struct memtext_span line, unsigned no,
                                       struct memtext_row *row, struct memtext_diag *diag)
{
	size_t at = memtext_find(line, "BIOS-e820:");
	if (at == line.n)
		return MEMTEXT_NO_MATCH;
	struct memtext_span rest = { line.s + at + 10, line.n - at - 10 };
	struct memtext_span none = { 0, 0 };
	size_t open = memtext_find(rest, "[mem "), close = memtext_find(rest, "]");
	if (open == rest.n || close == rest.n || close < open) {
		memtext_error(diag, no, "expected [mem 0xSTART-0xEND] TYPE", none);
		return MEMTEXT_BAD_ROW;
	}
	struct memtext_span range = { rest.s + open + 5, close - open - 5 };
	if (!memtext_range(range, &row->start, &row->end)) {
		memtext_error(diag, no, "bad range", range);
		return MEMTEXT_BAD_ROW;
	}
	if (row->end < row->start) {
		memtext_error(diag, no, "END below START", range);
		return MEMTEXT_BAD_ROW;
	}
	struct memtext_span type = { rest.s + close + 1, rest.n - close - 1 };
	while (type.n > 0 && util_is_blank(type.s[0])) {
		type.s++;
		type.n--;
	}
	uint32_t t;
	if (!memtext_e820_type(type, &t)) {
		memtext_error(diag, no, "unknown memory type", type);
		return MEMTEXT_BAD_ROW;
	}
	row->form = MEMTEXT_FORM_E820;
	row->src = MEMTEXT_SRC_E820 + t;
	return MEMTEXT_ROW;
}

/* Bare: "0x100000 0x7fffff usable": START END TYPE with END inclusive; TYPE is an e820 word
 * or an EDK2 shell name (an EFI type). Recognised by its first word starting with 0x. */
static enum memtext_match memtext_bare(struct memtext_span line, unsigned no,
                                       struct memtext_row *row, struct memtext_diag *diag)
{
	struct memtext_span w[MEMTEXT_WORDS_MAX];
	size_t n = memtext_split(line, w, MEMTEXT_WORDS_MAX);
	if (n == 0 || !memtext_starts(w[0], "0x"))
		return MEMTEXT_NO_MATCH;
	struct memtext_span none = { 0, 0 };
	if (n < 3) {
		memtext_error(diag, no, "expected START END TYPE", none);
		return MEMTEXT_BAD_ROW;
	}
	enum util_parse_status st = util_parse_u64(w[0].s, w[0].n, &row->start);
	if (st != UTIL_PARSE_OK) {
		memtext_error(diag, no, util_parse_status_str(st), w[0]);
		return MEMTEXT_BAD_ROW;
	}
	st = util_parse_u64(w[1].s, w[1].n, &row->end);
	if (st != UTIL_PARSE_OK) {
		memtext_error(diag, no, util_parse_status_str(st), w[1]);
		return MEMTEXT_BAD_ROW;
	}
	if (row->end < row->start) {
		memtext_error(diag, no, "END below START", w[1]);
		return MEMTEXT_BAD_ROW;
	}
	/* The type is the rest of the line ("ACPI data" has a space). */
	struct memtext_span type = { w[2].s, (size_t)(line.s + line.n - w[2].s) };
	row->form = MEMTEXT_FORM_BARE;
	/* e820 words first: "reserved" and "unusable" are also shell names, and the e820
	 * meaning is the one a user typing lower case has in mind. */
	uint32_t t;
	if (memtext_e820_type(type, &t)) {
		row->src = MEMTEXT_SRC_E820 + t;
		return MEMTEXT_ROW;
	}
	if (n == 3) {
		for (uint32_t s = 0; s < EFIMAP_TYPE_COUNT; s++) {
			if (memtext_ieq(w[2], memtext_shell_names[s])) {
				row->src = MEMTEXT_SRC_EFI + s;
				return MEMTEXT_ROW;
			}
		}
	}
	memtext_error(diag, no, "unknown memory type", type);
	return MEMTEXT_BAD_ROW;
}

static uint32_t memtext_src_to_tb(uint32_t src)
{
	if (src >= MEMTEXT_SRC_E820)
		return memtext_e820_to_tb(src - MEMTEXT_SRC_E820);
	return efimap_type_to_tb(src - MEMTEXT_SRC_EFI);
}

bool memtext_parse(const char *text, size_t len, struct tb_mem_entry *out, size_t cap,
                   size_t *count, struct memtext_diag *diag)
{
	return memtext_parse_ex(text, len, out, NULL, cap, count, diag);
}

bool memtext_parse_ex(const char *text, size_t len, struct tb_mem_entry *out, uint32_t *src_types,
                      size_t cap, size_t *count, struct memtext_diag *diag)
{
	if (diag != NULL)
		util_memset(diag, 0, sizeof *diag);
	size_t stored = 0;
	if (count != NULL)
		*count = 0;
	if (text == NULL || count == NULL || (out == NULL && cap > 0))
		return false;
	size_t pos = 0;
	unsigned no = 0;
	while (pos < len) {
		size_t start = pos, end = pos;
		while (end < len && text[end] != '\n')
			end++;
		pos = end < len ? end + 1 : end;
		no++;
		if (end > start && text[end - 1] == '\r')
			end--;
		while (start < end && util_is_blank(text[start]))
			start++;
		while (end > start && util_is_blank(text[end - 1]))
			end--;
		if (start == end)
			continue;
		struct memtext_span line = { text + start, end - start };
		struct memtext_row row;
		row.has_attr = false;
		row.attr = 0;
		enum memtext_match m = memtext_linux(line, no, &row, diag);
		if (m == MEMTEXT_NO_MATCH)
			m = memtext_e820(line, no, &row, diag);
		if (m == MEMTEXT_NO_MATCH)
			m = memtext_bare(line, no, &row, diag);
		if (m == MEMTEXT_NO_MATCH)
			m = memtext_edk2(line, no, &row, diag);
		if (m == MEMTEXT_BAD_ROW)
			return false;
		if (m == MEMTEXT_NO_MATCH) {
			if (diag != NULL)
				diag->skipped++;
			continue;
		}
		if (row.end - row.start == UINT64_MAX) {
			memtext_error(diag, no, "range covers all of 2^64 bytes", line);
			return false;
		}
		if (stored == cap) {
			struct memtext_span none = { 0, 0 };
			memtext_error(diag, no, "too many rows", none);
			return false;
		}
		struct tb_mem_entry *e = &out[stored];
		util_memset(e, 0, sizeof *e);
		e->base = row.start;
		e->length = row.end - row.start + 1;
		/* With attributes, EFI rows get the loader's full rule (efimap_desc_to_tb: no WB or
		 * SP stays reserved); e820 and bare rows have only their type. */
		e->type = row.has_attr && row.src < MEMTEXT_SRC_E820
		                  ? efimap_desc_to_tb(row.src - MEMTEXT_SRC_EFI, row.attr)
		                  : memtext_src_to_tb(row.src);
		e->after_type = e->type;
		e->owner = TB_OWNER_NONE;
		e->reason = TB_REASON_NONE;
		e->reclaim = TB_RECLAIM_NEVER;
		e->source = TB_SOURCE_EFI_MAP;
		if (src_types != NULL)
			src_types[stored] = row.src;
		stored++;
		*count = stored;
		if (diag != NULL) {
			diag->rows++;
			diag->rows_by_form[row.form]++;
		}
	}
	return true;
}
