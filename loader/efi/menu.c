/* menu.c: the boot menu on console and serial: arrows, Enter, digits, countdown. */
#include "efi_glue.h"

#include "boot_log.h"
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

/*
 * The countdown runs only until the first key: after that the user is choosing and the menu
 * waits. `timeout menu-force` with timeout 0 also waits (there is nothing to count down).
 */
size_t menu_run(struct fw *fw, const struct config_loader *conf, const struct config_entry *entries,
                size_t n, size_t def)
{
	size_t sel = def < n ? def : 0;
	uint64_t left = conf->timeout;
	bool counting = left > 0;
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
		if (key == FW_KEY_UP)
			sel = sel ? sel - 1 : n - 1;
		else if (key == FW_KEY_DOWN)
			sel = sel + 1 < n ? sel + 1 : 0;
		else
			continue;
		menu_draw(fw, entries, n, sel);
	}
}
