/* frame.h: physical frame allocator that only ever hands out frames usable *now*. */
#ifndef KERNEL_FRAME_H
#define KERNEL_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#define FRAME_SIZE 4096ull
/* Map entries the allocator can track (one "consumed up to" cursor per entry). */
#define FRAME_MAX_ENTRIES 2048u

/* Set up over a validated, writable handoff (the kernel's copy; tb_release changes it in
 * place). `received` is an untouched copy of the blob as the loader wrote it: frames that were
 * not usable in it are counted as reclaimed. ignore_ap_held treats AP_HELD as usable (the
 * mistake of the TDX incident, for the negative test). Returns false if the map is too big. */
bool frame_init(void *handoff, const void *received, bool ignore_ap_held);
/* Next usable frame's physical address, or 0 when none is left. Frame 0 is never returned. */
uint64_t frame_alloc(void);
/* Next usable frame below limit (exclusive), or 0. Does not skip the frames above. */
uint64_t frame_alloc_below(uint64_t limit);
/* tb_release on the kernel's copy; newly usable frames become allocatable. */
bool frame_release(uint32_t events, uint64_t *pages);

/* Statistics. */
uint64_t frame_allocated_count(void);
uint64_t frame_reclaimed_count(void); /* allocated frames that were not usable at entry */

#endif
