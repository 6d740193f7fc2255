/* sha256.c: streaming SHA-256 (FIPS 180-4 section 6.2) and hex conversion, for kernel/module pins. */
#include "sha256.h"

#include "util.h"

/* FIPS 180-4 section 4.2.2: first 32 bits of the fractional parts of the cube roots of the
 * first 64 primes. */
static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* One 64-byte block: FIPS 180-4 section 6.2.2 steps 1-4. */
static void sha256_block(uint32_t state[8], const uint8_t block[64])
{
	uint32_t w[64];
	for (unsigned t = 0; t < 16; t++) {
		w[t] = (uint32_t)block[4 * t] << 24 | (uint32_t)block[4 * t + 1] << 16 |
		       (uint32_t)block[4 * t + 2] << 8 | (uint32_t)block[4 * t + 3];
	}
	for (unsigned t = 16; t < 64; t++) {
		uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
	uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
	for (unsigned t = 0; t < 64; t++) {
		uint32_t big_s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
		uint32_t ch = (e & f) ^ (~e & g);
		uint32_t t1 = h + big_s1 + ch + sha256_k[t] + w[t];
		uint32_t big_s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
		uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
		uint32_t t2 = big_s0 + maj;
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	state[0] += a;
	state[1] += b;
	state[2] += c;
	state[3] += d;
	state[4] += e;
	state[5] += f;
	state[6] += g;
	state[7] += h;
}

void sha256_init(struct sha256_ctx *ctx)
{
	/* FIPS 180-4 section 5.3.3: initial hash value. */
	static const uint32_t initial[8] = {
		0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
		0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	for (unsigned i = 0; i < 8; i++)
		ctx->state[i] = initial[i];
	ctx->total_bytes = 0;
	ctx->block_used = 0;
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;
	ctx->total_bytes += len;
	while (len > 0) {
		if (ctx->block_used == 0 && len >= 64) {
			sha256_block(ctx->state, p);
			p += 64;
			len -= 64;
			continue;
		}
		size_t take = 64 - ctx->block_used;
		if (take > len)
			take = len;
		for (size_t i = 0; i < take; i++)
			ctx->block[ctx->block_used + i] = p[i];
		ctx->block_used += take;
		p += take;
		len -= take;
		if (ctx->block_used == 64) {
			sha256_block(ctx->state, ctx->block);
			ctx->block_used = 0;
		}
	}
}

void sha256_final(struct sha256_ctx *ctx, uint8_t digest[SHA256_DIGEST_SIZE])
{
	/* FIPS 180-4 section 5.1.1: a 1 bit, zeros to 56 mod 64 bytes, the bit length big-endian. */
	uint64_t bits = ctx->total_bytes * 8;
	ctx->block[ctx->block_used++] = 0x80;
	if (ctx->block_used > 56) {
		while (ctx->block_used < 64)
			ctx->block[ctx->block_used++] = 0;
		sha256_block(ctx->state, ctx->block);
		ctx->block_used = 0;
	}
	while (ctx->block_used < 56)
		ctx->block[ctx->block_used++] = 0;
	for (unsigned i = 0; i < 8; i++)
		ctx->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	sha256_block(ctx->state, ctx->block);
	for (unsigned i = 0; i < 8; i++) {
		digest[4 * i] = (uint8_t)(ctx->state[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(ctx->state[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(ctx->state[i] >> 8);
		digest[4 * i + 3] = (uint8_t)ctx->state[i];
	}
	ctx->block_used = 0;
}

void sha256_digest(const void *data, size_t len, uint8_t digest[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final(&ctx, digest);
}

bool sha256_parse_hex(const char *text, size_t len, uint8_t digest[SHA256_DIGEST_SIZE],
                      const char **why)
{
	if (len != SHA256_HEX_SIZE) {
		if (why != NULL)
			*why = len < SHA256_HEX_SIZE ? "too short: a SHA-256 is 64 hex digits"
			                             : "too long: a SHA-256 is 64 hex digits";
		return false;
	}
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
		int hi = util_hex_value(text[2 * i]), lo = util_hex_value(text[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			if (why != NULL)
				*why = "not a hex digit (0-9, a-f)";
			return false;
		}
		digest[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

void sha256_format_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char out[SHA256_HEX_SIZE + 1])
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[SHA256_HEX_SIZE] = '\0';
}

bool sha256_equal(const uint8_t a[SHA256_DIGEST_SIZE], const uint8_t b[SHA256_DIGEST_SIZE])
{
	uint8_t diff = 0;
	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++)
		diff |= (uint8_t)(a[i] ^ b[i]);
	return diff == 0;
}
