/* result.c: prints the single RESULT line and ends the run through isa-debug-exit. */
#include "result.h"

#include <stdarg.h>

#include "console.h"
#include "cpu.h"

/* The runner passes -device isa-debug-exit,iobase=0xf4,iosize=4. */
#define RESULT_EXIT_PORT 0xF4u

void result_exit(unsigned value)
{
	__asm__ volatile("cli");
	cpu_outl(RESULT_EXIT_PORT, value);
	/* No exit device (real hardware, another VM): stop here with interrupts off. */
	cpu_halt_forever();
}

static __attribute__((noreturn)) void result_finish(const char *verdict, unsigned exit_value,
                                                    const char *format, va_list args)
{
	va_list again;
	va_copy(again, args);
	con_printf(CON_BOTH, "RESULT: %s ", verdict);
	con_vprintf(CON_SERIAL, format, args);
	con_vprintf(CON_DEBUGCON, format, again);
	va_end(again);
	con_printf(CON_BOTH, "\n");
	result_exit(exit_value);
}

void result_fail(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	result_finish("FAIL", RESULT_EXIT_FAIL, format, args);
}

void result_pass(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	result_finish("PASS", RESULT_EXIT_PASS, format, args);
}
