/* console.c: COM1 16550 output and QEMU debugcon output with a small printf. */
#include "console.h"

#include <stdbool.h>
#include <stdint.h>

#include "cpu.h"

/* COM1 base port and 16550 register offsets (PC/AT convention; National Semiconductor
 * PC16550D datasheet). */
#define CON_COM1 0x3F8u
#define CON_UART_DATA 0
#define CON_UART_IER 1
#define CON_UART_FCR 2
#define CON_UART_LCR 3
#define CON_UART_MCR 4
#define CON_UART_LSR 5
#define CON_LSR_THR_EMPTY 0x20u
/* QEMU's -debugcon default I/O port (hw/char/debugcon.c). */
#define CON_DEBUGCON_PORT 0xE9u

static bool con_serial_present;

void con_init(void)
{
	cpu_outb(CON_COM1 + CON_UART_IER, 0x00);
	/* DLAB on, divisor 1 (115200 baud), 8N1, FIFO on, DTR/RTS. */
	cpu_outb(CON_COM1 + CON_UART_LCR, 0x80);
	cpu_outb(CON_COM1 + CON_UART_DATA, 0x01);
	cpu_outb(CON_COM1 + CON_UART_IER, 0x00);
	cpu_outb(CON_COM1 + CON_UART_LCR, 0x03);
	cpu_outb(CON_COM1 + CON_UART_FCR, 0xC7);
	cpu_outb(CON_COM1 + CON_UART_MCR, 0x03);
	/* A missing UART reads 0xFF everywhere; do not wait on it. */
	con_serial_present = cpu_inb(CON_COM1 + CON_UART_LSR) != 0xFF;
}

static void con_serial_putc(char c)
{
	/* Bounded: a wedged UART must not hang the kernel. */
	for (unsigned spin = 0; spin < 100000; spin++) {
		if (cpu_inb(CON_COM1 + CON_UART_LSR) & CON_LSR_THR_EMPTY)
			break;
	}
	cpu_outb(CON_COM1 + CON_UART_DATA, (uint8_t)c);
}

void con_write(unsigned targets, const char *text, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		char c = text[i];
		if ((targets & CON_SERIAL) && con_serial_present) {
			if (c == '\n')
				con_serial_putc('\r');
			con_serial_putc(c);
		}
		if (targets & CON_DEBUGCON)
			cpu_outb(CON_DEBUGCON_PORT, (uint8_t)c);
	}
}

/* Output buffer of one con_printf call, flushed when full. */
struct con_out {
	unsigned targets;
	char buf[128];
	size_t used;
};

static void con_out_flush(struct con_out *out)
{
	con_write(out->targets, out->buf, out->used);
	out->used = 0;
}

static void con_out_char(struct con_out *out, char c)
{
	if (out->used == sizeof(out->buf))
		con_out_flush(out);
	out->buf[out->used++] = c;
}

static void con_out_padded(struct con_out *out, const char *text, size_t length, unsigned width,
                           char pad, bool left)
{
	if (!left)
		for (size_t i = length; i < width; i++)
			con_out_char(out, pad);
	for (size_t i = 0; i < length; i++)
		con_out_char(out, text[i]);
	if (left)
		for (size_t i = length; i < width; i++)
			con_out_char(out, ' ');
}

static void con_out_number(struct con_out *out, uint64_t value, bool negative, unsigned base,
                           unsigned width, char pad, bool left)
{
	char digits[24];
	size_t n = 0;
	do {
		unsigned d = (unsigned)(value % base);
		digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		value /= base;
	} while (value != 0);
	if (negative)
		digits[n++] = '-';
	char text[24];
	for (size_t i = 0; i < n; i++)
		text[i] = digits[n - 1 - i];
	con_out_padded(out, text, n, width, pad, left);
}

void con_vprintf(unsigned targets, const char *format, va_list args)
{
	struct con_out out = { .targets = targets, .used = 0 };
	for (const char *p = format; *p != '\0'; p++) {
		if (*p != '%') {
			con_out_char(&out, *p);
			continue;
		}
		p++;
		bool left = false;
		char pad = ' ';
		unsigned width = 0;
		unsigned longs = 0;
		if (*p == '-') {
			left = true;
			p++;
		}
		if (*p == '0') {
			pad = '0';
			p++;
		}
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (unsigned)(*p++ - '0');
		while (*p == 'l') {
			longs++;
			p++;
		}
		if (*p == 'z') {
			longs = 2;
			p++;
		}
		switch (*p) {
		case 's': {
			const char *s = va_arg(args, const char *);
			if (s == NULL)
				s = "(null)";
			size_t length = 0;
			while (s[length] != '\0')
				length++;
			con_out_padded(&out, s, length, width, ' ', left);
			break;
		}
		case 'c':
			con_out_char(&out, (char)va_arg(args, int));
			break;
		case 'd': {
			int64_t v = longs ? va_arg(args, int64_t) : va_arg(args, int);
			uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
			con_out_number(&out, magnitude, v < 0, 10, width, pad, left);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = longs ? va_arg(args, uint64_t) : va_arg(args, unsigned);
			con_out_number(&out, v, false, *p == 'u' ? 10 : 16, width, pad, left);
			break;
		}
		case 'p':
			con_out_char(&out, '0');
			con_out_char(&out, 'x');
			con_out_number(&out, (uint64_t)(uintptr_t)va_arg(args, void *), false, 16, 16,
			               '0', false);
			break;
		case '%':
			con_out_char(&out, '%');
			break;
		case '\0':
			p--;
			break;
		default:
			con_out_char(&out, '%');
			con_out_char(&out, *p);
			break;
		}
	}
	con_out_flush(&out);
}

void con_printf(unsigned targets, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	con_vprintf(targets, format, args);
	va_end(args);
}
