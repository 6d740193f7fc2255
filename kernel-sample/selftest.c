/* selftest.c: consumes and overwrites all allocatable memory, as a memory-hungry kernel does. */
#include "selftest.h"

#include "frame.h"

/* 512 eight-byte stores per frame: the whole page is overwritten, as page metadata or a
 * zeroing allocator would do to it. */
static void selftest_write_frame(uint64_t frame)
{
	uint64_t *words = (uint64_t *)(uintptr_t)frame;
	uint64_t count = FRAME_SIZE / 8;
	uint64_t *dest = words;
	__asm__ volatile("rep stosq" : "+D"(dest), "+c"(count) : "a"(SELFTEST_PATTERN) : "memory");
	words[0] = frame;
}

uint64_t selftest_consume_all(void)
{
	uint64_t taken = 0;
	for (;;) {
		uint64_t frame = frame_alloc();
		if (frame == 0)
			return taken;
		selftest_write_frame(frame);
		taken++;
	}
}
