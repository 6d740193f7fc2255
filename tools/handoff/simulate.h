/* simulate.h: `handoff simulate`: the map tagboot would hand over for a text memory map. */
#ifndef TAGBOOT_TOOL_SIMULATE_H
#define TAGBOOT_TOOL_SIMULATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "acpi.h"
#include "config.h"
#include "tagboot_handoff.h"
#include "tagging.h"

/* argv[0] is the command name ("simulate"); returns the process exit status (0 ok, 1 bad input
 * or a failed step, 2 usage). */
int simulate_main(int argc, char **argv);

/* The command line of `handoff simulate`. */
struct simargs {
	const char *file;
	uint32_t platform;   /* enum tb_platform_kind */
	bool have_mailbox;   /* --madt-mailbox given */
	uint64_t mailbox;
	int mailbox_version; /* 0 or 1; -1 when not given */
	struct config_reserve reserves[CONFIG_RESERVE_MAX];
	size_t reserve_count;
	const char *out;     /* --out BLOB, or NULL */
	const char *svg;     /* --svg OUT.svg, or NULL */
	bool strict;         /* hazards (with --entry linux|efi: hazards not covered) make the exit
	                      * status 1 */
	bool chainload;      /* --entry linux or efi: the map a chainloaded stub sees after the
	                      * shield, instead of the native handoff */
	const char *entry;   /* "native" (default), "linux" or "efi" */
	bool help;           /* --help: print the usage and stop */
};

/* Parse argv[1..argc) into a. Returns 0, or TOOL_EXIT_USAGE after a message on stderr that
 * names the option and the reason. */
int simargs_parse(int argc, char **argv, struct simargs *a);
/* The usage text. */
void simargs_usage(FILE *out);

/* What a kernel could use, in bytes, worked out from a validated blob. */
struct simreport_totals {
	uint64_t usable_now;            /* type USABLE */
	uint64_t after_wakeup;          /* usable once every AP is woken (reset vector kept) */
	uint64_t after_wakeup_no_reset; /* ... and the kernel never uses the reset vector */
	uint64_t ap_held;               /* type AP_HELD */
	uint64_t unaccepted;            /* type UNACCEPTED */
};

/* Every tagged entry (owner not NONE) of the map, one line each. */
void simreport_tagged(const struct tb_rec_memmap *map);
/* The hazards tagging_apply found. */
void simreport_hazards(const struct tagging_report *rep);
/* Work out the totals of a validated blob of size bytes: the after-wakeup figures through
 * tb_release on a copy, cross-checked entry by entry with tb_frame_usable_after_wakeup.
 * Returns false (with a message on stderr) if the two disagree or the copy fails. */
bool simreport_totals(const void *blob, size_t size, struct simreport_totals *out);
/* Print the totals. */
void simreport_print_totals(const struct simreport_totals *t);

/* --entry linux|efi: the shield for this map (rows with their EFI types from memtext), each
 * hazard covered or not, and the EFI map the next stage's GetMemoryMap returns. Returns the
 * exit status. */
int simshield_report(const struct simargs *a, const struct tb_mem_entry *rows,
                     const uint32_t *src_types, size_t count, const struct acpi_info *acpi);

/* Write an SVG bar of the map to path (title names the input). Returns 0, or -1 after a
 * "handoff: PATH: reason" message. */
int simsvg_write(const char *path, const char *title, const struct tb_rec_memmap *map);

#endif /* TAGBOOT_TOOL_SIMULATE_H */
