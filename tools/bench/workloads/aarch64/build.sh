#!/usr/bin/env bash
# Builds the aarch64 benchmark workloads with Debian's cross toolchain
# (apt-get install gcc-aarch64-linux-gnu). The outputs are committed: running the benchmarks
# needs no toolchain. <name>-native.elf is linked at 0x4008_0000 (EL1, MMU off, no firmware);
# <name>-native.bin is the same bytes raw (QEMU virt and our board place a raw -kernel there).
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-aarch64-linux-gnu-gcc}
OBJCOPY=${OBJCOPY:-aarch64-linux-gnu-objcopy}
if ! command -v "$CC" >/dev/null; then
  echo "error: $CC not found; install it with: apt-get install gcc-aarch64-linux-gnu" >&2
  exit 1
fi
FLAGS=(-nostdlib -nostartfiles -ffreestanding -static -Wl,--build-id=none
  -Wl,--no-warn-rwx-segments -Wl,-z,max-page-size=4096 -I..)
for w in intloop memloop exitloop; do
  out="$w-native"
  "$CC" "${FLAGS[@]}" -T native.ld -o "$out.elf" platform.S "$w.S"
  "$OBJCOPY" -O binary "$out.elf" "$out.bin"
  echo "built $out.elf ($(stat -c %s "$out.elf") bytes), $out.bin ($(stat -c %s "$out.bin") bytes)"
done
