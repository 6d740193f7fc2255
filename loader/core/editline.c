/* editline.c: the options line editor of the boot menu (editline.h). */
#include "editline.h"

#include "fw.h"
#include "util.h"

void editline_init(struct editline *ed, char *buf, size_t cap)
{
	ed->buf = buf;
	ed->cap = cap;
	ed->len = cap ? util_strlen(buf) : 0;
}

enum editline_result editline_key(struct editline *ed, uint32_t key)
{
	if (key == FW_KEY_ENTER)
		return EDITLINE_ACCEPT;
	if (key == FW_KEY_ESC)
		return EDITLINE_CANCEL;
	if (key == FW_KEY_BACKSPACE) {
		if (ed->len > 0)
			ed->buf[--ed->len] = '\0';
		return EDITLINE_GOING_ON;
	}
	if (key >= 0x20 && key < 0x7f && ed->len + 1 < ed->cap) {
		ed->buf[ed->len++] = (char)key;
		ed->buf[ed->len] = '\0';
	}
	return EDITLINE_GOING_ON;
}
