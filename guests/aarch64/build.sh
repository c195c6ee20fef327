#!/usr/bin/env bash
# Builds the aarch64 guests of AxVisor.ts with Debian's cross compiler
# (apt-get install gcc-aarch64-linux-gnu). Every output (*.elf, *.bin) is committed, so
# nobody needs the toolchain just to run or test them.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-aarch64-linux-gnu-gcc}
OBJCOPY=${OBJCOPY:-aarch64-linux-gnu-objcopy}
if ! command -v "$CC" >/dev/null; then
  echo "error: $CC not found; install it with: apt-get install gcc-aarch64-linux-gnu" >&2
  exit 1
fi
# EL1 with the MMU off: every access is Device memory, so no unaligned accesses
# (-mstrict-align) and no FP/SIMD registers (-mgeneral-regs-only: CPACR_EL1 stays as reset).
CFLAGS=(-march=armv8-a -mgeneral-regs-only -mstrict-align -O2 -Wall -Wextra -Werror
  -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-stack-protector -g0 -Ilib -I../common
  -static -no-pie -Wl,-n -T lib/linker.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments)
LIB=(lib/start.S lib/console.c lib/fdt.c lib/gic.c lib/psci.c ../common/print.c)

build() { # name sources...
  local name=$1
  shift
  "$CC" "${CFLAGS[@]}" -o "$name/$name.elf" "${LIB[@]}" "$@"
  "$OBJCOPY" -O binary "$name/$name.elf" "$name/$name.bin"
  echo "built $name/$name.elf ($(stat -c %s "$name/$name.elf") bytes), $name/$name.bin ($(stat -c %s "$name/$name.bin") bytes)"
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(demo)
for t in "${targets[@]}"; do
  case $t in
  demo) build demo demo/main.c ../common/virtio_blk.c ../common/shell.c ;;
  *) build "$t" "$t/main.c" ;;
  esac
done
