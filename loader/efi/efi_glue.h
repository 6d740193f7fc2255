/* efi_glue.h: what the files of loader/efi share (gnu-efi side of the fw.h seam). */
#ifndef TAGBOOT_EFI_GLUE_H
#define TAGBOOT_EFI_GLUE_H

/* gnu-efi 3.0.15 declares a few functions as f() (efiapi.h): not ours to fix. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <efi.h>
#include <efilib.h>
#pragma GCC diagnostic pop

#include "boot_native.h"
#include "config.h"
#include "fw.h"

/* State behind struct fw for the UEFI implementation. */
struct fw_uefi {
	EFI_HANDLE image;
	EFI_SYSTEM_TABLE *st;
	EFI_LOADED_IMAGE *loaded_image;
	EFI_FILE_HANDLE root;       /* root of the volume in use (fw->use_volume), NULL if none */
	EFI_HANDLE device;          /* its device handle (device paths of chainloaded files) */
	EFI_FILE_HANDLE esp_root;   /* the loader's own volume */
	EFI_FILE_HANDLE xbootldr_root; /* the Extended Boot Loader partition, NULL if none */
	EFI_HANDLE xbootldr_device;
	bool exited;                /* ExitBootServices was called: UART only from now on */
	bool conout_has_serial;     /* ConOut already mirrors to a UART: do not write COM1 twice */
};

/* Fill fw with the UEFI implementation. Never fails: missing pieces (no file system)
 * surface as errors of the individual calls. */
void fw_uefi_init(struct fw *fw, struct fw_uefi *u, EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
/* Write text to COM1 (0x3f8) by port I/O, "\n" as "\r\n". Works without boot services. */
void fw_uefi_uart_write(const char *text);
/* The loader's own file on its volume ("/EFI/BOOT/BOOTX64.EFI"), from LoadedImage->FilePath;
 * false when the firmware did not say. */
bool fw_uefi_own_path(const struct fw_uefi *u, char *out, size_t cap);
/* The GPT partition GUID of the loader's volume (its device path's hard drive node); false on
 * an MBR disk or without one. */
bool fw_uefi_partition_guid(const struct fw_uefi *u, uint8_t guid[16]);
/* Disk and partition of a volume's device handle: the hard drive node of its device path, and
 * the disk GUID from the GPT header of the disk that path leads to. false on MBR or none. */
bool fw_uefi_volume_id(EFI_HANDLE device, struct boot_volume_id *out);
/* The fw_status of an EFI_STATUS. */
enum fw_status fw_uefi_status(EFI_STATUS status);
/* A path like "/EFI/x.efi" as UCS-2 with backslashes into out (cap CHAR16s). */
bool fw_uefi_path16(const char *path, CHAR16 *out, size_t cap);

/* Collect what the native boot needs to know from the firmware and the CPU. */
void facts_collect(EFI_SYSTEM_TABLE *st, struct boot_facts *facts);
/* The TSC (RDTSC). */
uint64_t facts_read_tsc(void);

/* Show the menu; returns the index chosen (or the default when the countdown ends). With
 * editor, `e` edits the selected entry's options in place. */
size_t menu_run(struct fw *fw, const struct config_loader *conf, struct config_entry *entries,
                size_t n, size_t def, bool editor);

/* Chainload an `efi` or `linux` entry, shielding the hazards facts and the entry name first
 * (shield.c). Returns only when the image returned or could not start; reports errors itself
 * and returns false for them. */
bool chainload_run(struct fw *fw, struct fw_uefi *u, const struct config_entry *entry,
                   const struct boot_facts *facts);

/* SEV-SNP OVMF: keep unaccepted memory unaccepted at ExitBootServices (no-op elsewhere). */
void unaccepted_allow(struct fw *fw);

/* jump.S: load the GDT, reload segments (CS = selectors & 0xffff, the rest = selectors >> 16),
 * switch CR3 and RSP, RDI = RSI = arg, jump to entry. */
void jump_to_kernel(uint64_t gdtr, uint64_t cr3, uint64_t stack_top, uint64_t arg,
                    uint64_t entry, uint32_t selectors) __attribute__((noreturn));

#endif /* TAGBOOT_EFI_GLUE_H */
