/* selftest.h: the hungry-kernel self-test: take every frame the allocator offers and write it. */
#ifndef KERNEL_SELFTEST_H
#define KERNEL_SELFTEST_H

#include <stdint.h>

/* The pattern word written over every allocated frame (then the frame's own address in its first
 * word, so a later check can tell frames apart). */
#define SELFTEST_PATTERN 0x5A6B7C8D9EAFB0C1ull

/* Allocate frames until the allocator is empty, writing the pattern over each one. Returns the
 * number of frames taken. */
uint64_t selftest_consume_all(void);

#endif
