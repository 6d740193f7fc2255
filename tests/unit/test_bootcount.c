/* test_bootcount.c: boot counters in entry file names: parsing, the next name, and where counted entries sort. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bootcount.h"
#include "config.h"

static size_t parse(const char *s, struct bootcount *c)
{
	return bootcount_parse(s, strlen(s), c);
}

static void test_parse(void **state)
{
	(void)state;
	struct bootcount c;
	assert_int_equal(parse("debian+3", &c), 6);
	assert_true(c.counted);
	assert_int_equal(c.left, 3);
	assert_int_equal(c.done, 0);
	assert_int_equal(parse("debian+0-12", &c), 6);
	assert_int_equal(c.left, 0);
	assert_int_equal(c.done, 12);
	/* Leading zeros are numbers like any other. */
	assert_int_equal(parse("a+007-01", &c), 1);
	assert_int_equal(c.left, 7);
	assert_int_equal(c.done, 1);
	/* Not counters: the whole stem is the id. */
	static const char *const plain[] = {"debian", "debian+", "debian+x", "debian+3-",
	                                    "debian+-3", "debian+3-x", "a+1-2-3",
	                                    "a+1234567890123456789", "+", ""};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		assert_int_equal(parse(plain[i], &c), strlen(plain[i]));
		assert_false(c.counted);
	}
	/* Only the last '+' counts: "a+b+2" is the id "a+b". */
	assert_int_equal(parse("a+b+2", &c), 3);
	assert_true(c.counted);
	/* "+3" alone: counters without an id (the parser refuses such a file). */
	assert_int_equal(parse("+3", &c), 0);
}

static void test_next_name(void **state)
{
	(void)state;
	struct bootcount c;
	char out[64];
	size_t id = parse("foobar+3", &c);
	assert_true(bootcount_next_name("foobar+3", id, &c, ".conf", out, sizeof(out)));
	assert_string_equal(out, "foobar+2-1.conf");
	/* The series of the Automatic Boot Assessment document. */
	const char *series[] = {"foobar+4-0", "foobar+3-1", "foobar+2-2", "foobar+1-3", "foobar+0-4"};
	for (size_t i = 0; i + 1 < 5; i++) {
		id = parse(series[i], &c);
		assert_true(bootcount_next_name(series[i], id, &c, "", out, sizeof(out)));
		assert_string_equal(out, series[i + 1]);
	}
	id = parse("foobar+0-4", &c);
	assert_false(bootcount_next_name("foobar+0-4", id, &c, "", out, sizeof(out)));
	id = parse("plain", &c);
	assert_false(bootcount_next_name("plain", id, &c, ".conf", out, sizeof(out)));
	id = parse("foobar+3", &c);
	assert_false(bootcount_next_name("foobar+3", id, &c, ".conf", out, 10));
}

static void entry_named(struct config_entry *e, const char *file)
{
	struct config_diag d;
	config_diag_init(&d, NULL, NULL);
	assert_true(config_parse_entry(file, "efi /x.efi\n", 11, e, &d));
}

/* Bad entries (no tries left) after everything; the id has no counters; equal ids order by
 * tries left, then tries done. */
static void test_sort(void **state)
{
	(void)state;
	static struct config_entry e[5];
	entry_named(&e[0], "/loader/entries/linux-6.10+0-3.conf");
	entry_named(&e[1], "/loader/entries/linux-6.9.conf");
	entry_named(&e[2], "/loader/entries/linux-6.1+2-1.conf");
	entry_named(&e[3], "/loader/entries/linux-6.1+3.conf");
	entry_named(&e[4], "/loader/entries/zz.conf");
	assert_string_equal(e[0].id, "linux-6.10");
	assert_string_equal(e[0].file, "/loader/entries/linux-6.10+0-3.conf");
	config_sort_entries(e, 5);
	assert_string_equal(e[0].id, "zz");
	assert_string_equal(e[1].id, "linux-6.9");
	assert_string_equal(e[2].file, "/loader/entries/linux-6.1+3.conf");
	assert_string_equal(e[3].file, "/loader/entries/linux-6.1+2-1.conf");
	assert_string_equal(e[4].id, "linux-6.10");
	/* Without a default the first entry boots: never the bad one. */
	struct config_loader l;
	memset(&l, 0, sizeof(l));
	assert_int_equal(config_select_default(&l, e, 5), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_next_name),
		cmocka_unit_test(test_sort),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
