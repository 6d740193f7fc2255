/* config_hash.c: the enrolled config hash: one SHA-256 over loader.conf and every entry file. */
#include "config_hash.h"

#include "util.h"

void config_hash_init(struct config_hash_set *set)
{
	set->count = 0;
	set->overflow = false;
}

void config_hash_add(struct config_hash_set *set, const char *path, const void *data, size_t len)
{
	size_t n = util_strlen(path);
	if (set->count >= CONFIG_HASH_MAX_FILES || n >= CONFIG_PATH_MAX) {
		set->overflow = true;
		return;
	}
	struct config_hash_file *f = &set->files[set->count++];
	util_memcpy(f->path, path, n + 1);
	sha256_digest(data, len, f->digest);
}

static int config_hash_path_cmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

/* Insertion sort: at most CONFIG_HASH_MAX_FILES items, no allocation. */
static void config_hash_sort(struct config_hash_set *set)
{
	for (size_t i = 1; i < set->count; i++) {
		struct config_hash_file tmp = set->files[i];
		size_t j = i;
		while (j > 0 && config_hash_path_cmp(set->files[j - 1].path, tmp.path) > 0) {
			set->files[j] = set->files[j - 1];
			j--;
		}
		set->files[j] = tmp;
	}
}

bool config_hash_final(struct config_hash_set *set, uint8_t out[SHA256_DIGEST_SIZE])
{
	if (set->overflow)
		return false;
	config_hash_sort(set);
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	for (size_t i = 0; i < set->count; i++) {
		char hex[SHA256_HEX_SIZE + 1];
		sha256_format_hex(set->files[i].digest, hex);
		sha256_update(&ctx, hex, SHA256_HEX_SIZE);
		sha256_update(&ctx, "  ", 2);
		sha256_update(&ctx, set->files[i].path, util_strlen(set->files[i].path));
		sha256_update(&ctx, "\n", 1);
	}
	sha256_final(&ctx, out);
	return true;
}

enum config_hash_state config_hash_block_state(const struct config_hash_block *block)
{
	/* The marker is not compared: a second copy of it in .rodata would give the host tool two
	 * places to patch. Its first byte is checked so that a zeroed block is not taken as ours. */
	if (block->marker[0] != CONFIG_HASH_MARKER[0] || block->version != CONFIG_HASH_BLOCK_VERSION)
		return CONFIG_HASH_BAD_BLOCK;
	if (block->enrolled == 0)
		return CONFIG_HASH_NOT_ENROLLED;
	if (block->enrolled == 1)
		return CONFIG_HASH_ENROLLED;
	return CONFIG_HASH_BAD_BLOCK;
}
