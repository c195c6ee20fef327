#!/bin/sh
# Builds the x86 test and bench guests with the host's GNU binutils (linked at 0x8000, flat
# binaries, started by the hypervisor in flat real mode as AxVisor starts its BIOS).
set -e
cd "$(dirname "$0")"
build() { # output source [as options]
  out=$1 src=$2
  shift 2
  as --32 "$@" -o "$out.o" "$src"
  ld -m elf_i386 -Ttext=0x8000 -e _start -o "$out.elf" "$out.o"
  objcopy -O binary "$out.elf" "$out.bin"
  rm -f "$out.o" "$out.elf"
}
build misbehave misbehave.S
build mmio-rewrite mmio-rewrite.S
build mmio-remap mmio-remap.S
build exitloop-mmio exitloop.S
build exitloop-pio exitloop.S --defsym PIO=1
build exitloop-mmio-2m exitloop.S --defsym ITERATIONS=2000000
build exitloop-pio-2m exitloop.S --defsym PIO=1 --defsym ITERATIONS=2000000
