/* fake_fw.h: a fake firmware behind the fw.h seam, with fault injection, for host unit tests. */
#ifndef TAGBOOT_FAKE_FW_H
#define TAGBOOT_FAKE_FW_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fw.h"

#define FAKE_FW_MAX_ALLOCS 64
#define FAKE_FW_MAX_FILES 16
#define FAKE_FW_LOG 256
/* OVMF's descriptor size (background.md section 7): larger than the 40-byte struct. */
#define FAKE_FW_DESC_SIZE 48u
#define FAKE_FW_MAX_VARS 32
#define FAKE_FW_VAR_SIZE 512u

struct fake_var {
	enum fw_var_vendor vendor;
	char name[64];
	unsigned char data[FAKE_FW_VAR_SIZE];
	size_t size;
	bool volatile_only;
	bool used;
};

struct fake_file {
	const char *path;
	const void *data;
	uint64_t size;
};

struct fake_fw {
	struct fw fw;
	/* state */
	uint64_t descs;            /* descriptors the map currently has */
	uint64_t key;              /* bumped on every change to the map */
	void *allocs[FAKE_FW_MAX_ALLOCS];
	uint64_t alloc_pages[FAKE_FW_MAX_ALLOCS];
	unsigned live_allocs;
	bool exited;
	/* fault injection */
	unsigned fail_alloc_after;  /* allocations that succeed before every later one fails */
	unsigned grow_on_get_map;   /* descriptors added by the firmware before each GetMemoryMap */
	unsigned ebs_stale_count;   /* ExitBootServices rejects this many keys (and the map changes) */
	enum fw_status ebs_error;   /* if not FW_OK, ExitBootServices fails with it */
	/* observations */
	char log[FAKE_FW_LOG];      /* A alloc, F free, M map, E exit, W write, V/D variable */
	unsigned log_len;
	unsigned allocs_done;
	unsigned ebs_calls;
	struct fake_file files[FAKE_FW_MAX_FILES];
	unsigned file_count;
	char out[4096];
	size_t out_len;
	struct fake_var vars[FAKE_FW_MAX_VARS];
	char renamed[FAKE_FW_MAX_FILES][256]; /* storage for paths changed by rename_file */
	enum fw_status var_error;   /* if not FW_OK, set_variable fails with it */
};

static inline struct fake_fw *fake_of(struct fw *fw)
{
	return (struct fake_fw *)fw->ctx;
}

static inline void fake_log(struct fake_fw *f, char c)
{
	if (f->log_len + 1 < FAKE_FW_LOG)
		f->log[f->log_len++] = c;
	f->log[f->log_len] = 0;
}

static inline enum fw_status fake_allocate_pages(struct fw *fw, enum fw_alloc_kind kind,
                                                 uint32_t mem_type, uint64_t pages,
                                                 uint64_t *addr)
{
	struct fake_fw *f = fake_of(fw);
	(void)kind;
	(void)mem_type;
	fake_log(f, 'A');
	if (f->exited || f->allocs_done >= f->fail_alloc_after)
		return FW_OUT_OF_RESOURCES;
	for (unsigned i = 0; i < FAKE_FW_MAX_ALLOCS; i++) {
		if (!f->allocs[i]) {
			f->allocs[i] = aligned_alloc(4096, pages * 4096);
			memset(f->allocs[i], 0, pages * 4096);
			f->alloc_pages[i] = pages;
			*addr = (uint64_t)(uintptr_t)f->allocs[i];
			f->live_allocs++;
			f->allocs_done++;
			/* An allocation splits a free descriptor. */
			f->descs += 1;
			f->key++;
			return FW_OK;
		}
	}
	return FW_OUT_OF_RESOURCES;
}

static inline enum fw_status fake_free_pages(struct fw *fw, uint64_t addr, uint64_t pages)
{
	struct fake_fw *f = fake_of(fw);
	fake_log(f, 'F');
	for (unsigned i = 0; i < FAKE_FW_MAX_ALLOCS; i++) {
		if (f->allocs[i] && (uint64_t)(uintptr_t)f->allocs[i] == addr) {
			if (f->alloc_pages[i] != pages)
				return FW_INVALID_PARAMETER;
			free(f->allocs[i]);
			f->allocs[i] = NULL;
			f->live_allocs--;
			f->descs -= 1;
			f->key++;
			return FW_OK;
		}
	}
	return FW_NOT_FOUND;
}

static inline enum fw_status fake_get_memory_map(struct fw *fw, void *buf, uint64_t *size,
                                                 uint64_t *key, uint64_t *desc_size,
                                                 uint32_t *desc_version)
{
	struct fake_fw *f = fake_of(fw);
	fake_log(f, 'M');
	if (f->grow_on_get_map) {
		f->descs += f->grow_on_get_map;
		f->key++;
	}
	uint64_t need = f->descs * FAKE_FW_DESC_SIZE;
	*desc_size = FAKE_FW_DESC_SIZE;
	*desc_version = 1;
	if (*size < need) {
		*size = need;
		return FW_BUFFER_TOO_SMALL;
	}
	/* Descriptor i: type 7 (conventional), 1 page at i * 4096, the key in the attribute. */
	uint8_t *p = buf;
	for (uint64_t i = 0; i < f->descs; i++) {
		memset(p, 0, FAKE_FW_DESC_SIZE);
		uint32_t type = 7;
		uint64_t base = i * 4096, pages = 1;
		memcpy(p, &type, 4);
		memcpy(p + 8, &base, 8);
		memcpy(p + 24, &pages, 8);
		memcpy(p + 32, &f->key, 8);
		p += FAKE_FW_DESC_SIZE;
	}
	*size = need;
	*key = f->key;
	return FW_OK;
}

static inline enum fw_status fake_exit_boot_services(struct fw *fw, uint64_t key)
{
	struct fake_fw *f = fake_of(fw);
	fake_log(f, 'E');
	f->ebs_calls++;
	if (f->ebs_error != FW_OK)
		return f->ebs_error;
	if (key != f->key)
		return FW_INVALID_PARAMETER;
	if (f->ebs_stale_count) {
		/* An event allocated between GetMemoryMap and ExitBootServices. */
		f->ebs_stale_count--;
		f->descs++;
		f->key++;
		return FW_INVALID_PARAMETER;
	}
	f->exited = true;
	return FW_OK;
}

static inline enum fw_status fake_read_file(struct fw *fw, const char *path, uint64_t *addr,
                                            uint64_t *size)
{
	struct fake_fw *f = fake_of(fw);
	for (unsigned i = 0; i < f->file_count; i++) {
		if (strcmp(f->files[i].path, path) == 0) {
			enum fw_status st = fake_allocate_pages(fw, FW_ALLOC_ANY, FW_MEM_LOADER_DATA,
			                                        fw_pages_for(f->files[i].size), addr);
			if (st != FW_OK)
				return st;
			memcpy((void *)(uintptr_t)*addr, f->files[i].data, f->files[i].size);
			*size = f->files[i].size;
			return FW_OK;
		}
	}
	return FW_NOT_FOUND;
}

static inline enum fw_status fake_rename_file(struct fw *fw, const char *path,
                                              const char *new_name)
{
	struct fake_fw *f = fake_of(fw);
	for (unsigned i = 0; i < f->file_count; i++) {
		if (strcmp(f->files[i].path, path) != 0)
			continue;
		const char *slash = strrchr(path, '/');
		size_t dir = slash ? (size_t)(slash - path) + 1 : 0;
		if (dir + strlen(new_name) + 1 > sizeof(f->renamed[i]))
			return FW_INVALID_PARAMETER;
		char tmp[256];
		memcpy(tmp, path, dir);
		strcpy(tmp + dir, new_name);
		strcpy(f->renamed[i], tmp);
		f->files[i].path = f->renamed[i];
		fake_log(f, 'R');
		return FW_OK;
	}
	return FW_NOT_FOUND;
}

static inline bool fake_file_exists(struct fw *fw, const char *path)
{
	struct fake_fw *f = fake_of(fw);
	for (unsigned i = 0; i < f->file_count; i++)
		if (strcmp(f->files[i].path, path) == 0)
			return true;
	return false;
}

static inline enum fw_status fake_list_dir(struct fw *fw, const char *path, fw_dir_fn fn,
                                           void *fn_ctx)
{
	struct fake_fw *f = fake_of(fw);
	size_t n = strlen(path);
	bool any = false;
	for (unsigned i = 0; i < f->file_count; i++) {
		const char *p = f->files[i].path;
		if (strncmp(p, path, n) == 0 && p[n] == '/' && !strchr(p + n + 1, '/')) {
			fn(fn_ctx, p + n + 1);
			any = true;
		}
	}
	return any ? FW_OK : FW_NOT_FOUND;
}

static inline void fake_write(struct fw *fw, const char *text)
{
	struct fake_fw *f = fake_of(fw);
	fake_log(f, 'W');
	size_t n = strlen(text);
	if (f->out_len + n < sizeof(f->out)) {
		memcpy(f->out + f->out_len, text, n + 1);
		f->out_len += n;
	}
}

static inline enum fw_status fake_read_key(struct fw *fw, uint64_t timeout_us, uint32_t *key)
{
	(void)fw;
	(void)timeout_us;
	*key = 0;
	return FW_TIMEOUT;
}

static inline void fake_stall(struct fw *fw, uint64_t us)
{
	(void)fw;
	(void)us;
}

static inline struct fake_var *fake_var_find_in(struct fake_fw *f, enum fw_var_vendor vendor,
                                                const char *name)
{
	for (unsigned i = 0; i < FAKE_FW_MAX_VARS; i++)
		if (f->vars[i].used && f->vars[i].vendor == vendor &&
		    strcmp(f->vars[i].name, name) == 0)
			return &f->vars[i];
	return NULL;
}

/* tagboot's own variables. */
static inline struct fake_var *fake_var_find(struct fake_fw *f, const char *name)
{
	return fake_var_find_in(f, FW_VAR_TAGBOOT, name);
}

/* Variables are runtime services: allowed after ExitBootServices too. Logged as 'V'
 * (written) and 'D' (deleted). */
static inline enum fw_status fake_set_variable(struct fw *fw, enum fw_var_vendor vendor,
                                               const char *name, bool volatile_only,
                                               const void *data, size_t size)
{
	struct fake_fw *f = fake_of(fw);
	if (f->var_error != FW_OK)
		return f->var_error;
	struct fake_var *v = fake_var_find_in(f, vendor, name);
	if (size == 0) {
		fake_log(f, 'D');
		if (v)
			v->used = false;
		return FW_OK;
	}
	fake_log(f, 'V');
	if (size > FAKE_FW_VAR_SIZE || strlen(name) >= sizeof(v->name))
		return FW_OUT_OF_RESOURCES;
	for (unsigned i = 0; !v && i < FAKE_FW_MAX_VARS; i++)
		if (!f->vars[i].used)
			v = &f->vars[i];
	if (!v)
		return FW_OUT_OF_RESOURCES;
	v->used = true;
	v->vendor = vendor;
	strcpy(v->name, name);
	memcpy(v->data, data, size);
	v->size = size;
	v->volatile_only = volatile_only;
	return FW_OK;
}

static inline enum fw_status fake_get_variable(struct fw *fw, enum fw_var_vendor vendor,
                                               const char *name, void *data, size_t *size)
{
	struct fake_var *v = fake_var_find_in(fake_of(fw), vendor, name);
	if (!v)
		return FW_NOT_FOUND;
	if (*size < v->size) {
		*size = v->size;
		return FW_BUFFER_TOO_SMALL;
	}
	memcpy(data, v->data, v->size);
	*size = v->size;
	return FW_OK;
}

static inline void fake_fw_init(struct fake_fw *f, uint64_t descs)
{
	memset(f, 0, sizeof(*f));
	f->fw.ctx = f;
	f->fw.allocate_pages = fake_allocate_pages;
	f->fw.free_pages = fake_free_pages;
	f->fw.get_memory_map = fake_get_memory_map;
	f->fw.exit_boot_services = fake_exit_boot_services;
	f->fw.read_file = fake_read_file;
	f->fw.file_exists = fake_file_exists;
	f->fw.list_dir = fake_list_dir;
	f->fw.write = fake_write;
	f->fw.read_key = fake_read_key;
	f->fw.stall = fake_stall;
	f->fw.set_variable = fake_set_variable;
	f->fw.rename_file = fake_rename_file;
	f->fw.get_variable = fake_get_variable;
	f->descs = descs;
	f->key = 1000;
	f->fail_alloc_after = ~0u;
	f->ebs_error = FW_OK;
}

static inline void fake_add_file(struct fake_fw *f, const char *path, const void *data,
                                 uint64_t size)
{
	f->files[f->file_count++] = (struct fake_file){path, data, size};
}

static inline void fake_fw_release(struct fake_fw *f)
{
	for (unsigned i = 0; i < FAKE_FW_MAX_ALLOCS; i++)
		free(f->allocs[i]);
}

#endif /* TAGBOOT_FAKE_FW_H */
