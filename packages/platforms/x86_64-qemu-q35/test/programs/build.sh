#!/bin/sh
# Builds the board's self-checking programs (multiboot v1 ELF32 kernels) into bin/.
# Needs the native GNU toolchain with 32-bit support (gcc -m32, ld -m elf_i386).
set -eu
cd "$(dirname "$0")"
mkdir -p bin
for src in src/*.S; do
  name=$(basename "$src" .S)
  gcc -m32 -nostdlib -ffreestanding -c -o "bin/$name.o" "$src"
  ld -m elf_i386 -T link.ld -o "bin/$name.elf" "bin/$name.o"
  rm -f "bin/$name.o"
done
