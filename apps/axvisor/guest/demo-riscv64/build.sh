#!/usr/bin/env bash
# Builds the demo guest with Debian's bare-metal RISC-V toolchain
# (apt-get install gcc-riscv64-unknown-elf). The outputs demo.elf and demo.bin are committed,
# so nobody needs the toolchain just to run the guest.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-riscv64-unknown-elf-gcc}
OBJCOPY=${OBJCOPY:-riscv64-unknown-elf-objcopy}
if ! command -v "$CC" >/dev/null; then
  echo "error: $CC not found; install it with: apt-get install gcc-riscv64-unknown-elf" >&2
  exit 1
fi
CFLAGS=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2 -Wall -Wextra -Werror
  -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-stack-protector -g0)
"$CC" "${CFLAGS[@]}" -T src/linker.ld -Wl,--build-id=none -o demo.elf \
  src/start.S src/sbi.c src/console.c src/fdt.c src/virtio_blk.c src/main.c
"$OBJCOPY" -O binary demo.elf demo.bin
echo "built demo.elf ($(stat -c %s demo.elf) bytes) and demo.bin ($(stat -c %s demo.bin) bytes)"
