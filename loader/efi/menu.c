/* menu.c: the boot menu on console and serial: arrows, Enter, digits, countdown. */
#include "efi_glue.h"

#include "boot_log.h"
#include "editline.h"
#include "util.h"

#define MENU_SECOND_US 1000000ull

static void menu_draw(struct fw *fw, const struct config_entry *entries, size_t n, size_t sel)
{
	struct boot_log_line line;
	fw->write(fw, "\ntagboot " TAGBOOT_VERSION_STRING " boot menu (arrows + Enter, or a digit)\n");
	for (size_t i = 0; i < n; i++) {
		util_sb_init(&line.sb, line.buf, sizeof(line.buf));
		util_sb_str(&line.sb, i == sel ? " > " : "   ");
		if (i < 9) {
			util_sb_u64(&line.sb, i + 1);
			util_sb_str(&line.sb, ". ");
		} else {
			util_sb_str(&line.sb, "   ");
		}
		util_sb_str(&line.sb, entries[i].title[0] ? entries[i].title : entries[i].id);
		if (entries[i].version[0]) {
			util_sb_str(&line.sb, " (");
			util_sb_str(&line.sb, entries[i].version);
			util_sb_char(&line.sb, ')');
		}
		util_sb_char(&line.sb, '\n');
		fw->write(fw, line.buf);
	}
}

static void menu_countdown(struct fw *fw, const struct config_entry *e, uint64_t seconds)
{
	struct boot_log_line line;
	util_sb_init(&line.sb, line.buf, sizeof(line.buf));
	util_sb_str(&line.sb, "\rbooting '");
	util_sb_str(&line.sb, e->id);
	util_sb_str(&line.sb, "' in ");
	util_sb_u64(&line.sb, seconds);
	util_sb_str(&line.sb, " s  ");
	fw->write(fw, line.buf);
}

/* `e` on an entry: edit its options on one line; Enter boots with them, Esc keeps them as
 * they were. Returns true to boot. */
static bool menu_edit(struct fw *fw, struct config_entry *e)
{
	static char saved[CONFIG_OPTIONS_MAX];
	util_strlcpy(saved, e->options, sizeof(saved));
	struct editline ed;
	editline_init(&ed, e->options, sizeof(e->options));
	fw->write(fw, "\nedit the options (Enter boots, Esc cancels):\n> ");
	fw->write(fw, e->options);
	for (;;) {
		uint32_t key = 0;
		if (fw->read_key(fw, 3600ull * MENU_SECOND_US, &key) != FW_OK)
			continue;
		size_t before = ed.len;
		enum editline_result r = editline_key(&ed, key);
		if (r == EDITLINE_ACCEPT) {
			fw->write(fw, "\n");
			return true;
		}
		if (r == EDITLINE_CANCEL) {
			util_strlcpy(e->options, saved, sizeof(e->options));
			fw->write(fw, "\n");
			return false;
		}
		if (ed.len > before)
			fw->write(fw, e->options + before);
		else if (ed.len < before)
			fw->write(fw, "\b \b");
	}
}

/* `console-mode` before the menu is drawn: `keep` (and no key) leaves the mode alone, a
 * number sets that mode, `max` and `auto` the mode with the most character cells. A mode the
 * firmware does not have is left alone. */
static void menu_console_mode(const struct config_loader *conf)
{
	SIMPLE_TEXT_OUTPUT_INTERFACE *out = ST->ConOut;
	if (!conf->has_console_mode || !out || !out->Mode)
		return;
	const char *m = conf->console_mode;
	if (util_strcmp(m, "keep") == 0)
		return;
	INTN want = -1;
	if (util_strcmp(m, "max") == 0 || util_strcmp(m, "auto") == 0) {
		UINTN best = 0;
		for (INTN i = 0; i < out->Mode->MaxMode; i++) {
			UINTN cols = 0, rows = 0;
			if (out->QueryMode(out, (UINTN)i, &cols, &rows) == EFI_SUCCESS &&
			    cols * rows > best) {
				best = cols * rows;
				want = i;
			}
		}
	} else {
		uint64_t v = 0;
		if (util_parse_u64(m, util_strlen(m), &v) == UTIL_PARSE_OK && v < (uint64_t)out->Mode->MaxMode)
			want = (INTN)v;
	}
	if (want >= 0 && want != out->Mode->Mode)
		out->SetMode(out, (UINTN)want);
}

/*
 * The countdown runs only until the first key: after that the user is choosing and the menu
 * waits. `timeout menu-force` with timeout 0 also waits (there is nothing to count down).
 */
size_t menu_run(struct fw *fw, const struct config_loader *conf, struct config_entry *entries,
                size_t n, size_t def, bool editor)
{
	size_t sel = def < n ? def : 0;
	uint64_t left = conf->timeout;
	bool counting = left > 0;
	menu_console_mode(conf);
	menu_draw(fw, entries, n, sel);
	for (;;) {
		if (counting)
			menu_countdown(fw, &entries[sel], left);
		uint32_t key = 0;
		enum fw_status st = fw->read_key(fw, counting ? MENU_SECOND_US : 3600 * MENU_SECOND_US,
		                                 &key);
		if (st != FW_OK) {
			if (counting && --left == 0) {
				fw->write(fw, "\n");
				return sel;
			}
			continue;
		}
		if (counting)
			fw->write(fw, "\n");
		counting = false;
		if (key == FW_KEY_ENTER)
			return sel;
		if (key >= '1' && key <= '9' && (size_t)(key - '0') <= n)
			return key - '1';
		if (key == 'e' && editor && entries[sel].kind != CONFIG_KIND_FIRMWARE_SETUP) {
			if (menu_edit(fw, &entries[sel]))
				return sel;
		} else if (key == FW_KEY_UP) {
			sel = sel ? sel - 1 : n - 1;
		} else if (key == FW_KEY_DOWN) {
			sel = sel + 1 < n ? sel + 1 : 0;
		} else {
			continue;
		}
		menu_draw(fw, entries, n, sel);
	}
}
