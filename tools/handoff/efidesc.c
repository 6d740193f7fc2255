/* efidesc.c: printing the raw EFI memory descriptors that TB_REC_EFI and TB_REC_EFI_MAP carry. */
#include <stdint.h>
#include <stdio.h>

#include "decode.h"
#include "efimap.h"

void efidesc_print(const void *rec, uint32_t offset, uint32_t desc_size, uint32_t count,
                   const char *label)
{
	const uint8_t *descs = (const uint8_t *)rec + offset;

	/* The validator checked desc_size >= 40 and that count descriptors lie in the record
	 * whenever count is not 0. */
	for (uint32_t i = 0; i < count; i++) {
		struct efimap_desc d;

		if (!efimap_get(descs, (size_t)desc_size * count, desc_size, i, &d)) {
			printf("      (descriptors smaller than %u bytes: not shown)\n",
			       EFIMAP_DESC_MIN_SIZE);
			return;
		}
		printf("      %s: efi type %u", label, d.type);
		if (d.type < EFIMAP_TYPE_COUNT)
			printf(" (%s)", efimap_type_name(d.type));
		printf(", phys 0x%llx, %llu pages, virt 0x%llx, attr 0x%llx\n",
		       (unsigned long long)d.phys_start, (unsigned long long)d.pages,
		       (unsigned long long)d.virt_start, (unsigned long long)d.attribute);
	}
}
