/* tsc.c: the boot benchmark's payload: reports the TSC at its entry on debugcon as
 * "TSC-ENTRY <decimal>" and ends QEMU through isa-debug-exit (exit code 33). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <efi.h>
#pragma GCC diagnostic pop

#include <stdint.h>

/* QEMU's -debugcon default port, and the isa-debug-exit port the runner configures. */
#define TSC_DEBUGCON_PORT 0xE9u
#define TSC_EXIT_PORT 0xF4u
/* isa-debug-exit turns 0x10 into QEMU exit code (0x10 << 1) | 1 = 33: success. */
#define TSC_EXIT_SUCCESS 0x10u
/* Enough digits for any uint64_t. */
#define TSC_DIGITS_MAX 20

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);

static inline uint64_t tsc_read(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void tsc_outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static void tsc_write(const char *text)
{
	while (*text != '\0')
		tsc_outb(TSC_DEBUGCON_PORT, (uint8_t)*text++);
}

static void tsc_write_decimal(uint64_t value)
{
	char digits[TSC_DIGITS_MAX + 1];
	int at = TSC_DIGITS_MAX;
	digits[at] = '\0';
	do {
		digits[--at] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	tsc_write(&digits[at]);
}

/* No InitializeLib and no firmware call: the first thing measured is this entry. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	uint64_t entry = tsc_read();
	(void)image;
	(void)system_table;
	tsc_write("TSC-ENTRY ");
	tsc_write_decimal(entry);
	tsc_write("\n");
	tsc_outb(TSC_EXIT_PORT, TSC_EXIT_SUCCESS);
	/* Only reached without isa-debug-exit: hand control back so the boot does not hang. */
	return EFI_SUCCESS;
}
