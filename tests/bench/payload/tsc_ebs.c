/* tsc_ebs.c: a boot benchmark payload that measures the firmware's own ExitBootServices:
 * reports "TSC-ENTRY <decimal>" at entry, then GetMemoryMap + ExitBootServices, then
 * "TSC-EXITED <decimal>" on debugcon, and ends QEMU through isa-debug-exit (exit code 33).
 * Started by the firmware as BOOTX64.EFI it gives the floor's cost of leaving boot services,
 * which a native boot pays and a chainload benchmark does not. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <efi.h>
#pragma GCC diagnostic pop

#include <stdint.h>

/* QEMU's -debugcon default port, and the isa-debug-exit port the runner configures. */
#define EBS_DEBUGCON_PORT 0xE9u
#define EBS_EXIT_PORT 0xF4u
/* isa-debug-exit turns 0x10 into QEMU exit code 33 (success) and 0x11 into 35 (failure). */
#define EBS_EXIT_SUCCESS 0x10u
#define EBS_EXIT_FAILURE 0x11u
/* Enough digits for any uint64_t. */
#define EBS_DIGITS_MAX 20
/* Room for OVMF's map (a few dozen descriptors of 48 bytes) with plenty to spare. */
#define EBS_MAP_BYTES 32768u
/* GetMemoryMap can change the map it reports (its own allocation); a second try settles. */
#define EBS_TRIES 4

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);

static uint64_t ebs_map[EBS_MAP_BYTES / 8];

static inline uint64_t ebs_read_tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void ebs_outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static void ebs_write(const char *text)
{
	while (*text != '\0')
		ebs_outb(EBS_DEBUGCON_PORT, (uint8_t)*text++);
}

static void ebs_write_decimal(uint64_t value)
{
	char digits[EBS_DIGITS_MAX + 1];
	int at = EBS_DIGITS_MAX;
	digits[at] = '\0';
	do {
		digits[--at] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	ebs_write(&digits[at]);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	uint64_t entry = ebs_read_tsc();
	EFI_BOOT_SERVICES *bs = system_table->BootServices;
	EFI_STATUS status = EFI_NOT_READY;
	for (int i = 0; i < EBS_TRIES && status != EFI_SUCCESS; i++) {
		UINTN size = sizeof(ebs_map), key = 0, desc_size = 0;
		UINT32 desc_version = 0;
		status = bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)ebs_map, &key, &desc_size,
		                          &desc_version);
		if (status == EFI_SUCCESS)
			status = bs->ExitBootServices(image, key);
	}
	uint64_t exited = ebs_read_tsc();
	ebs_write("TSC-ENTRY ");
	ebs_write_decimal(entry);
	ebs_write("\n");
	if (status != EFI_SUCCESS) {
		ebs_write("EBS-FAILED\n");
		ebs_outb(EBS_EXIT_PORT, EBS_EXIT_FAILURE);
		return status;
	}
	ebs_write("TSC-EXITED ");
	ebs_write_decimal(exited);
	ebs_write("\n");
	ebs_outb(EBS_EXIT_PORT, EBS_EXIT_SUCCESS);
	for (;;)
		__asm__ volatile("cli; hlt");
}
