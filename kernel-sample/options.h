/* options.h: the kernel command line options the sample kernel understands. */
#ifndef KERNEL_OPTIONS_H
#define KERNEL_OPTIONS_H

#include <stdbool.h>

#include "apcheck.h"

struct options {
	bool selftest;       /* selftest=on|off (default on): fill all free memory before wakeup */
	bool ignore_ap_held; /* ignore-ap-held: treat AP_HELD as usable (the TDX mistake, on purpose) */
	bool test_fault;     /* test-fault: take a page fault on purpose (tests the IDT's report) */
	bool test_triple_fault; /* test-triple-fault: empty IDT, then #UD: the CPU resets (tests the runner) */
	enum apcheck_class poison; /* poison=CLASS: overwrite that AP-held class just before the
	                            * wakeup (the proof that its tag is load-bearing) */
	/* handoff 1.1 checks (verify.c) that need to know what the test set up */
	bool check_modules;         /* check-modules: each module's file starts with its string */
	const char *expect_path;    /* expect-boot-path=PATH: the boot-device record's path */
	unsigned expect_path_len;
	const char *expect_partition; /* expect-partition=GUID (36 characters, lower case) */
	const char *expect_disk;      /* expect-disk=GUID: the GPT disk GUID */
};

/* Parse a NUL-terminated command line (may be NULL). Unknown words (console=ttyS0, ...) are
 * ignored. Returns false with a message in *error for a known option with a bad value. */
bool options_parse(const char *cmdline, struct options *out, const char **error);

#endif
