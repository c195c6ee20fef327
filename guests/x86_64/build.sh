#!/usr/bin/env bash
# Builds the x86_64 guests of AxVisor.ts with the native GNU toolchain (Debian:
# `apt-get install gcc binutils`; gcc's -m32 needs nothing more for these freestanding
# programs). Every output (*.bin, *.elf) is committed, so nobody needs a toolchain to run them.
#   ./build.sh           rebuilds everything
#   ./build.sh bios      rebuilds one of: bios, nimbos
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-gcc}
LD=${LD:-ld}
OBJCOPY=${OBJCOPY:-objcopy}
for tool in "$CC" "$LD" "$OBJCOPY"; do
  if ! command -v "$tool" >/dev/null; then
    echo "error: $tool not found; install it with: apt-get install gcc binutils" >&2
    exit 1
  fi
done
COMMON=(-O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-pie
  -fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none -mgeneral-regs-only
  --param=min-pagesize=0 -g0 -Ilib)
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

size() { stat -c %s "$1"; }

build_bios() {
  "$CC" -m32 -march=i686 "${COMMON[@]}" -c -o "$OUT/entry16.o" bios/entry16.S
  "$CC" -m32 -march=i686 "${COMMON[@]}" -c -o "$OUT/bios.o" bios/main.c
  "$LD" -m elf_i386 -T bios/bios.ld --build-id=none --no-warn-rwx-segments -o bios/axvm-bios.elf "$OUT/entry16.o" "$OUT/bios.o"
  "$OBJCOPY" -O binary bios/axvm-bios.elf bios/axvm-bios.bin
  "$CC" -m32 "${COMMON[@]}" -c -o "$OUT/reset-rom.o" bios/reset-rom.S
  "$LD" -m elf_i386 -T bios/reset-rom.ld --build-id=none -o "$OUT/reset-rom.elf" "$OUT/reset-rom.o"
  "$OBJCOPY" -O binary "$OUT/reset-rom.elf" bios/reset-rom.bin
  echo "built bios/axvm-bios.bin ($(size bios/axvm-bios.bin) bytes), bios/reset-rom.bin ($(size bios/reset-rom.bin) bytes)"
}

build_nimbos() {
  local objs=()
  for src in nimbos/*.S nimbos/*.c; do
    local o="$OUT/$(basename "$src").o"
    "$CC" -m64 -mno-red-zone -mcmodel=small "${COMMON[@]}" -c -o "$o" "$src"
    objs+=("$o")
  done
  "$LD" -m elf_x86_64 -T nimbos/kernel.ld --build-id=none --no-warn-rwx-segments -z max-page-size=4096 -o nimbos/nimbos.elf "${objs[@]}"
  "$OBJCOPY" -O binary nimbos/nimbos.elf nimbos/nimbos.bin
  echo "built nimbos/nimbos.elf ($(size nimbos/nimbos.elf) bytes), nimbos/nimbos.bin ($(size nimbos/nimbos.bin) bytes)"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(bios nimbos)
for t in "${targets[@]}"; do
  case $t in
  bios) build_bios ;;
  nimbos) build_nimbos ;;
  *) echo "error: unknown guest '$t' (bios, nimbos)" >&2; exit 1 ;;
  esac
done
