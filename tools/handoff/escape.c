/* escape.c: the one place where `handoff decode` turns blob text into terminal-safe output. */
#include "escape.h"

#include <stdio.h>

void escape_text(FILE *out, const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c < 0x20 || c > 0x7e || c == '\\' || c == '"')
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}
