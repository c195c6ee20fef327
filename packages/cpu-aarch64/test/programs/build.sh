#!/bin/sh
# Assembles every test program in src/ into bin/*.elf (needs aarch64-linux-gnu-gcc).
set -eu
cd "$(dirname "$0")"
mkdir -p bin
for s in src/*.S; do
  name=$(basename "$s" .S)
  aarch64-linux-gnu-gcc -nostdlib -nostartfiles -static -march=armv8.1-a+crc -Iinclude \
    -Wl,-T,link.ld -Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,--no-warn-rwx-segments -o "bin/$name.elf" "$s"
  aarch64-linux-gnu-strip --strip-debug "bin/$name.elf"
done
