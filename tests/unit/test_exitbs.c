/* test_exitbs.c: the final map and ExitBootServices retry against a fake firmware. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "exitbs.h"
#include "fake_fw.h"

struct convert_seen {
	unsigned calls;
	uint64_t size;
	uint64_t key_in_map; /* the fake writes the map key into each descriptor's attribute */
	uint64_t fw_key;     /* the fake's key at conversion time */
	bool result;
	struct fake_fw *fake;
};

static bool record_convert(void *ctx, const struct exitbs_map *map)
{
	struct convert_seen *seen = ctx;
	seen->calls++;
	seen->size = map->size;
	memcpy(&seen->key_in_map, (const uint8_t *)(uintptr_t)map->buf_addr + 32, 8);
	seen->fw_key = seen->fake->key;
	return seen->result;
}

/* Every ExitBootServices call directly follows a GetMemoryMap: nothing in between. */
static void assert_map_right_before_exit(const struct fake_fw *f)
{
	for (unsigned i = 0; i < f->log_len; i++) {
		if (f->log[i] == 'E') {
			assert_true(i > 0);
			assert_int_equal(f->log[i - 1], 'M');
		}
	}
}

static void test_happy_path(void **state)
{
	(void)state;
	struct fake_fw f;
	fake_fw_init(&f, 100);
	struct exitbs_map map;
	assert_int_equal(exitbs_alloc_map(&f.fw, &map, NULL), EXITBS_OK);
	/* 100 descriptors * 48 + 32 slack * 48 = 6336 bytes -> 2 pages. */
	assert_int_equal(map.pages, 2);
	assert_int_equal(map.cap, 8192);
	/* The buffer allocation split one descriptor: 101 * 48. */
	assert_int_equal(map.size, 4848);

	struct convert_seen seen = {.result = true, .fake = &f};
	enum fw_status st;
	assert_int_equal(exitbs_exit(&f.fw, &map, record_convert, &seen, &st), EXITBS_OK);
	assert_int_equal(st, FW_OK);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.size, 4848);
	assert_int_equal(map.attempts, 1);
	assert_true(f.exited);
	assert_string_equal(f.log, "MAMME");
	assert_map_right_before_exit(&f);
	fake_fw_release(&f);
}

static void test_alloc_fails(void **state)
{
	(void)state;
	struct fake_fw f;
	fake_fw_init(&f, 100);
	f.fail_alloc_after = 0;
	struct exitbs_map map;
	enum fw_status st;
	assert_int_equal(exitbs_alloc_map(&f.fw, &map, &st), EXITBS_ERR_ALLOC);
	assert_int_equal(st, FW_OUT_OF_RESOURCES);
	assert_int_equal(map.buf_addr, 0);
	assert_int_equal(f.live_allocs, 0);
	fake_fw_release(&f);
}

/* The firmware adds 100 descriptors before every GetMemoryMap (more than the slack). */
static void test_map_outgrows_buffer_then_full(void **state)
{
	(void)state;
	struct fake_fw f;
	fake_fw_init(&f, 100);
	f.grow_on_get_map = 100;
	struct exitbs_map map;
	/* probe: 200 descs = 9600 B; +1536 slack = 11136 -> 3 pages (12288); alloc -> 201.
	 * read: 301 descs = 14448 B: too small. free (200); 14448 + 1536 = 15984 -> 4 pages
	 * (16384); alloc -> 301. read: 401 = 19248 B: too small. free (400); 19248 + 1536 =
	 * 20784 -> 6 pages (24576); alloc -> 401. read: 501 = 24048 B: fits. */
	assert_int_equal(exitbs_alloc_map(&f.fw, &map, NULL), EXITBS_OK);
	assert_int_equal(map.pages, 6);
	assert_int_equal(map.size, 24048);
	assert_int_equal(f.live_allocs, 1);
	assert_string_equal(f.log, "MAMFAMFAM");

	/* Final map: 601 descs = 28848 B > 24576: a clear error, no ExitBootServices call. */
	struct convert_seen seen = {.result = true, .fake = &f};
	enum fw_status st;
	assert_int_equal(exitbs_exit(&f.fw, &map, record_convert, &seen, &st),
	                 EXITBS_ERR_MAP_FULL);
	assert_int_equal(st, FW_BUFFER_TOO_SMALL);
	assert_int_equal(f.ebs_calls, 0);
	assert_int_equal(seen.calls, 0);
	assert_string_equal(exitbs_error_str(EXITBS_ERR_MAP_FULL),
	                    "map buffer full (final GetMemoryMap needs more than the slack)");
	exitbs_free_map(&f.fw, &map);
	assert_int_equal(f.live_allocs, 0);
	fake_fw_release(&f);
}

/* A map that grows faster than any buffer: bounded, nothing left allocated. */
static void test_map_too_small_again_and_again(void **state)
{
	(void)state;
	struct fake_fw f;
	fake_fw_init(&f, 10);
	f.grow_on_get_map = 1000;
	struct exitbs_map map;
	assert_int_equal(exitbs_alloc_map(&f.fw, &map, NULL), EXITBS_ERR_GROWING);
	assert_int_equal(f.live_allocs, 0);
	assert_int_equal(f.allocs_done, EXITBS_MAX_ALLOC_ROUNDS);
	fake_fw_release(&f);
}

static void test_exit_refused_once(void **state)
{
	(void)state;
	struct fake_fw f;
	fake_fw_init(&f, 100);
	f.ebs_stale_count = 1;
	struct exitbs_map map;
	assert_int_equal(exitbs_alloc_map(&f.fw, &map, NULL), EXITBS_OK);
	uint64_t first_key = map.key;
	struct convert_seen seen = {.result = true, .fake = &f};
	assert_int_equal(exitbs_exit(&f.fw, &map, record_convert, &seen, NULL), EXITBS_OK);
	assert_int_equal(map.attempts, 2);
	assert_int_equal(f.ebs_calls, 2);
	assert_int_equal(seen.calls, 1);
	/* The conversion saw the second map: 100 + 1 (buffer) + 1 (event) = 102 descriptors,
	 * carrying the key ExitBootServices accepted, not the first one. */
	assert_int_equal(seen.size, 102 * 48);
	assert_int_equal(seen.key_in_map, seen.fw_key);
	assert_int_not_equal(seen.key_in_map, first_key);
	/* No allocation during the retry: same buffer, one live allocation. */
	assert_int_equal(f.live_allocs, 1);
	assert_string_equal(f.log, "MAMMEME");
	assert_map_right_before_exit(&f);
	fake_fw_release(&f);
}

static void test_exit_refused_always(void **state)
{
	(void)state;
	struct fake_fw f;
	fake_fw_init(&f, 100);
	f.ebs_stale_count = 1000;
	struct exitbs_map map;
	assert_int_equal(exitbs_alloc_map(&f.fw, &map, NULL), EXITBS_OK);
	struct convert_seen seen = {.result = true, .fake = &f};
	enum fw_status st;
	assert_int_equal(exitbs_exit(&f.fw, &map, record_convert, &seen, &st),
	                 EXITBS_ERR_RETRIES);
	assert_int_equal(st, FW_INVALID_PARAMETER);
	assert_int_equal(f.ebs_calls, EXITBS_MAX_ATTEMPTS);
	assert_int_equal(seen.calls, 0);
	assert_false(f.exited);
	assert_map_right_before_exit(&f);
	fake_fw_release(&f);
}

static void test_exit_other_error(void **state)
{
	(void)state;
	struct fake_fw f;
	fake_fw_init(&f, 20);
	f.ebs_error = FW_ACCESS_DENIED;
	struct exitbs_map map;
	assert_int_equal(exitbs_alloc_map(&f.fw, &map, NULL), EXITBS_OK);
	struct convert_seen seen = {.result = true, .fake = &f};
	enum fw_status st;
	assert_int_equal(exitbs_exit(&f.fw, &map, record_convert, &seen, &st), EXITBS_ERR_EXIT);
	assert_int_equal(st, FW_ACCESS_DENIED);
	assert_int_equal(f.ebs_calls, 1);
	assert_int_equal(seen.calls, 0);
	fake_fw_release(&f);
}

static void test_convert_fails(void **state)
{
	(void)state;
	struct fake_fw f;
	fake_fw_init(&f, 20);
	struct exitbs_map map;
	assert_int_equal(exitbs_alloc_map(&f.fw, &map, NULL), EXITBS_OK);
	struct convert_seen seen = {.result = false, .fake = &f};
	assert_int_equal(exitbs_exit(&f.fw, &map, record_convert, &seen, NULL),
	                 EXITBS_ERR_CONVERT);
	assert_int_equal(seen.calls, 1);
	fake_fw_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_happy_path),
		cmocka_unit_test(test_alloc_fails),
		cmocka_unit_test(test_map_outgrows_buffer_then_full),
		cmocka_unit_test(test_map_too_small_again_and_again),
		cmocka_unit_test(test_exit_refused_once),
		cmocka_unit_test(test_exit_refused_always),
		cmocka_unit_test(test_exit_other_error),
		cmocka_unit_test(test_convert_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
