/* bzimage.h: validation of a Linux/x86 bzImage setup header before the native Linux boot loads it. */
#ifndef TAGBOOT_BZIMAGE_H
#define TAGBOOT_BZIMAGE_H

/*
 * Linux Documentation/arch/x86/boot.rst: the setup header starts at 0x1f1 of the file; the
 * protected-mode kernel follows the (setup_sects + 1) * 512 bytes of real-mode setup; a
 * 64-bit boot loader enters it at its load address + 0x200 (boot protocol 2.12 and later say
 * with XLF_KERNEL_64 that this entry exists). tagboot's native Linux boot takes nothing else:
 * every field it relies on is checked here, and a failure names the field.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Offsets into the file (= into boot_params for the setup header part). */
#define BZIMAGE_SETUP_HEADER 0x1f1u
#define BZIMAGE_OFF_SETUP_SECTS 0x1f1u
#define BZIMAGE_OFF_SYSSIZE 0x1f4u
#define BZIMAGE_OFF_BOOT_FLAG 0x1feu
#define BZIMAGE_OFF_JUMP 0x200u
#define BZIMAGE_OFF_HEADER 0x202u
#define BZIMAGE_OFF_VERSION 0x206u
#define BZIMAGE_OFF_TYPE_OF_LOADER 0x210u
#define BZIMAGE_OFF_LOADFLAGS 0x211u
#define BZIMAGE_OFF_RAMDISK_IMAGE 0x218u
#define BZIMAGE_OFF_RAMDISK_SIZE 0x21cu
#define BZIMAGE_OFF_CMD_LINE_PTR 0x228u
#define BZIMAGE_OFF_INITRD_ADDR_MAX 0x22cu
#define BZIMAGE_OFF_KERNEL_ALIGNMENT 0x230u
#define BZIMAGE_OFF_RELOCATABLE 0x234u
#define BZIMAGE_OFF_XLOADFLAGS 0x236u
#define BZIMAGE_OFF_CMDLINE_SIZE 0x238u
#define BZIMAGE_OFF_SETUP_DATA 0x250u
#define BZIMAGE_OFF_PREF_ADDRESS 0x258u
#define BZIMAGE_OFF_INIT_SIZE 0x260u
/* The setup header a 2.12+ kernel has, up to and including init_size. */
#define BZIMAGE_MIN_HEADER_END 0x264u
#define BZIMAGE_HEADER_LIMIT 0x290u

#define BZIMAGE_BOOT_FLAG 0xaa55u
#define BZIMAGE_MAGIC 0x53726448u            /* "HdrS" */
#define BZIMAGE_MIN_VERSION 0x020cu          /* 2.12: xloadflags */
#define BZIMAGE_XLF_KERNEL_64 0x1u
#define BZIMAGE_XLF_CAN_BE_LOADED_ABOVE_4G 0x2u
#define BZIMAGE_LOADED_HIGH 0x1u
#define BZIMAGE_ENTRY_64_OFFSET 0x200u        /* 64-bit entry: load address + 0x200 */
#define BZIMAGE_SECTOR 512u
#define BZIMAGE_MAX_INIT_SIZE (1ull << 30)    /* 1 GiB: larger is a broken header */

struct bzimage_info {
	uint16_t version;          /* boot protocol, 0x020c = 2.12 */
	uint8_t setup_sects;       /* as used (0 means 4, boot.rst) */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint64_t kernel_offset;    /* file offset of the protected-mode kernel */
	uint64_t kernel_size;      /* its bytes in the file */
	uint64_t pref_address;     /* preferred load address */
	uint64_t init_size;        /* bytes the kernel needs from its load address */
	uint64_t kernel_alignment; /* a power of two */
	bool relocatable;
	uint32_t cmdline_size;     /* longest command line, without the NUL */
	uint32_t initrd_addr_max;  /* highest initrd byte address */
	uint32_t header_end;       /* file offset just past the setup header (0x202 + jump byte) */
};

struct bzimage_error {
	char message[192]; /* "setup header field xloadflags (0x236): ..." */
};

/* Check a file of size bytes. On success fills out; on failure returns false with the field
 * and reason in err (err may be NULL). The file is only read. */
bool bzimage_check(const void *file, size_t size, struct bzimage_info *out,
                   struct bzimage_error *err);

/* The load address for a kernel that was given `base`: aligned to kernel_alignment. */
static inline bool bzimage_address_ok(const struct bzimage_info *bz, uint64_t base)
{
	return (base & (bz->kernel_alignment - 1)) == 0;
}

#endif /* TAGBOOT_BZIMAGE_H */
