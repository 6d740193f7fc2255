/* console.h: the kernel's output: COM1 for the human log, debugcon (port 0xE9) for machines. */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

/* Where con_printf writes. */
#define CON_SERIAL 1u
#define CON_DEBUGCON 2u
#define CON_BOTH (CON_SERIAL | CON_DEBUGCON)

void con_init(void);
void con_write(unsigned targets, const char *text, size_t length);
/* printf subset: %s %c %d %u %x %p, l/ll modifiers, width with 0 or '-' flag. */
void con_printf(unsigned targets, const char *format, ...) __attribute__((format(printf, 2, 3)));
void con_vprintf(unsigned targets, const char *format, va_list args);

/* The serial log (what a human reads). */
#define kprint(...) con_printf(CON_SERIAL, __VA_ARGS__)

#endif
