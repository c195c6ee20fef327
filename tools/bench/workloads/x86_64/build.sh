#!/usr/bin/env bash
# Builds the x86_64 benchmark workloads with the native GNU toolchain (gcc with -m32 support
# and ld): multiboot v1 ELF32 kernels whose 64-bit code is assembled with .code64. The outputs
# are committed: running the benchmarks needs no toolchain.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-gcc}
LD=${LD:-ld}
for w in intloop memloop; do
  out="$w-native"
  "$CC" -m32 -nostdlib -ffreestanding -I.. -c -o platform.o platform.S
  "$CC" -m32 -nostdlib -ffreestanding -I.. -c -o "$w.o" "$w.S"
  "$LD" -m elf_i386 --build-id=none -z max-page-size=4096 -z noexecstack -T native.ld \
    -o "$out.elf" platform.o "$w.o"
  rm -f platform.o "$w.o"
  echo "built $out.elf ($(stat -c %s "$out.elf") bytes)"
done
