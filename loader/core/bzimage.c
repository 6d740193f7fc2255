/* bzimage.c: validation of a Linux/x86 bzImage setup header before the native Linux boot loads it. */
#include "bzimage.h"

#include "util.h"

static bool bzimage_fail(struct bzimage_error *err, const char *field, uint32_t offset,
                         const char *why, uint64_t value, bool show_value)
{
	if (err == NULL)
		return false;
	struct util_sb sb;
	util_sb_init(&sb, err->message, sizeof err->message);
	if (field) {
		util_sb_str(&sb, "setup header field ");
		util_sb_str(&sb, field);
		util_sb_str(&sb, " (");
		util_sb_hex(&sb, offset);
		util_sb_str(&sb, "): ");
	}
	util_sb_str(&sb, why);
	if (show_value) {
		util_sb_str(&sb, " (");
		util_sb_hex(&sb, value);
		util_sb_char(&sb, ')');
	}
	return false;
}

bool bzimage_check(const void *file, size_t size, struct bzimage_info *out,
                   struct bzimage_error *err)
{
	const uint8_t *f = file;
	util_memset(out, 0, sizeof(*out));
	if (f == NULL || size < BZIMAGE_OFF_HEADER + 4u)
		return bzimage_fail(err, NULL, 0,
		                    "not a bzImage: the file is too small for a setup header", size,
		                    true);
	uint16_t flag = util_le16(f + BZIMAGE_OFF_BOOT_FLAG);
	if (flag != BZIMAGE_BOOT_FLAG)
		return bzimage_fail(err, "boot_flag", BZIMAGE_OFF_BOOT_FLAG, "is not 0xaa55", flag,
		                    true);
	uint32_t magic = util_le32(f + BZIMAGE_OFF_HEADER);
	if (magic != BZIMAGE_MAGIC)
		return bzimage_fail(err, "header", BZIMAGE_OFF_HEADER,
		                    "magic is not \"HdrS\": not a Linux kernel of boot protocol 2.00 or later",
		                    magic, true);
	/* The jump at 0x200 is a 2-byte short jump whose target ends the header (boot.rst). */
	uint32_t end = BZIMAGE_OFF_HEADER + f[BZIMAGE_OFF_JUMP + 1];
	if (size < BZIMAGE_MIN_HEADER_END)
		return bzimage_fail(err, NULL, 0,
		                    "the file ends inside the setup header (truncated kernel)", size,
		                    true);
	out->version = util_le16(f + BZIMAGE_OFF_VERSION);
	if (out->version < BZIMAGE_MIN_VERSION)
		return bzimage_fail(err, "version", BZIMAGE_OFF_VERSION,
		                    "boot protocol older than 2.12: no 64-bit entry to use",
		                    out->version, true);
	if (end < BZIMAGE_MIN_HEADER_END || end > size)
		return bzimage_fail(err, "jump", BZIMAGE_OFF_JUMP,
		                    "the setup header it delimits is shorter than 2.12's or runs past the file",
		                    end, true);
	/* The header lies inside boot_params up to 0x290 (edd_mbr_sig_buffer follows there). */
	out->header_end = end < BZIMAGE_HEADER_LIMIT ? end : BZIMAGE_HEADER_LIMIT;
	out->loadflags = f[BZIMAGE_OFF_LOADFLAGS];
	out->xloadflags = util_le16(f + BZIMAGE_OFF_XLOADFLAGS);
	if (!(out->xloadflags & BZIMAGE_XLF_KERNEL_64))
		return bzimage_fail(err, "xloadflags", BZIMAGE_OFF_XLOADFLAGS,
		                    "XLF_KERNEL_64 is not set: a 32-bit-only kernel", out->xloadflags,
		                    true);
	if (!(out->loadflags & BZIMAGE_LOADED_HIGH))
		return bzimage_fail(err, "loadflags", BZIMAGE_OFF_LOADFLAGS,
		                    "LOADED_HIGH is not set: a zImage that runs at 0x10000",
		                    out->loadflags, true);
	out->setup_sects = f[BZIMAGE_OFF_SETUP_SECTS] ? f[BZIMAGE_OFF_SETUP_SECTS] : 4u;
	out->kernel_offset = ((uint64_t)out->setup_sects + 1u) * BZIMAGE_SECTOR;
	if (out->kernel_offset + BZIMAGE_ENTRY_64_OFFSET + 16u > size)
		return bzimage_fail(err, "setup_sects", BZIMAGE_OFF_SETUP_SECTS,
		                    "the protected-mode kernel would start past the end of the file (truncated kernel)",
		                    out->kernel_offset, true);
	out->kernel_size = size - out->kernel_offset;
	/* syssize: the protected-mode kernel in 16-byte units. A file may carry more (a signature
	 * appended by sbsign), never less. */
	uint64_t need = (uint64_t)util_le32(f + BZIMAGE_OFF_SYSSIZE) * 16u;
	if (need > out->kernel_size)
		return bzimage_fail(err, "syssize", BZIMAGE_OFF_SYSSIZE,
		                    "the file holds fewer bytes than the protected-mode kernel it describes (truncated kernel)",
		                    need, true);
	out->kernel_alignment = util_le32(f + BZIMAGE_OFF_KERNEL_ALIGNMENT);
	if (out->kernel_alignment < 4096u || (out->kernel_alignment & (out->kernel_alignment - 1)))
		return bzimage_fail(err, "kernel_alignment", BZIMAGE_OFF_KERNEL_ALIGNMENT,
		                    "is not a power of two of at least 4 KiB", out->kernel_alignment,
		                    true);
	out->relocatable = f[BZIMAGE_OFF_RELOCATABLE] != 0;
	out->cmdline_size = util_le32(f + BZIMAGE_OFF_CMDLINE_SIZE);
	out->initrd_addr_max = util_le32(f + BZIMAGE_OFF_INITRD_ADDR_MAX);
	out->pref_address = util_le64(f + BZIMAGE_OFF_PREF_ADDRESS);
	out->init_size = util_le32(f + BZIMAGE_OFF_INIT_SIZE);
	if (out->init_size < out->kernel_size || out->init_size > BZIMAGE_MAX_INIT_SIZE)
		return bzimage_fail(err, "init_size", BZIMAGE_OFF_INIT_SIZE,
		                    "is smaller than the kernel in the file or larger than 1 GiB",
		                    out->init_size, true);
	if (out->pref_address & 0xfffu)
		return bzimage_fail(err, "pref_address", BZIMAGE_OFF_PREF_ADDRESS,
		                    "is not page aligned", out->pref_address, true);
	if (!out->relocatable && (out->pref_address == 0 ||
	                          out->pref_address > UINT64_MAX - out->init_size))
		return bzimage_fail(err, "pref_address", BZIMAGE_OFF_PREF_ADDRESS,
		                    "a kernel that is not relocatable needs a usable preferred address",
		                    out->pref_address, true);
	return true;
}
