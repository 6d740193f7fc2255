/* simargs.c: the command line of `handoff simulate`, with a message naming the option and the
 * reason for every mistake. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "simulate.h"
#include "util.h"

void simargs_usage(FILE *out)
{
	fprintf(out,
	        "usage: handoff simulate FILE [--platform tdx|snp|xen|kvm|none]\n"
	        "                        [--madt-mailbox ADDR --mailbox-version 0|1]\n"
	        "                        [--reserve BASE SIZE REASON]... [--strict]\n"
	        "                        [--entry native|linux|efi]\n"
	        "                        [--out BLOB] [--svg OUT.svg]\n"
	        "\n"
	        "FILE is a memory map as text: EDK2 shell `memmap` output, Linux `efi: mem` lines\n"
	        "(efi=debug), Linux `BIOS-e820:` lines, or `START END TYPE` rows (END inclusive).\n"
	        "Prints the map tagboot would hand over, its tagged regions, the hazards it found and\n"
	        "the totals. --entry linux or efi: instead, the map a chainloaded kernel's EFI stub\n"
	        "would see after tagboot's shield, each hazard covered or not (needs EFI rows).\n"
	        "Exit 0 ok (hazards too, unless --strict), 1 invalid input, 2 usage or I/O error.\n"
	        "See docs/simulate.md.\n");
}

static const struct {
	const char *word;
	uint32_t kind;
} simargs_platforms[] = {
	{ "tdx", TB_PLATFORM_TDX },     { "snp", TB_PLATFORM_SEV_SNP }, { "xen", TB_PLATFORM_XEN_HVM },
	{ "kvm", TB_PLATFORM_KVM },     { "none", TB_PLATFORM_NONE },
};

/* The value of option argv[*i], or NULL after a message when it is missing. */
static const char *simargs_value(int argc, char **argv, int *i, const char *what)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "handoff simulate: %s needs %s\n", argv[*i], what);
		return NULL;
	}
	return argv[++*i];
}

/* A number as the loader's `reserve` lines take it: decimal or 0x hexadecimal. */
static bool simargs_number(const char *option, const char *field, const char *text,
                           uint64_t *out)
{
	enum util_parse_status st = util_parse_u64(text, strlen(text), out);

	if (st != UTIL_PARSE_OK) {
		fprintf(stderr, "handoff simulate: %s %s '%s': %s\n", option, field, text,
		        util_parse_status_str(st));
		return false;
	}
	return true;
}

static bool simargs_platform(const char *text, struct simargs *a)
{
	for (size_t i = 0; i < sizeof(simargs_platforms) / sizeof(simargs_platforms[0]); i++) {
		if (strcmp(text, simargs_platforms[i].word) == 0) {
			a->platform = simargs_platforms[i].kind;
			return true;
		}
	}
	fprintf(stderr, "handoff simulate: --platform '%s': expected tdx, snp, xen, kvm or none\n",
	        text);
	return false;
}

static bool simargs_mailbox(const char *text, struct simargs *a)
{
	if (!simargs_number("--madt-mailbox", "ADDR", text, &a->mailbox))
		return false;
	/* ACPI 6.4 5.2.12.19: the mailbox is one 4 KiB-aligned page; tagging skips address 0. */
	if (a->mailbox == 0 || a->mailbox % TB_PAGE_SIZE != 0) {
		fprintf(stderr, "handoff simulate: --madt-mailbox '%s': the mailbox is a non-zero "
		                "4 KiB-aligned address\n", text);
		return false;
	}
	a->have_mailbox = true;
	return true;
}

static bool simargs_version(const char *text, struct simargs *a)
{
	if (strcmp(text, "0") != 0 && strcmp(text, "1") != 0) {
		fprintf(stderr, "handoff simulate: --mailbox-version '%s': expected 0 or 1 (ACPI MP "
		                "wakeup mailbox version)\n", text);
		return false;
	}
	a->mailbox_version = text[0] - '0';
	return true;
}

/* The same checks as a `reserve` line of a boot entry (loader/core/config.c). */
static bool simargs_reserve(int argc, char **argv, int *i, struct simargs *a)
{
	struct config_reserve *r = &a->reserves[a->reserve_count];
	uint64_t base, size;

	if (*i + 3 >= argc) {
		fprintf(stderr, "handoff simulate: --reserve needs BASE SIZE REASON\n");
		return false;
	}
	if (a->reserve_count == CONFIG_RESERVE_MAX) {
		fprintf(stderr, "handoff simulate: --reserve: at most %u, as in a boot entry\n",
		        CONFIG_RESERVE_MAX);
		return false;
	}
	if (!simargs_number("--reserve", "BASE", argv[*i + 1], &base) ||
	    !simargs_number("--reserve", "SIZE", argv[*i + 2], &size))
		return false;
	if (size == 0) {
		fprintf(stderr, "handoff simulate: --reserve %s %s: SIZE is 0\n", argv[*i + 1],
		        argv[*i + 2]);
		return false;
	}
	if (size - 1 > UINT64_MAX - base) {
		fprintf(stderr, "handoff simulate: --reserve %s %s: BASE + SIZE runs past the end of "
		                "the address space\n", argv[*i + 1], argv[*i + 2]);
		return false;
	}
	if (strlen(argv[*i + 3]) >= sizeof(r->reason) || argv[*i + 3][0] == '\0') {
		fprintf(stderr, "handoff simulate: --reserve REASON '%s': one word of 1 to %zu bytes\n",
		        argv[*i + 3], sizeof(r->reason) - 1);
		return false;
	}
	r->base = base;
	r->size = size;
	memcpy(r->reason, argv[*i + 3], strlen(argv[*i + 3]) + 1);
	a->reserve_count++;
	*i += 3;
	return true;
}

/* One option at argv[*i] (advancing *i past its values); false after a message. */
static bool simargs_option(int argc, char **argv, int *i, struct simargs *a)
{
	const char *opt = argv[*i], *v;

	if (strcmp(opt, "--platform") == 0)
		return (v = simargs_value(argc, argv, i, "tdx, snp, xen, kvm or none")) != NULL &&
		       simargs_platform(v, a);
	if (strcmp(opt, "--madt-mailbox") == 0)
		return (v = simargs_value(argc, argv, i, "an address")) != NULL &&
		       simargs_mailbox(v, a);
	if (strcmp(opt, "--mailbox-version") == 0)
		return (v = simargs_value(argc, argv, i, "0 or 1")) != NULL && simargs_version(v, a);
	if (strcmp(opt, "--reserve") == 0)
		return simargs_reserve(argc, argv, i, a);
	if (strcmp(opt, "--out") == 0)
		return (a->out = simargs_value(argc, argv, i, "a file name")) != NULL;
	if (strcmp(opt, "--svg") == 0)
		return (a->svg = simargs_value(argc, argv, i, "a file name")) != NULL;
	if (strcmp(opt, "--strict") == 0)
		return a->strict = true;
	if (strcmp(opt, "--entry") == 0) {
		if ((v = simargs_value(argc, argv, i, "native, linux or efi")) == NULL)
			return false;
		if (strcmp(v, "native") != 0 && strcmp(v, "linux") != 0 && strcmp(v, "efi") != 0) {
			fprintf(stderr, "handoff simulate: --entry: '%s' is not native, linux or efi\n", v);
			return false;
		}
		a->entry = v;
		a->chainload = strcmp(v, "native") != 0;
		return true;
	}
	if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0)
		return a->help = true;
	fprintf(stderr, "handoff simulate: unknown option '%s'\n", opt);
	return false;
}

int simargs_parse(int argc, char **argv, struct simargs *a)
{
	memset(a, 0, sizeof(*a));
	a->platform = TB_PLATFORM_NONE;
	a->mailbox_version = -1;
	a->entry = "native";
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1] != '\0') {
			if (!simargs_option(argc, argv, &i, a))
				return TOOL_EXIT_USAGE;
			if (a->help)
				return TOOL_EXIT_OK;
			continue;
		}
		if (a->file != NULL) {
			fprintf(stderr, "handoff simulate: one FILE only ('%s', then '%s')\n", a->file,
			        argv[i]);
			return TOOL_EXIT_USAGE;
		}
		a->file = argv[i];
	}
	if (a->file == NULL) {
		fprintf(stderr, "handoff simulate: no FILE given\n");
		simargs_usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	/* The version decides when firmware AP memory comes back (tagging.c), so it is never
	 * guessed. */
	if (a->have_mailbox && a->mailbox_version < 0) {
		fprintf(stderr, "handoff simulate: --madt-mailbox needs --mailbox-version 0|1 (it "
		                "decides when AP memory may be reclaimed)\n");
		return TOOL_EXIT_USAGE;
	}
	if (!a->have_mailbox && a->mailbox_version >= 0) {
		fprintf(stderr, "handoff simulate: --mailbox-version without --madt-mailbox ADDR\n");
		return TOOL_EXIT_USAGE;
	}
	return TOOL_EXIT_OK;
}
