/* test_bli.c: the Boot Loader Interface: UTF-16 values, identifiers, LoaderEntries, timeouts, what tagboot announces, what it honours and in which order, boot counting's rename. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bli_vars.h"
#include "boot_handoff.h"
#include "fake_fw.h"

static struct fake_fw f;
static struct config_entry es[4];

static void entry(struct config_entry *e, const char *file)
{
	struct config_diag d;
	config_diag_init(&d, NULL, NULL);
	assert_true(config_parse_entry(file, "efi /x.efi\n", 11, e, &d));
}

static int setup(void **state)
{
	(void)state;
	fake_fw_init(&f, 10);
	memset(es, 0, sizeof(es));
	entry(&es[0], "/loader/entries/debian-6.1.conf");
	entry(&es[1], "/loader/entries/arch+2-1.conf");
	entry(&es[2], "/loader/entries/memtest.conf");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_fw_release(&f);
	return 0;
}

/* A string variable set by the OS (bootctl writes UTF-16 with a NUL). */
static void os_sets(const char *name, const char *value)
{
	uint8_t buf[256];
	size_t n = bli_utf16(value, buf, sizeof(buf));
	assert_int_not_equal(n, 0);
	assert_int_equal(f.fw.set_variable(&f.fw, FW_VAR_LOADER, name, false, buf, n), FW_OK);
}

/* The ASCII text of a BLI variable tagboot set ("" when absent). */
static const char *value_of(const char *name)
{
	static char text[256];
	struct fake_var *v = fake_var_find_in(&f, FW_VAR_LOADER, name);
	if (!v)
		return "";
	assert_true(bli_ascii(v->data, v->size, text, sizeof(text)));
	return text;
}

static void test_values(void **state)
{
	(void)state;
	uint8_t buf[16];
	assert_int_equal(bli_utf16("ab", buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "a\0b\0\0\0", 6);
	assert_int_equal(bli_utf16("abcdefgh", buf, sizeof(buf)), 0);
	char out[8];
	assert_true(bli_ascii(buf, 6, out, sizeof(out)));
	assert_string_equal(out, "ab");
	assert_true(bli_ascii(buf, 4, out, sizeof(out))); /* without its NUL */
	assert_false(bli_ascii(buf, 5, out, sizeof(out)));
	const uint8_t nonascii[] = {0xe9, 0x00, 0x00, 0x01, 0, 0};
	assert_false(bli_ascii(nonascii, 6, out, sizeof(out)));
	char name[64];
	bli_entry_name(&es[1], name, sizeof(name));
	assert_string_equal(name, "arch.conf");
	assert_true(bli_entry_matches(&es[0], "debian-6.1.conf"));
	assert_true(bli_entry_matches(&es[0], "debian-6.1"));
	assert_true(bli_entry_matches(&es[0], "debian-*"));
	assert_false(bli_entry_matches(&es[0], "arch.conf"));
	assert_false(bli_entry_matches(&es[0], ".conf"));
	uint8_t list[128];
	size_t n = bli_entry_list(es, 2, list, sizeof(list));
	assert_int_equal(n, 2 * (16 + 10));
	assert_memory_equal(list, "d\0e\0b\0i\0a\0n\0-\0006\0.\0001\0.\0c\0o\0n\0f\0\0\0", 32);
	const uint8_t g[16] = {0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
	                       0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
	char s[37];
	bli_guid_string(g, s);
	assert_string_equal(s, "12345678-9abc-def0-0123-456789abcdef");
}

static void test_timeouts(void **state)
{
	(void)state;
	struct config_loader c;
	memset(&c, 0, sizeof(c));
	assert_true(bli_apply_timeout("7", false, &c));
	assert_int_equal(c.timeout, 7);
	assert_false(c.menu_force);
	assert_true(bli_apply_timeout("menu-force", false, &c));
	assert_true(c.menu_force);
	assert_true(bli_apply_timeout("menu-hidden", false, &c));
	assert_true(c.menu_hidden);
	assert_false(c.menu_force);
	assert_true(bli_apply_timeout("0", true, &c));
	assert_true(c.menu_force);
	assert_true(bli_apply_timeout("99999", false, &c));
	assert_int_equal(c.timeout, CONFIG_TIMEOUT_MAX);
	assert_false(bli_apply_timeout("soon", false, &c));
}

static void test_announce(void **state)
{
	(void)state;
	struct bli_loader_info info = {
		.firmware_vendor = "EDK II", .firmware_revision = 0x10000,
		.uefi_revision = (2u << 16) | 70u, .image_path = "/EFI/BOOT/BOOTX64.EFI",
		.part_uuid = "12345678-9abc-def0-0123-456789abcdef",
	};
	bli_announce(&f.fw, &info);
	assert_string_equal(value_of("LoaderInfo"), "tagboot " TAGBOOT_VERSION_STRING);
	assert_string_equal(value_of("LoaderFirmwareInfo"), "EDK II 1.00");
	assert_string_equal(value_of("LoaderFirmwareType"), "UEFI 2.70");
	assert_string_equal(value_of("LoaderImageIdentifier"), "\\EFI\\BOOT\\BOOTX64.EFI");
	assert_string_equal(value_of("LoaderDevicePartUUID"), "12345678-9abc-def0-0123-456789abcdef");
	struct fake_var *v = fake_var_find_in(&f, FW_VAR_LOADER, "LoaderFeatures");
	assert_non_null(v);
	assert_int_equal(v->size, 8);
	uint64_t bits;
	memcpy(&bits, v->data, 8);
	assert_int_equal(bits, BLI_FEATURES_TAGBOOT);
	/* Only what tagboot does: no random seed, drivers, devicetree. */
	assert_int_equal(bits & (BLI_FEATURE_RANDOM_SEED | BLI_FEATURE_LOAD_DRIVER |
	                         BLI_FEATURE_DEVICETREE), 0);
	assert_int_equal(bits & BLI_FEATURE_XBOOTLDR, BLI_FEATURE_XBOOTLDR);
	assert_true(v->volatile_only);
	/* Without a GPT partition: no LoaderDevicePartUUID at all. */
	fake_fw_release(&f);
	fake_fw_init(&f, 10);
	info.part_uuid = NULL;
	bli_announce(&f.fw, &info);
	assert_null(fake_var_find_in(&f, FW_VAR_LOADER, "LoaderDevicePartUUID"));
}

/* Precedence: one-shot (consumed), LoaderEntryDefault, `default`, the first entry. */
static void test_select(void **state)
{
	(void)state;
	struct config_loader c;
	struct config_diag d;
	config_diag_init(&d, NULL, NULL);
	assert_true(config_parse_loader("l", "default memtest\ntimeout 3\n", 26, &c, &d));
	struct bli_requests r;
	struct bli_choice ch;
	bli_read_requests(&f.fw, &r, &c);
	assert_int_equal(bli_select(&c, &r, es, 3, &ch), 2);
	assert_false(ch.saved);
	os_sets("LoaderEntryDefault", "arch.conf");
	bli_read_requests(&f.fw, &r, &c);
	assert_int_equal(bli_select(&c, &r, es, 3, &ch), 1);
	os_sets("LoaderEntryOneShot", "debian-6.1.conf");
	os_sets("LoaderConfigTimeout", "9");
	bli_read_requests(&f.fw, &r, &c);
	assert_int_equal(bli_select(&c, &r, es, 3, &ch), 0);
	assert_int_equal(c.timeout, 9);
	/* The one-shot is gone once read: the next boot is back to LoaderEntryDefault. */
	assert_null(fake_var_find_in(&f, FW_VAR_LOADER, "LoaderEntryOneShot"));
	bli_read_requests(&f.fw, &r, &c);
	assert_int_equal(bli_select(&c, &r, es, 3, &ch), 1);
	/* A name that matches nothing falls through. */
	os_sets("LoaderEntryDefault", "gone.conf");
	bli_read_requests(&f.fw, &r, &c);
	assert_int_equal(bli_select(&c, &r, es, 3, &ch), 2);
	/* LoaderConfigTimeoutOneShot: consumed, the menu shown. */
	os_sets("LoaderConfigTimeoutOneShot", "0");
	bli_read_requests(&f.fw, &r, &c);
	assert_true(c.menu_force);
	assert_null(fake_var_find_in(&f, FW_VAR_LOADER, "LoaderConfigTimeoutOneShot"));
}

/* `default @saved`: the entry booted last, remembered at boot (only when it changed), not by a
 * one-shot boot, forgotten once @saved is no longer in use; LoaderEntryDefault wins over it. */
static void test_saved(void **state)
{
	(void)state;
	struct config_loader c;
	struct config_diag d;
	config_diag_init(&d, NULL, NULL);
	assert_true(config_parse_loader("l", "default @saved\n", 15, &c, &d));
	assert_true(c.default_saved);
	struct bli_requests r;
	struct bli_choice ch;
	bli_read_requests(&f.fw, &r, &c);
	assert_int_equal(bli_select(&c, &r, es, 3, &ch), 0);
	assert_true(ch.saved);
	assert_false(ch.oneshot);
	assert_true(bli_booting(&f.fw, &es[2], &ch));
	assert_string_equal(value_of("LoaderEntryLastBooted"), "memtest.conf");
	assert_false(fake_var_find_in(&f, FW_VAR_LOADER, "LoaderEntryLastBooted")->volatile_only);
	assert_string_equal(value_of("LoaderEntrySelected"), "memtest.conf");
	bli_read_requests(&f.fw, &r, &c);
	assert_int_equal(bli_select(&c, &r, es, 3, &ch), 2);
	/* The same entry again: no write. */
	f.log_len = 0;
	assert_true(bli_booting(&f.fw, &es[2], &ch));
	assert_int_equal((int)(strchr(f.log, 'V') != NULL), 1); /* LoaderEntrySelected only */
	assert_string_equal(strchr(f.log, 'V') + 1, "");
	/* A one-shot boot is not remembered. */
	os_sets("LoaderEntryOneShot", "debian-6.1.conf");
	bli_read_requests(&f.fw, &r, &c);
	assert_int_equal(bli_select(&c, &r, es, 3, &ch), 0);
	assert_true(ch.oneshot);
	assert_true(bli_booting(&f.fw, &es[0], &ch));
	assert_string_equal(value_of("LoaderEntryLastBooted"), "memtest.conf");
	/* LoaderEntryDefault=@saved (bootctl set-default @saved) works the same way. */
	config_diag_init(&d, NULL, NULL);
	assert_true(config_parse_loader("l", "default arch\n", 13, &c, &d));
	os_sets("LoaderEntryDefault", "@saved");
	bli_read_requests(&f.fw, &r, &c);
	assert_int_equal(bli_select(&c, &r, es, 3, &ch), 2);
	assert_true(ch.saved);
	/* Another LoaderEntryDefault: loader.conf's @saved no longer applies, the saved entry is
	 * forgotten at the next boot. */
	config_diag_init(&d, NULL, NULL);
	assert_true(config_parse_loader("l", "default @saved\n", 15, &c, &d));
	os_sets("LoaderEntryDefault", "arch.conf");
	bli_read_requests(&f.fw, &r, &c);
	assert_int_equal(bli_select(&c, &r, es, 3, &ch), 1);
	assert_false(ch.saved);
	/* (es[1] is boot-counted and has no file here: boot es[0] to see the variable go.) */
	assert_true(bli_booting(&f.fw, &es[0], &ch));
	assert_null(fake_var_find_in(&f, FW_VAR_LOADER, "LoaderEntryLastBooted"));
}

/* Boot counting: renamed before the boot, LoaderBootCountPath names the new file. */
static void test_counting(void **state)
{
	(void)state;
	const struct bli_choice none = {0};
	fake_add_file(&f, "/loader/entries/arch+2-1.conf", "x", 1);
	assert_true(bli_booting(&f.fw, &es[1], &none));
	assert_true(fake_file_exists(&f.fw, "/loader/entries/arch+1-2.conf"));
	assert_false(fake_file_exists(&f.fw, "/loader/entries/arch+2-1.conf"));
	assert_string_equal(value_of("LoaderBootCountPath"), "\\loader\\entries\\arch+1-2.conf");
	assert_string_equal(es[1].file, "/loader/entries/arch+1-2.conf");
	assert_int_equal(es[1].count.left, 1);
	assert_true(bli_booting(&f.fw, &es[1], &none));
	assert_true(fake_file_exists(&f.fw, "/loader/entries/arch+0-3.conf"));
	/* No tries left: not renamed again. */
	assert_true(bli_booting(&f.fw, &es[1], &none));
	assert_true(fake_file_exists(&f.fw, "/loader/entries/arch+0-3.conf"));
	/* An entry without counters is never renamed; a failed rename is reported. */
	f.log_len = 0;
	assert_true(bli_booting(&f.fw, &es[0], &none));
	assert_null(strchr(f.log, 'R'));
	struct config_entry gone;
	entry(&gone, "/loader/entries/gone+3.conf");
	assert_false(bli_booting(&f.fw, &gone, &none));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeouts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_announce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_select, setup, teardown),
		cmocka_unit_test_setup_teardown(test_saved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counting, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
