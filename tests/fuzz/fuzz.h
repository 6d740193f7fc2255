/* fuzz.h: what every libFuzzer harness in tests/fuzz shares (entry prototype, invariant check). */
#ifndef TAGBOOT_FUZZ_H
#define TAGBOOT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* libFuzzer calls this once per input; declared here because the build uses
 * -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A broken invariant is a bug even when no sanitizer fires: print it and abort so libFuzzer
 * saves the input as a crash artifact. */
#define FUZZ_CHECK(cond, ...)                                                          \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: invariant '%s' broken: ", __FILE__,    \
			        __LINE__, #cond);                                      \
			fprintf(stderr, __VA_ARGS__);                                  \
			fputc('\n', stderr);                                           \
			abort();                                                       \
		}                                                                      \
	} while (0)

/* True when a fixed-size text field holds a NUL inside its bounds. */
static inline int fuzz_terminated(const char *s, size_t cap)
{
	for (size_t i = 0; i < cap; i++)
		if (s[i] == '\0')
			return 1;
	return 0;
}

/* Length of s, stopping at max (reads no byte past the NUL). */
static inline size_t fuzz_bounded_len(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n] != '\0')
		n++;
	return n;
}

#endif /* TAGBOOT_FUZZ_H */
