/* escape.h: printing untrusted text from a handoff blob so that it cannot drive the terminal. */
#ifndef TAGBOOT_TOOL_ESCAPE_H
#define TAGBOOT_TOOL_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* Write `length` bytes of text to out, each byte outside 0x20..0x7e, and also '\\' and '"',
 * as \xNN (two lowercase hex digits); every other byte as itself. NUL bytes are written as
 * \x00 too: the caller decides where the text ends. */
void escape_text(FILE *out, const char *text, size_t length);

#endif /* TAGBOOT_TOOL_ESCAPE_H */
