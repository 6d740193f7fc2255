#!/bin/sh
# test-header-alone.sh: the public header compiles on its own, freestanding, with gcc and clang
# (and as C++), and a kernel-like file using only what it defines compiles and checks the
# v1 layout; TB_REQUEST and the 1.1 layout compile the same way.
set -u
header=handoff/include/tagboot_handoff.h
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# The header is copied alone, so nothing from the repository's include paths can leak in.
cp "$header" "$dir/tagboot_handoff.h"

cat >"$dir/use.c" <<'C'
/* A freestanding reader that uses only tagboot_handoff.h. */
#include "tagboot_handoff.h"

_Static_assert(sizeof(struct tb_header) == 32, "header");
_Static_assert(sizeof(struct tb_record) == 8, "record header");
_Static_assert(sizeof(struct tb_mem_entry) == 32, "memory map entry");
_Static_assert(offsetof(struct tb_rec_memmap, entry_size) + 8 == TB_MEMMAP_ENTRIES_OFFSET,
               "entries offset");
_Static_assert(sizeof(struct tb_rec_memmap) == TB_MEMMAP_ENTRIES_OFFSET, "memmap");
_Static_assert(TB_MAGIC == 0x31544f4f42474154ull, "magic is TAGBOOT1");
_Static_assert(TB_MEM_TYPE_MAX == TB_MEM_AP_HELD, "last type");

uint64_t reader_usable_bytes(const void *blob, size_t size);

/* Sum usable memory, stepping by entry_size as the compatibility rules require. */
uint64_t reader_usable_bytes(const void *blob, size_t size)
{
	const struct tb_rec_memmap *map;
	uint64_t total = 0;

	if (tb_validate(blob, size, NULL) != TB_OK)
		return 0;
	map = tb_memmap(blob);
	for (uint32_t i = 0; map != NULL && i < map->entry_count; i++) {
		const struct tb_mem_entry *e = tb_memmap_entry(map, i);

		if (tb_mem_type_known(e->type) == TB_MEM_USABLE)
			total += e->length;
	}
	if (tb_frame_usable_after_wakeup(blob, 0x800000, false))
		total += TB_PAGE_SIZE;
	return total;
}
C

flags="-std=c11 -ffreestanding -nostdlib -Wall -Wextra -Werror -pedantic -Wstrict-prototypes"
for cc in gcc clang; do
	if ! command -v "$cc" >/dev/null; then
		fail "$cc not installed"
		continue
	fi
	$cc $flags -x c -c "$dir/tagboot_handoff.h" -o "$dir/header-$cc.o" ||
		fail "$cc: the header alone does not compile"
	$cc $flags -c "$dir/use.c" -o "$dir/use-$cc.o" ||
		fail "$cc: a file using only the header does not compile"
	# A reader built for the kernel's usual flags.
	$cc $flags -mno-red-zone -mno-sse -fno-pic -c "$dir/use.c" -o "$dir/use-kernel-$cc.o" ||
		fail "$cc: kernel flags"
done
if command -v g++ >/dev/null; then
	g++ -std=c++11 -ffreestanding -Wall -Wextra -Werror -x c++ -fsyntax-only "$dir/tagboot_handoff.h" ||
		fail "g++: the header does not compile as C++"
fi

# 1.1: the request note macro in a kernel file (freestanding, -pedantic), the note's layout,
# and the version-2 and new records' sizes.
cat >"$dir/req.c" <<'C'
#include "tagboot_handoff.h"
TB_REQUEST(.min_minor = 1, .direct_map = TB_REQ_DIRECT_MAP_YES);
_Static_assert(TB_VERSION_MINOR == 1, "minor");
_Static_assert(sizeof(struct tb_request) == 32, "request");
_Static_assert(offsetof(struct tb_request_note, desc) == 20, "note header");
_Static_assert(sizeof(struct tb_rec_mp) == 64 && TB_MP_V1_SIZE == 48, "mp v2");
_Static_assert(sizeof(struct tb_mp_cpu) == 16, "cpu entry");
_Static_assert(sizeof(struct tb_rec_module) == 40 && TB_MODULE_V1_SIZE == 32, "module v2");
_Static_assert(TB_REC_TYPE_MAX == TB_REC_REQUEST, "last record type");
C
for cc in gcc clang; do
	command -v "$cc" >/dev/null || continue
	$cc $flags -c "$dir/req.c" -o "$dir/req-$cc.o" || fail "$cc: TB_REQUEST or the 1.1 layout"
done
if command -v readelf >/dev/null && [ -f "$dir/req-gcc.o" ]; then
	readelf -n "$dir/req-gcc.o" | grep -q 'tagboot *0x00000020' ||
		fail "TB_REQUEST does not emit a tagboot note of 32 descriptor bytes"
fi

# tagboot_wakelog.h (the parked APs' wakeup log): macros only, for C and for assembly.
cp handoff/include/tagboot_wakelog.h "$dir/tagboot_wakelog.h"
cat >"$dir/wake.c" <<'C'
#include "tagboot_wakelog.h"
typedef char wakelog_fits[(TB_WAKELOG_ENTRIES + TB_WAKELOG_MAX * TB_WAKELOG_ENTRY_SIZE <= 4096) ? 1 : -1];
C
cat >"$dir/wake.S" <<'S'
#include "tagboot_wakelog.h"
	movl $TB_WAKELOG_MAGIC, %eax
	movl %eax, TB_WAKELOG_ENTRY_CHECKS(%rsi,%rcx,8)
	movabsq $TB_WAKELOG_STACK_CANARY, %r10
S
gcc $flags -c "$dir/wake.c" -o "$dir/wake.o" || fail "tagboot_wakelog.h does not compile alone in C"
gcc -c "$dir/wake.S" -o "$dir/wakeS.o" || fail "tagboot_wakelog.h does not assemble"

if [ "$fails" -ne 0 ]; then
	echo "test-header-alone: $fails failure(s)"
	exit 1
fi
echo "test-header-alone: ok"
