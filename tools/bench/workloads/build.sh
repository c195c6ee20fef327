#!/usr/bin/env bash
# Builds the benchmark workloads with Debian's bare-metal cross toolchain
# (apt-get install gcc-riscv64-unknown-elf). Every output is committed, so running the
# benchmarks needs no toolchain. Each workload is built twice from the same source:
#   <name>-native.elf/.bin  M-mode at 0x8000_0000 (qemu -bios none, axvisor emu)
#   <name>-guest.elf/.bin   S-mode at 0x8020_0000 (under the hypervisor, or QEMU + OpenSBI)
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-riscv64-unknown-elf-gcc}
OBJCOPY=${OBJCOPY:-riscv64-unknown-elf-objcopy}
if ! command -v "$CC" >/dev/null; then
  echo "error: $CC not found; install it with: apt-get install gcc-riscv64-unknown-elf" >&2
  exit 1
fi
# -mno-relax: instruction sequences stay exactly as written (lla = auipc+addi, no gp
# relaxation), so the instruction counts in the parameter blocks hold.
FLAGS=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mno-relax -nostdlib -nostartfiles
  -ffreestanding -static -Wl,--build-id=none -Wl,--no-warn-rwx-segments -I.)
WORKLOADS=(intloop memloop branchy pagetable exitloop)
for w in "${WORKLOADS[@]}"; do
  for form in native guest; do
    def=$([ "$form" = native ] && echo NATIVE || echo GUEST)
    out="$w-$form"
    "$CC" "${FLAGS[@]}" "-D$def" -T "$form.ld" -o "$out.elf" platform.S "$w.S"
    "$OBJCOPY" -O binary "$out.elf" "$out.bin"
    echo "built $out.elf ($(stat -c %s "$out.elf") bytes), $out.bin ($(stat -c %s "$out.bin") bytes)"
  done
done
