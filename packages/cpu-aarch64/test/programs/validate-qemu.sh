#!/bin/sh
# Runs every bin/*.elf on QEMU 7.2 (virt, EL2, GICv3, cortex-a57); each must print PASS.
set -u
cd "$(dirname "$0")"
status=0
for e in bin/*.elf; do
  out=$(timeout 20 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a57 \
    -nographic -monitor none -serial stdio -kernel "$e" 2>&1 | tr -d '\r')
  case "$out" in
    *PASS*) echo "ok   $e" ;;
    *) echo "FAIL $e: $out"; status=1 ;;
  esac
done
exit $status
