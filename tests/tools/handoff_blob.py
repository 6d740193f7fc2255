# handoff_blob.py: blob edits the tool tests share (a later minor's wider map entries, the CRC).
"""Usage: python3 tests/tools/handoff_blob.py wide-map IN OUT

wide-map: every memory-map entry 8 bytes longer (entry_size + 8, as a later minor may write
them), the new bytes 0x10 + entry index, 0x11 + index, ...; total_size and the CRC updated.
"""
import struct
import sys
import zlib


def reseal(b):
    """total_size and crc32 (CRC-32 of the blob with the crc32 field read as 0) for bytearray b."""
    struct.pack_into("<I", b, 16, len(b))
    b[28:32] = bytes(4)
    struct.pack_into("<I", b, 28, zlib.crc32(bytes(b)))


def wide_map(b):
    """Widen the memory map, which must be the first record (as `handoff sample` writes it)."""
    off = struct.unpack_from("<I", b, 12)[0]
    t, v, r, size = struct.unpack_from("<HBBI", b, off)
    assert t == 1, "the first record is not the memory map"
    esize, count = struct.unpack_from("<II", b, off + 8)
    entries = b[off + 16:off + 16 + esize * count]
    wide = bytearray()
    for i in range(count):
        wide += entries[i * esize:(i + 1) * esize] + bytes((0x10 + i + k) & 0xff for k in range(8))
    b[off:off + size] = struct.pack("<HBBIII", 1, v, r, 16 + len(wide), esize + 8, count) + wide
    reseal(b)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "wide-map":
        sys.exit(__doc__)
    blob = bytearray(open(sys.argv[2], "rb").read())
    wide_map(blob)
    open(sys.argv[3], "wb").write(blob)
