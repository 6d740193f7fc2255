/* test_config.c: BLS loader.conf and entry parsing, tagboot keys, diagnostics text, sort order and default selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"

/* Every diagnostic of one parse, one per line, so a test can look for exact messages. */
struct collected {
	char text[8192];
	int levels[64];
	unsigned n;
};

static void collect(void *ctx, int level, const char *msg)
{
	struct collected *c = ctx;
	if (c->n < 64)
		c->levels[c->n] = level;
	c->n++;
	strncat(c->text, msg, sizeof c->text - strlen(c->text) - 2);
	strcat(c->text, "\n");
}

static bool has_msg(const struct collected *c, const char *msg)
{
	char line[400];
	snprintf(line, sizeof line, "%s\n", msg);
	return strstr(c->text, line) != NULL;
}

/* Parse an entry from a C string with a fresh diag collecting into c. */
static bool entry(const char *name, const char *text, struct config_entry *e,
                  struct config_diag *d, struct collected *c)
{
	memset(c, 0, sizeof *c);
	config_diag_init(d, collect, c);
	return config_parse_entry(name, text, strlen(text), e, d);
}

static bool loader(const char *text, struct config_loader *l, struct config_diag *d,
                   struct collected *c)
{
	memset(c, 0, sizeof *c);
	config_diag_init(d, collect, c);
	return config_parse_loader("loader.conf", text, strlen(text), l, d);
}

static void test_loader_keys(void **state)
{
	(void)state;
	struct config_loader l;
	struct config_diag d;
	struct collected c;
	assert_true(loader("default  arch-*\ntimeout 5\nconsole-mode max\neditor no\n", &l, &d, &c));
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 0);
	assert_true(l.has_default);
	assert_string_equal(l.default_pattern, "arch-*");
	assert_true(l.has_timeout);
	assert_int_equal(l.timeout, 5);
	assert_false(l.menu_force);
	assert_true(l.has_console_mode);
	assert_string_equal(l.console_mode, "max");
	assert_true(l.has_editor);
	assert_false(l.editor);

	assert_true(loader("timeout menu-force\neditor 1\nconsole-mode 0\n", &l, &d, &c));
	assert_false(l.has_default);
	assert_true(l.has_timeout);
	assert_true(l.menu_force);
	assert_true(l.editor);
	assert_string_equal(l.console_mode, "0");

	/* Hex timeouts go through the same number parser. */
	assert_true(loader("timeout 0x10\n", &l, &d, &c));
	assert_int_equal(l.timeout, 16);

	const char *yes[] = { "yes", "1", "true" }, *no[] = { "no", "0", "false" };
	for (int i = 0; i < 3; i++) {
		char text[64];
		snprintf(text, sizeof text, "editor %s\n", yes[i]);
		assert_true(loader(text, &l, &d, &c));
		assert_true(l.has_editor && l.editor);
		snprintf(text, sizeof text, "editor %s\n", no[i]);
		assert_true(loader(text, &l, &d, &c));
		assert_true(l.has_editor && !l.editor);
	}
}

static void test_loader_sdboot_and_unknown_keys(void **state)
{
	(void)state;
	struct config_loader l;
	struct config_diag d;
	struct collected c;
	assert_true(loader("auto-entries yes\nauto-firmware no\nbeep yes\nreboot-for-bitlocker no\n"
	                   "secure-boot-enroll off\nrandom-seed-mode always\nfrobnicate 3\n",
	                   &l, &d, &c));
	assert_int_equal(d.errors, 0);
	assert_int_equal(d.warnings, 5);
	/* auto-entries and auto-firmware are honoured (defaults yes, as in systemd-boot). */
	assert_true(l.auto_entries);
	assert_false(l.auto_firmware);
	assert_true(has_msg(&c, "loader.conf:6: key 'random-seed-mode': not used by tagboot"));
	assert_true(has_msg(&c, "loader.conf:7: key 'frobnicate': unknown key, ignored"));
	assert_int_equal(c.levels[0], CONFIG_LEVEL_WARNING);
	assert_string_equal(d.first_error, "");
}

static void test_loader_errors(void **state)
{
	(void)state;
	struct config_loader l;
	struct config_diag d;
	struct collected c;
	assert_false(loader("timeout soon\n", &l, &d, &c));
	assert_string_equal(d.first_error,
	                    "loader.conf:1: key 'timeout': expected seconds, menu-force, menu-hidden or menu-disabled: not a number (decimal, or hex with 0x)");
	assert_false(l.has_timeout);

	assert_false(loader("\n\ntimeout 99999999999999999999\n", &l, &d, &c));
	assert_true(strstr(d.first_error, "loader.conf:3: key 'timeout': ") == d.first_error);

	assert_false(loader("editor maybe\n", &l, &d, &c));
	assert_string_equal(d.first_error,
	                    "loader.conf:1: key 'editor': expected yes, no, true, false, 1 or 0");
	assert_false(l.has_editor);

	assert_false(loader("console-mode huge\n", &l, &d, &c));
	assert_string_equal(d.first_error,
	                    "loader.conf:1: key 'console-mode': expected a mode number, auto, max or keep");

	assert_true(loader("default\n", &l, &d, &c));
	assert_true(has_msg(&c, "loader.conf:1: key 'default': missing value, line ignored"));
	assert_false(l.has_default);

	/* Errors do not stop the parse: every bad line is reported, good lines still count. */
	assert_false(loader("timeout x\neditor what\ndefault a\n", &l, &d, &c));
	assert_int_equal(d.errors, 2);
	assert_true(l.has_default);

	/* A NULL diag still yields the right result. */
	assert_false(config_parse_loader("loader.conf", "timeout x\n", 10, &l, NULL));
	assert_true(config_parse_loader("loader.conf", "timeout 3\n", 10, &l, NULL));
}

static void test_loader_duplicates_last_wins(void **state)
{
	(void)state;
	struct config_loader l;
	struct config_diag d;
	struct collected c;
	assert_true(loader("timeout 3\ntimeout 7\ndefault a\ndefault b\n", &l, &d, &c));
	assert_int_equal(l.timeout, 7);
	assert_string_equal(l.default_pattern, "b");
	assert_int_equal(d.warnings, 2);
	assert_true(has_msg(&c, "loader.conf:2: key 'timeout': given again, the last value wins"));
	/* menu-force then a number: the number wins and menu-force is cleared. */
	assert_true(loader("timeout menu-force\ntimeout 4\n", &l, &d, &c));
	assert_false(l.menu_force);
	assert_int_equal(l.timeout, 4);
}

static void test_text_forms(void **state)
{
	(void)state;
	struct config_loader l;
	struct config_diag d;
	struct collected c;
	/* BOM, CRLF, comments, blank lines, tabs, leading and trailing blanks, no final newline. */
	const char text[] = "\xEF\xBB\xBF# comment\r\n\r\n   \t\r\n\t timeout \t 12 \t\r\n"
	                    "  # indented comment\r\ndefault\tfoo*  ";
	memset(&c, 0, sizeof c);
	config_diag_init(&d, collect, &c);
	assert_true(config_parse_loader("loader.conf", text, sizeof text - 1, &l, &d));
	assert_int_equal(d.warnings, 0);
	assert_int_equal(l.timeout, 12);
	assert_string_equal(l.default_pattern, "foo*");

	/* A BOM anywhere but the start is junk in a key. */
	assert_true(loader("timeout 1\n\xEF\xBB\xBFtimeout 2\n", &l, &d, &c));
	assert_int_equal(l.timeout, 1);
	assert_int_equal(d.warnings, 1);

	/* Empty text and NULL text are valid empty files. */
	assert_true(config_parse_loader("loader.conf", "", 0, &l, &d));
	assert_true(config_parse_loader("loader.conf", NULL, 0, &l, &d));
	assert_false(l.has_timeout);
}

static void test_overlong_and_nul(void **state)
{
	(void)state;
	struct config_loader l;
	struct config_diag d;
	struct collected c;
	/* Exactly CONFIG_LINE_MAX bytes is fine; one more is an error, and only that line. */
	static char text[CONFIG_LINE_MAX + 64];
	size_t n = 0;
	memcpy(text, "default ", 8);
	n = 8;
	while (n < CONFIG_LINE_MAX)
		text[n++] = 'a';
	text[n++] = '\n';
	size_t ok_len = n;
	memset(&c, 0, sizeof c);
	config_diag_init(&d, collect, &c);
	/* The a's do not fit the 127-byte default pattern: that is a value error, not a line error. */
	assert_false(config_parse_loader("loader.conf", text, ok_len, &l, &d));
	assert_string_equal(d.first_error, "loader.conf:1: key 'default': value longer than 127 bytes");

	memcpy(text, "# ", 2);
	memset(&c, 0, sizeof c);
	config_diag_init(&d, collect, &c);
	assert_true(config_parse_loader("loader.conf", text, ok_len, &l, &d));

	n = 0;
	text[n++] = '#';
	while (n < CONFIG_LINE_MAX + 1)
		text[n++] = 'b';
	text[n++] = '\r'; /* the CR is not counted: still one byte too long */
	text[n++] = '\n';
	memcpy(text + n, "timeout 9\n", 10);
	n += 10;
	memset(&c, 0, sizeof c);
	config_diag_init(&d, collect, &c);
	assert_false(config_parse_loader("loader.conf", text, n, &l, &d));
	assert_string_equal(d.first_error, "loader.conf:1: line longer than 4095 bytes");
	assert_int_equal(d.errors, 1);
	assert_int_equal(l.timeout, 9);

	const char nul[] = "timeout 1\ntime\0out 2\n";
	memset(&c, 0, sizeof c);
	config_diag_init(&d, collect, &c);
	assert_false(config_parse_loader("loader.conf", nul, sizeof nul - 1, &l, &d));
	assert_string_equal(d.first_error, "loader.conf:2: NUL byte in line (binary file?)");
	assert_int_equal(l.timeout, 1);
}

static const char *const hex64 =
	"00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";

static void test_entry_linux(void **state)
{
	(void)state;
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	const char *text = "title      Debian GNU/Linux 12\n"
	                   "version    6.1.0-13-amd64\n"
	                   "sort-key   debian\n"
	                   "machine-id 0123456789abcdef0123456789abcdef\n"
	                   "options    root=/dev/sda2 ro\n"
	                   "linux      /vmlinuz-6.1.0-13-amd64\n"
	                   "initrd     /intel-ucode.img\n"
	                   "options    quiet   splash\n"
	                   "initrd     /initrd.img-6.1.0-13-amd64\n"
	                   "architecture X64\n";
	assert_true(entry("/loader/entries/debian-6.1.conf", text, &e, &d, &c));
	assert_int_equal(d.warnings, 0);
	assert_string_equal(e.id, "debian-6.1");
	assert_string_equal(e.title, "Debian GNU/Linux 12");
	assert_string_equal(e.version, "6.1.0-13-amd64");
	assert_string_equal(e.sort_key, "debian");
	assert_string_equal(e.machine_id, "0123456789abcdef0123456789abcdef");
	/* Joined with one space; blanks inside a line are kept as written. */
	assert_string_equal(e.options, "root=/dev/sda2 ro quiet   splash");
	assert_int_equal(e.kind, CONFIG_KIND_LINUX);
	assert_string_equal(e.path, "/vmlinuz-6.1.0-13-amd64");
	assert_int_equal(e.initrd_count, 2);
	assert_string_equal(e.initrd[0], "/intel-ucode.img");
	assert_string_equal(e.initrd[1], "/initrd.img-6.1.0-13-amd64");
	assert_int_equal(e.module_count, 0);
	assert_false(e.has_kernel_sha256);
	assert_int_equal(e.ap_park, CONFIG_AP_PARK_NONE);
}

static void test_entry_efi_and_ids(void **state)
{
	(void)state;
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	assert_true(entry("shell.conf", "efi /EFI/tools/shell.efi\n", &e, &d, &c));
	assert_string_equal(e.id, "shell");
	assert_int_equal(e.kind, CONFIG_KIND_EFI);
	assert_string_equal(e.path, "/EFI/tools/shell.efi");
	assert_true(entry("\\loader\\entries\\win.conf", "efi \\EFI\\win.efi\n", &e, &d, &c));
	assert_string_equal(e.id, "win");

	assert_false(entry("shell.cfg", "efi /a.efi\n", &e, &d, &c));
	assert_string_equal(d.first_error, "shell.cfg: entry file name must be ID.conf");
	assert_false(entry("dir/.conf", "efi /a.efi\n", &e, &d, &c));
	assert_string_equal(d.first_error, "dir/.conf: entry file name must be ID.conf");
}

static void test_entry_handoff(void **state)
{
	(void)state;
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	char text[2048];
	snprintf(text, sizeof text,
	         "title sample\n"
	         "handoff-kernel /tagboot/kernel.elf\n"
	         "kernel-sha256 %s\n"
	         "module /tagboot/initrd.cpio\n"
	         "module-sha256 %s\n"
	         "module /tagboot/extra.bin   root=/dev/x  quiet\n"
	         "reserve 0x100000 4096 bios-scratch\n"
	         "reserve 0xFFFFFFFFFFFFF000 0x1000 top\n"
	         "ap-park mailbox\n"
	         "options console=ttyS0\n",
	         hex64, hex64);
	assert_true(entry("sample.conf", text, &e, &d, &c));
	assert_int_equal(d.warnings, 0);
	assert_int_equal(e.kind, CONFIG_KIND_HANDOFF);
	assert_string_equal(e.path, "/tagboot/kernel.elf");
	assert_true(e.has_kernel_sha256);
	assert_int_equal(e.kernel_sha256[0], 0x00);
	assert_int_equal(e.kernel_sha256[1], 0x11);
	assert_int_equal(e.kernel_sha256[15], 0xff);
	assert_int_equal(e.kernel_sha256[26], 0xAA);
	assert_int_equal(e.kernel_sha256[31], 0xFF);
	assert_int_equal(e.module_count, 2);
	assert_string_equal(e.modules[0].path, "/tagboot/initrd.cpio");
	assert_true(e.modules[0].has_sha256);
	assert_memory_equal(e.modules[0].sha256, e.kernel_sha256, 32);
	assert_string_equal(e.modules[1].path, "/tagboot/extra.bin");
	/* The module string is the rest of the line after the path (Multiboot2 tag 3). */
	assert_string_equal(e.modules[0].string, "");
	assert_string_equal(e.modules[1].string, "root=/dev/x  quiet");
	assert_true(e.has_ap_park);
	assert_false(e.modules[1].has_sha256);
	assert_int_equal(e.reserve_count, 2);
	assert_int_equal(e.reserves[0].base, 0x100000);
	assert_int_equal(e.reserves[0].size, 4096);
	assert_string_equal(e.reserves[0].reason, "bios-scratch");
	/* Ends exactly at 2^64: allowed. */
	assert_int_equal(e.reserves[1].base, 0xFFFFFFFFFFFFF000ull);
	assert_int_equal(e.reserves[1].size, 0x1000);
	assert_int_equal(e.ap_park, CONFIG_AP_PARK_MAILBOX);
	assert_string_equal(e.options, "console=ttyS0");

	assert_true(entry("k.conf", "handoff-kernel /k\nap-park none\nreserve 0 1 x\n", &e, &d, &c));
	assert_int_equal(e.ap_park, CONFIG_AP_PARK_NONE);
	assert_int_equal(e.reserves[0].size, 1);
}

/* One entry file with one bad line: the first error must be exactly `want`. */
static void expect_entry_error(const char *text, const char *want)
{
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	bool ok = entry("e.conf", text, &e, &d, &c);
	if (ok || strcmp(d.first_error, want) != 0)
		fail_msg("for:\n%s\nwant: %s\ngot:  %s (ok=%d)", text, want, d.first_error, ok);
}

/* `linux-protocol native` makes a linux entry tagboot's own boot: pins, reserves, parking. */
static void test_entry_linux_native(void **state)
{
	(void)state;
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	const char *text = "linux /vmlinuz\n"
	                   "linux-protocol native\n"
	                   "initrd /initrd.img\n"
	                   "ap-park mailbox-unreported\n"
	                   "reserve 0x800000 0x6000 tdvf-page-tables\n"
	                   "kernel-sha256 "
	                   "0000000000000000000000000000000000000000000000000000000000000000\n";
	assert_true(entry("n.conf", text, &e, &d, &c));
	assert_int_equal(d.warnings, 0);
	assert_int_equal(e.kind, CONFIG_KIND_LINUX);
	assert_int_equal(e.linux_protocol, CONFIG_LINUX_NATIVE);
	assert_true(config_entry_is_native(&e));
	assert_int_equal(e.ap_park, CONFIG_AP_PARK_MAILBOX_UNREPORTED);
	assert_int_equal(e.reserve_count, 1);
	assert_true(e.has_kernel_sha256);
	/* reserve lines are valid in chainloaded entries too (the shield). */
	assert_true(entry("r.conf", "linux /vmlinuz\nreserve 0x800000 0x6000 tdvf-page-tables\n", &e, &d, &c));
	assert_int_equal(e.reserve_count, 1);
	assert_true(entry("q.conf", "efi /x.efi\nreserve 0x800000 0x6000 x\n", &e, &d, &c));
	assert_int_equal(e.reserve_count, 1);
	/* Without the key, or with efi-stub, today's chainload. */
	assert_true(entry("s.conf", "linux /vmlinuz\nlinux-protocol efi-stub\n", &e, &d, &c));
	assert_int_equal(e.linux_protocol, CONFIG_LINUX_EFI_STUB);
	assert_false(config_entry_is_native(&e));
	assert_true(entry("h.conf", "handoff-kernel /k\n", &e, &d, &c));
	assert_true(config_entry_is_native(&e));
}

static void test_entry_errors(void **state)
{
	(void)state;
	expect_entry_error("title x\n", "e.conf: no linux, efi or handoff-kernel line");
	expect_entry_error("linux /a\nefi /b\n",
	                   "e.conf:2: key 'efi': an entry has exactly one of linux, efi, handoff-kernel");
	expect_entry_error("linux /a\nlinux /b\n",
	                   "e.conf:2: key 'linux': an entry has exactly one of linux, efi, handoff-kernel");
	expect_entry_error("efi /a\ninitrd /i\n", "e.conf:2: key 'initrd': only allowed with linux");
	expect_entry_error("linux /a\n\nmodule /m\n",
	                   "e.conf:3: key 'module': only allowed with handoff-kernel");
	/* Reserving every page would leave nothing to boot with (a reset loop once, found by a
	 * hostile ESP): refused while the loader can still say so. */
	expect_entry_error("handoff-kernel /k\nreserve 0 0xffffffffffffffff x\n",
	                   "e.conf:2: key 'reserve': the range covers all of memory (page-rounded)");
	expect_entry_error("linux /k\nreserve 0x800 0xfffffffffffff7ff x\n",
	                   "e.conf:2: key 'reserve': the range covers all of memory (page-rounded)");
	expect_entry_error("efi /a\nap-park mailbox\n",
	                   "e.conf:2: key 'ap-park': only allowed with handoff-kernel or linux-protocol native");
	expect_entry_error("linux /a\nlinux-protocol efi-stub\nap-park mailbox\n",
	                   "e.conf:3: key 'ap-park': only allowed with handoff-kernel or linux-protocol native");
	expect_entry_error("efi /a\nlinux-protocol native\n",
	                   "e.conf:2: key 'linux-protocol': only allowed with linux");
	expect_entry_error("linux /a\nlinux-protocol bios\n",
	                   "e.conf:2: key 'linux-protocol': expected efi-stub or native");
	expect_entry_error("handoff-kernel /k\nap-park yes\n",
	                   "e.conf:2: key 'ap-park': expected none, mailbox or mailbox-unreported");
	/* A key without a value is skipped, as systemd-boot does: the entry still boots. */
	expect_entry_error("linux\n", "e.conf: no linux, efi or handoff-kernel line");
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	assert_true(entry("e.conf", "handoff-kernel /k\noptions\n", &e, &d, &c));
	assert_true(has_msg(&c, "e.conf:2: key 'options': missing value, line ignored"));
	expect_entry_error("handoff-kernel /k\nkernel-sha256 abc\n",
	                   "e.conf:2: key 'kernel-sha256': expected 64 hex digits (a SHA-256)");
	expect_entry_error("handoff-kernel /k\nkernel-sha256 "
	                   "g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
	                   "e.conf:2: key 'kernel-sha256': not a hex digit in the SHA-256");
	expect_entry_error("handoff-kernel /k\nmodule-sha256 "
	                   "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n",
	                   "e.conf:2: key 'module-sha256': must follow a module line");
	expect_entry_error("handoff-kernel /k\nreserve 0x1000 0x1000\n",
	                   "e.conf:2: key 'reserve': expected BASE SIZE REASON");
	expect_entry_error("handoff-kernel /k\nreserve 0x1000 0x1000 a b\n",
	                   "e.conf:2: key 'reserve': expected BASE SIZE REASON");
	expect_entry_error("handoff-kernel /k\nreserve 0x1000 0 zero\n",
	                   "e.conf:2: key 'reserve': SIZE is 0");
	expect_entry_error("handoff-kernel /k\nreserve 0xZZ 1 x\n",
	                   "e.conf:2: key 'reserve': BASE: not a number (decimal, or hex with 0x)");
	expect_entry_error("handoff-kernel /k\nreserve 1 12a x\n",
	                   "e.conf:2: key 'reserve': SIZE: not a number (decimal, or hex with 0x)");
	expect_entry_error("handoff-kernel /k\nreserve 0xFFFFFFFFFFFFF000 0x1001 x\n",
	                   "e.conf:2: key 'reserve': BASE + SIZE runs past the end of the address space");
	expect_entry_error("handoff-kernel /k\nreserve 0 1 "
	                   "abcdefghijabcdefghijabcdefghijXY\n",
	                   "e.conf:2: key 'reserve': REASON longer than 31 bytes");
	expect_entry_error("handoff-kernel /k\nap-park sometimes\n",
	                   "e.conf:2: key 'ap-park': expected none, mailbox or mailbox-unreported");
	expect_entry_error("linux /a\narchitecture aa64\n",
	                   "e.conf:2: key 'architecture': tagboot boots only x64 entries");
}

static void test_entry_limits(void **state)
{
	(void)state;
	char text[8192];
	size_t n = (size_t)snprintf(text, sizeof text, "linux /vmlinuz\n");
	for (unsigned i = 0; i < CONFIG_INITRD_MAX + 1; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "initrd /i%u\n", i);
	/* initrd number 9 sits on line 1 + 9 = 10. */
	expect_entry_error(text, "e.conf:10: key 'initrd': too many initrd lines (at most 8)");

	n = (size_t)snprintf(text, sizeof text, "handoff-kernel /k\n");
	for (unsigned i = 0; i < CONFIG_MODULE_MAX + 1; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "module /m%u\n", i);
	expect_entry_error(text, "e.conf:10: key 'module': too many module lines (at most 8)");

	n = (size_t)snprintf(text, sizeof text, "handoff-kernel /k\n");
	for (unsigned i = 0; i < CONFIG_RESERVE_MAX + 1; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "reserve %u 4096 r\n", i * 4096);
	expect_entry_error(text, "e.conf:18: key 'reserve': too many reserve lines (at most 16)");

	/* Title: 127 bytes fit, 128 do not. */
	char title[200];
	memset(title, 'T', 127);
	title[127] = '\0';
	snprintf(text, sizeof text, "efi /a\ntitle %s\n", title);
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	assert_true(entry("e.conf", text, &e, &d, &c));
	assert_int_equal(strlen(e.title), 127);
	snprintf(text, sizeof text, "efi /a\ntitle %sT\n", title);
	expect_entry_error(text, "e.conf:2: key 'title': value longer than 127 bytes");

	/* options: the total is capped at 4095 bytes, joins included. */
	static char big[12000];
	char opt[2100];
	memset(opt, 'o', 2047);
	opt[2047] = '\0';
	snprintf(big, sizeof big, "efi /a\noptions %s\noptions %s\n", opt, opt);
	assert_true(entry("e.conf", big, &e, &d, &c));
	assert_int_equal(strlen(e.options), 2047 + 1 + 2047);
	snprintf(big, sizeof big, "efi /a\noptions %s\noptions %s\noptions x\n", opt, opt);
	expect_entry_error(big, "e.conf:4: key 'options': options longer than 4095 bytes in total");
}

static void test_entry_warnings_and_duplicates(void **state)
{
	(void)state;
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	assert_true(entry("e.conf",
	                  "title one\ntitle two\nlinux /v\ndevicetree /x.dtb\nfancy-key 1\n"
	                  "architecture x64\n",
	                  &e, &d, &c));
	assert_string_equal(e.title, "two");
	assert_int_equal(d.warnings, 3);
	assert_true(has_msg(&c, "e.conf:2: key 'title': given again, the last value wins"));
	assert_true(has_msg(&c, "e.conf:4: key 'devicetree': not used by tagboot (x86-64 has no device tree)"));
	assert_true(has_msg(&c, "e.conf:5: key 'fancy-key': unknown key, ignored"));

	/* A second module-sha256 for the same module is an error, not an overwrite. */
	char text[512];
	snprintf(text, sizeof text, "handoff-kernel /k\nmodule /m\nmodule-sha256 %s\nmodule-sha256 %s\n",
	         hex64, hex64);
	expect_entry_error(text, "e.conf:4: key 'module-sha256': this module already has a module-sha256");
	snprintf(text, sizeof text, "handoff-kernel /k\nkernel-sha256 %s\nkernel-sha256 %s\n", hex64,
	         hex64);
	expect_entry_error(text, "e.conf:3: key 'kernel-sha256': given twice");
}

static void test_entry_crlf_bom(void **state)
{
	(void)state;
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	assert_true(entry("e.conf", "\xEF\xBB\xBFtitle  Win \r\nefi \\EFI\\x.efi\r\n# c\r\n", &e, &d,
	                  &c));
	assert_string_equal(e.title, "Win");
	assert_string_equal(e.path, "\\EFI\\x.efi");
	assert_int_equal(d.warnings, 0);
}

/* Fill an entry for the sort tests. */
static void mk(struct config_entry *e, const char *id, const char *sort_key, const char *machine,
               const char *version)
{
	memset(e, 0, sizeof *e);
	strcpy(e->id, id);
	strcpy(e->sort_key, sort_key);
	strcpy(e->machine_id, machine);
	strcpy(e->version, version);
}

static void test_sort_order(void **state)
{
	(void)state;
	static struct config_entry v[9];
	/* Expected order, worked out from the rules:
	 *   with sort-key first, by sort-key: "arch" < "debian";
	 *   within debian, machine-id "aa" < "bb"; within debian/aa, newest version first:
	 *   6.10 > 6.9 > 6.1 (numeric runs);
	 *   then entries without sort-key by id in reverse version order: "zz-memtest" >
	 *   "linux-6.10" > "linux-6.9" > "a-shell" ('z' > 'l' > 'a'; 10 > 9 as numbers). */
	mk(&v[0], "zz-memtest", "", "", "");
	mk(&v[1], "deb-6.1", "debian", "aa", "6.1");
	mk(&v[2], "deb-6.10", "debian", "aa", "6.10");
	mk(&v[3], "a-shell", "", "", "");
	mk(&v[4], "deb-other", "debian", "bb", "9");
	mk(&v[5], "deb-6.9", "debian", "aa", "6.9");
	mk(&v[6], "arch", "arch", "zz", "1");
	mk(&v[7], "linux-6.9", "", "", "");
	mk(&v[8], "linux-6.10", "", "", "");
	const char *want[] = { "arch",       "deb-6.10",  "deb-6.9", "deb-6.1", "deb-other",
		               "zz-memtest", "linux-6.10", "linux-6.9", "a-shell" };
	config_sort_entries(v, 9);
	for (int i = 0; i < 9; i++)
		assert_string_equal(v[i].id, want[i]);
	assert_true(config_entry_compare(&v[0], &v[1]) < 0);
	assert_true(config_entry_compare(&v[8], &v[5]) > 0);
	assert_int_equal(config_entry_compare(&v[2], &v[2]), 0);
	/* Same sort-key, machine-id and version: the id decides, newest first. */
	struct config_entry x, y;
	mk(&x, "k-2", "k", "m", "1");
	mk(&y, "k-10", "k", "m", "1");
	assert_true(config_entry_compare(&y, &x) < 0);
	/* An empty machine-id sorts before a set one. */
	mk(&x, "a", "k", "", "1");
	mk(&y, "b", "k", "m", "1");
	assert_true(config_entry_compare(&x, &y) < 0);
}

static void test_sort_stable(void **state)
{
	(void)state;
	static struct config_entry v[6];
	/* Entries that compare equal keep their input order; the title tells them apart. Ids "a"
	 * and "b" alternate, and "b" sorts first (reverse order). */
	for (int i = 0; i < 6; i++) {
		mk(&v[i], i % 2 ? "b" : "a", "k", "m", "1");
		snprintf(v[i].title, sizeof v[i].title, "t%d", i);
	}
	config_sort_entries(v, 6);
	const char *want[] = { "t1", "t3", "t5", "t0", "t2", "t4" };
	for (int i = 0; i < 6; i++)
		assert_string_equal(v[i].title, want[i]);
	config_sort_entries(v, 0);
	config_sort_entries(v, 1);
	assert_string_equal(v[0].title, "t1");
}

static void test_select_default(void **state)
{
	(void)state;
	static struct config_entry v[4];
	mk(&v[0], "arch", "", "", "");
	mk(&v[1], "debian-6.1", "", "", "");
	mk(&v[2], "debian-6.10", "", "", "");
	mk(&v[3], "shell", "", "", "");
	struct config_loader l;
	memset(&l, 0, sizeof l);
	assert_int_equal(config_select_default(&l, v, 4), 0);
	l.has_default = true;
	strcpy(l.default_pattern, "debian-*");
	assert_int_equal(config_select_default(&l, v, 4), 1);
	strcpy(l.default_pattern, "debian-6.1?");
	assert_int_equal(config_select_default(&l, v, 4), 2);
	strcpy(l.default_pattern, "shell");
	assert_int_equal(config_select_default(&l, v, 4), 3);
	strcpy(l.default_pattern, "shell.conf");
	assert_int_equal(config_select_default(&l, v, 4), 3);
	strcpy(l.default_pattern, "Shell");
	assert_int_equal(config_select_default(&l, v, 4), 0);
	strcpy(l.default_pattern, "nothing*");
	assert_int_equal(config_select_default(&l, v, 4), 0);
	assert_int_equal(config_select_default(&l, v, 0), 0);
}

/* Random bytes (NUL, CR, LF, '#', blanks, high bytes, key fragments): never a crash, and the
 * return value always agrees with the error count. */
static void test_junk(void **state)
{
	(void)state;
	static const char *const frags[] = { "linux ", "initrd ", "module ", "reserve ", "title ",
		                             "timeout ", "default ", "options ", "\r\n", "\n",
		                             "#", " ", "\t", "0x", "-", "efi " };
	uint32_t seed = 2024;
	static char text[4096];
	static struct config_entry e;
	struct config_loader l;
	for (int round = 0; round < 3000; round++) {
		size_t n = 0, want = (seed >> 4) % sizeof text;
		while (n < want) {
			seed = seed * 1103515245u + 12345u;
			unsigned pick = (seed >> 16) % 24;
			if (pick < 16) {
				const char *f = frags[pick];
				size_t fl = strlen(f);
				if (n + fl > want)
					break;
				memcpy(text + n, f, fl);
				n += fl;
			} else {
				text[n++] = (char)(seed >> 8);
			}
		}
		struct config_diag d;
		config_diag_init(&d, NULL, NULL);
		bool ok = config_parse_entry("junk.conf", text, n, &e, &d);
		assert_int_equal(ok, d.errors == 0);
		assert_true(strlen(d.first_error) < CONFIG_MESSAGE_MAX);
		assert_true(strlen(e.options) < CONFIG_OPTIONS_MAX);
		assert_true(e.initrd_count <= CONFIG_INITRD_MAX);
		assert_true(e.module_count <= CONFIG_MODULE_MAX);
		assert_true(e.reserve_count <= CONFIG_RESERVE_MAX);
		config_diag_init(&d, NULL, NULL);
		ok = config_parse_loader("loader.conf", text, n, &l, &d);
		assert_int_equal(ok, d.errors == 0);
	}
}


/* A file of bad lines: CONFIG_DIAG_SHOWN_MAX messages, then one summary with the counts; the
 * counters still see everything. */
static void test_diagnostics_bounded(void **state)
{
	(void)state;
	static char text[200 * 16];
	size_t n = 0;
	for (int i = 0; i < 200; i++)
		n += (size_t)sprintf(text + n, i % 2 ? "bogus%03d x\n" : "reserve x\n", i);
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	memset(&c, 0, sizeof c);
	config_diag_init(&d, collect, &c);
	assert_false(config_parse_entry("bad.conf", text, n, &e, &d));
	assert_int_equal(c.n, CONFIG_DIAG_SHOWN_MAX + 1);
	/* 100 bad reserve lines and, at the end, the entry without a kernel line. */
	assert_int_equal(d.errors, 101);
	assert_int_equal(d.warnings, 100);
	assert_true(has_msg(&c, "bad.conf: 97 more errors and 96 more warnings not shown"));
	assert_int_equal(c.levels[CONFIG_DIAG_SHOWN_MAX], CONFIG_LEVEL_ERROR);
	/* The next file starts with a fresh allowance. */
	memset(&c, 0, sizeof c);
	assert_true(config_parse_entry("good.conf", "efi /a.efi\nbogus x\n", 19, &e, &d));
	assert_int_equal(c.n, 1);
}

/* Control bytes and bytes above 0x7e reach the console as \xNN, never raw. */
static void test_diagnostics_escaped(void **state)
{
	(void)state;
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	entry("esc.conf", "efi /a.efi\n\x1b[2Jkey\xff value\n", &e, &d, &c);
	assert_true(has_msg(&c, "esc.conf:2: key '\\x1b[2Jkey\\xff': unknown key, ignored"));
	for (size_t i = 0; c.text[i]; i++)
		assert_true(c.text[i] == '\n' || (c.text[i] >= 0x20 && c.text[i] < 0x7f));
}

static void test_timeout_bounded(void **state)
{
	(void)state;
	struct config_loader l;
	struct config_diag d;
	struct collected c;
	assert_true(loader("timeout 99999999999\n", &l, &d, &c));
	assert_int_equal(l.timeout, CONFIG_TIMEOUT_MAX);
	assert_true(has_msg(&c, "loader.conf:1: key 'timeout': longer than the maximum of 3600 "
	                        "seconds: waiting 3600"));
	assert_true(loader("timeout 3600\n", &l, &d, &c));
	assert_int_equal(l.timeout, 3600);
	assert_int_equal(c.n, 0);
}

/* FAT has no case: X.CONF is listed and parsed as the entry X. */
static void test_entry_name_case(void **state)
{
	(void)state;
	struct config_entry e;
	struct config_diag d;
	struct collected c;
	assert_true(config_is_entry_file_name("X.CONF"));
	assert_true(config_is_entry_file_name("a.Conf"));
	assert_false(config_is_entry_file_name(".conf"));
	assert_false(config_is_entry_file_name("x.conf.bak"));
	assert_true(entry("/loader/entries/X.CONF", "efi /a.efi\n", &e, &d, &c));
	assert_string_equal(e.id, "X");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader_keys),
		cmocka_unit_test(test_loader_sdboot_and_unknown_keys),
		cmocka_unit_test(test_loader_errors),
		cmocka_unit_test(test_loader_duplicates_last_wins),
		cmocka_unit_test(test_text_forms),
		cmocka_unit_test(test_overlong_and_nul),
		cmocka_unit_test(test_entry_linux),
		cmocka_unit_test(test_entry_efi_and_ids),
		cmocka_unit_test(test_entry_handoff),
		cmocka_unit_test(test_entry_linux_native),
		cmocka_unit_test(test_entry_errors),
		cmocka_unit_test(test_entry_limits),
		cmocka_unit_test(test_entry_warnings_and_duplicates),
		cmocka_unit_test(test_entry_crlf_bom),
		cmocka_unit_test(test_sort_order),
		cmocka_unit_test(test_sort_stable),
		cmocka_unit_test(test_select_default),
		cmocka_unit_test(test_junk),
		cmocka_unit_test(test_diagnostics_bounded),
		cmocka_unit_test(test_diagnostics_escaped),
		cmocka_unit_test(test_timeout_bounded),
		cmocka_unit_test(test_entry_name_case),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
