/* mem.c: memcpy/memmove/memset/memcmp for the freestanding kernel (gcc may emit calls to them). */
#include "mem.h"

#include <stdint.h>

/* rep movsb / rep stosb keep gcc from turning these loops back into calls to themselves. */
void *memcpy(void *dest, const void *src, size_t n)
{
	void *d = dest;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dest;
}

void *memmove(void *dest, const void *src, size_t n)
{
	if ((uintptr_t)dest <= (uintptr_t)src || (uintptr_t)dest >= (uintptr_t)src + n)
		return memcpy(dest, src, n);
	/* Overlap with dest above src: copy backwards with the direction flag set. */
	void *d = (uint8_t *)dest + n - 1;
	const void *s = (const uint8_t *)src + n - 1;
	__asm__ volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dest;
}

void *memset(void *dest, int c, size_t n)
{
	void *d = dest;
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dest;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a;
	const volatile uint8_t *y = b;
	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	}
	return 0;
}
