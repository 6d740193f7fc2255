#!/usr/bin/env python3
# tagboot-enroll.py: computes the config hash of an ESP and patches it into BOOTX64.EFI (before signing).
"""Usage:
  tagboot-enroll.py hash ESP_DIR               print the per-file lines and the config hash
  tagboot-enroll.py enroll ESP_DIR IN.EFI OUT.EFI
                                               write IN with the config hash of ESP_DIR enrolled

The canonical form is documented in docs/security.md and loader/core/config_hash.h: one line
"<sha256 hex>  <path>\\n" per config file (/loader/loader.conf if present, every regular
/loader/entries/*.conf, suffix matched case-insensitively), sorted by path bytewise; the config
hash is SHA-256 over the concatenation.
"""
import hashlib
import os
import struct
import sys

MARKER = b"TAGBOOT-CFGHASH\0"
BLOCK_VERSION = 1


def die(msg):
    print("tagboot-enroll: " + msg, file=sys.stderr)
    sys.exit(1)


def config_files(esp):
    files = []
    conf = os.path.join(esp, "loader", "loader.conf")
    if os.path.isfile(conf):
        files.append(("/loader/loader.conf", conf))
    entries = os.path.join(esp, "loader", "entries")
    if os.path.isdir(entries):
        for name in os.listdir(entries):
            full = os.path.join(entries, name)
            if len(name) > 5 and name.lower().endswith(".conf") and os.path.isfile(full):
                files.append(("/loader/entries/" + name, full))
    if not files:
        die("%s: no /loader/loader.conf and no /loader/entries/*.conf" % esp)
    return files


def canonical_lines(esp):
    lines = []
    for path, full in config_files(esp):
        with open(full, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        lines.append((path.encode(), ("%s  %s\n" % (digest, path)).encode()))
    lines.sort(key=lambda item: item[0])
    return b"".join(line for _, line in lines)


def config_hash(esp):
    return hashlib.sha256(canonical_lines(esp)).digest()


def enroll(esp, src, dst):
    with open(src, "rb") as f:
        image = bytearray(f.read())
    at = image.find(MARKER)
    if at < 0:
        die("%s: no config hash block (marker %r): not a tagboot loader?" % (src, MARKER))
    if image.find(MARKER, at + 1) >= 0:
        die("%s: the marker occurs twice; cannot tell which block to patch" % src)
    version, enrolled = struct.unpack_from("<II", image, at + 16)
    if version != BLOCK_VERSION:
        die("%s: config hash block version %d, this tool writes %d" % (src, version, BLOCK_VERSION))
    if enrolled not in (0, 1):
        die("%s: config hash block field 'enrolled' is %d (expected 0 or 1)" % (src, enrolled))
    digest = config_hash(esp)
    struct.pack_into("<II32s", image, at + 16, BLOCK_VERSION, 1, digest)
    with open(dst, "wb") as f:
        f.write(image)
    print("tagboot-enroll: %s: config hash %s of %s" % (dst, digest.hex(), esp))


def main(argv):
    if len(argv) == 3 and argv[1] == "hash":
        sys.stdout.write(canonical_lines(argv[2]).decode())
        print("config-hash  " + config_hash(argv[2]).hex())
    elif len(argv) == 5 and argv[1] == "enroll":
        enroll(argv[2], argv[3], argv[4])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
