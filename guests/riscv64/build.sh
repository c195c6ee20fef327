#!/usr/bin/env bash
# Builds the riscv64 guests of AxVisor.ts with Debian's bare-metal cross compiler
# (apt-get install gcc-riscv64-unknown-elf). Every output (*.elf, *.bin) is committed, so
# nobody needs the toolchain just to run or test them.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-riscv64-unknown-elf-gcc}
OBJCOPY=${OBJCOPY:-riscv64-unknown-elf-objcopy}
if ! command -v "$CC" >/dev/null; then
  echo "error: $CC not found; install it with: apt-get install gcc-riscv64-unknown-elf" >&2
  exit 1
fi
CFLAGS=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2 -Wall -Wextra -Werror
  -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-stack-protector -g0 -Ilib
  -T lib/linker.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments)
LIB=(lib/start.S lib/sbi.c lib/console.c lib/fdt.c)

build() { # name sources...
  local name=$1
  shift
  "$CC" "${CFLAGS[@]}" -o "$name/$name.elf" "${LIB[@]}" "$@"
  "$OBJCOPY" -O binary "$name/$name.elf" "$name/$name.bin"
  echo "built $name/$name.elf ($(stat -c %s "$name/$name.elf") bytes), $name/$name.bin ($(stat -c %s "$name/$name.bin") bytes)"
}

build demo demo/main.c demo/virtio_blk.c
build sbi-test sbi-test/main.c
build fault-test fault-test/main.c
build ivc-test ivc-test/main.c
