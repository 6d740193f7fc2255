/* version.c: version_compare, the systemd-boot / UAPI order of versions and entry ids (version.h). */
#include "version.h"

#include <stdbool.h>
#include <stddef.h>

static bool version_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool version_letter(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool version_meaningful(char c)
{
	return version_digit(c) || version_letter(c) || c == '~' || c == '-' || c == '^' ||
	       c == '.';
}

static int version_sign(long d)
{
	return d < 0 ? -1 : d > 0;
}

/* One prefix byte: if exactly one side has it, that side is older (or, for '^', compared by
 * `has_is_older`); if both do, both skip it. Returns the verdict or 0 to go on. */
static int version_prefix(const char **a, const char **b, char p, bool has_is_older)
{
	bool ha = **a == p, hb = **b == p;
	if (ha != hb)
		return (ha == has_is_older) ? -1 : 1;
	if (ha) {
		(*a)++;
		(*b)++;
	}
	return 0;
}

int version_compare(const char *a, const char *b)
{
	if (!a)
		a = "";
	if (!b)
		b = "";
	for (;;) {
		while (*a && !version_meaningful(*a))
			a++;
		while (*b && !version_meaningful(*b))
			b++;
		int r = version_prefix(&a, &b, '~', true);
		if (r)
			return r;
		/* Without a '~' next, the string with more segments is the newer one. */
		if (*a == '\0' || *b == '\0')
			return version_sign((long)(unsigned char)*a - (long)(unsigned char)*b);
		if ((r = version_prefix(&a, &b, '-', true)) != 0 ||
		    (r = version_prefix(&a, &b, '^', true)) != 0 ||
		    (r = version_prefix(&a, &b, '.', true)) != 0)
			return r;
		const char *ea = a, *eb = b;
		if (version_digit(*a) || version_digit(*b)) {
			while (version_digit(*ea))
				ea++;
			while (version_digit(*eb))
				eb++;
			/* A number is newer than no number (a letter run or a separator). */
			if ((ea != a) != (eb != b))
				return ea != a ? 1 : -1;
			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			if (ea - a != eb - b)
				return ea - a < eb - b ? -1 : 1;
			for (; a < ea; a++, b++)
				if (*a != *b)
					return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		} else {
			while (version_letter(*ea))
				ea++;
			while (version_letter(*eb))
				eb++;
			for (; a < ea && b < eb; a++, b++)
				if (*a != *b)
					return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
			if ((ea - a) != (eb - b))
				return ea - a < eb - b ? -1 : 1;
		}
		a = ea;
		b = eb;
	}
}
