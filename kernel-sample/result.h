/* result.h: the kernel's verdict: the RESULT line, then QEMU isa-debug-exit or a halt. */
#ifndef KERNEL_RESULT_H
#define KERNEL_RESULT_H

/* Values written to isa-debug-exit; QEMU exits with (value << 1) | 1 (hw/misc/debugexit.c). */
#define RESULT_EXIT_PASS 0x10u /* QEMU exit code 33 */
#define RESULT_EXIT_FAIL 0x11u /* QEMU exit code 35 */

/* Print "RESULT: FAIL <reason>" on serial and debugcon, exit 0x11. */
__attribute__((noreturn, format(printf, 1, 2))) void result_fail(const char *format, ...);
/* Print "RESULT: PASS <details>" on serial and debugcon, exit 0x10. */
__attribute__((noreturn, format(printf, 1, 2))) void result_pass(const char *format, ...);
/* Write value to isa-debug-exit (port 0xf4); if QEMU does not exit, halt forever. */
__attribute__((noreturn)) void result_exit(unsigned value);

#endif
