/* kernel_request.c: the request note of a handoff kernel (TB_REQUEST): found in the ELF file, checked, merged with the entry. */
#include "kernel_request.h"

#define KERNEL_REQUEST_PT_NOTE 4u
#define KERNEL_REQUEST_V1_SIZE 32u

/*
 * The notes of one PT_NOTE segment. Layout (gABI "Note Section", as readelf and glibc read
 * it): the 12-byte header, the name, the descriptor at 12 + namesz rounded up to the
 * segment's alignment (4, or 8 as linkers write for .note.gnu.property), the next note at the
 * descriptor's end rounded up the same way. Other programs' notes are not ours to judge: one
 * that does not fit ends the scan of its segment quietly (1.0 booted such files).
 */
static bool kernel_request_scan(const uint8_t *seg, uint64_t len, uint64_t align,
                                const uint8_t **desc, uint32_t *descsz, unsigned *count,
                                struct util_sb *why)
{
	uint64_t off = 0;
	while (len - off >= 12) {
		uint32_t namesz = util_le32(seg + off), dsz = util_le32(seg + off + 4);
		uint32_t type = util_le32(seg + off + 8);
		uint64_t desc_off = (12u + (uint64_t)namesz + align - 1) & ~(align - 1);
		uint64_t next = (desc_off + dsz + align - 1) & ~(align - 1);
		if (desc_off + dsz > len - off)
			return true;
		const uint8_t *name = seg + off + 12;
		if (namesz == sizeof(TB_NOTE_NAME) && util_memcmp(name, TB_NOTE_NAME, namesz) == 0 &&
		    type == TB_NOTE_REQUEST) {
			if (++*count > 1) {
				util_sb_str(why, "request note: the image has two tagboot request notes");
				return false;
			}
			*desc = seg + off + desc_off;
			*descsz = dsz;
		}
		if (next > len - off)
			return true;
		off += next;
	}
	return true;
}

bool kernel_request_find(const void *file, size_t size, struct tb_request *out, bool *found,
                         struct util_sb *why)
{
	const uint8_t *f = file;
	util_memset(out, 0, sizeof(*out));
	*found = false;
	if (size < 64)
		return true;
	uint64_t phoff = util_le64(f + 32);
	uint16_t phentsize = util_le16(f + 54), phnum = util_le16(f + 56);
	if (phentsize < 56 || phoff > size || (uint64_t)phentsize * phnum > size - phoff)
		return true; /* elf_check refuses such a file before this runs */
	const uint8_t *desc = NULL;
	uint32_t descsz = 0;
	unsigned count = 0;
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = f + phoff + (uint64_t)i * phentsize;
		if (util_le32(ph) != KERNEL_REQUEST_PT_NOTE)
			continue;
		uint64_t off = util_le64(ph + 8), len = util_le64(ph + 32), align = util_le64(ph + 48);
		/* A segment outside the file holds nothing the loader reads (elf_check vouches
		 * only for PT_LOAD): skip it, as 1.0 did. */
		if (off > size || len > size - off)
			continue;
		if (!kernel_request_scan(f + off, len, align == 8 ? 8 : 4, &desc, &descsz, &count, why))
			return false;
	}
	if (count == 0)
		return true;
	if (descsz < KERNEL_REQUEST_V1_SIZE) {
		util_sb_str(why, "request note: descriptor of ");
		util_sb_u64(why, descsz);
		util_sb_str(why, " bytes, a struct tb_request has at least 32");
		return false;
	}
	util_memcpy(out, desc, KERNEL_REQUEST_V1_SIZE);
	if (out->size < KERNEL_REQUEST_V1_SIZE || out->size > descsz) {
		util_sb_str(why, "request note: size ");
		util_sb_u64(why, out->size);
		util_sb_str(why, " is not between 32 and the note's descriptor size ");
		util_sb_u64(why, descsz);
		return false;
	}
	*found = true;
	return true;
}

static bool kernel_request_refuse(struct util_sb *why, const char *field, uint64_t value,
                                  const char *reason)
{
	util_sb_str(why, "request note: ");
	util_sb_str(why, field);
	util_sb_char(why, ' ');
	util_sb_u64(why, value);
	util_sb_str(why, ": ");
	util_sb_str(why, reason);
	return false;
}

bool kernel_request_resolve(const struct tb_request *asked, bool found,
                            const struct config_entry *entry, bool has_framebuffer,
                            struct kernel_request_grant *grant, struct util_sb *why)
{
	util_memset(grant, 0, sizeof(*grant));
	grant->found = found;
	if (found)
		grant->asked = *asked;
	const struct tb_request *r = &grant->asked;
	if (r->min_minor > TB_VERSION_MINOR)
		return kernel_request_refuse(why, "min_minor", r->min_minor,
		                             "the kernel needs a newer handoff than this loader's 1.1");
	if (r->flags != 0)
		return kernel_request_refuse(why, "flags", r->flags,
		                             "this loader knows no request flags (handoff 1.1 defines none)");
	if (r->ap_park > TB_REQ_AP_PARK_MAX)
		return kernel_request_refuse(why, "ap_park", r->ap_park,
		                             "no such mode (0 default, 1 none, 2 mailbox)");
	if (r->framebuffer > TB_REQ_FRAMEBUFFER_MAX)
		return kernel_request_refuse(why, "framebuffer", r->framebuffer,
		                             "no such value (0 default, 1 required, 2 none)");
	if (r->direct_map > TB_REQ_DIRECT_MAP_MAX)
		return kernel_request_refuse(why, "direct_map", r->direct_map,
		                             "no such value (0 no, 1 yes)");
	if (r->stack_size > TB_REQ_STACK_MAX)
		return kernel_request_refuse(why, "stack_size", r->stack_size,
		                             "more than the 16 MiB this loader gives");
	uint64_t offset = (uint64_t)r->direct_map_offset_hi << 32 | r->direct_map_offset_lo;
	if (r->direct_map == TB_REQ_DIRECT_MAP_YES && offset == 0)
		offset = TB_DIRECT_MAP_DEFAULT_OFFSET;
	/* The upper half of the 48-bit space, on a page-directory-pointer boundary: one PDPT
	 * entry per GiB, whatever the size of memory. */
	if (r->direct_map == TB_REQ_DIRECT_MAP_YES &&
	    ((offset >> 47) != 0x1ffffu || (offset & ((1ull << 30) - 1)) != 0))
		return kernel_request_refuse(why, "direct_map_offset", offset,
		                             "not a canonical upper-half address on a 1 GiB boundary");
	grant->direct_map = r->direct_map == TB_REQ_DIRECT_MAP_YES;
	grant->direct_map_offset = grant->direct_map ? offset : 0;
	if (r->framebuffer == TB_REQ_FRAMEBUFFER_REQUIRED && !has_framebuffer)
		return kernel_request_refuse(why, "framebuffer", r->framebuffer,
		                             "required, but the firmware has no graphics output");
	grant->framebuffer = r->framebuffer != TB_REQ_FRAMEBUFFER_NONE;
	grant->framebuffer_required = r->framebuffer == TB_REQ_FRAMEBUFFER_REQUIRED;
	uint64_t stack = r->stack_size ? r->stack_size : TB_REQ_STACK_DEFAULT;
	grant->stack_size = (stack + 4095u) & ~(uint64_t)4095u;
	/* The entry's `ap-park` line wins: whoever wrote it knows the machine. */
	if (entry && entry->has_ap_park) {
		grant->ap_park = entry->ap_park;
		grant->ap_park_from_entry = found && r->ap_park != TB_REQ_AP_PARK_DEFAULT;
	} else if (r->ap_park == TB_REQ_AP_PARK_MAILBOX) {
		grant->ap_park = CONFIG_AP_PARK_MAILBOX;
	} else {
		grant->ap_park = entry ? entry->ap_park : CONFIG_AP_PARK_NONE;
	}
	return true;
}
