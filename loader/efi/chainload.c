/* chainload.c: `efi` and `linux` entries: LoadImage + StartImage, initrd through LoadFile2. */
#include "efi_glue.h"

#include "boot_attempt.h"
#include "boot_log.h"
#include "initrd.h"
#include "measure.h"
#include "shield.h"
#include "utf16.h"
#include "util.h"

/* LINUX_EFI_INITRD_MEDIA_GUID (Linux include/linux/efi.h; systemd-boot uses the same): the
 * EFI stub asks for the LoadFile2 protocol on a vendor media device path with this GUID. */
#define CHAINLOAD_INITRD_MEDIA_GUID \
	{0x5568e427, 0x68fc, 0x4f3d, {0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68}}
/* EFI_LOAD_FILE2_PROTOCOL_GUID (UEFI 2.10 13.2); same function table as LoadFile. */
#define CHAINLOAD_LOAD_FILE2_GUID \
	{0x4006c0c1, 0xfcb3, 0x403e, {0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d}}

struct chainload_initrd_path {
	VENDOR_DEVICE_PATH vendor;
	EFI_DEVICE_PATH end;
} __attribute__((packed));

/* The initrd served to the stub; one at a time (a chainloaded image that returns is done). */
static struct {
	EFI_LOAD_FILE_PROTOCOL protocol;
	struct chainload_initrd_path path;
	EFI_HANDLE handle;
	uint64_t addr, pages, size;
} chainload_initrd;

static void chainload_error(struct fw *fw, const struct config_entry *e, const char *file,
                            const char *what, EFI_STATUS status)
{
	struct boot_log_line line;
	boot_log_begin(&line, true);
	util_sb_str(&line.sb, "entry '");
	util_sb_str(&line.sb, e->id);
	util_sb_str(&line.sb, "': ");
	util_sb_str(&line.sb, file);
	util_sb_str(&line.sb, ": ");
	util_sb_str(&line.sb, what);
	if (status != EFI_SUCCESS) {
		util_sb_str(&line.sb, ": ");
		util_sb_str(&line.sb, fw_status_str(fw_uefi_status(status)));
		util_sb_str(&line.sb, " (EFI status ");
		util_sb_hex(&line.sb, status);
		util_sb_char(&line.sb, ')');
	}
	boot_log_end(fw, &line);
}

static EFI_STATUS EFIAPI chainload_initrd_load(EFI_LOAD_FILE_PROTOCOL *self, EFI_DEVICE_PATH *path,
                                               BOOLEAN boot_policy, UINTN *size, VOID *buf)
{
	(void)self;
	(void)path;
	if (boot_policy)
		return EFI_UNSUPPORTED;
	if (!size)
		return EFI_INVALID_PARAMETER;
	if (!buf || *size < chainload_initrd.size) {
		*size = chainload_initrd.size;
		return EFI_BUFFER_TOO_SMALL;
	}
	util_memcpy(buf, (const void *)(uintptr_t)chainload_initrd.addr, chainload_initrd.size);
	*size = chainload_initrd.size;
	return EFI_SUCCESS;
}

static void chainload_initrd_remove(struct fw *fw)
{
	EFI_GUID lf2 = CHAINLOAD_LOAD_FILE2_GUID, dp = DEVICE_PATH_PROTOCOL;
	if (chainload_initrd.handle) {
		BS->UninstallProtocolInterface(chainload_initrd.handle, &lf2, &chainload_initrd.protocol);
		BS->UninstallProtocolInterface(chainload_initrd.handle, &dp, &chainload_initrd.path);
		chainload_initrd.handle = NULL;
	}
	if (chainload_initrd.pages)
		fw->free_pages(fw, chainload_initrd.addr, chainload_initrd.pages);
	chainload_initrd.pages = 0;
}

/* Read every initrd, concatenate them (initrd.c) and publish the result on the initrd media
 * device path. */
static bool chainload_initrd_install(struct fw *fw, const struct config_entry *e)
{
	struct initrd_image img;
	const char *failed = NULL;
	enum fw_status st = initrd_load(fw, e, UINT64_MAX, &img, &failed);
	if (st != FW_OK) {
		const char *why = failed ? fw_file_error_str(st) : NULL;
		chainload_error(fw, e, failed ? failed : e->initrd[0],
		                why ? why : failed ? "cannot read initrd" : "cannot allocate the initrd",
		                0);
		return false;
	}
	chainload_initrd.addr = img.addr;
	chainload_initrd.pages = img.pages;
	chainload_initrd.size = img.size;
	chainload_initrd.protocol.LoadFile = chainload_initrd_load;
	EFI_GUID media = CHAINLOAD_INITRD_MEDIA_GUID;
	struct chainload_initrd_path *p = &chainload_initrd.path;
	p->vendor.Header.Type = MEDIA_DEVICE_PATH;
	p->vendor.Header.SubType = MEDIA_VENDOR_DP;
	p->vendor.Header.Length[0] = sizeof(VENDOR_DEVICE_PATH);
	p->vendor.Header.Length[1] = 0;
	p->vendor.Guid = media;
	p->end.Type = END_DEVICE_PATH_TYPE;
	p->end.SubType = END_ENTIRE_DEVICE_PATH_SUBTYPE;
	p->end.Length[0] = sizeof(EFI_DEVICE_PATH);
	p->end.Length[1] = 0;
	EFI_GUID lf2 = CHAINLOAD_LOAD_FILE2_GUID, dp = DEVICE_PATH_PROTOCOL;
	/* InstallProtocolInterface does not refuse a second handle with the same device path, so
	 * ask as the stub will: if LoadFile2 is already found on the initrd media path, another
	 * program publishes an initrd and the stub could get either; do not serve a second one. */
	EFI_DEVICE_PATH *probe = (EFI_DEVICE_PATH *)p;
	EFI_HANDLE other = NULL;
	if (BS->LocateDevicePath(&lf2, &probe, &other) == EFI_SUCCESS && other &&
	    probe->Type == END_DEVICE_PATH_TYPE) {
		chainload_error(fw, e, e->initrd[0],
		                "another program already publishes an initrd on the Linux initrd "
		                "media path (LoadFile2); refusing to publish a second one",
		                0);
		chainload_initrd_remove(fw);
		return false;
	}
	chainload_initrd.handle = NULL;
	EFI_STATUS s = BS->InstallProtocolInterface(&chainload_initrd.handle, &dp,
	                                            EFI_NATIVE_INTERFACE, p);
	if (s == EFI_SUCCESS)
		s = BS->InstallProtocolInterface(&chainload_initrd.handle, &lf2, EFI_NATIVE_INTERFACE,
		                                 &chainload_initrd.protocol);
	if (s != EFI_SUCCESS) {
		/* Another loader's initrd is already published: do not serve the wrong one. */
		chainload_error(fw, e, e->initrd[0], "cannot install the initrd LoadFile2 protocol", s);
		chainload_initrd_remove(fw);
		return false;
	}
	return true;
}

/* The entry's `options` (UTF-8) as the UTF-16 LoadOptions of the child (NUL included in the
 * size). */
static bool chainload_set_options(EFI_HANDLE child, const struct config_entry *e, CHAR16 **out)
{
	*out = NULL;
	if (e->options[0] == '\0')
		return true;
	size_t n = utf16_units(e->options);
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_LOADED_IMAGE *li = NULL;
	if (BS->HandleProtocol(child, &li_guid, (void **)&li) != EFI_SUCCESS || !li)
		return false;
	CHAR16 *opts = AllocatePool((n + 1) * sizeof(CHAR16));
	if (!opts)
		return false;
	if (utf16_from_utf8(e->options, (uint16_t *)opts, n + 1) != n) {
		FreePool(opts);
		return false;
	}
	li->LoadOptions = opts;
	li->LoadOptionsSize = (UINT32)((n + 1) * sizeof(CHAR16));
	*out = opts;
	return true;
}

/* The shield: the same hazards a native boot tags (firmware AP memory from the MADT mailbox,
 * TDVF metadata or the TDX quirk table, `reserve` lines) become firmware-reserved memory, so
 * that the stub's own GetMemoryMap sees them (shield.h). Allocated at run time: the plan and
 * the ACPI walk are large. NULL when there is nothing to shield or no memory for the plan. */
static struct shield_plan *chainload_shield(struct fw *fw, const struct config_entry *e,
                                            const struct boot_facts *f)
{
	struct shield_plan *plan = AllocatePool(sizeof(*plan));
	struct acpi_info *acpi = AllocatePool(sizeof(*acpi));
	if (!plan || !acpi) {
		boot_log(fw, "warning: shield: out of memory for the plan; nothing shielded");
		if (plan)
			FreePool(plan);
		if (acpi)
			FreePool(acpi);
		return NULL;
	}
	struct tagging_input in;
	util_memset(&in, 0, sizeof(in));
	if (f->rsdp && f->acpi_mem && acpi_parse(f->acpi_mem, f->rsdp, acpi))
		in.acpi = acpi;
	in.platform_kind = f->platform.kind;
	in.tdvf_regions = f->tdvf_regions;
	in.tdvf_region_count = f->tdvf_region_count;
	in.reserves = e->reserves;
	in.reserve_count = e->reserve_count;
	shield_apply(fw, &in, plan);
	measure_shield(fw, plan, &in);
	FreePool(acpi);
	return plan;
}

/* Why the entry's file cannot be chainloaded (not there, a directory, tagboot itself), or
 * NULL. The byte comparison with the loader's own file catches the entry that names
 * BOOTX64.EFI (or a copy of it) before anything starts. */
static const char *chainload_check_target(struct fw *fw, struct fw_uefi *u,
                                          const struct config_entry *e)
{
	uint64_t addr = 0, size = 0;
	enum fw_status st = fw->read_file(fw, e->path, &addr, &size);
	if (st != FW_OK) {
		const char *why = fw_file_error_str(st);
		return why ? why : "cannot read the file";
	}
	const char *verdict = NULL;
	char own[CONFIG_PATH_MAX];
	uint64_t own_addr = 0, own_size = 0;
	/* The loader's own file is on the ESP; an entry on XBOOTLDR is stopped by the mark. */
	if (u->root == u->esp_root && fw_uefi_own_path(u, own, sizeof(own)) &&
	    fw->read_file(fw, own, &own_addr, &own_size) == FW_OK) {
		if (own_size == size &&
		    util_memcmp((const void *)(uintptr_t)addr, (const void *)(uintptr_t)own_addr,
		                (size_t)size) == 0)
			verdict = "is tagboot itself (the same file as the running loader); "
			          "chainloading tagboot would boot this entry again, refused";
		fw->free_pages(fw, own_addr, fw_pages_for(own_size));
	}
	fw->free_pages(fw, addr, fw_pages_for(size));
	return verdict;
}

bool chainload_run(struct fw *fw, struct fw_uefi *u, const struct config_entry *e,
                   const struct boot_facts *facts)
{
	CHAR16 name[CONFIG_PATH_MAX];
	if (!fw_uefi_path16(e->path, name, CONFIG_PATH_MAX) || !u->loaded_image) {
		chainload_error(fw, e, e->path, "cannot build a device path", 0);
		return false;
	}
	EFI_DEVICE_PATH *dp = FileDevicePath(u->device, name);
	if (!dp) {
		chainload_error(fw, e, e->path, "cannot build a device path", 0);
		return false;
	}
	const char *refused = chainload_check_target(fw, u, e);
	if (refused) {
		FreePool(dp);
		chainload_error(fw, e, e->path, refused, 0);
		return false;
	}
	EFI_HANDLE child = NULL;
	EFI_STATUS s = BS->LoadImage(FALSE, u->image, dp, NULL, 0, &child);
	FreePool(dp);
	if (s != EFI_SUCCESS) {
		chainload_error(fw, e, e->path,
		                s == EFI_SECURITY_VIOLATION || s == EFI_ACCESS_DENIED
		                        ? "LoadImage refused the image (Secure Boot?)"
		                        : "LoadImage failed",
		                s);
		return false;
	}
	CHAR16 *opts = NULL;
	if (!chainload_set_options(child, e, &opts)) {
		chainload_error(fw, e, e->path, "cannot set the load options", 0);
		BS->UnloadImage(child);
		return false;
	}
	if (e->kind == CONFIG_KIND_LINUX && e->initrd_count && !chainload_initrd_install(fw, e)) {
		BS->UnloadImage(child);
		if (opts)
			FreePool(opts);
		return false;
	}
	struct shield_plan *shield = chainload_shield(fw, e, facts);
	UINTN exit_size = 0;
	CHAR16 *exit_data = NULL;
	/* A copy of tagboot started below (another file, or by hand from a chainloaded shell)
	 * finds this and refuses: it would read the same ESP and boot this entry again. */
	fw->set_variable(fw, FW_VAR_TAGBOOT, BOOT_ATTEMPT_NESTED_VARIABLE, true, e->id, util_strlen(e->id));
	s = BS->StartImage(child, &exit_size, &exit_data);
	fw->set_variable(fw, FW_VAR_TAGBOOT, BOOT_ATTEMPT_NESTED_VARIABLE, true, NULL, 0);
	chainload_initrd_remove(fw);
	/* The image came back: boot services are still there, give the shielded pages back so
	 * that the next boot option starts from the firmware's own map. */
	if (shield) {
		shield_release(fw, shield);
		FreePool(shield);
	}
	if (exit_data)
		FreePool(exit_data);
	if (opts)
		FreePool(opts);
	if (s != EFI_SUCCESS) {
		chainload_error(fw, e, e->path, "StartImage returned an error", s);
		return false;
	}
	struct boot_log_line line;
	boot_log_begin(&line, false);
	util_sb_str(&line.sb, "entry '");
	util_sb_str(&line.sb, e->id);
	util_sb_str(&line.sb, "' returned success; back to the firmware");
	boot_log_end(fw, &line);
	return true;
}
