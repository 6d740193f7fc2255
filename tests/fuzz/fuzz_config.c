/* fuzz_config.c: libFuzzer harness for the BLS config parser (loader.conf, entries, sort, default selection). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"

#define CONFIG_FUZZ_ENTRIES 3u

static void config_fuzz_check_diag(const struct config_diag *diag, bool ok)
{
	FUZZ_CHECK(fuzz_terminated(diag->first_error, sizeof diag->first_error),
	           "first_error not terminated");
	FUZZ_CHECK(ok == (diag->errors == 0), "result %d but %u errors", ok, diag->errors);
	FUZZ_CHECK(ok || diag->first_error[0] != '\0', "error without a message");
}

/* Messages go through emit too: each must be a terminated, non-empty string. */
static void config_fuzz_emit(void *ctx, int level, const char *msg)
{
	(void)ctx;
	FUZZ_CHECK(level == CONFIG_LEVEL_WARNING || level == CONFIG_LEVEL_ERROR, "level %d", level);
	FUZZ_CHECK(msg != NULL && fuzz_bounded_len(msg, CONFIG_MESSAGE_MAX) < CONFIG_MESSAGE_MAX,
	           "message missing or unterminated");
}

static void config_fuzz_check_entry(const struct config_entry *e)
{
	FUZZ_CHECK(fuzz_terminated(e->id, sizeof e->id), "id");
	FUZZ_CHECK(fuzz_terminated(e->title, sizeof e->title), "title");
	FUZZ_CHECK(fuzz_terminated(e->version, sizeof e->version), "version");
	FUZZ_CHECK(fuzz_terminated(e->sort_key, sizeof e->sort_key), "sort_key");
	FUZZ_CHECK(fuzz_terminated(e->machine_id, sizeof e->machine_id), "machine_id");
	FUZZ_CHECK(fuzz_terminated(e->options, sizeof e->options), "options");
	FUZZ_CHECK(fuzz_terminated(e->path, sizeof e->path), "path");
	FUZZ_CHECK(e->initrd_count <= CONFIG_INITRD_MAX, "initrd_count %u", e->initrd_count);
	FUZZ_CHECK(e->module_count <= CONFIG_MODULE_MAX, "module_count %u", e->module_count);
	FUZZ_CHECK(e->reserve_count <= CONFIG_RESERVE_MAX, "reserve_count %u", e->reserve_count);
	for (unsigned i = 0; i < e->initrd_count; i++)
		FUZZ_CHECK(fuzz_terminated(e->initrd[i], sizeof e->initrd[i]), "initrd %u", i);
	for (unsigned i = 0; i < e->module_count; i++)
		FUZZ_CHECK(fuzz_terminated(e->modules[i].path, sizeof e->modules[i].path), "module %u",
		           i);
	for (unsigned i = 0; i < e->reserve_count; i++)
		FUZZ_CHECK(fuzz_terminated(e->reserves[i].reason, sizeof e->reserves[i].reason),
		           "reserve %u", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size heap copy without a NUL: the parser must go by len, never by a terminator. */
	char *text = malloc(size ? size : 1);
	if (text == NULL)
		return 0;
	memcpy(text, data, size);

	struct config_diag diag;
	static struct config_loader conf;
	config_diag_init(&diag, config_fuzz_emit, NULL);
	bool ok = config_parse_loader("loader.conf", text, size, &conf, &diag);
	config_fuzz_check_diag(&diag, ok);
	FUZZ_CHECK(fuzz_terminated(conf.default_pattern, sizeof conf.default_pattern), "default");
	FUZZ_CHECK(fuzz_terminated(conf.console_mode, sizeof conf.console_mode), "console-mode");

	/* The whole input as one entry, then its three thirds as entries to sort and select. */
	static struct config_entry entries[CONFIG_FUZZ_ENTRIES + 1];
	static const char *const names[CONFIG_FUZZ_ENTRIES] = {
		"/loader/entries/a.conf", "\\loader\\entries\\b-1.2.conf", "c.conf"
	};
	config_diag_init(&diag, NULL, NULL);
	ok = config_parse_entry("/loader/entries/fuzz.conf", text, size, &entries[0], &diag);
	config_fuzz_check_diag(&diag, ok);
	config_fuzz_check_entry(&entries[0]);

	size_t third = size / CONFIG_FUZZ_ENTRIES;
	for (unsigned i = 0; i < CONFIG_FUZZ_ENTRIES; i++) {
		size_t len = i + 1 == CONFIG_FUZZ_ENTRIES ? size - 2 * third : third;
		config_diag_init(&diag, config_fuzz_emit, NULL);
		ok = config_parse_entry(names[i], text + i * third, len, &entries[i], &diag);
		config_fuzz_check_diag(&diag, ok);
		config_fuzz_check_entry(&entries[i]);
	}
	/* A fourth entry whose file name comes from the input: the bytes before the first NUL
	 * name the file (any directory, maybe no ".conf"), the rest is its text. */
	static char name[CONFIG_PATH_MAX + 64];
	const char *nul = memchr(text, '\0', size);
	size_t name_len = nul != NULL ? (size_t)(nul - text) : 0;
	if (nul != NULL && name_len < sizeof name) {
		memcpy(name, text, name_len);
		name[name_len] = '\0';
		config_diag_init(&diag, config_fuzz_emit, NULL);
		ok = config_parse_entry(name, nul + 1, size - name_len - 1, &entries[3], &diag);
		config_fuzz_check_diag(&diag, ok);
	} else {
		config_diag_init(&diag, NULL, NULL);
		ok = config_parse_entry("d.conf", "", 0, &entries[3], &diag);
	}
	config_fuzz_check_entry(&entries[3]);

	config_sort_entries(entries, CONFIG_FUZZ_ENTRIES + 1);
	for (unsigned i = 0; i + 1 < CONFIG_FUZZ_ENTRIES + 1; i++)
		FUZZ_CHECK(config_entry_compare(&entries[i], &entries[i + 1]) <= 0,
		           "entries %u and %u out of order after sorting", i, i + 1);
	size_t pick = config_select_default(&conf, entries, CONFIG_FUZZ_ENTRIES + 1);
	FUZZ_CHECK(pick < CONFIG_FUZZ_ENTRIES + 1, "default index %zu", pick);
	free(text);
	return 0;
}
