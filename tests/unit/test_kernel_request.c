/* test_kernel_request.c: the TB_REQUEST note found in ELF files and granted or refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_request.h"

/* An ELF64 header, one PT_LOAD that is not a note, and n_notes PT_NOTE segments, each holding
 * a foreign note and then (if req) the tagboot request. */
static uint8_t file[4096];

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }

static size_t note(uint8_t *p, const char *name, uint32_t namesz, uint32_t type, const void *desc,
                   uint32_t descsz)
{
	put32(p, namesz);
	put32(p + 4, descsz);
	put32(p + 8, type);
	memcpy(p + 12, name, namesz);
	size_t off = 12 + ((namesz + 3u) & ~3u);
	memcpy(p + off, desc, descsz);
	return off + ((descsz + 3u) & ~3u);
}

static size_t make_file(const struct tb_request *req, unsigned n_notes, uint32_t descsz)
{
	memset(file, 0, sizeof file);
	memcpy(file, "\x7f" "ELF", 4);
	put64(file + 32, 64);            /* e_phoff */
	put16(file + 54, 56);            /* e_phentsize */
	put16(file + 56, (uint16_t)(1 + n_notes));
	put32(file + 64, 1);             /* PT_LOAD, ignored */
	size_t data = 64 + 56 * (1 + n_notes);
	for (unsigned i = 0; i < n_notes; i++) {
		uint8_t *ph = file + 64 + 56 * (1 + i);
		size_t start = data;
		static const uint8_t gnu[16] = {1, 2, 3};
		data += note(file + data, "GNU", 4, 3, gnu, 16);
		if (req)
			data += note(file + data, TB_NOTE_NAME, 8, TB_NOTE_REQUEST, req, descsz);
		put32(ph, 4);                    /* PT_NOTE */
		put64(ph + 8, start);            /* p_offset */
		put64(ph + 32, data - start);    /* p_filesz */
		put64(ph + 48, 4);               /* p_align */
	}
	return data;
}

static struct tb_request good(void)
{
	struct tb_request r = {.size = sizeof(r), .min_minor = 1, .direct_map = 1,
	                       .stack_size = 100000};
	return r;
}

static char why_text[256];
static struct util_sb why;

static void reset_why(void)
{
	util_sb_init(&why, why_text, sizeof why_text);
}

static void test_no_note(void **state)
{
	(void)state;
	struct tb_request out;
	bool found = true;
	reset_why();
	size_t n = make_file(NULL, 1, 0);
	assert_true(kernel_request_find(file, n, &out, &found, &why));
	assert_false(found);
	/* Without a note: the 1.0 boot, the entry decides. */
	struct config_entry e;
	memset(&e, 0, sizeof e);
	e.ap_park = CONFIG_AP_PARK_MAILBOX;
	struct kernel_request_grant g;
	assert_true(kernel_request_resolve(&out, found, &e, false, &g, &why));
	assert_false(g.direct_map);
	assert_int_equal(g.stack_size, TB_REQ_STACK_DEFAULT);
	assert_int_equal(g.ap_park, CONFIG_AP_PARK_MAILBOX);
	assert_true(g.framebuffer);
}

static void test_found_and_granted(void **state)
{
	(void)state;
	struct tb_request req = good(), out;
	bool found = false;
	reset_why();
	size_t n = make_file(&req, 1, sizeof req);
	assert_true(kernel_request_find(file, n, &out, &found, &why));
	assert_true(found);
	assert_memory_equal(&out, &req, sizeof req);
	struct kernel_request_grant g;
	assert_true(kernel_request_resolve(&out, found, NULL, true, &g, &why));
	assert_true(g.direct_map);
	assert_int_equal(g.direct_map_offset, TB_DIRECT_MAP_DEFAULT_OFFSET);
	assert_int_equal(g.stack_size, 102400); /* rounded up to pages */
	assert_int_equal(g.ap_park, CONFIG_AP_PARK_NONE);
}

/* A later minor's longer request: the known 32 bytes are read, the rest ignored. */
static void test_longer_descriptor(void **state)
{
	(void)state;
	uint8_t big[48];
	memset(big, 0, sizeof big);
	struct tb_request req = good();
	req.size = sizeof big;
	memcpy(big, &req, sizeof req);
	big[40] = 0xee;
	struct tb_request out;
	bool found = false;
	reset_why();
	size_t n = make_file((const struct tb_request *)(const void *)big, 1, sizeof big);
	assert_true(kernel_request_find(file, n, &out, &found, &why));
	assert_true(found);
	assert_int_equal(out.size, 48);
}

static void expect_find_fails(size_t n, const char *text)
{
	struct tb_request out;
	bool found = false;
	reset_why();
	assert_false(kernel_request_find(file, n, &out, &found, &why));
	assert_non_null(strstr(why_text, text));
}

static void test_malformed_notes(void **state)
{
	(void)state;
	struct tb_request req = good();
	expect_find_fails(make_file(&req, 2, sizeof req), "two tagboot request notes");
	expect_find_fails(make_file(&req, 1, 16), "at least 32");
	req.size = 64;
	expect_find_fails(make_file(&req, 1, 32), "is not between 32");
}

/* Other programs' notes are not ours to judge (1.0 booted such files): a segment outside the
 * file, or a foreign note running past its segment, ends the scan of that segment quietly. */
static void test_foreign_notes_skipped(void **state)
{
	(void)state;
	struct tb_request req = good(), out;
	bool found = true;
	size_t n = make_file(&req, 1, sizeof req);
	put64(file + 64 + 56 + 32, 1u << 20); /* p_filesz past the end of the file */
	reset_why();
	assert_true(kernel_request_find(file, n, &out, &found, &why));
	assert_false(found);
	n = make_file(&req, 1, sizeof req);
	put32(file + 64 + 56 * 2 + 4, 4000); /* the GNU note's descsz runs past the segment */
	reset_why();
	assert_true(kernel_request_find(file, n, &out, &found, &why));
	assert_false(found);
}

/* What gcc -fcf-protection and a plain ld give: .note.gnu.property in a PT_NOTE of alignment 8
 * (descriptor at 16 for namesz 4, the next note 8-aligned), and the tagboot note in its own
 * 4-aligned PT_NOTE. Both read as readelf reads them. */
static void test_gnu_property_align_8(void **state)
{
	(void)state;
	memset(file, 0, sizeof file);
	memcpy(file, "\x7f" "ELF", 4);
	put64(file + 32, 64);
	put16(file + 54, 56);
	put16(file + 56, 2);
	/* segment 0: two 8-aligned GNU property notes, 32 bytes each */
	size_t a = 64 + 56 * 2, off = a;
	for (int k = 0; k < 2; k++) {
		put32(file + off, 4);
		put32(file + off + 4, 16);
		put32(file + off + 8, 5);
		memcpy(file + off + 12, "GNU", 4);
		put32(file + off + 16, 0xc0000002u);
		off += 32;
	}
	put32(file + 64, 4);
	put64(file + 64 + 8, a);
	put64(file + 64 + 32, off - a);
	put64(file + 64 + 48, 8);
	/* segment 1: the request, 4-aligned */
	struct tb_request req = good();
	size_t b = off;
	off += note(file + off, TB_NOTE_NAME, 8, TB_NOTE_REQUEST, &req, sizeof req);
	put32(file + 64 + 56, 4);
	put64(file + 64 + 56 + 8, b);
	put64(file + 64 + 56 + 32, off - b);
	put64(file + 64 + 56 + 48, 4);
	struct tb_request out;
	bool found = false;
	reset_why();
	assert_true(kernel_request_find(file, off, &out, &found, &why));
	assert_true(found);
	assert_memory_equal(&out, &req, sizeof req);
	/* and a file with only the property notes has no request, and no error */
	put16(file + 56, 1);
	assert_true(kernel_request_find(file, off, &out, &found, &why));
	assert_false(found);
}

static void expect_refused(struct tb_request r, bool fb, const char *text)
{
	struct kernel_request_grant g;
	reset_why();
	assert_false(kernel_request_resolve(&r, true, NULL, fb, &g, &why));
	assert_non_null(strstr(why_text, text));
}

static void test_refusals(void **state)
{
	(void)state;
	struct tb_request r = good();
	r.min_minor = 2;
	expect_refused(r, true, "min_minor 2: the kernel needs a newer handoff");
	r = good();
	r.flags = 1;
	expect_refused(r, true, "flags 1");
	r = good();
	r.ap_park = 3;
	expect_refused(r, true, "ap_park 3: no such mode");
	r = good();
	r.framebuffer = 9;
	expect_refused(r, true, "framebuffer 9");
	r = good();
	r.framebuffer = TB_REQ_FRAMEBUFFER_REQUIRED;
	expect_refused(r, false, "required, but the firmware has no graphics output");
	r = good();
	r.direct_map = 2;
	expect_refused(r, true, "direct_map 2");
	r = good();
	r.stack_size = TB_REQ_STACK_MAX + 1;
	expect_refused(r, true, "stack_size");
	r = good();
	r.direct_map_offset_hi = 0x00007fffu; /* lower half */
	expect_refused(r, true, "direct_map_offset");
	r = good();
	r.direct_map_offset_hi = 0xffff8000u;
	r.direct_map_offset_lo = 0x1000u; /* not on a 1 GiB boundary */
	expect_refused(r, true, "1 GiB boundary");
}

/* The entry's ap-park line wins over the note, and the grant says so. */
static void test_entry_overrides_ap_park(void **state)
{
	(void)state;
	struct tb_request r = good();
	r.ap_park = TB_REQ_AP_PARK_MAILBOX;
	struct config_entry e;
	memset(&e, 0, sizeof e);
	struct kernel_request_grant g;
	reset_why();
	assert_true(kernel_request_resolve(&r, true, &e, true, &g, &why));
	assert_int_equal(g.ap_park, CONFIG_AP_PARK_MAILBOX);
	assert_false(g.ap_park_from_entry);
	e.has_ap_park = true;
	e.ap_park = CONFIG_AP_PARK_NONE;
	assert_true(kernel_request_resolve(&r, true, &e, true, &g, &why));
	assert_int_equal(g.ap_park, CONFIG_AP_PARK_NONE);
	assert_true(g.ap_park_from_entry);
	/* framebuffer none: no record */
	r.framebuffer = TB_REQ_FRAMEBUFFER_NONE;
	assert_true(kernel_request_resolve(&r, true, &e, true, &g, &why));
	assert_false(g.framebuffer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_note),
		cmocka_unit_test(test_found_and_granted),
		cmocka_unit_test(test_longer_descriptor),
		cmocka_unit_test(test_malformed_notes),
		cmocka_unit_test(test_foreign_notes_skipped),
		cmocka_unit_test(test_gnu_property_align_8),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_entry_overrides_ap_park),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
