/* boot_log.h: the loader's log and error lines ("tagboot: ...", "tagboot: error: ..."). */
#ifndef TAGBOOT_BOOT_LOG_H
#define TAGBOOT_BOOT_LOG_H

#include <stdint.h>

#include "fw.h"
#include "util.h"

#define BOOT_LOG_LINE_MAX 512u

/* A line being built: boot_log_begin, util_sb_* pieces, boot_log_end (adds the newline and
 * writes it through fw->write). */
struct boot_log_line {
	struct util_sb sb;
	char buf[BOOT_LOG_LINE_MAX];
};

/* Start a line with "tagboot: " (or "tagboot: error: " when error is true). */
void boot_log_begin(struct boot_log_line *line, bool error);
void boot_log_end(struct fw *fw, struct boot_log_line *line);

/* "tagboot: TEXT" */
void boot_log(struct fw *fw, const char *text);

/* "tagboot: error: entry 'ENTRY': FILE: REASON" (entry and file may be NULL: left out).
 * The QEMU runner greps the serial log for the prefix. */
void boot_log_error(struct fw *fw, const char *entry, const char *file, const char *reason);

#endif /* TAGBOOT_BOOT_LOG_H */
