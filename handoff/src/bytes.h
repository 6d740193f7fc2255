/* bytes.h: freestanding byte helpers (copy, fill, compare, string length) for handoff/src. */
#ifndef TAGBOOT_HANDOFF_BYTES_H
#define TAGBOOT_HANDOFF_BYTES_H

#include <stddef.h>

void tb_bytes_copy(void *dst, const void *src, size_t n);
void tb_bytes_move(void *dst, const void *src, size_t n);
void tb_bytes_set(void *dst, int value, size_t n);
int tb_bytes_compare(const void *a, const void *b, size_t n);
size_t tb_bytes_strlen(const char *s);

#endif
