#!/bin/sh
# Assembles every src/*.s into bin/<name>.elf (linked at 0x80000000 with link.ld).
# Needs GNU binutils for RISC-V (Debian: apt-get install -y binutils-riscv64-unknown-elf;
# binutils-riscv64-linux-gnu works too). Usage: ./build.sh [name...]
set -eu
cd "$(dirname "$0")"
for p in riscv64-unknown-elf riscv64-linux-gnu; do
  if command -v "$p-as" >/dev/null 2>&1; then PREFIX=$p; break; fi
done
if [ -z "${PREFIX:-}" ]; then
  echo "build.sh: no RISC-V binutils found (apt-get install -y binutils-riscv64-unknown-elf)" >&2
  exit 1
fi
MARCH=rv64gc_h
OBJ=$(mktemp -d)
trap 'rm -rf "$OBJ"' EXIT
mkdir -p bin
if [ $# -gt 0 ]; then NAMES="$*"; else NAMES=$(cd src && ls *.s | sed 's/\.s$//'); fi
for n in $NAMES; do
  "$PREFIX-as" -march=$MARCH -mabi=lp64d -mno-relax -I include -o "$OBJ/$n.o" "src/$n.s"
  # --no-relax: keep gp free (it holds the test number) and code sizes as written.
  "$PREFIX-ld" --no-relax -T link.ld -o "bin/$n.elf" "$OBJ/$n.o"
  "$PREFIX-strip" --strip-debug "bin/$n.elf"
  echo "built bin/$n.elf"
done
