/* probe.c: what a booted entry sees: prints its load options and every Boot Loader Interface variable, then acts on its options (pass, reset, set a one-shot entry). */
/* gnu-efi 3.0.15's headers declare functions without prototypes; the project's -Werror flags
 * must not apply to them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#include <efi.h>
#include <efilib.h>
#pragma GCC diagnostic pop

/*
 * Output lines (ConOut, which OVMF mirrors to the serial port):
 *   PROBE-OPTIONS <the load options as text>
 *   PROBE-VAR <name>=<value>   for every variable of the BLI vendor: UTF-16 text as text,
 *                              LoaderFeatures as 0x..., a NUL-separated list with ','
 *   PROBE-END
 * Words in the options: `pass` exits QEMU with 33 (isa-debug-exit), `reset` resets the
 * machine, `oneshot=NAME` first sets LoaderEntryOneShot=NAME (as `bootctl set-oneshot`),
 * `timeout-oneshot=N` sets LoaderConfigTimeoutOneShot, `runs=N` resets until this is its N-th
 * run (a counter in a variable of its own), then passes. Works under any boot loader.
 */

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table);

static EFI_GUID probe_loader_guid = {
	0x4a67b082, 0x0a4c, 0x41cf, {0xb6, 0xc7, 0x44, 0x0b, 0x29, 0xbb, 0x8c, 0x4f}};

#define PROBE_EXIT_PORT 0xF4
#define PROBE_EXIT_PASS 0x10

static void probe_outb(UINT16 port, UINT8 value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static BOOLEAN probe_guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	const UINT8 *x = (const UINT8 *)a, *y = (const UINT8 *)b;
	for (int i = 0; i < 16; i++)
		if (x[i] != y[i])
			return FALSE;
	return TRUE;
}

static void probe_print_value(const CHAR16 *name, const UINT8 *data, UINTN size)
{
	if (StrCmp((CHAR16 *)name, L"LoaderFeatures") == 0 && size == 8) {
		UINT64 v = 0;
		for (int i = 7; i >= 0; i--)
			v = v << 8 | data[i];
		Print(L"PROBE-VAR %s=0x%lx\r\n", name, v);
		return;
	}
	static CHAR16 text[2048];
	UINTN n = 0;
	for (UINTN i = 0; i + 1 < size && n + 2 < 2048; i += 2) {
		CHAR16 c = (CHAR16)(data[i] | data[i + 1] << 8);
		if (c == 0) {
			if (i + 2 < size)
				text[n++] = L',';
			continue;
		}
		text[n++] = (c >= 0x20 && c < 0x7f) ? c : L'?';
	}
	text[n] = 0;
	Print(L"PROBE-VAR %s=%s\r\n", name, text);
}

static void probe_print_vars(void)
{
	static CHAR16 name[256];
	static UINT8 data[4096];
	EFI_GUID guid;
	name[0] = 0;
	for (;;) {
		UINTN size = sizeof(name);
		if (uefi_call_wrapper(RT->GetNextVariableName, 3, &size, name, &guid) != EFI_SUCCESS)
			break;
		if (!probe_guid_eq(&guid, &probe_loader_guid))
			continue;
		UINTN dsize = sizeof(data);
		UINT32 attr = 0;
		if (uefi_call_wrapper(RT->GetVariable, 5, name, &guid, &attr, &dsize, data) ==
		    EFI_SUCCESS)
			probe_print_value(name, data, dsize);
	}
}

/* The value after `key=` in the options, as UTF-16 with a NUL (into out). */
static BOOLEAN probe_option(const CHAR16 *opts, UINTN n, const CHAR16 *key, CHAR16 *out, UINTN cap)
{
	UINTN k = StrLen((CHAR16 *)key);
	for (UINTN i = 0; i + k <= n; i++) {
		if ((i > 0 && opts[i - 1] != L' ') || StrnCmp((CHAR16 *)opts + i, (CHAR16 *)key, k) != 0)
			continue;
		UINTN j = 0;
		for (i += k; i < n && opts[i] && opts[i] != L' ' && j + 1 < cap; i++)
			out[j++] = opts[i];
		out[j] = 0;
		return TRUE;
	}
	return FALSE;
}

static BOOLEAN probe_word(const CHAR16 *opts, UINTN n, const CHAR16 *word)
{
	CHAR16 dummy[4];
	UINTN k = StrLen((CHAR16 *)word);
	for (UINTN i = 0; i + k <= n; i++)
		if ((i == 0 || opts[i - 1] == L' ') && StrnCmp((CHAR16 *)opts + i, (CHAR16 *)word, k) == 0 &&
		    (i + k == n || opts[i + k] == L' ' || opts[i + k] == 0))
			return TRUE;
	(void)dummy;
	return FALSE;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *system_table)
{
	InitializeLib(image, system_table);
	EFI_LOADED_IMAGE *li = NULL;
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	static CHAR16 opts[2048];
	UINTN n = 0;
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &li_guid, (void **)&li) == EFI_SUCCESS &&
	    li && li->LoadOptions) {
		const CHAR16 *o = li->LoadOptions;
		for (; n < li->LoadOptionsSize / 2 && o[n] && n + 1 < 2048; n++)
			opts[n] = o[n];
	}
	opts[n] = 0;
	Print(L"PROBE-OPTIONS %s\r\n", opts);
	probe_print_vars();
	Print(L"PROBE-END\r\n");
	static CHAR16 value[256];
	UINT32 attr = EFI_VARIABLE_NON_VOLATILE | EFI_VARIABLE_BOOTSERVICE_ACCESS |
	              EFI_VARIABLE_RUNTIME_ACCESS;
	if (probe_option(opts, n, L"oneshot=", value, 256))
		uefi_call_wrapper(RT->SetVariable, 5, L"LoaderEntryOneShot", &probe_loader_guid, attr,
		                  (StrLen(value) + 1) * sizeof(CHAR16), value);
	if (probe_option(opts, n, L"timeout-oneshot=", value, 256))
		uefi_call_wrapper(RT->SetVariable, 5, L"LoaderConfigTimeoutOneShot", &probe_loader_guid,
		                  attr, (StrLen(value) + 1) * sizeof(CHAR16), value);
	if (probe_option(opts, n, L"runs=", value, 256)) {
		/* The probe's own counter (vendor: the probe GUID below), kept across resets. */
		static EFI_GUID probe_own = {0x5a3c1e27, 0x9f4b, 0x4d61, {0x8e, 0x0a, 0x3b, 0x7c, 0x21, 0x94, 0x55, 0x6d}};
		UINT32 runs = 0;
		UINTN sz = sizeof(runs);
		UINT32 a = 0;
		if (uefi_call_wrapper(RT->GetVariable, 5, L"ProbeRuns", &probe_own, &a, &sz, &runs) != EFI_SUCCESS)
			runs = 0;
		runs++;
		uefi_call_wrapper(RT->SetVariable, 5, L"ProbeRuns", &probe_own, attr, sizeof(runs), &runs);
		Print(L"PROBE-RUN %u of %s\r\n", runs, value);
		if (runs >= (UINT32)Atoi(value))
			probe_outb(PROBE_EXIT_PORT, PROBE_EXIT_PASS);
		uefi_call_wrapper(RT->ResetSystem, 4, EfiResetCold, EFI_SUCCESS, 0, NULL);
	}
	if (probe_word(opts, n, L"pass"))
		probe_outb(PROBE_EXIT_PORT, PROBE_EXIT_PASS);
	if (probe_word(opts, n, L"reset"))
		uefi_call_wrapper(RT->ResetSystem, 4, EfiResetCold, EFI_SUCCESS, 0, NULL);
	return EFI_SUCCESS;
}
