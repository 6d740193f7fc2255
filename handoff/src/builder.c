/* builder.c: writing a handoff blob into a caller buffer (tb_builder_*). */
#include "tagboot_handoff.h"

#include <stdint.h>

#include "bytes.h"

void tb_builder_init(struct tb_builder *b, void *buf, size_t cap, uint32_t flags)
{
	struct tb_header *h = buf;

	if (b == NULL)
		return;
	b->buf = buf;
	b->cap = cap;
	b->used = 0;
	b->records = 0;
	b->error = TB_OK;
	if (buf == NULL) {
		b->error = TB_ERR_NULL;
		return;
	}
	/* Records are written as structures, as a kernel will read them. */
	if ((uintptr_t)buf % TB_ALIGN != 0) {
		b->error = TB_ERR_INVALID_ARG;
		return;
	}
	if (cap < sizeof(struct tb_header)) {
		b->error = TB_ERR_NO_SPACE;
		return;
	}
	tb_bytes_set(h, 0, sizeof(*h));
	h->magic = TB_MAGIC;
	h->major = TB_VERSION_MAJOR;
	h->minor = TB_VERSION_MINOR;
	h->header_size = sizeof(struct tb_header);
	h->flags = flags;
	b->used = sizeof(struct tb_header);
}

void *tb_builder_add(struct tb_builder *b, uint16_t type, uint8_t version, uint32_t size)
{
	struct tb_record *r;
	uint64_t rounded;

	if (b == NULL || b->error != TB_OK)
		return NULL;
	if (size < sizeof(struct tb_record)) {
		b->error = TB_ERR_INVALID_ARG;
		return NULL;
	}
	rounded = ((uint64_t)size + TB_ALIGN - 1) & ~(uint64_t)(TB_ALIGN - 1);
	/* total_size is a u32: a blob can never exceed 4 GiB - 8. */
	if (rounded > b->cap - b->used || b->used + rounded > UINT32_MAX - (TB_ALIGN - 1)) {
		b->error = TB_ERR_NO_SPACE;
		return NULL;
	}
	r = (struct tb_record *)(b->buf + b->used);
	tb_bytes_set(r, 0, (size_t)rounded);
	r->type = type;
	r->version = version;
	r->size = (uint32_t)rounded;
	b->used += (size_t)rounded;
	b->records++;
	return r;
}

struct tb_rec_memmap *tb_builder_add_memmap(struct tb_builder *b,
                                            const struct tb_mem_entry *entries, size_t count)
{
	struct tb_rec_memmap *map;
	uint64_t size;

	if (b == NULL || b->error != TB_OK)
		return NULL;
	if (entries == NULL && count != 0) {
		b->error = TB_ERR_NULL;
		return NULL;
	}
	size = TB_MEMMAP_ENTRIES_OFFSET + (uint64_t)count * sizeof(struct tb_mem_entry);
	if (count > UINT32_MAX || size > UINT32_MAX) {
		b->error = TB_ERR_NO_SPACE;
		return NULL;
	}
	map = tb_builder_add(b, TB_REC_MEMMAP, 1, (uint32_t)size);
	if (map == NULL)
		return NULL;
	map->entry_size = sizeof(struct tb_mem_entry);
	map->entry_count = (uint32_t)count;
	if (count != 0)
		tb_bytes_copy((uint8_t *)map + TB_MEMMAP_ENTRIES_OFFSET, entries,
		              count * sizeof(struct tb_mem_entry));
	return map;
}

enum tb_status tb_builder_finish(struct tb_builder *b, size_t *size)
{
	struct tb_header *h;

	if (b == NULL)
		return TB_ERR_NULL;
	if (b->error != TB_OK)
		return b->error;
	h = (struct tb_header *)b->buf;
	h->total_size = (uint32_t)b->used;
	h->record_count = b->records;
	tb_reseal(h);
	if (size != NULL)
		*size = b->used;
	return TB_OK;
}
