/* crash.c: an EFI payload that page-faults inside the firmware's context, so the boot runner's
 * "!!!! X64 Exception" fast failure can be checked against a real OVMF exception dump. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <efi.h>
#include <efilib.h>
#pragma GCC diagnostic pop

/* Canonical and far above the 0-4 GiB (plus RAM) that OVMF identity-maps: not present. */
#define CRASH_ADDRESS 0x00007ff000000000ull

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	InitializeLib(image, system_table);
	Print(L"CRASH: reading an unmapped address on purpose\r\n");
	volatile UINT64 *p = (volatile UINT64 *)(UINTN)CRASH_ADDRESS;
	return (EFI_STATUS)*p;
}
