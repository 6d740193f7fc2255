/* boot_log.c: the loader's log and error lines ("tagboot: ...", "tagboot: error: ..."). */
#include "boot_log.h"

void boot_log_begin(struct boot_log_line *line, bool error)
{
	util_sb_init(&line->sb, line->buf, sizeof(line->buf));
	util_sb_str(&line->sb, error ? "tagboot: error: " : "tagboot: ");
}

void boot_log_end(struct fw *fw, struct boot_log_line *line)
{
	/* Keep room for the newline even when the text was truncated. */
	if (line->sb.len + 2 > line->sb.cap) {
		line->sb.len = line->sb.cap - 2;
		line->buf[line->sb.len] = 0;
	}
	util_sb_char(&line->sb, '\n');
	fw->write(fw, line->buf);
}

void boot_log(struct fw *fw, const char *text)
{
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, text);
	boot_log_end(fw, &line);
}

void boot_log_error(struct fw *fw, const char *entry, const char *file, const char *reason)
{
	struct boot_log_line line;
	boot_log_begin(&line, true);
	if (entry) {
		util_sb_str(&line.sb, "entry '");
		util_sb_str(&line.sb, entry);
		util_sb_str(&line.sb, "': ");
	}
	if (file) {
		util_sb_str(&line.sb, file);
		util_sb_str(&line.sb, ": ");
	}
	util_sb_str(&line.sb, reason);
	boot_log_end(fw, &line);
}
