#!/bin/sh
# Runs every bin/*.elf on QEMU 7.2 (virt, EL2, GICv3, cortex-a57 or max for *-max); each must
# print PASS.
set -u
cd "$(dirname "$0")"
status=0
for e in bin/*.elf; do
  # Programs named *-max use the LSE/PAN instructions of QEMU's "max" CPU.
  cpu=cortex-a57
  case "$e" in *-max.elf) cpu=max ;; esac
  out=$(timeout 20 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu $cpu \
    -nographic -monitor none -serial stdio -kernel "$e" 2>&1 | tr -d '\r')
  case "$out" in
    *PASS*) echo "ok   $e" ;;
    *) echo "FAIL $e: $out"; status=1 ;;
  esac
done
exit $status
