/* unaccepted.c: ask SEV-SNP OVMF to leave unaccepted memory unaccepted at ExitBootServices. */
#include "efi_glue.h"

#include "boot_log.h"

/*
 * SEV-SNP OVMF accepts all remaining memory at ExitBootServices (slow, and it hides the
 * EfiUnacceptedMemoryType ranges from the kernel) unless the loader declares that the OS
 * understands unaccepted memory, through OVMF's memory acceptance protocol
 * (background.md section 4; Linux's EFI stub does the same). The handoff passes type 15
 * through as TB_MEM_UNACCEPTED, so a native kernel sees what it must accept itself.
 * Other firmware has no such protocol: nothing to do.
 */
#define UNACCEPTED_SEV_ACCEPT_GUID                                                         \
	{ 0xc5a010fe, 0x38a7, 0x4531, { 0x8a, 0x4a, 0x05, 0x00, 0xd2, 0xfd, 0x16, 0x49 } }

struct unaccepted_sev_protocol {
	EFI_STATUS(EFIAPI *allow_unaccepted_memory)(struct unaccepted_sev_protocol *self);
};

void unaccepted_allow(struct fw *fw)
{
	EFI_GUID guid = UNACCEPTED_SEV_ACCEPT_GUID;
	struct unaccepted_sev_protocol *proto = NULL;
	if (BS->LocateProtocol(&guid, NULL, (void **)&proto) != EFI_SUCCESS || !proto)
		return;
	EFI_STATUS s = proto->allow_unaccepted_memory(proto);
	if (s == EFI_SUCCESS)
		boot_log(fw, "unaccepted memory stays unaccepted for the kernel (SEV-SNP "
		             "AllowUnacceptedMemory)");
	else
		boot_log(fw, "warning: AllowUnacceptedMemory failed: the firmware accepts all "
		             "memory at ExitBootServices");
}
