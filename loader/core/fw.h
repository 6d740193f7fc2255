/* fw.h: the one seam between the loader's logic and the firmware (no EFI headers here). */
#ifndef TAGBOOT_FW_H
#define TAGBOOT_FW_H

/*
 * Everything loader/core needs from the firmware goes through a struct fw of function
 * pointers. loader/efi/fw_uefi.c fills it with gnu-efi calls; the host tests fill it with a
 * fake that can inject faults (allocation failure, a map that keeps growing, an
 * ExitBootServices that refuses a key). Keeping EFI types out of this header is what lets
 * loader/core build for the host with sanitizers.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Firmware status, reduced to what the loader distinguishes (UEFI 2.10 Appendix D names). */
enum fw_status {
	FW_OK = 0,
	FW_BUFFER_TOO_SMALL,  /* EFI_BUFFER_TOO_SMALL: *size holds what is needed */
	FW_INVALID_PARAMETER, /* EFI_INVALID_PARAMETER: for ExitBootServices, a stale map key */
	FW_NOT_FOUND,         /* EFI_NOT_FOUND (also "address range not free" for AllocateAddress) */
	FW_OUT_OF_RESOURCES,  /* EFI_OUT_OF_RESOURCES */
	FW_NOT_READY,         /* EFI_NOT_READY: no key pressed */
	FW_ACCESS_DENIED,     /* EFI_ACCESS_DENIED / EFI_SECURITY_VIOLATION */
	FW_TIMEOUT,           /* read_key: the timeout ran out */
	FW_IS_DIRECTORY,      /* read_file: the path names a directory, not a file */
	FW_OTHER,             /* anything else */
};

/* How allocate_pages chooses the address (EFI_ALLOCATE_TYPE, UEFI 2.10 7.2). */
enum fw_alloc_kind {
	FW_ALLOC_ANY = 0,         /* AllocateAnyPages */
	FW_ALLOC_MAX_ADDRESS = 1, /* AllocateMaxAddress: *addr is the highest acceptable address */
	FW_ALLOC_ADDRESS = 2,     /* AllocateAddress: exactly *addr */
};

/* EFI memory types the loader allocates (EFI_MEMORY_TYPE values, UEFI 2.10 7.2). */
#define FW_MEM_LOADER_CODE 1u
#define FW_MEM_LOADER_DATA 2u
#define FW_MEM_ACPI_RECLAIM 9u  /* EfiACPIReclaimMemory: tables the OS may free once read */

#define FW_PAGE_SIZE 4096ull

/* Keys the menu understands; printable characters come as themselves. */
enum fw_key_code {
	FW_KEY_NONE = 0,
	FW_KEY_UP = 0x101,
	FW_KEY_DOWN = 0x102,
	FW_KEY_ENTER = 0x103,
	FW_KEY_ESC = 0x104,
	FW_KEY_BACKSPACE = 0x105,
	FW_KEY_OTHER = 0x1ff,
};

struct fw;

/* The volumes entries can live on (the UAPI Boot Loader Specification's $ESP and $BOOT). */
enum fw_volume {
	FW_VOLUME_ESP = 0,
	FW_VOLUME_XBOOTLDR = 1,
};

/* Whose variable: tagboot's own (TAGBOOT_VARIABLE_GUID d9f1c880-608f-4303-9167-16bbde60d084,
 * docs/loader.md), the Boot Loader Interface's (4a67b082-0a4c-41cf-b6c7-440b29bb8c4f, what
 * systemd's bootctl reads and writes), or EFI_GLOBAL_VARIABLE (OsIndications...). */
enum fw_var_vendor {
	FW_VAR_TAGBOOT = 0,
	FW_VAR_LOADER = 1,
	FW_VAR_GLOBAL = 2,
};

/* Called once per regular file name found by list_dir (name without the directory). */
typedef void (*fw_dir_fn)(void *ctx, const char *name);

struct fw {
	void *ctx; /* implementation state */

	/* AllocatePages. mem_type is an EFI memory type (FW_MEM_*). For FW_ALLOC_ADDRESS and
	 * FW_ALLOC_MAX_ADDRESS *addr is an input; on FW_OK it holds the base. */
	enum fw_status (*allocate_pages)(struct fw *fw, enum fw_alloc_kind kind, uint32_t mem_type,
	                                 uint64_t pages, uint64_t *addr);
	enum fw_status (*free_pages)(struct fw *fw, uint64_t addr, uint64_t pages);

	/* GetMemoryMap into buf of *size bytes. On FW_BUFFER_TOO_SMALL *size is the size needed
	 * (which a following allocation may grow again). */
	enum fw_status (*get_memory_map)(struct fw *fw, void *buf, uint64_t *size, uint64_t *key,
	                                 uint64_t *desc_size, uint32_t *desc_version);
	/* ExitBootServices(ImageHandle, key). After the first call, failed or not, only
	 * get_memory_map and exit_boot_services may be called (UEFI 2.10 7.4). */
	enum fw_status (*exit_boot_services)(struct fw *fw, uint64_t key);

	/* Read a whole file from the loader's own volume. path is ASCII with '/' separators.
	 * The content lands in freshly allocated LoaderData pages at *addr (page aligned, zero
	 * padded to the page end); free with free_pages(addr, pages of *size, at least 1). */
	enum fw_status (*read_file)(struct fw *fw, const char *path, uint64_t *addr,
	                            uint64_t *size);
	/* The first max bytes (or the whole file if smaller) into fresh LoaderData pages at *addr,
	 * as read_file does; *size what was read, *file_size the whole file's size. Free with
	 * free_pages(addr, pages of *size). May be NULL (tests that do not care). */
	enum fw_status (*read_head)(struct fw *fw, const char *path, uint64_t max, uint64_t *addr,
	                            uint64_t *size, uint64_t *file_size);
	bool (*file_exists)(struct fw *fw, const char *path);
	/* Which volume the file calls above use: FW_VOLUME_ESP (the loader's own, the default) or
	 * FW_VOLUME_XBOOTLDR (the Extended Boot Loader partition on the same disk). false, and
	 * nothing changed, when there is no such volume. May be NULL (one volume only). */
	bool (*use_volume)(struct fw *fw, enum fw_volume volume);
	/* Rename the file path (ASCII, '/' separators) to new_name in the same directory. May be
	 * NULL (tests that do not care). */
	enum fw_status (*rename_file)(struct fw *fw, const char *path, const char *new_name);
	/* Call fn for every regular file in the directory path. */
	enum fw_status (*list_dir)(struct fw *fw, const char *path, fw_dir_fn fn, void *fn_ctx);

	/* Write ASCII text to the console and to the serial port, each exactly once. Safe to call
	 * after exit_boot_services (the implementation then writes to the UART only). */
	void (*write)(struct fw *fw, const char *text);
	/* Wait up to timeout_us (0: just poll) for a key; FW_OK with *key, else FW_TIMEOUT. */
	enum fw_status (*read_key)(struct fw *fw, uint64_t timeout_us, uint32_t *key);
	void (*stall)(struct fw *fw, uint64_t us);

	/* EFI variables of one of the vendors below (name: ASCII). Runtime services: also allowed
	 * after exit_boot_services. set_variable with size 0 deletes; volatile_only variables
	 * vanish on reset. get_variable: FW_NOT_FOUND when absent, FW_BUFFER_TOO_SMALL when
	 * larger than *size. May be NULL (tests that do not care). */
	enum fw_status (*set_variable)(struct fw *fw, enum fw_var_vendor vendor, const char *name,
	                               bool volatile_only, const void *data, size_t size);
	enum fw_status (*get_variable)(struct fw *fw, enum fw_var_vendor vendor, const char *name,
	                               void *data, size_t *size);
};

/* Pages needed for bytes (at least one, so that a zero-length file still owns a page). */
static inline uint64_t fw_pages_for(uint64_t bytes)
{
	uint64_t pages = (bytes + FW_PAGE_SIZE - 1) / FW_PAGE_SIZE;
	return pages ? pages : 1;
}

/* Short text for a status ("buffer too small", ...). Never NULL. */
const char *fw_status_str(enum fw_status status);
/* What a failed read_file means for the user ("file not found", "is a directory, not a
 * file", ...), or NULL when only the status itself says it ("cannot read: " + status). */
const char *fw_file_error_str(enum fw_status status);

#endif /* TAGBOOT_FW_H */
