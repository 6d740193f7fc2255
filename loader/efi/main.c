/* main.c: efi_main: read the BLS configuration, pick an entry (menu or default), boot it. */
#include "efi_glue.h"

#include "appark_efi.h"
#include "bli_vars.h"
#include "uki.h"
#include "boot_attempt.h"
#include "boot_log.h"
#include "measure.h"
#include "secure.h"
#include "util.h"

/* The entry list starts with room for this many and doubles when full: no fixed limit. */
#define MAIN_ENTRIES_INITIAL 16u
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
	struct config_entry *items; /* cap entries, from AllocatePool */
	size_t count, cap;
	unsigned skipped;
	bool out_of_memory;
	/* An entry left out for its errors that the `default` line names: booting another entry
	 * in its place without a word would be booting the wrong entry. */
	bool default_broken;
	char broken_default[CONFIG_ID_MAX];
	bool xbootldr;              /* listing the XBOOTLDR partition now */
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

/* Room for one more entry: the list doubles (AllocatePool, copy, free). */
static bool main_entries_grow(struct main_entries *es)
{
	if (es->count < es->cap)
		return true;
	size_t cap = es->cap ? es->cap * 2 : MAIN_ENTRIES_INITIAL;
	struct config_entry *items = AllocatePool(cap * sizeof(struct config_entry));
	if (!items)
		return false;
	if (es->items) {
		util_memcpy(items, es->items, es->count * sizeof(struct config_entry));
		FreePool(es->items);
	}
	es->items = items;
	es->cap = cap;
	return true;
}

/* list_dir callback: parse one entry file; a broken entry is reported and left out. */
static void main_add_entry(void *ctx, const char *name)
{
	struct main_entries *es = ctx;
	struct fw *fw = es->fw;
	if (!config_is_entry_file_name(name))
		return;
	char path[CONFIG_PATH_MAX];
	struct util_sb sb;
	util_sb_init(&sb, path, sizeof(path));
	util_sb_str(&sb, MAIN_ENTRIES_DIR "/");
	util_sb_str(&sb, name);
	/* list_dir writes '?' for what is not ASCII; '?' cannot be in a FAT name otherwise. */
	for (const char *c = name; *c; c++) {
		if (*c == '?') {
			boot_log_error(fw, NULL, path,
			               "file name has characters other than ASCII (shown as '?'): "
			               "tagboot cannot open it; rename the file: left out");
			es->skipped++;
			return;
		}
	}
	if (util_strlen(MAIN_ENTRIES_DIR "/") + util_strlen(name) + 1 > sizeof(path)) {
		struct boot_log_line line;
		boot_log_begin(&line, true);
		util_sb_str(&line.sb, MAIN_ENTRIES_DIR "/");
		util_sb_str(&line.sb, name);
		util_sb_str(&line.sb, ": path longer than 255 bytes: left out");
		boot_log_end(fw, &line);
		es->skipped++;
		return;
	}
	if (!main_entries_grow(es)) {
		if (!es->out_of_memory)
			boot_log_error(fw, NULL, path, "out of memory for the entry list: this and "
			                               "later entries left out");
		es->out_of_memory = true;
		es->skipped++;
		return;
	}
	uint64_t addr = 0, size = 0;
	enum fw_status st = fw->read_file(fw, path, &addr, &size);
	if (st != FW_OK) {
		const char *why = fw_file_error_str(st);
		boot_log_error(fw, NULL, path, why ? why : fw_status_str(st));
		es->skipped++;
		return;
	}
	/* The enrolled config hash covers the ESP; XBOOTLDR is not read under Secure Boot. */
	if (!es->xbootldr)
		secure_note_file(path, addr, size);
	struct config_entry *e = &es->items[es->count];
	struct config_diag diag;
	config_diag_init(&diag, main_diag_emit, fw);
	bool ok = config_parse_entry(path, (const char *)(uintptr_t)addr, (size_t)size, e, &diag);
	fw->free_pages(fw, addr, fw_pages_for(size));
	if (!ok || e->kind == CONFIG_KIND_NONE) {
		if (ok)
			boot_log_error(fw, e->id, path, "no linux, efi or handoff-kernel line: left out");
		if (e->id[0] && config_default_matches(&main_conf, e->id) && !es->default_broken) {
			es->default_broken = true;
			util_strlcpy(es->broken_default, e->id, sizeof(es->broken_default));
		}
		es->skipped++;
		return;
	}
	/* As systemd-boot: an entry whose kernel or program is not there is not listed. */
	if (!fw->file_exists(fw, e->path)) {
		struct boot_log_line line;
		boot_log_begin(&line, false);
		util_sb_str(&line.sb, "warning: entry '");
		util_sb_str(&line.sb, e->id);
		util_sb_str(&line.sb, "': ");
		util_sb_str(&line.sb, e->path);
		util_sb_str(&line.sb, ": file not found: not listed");
		boot_log_end(fw, &line);
		es->skipped++;
		return;
	}
	e->on_xbootldr = es->xbootldr;
	es->count++;
}

#define MAIN_UKI_DIR "/EFI/Linux"
/* The PE headers and text sections of a UKI come first; .linux and .initrd follow. */
#define MAIN_UKI_HEAD (1024u * 1024u)

/* list_dir callback for /EFI/Linux: a Type #2 entry per unified kernel image (uki.h). */
static void main_add_uki(void *ctx, const char *name)
{
	struct main_entries *es = ctx;
	struct fw *fw = es->fw;
	size_t n = util_strlen(name);
	if (n <= 4 || util_ascii_lower(name[n - 1]) != 'i' || util_ascii_lower(name[n - 2]) != 'f' ||
	    util_ascii_lower(name[n - 3]) != 'e' || name[n - 4] != '.' || !fw->read_head)
		return;
	char path[CONFIG_PATH_MAX];
	struct util_sb sb;
	util_sb_init(&sb, path, sizeof(path));
	util_sb_str(&sb, MAIN_UKI_DIR "/");
	util_sb_str(&sb, name);
	if (sb.truncated || !main_entries_grow(es))
		return;
	uint64_t addr = 0, size = 0, file_size = 0;
	if (fw->read_head(fw, path, MAIN_UKI_HEAD, &addr, &size, &file_size) != FW_OK)
		return;
	const char *why = NULL;
	struct config_entry *e = &es->items[es->count];
	bool ok = uki_entry(path, (const void *)(uintptr_t)addr, (size_t)size, (size_t)file_size, e,
	                    &why);
	fw->free_pages(fw, addr, fw_pages_for(size));
	if (!ok) {
		struct boot_log_line line;
		boot_log_begin(&line, false);
		util_sb_str(&line.sb, "warning: ");
		util_sb_str(&line.sb, path);
		util_sb_str(&line.sb, ": ");
		util_sb_str(&line.sb, why);
		util_sb_str(&line.sb, ": not listed");
		boot_log_end(fw, &line);
		return;
	}
	e->on_xbootldr = es->xbootldr;
	es->count++;
}

/*
 * Entries on the Extended Boot Loader partition ($BOOT) of the loader's disk, as
 * systemd-boot reads them: /loader/entries and /EFI/Linux there, paths relative to it. Not
 * under Secure Boot: the enrolled config hash covers the ESP only.
 */
static void main_add_xbootldr(struct main_entries *es)
{
	struct fw *fw = es->fw;
	if (main_facts.secure_boot || !fw->use_volume || !fw->use_volume(fw, FW_VOLUME_XBOOTLDR))
		return;
	size_t before = es->count;
	es->xbootldr = true;
	fw->list_dir(fw, MAIN_ENTRIES_DIR, main_add_entry, es);
	fw->list_dir(fw, MAIN_UKI_DIR, main_add_uki, es);
	es->xbootldr = false;
	fw->use_volume(fw, FW_VOLUME_ESP);
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "XBOOTLDR partition: ");
	util_sb_u64(&line.sb, es->count - before);
	util_sb_str(&line.sb, es->count - before == 1 ? " entry" : " entries");
	boot_log_end(fw, &line);
}

/* Show the error long enough to be read (a key skips the wait), then give up. */
static EFI_STATUS main_fail(struct fw *fw, EFI_STATUS status)
{
	fw->write(fw, "tagboot: press a key to return to the firmware (10 s)\n");
	uint32_t key;
	fw->read_key(fw, MAIN_ERROR_WAIT_US, &key);
	return status;
}

/*
 * After ExitBootServices only the UART, the runtime variables and ResetSystem are left. The
 * boot-attempt record gets the failing step, so that the next start says what happened and
 * boots another entry (or shows the menu) instead of failing the same way again.
 */
static void main_fail_after_exit(struct fw *fw, const struct config_entry *e, const char *what,
                                 const char *detail) __attribute__((noreturn));
static void main_fail_after_exit(struct fw *fw, const struct config_entry *e, const char *what,
                                 const char *detail)
{
	char step[BOOT_ATTEMPT_STEP_MAX];
	struct util_sb sb;
	util_sb_init(&sb, step, sizeof(step));
	util_sb_str(&sb, what);
	if (detail) {
		util_sb_str(&sb, ": ");
		util_sb_str(&sb, detail);
	}
	fw_uefi_uart_write("tagboot: error: entry '");
	fw_uefi_uart_write(e->id);
	fw_uefi_uart_write("': after ExitBootServices: ");
	fw_uefi_uart_write(step);
	boot_attempt_record(fw, e->id, step);
	fw_uefi_uart_write("\ntagboot: resetting; the next start will not boot this entry again on "
	                   "its own\n");
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
	/* The boot device record: the volume the kernel is read from (a block read, so only for
	 * the boots that hand it on). */
	if (e->on_xbootldr)
		fw_uefi_volume_id(main_uefi.xbootldr_device, &main_facts.xbootldr_id);
	else
		fw_uefi_volume_id(main_uefi.loaded_image ? main_uefi.loaded_image->DeviceHandle : NULL,
		                  &main_facts.esp_id);
	if (!boot_native_prepare(bn, fw, e, &main_facts)) {
		FreePool(bn);
		return main_fail(fw, EFI_LOAD_ERROR);
	}
	unaccepted_allow(fw);
	measure_native_final(fw, bn);
	if (!boot_native_rehearse(bn)) {
		FreePool(bn);
		return main_fail(fw, EFI_LOAD_ERROR);
	}
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
		main_fail_after_exit(fw, e, step, tb_status_str(bn->convert_status));
	}
	main_fail_after_exit(fw, e, exitbs_error_str(xe), fw_status_str(st));
}

static EFI_STATUS main_reboot_to_firmware(struct fw *fw);

/* *returned: the entry was a program that ran and exited with success (back to the menu). */
static EFI_STATUS main_boot(struct fw *fw, struct config_entry *e, const struct bli_choice *choice,
                            bool *returned)
{
	*returned = false;
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "booting entry '");
	util_sb_str(&line.sb, e->id);
	util_sb_str(&line.sb, "': ");
	util_sb_str(&line.sb, e->kind == CONFIG_KIND_FIRMWARE_SETUP ? "firmware setup" : e->path);
	boot_log_end(fw, &line);
	if (!secure_check_entry(fw, main_facts.secure_boot, &main_conf, e))
		return main_fail(fw, EFI_SECURITY_VIOLATION);
	if (e->kind == CONFIG_KIND_FIRMWARE_SETUP)
		return main_fail(fw, main_reboot_to_firmware(fw));
	/* Every file of the entry is on its own volume. */
	if (fw->use_volume)
		fw->use_volume(fw, e->on_xbootldr ? FW_VOLUME_XBOOTLDR : FW_VOLUME_ESP);
	/* Boot counting and the Boot Loader Interface: before anything starts (bli_vars.h). */
	if (!bli_booting(fw, e, choice))
		boot_log(fw, "warning: boot counting: cannot rename the entry file; booting anyway");
	if (config_entry_is_native(e))
		return main_boot_native(fw, e);
	if (!chainload_run(fw, &main_uefi, e, &main_facts))
		return main_fail(fw, EFI_LOAD_ERROR);
	*returned = true;
	return EFI_SUCCESS;
}

/* Started by a tagboot that is chainloading (boot_attempt.h): refuse, before reading the
 * configuration that would boot the same entry again. */
static bool main_nested(struct fw *fw)
{
	char parent[CONFIG_ID_MAX];
	size_t size = sizeof(parent) - 1;
	if (!fw->get_variable || fw->get_variable(fw, FW_VAR_TAGBOOT, BOOT_ATTEMPT_NESTED_VARIABLE, parent, &size) !=
	                                 FW_OK)
		return false;
	parent[size < sizeof(parent) ? size : sizeof(parent) - 1] = '\0';
	for (char *p = parent; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
			*p = '?';
	struct boot_log_line line;
	boot_log_begin(&line, true);
	util_sb_str(&line.sb, "started by tagboot's entry '");
	util_sb_str(&line.sb, parent);
	util_sb_str(&line.sb, "', which chainloads tagboot: a tagboot inside tagboot would boot the "
	                      "same entry again; refused, returning to the first tagboot");
	boot_log_end(fw, &line);
	return true;
}

/*
 * A record of the previous boot (boot_attempt.h) means that entry never reached its kernel:
 * say so, and do not boot it again on its own: the next entry in menu order instead, or, when
 * there is no other, the menu without a countdown.
 */
static size_t main_after_failed_boot(struct fw *fw, struct config_loader *conf,
                                     const struct config_entry *entries, size_t n, size_t pick)
{
	struct boot_attempt a;
	if (!boot_attempt_take(fw, &a))
		return pick;
	bool menu = false;
	size_t next = boot_attempt_fallback(entries, n, pick, a.entry, &menu);
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "warning: the last boot of entry '");
	util_sb_str(&line.sb, a.entry);
	util_sb_str(&line.sb, "' did not reach its kernel (failed at: ");
	util_sb_str(&line.sb, a.step);
	util_sb_str(&line.sb, "); ");
	if (menu) {
		util_sb_str(&line.sb, "no other entry: showing the menu");
		conf->timeout = 0;
		conf->menu_force = true;
	} else if (next != pick) {
		util_sb_str(&line.sb, "booting '");
		util_sb_str(&line.sb, entries[next].id);
		util_sb_str(&line.sb, "' instead");
	} else {
		util_sb_str(&line.sb, "it is not the default, booting '");
		util_sb_str(&line.sb, entries[next].id);
		util_sb_str(&line.sb, "'");
	}
	boot_log_end(fw, &line);
	return next;
}

/* The Boot Loader Interface's facts about tagboot and the firmware (bli_vars.h). */
static void main_announce(struct fw *fw, EFI_SYSTEM_TABLE *st)
{
	static char own[CONFIG_PATH_MAX];
	char uuid[37];
	uint8_t guid[16];
	struct bli_loader_info info = {
		.firmware_vendor = main_facts.platform.firmware_vendor,
		.firmware_revision = main_facts.platform.firmware_revision,
		.uefi_revision = st->Hdr.Revision,
	};
	if (fw_uefi_own_path(&main_uefi, own, sizeof(own)))
		info.image_path = own;
	if (fw_uefi_partition_guid(&main_uefi, guid)) {
		bli_guid_string(guid, uuid);
		info.part_uuid = uuid;
	}
	bli_announce(fw, &info);
}

/* EFI_OS_INDICATIONS_BOOT_TO_FW_UI (UEFI 2.10 8.5.4): asked for in OsIndications, honoured
 * by the firmware at the next reset. */
#define MAIN_BOOT_TO_FW_UI 1ull

static bool main_firmware_setup_supported(struct fw *fw)
{
	uint64_t v = 0;
	size_t size = sizeof(v);
	return fw->get_variable(fw, FW_VAR_GLOBAL, "OsIndicationsSupported", &v, &size) == FW_OK &&
	       size == sizeof(v) && (v & MAIN_BOOT_TO_FW_UI);
}

static EFI_STATUS main_reboot_to_firmware(struct fw *fw)
{
	uint64_t v = 0;
	size_t size = sizeof(v);
	if (fw->get_variable(fw, FW_VAR_GLOBAL, "OsIndications", &v, &size) != FW_OK ||
	    size != sizeof(v))
		v = 0;
	v |= MAIN_BOOT_TO_FW_UI;
	if (fw->set_variable(fw, FW_VAR_GLOBAL, "OsIndications", false, &v, sizeof(v)) != FW_OK) {
		boot_log_error(fw, "auto-reboot-to-firmware-setup", NULL,
		               "cannot set OsIndications");
		return EFI_DEVICE_ERROR;
	}
	boot_log(fw, "rebooting into the firmware setup");
	RT->ResetSystem(EfiResetCold, EFI_SUCCESS, 0, NULL);
	return EFI_DEVICE_ERROR;
}

/*
 * systemd-boot's automatic entries (`auto-entries`, `auto-firmware`, both on by default),
 * listed after the configured ones and never chosen as the default: the EFI shell when
 * /shellx64.efi exists, and a reboot into the firmware setup when the firmware offers it.
 */
static void main_add_auto_entries(struct main_entries *es)
{
	struct fw *fw = es->fw;
	if (main_conf.auto_entries && fw->file_exists(fw, "/shellx64.efi") &&
	    main_entries_grow(es)) {
		struct config_entry *e = &es->items[es->count++];
		util_memset(e, 0, sizeof(*e));
		util_strlcpy(e->id, "auto-efi-shell", sizeof(e->id));
		util_strlcpy(e->title, "EFI Shell", sizeof(e->title));
		util_strlcpy(e->path, "/shellx64.efi", sizeof(e->path));
		e->kind = CONFIG_KIND_EFI;
		e->is_auto = true;
	}
	if (main_conf.auto_firmware && main_firmware_setup_supported(fw) && main_entries_grow(es)) {
		struct config_entry *e = &es->items[es->count++];
		util_memset(e, 0, sizeof(*e));
		util_strlcpy(e->id, "auto-reboot-to-firmware-setup", sizeof(e->id));
		util_strlcpy(e->title, "Reboot Into Firmware Interface", sizeof(e->title));
		e->kind = CONFIG_KIND_FIRMWARE_SETUP;
		e->is_auto = true;
	}
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

	/* No wait here: the tagboot that started this one reports it and waits. */
	if (main_nested(fw))
		return EFI_ABORTED;

	main_read_loader_conf(fw, &main_conf);
	main_announce(fw, st);
	struct bli_requests req;
	bli_read_requests(fw, &req, &main_conf);
	struct main_entries es = {.fw = fw};
	enum fw_status ls = fw->list_dir(fw, MAIN_ENTRIES_DIR, main_add_entry, &es);
	/* Type #2 entries. A UKI verifies itself (the firmware checks its signature), so it is
	 * not part of the enrolled config hash. */
	if (fw->list_dir(fw, MAIN_UKI_DIR, main_add_uki, &es) == FW_OK)
		ls = FW_OK;
	main_add_xbootldr(&es);
	if (es.count > 0)
		ls = FW_OK;
	if (!secure_check_config(fw, main_facts.secure_boot)) {
		if (es.items)
			FreePool(es.items);
		return main_fail(fw, EFI_SECURITY_VIOLATION);
	}
	if (es.count == 0) {
		boot_log_error(fw, NULL, MAIN_ENTRIES_DIR,
		               ls == FW_OK ? "no usable boot entry (*.conf)"
		                           : "cannot list the directory (missing?)");
		if (es.items)
			FreePool(es.items);
		return main_fail(fw, EFI_NOT_FOUND);
	}
	/* All entries are read and sorted before the default is chosen: nothing is cut off. */
	config_sort_entries(es.items, es.count);
	main_add_auto_entries(&es);
	bli_publish_entries(fw, es.items, es.count);
	struct bli_choice choice;
	size_t pick = bli_select(&main_conf, &req, es.items, es.count, &choice);
	struct config_loader conf = main_conf;
	bool default_found = false;
	for (size_t i = 0; i < es.count; i++)
		default_found = default_found || config_default_matches(&main_conf, es.items[i].id);
	if (es.default_broken && !default_found) {
		/* With a menu the user chooses; without one, say so and return to the firmware. */
		struct boot_log_line line;
		boot_log_begin(&line, true);
		util_sb_str(&line.sb, "the default entry '");
		util_sb_str(&line.sb, es.broken_default);
		util_sb_str(&line.sb, "' was left out for the errors above; not booting another entry "
		                      "in its place");
		if (conf.timeout == 0 && !conf.menu_force) {
			boot_log_end(fw, &line);
			FreePool(es.items);
			return main_fail(fw, EFI_LOAD_ERROR);
		}
		util_sb_str(&line.sb, " without asking: the menu waits");
		boot_log_end(fw, &line);
		conf.timeout = 0;
		conf.menu_force = true;
	}
	pick = main_after_failed_boot(fw, &conf, es.items, es.count, pick);
	/* timeout 0 and menu-hidden: a key already pressed shows the menu after all. */
	uint32_t key = FW_KEY_NONE;
	if (conf.timeout == 0 && !conf.menu_force && !conf.menu_disabled &&
	    fw->read_key(fw, 0, &key) == FW_OK)
		conf.menu_force = true;
	EFI_STATUS status;
	for (;;) {
		if (!conf.menu_disabled && (conf.timeout != 0 || conf.menu_force)) {
			size_t proposed = pick;
			pick = menu_run(fw, &conf, es.items, es.count, pick,
			                main_conf.editor && !main_facts.secure_boot);
			/* The user chose: not the one-shot boot any more (it is remembered). */
			if (pick != proposed)
				choice.oneshot = false;
		}
		bool returned = false;
		status = main_boot(fw, &es.items[pick], &choice, &returned);
		/* A program that exited comes back to the menu, as in systemd-boot. */
		if (!returned)
			break;
		conf.timeout = 0;
		conf.menu_force = true;
		conf.menu_disabled = false;
	}
	FreePool(es.items);
	return status;
}
