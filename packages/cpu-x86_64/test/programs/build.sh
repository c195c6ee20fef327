#!/bin/sh
# Builds the self-checking programs (multiboot v1 ELF32 kernels) into bin/.
# Needs the native GNU toolchain (gcc/as/ld/objcopy for x86-64 with 32-bit support).
# Programs whose name ends in 64 hold 64-bit code: they are assembled as ELF64 and converted to
# the ELF32 container multiboot loaders accept (the code is the same bytes).
set -eu
cd "$(dirname "$0")"
mkdir -p bin
for src in src/*.S; do
  name=$(basename "$src" .S)
  case "$name" in
  *64)
    gcc -m64 -nostdlib -ffreestanding -c -o "bin/$name.o" "$src"
    ld -m elf_x86_64 -T link.ld -o "bin/$name.tmp" "bin/$name.o"
    objcopy -O elf32-i386 "bin/$name.tmp" "bin/$name.elf"
    rm -f "bin/$name.tmp"
    ;;
  *)
    gcc -m32 -nostdlib -ffreestanding -c -o "bin/$name.o" "$src"
    ld -m elf_i386 -T link.ld -o "bin/$name.elf" "bin/$name.o"
    ;;
  esac
  rm -f "bin/$name.o"
done
