import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gdbAvailable, gdbScratch, gdbSession } from "../../test-support/gdb-session.js";
import { REPO_ROOT } from "../../vmm/test-support/harness.js";

/**
 * Debian's gdb-multiarch against `axvisor run --gdb` on the aarch64 platform and the aarch64
 * demo guest's ELF (symbols, no line information: variables are read with casts, `step`
 * leaves a function as GDB does without line tables). The vCPUs are ArmVCpus at the
 * emulated CPU's EL2: breakpoints are BRK instructions routed to the VMM by MDCR_EL2.TDE.
 */
const hasGdb = gdbAvailable("the aarch64 gdb tests");

const DEMO = resolve(REPO_ROOT, "guests/aarch64/demo");
const ELF = join(DEMO, "demo.elf");
const { dir, dispose } = gdbScratch("axvisor-arm-gdb-");
afterAll(dispose);

/** The demo with `cpus` vCPUs, a vGICv3 and the PL011 (no disk: the demo says so and goes on). */
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
entry_point = 0x4020_0000
image_location = "memory"
kernel_path = "${join(DEMO, "demo.bin")}"
kernel_load_addr = 0x4020_0000
dtb_load_addr = 0x43e0_0000
memory_regions = [[0x4000_0000, 0x400_0000, 0x7, 0]]

[devices]
interrupt_mode = "emu"
emu_devices = [
  ["gic", 0x0800_0000, 0x1_0000, 0, 0x1, []],
  ["uart", 0x0900_0000, 0x1000, 1, 0x2, []],
]
passthrough_devices = []
passthrough_addresses = []
excluded_devices = []
`,
  );
  return path;
}

/** `axvisor run ... --gdb 0` on the aarch64 board, the VM's console powering it off at the prompt. */
const runArgs = (config: string) => [
  "run",
  config,
  "--platform",
  "aarch64-qemu-virt",
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

describe.skipIf(!hasGdb)("gdb-multiarch against axvisor run --gdb (aarch64)", () => {
  it("breaks at a function, reads registers, steps, reads a variable, hits a watchpoint, continues to power-off", async () => {
    const r = await debugSession(runArgs(demoToml(1)), [
      "print $pc",
      "break boot_main",
      "continue",
      "info registers",
      "stepi",
      "print $pc",
      "set $v7.d.u[0] = 0x1122334455667788",
      "print/x $v7.d.u",
      "info registers fpsr fpcr",
      "hbreak gic_init",
      "continue",
      "step",
      "delete",
      "break exception_handler",
      "continue",
      "delete",
      "set can-use-hw-watchpoints 0",
      "watch *(unsigned long *)&ticks",
      "continue",
      "print (unsigned long)ticks",
      "print (unsigned long)timer_hz",
      "x/2xw &ticks",
      "delete",
      "continue",
    ]);
    const g = r.gdb;
    // Stopped before the first instruction.
    expect(g).toMatch(/\$1 = \(void \(\*\)\(\)\) 0x40200000 <_start>/);
    expect(g).toMatch(/Breakpoint 1, 0x[0-9a-f]+ in boot_main \(\)/);
    // info registers: x0 = the device tree (arm64 boot protocol), EL1h, pc inside boot_main.
    expect(g).toMatch(/x0\s+0x43e00000\s+1138753536\n/);
    expect(g).toMatch(/sp\s+0x[0-9a-f]+\s+0x[0-9a-f]+\n/);
    expect(g).toMatch(/pc\s+0x[0-9a-f]+\s+0x[0-9a-f]+ <boot_main\+\d+>/);
    expect(g).toMatch(/cpsr\s+0x[0-9a-f]*3c5\s/);
    // stepi moved the pc by one instruction.
    const bp = /Breakpoint 1, 0x([0-9a-f]+) in boot_main/.exec(g)?.[1] ?? "";
    const after = /\$2 = \(void \(\*\)\(\)\) 0x([0-9a-f]+) <boot_main\+\d+>/.exec(g)?.[1] ?? "";
    expect(Number.parseInt(after, 16) - Number.parseInt(bp, 16)).toBe(4);
    // The FP/SIMD registers are written and read back through the fpu feature.
    expect(g).toMatch(/\$3 = \{0x1122334455667788, 0x0\}/);
    expect(g).toMatch(/fpsr\s+0x0\s+0\nfpcr\s+0x0\s+0\n/);
    // A hardware breakpoint in boot code (before the timer starts, so the timer's first tick
    // comes after it), then `step` in a function without line information runs to its caller.
    expect(g).toMatch(/Breakpoint 2, 0x[0-9a-f]+ in gic_init \(\)/);
    expect(g).toMatch(/Single stepping until exit from function gic_init/);
    expect(g).toMatch(/Breakpoint 3, 0x[0-9a-f]+ in exception_handler \(\)/);
    // The timer interrupt counts one more tick (how many came before depends on the host).
    const hit =
      /Watchpoint 4: \*\(unsigned long \*\)&ticks\s+Old value = (\d+)\s+New value = (\d+)/.exec(g);
    expect(hit).not.toBeNull();
    const ticks = Number(hit?.[2]);
    expect(ticks).toBe(Number(hit?.[1]) + 1);
    expect(g).toContain(`$4 = ${ticks}\n`);
    expect(g).toMatch(/\$5 = 62500000\n/); // CNTFRQ of QEMU virt
    expect(g).toMatch(
      new RegExp(`<ticks>:\\s+0x${ticks.toString(16).padStart(8, "0")}\\s+0x00000000`),
    );
    expect(g).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    expect(r.console).toContain("powering off");
    expect(r.status).toBe(0);
  }, 120_000);

  it("shows each vCPU as a thread and stops the VM when the second vCPU hits a breakpoint", async () => {
    const r = await debugSession(runArgs(demoToml(2)), [
      "break secondary_main",
      "continue",
      "info threads",
      "print $x0",
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
    expect(g).toMatch(/\$1 = 1\n/); // x0 of vCPU 1 = the context id CPU_ON passed: its index
    expect(g).toMatch(/Switching to thread 1/);
    expect(g).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    expect(r.console).toContain("CPU 1 (MPIDR 0x1): online");
    expect(r.status).toBe(0);
  }, 120_000);
});

describe.skipIf(!hasGdb)("gdb-multiarch against axvisor emu -S -gdb (aarch64)", () => {
  it("debugs the bare machine: held at the kernel entry, breakpoints, a watchpoint, CPUs as threads", async () => {
    const r = await debugSession(
      [
        "emu",
        "-M",
        "aarch64-qemu-virt",
        "-cpu",
        "cortex-a57",
        "-kernel",
        join(DEMO, "demo.bin"),
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
        "info registers cpsr",
        "stepi",
        "print $pc",
        "break boot_main",
        "continue",
        "info registers x0",
        "break exception_handler",
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
    // -S: held at the Image's first instruction at EL1h (QEMU boots the kernel there); its
    // first instruction is the header's branch to the real entry.
    expect(g).toMatch(/\$1 = \(void \(\*\)\(\)\) 0x40200000 <_start>/);
    expect(g).toMatch(/cpsr\s+0x3c5\s+965/);
    expect(g).toMatch(/\$2 = \(void \(\*\)\(\)\) 0x40200040 <primary_entry>/);
    expect(g).toMatch(/Breakpoint 1, 0x[0-9a-f]+ in boot_main \(\)/);
    expect(g).toMatch(/x0\s+0x48000000\s/); // the device tree QEMU's loader places
    expect(g).toMatch(/Breakpoint 2, 0x[0-9a-f]+ in exception_handler \(\)/);
    expect(g).toMatch(/Watchpoint 3: \*\(unsigned long \*\)&ticks\s+Old value = 0\s+New value = 1/);
    expect(g).toMatch(/Thread 2 hit Breakpoint 4, 0x[0-9a-f]+ in secondary_main \(\)/);
    expect(g).toMatch(/\*\s+2\s+Thread 2 \(CPU 1 \(EL1\)\)/);
    expect(g).toMatch(/\[Inferior 1 \(Remote target\) exited normally\]/);
    expect(r.console).toContain("powering off");
    expect(r.status).toBe(0);
  }, 120_000);
});
