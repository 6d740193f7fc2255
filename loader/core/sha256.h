/* sha256.h: streaming SHA-256 (FIPS 180-4) and hex conversion, for kernel/module pins. */
#ifndef TAGBOOT_SHA256_H
#define TAGBOOT_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32u
#define SHA256_HEX_SIZE 64u /* characters, without the NUL */

struct sha256_ctx {
	uint32_t state[8];
	uint64_t total_bytes; /* message length so far */
	uint8_t block[64];    /* partial block */
	size_t block_used;
};

/* Start a new hash. */
void sha256_init(struct sha256_ctx *ctx);
/* Feed len bytes (any split of the message gives the same digest). */
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
/* Finish and write the 32-byte digest; the context must be re-initialised before reuse. */
void sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE]);
/* One-shot: digest of len bytes. */
void sha256_digest(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE]);

/* Parse exactly 64 hex digits (either case) at text[0..len) into a digest. On failure returns
 * false and, if why is not NULL, sets *why to a static reason ("too short: ...", "too long:
 * ...", "not a hex digit ..."). */
bool sha256_parse_hex(const char *text, size_t len, uint8_t digest[SHA256_DIGEST_SIZE],
                      const char **why);
/* Write the digest as 64 lower-case hex digits plus a NUL into out (65 bytes). */
void sha256_format_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char out[SHA256_HEX_SIZE + 1]);
/* Constant-time comparison of two digests (no early exit). */
bool sha256_equal(const uint8_t a[SHA256_DIGEST_SIZE], const uint8_t b[SHA256_DIGEST_SIZE]);

#endif /* TAGBOOT_SHA256_H */
