/* config_hash.h: the enrolled config hash: one SHA-256 over loader.conf and every entry file. */
#ifndef TAGBOOT_CONFIG_HASH_H
#define TAGBOOT_CONFIG_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "sha256.h"

/*
 * Canonical form (docs/security.md, tools/secure/tagboot-enroll.py computes the same):
 * for every config file the loader read, one line
 *     <64 lower-case hex digits of SHA-256(file bytes)> SPACE SPACE <path> LF
 * (the format of `sha256sum`), path as the loader names it ("/loader/loader.conf",
 * "/loader/entries/NAME.conf"); the lines sorted by path, bytewise; the config hash is the
 * SHA-256 of their concatenation. A missing loader.conf has no line.
 */

/* Files one verifiable config may have: loader.conf plus 255 entry files (the loader itself
 * reads any number of entries; beyond this the set overflows and cannot match an enrolled
 * hash, which errs on the safe side). Allocated at run time (about 74 KiB). */
#define CONFIG_HASH_MAX_FILES 256u

/* The block patched into BOOTX64.EFI before signing. The marker must occur once in the
 * image; the host tool finds it and writes enrolled = 1 and the digest. */
#define CONFIG_HASH_MARKER "TAGBOOT-CFGHASH" /* 15 characters + NUL = 16 bytes */
#define CONFIG_HASH_MARKER_SIZE 16u
#define CONFIG_HASH_BLOCK_VERSION 1u

struct config_hash_block {
	char marker[CONFIG_HASH_MARKER_SIZE];
	uint32_t version;  /* CONFIG_HASH_BLOCK_VERSION, little endian */
	uint32_t enrolled; /* 0: no hash enrolled, 1: sha256 holds the config hash */
	uint8_t sha256[SHA256_DIGEST_SIZE];
};

struct config_hash_file {
	char path[CONFIG_PATH_MAX];
	uint8_t digest[SHA256_DIGEST_SIZE];
};

/* The files seen so far; `overflow` is set when a file did not fit (or its path was too
 * long), which makes the set unverifiable. */
struct config_hash_set {
	size_t count;
	bool overflow;
	struct config_hash_file files[CONFIG_HASH_MAX_FILES];
};

enum config_hash_state {
	CONFIG_HASH_NOT_ENROLLED = 0,
	CONFIG_HASH_ENROLLED = 1,
	CONFIG_HASH_BAD_BLOCK = 2, /* wrong version or enrolled value */
};

void config_hash_init(struct config_hash_set *set);

/* Record one file the loader read (path as above, len bytes of content). */
void config_hash_add(struct config_hash_set *set, const char *path, const void *data, size_t len);

/* Sort the set and compute the config hash. Returns false (and leaves out untouched) when the
 * set overflowed. */
bool config_hash_final(struct config_hash_set *set, uint8_t out[SHA256_DIGEST_SIZE]);

/* What the embedded block says. */
enum config_hash_state config_hash_block_state(const struct config_hash_block *block);

#endif /* TAGBOOT_CONFIG_HASH_H */
