/* editline.h: the boot menu's one-line editor for an entry's options (key by key, no allocation). */
#ifndef TAGBOOT_EDITLINE_H
#define TAGBOOT_EDITLINE_H

#include <stddef.h>
#include <stdint.h>

enum editline_result {
	EDITLINE_GOING_ON = 0,
	EDITLINE_ACCEPT = 1, /* Enter: boot with the edited line */
	EDITLINE_CANCEL = 2, /* Esc: the line as it was */
};

struct editline {
	char *buf;  /* the line, NUL-terminated, edited in place */
	size_t cap; /* bytes of buf */
	size_t len;
};

/* Start editing buf (holding a NUL-terminated line) of cap bytes. */
void editline_init(struct editline *ed, char *buf, size_t cap);

/* One key (fw.h key codes): printable ASCII is appended while it fits, FW_KEY_BACKSPACE
 * removes the last byte, FW_KEY_ENTER accepts, FW_KEY_ESC cancels, the rest is ignored. */
enum editline_result editline_key(struct editline *ed, uint32_t key);

#endif /* TAGBOOT_EDITLINE_H */
