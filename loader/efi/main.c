/* main.c: efi_main: read the BLS configuration, pick an entry (menu or default), boot it. */
#include "efi_glue.h"

#include "appark_efi.h"
#include "boot_log.h"
#include "measure.h"
#include "secure.h"
#include "util.h"

#define MAIN_MAX_ENTRIES 64u
#define MAIN_ENTRIES_DIR "/loader/entries"
#define MAIN_LOADER_CONF "/loader/loader.conf"
/* How long an error stays on screen before tagboot returns to the firmware. */
#define MAIN_ERROR_WAIT_US (10ull * 1000000ull)

/* Not on the firmware's stack; the native boot's 13 KiB state is allocated when it is needed
 * (a static would be stored as zeros in the image). */
static struct fw main_fw;
static struct fw_uefi main_uefi;
static struct boot_facts main_facts;
static struct config_loader main_conf;

struct main_entries {
	struct fw *fw;
	struct config_entry *items; /* MAIN_MAX_ENTRIES, from AllocatePool */
	size_t count;
	unsigned skipped;
};

static void main_diag_emit(void *ctx, int level, const char *msg)
{
	struct fw *fw = ctx;
	struct boot_log_line line;
	boot_log_begin(&line, level == CONFIG_LEVEL_ERROR);
	if (level != CONFIG_LEVEL_ERROR)
		util_sb_str(&line.sb, "warning: ");
	util_sb_str(&line.sb, msg);
	boot_log_end(fw, &line);
}

static void main_log_firmware(struct fw *fw, EFI_SYSTEM_TABLE *st, const struct boot_facts *f)
{
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "tagboot " TAGBOOT_VERSION_STRING " on ");
	util_sb_str(&line.sb, f->platform.firmware_vendor);
	util_sb_str(&line.sb, " rev ");
	util_sb_hex(&line.sb, f->platform.firmware_revision);
	util_sb_str(&line.sb, ", UEFI ");
	util_sb_u64(&line.sb, st->Hdr.Revision >> 16);
	util_sb_char(&line.sb, '.');
	util_sb_u64(&line.sb, (st->Hdr.Revision & 0xffff) / 10);
	util_sb_str(&line.sb, ", platform ");
	util_sb_str(&line.sb, tb_platform_name(f->platform.kind));
	if (f->secure_boot)
		util_sb_str(&line.sb, ", Secure Boot on");
	boot_log_end(fw, &line);
}

/* loader.conf is optional: without it, no menu and the first entry. */
static void main_read_loader_conf(struct fw *fw, struct config_loader *conf)
{
	util_memset(conf, 0, sizeof(*conf));
	uint64_t addr = 0, size = 0;
	enum fw_status st = fw->read_file(fw, MAIN_LOADER_CONF, &addr, &size);
	if (st != FW_OK) {
		if (st != FW_NOT_FOUND)
			boot_log_error(fw, NULL, MAIN_LOADER_CONF, fw_status_str(st));
		return;
	}
	secure_note_file(MAIN_LOADER_CONF, addr, size);
	struct config_diag diag;
	config_diag_init(&diag, main_diag_emit, fw);
	config_parse_loader(MAIN_LOADER_CONF, (const char *)(uintptr_t)addr, (size_t)size, conf,
	                    &diag);
	fw->free_pages(fw, addr, fw_pages_for(size));
}

static bool main_ends_with_conf(const char *name)
{
	size_t n = util_strlen(name);
	if (n <= 5)
		return false;
	const char *ext = name + n - 5;
	return ext[0] == '.' && util_ascii_lower(ext[1]) == 'c' && util_ascii_lower(ext[2]) == 'o' &&
	       util_ascii_lower(ext[3]) == 'n' && util_ascii_lower(ext[4]) == 'f';
}

/* list_dir callback: parse one entry file; a broken entry is reported and left out. */
static void main_add_entry(void *ctx, const char *name)
{
	struct main_entries *es = ctx;
	struct fw *fw = es->fw;
	if (!main_ends_with_conf(name))
		return;
	char path[CONFIG_PATH_MAX];
	struct util_sb sb;
	util_sb_init(&sb, path, sizeof(path));
	util_sb_str(&sb, MAIN_ENTRIES_DIR "/");
	util_sb_str(&sb, name);
	if (es->count >= MAIN_MAX_ENTRIES) {
		boot_log_error(fw, NULL, path, "too many entries (at most 64): left out");
		es->skipped++;
		return;
	}
	uint64_t addr = 0, size = 0;
	enum fw_status st = fw->read_file(fw, path, &addr, &size);
	if (st != FW_OK) {
		boot_log_error(fw, NULL, path, fw_status_str(st));
		es->skipped++;
		return;
	}
	secure_note_file(path, addr, size);
	struct config_entry *e = &es->items[es->count];
	struct config_diag diag;
	config_diag_init(&diag, main_diag_emit, fw);
	bool ok = config_parse_entry(path, (const char *)(uintptr_t)addr, (size_t)size, e, &diag);
	fw->free_pages(fw, addr, fw_pages_for(size));
	if (!ok || e->kind == CONFIG_KIND_NONE) {
		if (ok)
			boot_log_error(fw, e->id, path, "no linux, efi or handoff-kernel line: left out");
		es->skipped++;
		return;
	}
	es->count++;
}

/* Show the error long enough to be read (a key skips the wait), then give up. */
static EFI_STATUS main_fail(struct fw *fw, EFI_STATUS status)
{
	fw->write(fw, "tagboot: press a key to return to the firmware (10 s)\n");
	uint32_t key;
	fw->read_key(fw, MAIN_ERROR_WAIT_US, &key);
	return status;
}

/* After ExitBootServices only the UART and ResetSystem are left. */
static void main_fail_after_exit(const char *what, const char *detail) __attribute__((noreturn));
static void main_fail_after_exit(const char *what, const char *detail)
{
	fw_uefi_uart_write("tagboot: error: after ExitBootServices: ");
	fw_uefi_uart_write(what);
	if (detail) {
		fw_uefi_uart_write(": ");
		fw_uefi_uart_write(detail);
	}
	fw_uefi_uart_write("\ntagboot: resetting\n");
	RT->ResetSystem(EfiResetCold, EFI_LOAD_ERROR, 0, NULL);
	for (;;)
		__asm__ volatile("cli; hlt");
}

static EFI_STATUS main_boot_native(struct fw *fw, const struct config_entry *e)
{
	struct boot_native *bn = AllocatePool(sizeof(*bn));
	if (!bn) {
		boot_log_error(fw, e->id, e->path, "out of memory for the boot state");
		return main_fail(fw, EFI_OUT_OF_RESOURCES);
	}
	if (!boot_native_prepare(bn, fw, e, &main_facts)) {
		FreePool(bn);
		return main_fail(fw, EFI_LOAD_ERROR);
	}
	unaccepted_allow(fw);
	measure_native_final(fw, bn);
	boot_log(fw, "exiting boot services");
	enum fw_status st = FW_OK;
	enum exitbs_error xe = boot_native_exit(bn, &st);
	if (xe == EXITBS_OK && bn->is_linux)
		jump_to_kernel(bn->gdtr_addr, bn->cr3, bn->stack_top, bn->linux.params,
		               bn->entry_point, BOOT_LINUX_CS | BOOT_LINUX_DS << 16);
	if (xe == EXITBS_OK)
		jump_to_kernel(bn->gdtr_addr, bn->cr3, bn->stack_top, bn->handoff_addr,
		               bn->entry_point, BOOT_NATIVE_CS | BOOT_NATIVE_DS << 16);
	if (bn->map.attempts == 0) {
		struct boot_log_line line;
		boot_log_begin(&line, true);
		util_sb_str(&line.sb, "entry '");
		util_sb_str(&line.sb, e->id);
		util_sb_str(&line.sb, "': memory map: ");
		util_sb_str(&line.sb, exitbs_error_str(xe));
		util_sb_str(&line.sb, ": ");
		util_sb_str(&line.sb, fw_status_str(st));
		boot_log_end(fw, &line);
		FreePool(bn);
		return main_fail(fw, EFI_LOAD_ERROR);
	}
	if (xe == EXITBS_ERR_CONVERT) {
		const char *step = bn->out.failed_step ? bn->out.failed_step : "handoff";
		fw_uefi_uart_write("tagboot: error: handoff: ");
		fw_uefi_uart_write(step);
		if (bn->out.report.error[0]) {
			fw_uefi_uart_write(": ");
			fw_uefi_uart_write(bn->out.report.error);
		}
		fw_uefi_uart_write("\n");
		main_fail_after_exit("cannot build the handoff", tb_status_str(bn->convert_status));
	}
	main_fail_after_exit(exitbs_error_str(xe), fw_status_str(st));
}

static EFI_STATUS main_boot(struct fw *fw, const struct config_entry *e)
{
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "booting entry '");
	util_sb_str(&line.sb, e->id);
	util_sb_str(&line.sb, "': ");
	util_sb_str(&line.sb, e->path);
	boot_log_end(fw, &line);
	if (!secure_check_entry(fw, main_facts.secure_boot, &main_conf, e))
		return main_fail(fw, EFI_SECURITY_VIOLATION);
	if (config_entry_is_native(e))
		return main_boot_native(fw, e);
	if (!chainload_run(fw, &main_uefi, e, &main_facts))
		return main_fail(fw, EFI_LOAD_ERROR);
	return EFI_SUCCESS;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	main_facts.tsc_entry = facts_read_tsc();
	InitializeLib(image, st);
	/* The firmware's 5-minute watchdog would reset a machine waiting in the menu. */
	BS->SetWatchdogTimer(0, 0, 0, NULL);
	struct fw *fw = &main_fw;
	fw_uefi_init(fw, &main_uefi, image, st);
	facts_collect(st, &main_facts);
	main_facts.park_aps = appark_efi_park;
	main_log_firmware(fw, st, &main_facts);
	measure_init(fw, &main_facts);
	if (!main_uefi.root) {
		boot_log_error(fw, NULL, NULL, "cannot open the loader's volume (SimpleFileSystem)");
		return main_fail(fw, EFI_NOT_FOUND);
	}

	main_read_loader_conf(fw, &main_conf);
	struct main_entries es = {.fw = fw};
	es.items = AllocatePool(MAIN_MAX_ENTRIES * sizeof(struct config_entry));
	if (!es.items) {
		boot_log_error(fw, NULL, NULL, "out of memory for the entry list");
		return main_fail(fw, EFI_OUT_OF_RESOURCES);
	}
	enum fw_status ls = fw->list_dir(fw, MAIN_ENTRIES_DIR, main_add_entry, &es);
	if (!secure_check_config(fw, main_facts.secure_boot)) {
		FreePool(es.items);
		return main_fail(fw, EFI_SECURITY_VIOLATION);
	}
	if (es.count == 0) {
		boot_log_error(fw, NULL, MAIN_ENTRIES_DIR,
		               ls == FW_OK ? "no usable boot entry (*.conf)"
		                           : "cannot list the directory (missing?)");
		FreePool(es.items);
		return main_fail(fw, EFI_NOT_FOUND);
	}
	config_sort_entries(es.items, es.count);
	size_t pick = config_select_default(&main_conf, es.items, es.count);
	if (main_conf.timeout != 0 || main_conf.menu_force)
		pick = menu_run(fw, &main_conf, es.items, es.count, pick);
	EFI_STATUS status = main_boot(fw, &es.items[pick]);
	FreePool(es.items);
	return status;
}
