#!/bin/sh
# Assembles the board test programs into bin/*.elf (needs aarch64-linux-gnu-gcc).
set -eu
cd "$(dirname "$0")"
mkdir -p bin
build() {
  aarch64-linux-gnu-gcc -nostdlib -nostartfiles -static -march=armv8-a "$@" \
    -Wl,-T,link.ld -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments
}
build -o bin/gicv2-timer.elf src/gic-timer.S
build -DGICV3 -o bin/gicv3-timer.elf src/gic-timer.S
build -o bin/gicv2-vgic.elf src/vgic.S
build -DGICV3 -o bin/gicv3-vgic.elf src/vgic.S
for e in bin/*.elf; do aarch64-linux-gnu-strip --strip-debug "$e"; done
