/* request.c: the sample kernel's request note: handoff 1.1, a direct map, a 256 KiB entry stack. */
#include "tagboot_handoff.h"

/* The test variants (Makefile KERNEL_VARIANTS: kernel-future.elf, kernel-parks.elf, ...) build
 * this file with other values to prove the loader refuses or honours them. */
#ifndef KERNEL_REQUEST_MIN_MINOR
#define KERNEL_REQUEST_MIN_MINOR 1
#endif
#ifndef KERNEL_REQUEST_AP_PARK
#define KERNEL_REQUEST_AP_PARK TB_REQ_AP_PARK_DEFAULT
#endif
#ifndef KERNEL_REQUEST_FRAMEBUFFER
#define KERNEL_REQUEST_FRAMEBUFFER TB_REQ_FRAMEBUFFER_DEFAULT
#endif
#define KERNEL_REQUEST_STACK (256u * 1024u)

TB_REQUEST(.min_minor = KERNEL_REQUEST_MIN_MINOR, .ap_park = KERNEL_REQUEST_AP_PARK,
           .framebuffer = KERNEL_REQUEST_FRAMEBUFFER, .direct_map = TB_REQ_DIRECT_MAP_YES,
           .stack_size = KERNEL_REQUEST_STACK);

/* What the checks (verify.c) expect the loader to have granted. */
const uint32_t kernel_request_stack_size = KERNEL_REQUEST_STACK;
