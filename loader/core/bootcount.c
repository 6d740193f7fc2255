/* bootcount.c: parse and advance the boot counters of entry file names (bootcount.h). */
#include "bootcount.h"

#include "util.h"

/* Digits of s[start..end) as a number; false when empty or above 2^63 (no overflow). */
static bool bootcount_number(const char *s, size_t start, size_t end, uint64_t *out)
{
	if (start >= end || end - start > 18)
		return false;
	uint64_t v = 0;
	for (size_t i = start; i < end; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

size_t bootcount_parse(const char *stem, size_t len, struct bootcount *out)
{
	out->counted = false;
	out->left = out->done = 0;
	size_t plus = len;
	while (plus > 0 && stem[plus - 1] != '+')
		plus--;
	if (plus == 0)
		return len;
	size_t dash = plus;
	while (dash < len && stem[dash] != '-')
		dash++;
	uint64_t left = 0, done = 0;
	if (!bootcount_number(stem, plus, dash, &left))
		return len;
	if (dash < len && !bootcount_number(stem, dash + 1, len, &done))
		return len;
	out->counted = true;
	out->left = left;
	out->done = done;
	return plus - 1;
}

bool bootcount_next_name(const char *stem, size_t id_len, const struct bootcount *c,
                         const char *suffix, char *out, size_t cap)
{
	if (!c->counted || c->left == 0)
		return false;
	struct util_sb sb;
	util_sb_init(&sb, out, cap);
	util_sb_strn(&sb, stem, id_len);
	util_sb_char(&sb, '+');
	util_sb_u64(&sb, c->left - 1);
	util_sb_char(&sb, '-');
	util_sb_u64(&sb, c->done + 1);
	util_sb_str(&sb, suffix);
	return !sb.truncated;
}
