/* fw_uefi.c: the fw.h seam over UEFI boot services (gnu-efi), plus the COM1 UART. */
#include "efi_glue.h"

#include "util.h"

#define FW_UEFI_COM1 0x3f8u
#define FW_UEFI_PATH_MAX 260u
/* EFI_FILE_INFO plus a file name of up to 255 CHAR16s. */
#define FW_UEFI_INFO_SIZE (sizeof(EFI_FILE_INFO) + 512u)

static struct fw_uefi *fw_uefi_of(struct fw *fw)
{
	return (struct fw_uefi *)fw->ctx;
}

enum fw_status fw_uefi_status(EFI_STATUS status)
{
	switch (status) {
	case EFI_SUCCESS: return FW_OK;
	case EFI_BUFFER_TOO_SMALL: return FW_BUFFER_TOO_SMALL;
	case EFI_INVALID_PARAMETER: return FW_INVALID_PARAMETER;
	case EFI_NOT_FOUND: return FW_NOT_FOUND;
	case EFI_OUT_OF_RESOURCES: return FW_OUT_OF_RESOURCES;
	case EFI_NOT_READY: return FW_NOT_READY;
	case EFI_ACCESS_DENIED:
	case EFI_SECURITY_VIOLATION: return FW_ACCESS_DENIED;
	case EFI_TIMEOUT: return FW_TIMEOUT;
	default: return FW_OTHER;
	}
}

static inline void fw_uefi_outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t fw_uefi_inb(uint16_t port)
{
	uint8_t value;
	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static void fw_uefi_uart_putc(char c)
{
	/* Wait (bounded: a missing UART reads 0xff or never drains) for THR empty, LSR bit 5. */
	for (unsigned i = 0; i < 100000u; i++)
		if (fw_uefi_inb(FW_UEFI_COM1 + 5) & 0x20)
			break;
	fw_uefi_outb(FW_UEFI_COM1, (uint8_t)c);
}

void fw_uefi_uart_write(const char *text)
{
	for (; *text; text++) {
		unsigned char c = (unsigned char)*text;
		if (c == '\n')
			fw_uefi_uart_putc('\r');
		/* As on ConOut (fw_uefi_write): no control sequences from ESP text. */
		if ((c < 0x20 && c != '\n' && c != '\r') || c >= 0x7f)
			c = '?';
		fw_uefi_uart_putc((char)c);
	}
}

bool fw_uefi_path16(const char *path, CHAR16 *out, size_t cap)
{
	size_t i = 0;
	for (; path[i]; i++) {
		if (i + 1 >= cap)
			return false;
		out[i] = path[i] == '/' ? u'\\' : (CHAR16)(unsigned char)path[i];
	}
	out[i] = 0;
	return true;
}

static enum fw_status fw_uefi_allocate_pages(struct fw *fw, enum fw_alloc_kind kind,
                                             uint32_t mem_type, uint64_t pages, uint64_t *addr)
{
	if (fw_uefi_of(fw)->exited)
		return FW_OTHER;
	EFI_ALLOCATE_TYPE type = kind == FW_ALLOC_ADDRESS       ? AllocateAddress
	                         : kind == FW_ALLOC_MAX_ADDRESS ? AllocateMaxAddress
	                                                        : AllocateAnyPages;
	EFI_PHYSICAL_ADDRESS a = *addr;
	EFI_STATUS s = BS->AllocatePages(type, (EFI_MEMORY_TYPE)mem_type, pages, &a);
	if (s == EFI_SUCCESS)
		*addr = a;
	return fw_uefi_status(s);
}

static enum fw_status fw_uefi_free_pages(struct fw *fw, uint64_t addr, uint64_t pages)
{
	if (fw_uefi_of(fw)->exited)
		return FW_OTHER;
	return fw_uefi_status(BS->FreePages(addr, pages));
}

static enum fw_status fw_uefi_get_memory_map(struct fw *fw, void *buf, uint64_t *size,
                                             uint64_t *key, uint64_t *desc_size,
                                             uint32_t *desc_version)
{
	(void)fw;
	UINTN sz = *size, k = 0, ds = 0;
	UINT32 ver = 0;
	EFI_STATUS s = BS->GetMemoryMap(&sz, (EFI_MEMORY_DESCRIPTOR *)buf, &k, &ds, &ver);
	*size = sz;
	*key = k;
	*desc_size = ds;
	*desc_version = ver;
	return fw_uefi_status(s);
}

static enum fw_status fw_uefi_exit_boot_services(struct fw *fw, uint64_t key)
{
	struct fw_uefi *u = fw_uefi_of(fw);
	/* From the first call on, failed or not, only the UART is safe to print to. */
	u->exited = true;
	return fw_uefi_status(BS->ExitBootServices(u->image, key));
}

static enum fw_status fw_uefi_open(struct fw_uefi *u, const char *path, EFI_FILE_HANDLE *out)
{
	CHAR16 name[FW_UEFI_PATH_MAX];
	if (u->exited || !u->root)
		return FW_NOT_FOUND;
	if (!fw_uefi_path16(path, name, FW_UEFI_PATH_MAX))
		return FW_INVALID_PARAMETER;
	return fw_uefi_status(u->root->Open(u->root, out, name, EFI_FILE_MODE_READ, 0));
}

static enum fw_status fw_uefi_read_part(struct fw *fw, const char *path, uint64_t max,
                                        uint64_t *addr, uint64_t *size, uint64_t *file_size);

static enum fw_status fw_uefi_read_file(struct fw *fw, const char *path, uint64_t *addr,
                                        uint64_t *size)
{
	uint64_t file_size = 0;
	return fw_uefi_read_part(fw, path, UINT64_MAX, addr, size, &file_size);
}

static enum fw_status fw_uefi_read_part(struct fw *fw, const char *path, uint64_t max,
                                        uint64_t *addr, uint64_t *size, uint64_t *file_size)
{
	struct fw_uefi *u = fw_uefi_of(fw);
	EFI_FILE_HANDLE file;
	enum fw_status st = fw_uefi_open(u, path, &file);
	if (st != FW_OK)
		return st;
	UINT64 info_buf[FW_UEFI_INFO_SIZE / 8 + 1];
	UINTN info_size = sizeof(info_buf);
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	EFI_STATUS s = file->GetInfo(file, &info_guid, &info_size, info_buf);
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)info_buf;
	if (s == EFI_SUCCESS && (info->Attribute & EFI_FILE_DIRECTORY)) {
		file->Close(file);
		return FW_IS_DIRECTORY;
	}
	if (s != EFI_SUCCESS) {
		file->Close(file);
		return fw_uefi_status(s);
	}
	*file_size = info->FileSize;
	uint64_t want = info->FileSize < max ? info->FileSize : max;
	uint64_t pages = fw_pages_for(want);
	EFI_PHYSICAL_ADDRESS a = 0;
	s = BS->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &a);
	if (s != EFI_SUCCESS) {
		file->Close(file);
		return fw_uefi_status(s);
	}
	UINTN got = want;
	s = file->Read(file, &got, (void *)(uintptr_t)a);
	file->Close(file);
	if (s == EFI_SUCCESS && got != want)
		s = EFI_DEVICE_ERROR;
	if (s != EFI_SUCCESS) {
		BS->FreePages(a, pages);
		return fw_uefi_status(s);
	}
	util_memset((uint8_t *)(uintptr_t)a + got, 0, pages * FW_PAGE_SIZE - got);
	*addr = a;
	*size = got;
	return FW_OK;
}

/* SetInfo with a new FileName renames within the directory (UEFI 2.10 13.5.16); then Flush,
 * so that a reset right after still finds the new name (boot counting depends on it). */
static enum fw_status fw_uefi_rename_file(struct fw *fw, const char *path, const char *new_name)
{
	struct fw_uefi *u = fw_uefi_of(fw);
	CHAR16 name[FW_UEFI_PATH_MAX];
	EFI_FILE_HANDLE file;
	if (u->exited || !u->root)
		return FW_NOT_FOUND;
	if (!fw_uefi_path16(path, name, FW_UEFI_PATH_MAX))
		return FW_INVALID_PARAMETER;
	EFI_STATUS s = u->root->Open(u->root, &file, name, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE, 0);
	if (s != EFI_SUCCESS)
		return fw_uefi_status(s);
	UINT64 info_buf[FW_UEFI_INFO_SIZE / 8 + 1];
	UINTN info_size = sizeof(info_buf);
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	s = file->GetInfo(file, &info_guid, &info_size, info_buf);
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)info_buf;
	size_t max = (sizeof(info_buf) - SIZE_OF_EFI_FILE_INFO) / sizeof(CHAR16);
	if (s == EFI_SUCCESS && !fw_uefi_path16(new_name, info->FileName, max))
		s = EFI_INVALID_PARAMETER;
	if (s == EFI_SUCCESS) {
		info->Size = SIZE_OF_EFI_FILE_INFO + (util_strlen(new_name) + 1) * sizeof(CHAR16);
		s = file->SetInfo(file, &info_guid, info->Size, info);
	}
	if (s == EFI_SUCCESS)
		s = file->Flush(file);
	file->Close(file);
	return fw_uefi_status(s);
}

static bool fw_uefi_file_exists(struct fw *fw, const char *path)
{
	EFI_FILE_HANDLE file;
	if (fw_uefi_open(fw_uefi_of(fw), path, &file) != FW_OK)
		return false;
	file->Close(file);
	return true;
}

static enum fw_status fw_uefi_list_dir(struct fw *fw, const char *path, fw_dir_fn fn,
                                       void *fn_ctx)
{
	EFI_FILE_HANDLE dir;
	enum fw_status st = fw_uefi_open(fw_uefi_of(fw), path, &dir);
	if (st != FW_OK)
		return st;
	UINT64 info_buf[FW_UEFI_INFO_SIZE / 8 + 1];
	for (;;) {
		UINTN size = sizeof(info_buf);
		EFI_STATUS s = dir->Read(dir, &size, info_buf);
		if (s != EFI_SUCCESS || size == 0) {
			dir->Close(dir);
			return s == EFI_SUCCESS ? FW_OK : fw_uefi_status(s);
		}
		EFI_FILE_INFO *info = (EFI_FILE_INFO *)info_buf;
		if (info->Attribute & EFI_FILE_DIRECTORY)
			continue;
		char name[256];
		size_t i = 0;
		for (; info->FileName[i] && i + 1 < sizeof(name); i++)
			name[i] = info->FileName[i] < 0x80 ? (char)info->FileName[i] : '?';
		name[i] = 0;
		fn(fn_ctx, name);
	}
}

/* The vendors of fw.h's enum fw_var_vendor: tagboot's own (docs/loader.md "After a failed
 * boot"), the Boot Loader Interface's, EFI_GLOBAL_VARIABLE. */
static EFI_GUID fw_uefi_var_guids[] = {
	{0xd9f1c880, 0x608f, 0x4303, {0x91, 0x67, 0x16, 0xbb, 0xde, 0x60, 0xd0, 0x84}},
	{0x4a67b082, 0x0a4c, 0x41cf, {0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f}},
	{0x8be4df61, 0x93ca, 0x11d2, {0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c}},
};

/* The GUID of vendor and name as UCS-2 (names are short ASCII constants of the loader, so
 * the path conversion does), or NULL for an unknown vendor or a name too long. Through RT,
 * not BS: the runtime table stays valid after ExitBootServices (UEFI 2.10 8.2, before
 * SetVirtualAddressMap). */
static EFI_GUID *fw_uefi_var_key(enum fw_var_vendor vendor, const char *name, CHAR16 *out,
                                 size_t cap)
{
	if ((unsigned)vendor >= sizeof(fw_uefi_var_guids) / sizeof(fw_uefi_var_guids[0]) ||
	    !fw_uefi_path16(name, out, cap))
		return NULL;
	return &fw_uefi_var_guids[vendor];
}

static enum fw_status fw_uefi_set_variable(struct fw *fw, enum fw_var_vendor vendor,
                                           const char *name, bool volatile_only,
                                           const void *data, size_t size)
{
	(void)fw;
	CHAR16 n[64];
	EFI_GUID *guid = fw_uefi_var_key(vendor, name, n, 64);
	if (!guid)
		return FW_INVALID_PARAMETER;
	UINT32 attr = EFI_VARIABLE_BOOTSERVICE_ACCESS | EFI_VARIABLE_RUNTIME_ACCESS |
	              (volatile_only ? 0u : EFI_VARIABLE_NON_VOLATILE);
	EFI_STATUS s = RT->SetVariable(n, guid, attr, size, (void *)(uintptr_t)data);
	/* Deleting what is not there is success for the loader. */
	if (size == 0 && s == EFI_NOT_FOUND)
		s = EFI_SUCCESS;
	return fw_uefi_status(s);
}

static enum fw_status fw_uefi_get_variable(struct fw *fw, enum fw_var_vendor vendor,
                                           const char *name, void *data, size_t *size)
{
	(void)fw;
	CHAR16 n[64];
	EFI_GUID *guid = fw_uefi_var_key(vendor, name, n, 64);
	if (!guid)
		return FW_INVALID_PARAMETER;
	UINTN sz = *size;
	UINT32 attr = 0;
	EFI_STATUS s = RT->GetVariable(n, guid, &attr, &sz, data);
	*size = sz;
	return fw_uefi_status(s);
}

static void fw_uefi_write(struct fw *fw, const char *text)
{
	struct fw_uefi *u = fw_uefi_of(fw);
	if (u->exited || !u->conout_has_serial)
		fw_uefi_uart_write(text);
	if (u->exited || !u->st->ConOut)
		return;
	/* OutputString wants UCS-2 and CR LF; convert in pieces. Text from the ESP (titles,
	 * paths) reaches the console here: a control byte or a byte above 0x7e shows as '?', so
	 * a config file cannot drive the terminal. */
	CHAR16 buf[128];
	size_t n = 0;
	for (; *text; text++) {
		unsigned char c = (unsigned char)*text;
		if (c == '\n')
			buf[n++] = u'\r';
		if ((c < 0x20 && c != '\n' && c != '\r') || c >= 0x7f)
			c = '?';
		buf[n++] = (CHAR16)c;
		if (n + 3 >= sizeof(buf) / sizeof(buf[0])) {
			buf[n] = 0;
			u->st->ConOut->OutputString(u->st->ConOut, buf);
			n = 0;
		}
	}
	buf[n] = 0;
	if (n)
		u->st->ConOut->OutputString(u->st->ConOut, buf);
}

static uint32_t fw_uefi_key_code(const EFI_INPUT_KEY *key)
{
	switch (key->ScanCode) {
	case SCAN_UP: return FW_KEY_UP;
	case SCAN_DOWN: return FW_KEY_DOWN;
	case SCAN_ESC: return FW_KEY_ESC;
	case SCAN_NULL: break;
	default: return FW_KEY_OTHER;
	}
	if (key->UnicodeChar == CHAR_CARRIAGE_RETURN || key->UnicodeChar == CHAR_LINEFEED)
		return FW_KEY_ENTER;
	if (key->UnicodeChar == CHAR_BACKSPACE || key->UnicodeChar == 0x7f)
		return FW_KEY_BACKSPACE;
	/* A serial terminal sends ESC as a character, not as a scan code. */
	if (key->UnicodeChar == 0x1b)
		return FW_KEY_ESC;
	if (key->UnicodeChar >= 0x20 && key->UnicodeChar < 0x7f)
		return key->UnicodeChar;
	return FW_KEY_OTHER;
}

static enum fw_status fw_uefi_read_key(struct fw *fw, uint64_t timeout_us, uint32_t *key)
{
	struct fw_uefi *u = fw_uefi_of(fw);
	*key = FW_KEY_NONE;
	if (u->exited || !u->st->ConIn)
		return FW_TIMEOUT;
	/* Poll every 10 ms: simpler than a timer event and precise enough for a countdown. */
	uint64_t waited = 0;
	for (;;) {
		EFI_INPUT_KEY k;
		if (u->st->ConIn->ReadKeyStroke(u->st->ConIn, &k) == EFI_SUCCESS) {
			*key = fw_uefi_key_code(&k);
			return FW_OK;
		}
		if (waited >= timeout_us)
			return FW_TIMEOUT;
		BS->Stall(10000);
		waited += 10000;
	}
}

static void fw_uefi_stall(struct fw *fw, uint64_t us)
{
	if (!fw_uefi_of(fw)->exited)
		BS->Stall(us);
}

/*
 * OVMF (and many real machines) put a terminal on the serial port into ConOut, so text sent
 * to ConOut already reaches COM1. Look for a UART node (messaging type 3, subtype 14) in the
 * ConOut variable's device paths; only without one does write() also drive COM1 itself.
 */
static bool fw_uefi_conout_has_serial(void)
{
	UINTN size = 0;
	uint8_t *dp = LibGetVariableAndSize(u"ConOut", &EfiGlobalVariable, &size);
	if (!dp)
		return false;
	bool found = false;
	for (UINTN off = 0; off + 4 <= size;) {
		uint8_t type = dp[off], sub = dp[off + 1];
		uint16_t len = (uint16_t)(dp[off + 2] | (dp[off + 3] << 8));
		if (len < 4)
			break;
		if (type == MESSAGING_DEVICE_PATH && sub == MSG_UART_DP)
			found = true;
		off += len;
	}
	FreePool(dp);
	return found;
}

bool fw_uefi_own_path(const struct fw_uefi *u, char *out, size_t cap)
{
	if (!u->loaded_image || !u->loaded_image->FilePath || cap == 0)
		return false;
	const uint8_t *dp = (const uint8_t *)u->loaded_image->FilePath;
	size_t n = 0;
	/* File path nodes (media type 4, subtype 4) hold the path, possibly split over several. */
	for (unsigned guard = 0; guard < 64 && dp[0] != END_DEVICE_PATH_TYPE; guard++) {
		uint16_t len = (uint16_t)(dp[2] | (dp[3] << 8));
		if (len < 4)
			return false;
		if (dp[0] == MEDIA_DEVICE_PATH && dp[1] == MEDIA_FILEPATH_DP) {
			for (size_t i = 4; i + 1 < len; i += 2) {
				CHAR16 c = (CHAR16)(dp[i] | (dp[i + 1] << 8));
				if (c == 0)
					break;
				if (c >= 0x80 || n + 2 >= cap)
					return false;
				char a = c == '\\' ? '/' : (char)c;
				if (a != '/' && n == 0)
					out[n++] = '/';
				if (!(a == '/' && n > 0 && out[n - 1] == '/'))
					out[n++] = a;
			}
		}
		dp += len;
	}
	out[n] = '\0';
	return n > 0;
}

/* The disk GUID from the GPT header (LBA 1, "EFI PART", DiskGUID at byte 56) of the whole
 * disk whose device path is the first disk_len bytes of dp. */
static bool fw_uefi_disk_guid(const uint8_t *dp, size_t disk_len, uint8_t guid[16])
{
	EFI_GUID bio_guid = BLOCK_IO_PROTOCOL;
	uint8_t *path = AllocatePool(disk_len + 4);
	if (!path)
		return false;
	util_memcpy(path, dp, disk_len);
	static const uint8_t end[4] = {END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, 4, 0};
	util_memcpy(path + disk_len, end, 4);
	EFI_DEVICE_PATH *rest = (EFI_DEVICE_PATH *)path;
	EFI_HANDLE disk = NULL;
	EFI_BLOCK_IO *bio = NULL;
	bool ok = false;
	/* The handle must be the disk itself: nothing of the path may be left over. */
	if (BS->LocateDevicePath(&bio_guid, &rest, &disk) == EFI_SUCCESS &&
	    ((uint8_t *)rest)[0] == END_DEVICE_PATH_TYPE &&
	    BS->HandleProtocol(disk, &bio_guid, (void **)&bio) == EFI_SUCCESS && bio &&
	    bio->Media && bio->Media->BlockSize >= 512 && bio->Media->BlockSize <= 65536) {
		/* ReadBlocks wants a buffer aligned to IoAlign (0 or 1: any); AllocatePool gives 8. */
		UINT32 io_align = bio->Media->IoAlign > 1 && bio->Media->IoAlign <= 4096
		                          ? bio->Media->IoAlign : 1;
		uint8_t *pool = AllocatePool(bio->Media->BlockSize + io_align);
		uint8_t *block = pool ? (uint8_t *)(((uintptr_t)pool + io_align - 1) &
		                                    ~(uintptr_t)(io_align - 1)) : NULL;
		if (block && bio->ReadBlocks(bio, bio->Media->MediaId, 1, bio->Media->BlockSize,
		                             block) == EFI_SUCCESS &&
		    util_memcmp(block, "EFI PART", 8) == 0) {
			util_memcpy(guid, block + 56, 16);
			ok = true;
		}
		if (pool)
			FreePool(pool);
	}
	FreePool(path);
	return ok;
}

bool fw_uefi_volume_id(EFI_HANDLE device, struct boot_volume_id *out)
{
	EFI_GUID dp_guid = DEVICE_PATH_PROTOCOL;
	EFI_DEVICE_PATH *dp = NULL;
	util_memset(out, 0, sizeof(*out));
	if (!device || BS->HandleProtocol(device, &dp_guid, (void **)&dp) != EFI_SUCCESS || !dp)
		return false;
	/* The hard drive node (media type 4, subtype 1): partition number, start, size (u32, u64,
	 * u64), the 16-byte signature at 24, MBR type, signature type (2: a GPT GUID) at 41. */
	const uint8_t *p = (const uint8_t *)dp;
	size_t n = 0;
	for (unsigned guard = 0; guard < 64 && p[n] != END_DEVICE_PATH_TYPE; guard++) {
		uint16_t len = (uint16_t)(p[n + 2] | (p[n + 3] << 8));
		if (len < 4)
			return false;
		if (p[n] == MEDIA_DEVICE_PATH && p[n + 1] == MEDIA_HARDDRIVE_DP && len >= 42 &&
		    p[n + 41] == 2) {
			util_memcpy(&out->partition_number, p + n + 4, 4);
			util_memcpy(out->partition_guid, p + n + 24, 16);
			out->gpt = true;
			out->has_disk_guid = fw_uefi_disk_guid(p, n, out->disk_guid);
			return true;
		}
		n += len;
	}
	return false;
}

bool fw_uefi_partition_guid(const struct fw_uefi *u, uint8_t guid[16])
{
	struct boot_volume_id id;
	if (!u->loaded_image || !fw_uefi_volume_id(u->loaded_image->DeviceHandle, &id))
		return false;
	util_memcpy(guid, id.partition_guid, 16);
	return true;
}

/* EFI_PARTITION_INFO_PROTOCOL (UEFI 2.10 13.18; gnu-efi 3.0.15 lacks it), packed as edk2
 * declares it: the GPT entry of the partition behind a handle. */
#define FW_UEFI_PARTITION_INFO_GUID \
	{0x8cf2f62c, 0xbc9b, 0x4821, {0x80, 0x8d, 0xec, 0x9e, 0xc4, 0x21, 0xa1, 0xa0}}
struct fw_uefi_partition_info {
	UINT32 revision;
	UINT32 type; /* 2: GPT */
	UINT8 system;
	UINT8 reserved[7];
	EFI_GUID type_guid; /* the GPT entry starts here */
	EFI_GUID unique_guid;
} __attribute__((packed));
/* The Extended Boot Loader partition's type (UAPI Discoverable Partitions Specification). */
static const EFI_GUID fw_uefi_xbootldr_type = {
	0xbc13c2ff, 0x59e6, 0x4262, {0xa3, 0x52, 0xb2, 0x75, 0xfd, 0x6f, 0x71, 0x72}};

/* Bytes of a device path up to its first hard drive node: the disk it is on. */
static size_t fw_uefi_disk_prefix(const EFI_DEVICE_PATH *dp)
{
	const uint8_t *p = (const uint8_t *)dp;
	size_t n = 0;
	for (unsigned guard = 0; guard < 64 && p[n] != END_DEVICE_PATH_TYPE; guard++) {
		uint16_t len = (uint16_t)(p[n + 2] | (p[n + 3] << 8));
		if (len < 4)
			return 0;
		if (p[n] == MEDIA_DEVICE_PATH && p[n + 1] == MEDIA_HARDDRIVE_DP)
			return n;
		n += len;
	}
	return 0;
}

/*
 * The XBOOTLDR partition: a GPT partition of type bc13c2ff-... on the disk the loader came
 * from (the Boot Loader Specification's $BOOT). Found through the firmware's partition info
 * protocol, compared by device path up to the partition node.
 */
static void fw_uefi_find_xbootldr(struct fw_uefi *u)
{
	EFI_GUID pi_guid = FW_UEFI_PARTITION_INFO_GUID, dp_guid = DEVICE_PATH_PROTOCOL;
	EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	EFI_DEVICE_PATH *esp_dp = NULL;
	if (!u->loaded_image ||
	    BS->HandleProtocol(u->loaded_image->DeviceHandle, &dp_guid, (void **)&esp_dp) != EFI_SUCCESS)
		return;
	size_t disk = fw_uefi_disk_prefix(esp_dp);
	UINTN count = 0;
	EFI_HANDLE *handles = NULL;
	if (disk == 0 ||
	    BS->LocateHandleBuffer(ByProtocol, &pi_guid, NULL, &count, &handles) != EFI_SUCCESS)
		return;
	for (UINTN i = 0; i < count && !u->xbootldr_root; i++) {
		struct fw_uefi_partition_info *pi = NULL;
		EFI_DEVICE_PATH *dp = NULL;
		EFI_FILE_IO_INTERFACE *fs = NULL;
		if (BS->HandleProtocol(handles[i], &pi_guid, (void **)&pi) != EFI_SUCCESS || !pi ||
		    pi->type != 2 ||
		    util_memcmp(&pi->type_guid, &fw_uefi_xbootldr_type, sizeof(EFI_GUID)) != 0 ||
		    BS->HandleProtocol(handles[i], &dp_guid, (void **)&dp) != EFI_SUCCESS ||
		    fw_uefi_disk_prefix(dp) != disk || util_memcmp(dp, esp_dp, disk) != 0 ||
		    BS->HandleProtocol(handles[i], &fs_guid, (void **)&fs) != EFI_SUCCESS)
			continue;
		EFI_FILE_HANDLE root = NULL;
		if (fs->OpenVolume(fs, &root) == EFI_SUCCESS) {
			u->xbootldr_root = root;
			u->xbootldr_device = handles[i];
		}
	}
	FreePool(handles);
}

static bool fw_uefi_use_volume(struct fw *fw, enum fw_volume volume)
{
	struct fw_uefi *u = fw_uefi_of(fw);
	if (volume == FW_VOLUME_XBOOTLDR) {
		if (!u->xbootldr_root)
			return false;
		u->root = u->xbootldr_root;
		u->device = u->xbootldr_device;
		return true;
	}
	u->root = u->esp_root;
	u->device = u->loaded_image ? u->loaded_image->DeviceHandle : NULL;
	return true;
}

void fw_uefi_init(struct fw *fw, struct fw_uefi *u, EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	util_memset(u, 0, sizeof(*u));
	u->image = image;
	u->st = st;
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	if (BS->HandleProtocol(image, &li_guid, (void **)&u->loaded_image) == EFI_SUCCESS) {
		EFI_FILE_IO_INTERFACE *fs = NULL;
		if (BS->HandleProtocol(u->loaded_image->DeviceHandle, &fs_guid, (void **)&fs) ==
		            EFI_SUCCESS &&
		    fs->OpenVolume(fs, &u->root) != EFI_SUCCESS)
			u->root = NULL;
		u->device = u->loaded_image->DeviceHandle;
		u->esp_root = u->root;
		if (u->root)
			fw_uefi_find_xbootldr(u);
	}
	u->conout_has_serial = fw_uefi_conout_has_serial();
	util_memset(fw, 0, sizeof(*fw));
	fw->ctx = u;
	fw->allocate_pages = fw_uefi_allocate_pages;
	fw->free_pages = fw_uefi_free_pages;
	fw->get_memory_map = fw_uefi_get_memory_map;
	fw->exit_boot_services = fw_uefi_exit_boot_services;
	fw->read_file = fw_uefi_read_file;
	fw->file_exists = fw_uefi_file_exists;
	fw->read_head = fw_uefi_read_part;
	fw->rename_file = fw_uefi_rename_file;
	fw->use_volume = fw_uefi_use_volume;
	fw->list_dir = fw_uefi_list_dir;
	fw->write = fw_uefi_write;
	fw->read_key = fw_uefi_read_key;
	fw->stall = fw_uefi_stall;
	fw->set_variable = fw_uefi_set_variable;
	fw->get_variable = fw_uefi_get_variable;
}
