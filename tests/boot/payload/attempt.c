/* attempt.c: stands in for a tagboot that died after ExitBootServices: writes tagboot's boot-attempt record (the documented format) for the entry in its load options, then resets. */
/* gnu-efi 3.0.15's headers declare functions without prototypes; the project's -Werror flags
 * must not apply to them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <efi.h>
#include <efilib.h>
#pragma GCC diagnostic pop

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);

/* TAGBOOT_VARIABLE_GUID (docs/loader.md "After a failed boot"). */
static EFI_GUID attempt_guid = {
	0xd9f1c880, 0x608f, 0x4303, {0x91, 0x67, 0x16, 0xbb, 0xde, 0x60, 0xd0, 0x84}};

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	InitializeLib(image, system_table);
	/* The entry id comes as the load options (the entry's `options` line). */
	EFI_LOADED_IMAGE *li = NULL;
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	char record[256] = "tagboot-attempt 1\nentry ";
	UINTN n = 24;
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &li_guid, (void **)&li) == EFI_SUCCESS &&
	    li && li->LoadOptions) {
		const CHAR16 *o = li->LoadOptions;
		for (UINTN i = 0; i < li->LoadOptionsSize / 2 && o[i] && n < 150; i++)
			record[n++] = (char)o[i];
	}
	const char step[] = "\nstep simulated by the attempt payload\n";
	for (UINTN i = 0; step[i]; i++)
		record[n++] = step[i];
	EFI_STATUS s = uefi_call_wrapper(RT->SetVariable, 5, L"TagbootBootAttempt", &attempt_guid,
	                                 EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS |
	                                         EFI_VARIABLE_RUNTIME_ACCESS,
	                                 n, record);
	Print(L"ATTEMPT: record written (%r), resetting as a failed boot would\r\n", s);
	uefi_call_wrapper(RT->ResetSystem, 4, EfiResetCold, EFI_LOAD_ERROR, 0, NULL);
	return EFI_SUCCESS;
}
