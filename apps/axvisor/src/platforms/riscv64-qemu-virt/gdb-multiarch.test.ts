import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gdbAvailable, gdbScratch, gdbSession } from "../../test-support/gdb-session.js";
import { GUESTS } from "../../vmm/test-support/harness.js";

/**
 * Debian's gdb-multiarch against `axvisor run --gdb` and the demo guest's ELF (symbols, no
 * line information: variables are read with casts, `step` leaves a function as GDB does
 * without line tables).
 */
const hasGdb = gdbAvailable("the gdb tests");

const ELF = join(GUESTS, "demo", "demo.elf");
const { dir, dispose } = gdbScratch("axvisor-gdb-");
afterAll(dispose);

function demoToml(cpus: number): string {
  const path = join(dir, `demo-${cpus}.toml`);
  writeFileSync(
    path,
    `[base]
id = 1
name = "demo"
vm_type = 1
cpu_num = ${cpus}
phys_cpu_ids = [${Array.from({ length: cpus }, (_, i) => i).join(", ")}]

[kernel]
entry_point = 0x8020_0000
image_location = "memory"
kernel_path = "${join(GUESTS, "demo", "demo.bin")}"
kernel_load_addr = 0x8020_0000
memory_regions = [[0x8000_0000, 0x100_0000, 0xf, 0]]

[devices]
interrupt_mode = "emu"
emu_devices = [["plic", 0x0c00_0000, 0x60_0000, 0, 0x30, [${2 * cpus}]]]
passthrough_devices = []
passthrough_addresses = []
excluded_devices = []
`,
  );
  return path;
}

/** `axvisor run ... --gdb 0`, the VM's console powering it off at the prompt. */
const runArgs = (config: string) => [
  "run",
  config,
  "--gdb",
  "0",
  "--cpus",
  "2",
  "--send-after",
  "demo> ",
  "poweroff\\r",
  "--timeout",
  "100",
];

/** Runs the CLI with `args` and gdb-multiarch with `commands` against its gdb port. */
const debugSession = (args: readonly string[], commands: readonly string[]) =>
  gdbSession(args, commands, ELF, dir);

describe.skipIf(!hasGdb)("gdb-multiarch against axvisor run --gdb", () => {
  it("breaks at a function, reads registers, steps, reads a variable, hits a watchpoint, continues to power-off", async () => {
    const r = await debugSession(runArgs(demoToml(1)), [
      "print $pc",
      "break boot_main",
      "continue",
      "info registers",
      "stepi",
      "print $pc",
      "break print_sbi_info",
      "continue",
      "step",
      "break trap_handler",
      "continue",
      "delete",
      "set can-use-hw-watchpoints 0",
      "watch *(unsigned long *)&ticks",
      "continue",
      "print (unsigned long)ticks",
      "print (unsigned long)tick_interval",
      "delete",
      "continue",
    ]);
    const g = r.gdb;
    // Stopped before the first instruction.
    expect(g).toMatch(/\$1 = \(void \(\*\)\(\)\) 0x80200000 <_start>/);
    expect(g).toMatch(/Breakpoint 1, 0x[0-9a-f]+ in boot_main \(\)/);
    // info registers: a0 = hart id 0, a1 = the device tree, pc inside boot_main.
    expect(g).toMatch(/a0\s+0x0\s+0\n/);
    expect(g).toMatch(/a1\s+0x[0-9a-f]+/);
    expect(g).toMatch(/pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <boot_main\+\d+>/);
    // stepi moved the pc by one instruction (2 or 4 bytes).
    const bp = /Breakpoint 1, 0x([0-9a-f]+) in boot_main/.exec(g)?.[1] ?? "";
    const after = /\$2 = \(void \(\*\)\(\)\) 0x([0-9a-f]+) <boot_main\+\d+>/.exec(g)?.[1] ?? "";
    expect([2, 4]).toContain(Number.parseInt(after, 16) - Number.parseInt(bp, 16));
    // step in a function without line information runs to its caller.
    expect(g).toMatch(/Breakpoint 2, 0x[0-9a-f]+ in print_sbi_info \(\)/);
    expect(g).toMatch(/Single stepping until exit from function print_sbi_info/);
    expect(g).toMatch(/Breakpoint 3, 0x[0-9a-f]+ in trap_handler \(\)/);
    expect(g).toMatch(/Watchpoint 4: \*\(unsigned long \*\)&ticks\s+Old value = 0\s+New value = 1/);
    expect(g).toMatch(/\$3 = 1\n/);
    expect(g).toMatch(/\$4 = 500000\n/); // 10 MHz timebase / 20 ticks a second
    expect(g).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    expect(r.console).toContain("powering off");
    expect(r.status).toBe(0);
  }, 120_000);

  it("shows each vCPU as a thread and stops the VM when the second vCPU hits a breakpoint", async () => {
    const r = await debugSession(runArgs(demoToml(2)), [
      "break secondary_main",
      "continue",
      "info threads",
      "print $a0",
      "thread 1",
      "stepi",
      "delete",
      "continue",
    ]);
    const g = r.gdb;
    expect(g).toMatch(/Thread 2 hit Breakpoint 1, 0x[0-9a-f]+ in secondary_main \(\)/);
    expect(g).toMatch(/1\s+Thread 1 \(VM 1 vCPU 0 \(\w+\)\)/);
    expect(g).toMatch(
      /\*\s+2\s+Thread 2 \(VM 1 vCPU 1 \(runnable\)\)\s+0x[0-9a-f]+ in secondary_main/,
    );
    expect(g).toMatch(/\$1 = 1\n/); // a0 of vCPU 1 = its hart id
    expect(g).toMatch(/Switching to thread 1/);
    expect(g).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    expect(r.console).toContain("hart 1: online");
    expect(r.status).toBe(0);
  }, 120_000);
});

const OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin";
const hasOpenSbi = existsSync(OPENSBI);
if (hasGdb && !hasOpenSbi) console.log(`skipping the emu -gdb test: no OpenSBI at ${OPENSBI}`);

describe.skipIf(!hasGdb || !hasOpenSbi)("gdb-multiarch against axvisor emu -S -gdb", () => {
  it("debugs the bare machine: firmware in M-mode at reset, the demo in S-mode, harts as threads", async () => {
    const r = await debugSession(
      [
        "emu",
        "-bios",
        "default",
        "-kernel",
        join(GUESTS, "demo", "demo.bin"),
        "-smp",
        "2",
        "-S",
        "-gdb",
        "tcp::0",
        "--send-after",
        "demo> ",
        "poweroff\\r",
        "--timeout",
        "100",
      ],
      [
        "print $pc",
        "info registers priv",
        "stepi",
        "print $pc",
        "break boot_main",
        "continue",
        "info registers priv a0",
        "break trap_handler",
        "continue",
        "delete",
        "set can-use-hw-watchpoints 0",
        "watch *(unsigned long *)&ticks",
        "continue",
        "delete",
        "break secondary_main",
        "continue",
        "info threads",
        "delete",
        "continue",
      ],
    );
    const g = r.gdb;
    // -S: held at the reset vector in the mask ROM, in M-mode; stepi runs one instruction.
    expect(g).toMatch(/\$1 = \(void \(\*\)\(\)\) 0x1000\n/);
    expect(g).toMatch(/priv\s+0x3\s+prv:3 \[Machine\]/);
    expect(g).toMatch(/\$2 = \(void \(\*\)\(\)\) 0x1004\n/);
    // OpenSBI ran unseen; the breakpoint stops the kernel in S-mode.
    expect(g).toMatch(/Breakpoint 1, 0x[0-9a-f]+ in boot_main \(\)/);
    expect(g).toMatch(/priv\s+0x1\s+prv:1 \[Supervisor\]/);
    expect(g).toMatch(/Breakpoint 2, 0x[0-9a-f]+ in trap_handler \(\)/);
    expect(g).toMatch(/Watchpoint 3: \*\(unsigned long \*\)&ticks\s+Old value = 0\s+New value = 1/);
    expect(g).toMatch(/Thread 2 hit Breakpoint 4, 0x[0-9a-f]+ in secondary_main \(\)/);
    expect(g).toMatch(/\*\s+2\s+Thread 2 \(hart 1 \(S-mode\)\)/);
    expect(g).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    expect(r.console).toContain("powering off");
    expect(r.status).toBe(0);
  }, 120_000);
});
