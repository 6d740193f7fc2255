/* bootcount.h: boot counting in entry file names (Automatic Boot Assessment): "ID+LEFT[-DONE].conf", the next name, the order. */
#ifndef TAGBOOT_BOOTCOUNT_H
#define TAGBOOT_BOOTCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * An entry file "ID+LEFT-DONE.conf" (or "ID+LEFT.conf", DONE 0) is being assessed: each boot
 * attempt renames it to "ID+(LEFT-1)-(DONE+1).conf" before the entry starts, so that an
 * attempt that never reaches the OS still counts. systemd-bless-boot renames it to "ID.conf"
 * once the OS is up ("good"); an entry with LEFT 0 is "bad": listed last, never renamed
 * further. The counters are not part of the id. Numbers are decimal, without a sign; a suffix
 * that does not parse (an overflow, a '+' without digits) is simply part of the id, as in
 * systemd-boot.
 */
struct bootcount {
	bool counted;
	uint64_t left, done;
};

/* The counters at the end of stem[0..len) (the name without ".conf"); returns the length of
 * the id part (len when there are none). */
size_t bootcount_parse(const char *stem, size_t len, struct bootcount *out);

/* The name of the next attempt: stem[0..id_len) + "+LEFT-1-DONE+1" + suffix into out. false
 * when c is not counted, LEFT is 0 (a bad entry is not renamed), or out is too small. */
bool bootcount_next_name(const char *stem, size_t id_len, const struct bootcount *c,
                         const char *suffix, char *out, size_t cap);

#endif /* TAGBOOT_BOOTCOUNT_H */
