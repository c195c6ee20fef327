#!/bin/sh
# Runs the board programs on QEMU 7.2 in the configurations the tests use; each must print PASS.
set -u
cd "$(dirname "$0")"
status=0
run() {
  elf=$1; shift
  out=$(timeout 20 qemu-system-aarch64 -M "$@" -cpu cortex-a57 -m 128M -nographic -monitor none \
    -serial stdio -kernel "$elf" 2>&1 | tr -d '\r')
  case "$out" in
    *PASS*) echo "ok   $elf $*" ;;
    *) echo "FAIL $elf $*: $out"; status=1 ;;
  esac
}
for virt in off on; do
  run bin/gicv2-timer.elf virt,gic-version=2,virtualization=$virt
  run bin/gicv3-timer.elf virt,gic-version=3,virtualization=$virt
done
run bin/gicv2-timer.elf virt,gic-version=2 -smp 2
run bin/gicv2-vgic.elf virt,gic-version=2,virtualization=on
run bin/gicv3-vgic.elf virt,gic-version=3,virtualization=on
exit $status
