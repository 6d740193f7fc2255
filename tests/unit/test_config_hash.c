/* test_config_hash.c: the enrolled config hash (canonical form, order, overflow) and the Secure Boot policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "config_hash.h"
#include "secure_policy.h"
#include "sha256.h"
#include "util.h"

static const char conf_text[] = "default x\ntimeout 0\n";
static const char entry_text[] = "title x\nhandoff-kernel /k.elf\n";

/* Computed once on the host with Python's hashlib over the canonical text
 * "<sha256(entry)>  /loader/entries/x.conf\n<sha256(conf)>  /loader/loader.conf\n". */
static const char expected_hex[] =
	"87f3b1422e406285d4f2ddf851bb785c5d30d0b0dbbbd415ffc2156b91446256";

static struct config_hash_set set; /* large: not on the stack */

static void hash_hex(uint8_t digest[32], char out[65])
{
	sha256_format_hex(digest, out);
}

/* Files added loader.conf first: the sorted canonical form puts the entry first. */
static void test_known_digest(void **state)
{
	(void)state;
	config_hash_init(&set);
	config_hash_add(&set, "/loader/loader.conf", conf_text, strlen(conf_text));
	config_hash_add(&set, "/loader/entries/x.conf", entry_text, strlen(entry_text));
	uint8_t d[32];
	char hex[65];
	assert_true(config_hash_final(&set, d));
	hash_hex(d, hex);
	assert_string_equal(hex, expected_hex);
}

/* The same canonical text built here with snprintf gives the same digest (independent of the
 * module's own line formatting). */
static void test_canonical_text(void **state)
{
	(void)state;
	char he[65], hc[65], text[512];
	uint8_t de[32], dc[32], want[32], got[32];
	sha256_digest(entry_text, strlen(entry_text), de);
	sha256_digest(conf_text, strlen(conf_text), dc);
	hash_hex(de, he);
	hash_hex(dc, hc);
	int n = snprintf(text, sizeof text, "%s  /loader/entries/x.conf\n%s  /loader/loader.conf\n",
	                 he, hc);
	sha256_digest(text, (size_t)n, want);
	config_hash_init(&set);
	config_hash_add(&set, "/loader/entries/x.conf", entry_text, strlen(entry_text));
	config_hash_add(&set, "/loader/loader.conf", conf_text, strlen(conf_text));
	assert_true(config_hash_final(&set, got));
	assert_memory_equal(got, want, 32);
}

/* Any order of reading gives one hash; a changed byte or a planted file changes it. */
static void test_order_and_changes(void **state)
{
	(void)state;
	const char *names[3] = {"/loader/entries/b.conf", "/loader/entries/a.conf",
	                        "/loader/loader.conf"};
	uint8_t first[32], d[32];
	static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
	                                 {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	for (int o = 0; o < 6; o++) {
		config_hash_init(&set);
		for (int i = 0; i < 3; i++)
			config_hash_add(&set, names[orders[o][i]], names[orders[o][i]],
			                strlen(names[orders[o][i]]));
		assert_true(config_hash_final(&set, o == 0 ? first : d));
		if (o)
			assert_memory_equal(d, first, 32);
	}
	config_hash_init(&set);
	config_hash_add(&set, names[0], "x", 1);
	config_hash_add(&set, names[1], names[1], strlen(names[1]));
	config_hash_add(&set, names[2], names[2], strlen(names[2]));
	assert_true(config_hash_final(&set, d));
	assert_memory_not_equal(d, first, 32);
	config_hash_init(&set);
	for (int i = 0; i < 3; i++)
		config_hash_add(&set, names[i], names[i], strlen(names[i]));
	config_hash_add(&set, "/loader/entries/planted.conf", "", 0);
	assert_true(config_hash_final(&set, d));
	assert_memory_not_equal(d, first, 32);
}

static void test_overflow(void **state)
{
	(void)state;
	config_hash_init(&set);
	for (unsigned i = 0; i < CONFIG_HASH_MAX_FILES; i++)
		config_hash_add(&set, "/loader/entries/n.conf", "", 0);
	uint8_t d[32];
	assert_true(config_hash_final(&set, d));
	config_hash_add(&set, "/loader/entries/one-more.conf", "", 0);
	assert_false(config_hash_final(&set, d));
}

static void block_init(struct config_hash_block *b, uint32_t version, uint32_t enrolled)
{
	memset(b, 0, sizeof *b);
	memcpy(b->marker, CONFIG_HASH_MARKER, CONFIG_HASH_MARKER_SIZE);
	b->version = version;
	b->enrolled = enrolled;
}

static void test_block_state(void **state)
{
	(void)state;
	struct config_hash_block b;
	assert_int_equal(sizeof b, 56);
	block_init(&b, 1, 0);
	assert_int_equal(config_hash_block_state(&b), CONFIG_HASH_NOT_ENROLLED);
	block_init(&b, 1, 1);
	assert_int_equal(config_hash_block_state(&b), CONFIG_HASH_ENROLLED);
	block_init(&b, 2, 1);
	assert_int_equal(config_hash_block_state(&b), CONFIG_HASH_BAD_BLOCK);
	block_init(&b, 1, 7);
	assert_int_equal(config_hash_block_state(&b), CONFIG_HASH_BAD_BLOCK);
	memset(&b, 0, sizeof b);
	assert_int_equal(config_hash_block_state(&b), CONFIG_HASH_BAD_BLOCK);
}

static bool run_config_policy(bool sb, const struct config_hash_block *b, char *why, size_t cap)
{
	config_hash_init(&set);
	config_hash_add(&set, "/loader/loader.conf", conf_text, strlen(conf_text));
	config_hash_add(&set, "/loader/entries/x.conf", entry_text, strlen(entry_text));
	struct util_sb sb_why;
	util_sb_init(&sb_why, why, cap);
	return secure_policy_config(sb, b, &set, &sb_why);
}

static void test_policy_config(void **state)
{
	(void)state;
	struct config_hash_block b;
	char why[512];
	const char *why_where;
	block_init(&b, 1, 1);
	assert_true(sha256_parse_hex(expected_hex, 64, b.sha256, NULL));
	assert_true(run_config_policy(true, &b, why, sizeof why));
	assert_string_equal(why, "");
	b.sha256[31] ^= 1;
	assert_false(run_config_policy(true, &b, why, sizeof why));
	why_where = strstr(why, "config hash mismatch: enrolled ");
	assert_non_null(why_where);
	assert_non_null(strstr(why, expected_hex)); /* names what the files hash to */
	/* Secure Boot off: the same mismatch is reported but does not stop the boot. */
	assert_true(run_config_policy(false, &b, why, sizeof why));
	assert_non_null(strstr(why, "config hash mismatch"));
	block_init(&b, 1, 0);
	assert_false(run_config_policy(true, &b, why, sizeof why));
	assert_non_null(strstr(why, "no enrolled config hash"));
	assert_true(run_config_policy(false, &b, why, sizeof why));
	block_init(&b, 3, 1);
	assert_false(run_config_policy(true, &b, why, sizeof why));
	assert_non_null(strstr(why, "damaged"));
}

static bool run_entry_policy(bool sb, const struct config_loader *conf,
                             const struct config_entry *e, char *why, size_t cap)
{
	struct util_sb sb_why;
	util_sb_init(&sb_why, why, cap);
	why[0] = 0;
	return secure_policy_entry(sb, conf, e, &sb_why);
}

static void test_policy_entry(void **state)
{
	(void)state;
	static struct config_entry e;
	struct config_loader conf;
	char why[512];
	memset(&conf, 0, sizeof conf);
	memset(&e, 0, sizeof e);
	e.kind = CONFIG_KIND_HANDOFF;
	strcpy(e.path, "/k.elf");
	assert_false(run_entry_policy(true, &conf, &e, why, sizeof why));
	assert_string_equal(why, "Secure Boot: no kernel-sha256 pin for /k.elf (pin it, or set "
	                         "`secure-boot-unpinned allow` in loader.conf)");
	assert_true(run_entry_policy(false, &conf, &e, why, sizeof why));
	e.has_kernel_sha256 = true;
	assert_true(run_entry_policy(true, &conf, &e, why, sizeof why));
	e.module_count = 2;
	strcpy(e.modules[0].path, "/m0");
	e.modules[0].has_sha256 = true;
	strcpy(e.modules[1].path, "/m1");
	assert_false(run_entry_policy(true, &conf, &e, why, sizeof why));
	assert_non_null(strstr(why, "no module-sha256 pin for module /m1 "));
	conf.secure_boot_unpinned = true;
	assert_true(run_entry_policy(true, &conf, &e, why, sizeof why));
	conf.secure_boot_unpinned = false;
	/* Chainloads: the firmware verifies them in LoadImage. */
	e.kind = CONFIG_KIND_EFI;
	e.has_kernel_sha256 = false;
	assert_true(run_entry_policy(true, &conf, &e, why, sizeof why));
	/* A native Linux boot bypasses LoadImage: pinned like a handoff kernel. */
	e.kind = CONFIG_KIND_LINUX;
	e.module_count = 0;
	assert_true(run_entry_policy(true, &conf, &e, why, sizeof why)); /* efi-stub */
	e.linux_protocol = CONFIG_LINUX_NATIVE;
	strcpy(e.path, "/vmlinuz");
	assert_false(run_entry_policy(true, &conf, &e, why, sizeof why));
	assert_non_null(strstr(why, "no kernel-sha256 pin for /vmlinuz"));
	e.has_kernel_sha256 = true;
	assert_true(run_entry_policy(true, &conf, &e, why, sizeof why));
	/* The firmware-bug emulator: refused under Secure Boot even pinned and with the opt-out. */
	e.ap_park = CONFIG_AP_PARK_MAILBOX_UNREPORTED;
	conf.secure_boot_unpinned = true;
	assert_false(run_entry_policy(true, &conf, &e, why, sizeof why));
	assert_non_null(strstr(why, "mailbox-unreported"));
	assert_true(run_entry_policy(false, &conf, &e, why, sizeof why));
	e.kind = CONFIG_KIND_HANDOFF;
	assert_false(run_entry_policy(true, &conf, &e, why, sizeof why));
}

static void test_parse_opt_out(void **state)
{
	(void)state;
	struct config_loader conf;
	struct config_diag diag;
	const char *allow = "secure-boot-unpinned allow\n";
	config_diag_init(&diag, NULL, NULL);
	assert_true(config_parse_loader("loader.conf", allow, strlen(allow), &conf, &diag));
	assert_true(conf.secure_boot_unpinned);
	const char *deny = "secure-boot-unpinned deny\n";
	assert_true(config_parse_loader("loader.conf", deny, strlen(deny), &conf, &diag));
	assert_false(conf.secure_boot_unpinned);
	assert_true(conf.has_secure_boot_unpinned);
	const char *bad = "secure-boot-unpinned yes\n";
	config_diag_init(&diag, NULL, NULL);
	assert_false(config_parse_loader("loader.conf", bad, strlen(bad), &conf, &diag));
	assert_false(conf.secure_boot_unpinned);
	assert_string_equal(diag.first_error,
	                    "loader.conf:1: key 'secure-boot-unpinned': expected allow or deny");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_digest),   cmocka_unit_test(test_canonical_text),
		cmocka_unit_test(test_order_and_changes), cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_block_state),    cmocka_unit_test(test_policy_config),
		cmocka_unit_test(test_parse_opt_out),  cmocka_unit_test(test_policy_entry),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
