#!/bin/sh
# Extracts the uncompressed vmlinux (ELF64 with a PVH entry note) from an XZ-compressed
# bzImage, so PcMachine can boot the kernel directly (PVH) without running its decompressor:
#   test/extract-vmlinux.sh ../shared/guests/x86_64/linux-bzImage /tmp/vmlinux
#   AXVISOR_X86_VMLINUX=/tmp/vmlinux npx vitest run --project platform-x86_64-qemu-q35 src/linux.test.ts
# Needs python3 and xz.
set -eu
# The kernel's XZ stream is followed by its 4-byte size, which xz reports as trailing
# garbage after a complete stream: the output is checked for the ELF magic instead.
python3 - "$1" <<'PY' | { xz -dcqq > "$2" || true; }
import struct, sys
d = open(sys.argv[1], "rb").read()
setup = ((d[0x1f1] or 4) + 1) * 512
offset, length = struct.unpack_from("<II", d, 0x248)  # payload_offset, payload_length
sys.stdout.buffer.write(d[setup + offset : setup + offset + length])
PY
head -c 4 "$2" | od -An -tx1 | grep -q '7f 45 4c 46' || { echo "no ELF came out of $1" >&2; exit 1; }
