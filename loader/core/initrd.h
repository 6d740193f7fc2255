/* initrd.h: the `initrd` files of a linux entry, read and concatenated as one image (each part padded to 4 bytes). */
#ifndef TAGBOOT_INITRD_H
#define TAGBOOT_INITRD_H

#include <stdint.h>

#include "config.h"
#include "fw.h"

struct initrd_image {
	uint64_t addr;  /* LoaderData pages, physical */
	uint64_t pages;
	uint64_t size;  /* bytes of the concatenation */
};

/*
 * Read every `initrd` of e and concatenate them into one allocation ending at or below
 * max_addr (UINT64_MAX: anywhere). Each part is padded with zeros to a multiple of 4 bytes:
 * the kernel reads the image as a series of cpio archives, and a newc header must start on
 * a 4-byte boundary. On failure nothing stays allocated and *failed names the file that
 * could not be read, or is NULL when the allocation failed.
 */
enum fw_status initrd_load(struct fw *fw, const struct config_entry *e, uint64_t max_addr,
                           struct initrd_image *out, const char **failed);

#endif /* TAGBOOT_INITRD_H */
