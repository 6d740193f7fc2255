/* test_editline.c: the menu's options editor: typing, backspace, the capacity, Enter and Esc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "editline.h"
#include "fw.h"

static void test_keys(void **state)
{
	(void)state;
	char buf[12] = "quiet";
	struct editline ed;
	editline_init(&ed, buf, sizeof(buf));
	assert_int_equal(ed.len, 5);
	const char *typed = " single";
	for (const char *p = typed; *p; p++)
		assert_int_equal(editline_key(&ed, (uint32_t)*p), EDITLINE_GOING_ON);
	/* 11 bytes fit with the NUL; the rest of " single" is dropped. */
	assert_string_equal(buf, "quiet singl");
	assert_int_equal(editline_key(&ed, FW_KEY_BACKSPACE), EDITLINE_GOING_ON);
	assert_string_equal(buf, "quiet sing");
	/* Keys that are not text change nothing. */
	assert_int_equal(editline_key(&ed, FW_KEY_UP), EDITLINE_GOING_ON);
	assert_int_equal(editline_key(&ed, 0x7f), EDITLINE_GOING_ON);
	assert_int_equal(editline_key(&ed, 0x09), EDITLINE_GOING_ON);
	assert_string_equal(buf, "quiet sing");
	assert_int_equal(editline_key(&ed, FW_KEY_ENTER), EDITLINE_ACCEPT);
	assert_int_equal(editline_key(&ed, FW_KEY_ESC), EDITLINE_CANCEL);
	/* Backspace on an empty line stays empty. */
	char empty[4] = "";
	editline_init(&ed, empty, sizeof(empty));
	assert_int_equal(editline_key(&ed, FW_KEY_BACKSPACE), EDITLINE_GOING_ON);
	assert_string_equal(empty, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
