#!/bin/sh
# Builds the x86 test guests with the host's GNU binutils (linked at 0x8000, flat binaries).
set -e
cd "$(dirname "$0")"
for g in misbehave; do
  as --32 -o "$g.o" "$g.S"
  ld -m elf_i386 -Ttext=0x8000 -e _start -o "$g.elf" "$g.o"
  objcopy -O binary "$g.elf" "$g.bin"
  rm -f "$g.o" "$g.elf"
done
