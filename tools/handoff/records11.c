/* records11.c: printing the records new in handoff 1.1 (kernel, direct map, EFI map, SMBIOS,
 * boot device, TSC, time, request) for `handoff decode`. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "decode.h"
#include "escape.h"
#include "tagboot_handoff.h"

#define RECORDS11_COUNT(a) (sizeof(a) / sizeof((a)[0]))

void records11_kernel(const void *rec)
{
	const struct tb_rec_kernel *k = rec;
	char size[32];

	printf("      image phys 0x%llx virt 0x%llx, %llu bytes (%s), entry 0x%llx\n",
	       (unsigned long long)k->phys_base, (unsigned long long)k->virt_base,
	       (unsigned long long)k->size, maptable_size(k->size, size, sizeof(size)),
	       (unsigned long long)k->entry);
	/* RSP at entry = stack_base + stack_size - 8 (docs/handoff.md); wraps like the CPU would. */
	printf("      stack 0x%llx, %llu bytes (%s), RSP at entry 0x%llx\n",
	       (unsigned long long)k->stack_base, (unsigned long long)k->stack_size,
	       maptable_size(k->stack_size, size, sizeof(size)),
	       (unsigned long long)(k->stack_base + k->stack_size - 8u));
}

void records11_direct_map(const void *rec)
{
	const struct tb_rec_direct_map *d = rec;
	char size[32], page[32];

	printf("      offset 0x%llx, %llu bytes (%s) from physical 0, pages of %u bytes (%s)\n",
	       (unsigned long long)d->offset, (unsigned long long)d->size,
	       maptable_size(d->size, size, sizeof(size)), d->page_size,
	       maptable_size(d->page_size, page, sizeof(page)));
	records_reserved("reserved", d->reserved);
}

void records11_efi_map(const void *rec)
{
	const struct tb_rec_efi_map *m = rec;

	printf("      %u descriptors of %u bytes (version %u) at +%u\n", m->desc_count,
	       m->desc_size, m->desc_version, m->map_offset);
	efidesc_print(rec, m->map_offset, m->desc_size, m->desc_count, "efi-map");
}

static void records11_address(const char *what, uint64_t address)
{
	if (address == 0)
		printf("%s none", what);
	else
		printf("%s 0x%llx", what, (unsigned long long)address);
}

void records11_smbios(const void *rec)
{
	const struct tb_rec_smbios *s = rec;

	records11_address("      SMBIOS 2.x entry (_SM_)", s->entry32);
	records11_address(", SMBIOS 3.x entry (_SM3_)", s->entry64);
	printf("\n");
}

/* A GUID in its text form: the first three fields little-endian, as EFI_GUID stores them. */
static void records11_guid(const uint8_t g[16])
{
	printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[3], g[2],
	       g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14],
	       g[15]);
}

void records11_boot_device(const void *rec)
{
	static const char *const flag_names[] = { "gpt", "xbootldr", "disk-guid" };
	const struct tb_rec_boot_device *b = rec;

	printf("      disk GUID ");
	records11_guid(b->disk_guid);
	printf(", partition GUID ");
	records11_guid(b->partition_guid);
	printf("\n      partition %u, flags ", b->partition_number);
	records_flags(b->flags, flag_names, RECORDS11_COUNT(flag_names));
	printf("\n      path \"");
	escape_text(stdout, (const char *)rec + b->path_offset, b->path_length);
	printf("\" (%u bytes at +%u)\n", b->path_length, b->path_offset);
}

void records11_tsc(const void *rec)
{
	static const char *const sources[] = { "none", "cpuid-15h", "firmware-stall" };
	static const char *const flag_names[] = { "invariant" };
	const struct tb_rec_tsc *t = rec;

	printf("      %llu Hz (%llu.%03llu MHz), source %s (%u), flags ",
	       (unsigned long long)t->frequency_hz, (unsigned long long)(t->frequency_hz / 1000000u),
	       (unsigned long long)(t->frequency_hz % 1000000u / 1000u),
	       t->source < RECORDS11_COUNT(sources) ? sources[t->source] : "unknown", t->source);
	records_flags(t->flags, flag_names, RECORDS11_COUNT(flag_names));
	printf("\n");
}

/* ".123456789" for a nanosecond count that is one, else nothing (the raw value is printed). */
static void records11_fraction(uint32_t nanosecond)
{
	if (nanosecond != 0 && nanosecond <= 999999999u)
		printf(".%09u", nanosecond);
}

void records11_time(const void *rec)
{
	static const char *const flag_names[] = { "valid", "zone-unspecified" };
	const struct tb_rec_time *t = rec;
	struct tm utc;
	time_t secs = (time_t)t->unix_seconds;

	printf("      ");
	if ((int64_t)secs == t->unix_seconds && gmtime_r(&secs, &utc) != NULL) {
		printf("%04lld-%02d-%02dT%02d:%02d:%02d", (long long)utc.tm_year + 1900,
		       utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
		records11_fraction(t->nanosecond);
		printf("Z");
	} else {
		printf("(out of range)");
	}
	printf(" (unix %lld, nanosecond %u), TSC %llu\n", (long long)t->unix_seconds,
	       t->nanosecond, (unsigned long long)t->tsc);
	/* The firmware's own fields: local time, local = UTC - time_zone minutes. */
	printf("      firmware %04u-%02u-%02uT%02u:%02u:%02u", (unsigned)t->year,
	       (unsigned)t->month, (unsigned)t->day, (unsigned)t->hour, (unsigned)t->minute,
	       (unsigned)t->second);
	records11_fraction(t->nanosecond);
	if (t->time_zone == 2047) {
		printf(", time zone unspecified (2047)");
	} else {
		int offset = -t->time_zone;
		int mag = offset < 0 ? -offset : offset;

		printf("%c%02d:%02d, time zone %d", offset < 0 ? '-' : '+', mag / 60, mag % 60,
		       t->time_zone);
	}
	printf(", daylight 0x%x, flags ", (unsigned)t->daylight);
	records_flags(t->flags, flag_names, RECORDS11_COUNT(flag_names));
	printf("\n");
}

/* "name (N)" from a table, or "unknown (N)". */
static void records11_choice(const char *const *names, unsigned count, unsigned value)
{
	printf("%s (%u)", value < count ? names[value] : "unknown", value);
}

void records11_request(const void *rec)
{
	static const char *const flag_names[] = { "note-found", "entry-ap-park" };
	static const char *const ap_park[] = { "default", "none", "mailbox" };
	static const char *const framebuffer[] = { "default", "required", "none" };
	static const char *const direct_map[] = { "no", "yes" };
	const struct tb_rec_request *q = rec;
	const struct tb_request *a = &q->asked;
	uint64_t asked_offset = (uint64_t)a->direct_map_offset_hi << 32 | a->direct_map_offset_lo;

	printf("      flags ");
	records_flags(q->flags, flag_names, RECORDS11_COUNT(flag_names));
	printf("\n      asked: note size %u, flags 0x%x\n", a->size, a->flags);
	printf("      min_minor: asked %u, granted minor %u\n", a->min_minor, q->granted_minor);
	printf("      ap_park: asked ");
	records11_choice(ap_park, RECORDS11_COUNT(ap_park), a->ap_park);
	printf(", granted ");
	records11_choice(ap_park, RECORDS11_COUNT(ap_park), q->granted_ap_park);
	printf("\n      framebuffer: asked ");
	records11_choice(framebuffer, RECORDS11_COUNT(framebuffer), a->framebuffer);
	printf(", granted %u (%s)\n", q->granted_framebuffer,
	       q->granted_framebuffer ? "record present" : "no record");
	printf("      direct_map: asked ");
	records11_choice(direct_map, RECORDS11_COUNT(direct_map), a->direct_map);
	printf(", granted %u (%s)\n", q->granted_direct_map,
	       q->granted_direct_map ? "record present" : "no record");
	printf("      stack_size: asked %u%s, granted %llu bytes\n", a->stack_size,
	       a->stack_size == 0 ? " (default)" : "", (unsigned long long)q->granted_stack_size);
	printf("      direct_map_offset: asked 0x%llx%s, granted 0x%llx\n",
	       (unsigned long long)asked_offset, asked_offset == 0 ? " (default)" : "",
	       (unsigned long long)q->granted_direct_map_offset);
	records_reserved("asked.reserved", a->reserved);
	records_reserved("asked.reserved2", a->reserved2);
	records_reserved("reserved", q->reserved);
	records_reserved("reserved2", q->reserved2);
}
