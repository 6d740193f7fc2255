/* linux_params.c: the Linux/x86 zero page (struct boot_params) for the native Linux boot. */
#include "linux_params.h"

#include "util.h"

/* struct screen_info (include/uapi/linux/screen_info.h) fields for an EFI framebuffer, as
 * Linux's own EFI stub fills them (drivers/firmware/efi/libstub/gop.c). */
#define SI_ORIG_VIDEO_ISVGA 0x0fu
#define SI_LFB_WIDTH 0x12u
#define SI_LFB_HEIGHT 0x14u
#define SI_LFB_DEPTH 0x16u
#define SI_LFB_BASE 0x18u
#define SI_LFB_SIZE 0x1cu
#define SI_LFB_LINELENGTH 0x24u
#define SI_RED_SIZE 0x26u
#define SI_PAGES 0x32u
#define SI_CAPABILITIES 0x36u
#define SI_EXT_LFB_BASE 0x3au
#define VIDEO_TYPE_EFI 0x70u
#define VIDEO_CAPABILITY_SKIP_QUIRKS 0x1u
#define VIDEO_CAPABILITY_64BIT_BASE 0x2u

static void lp_put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Size and position of the lowest run of set bits of a colour mask. */
static void lp_mask(uint32_t mask, uint8_t *size, uint8_t *pos)
{
	uint8_t p = 0, n = 0;
	while (p < 32 && !(mask & (1u << p)))
		p++;
	while (p + n < 32 && (mask & (1u << (p + n))))
		n++;
	*size = n;
	*pos = n ? p : 0;
}

static void lp_screen_info(uint8_t *si, const struct tb_rec_framebuffer *fb)
{
	si[SI_ORIG_VIDEO_ISVGA] = VIDEO_TYPE_EFI;
	lp_put(si + SI_LFB_WIDTH, fb->width, 2);
	lp_put(si + SI_LFB_HEIGHT, fb->height, 2);
	lp_put(si + SI_LFB_DEPTH, fb->bpp, 2);
	lp_put(si + SI_LFB_BASE, (uint32_t)fb->address, 4);
	lp_put(si + SI_EXT_LFB_BASE, (uint32_t)(fb->address >> 32), 4);
	lp_put(si + SI_LFB_SIZE, fb->size > UINT32_MAX ? UINT32_MAX : fb->size, 4);
	lp_put(si + SI_LFB_LINELENGTH, fb->pitch, 2);
	uint32_t rsvd = (fb->bpp >= 32 ? 0xffffffffu : ((1u << fb->bpp) - 1u)) &
	                ~(fb->red_mask | fb->green_mask | fb->blue_mask);
	const uint32_t masks[4] = {fb->red_mask, fb->green_mask, fb->blue_mask, rsvd};
	for (unsigned i = 0; i < 4; i++)
		lp_mask(masks[i], &si[SI_RED_SIZE + 2 * i], &si[SI_RED_SIZE + 2 * i + 1]);
	lp_put(si + SI_PAGES, 1, 2);
	uint32_t caps = VIDEO_CAPABILITY_SKIP_QUIRKS;
	if (fb->address >> 32)
		caps |= VIDEO_CAPABILITY_64BIT_BASE;
	lp_put(si + SI_CAPABILITIES, caps, 4);
}

void linux_params_init(uint8_t *bp, const struct linux_params_setup *s)
{
	util_memset(bp, 0, LINUX_PARAMS_SIZE);
	/* boot.rst: copy the setup header (0x1f1 up to the end the jump at 0x200 names) into a
	 * zeroed boot_params; everything outside it stays 0 (the sentinel at 0x1ef included). */
	util_memcpy(bp + BZIMAGE_SETUP_HEADER, s->kernel_file + BZIMAGE_SETUP_HEADER,
	            s->bz->header_end - BZIMAGE_SETUP_HEADER);
	bp[BZIMAGE_OFF_TYPE_OF_LOADER] = LINUX_TYPE_OF_LOADER;
	/* The kernel reads loadflags bit 6/7 only for the 16-bit entry; clear nothing else. */
	lp_put(bp + BZIMAGE_OFF_CMD_LINE_PTR, (uint32_t)s->cmdline, 4);
	lp_put(bp + LINUX_BP_EXT_CMD_LINE_PTR, (uint32_t)(s->cmdline >> 32), 4);
	linux_params_set_initrd(bp, s->initrd, s->initrd_size);
	linux_params_set_rsdp(bp, s->rsdp);
	if (s->fb && s->fb->address && s->fb->width && s->fb->height)
		lp_screen_info(bp + LINUX_BP_SCREEN_INFO, s->fb);
}

void linux_params_set_initrd(uint8_t *bp, uint64_t addr, uint64_t size)
{
	lp_put(bp + BZIMAGE_OFF_RAMDISK_IMAGE, (uint32_t)addr, 4);
	lp_put(bp + LINUX_BP_EXT_RAMDISK_IMAGE, (uint32_t)(addr >> 32), 4);
	lp_put(bp + BZIMAGE_OFF_RAMDISK_SIZE, (uint32_t)size, 4);
	lp_put(bp + LINUX_BP_EXT_RAMDISK_SIZE, (uint32_t)(size >> 32), 4);
}

void linux_params_set_rsdp(uint8_t *bp, uint64_t rsdp)
{
	lp_put(bp + LINUX_BP_ACPI_RSDP, rsdp, 8);
}

size_t linux_params_ext_size(size_t e820_count)
{
	if (e820_count <= LINUX_PARAMS_E820_MAX)
		return 0;
	return LINUX_SETUP_DATA_HEADER + (e820_count - LINUX_PARAMS_E820_MAX) * LINUX_PARAMS_E820_ENTRY;
}

static void lp_e820(uint8_t *p, const struct e820_entry *e)
{
	lp_put(p, e->addr, 8);
	lp_put(p + 8, e->size, 8);
	lp_put(p + 16, e->type, 4);
}

void linux_params_add_setup_data(uint8_t *bp, uint8_t *node, uint64_t node_phys, uint32_t type,
                                 uint32_t len)
{
	lp_put(node, util_le64(bp + BZIMAGE_OFF_SETUP_DATA), 8);
	lp_put(node + 8, type, 4);
	lp_put(node + 12, len, 4);
	lp_put(bp + BZIMAGE_OFF_SETUP_DATA, node_phys, 8);
}

enum tb_status linux_params_set_memory(uint8_t *bp, const struct linux_params_memory *m)
{
	uint8_t *efi = bp + LINUX_BP_EFI_INFO;
	lp_put(efi + 0x00, LINUX_EFI64_SIGNATURE, 4);
	lp_put(efi + 0x04, (uint32_t)m->efi_systab, 4);
	lp_put(efi + 0x08, m->desc_size, 4);
	lp_put(efi + 0x0c, m->desc_version, 4);
	lp_put(efi + 0x10, (uint32_t)m->efi_map, 4);
	lp_put(efi + 0x14, (uint32_t)m->efi_map_size, 4);
	lp_put(efi + 0x18, (uint32_t)(m->efi_systab >> 32), 4);
	lp_put(efi + 0x1c, (uint32_t)(m->efi_map >> 32), 4);
	size_t in_page = m->e820_count < LINUX_PARAMS_E820_MAX ? m->e820_count : LINUX_PARAMS_E820_MAX;
	for (size_t i = 0; i < in_page; i++)
		lp_e820(bp + LINUX_BP_E820_TABLE + i * LINUX_PARAMS_E820_ENTRY, &m->e820[i]);
	bp[LINUX_BP_E820_ENTRIES] = (uint8_t)in_page;
	size_t ext = linux_params_ext_size(m->e820_count);
	if (ext == 0)
		return TB_OK;
	if (m->ext == NULL || m->ext_cap < ext)
		return TB_ERR_NO_SPACE;
	/* SETUP_E820_EXT: the rest of the table as one setup_data node. */
	for (size_t i = LINUX_PARAMS_E820_MAX; i < m->e820_count; i++)
		lp_e820(m->ext + LINUX_SETUP_DATA_HEADER + (i - LINUX_PARAMS_E820_MAX) * LINUX_PARAMS_E820_ENTRY,
		        &m->e820[i]);
	linux_params_add_setup_data(bp, m->ext, m->ext_phys, LINUX_SETUP_E820_EXT,
	                            (uint32_t)(ext - LINUX_SETUP_DATA_HEADER));
	return TB_OK;
}
