/* hello.c: the smallest EFI chainload payload: prints one line and exits QEMU with code 33. */
/* gnu-efi 3.0.15's headers declare functions without prototypes; the project's -Werror flags
 * must not apply to them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <efi.h>
#include <efilib.h>
#pragma GCC diagnostic pop

/* QEMU isa-debug-exit at port 0xf4 (run-boot.sh adds it): QEMU exits with (value << 1) | 1. */
#define HELLO_EXIT_PORT 0xF4
#define HELLO_EXIT_PASS 0x10
/* QEMU debugcon port: the machine-readable copy of the line. */
#define HELLO_DEBUGCON 0xE9

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);

static void hello_outb(UINT16 port, UINT8 value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	static const char line[] = "HELLO: tagboot chainload payload running\n";
	InitializeLib(image, system_table);
	/* ConOut: OVMF mirrors it to the serial port. */
	Print(L"HELLO: tagboot chainload payload running\r\n");
	for (const char *p = line; *p != '\0'; p++)
		hello_outb(HELLO_DEBUGCON, (UINT8)*p);
	hello_outb(HELLO_EXIT_PORT, HELLO_EXIT_PASS);
	/* No exit device: return to the caller like any EFI program. */
	return EFI_SUCCESS;
}
