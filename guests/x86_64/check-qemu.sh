#!/usr/bin/env bash
# Checks the committed x86_64 guests on QEMU (Debian: apt-get install qemu-system-x86): boots
# NimbOS-x86 through QEMU's multiboot loader with 1 and 2 CPUs, and through axvm-bios (the
# reset-vector ROM jumps to 0x8000 as a hypervisor would), drives the shell and looks for the
# lines a user relies on. Exits non-zero on the first check that fails.
set -uo pipefail
cd "$(dirname "$0")"
QEMU=${QEMU:-qemu-system-x86_64}
if ! command -v "$QEMU" >/dev/null; then
  echo "error: $QEMU not found; install it with: apt-get install qemu-system-x86" >&2
  exit 1
fi
WORK=$(mktemp -d)
QPID=
cleanup() {
  [ -n "$QPID" ] && kill "$QPID" 2>/dev/null
  exec 3>&- 2>/dev/null
  if [ -n "${KEEP_LOGS:-}" ]; then echo "logs in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
failures=0

start() { # name qemu-args...
  NAME=$1
  shift
  LOG="$WORK/$NAME.log"
  mkfifo "$WORK/$NAME.in"
  timeout 60 "$QEMU" -M q35 -cpu max -m 128M -display none -monitor none -serial stdio \
    -no-reboot "$@" <"$WORK/$NAME.in" >"$LOG" 2>&1 &
  QPID=$!
  exec 3>"$WORK/$NAME.in"
}

# expect REGEX [seconds]: waits until the console output matches.
expect() {
  local deadline=$((SECONDS + ${2:-10}))
  while ! grep -aqE "$1" "$LOG"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "FAIL $NAME: no '$1' within ${2:-10} s; output:"
      tail -n 25 "$LOG" | sed 's/^/    /'
      failures=$((failures + 1))
      return 1
    fi
    sleep 0.1
  done
}

send() { printf '%s\r' "$1" >&3; }

# finish: the guest must have powered QEMU off by itself.
finish() {
  local deadline=$((SECONDS + 10))
  while kill -0 "$QPID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if kill -0 "$QPID" 2>/dev/null; then
    echo "FAIL $NAME: still running after poweroff"
    failures=$((failures + 1))
    kill "$QPID"
  else
    echo "ok   $NAME"
  fi
  wait "$QPID" 2>/dev/null
  QPID=
  exec 3>&-
}

shell_checks() { # cpus
  expect 'nimbos> ' || return
  send help && expect 'poweroff +power the machine off' || return
  send info && expect 'CPU vendor: ' && expect 'hypervisor: ' && expect "CPUs: 1 online of $1" &&
    expect 'RAM: 128 MiB' && expect 'LAPIC: id 0 at fee00000, timer 100 Hz' || return
  send uptime && expect 'up [0-9]+\.[0-9]{2} s' || return
  send tasks && expect 'heartbeat +sleeping' || return
  send fault && expect 'EXCEPTION invalid opcode \(#UD\) on CPU 0 in task .faulty.' &&
    expect "task 'faulty' \(id [0-9]+\) killed" || return
  send 'ipi 0' && expect 'ipi: CPU 0 answered' || return
  if [ "$1" -gt 1 ]; then
    send smp && expect 'smp: CPU 1 \(APIC ID 1\) is online' && expect 'hello from CPU 1' &&
      expect 'smp: 2 CPUs online' || return
    send 'ipi 1' && expect 'ipi: CPU 1 answered' || return
    send tasks && expect 'hello1 ' || return
  else
    send smp && expect 'smp: this machine has one CPU' || return
  fi
  send poweroff && expect 'NimbOS: powering off'
}

start multiboot-smp1 -smp 1 -kernel nimbos/nimbos.bin
expect 'NimbOS-x86 [0-9.]+: x86_64 long mode, 1 CPU .*booted by .qemu.' && shell_checks 1
finish

start multiboot-smp2 -smp 2 -kernel nimbos/nimbos.bin
expect 'NimbOS-x86 [0-9.]+: x86_64 long mode, 2 CPUs \(ACPI MADT\)' && shell_checks 2
finish

start bios-smp2 -smp 2 -bios bios/reset-rom.bin \
  -device loader,file=bios/axvm-bios.bin,addr=0x8000,force-raw=on \
  -device loader,file=nimbos/nimbos.bin,addr=0x200000,force-raw=on
expect 'axvm-bios \(AxVisor.ts\): RAM 128 MiB \(fw_cfg\), kernel at 0x200000, entry 0x[0-9a-f]+ \(multiboot\)' &&
  expect "NimbOS-x86 [0-9.]+: x86_64 long mode, 2 CPUs \(fw_cfg\), RAM 128 MiB, booted by 'AxVisor.ts axvm-bios'" &&
  shell_checks 2
finish

if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all QEMU checks passed"
