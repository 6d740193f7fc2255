/* memmap.c: an EFI chainload payload that reads the memory map and checks ranges named in its load options have the EFI types named there (the shield's proof). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <efi.h>
#include <efilib.h>
#pragma GCC diagnostic pop

/*
 * Load options: "expect BASE SIZE TYPE ..." (hex with 0x, or decimal), one triple per range.
 * Every page of each range must lie in descriptors of that EFI type. Prints
 * "MEMMAP-CHECK ok N ranges" or "MEMMAP-CHECK fail BASE-END: TYPE at ADDR, expected T" on the
 * console (OVMF mirrors it to serial) and exits QEMU with 33 (ok) or 35 (fail) through
 * isa-debug-exit.
 */
#define MEMMAP_EXIT_PORT 0xF4
#define MEMMAP_EXIT_PASS 0x10
#define MEMMAP_EXIT_FAIL 0x11
#define MEMMAP_MAX_RANGES 16

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);

static void memmap_outb(UINT16 port, UINT8 value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

/* One number of the options at *p (skipping blanks); false at the end. */
static BOOLEAN memmap_number(const CHAR16 **p, const CHAR16 *end, UINT64 *out)
{
	const CHAR16 *s = *p;
	while (s < end && (*s == L' ' || *s == L'\t'))
		s++;
	if (s >= end || *s == 0)
		return FALSE;
	UINT64 v = 0;
	UINTN base = 10;
	if (s + 1 < end && s[0] == L'0' && (s[1] == L'x' || s[1] == L'X')) {
		base = 16;
		s += 2;
	}
	BOOLEAN any = FALSE;
	for (; s < end && *s != 0 && *s != L' '; s++) {
		UINTN d;
		if (*s >= L'0' && *s <= L'9')
			d = (UINTN)(*s - L'0');
		else if (base == 16 && *s >= L'a' && *s <= L'f')
			d = (UINTN)(*s - L'a' + 10);
		else if (base == 16 && *s >= L'A' && *s <= L'F')
			d = (UINTN)(*s - L'A' + 10);
		else
			return FALSE;
		v = v * base + d;
		any = TRUE;
	}
	*p = s;
	*out = v;
	return any;
}

/* The type of the descriptor holding addr, or ~0 when none does. */
static UINT32 memmap_type_at(const UINT8 *map, UINTN size, UINTN desc_size, UINT64 addr)
{
	for (UINTN off = 0; off + desc_size <= size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(map + off);
		if (addr >= d->PhysicalStart && addr - d->PhysicalStart < d->NumberOfPages * 4096)
			return d->Type;
	}
	return 0xffffffffu;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	InitializeLib(image, system_table);
	EFI_LOADED_IMAGE *li = NULL;
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	uefi_call_wrapper(BS->HandleProtocol, 3, image, &li_guid, (void **)&li);
	UINTN entries = 0, key = 0, desc_size = 0;
	UINT32 version = 0;
	UINT8 *map = (UINT8 *)LibMemoryMap(&entries, &key, &desc_size, &version);
	UINTN size = entries * desc_size;
	const CHAR16 *p = li && li->LoadOptions ? li->LoadOptions : L"";
	const CHAR16 *end = p + (li ? li->LoadOptionsSize / sizeof(CHAR16) : 0);
	while (p < end && *p == L' ')
		p++;
	if (!map || end - p < 6 || StrnCmp(p, L"expect", 6) != 0) {
		Print(L"MEMMAP-CHECK fail: no memory map or no 'expect BASE SIZE TYPE' options\r\n");
		memmap_outb(MEMMAP_EXIT_PORT, MEMMAP_EXIT_FAIL);
		return EFI_INVALID_PARAMETER;
	}
	p += 6;
	UINT64 base, length, type;
	UINTN ranges = 0;
	while (ranges < MEMMAP_MAX_RANGES && memmap_number(&p, end, &base) &&
	       memmap_number(&p, end, &length) && memmap_number(&p, end, &type)) {
		ranges++;
		for (UINT64 a = base & ~0xfffull; a < base + length; a += 4096) {
			UINT32 got = memmap_type_at(map, size, desc_size, a);
			if (got != type) {
				Print(L"MEMMAP-CHECK fail 0x%lx-0x%lx: type %d at 0x%lx, expected %d\r\n", base,
				      base + length - 1, (INTN)(INT32)got, a, (INTN)type);
				memmap_outb(MEMMAP_EXIT_PORT, MEMMAP_EXIT_FAIL);
				return EFI_NOT_FOUND;
			}
		}
		Print(L"MEMMAP-RANGE 0x%lx-0x%lx type %d\r\n", base, base + length - 1, (INTN)type);
	}
	Print(L"MEMMAP-CHECK ok %d ranges\r\n", (INTN)ranges);
	memmap_outb(MEMMAP_EXIT_PORT, ranges ? MEMMAP_EXIT_PASS : MEMMAP_EXIT_FAIL);
	return EFI_SUCCESS;
}
