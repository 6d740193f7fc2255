/* options.c: splits the command line into words and picks out selftest=, ignore-ap-held, poison= and the test options. */
#include "options.h"

#include <stddef.h>

/* Does the word [word, word + length) equal text? */
static bool options_word_is(const char *word, size_t length, const char *text)
{
	size_t i = 0;
	for (; i < length; i++)
		if (text[i] == '\0' || text[i] != word[i])
			return false;
	return text[i] == '\0';
}

bool options_parse(const char *cmdline, struct options *out, const char **error)
{
	out->selftest = true;
	out->ignore_ap_held = false;
	out->test_fault = false;
	out->test_triple_fault = false;
	out->poison = APCHECK_NONE;
	out->check_modules = false;
	out->expect_path = NULL;
	out->expect_path_len = 0;
	out->expect_partition = NULL;
	out->expect_disk = NULL;
	*error = NULL;
	if (cmdline == NULL)
		return true;
	const char *p = cmdline;
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *word = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		size_t length = (size_t)(p - word);
		if (length == 0)
			continue;
		if (options_word_is(word, length, "selftest=on"))
			out->selftest = true;
		else if (options_word_is(word, length, "selftest=off"))
			out->selftest = false;
		else if (length >= 9 && options_word_is(word, 9, "selftest=")) {
			*error = "selftest= takes on or off";
			return false;
		} else if (options_word_is(word, length, "ignore-ap-held"))
			out->ignore_ap_held = true;
		else if (options_word_is(word, length, "test-fault"))
			out->test_fault = true;
		else if (options_word_is(word, length, "test-triple-fault"))
			out->test_triple_fault = true;
		else if (options_word_is(word, length, "check-modules"))
			out->check_modules = true;
		else if (length > 17 && options_word_is(word, 17, "expect-boot-path=")) {
			out->expect_path = word + 17;
			out->expect_path_len = (unsigned)(length - 17);
		} else if (length >= 17 && options_word_is(word, 17, "expect-partition=")) {
			if (length != 17 + 36) {
				*error = "expect-partition= takes a GUID of 36 characters";
				return false;
			}
			out->expect_partition = word + 17;
		} else if (length >= 12 && options_word_is(word, 12, "expect-disk=")) {
			if (length != 12 + 36) {
				*error = "expect-disk= takes a GUID of 36 characters";
				return false;
			}
			out->expect_disk = word + 12;
		} else if (length >= 7 && options_word_is(word, 7, "poison=")) {
			out->poison = apcheck_class_parse(word + 7, (unsigned)(length - 7));
			if (out->poison == APCHECK_NONE) {
				*error = "poison= takes mailbox, loop-code, page-tables, stacks or trampoline";
				return false;
			}
		}
	}
	return true;
}
