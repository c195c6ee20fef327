#!/usr/bin/env bash
# Builds the riscv64 guests of AxVisor.ts with Debian's bare-metal cross compiler
# (apt-get install gcc-riscv64-unknown-elf). Every output (*.elf, *.bin) is committed, so
# nobody needs the toolchain just to run or test them.
set -euo pipefail
cd "$(dirname "$0")"
EXTRA=()
if [ -z "${CC:-}" ] && ! command -v riscv64-unknown-elf-gcc >/dev/null &&
  command -v riscv64-linux-gnu-gcc >/dev/null; then
  # Debian's Linux cross compiler works too; -n keeps its linker from putting the ELF headers
  # in a load segment below the link address.
  CC=riscv64-linux-gnu-gcc
  OBJCOPY=riscv64-linux-gnu-objcopy
  EXTRA=(-static -no-pie -Wl,-n)
fi
CC=${CC:-riscv64-unknown-elf-gcc}
OBJCOPY=${OBJCOPY:-riscv64-unknown-elf-objcopy}
if ! command -v "$CC" >/dev/null; then
  echo "error: $CC not found; install it with: apt-get install gcc-riscv64-unknown-elf" >&2
  exit 1
fi
CFLAGS=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -O2 -Wall -Wextra -Werror
  -ffreestanding -fno-builtin -nostdlib -fno-pic -fno-stack-protector -g0 -Ilib -I../common
  -T lib/linker.ld -Wl,--build-id=none -Wl,--no-warn-rwx-segments "${EXTRA[@]}")
LIB=(lib/start.S lib/sbi.c lib/console.c lib/fdt.c ../common/print.c)

build() { # name sources...
  local name=$1
  shift
  "$CC" "${CFLAGS[@]}" -o "$name/$name.elf" "${LIB[@]}" "$@"
  "$OBJCOPY" -O binary "$name/$name.elf" "$name/$name.bin"
  echo "built $name/$name.elf ($(stat -c %s "$name/$name.elf") bytes), $name/$name.bin ($(stat -c %s "$name/$name.bin") bytes)"
}

# ./build.sh NAME... rebuilds only those guests.
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(demo sbi-test fault-test ivc-test parallel-test)
for t in "${targets[@]}"; do
  case $t in
  demo) build demo demo/main.c ../common/virtio_blk.c ../common/shell.c ;;
  *) build "$t" "$t/main.c" ;;
  esac
done
