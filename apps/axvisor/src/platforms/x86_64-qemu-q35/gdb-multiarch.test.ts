import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gdbAvailable, gdbScratch, gdbSession } from "../../test-support/gdb-session.js";
import { REPO_ROOT } from "../../vmm/test-support/harness.js";

/**
 * Debian's gdb-multiarch against `axvisor run --gdb` and NimbOS-x86's ELF (symbols, no line
 * information) with two vCPUs: held at the BIOS's first instruction, a breakpoint by name in
 * the long-mode kernel, `info registers`, stepi, a variable, a watchpoint on the timer's
 * jiffies, a breakpoint hit by the second vCPU (started by INIT-SIPI-SIPI), power-off.
 */
const hasGdb = gdbAvailable("the x86_64 gdb tests");

const ELF = resolve(REPO_ROOT, "guests/x86_64/nimbos/nimbos.elf");
const CONFIG = resolve(REPO_ROOT, "configs/vms/nimbos-x86_64-qemu-smp2.toml");
const { dir, dispose } = gdbScratch("axvisor-gdb-x86-");
afterAll(dispose);

/** Runs the CLI with `args` and gdb-multiarch with `commands` against its gdb port. */
const debugSession = (args: readonly string[], commands: readonly string[]) =>
  gdbSession(args, commands, ELF, dir);

describe.skipIf(!hasGdb)("gdb-multiarch against axvisor run --gdb (x86_64, NimbOS)", () => {
  it("breaks in the kernel, reads registers, steps, watches jiffies, stops at CPU 1's task, runs to power-off", async () => {
    const r = await debugSession(
      [
        "run",
        CONFIG,
        "--gdb",
        "0",
        "--cpus",
        "2",
        "--send-after",
        "nimbos> ",
        "smp\\r",
        "--send-after",
        "smp: 2 CPUs online",
        "poweroff\\r",
        "--timeout",
        "100",
      ],
      [
        "print $pc",
        "break kmain",
        "continue",
        "info registers",
        "stepi",
        "print $pc",
        "print/x $cr0",
        "print $xmm0.v4_int32[0]",
        "break lapic_timer_start",
        "continue",
        "delete",
        "set can-use-hw-watchpoints 0",
        "watch *(long *)&jiffies",
        "continue",
        "print (long)jiffies",
        "print (int)lapic_timer_hz",
        "delete",
        "break cpu_hello_task",
        "continue",
        "info threads",
        "delete",
        "continue",
      ],
    );
    const g = r.gdb;
    // Held at the BIOS's entry (flat real mode, 0x8000) before the first instruction.
    expect(g).toMatch(/\$1 = \(void \(\*\)\(\)\) 0x8000\n/);
    expect(g).toMatch(/Thread 1 hit Breakpoint 1, 0x0+2023d0 in kmain \(\)/);
    // info registers: the multiboot handoff (EAX magic in rdi by the kernel's entry stub),
    // long mode (EFER.LMA|LME), 64-bit code segment 0x8.
    expect(g).toMatch(/rip\s+0x2023d0\s+0x2023d0 <kmain>/);
    expect(g).toMatch(/rdi\s+0x2badb002\s/);
    expect(g).toMatch(/efer\s+0x500\s/);
    expect(g).toMatch(/cs\s+0x8\s/);
    // stepi ran exactly one instruction (kmain's first, a one-byte push).
    expect(g).toMatch(/\$2 = \(void \(\*\)\(\)\) 0x2023d1 <kmain\+1>/);
    // CR0 as the guest reads it: PG|WP|PE|ET set by NimbOS and the BIOS, CD|NW from reset.
    expect(g).toMatch(/\$3 = 0xe0010011\n/);
    expect(g).toMatch(/\$4 = -?\d+\n/);
    expect(g).toMatch(/Breakpoint 2, 0x[0-9a-f]+ in lapic_timer_start \(\)/);
    expect(g).toMatch(/Watchpoint 3: \*\(long \*\)&jiffies\s+Old value = 0\s+New value = 1/);
    expect(g).toMatch(/\$5 = 1\n/);
    expect(g).toMatch(/\$6 = 62500000\n/); // the APIC clock NimbOS took from CPUID 0x4000_0010
    expect(g).toMatch(/Thread 2 hit Breakpoint 4, 0x[0-9a-f]+ in cpu_hello_task \(\)/);
    expect(g).toMatch(
      /\*\s+2\s+Thread 2 \(VM 1 vCPU 1 \(runnable\)\)\s+0x[0-9a-f]+ in cpu_hello_task/,
    );
    expect(g).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    expect(r.console).toContain("smp: 2 CPUs online");
    expect(r.status).toBe(0);
  }, 120_000);
});

describe.skipIf(!hasGdb)("gdb-multiarch against axvisor emu -S -gdb (x86_64, NimbOS)", () => {
  it("debugs the bare PC: held at the multiboot entry, steps, breakpoints, a variable, CPUs as threads", async () => {
    const r = await debugSession(
      [
        "emu",
        "-M",
        "x86_64-qemu-q35",
        "-kernel",
        resolve(REPO_ROOT, "guests/x86_64/nimbos/nimbos.bin"),
        "-smp",
        "2",
        "-S",
        "-gdb",
        "tcp::0",
        "--send-after",
        "nimbos> ",
        "smp\\r",
        "--send-after",
        "smp: 2 CPUs online",
        "poweroff\\r",
        "--timeout",
        "100",
      ],
      [
        "print $pc",
        "info registers eflags cs cr0",
        "stepi",
        "print $pc",
        "break kmain",
        "continue",
        "info registers",
        "stepi",
        "print $pc",
        "delete",
        "hbreak sched_tick",
        "continue",
        "print (long)jiffies",
        "print (int)lapic_timer_hz",
        "delete",
        "break cpu_hello_task",
        "continue",
        "info threads",
        "delete",
        "continue",
      ],
    );
    const g = r.gdb;
    // -S: held at the multiboot entry in flat 32-bit protected mode, as QEMU's loader leaves it.
    expect(g).toMatch(/\$1 = \(void \(\*\)\(\)\) 0x200020 <entry32>/);
    expect(g).toMatch(/eflags\s+0x2\s/);
    expect(g).toMatch(/cs\s+0x10\s/);
    expect(g).toMatch(/cr0\s+0x11\s/);
    expect(g).toMatch(/\$2 = \(void \(\*\)\(\)\) 0x200021 <entry32\+1>/);
    expect(g).toMatch(/Thread 1 hit Breakpoint 1, 0x0+2023d0 in kmain \(\)/);
    expect(g).toMatch(/rip\s+0x2023d0\s+0x2023d0 <kmain>/);
    expect(g).toMatch(/rdi\s+0x2badb002\s/);
    expect(g).toMatch(/efer\s+0x500\s/);
    expect(g).toMatch(/cs\s+0x8\s/);
    // stepi in the long-mode kernel: exactly one instruction (kmain's first, a one-byte push).
    expect(g).toMatch(/\$3 = \(void \(\*\)\(\)\) 0x2023d1 <kmain\+1>/);
    // The first timer tick: the interrupt handler counted it before calling the scheduler.
    expect(g).toMatch(/Breakpoint 2, 0x[0-9a-f]+ in sched_tick \(\)/);
    expect(g).toMatch(/\$4 = 1\n/);
    expect(g).toMatch(/\$5 = \d+\n/);
    expect(g).toMatch(/Thread 2 hit Breakpoint 3, 0x[0-9a-f]+ in cpu_hello_task \(\)/);
    // gdb pads the columns to the longest description (thread 1 may be "long mode, halted").
    expect(g).toMatch(/\*\s+2\s+Thread 2 \(CPU 1 \(long mode\)\)\s+0x[0-9a-f]+ in cpu_hello_task/);
    expect(g).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    expect(r.console).toContain("smp: 2 CPUs online");
    expect(r.status).toBe(0);
  }, 60_000);
});
