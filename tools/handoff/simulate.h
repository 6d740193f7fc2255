/* simulate.h: `handoff simulate`: the map tagboot would hand over for a text memory map. */
#ifndef TAGBOOT_TOOL_SIMULATE_H
#define TAGBOOT_TOOL_SIMULATE_H

/* argv[0] is the command name ("simulate"); returns the process exit status (0 ok, 1 bad input
 * or a failed step, 2 usage). */
int simulate_main(int argc, char **argv);

#endif /* TAGBOOT_TOOL_SIMULATE_H */
