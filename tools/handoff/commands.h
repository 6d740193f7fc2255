/* commands.h: the subcommands of the `handoff` host tool and the file helpers they share. */
#ifndef TAGBOOT_TOOL_COMMANDS_H
#define TAGBOOT_TOOL_COMMANDS_H

#include <stddef.h>

/* Exit statuses shared by every subcommand. */
#define TOOL_EXIT_OK 0
#define TOOL_EXIT_INVALID 1 /* the input was read but is not a valid handoff */
#define TOOL_EXIT_USAGE 2   /* bad arguments or an I/O error */

/* Each takes argv[0] = the subcommand name and returns the process exit status. */
int decode_main(int argc, char **argv);
int sample_main(int argc, char **argv);
int e820_main(int argc, char **argv);

/* Read a whole file into a fresh 8-byte aligned buffer (free() it). On failure prints
 * "handoff: FILE: reason" to stderr and returns NULL. */
void *blobfile_read(const char *path, size_t *size);
/* Write size bytes to path; on failure prints "handoff: FILE: reason" and returns -1. */
int blobfile_write(const char *path, const void *data, size_t size);

#endif /* TAGBOOT_TOOL_COMMANDS_H */
