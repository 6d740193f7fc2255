/* test_boot_attempt.c: the boot-in-flight record: text form, damaged records, the variable through the fake firmware, the fallback entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "boot_attempt.h"
#include "fake_fw.h"

static void test_round_trip(void **state)
{
	(void)state;
	struct boot_attempt a = {.entry = "debian-6.1", .step = "ExitBootServices failed: other"};
	char buf[BOOT_ATTEMPT_TEXT_MAX];
	size_t n = boot_attempt_encode(&a, buf, sizeof(buf));
	const char want[] = "tagboot-attempt 1\nentry debian-6.1\nstep ExitBootServices failed: other\n";
	assert_int_equal(n, sizeof(want) - 1);
	assert_memory_equal(buf, want, n);
	struct boot_attempt b;
	assert_true(boot_attempt_decode(buf, n, &b));
	assert_string_equal(b.entry, a.entry);
	assert_string_equal(b.step, a.step);
	/* Too small a buffer: nothing, not half a record. */
	assert_int_equal(boot_attempt_encode(&a, buf, 20), 0);
}

/* Anything not exactly in the format is ignored: every truncation, a flipped byte anywhere
 * into a control byte, trailing junk, other versions. */
static void test_damaged_records(void **state)
{
	(void)state;
	const char good[] = "tagboot-attempt 1\nentry x\nstep s\n";
	size_t n = sizeof(good) - 1;
	struct boot_attempt b;
	assert_true(boot_attempt_decode(good, n, &b));
	for (size_t len = 0; len < n; len++)
		assert_false(boot_attempt_decode(good, len, &b));
	char bad[sizeof(good)];
	for (size_t i = 0; i < n; i++) {
		memcpy(bad, good, sizeof(good));
		bad[i] = '\x01';
		assert_false(boot_attempt_decode(bad, n, &b));
	}
	assert_false(boot_attempt_decode("tagboot-attempt 2\nentry x\nstep s\n", n, &b));
	assert_false(boot_attempt_decode("tagboot-attempt 1\nentry x\nstep s\nmore\n", n + 5, &b));
	assert_false(boot_attempt_decode("tagboot-attempt 1\nentry \nstep s\n", n - 1, &b));
	assert_false(boot_attempt_decode(NULL, 0, &b));
	/* An id longer than an entry id can be. */
	char longer[400];
	strcpy(longer, "tagboot-attempt 1\nentry ");
	memset(longer + strlen(longer), 'a', 200);
	strcpy(longer + 24 + 200, "\nstep s\n");
	assert_false(boot_attempt_decode(longer, strlen(longer), &b));
}

/* Through the variable: record, take (which deletes), take again finds nothing. A damaged
 * variable is deleted too. Control bytes in a step become '?'. */
static void test_variable(void **state)
{
	(void)state;
	static struct fake_fw f;
	fake_fw_init(&f, 10);
	struct boot_attempt a;
	assert_false(boot_attempt_take(&f.fw, &a));
	boot_attempt_record(&f.fw, "sample", "map\tfull");
	struct fake_var *v = fake_var_find(&f, BOOT_ATTEMPT_VARIABLE);
	assert_non_null(v);
	assert_false(v->volatile_only);
	assert_true(boot_attempt_take(&f.fw, &a));
	assert_string_equal(a.entry, "sample");
	assert_string_equal(a.step, "map?full");
	assert_false(boot_attempt_take(&f.fw, &a));
	f.fw.set_variable(&f.fw, FW_VAR_TAGBOOT, BOOT_ATTEMPT_VARIABLE, false, "junk", 4);
	assert_false(boot_attempt_take(&f.fw, &a));
	assert_null(fake_var_find(&f, BOOT_ATTEMPT_VARIABLE));
	/* No variable services at all: nothing recorded, nothing found, no crash. */
	f.fw.set_variable = NULL;
	f.fw.get_variable = NULL;
	boot_attempt_record(&f.fw, "sample", "x");
	boot_attempt_clear(&f.fw);
	assert_false(boot_attempt_take(&f.fw, &a));
	fake_fw_release(&f);
}

static void test_fallback(void **state)
{
	(void)state;
	static struct config_entry es[3];
	memset(es, 0, sizeof(es));
	strcpy(es[0].id, "a");
	strcpy(es[1].id, "b");
	strcpy(es[2].id, "c");
	bool menu = true;
	/* The failed entry is the pick: the next one in menu order, wrapping. */
	assert_int_equal(boot_attempt_fallback(es, 3, 0, "a", &menu), 1);
	assert_false(menu);
	assert_int_equal(boot_attempt_fallback(es, 3, 2, "c", &menu), 0);
	/* The pick is another entry (a one-shot, a new default): keep it. */
	assert_int_equal(boot_attempt_fallback(es, 3, 2, "a", &menu), 2);
	/* An entry that is gone changes nothing. */
	assert_int_equal(boot_attempt_fallback(es, 3, 1, "zz", &menu), 1);
	assert_false(menu);
	/* Automatic entries (a reboot into the firmware setup) are never the fallback. */
	es[1].is_auto = true;
	assert_int_equal(boot_attempt_fallback(es, 3, 0, "a", &menu), 2);
	es[2].is_auto = true;
	assert_int_equal(boot_attempt_fallback(es, 3, 0, "a", &menu), 0);
	assert_true(menu);
	/* The only entry: the menu, not the same boot again. */
	assert_int_equal(boot_attempt_fallback(es, 1, 0, "a", &menu), 0);
	assert_true(menu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damaged_records),
		cmocka_unit_test(test_variable),
		cmocka_unit_test(test_fallback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
