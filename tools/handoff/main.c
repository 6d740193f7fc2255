/* main.c: the `handoff` host tool: a command table dispatching to decode, sample, simulate,
 * e820 and help. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "simulate.h"

struct main_command {
	const char *name;
	const char *args;
	const char *summary;
	int (*run)(int argc, char **argv);
};

static int main_help(int argc, char **argv);

static const struct main_command main_commands[] = {
	{ "decode", "FILE", "validate a handoff blob and print its header, records, memory map "
	                    "and totals (exit 0 valid, 1 invalid, 2 usage or I/O error)",
	  decode_main },
	{ "sample", "OUT", "write a representative 1.1 handoff blob (TDX guest, 3 APs, every record "
	                   "type) built with the builder API", sample_main },
	{ "simulate", "FILE", "the handoff tagboot would build from a text memory map (EDK2 shell "
	                      "memmap, efi: mem, BIOS-e820 or START END TYPE lines): map, tags, "
	                      "hazards, totals; --help for options", simulate_main },
	{ "e820", "FILE", "the e820 table a native Linux boot derives from a handoff blob "
	                  "(docs/linux.md), as /sys/firmware/memmap shows it", e820_main },
	{ "help", "", "this text", main_help },
};

#define MAIN_COMMAND_COUNT (sizeof(main_commands) / sizeof(main_commands[0]))

static void main_usage(FILE *out)
{
	fprintf(out, "usage: handoff COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < MAIN_COMMAND_COUNT; i++)
		fprintf(out, "  %-8s %-5s %s\n", main_commands[i].name, main_commands[i].args,
		        main_commands[i].summary);
	fprintf(out, "\nThe format is specified in docs/handoff.md.\n");
}

static int main_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	main_usage(stdout);
	return TOOL_EXIT_OK;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		main_usage(stderr);
		return TOOL_EXIT_USAGE;
	}
	for (size_t i = 0; i < MAIN_COMMAND_COUNT; i++) {
		if (strcmp(argv[1], main_commands[i].name) == 0)
			return main_commands[i].run(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return main_help(argc - 1, argv + 1);
	fprintf(stderr, "handoff: unknown command '%s'\n\n", argv[1]);
	main_usage(stderr);
	return TOOL_EXIT_USAGE;
}
