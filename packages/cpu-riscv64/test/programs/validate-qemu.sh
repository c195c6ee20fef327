#!/bin/sh
# Runs every bin/*.elf (or the named ones) on QEMU's virt machine; a program passes when QEMU
# exits 0 (sifive-test finisher 0x5555) and the UART line says PASS.
# Needs qemu-system-riscv64 (Debian: apt-get install -y qemu-system-misc).
set -u
cd "$(dirname "$0")"
if [ $# -gt 0 ]; then NAMES="$*"; else NAMES=$(cd bin && ls *.elf | sed 's/\.elf$//'); fi
status=0
for n in $NAMES; do
  out=$(timeout 20 qemu-system-riscv64 -M virt -cpu rv64,h=true,sstc=true -m 128M -smp 1 \
    -nographic -bios none -kernel "bin/$n.elf" 2>&1)
  rc=$?
  line=$(printf '%s\n' "$out" | tr -d '\r' | grep -E '^(PASS|FAIL)' | head -1)
  if [ $rc -eq 0 ] && printf '%s' "$line" | grep -q '^PASS'; then
    echo "ok   $n: $line"
  else
    echo "FAIL $n (qemu exit $rc): ${line:-$(printf '%s' "$out" | tail -3)}"
    status=1
  fi
done
exit $status
