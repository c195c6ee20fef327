#!/bin/sh
# Runs every program on QEMU's q35 board; each must print PASS and exit with status 1.
set -u
cd "$(dirname "$0")"
fail=0
for elf in bin/*.elf; do
  out=$(timeout 20 qemu-system-x86_64 -M q35 -cpu max -m 128 -smp 2 -nographic -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x4 -kernel "$elf" -append "board-test" 2>&1)
  status=$?
  if [ "$status" -eq 1 ] && echo "$out" | grep -q PASS; then
    echo "ok   $elf"
  else
    echo "FAIL $elf (status $status)"; echo "$out" | tail -20; fail=1
  fi
done
exit $fail
