/* bytes.c: freestanding byte helpers so handoff/src needs no libc (loader and kernel builds). */
#include "bytes.h"

#include <stdint.h>

/*
 * GCC may turn these loops back into calls to memcpy/memset (loop pattern distribution),
 * which a freestanding kernel might implement with these very helpers: turn that off here.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define TB_BYTES_NO_LIBCALL __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define TB_BYTES_NO_LIBCALL
#endif

TB_BYTES_NO_LIBCALL void tb_bytes_copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

TB_BYTES_NO_LIBCALL void tb_bytes_move(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	/* Copy backwards when the destination lies above the source, so overlap is safe. */
	if ((uintptr_t)d > (uintptr_t)s) {
		for (size_t i = n; i > 0; i--)
			d[i - 1] = s[i - 1];
	} else {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	}
}

TB_BYTES_NO_LIBCALL void tb_bytes_set(void *dst, int value, size_t n)
{
	uint8_t *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = (uint8_t)value;
}

TB_BYTES_NO_LIBCALL int tb_bytes_compare(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a;
	const uint8_t *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}

TB_BYTES_NO_LIBCALL size_t tb_bytes_strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}
