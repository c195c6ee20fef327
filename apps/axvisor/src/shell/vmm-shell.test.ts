import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { framePacket } from "@axvisor/gdbstub";
import { serveGdb } from "@axvisor/gdbstub/node";
import { afterAll, describe, expect, it } from "vitest";
import { defaultGuestOf } from "../platform/host-of.js";
import { platforms } from "../platforms/index.js";
import { startTestVmm, type TestVmm } from "../vmm/test-support/harness.js";
import { VmmShell } from "./vmm-shell.js";

const dir = mkdtempSync(join(tmpdir(), "axvisor-shell-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The demo guest as a config file, with a disk image next to it (relative disk_path). */
function demoToml(id: number, disk: { readOnly?: boolean } = {}): string {
  const img = join(dir, `disk${id}.img`);
  const bytes = new Uint8Array(64 * 1024);
  bytes.set(new TextEncoder().encode(`DISK${id}`), 0);
  writeFileSync(img, bytes);
  if (disk.readOnly === true) chmodSync(img, 0o444);
  const path = join(dir, `demo${id}.toml`);
  writeFileSync(
    path,
    `[base]
id = ${id}
name = "demo${id}"
vm_type = 1
cpu_num = 1
phys_cpu_ids = [0]

[kernel]
entry_point = 0x8020_0000
image_location = "memory"
kernel_path = "${defaultGuestOf(platforms.get("riscv64-qemu-virt")).config.kernel.kernelPath}"
kernel_load_addr = 0x8020_0000
disk_path = "disk${id}.img"
memory_regions = [[0x8000_0000, 0x100_0000, 0xf, 0]]

[devices]
interrupt_mode = "emu"
emu_devices = [
  ["virtio-blk", 0x1000_1000, 0x1000, 1, 0xe1, []],
  ["plic", 0x0c00_0000, 0x60_0000, 0, 0x30, [2]],
]
passthrough_devices = []
passthrough_addresses = []
excluded_devices = []
`,
  );
  return path;
}

function shellOn(t: TestVmm) {
  const printed: string[] = [];
  const exits: number[] = [];
  const shell = new VmmShell({
    vmm: t.vmm,
    print: (s) => printed.push(s),
    onExit: (code) => exits.push(code),
    serveGdb,
  });
  /** Runs a line and returns what it printed. */
  const run = async (line: string): Promise<string> => {
    const from = printed.length;
    await shell.execute(line);
    return printed.slice(from).join("");
  };
  return { shell, run, exits };
}

const count = (text: string, re: RegExp) => (text.match(new RegExp(re.source, "g")) ?? []).length;

describe("the VMM shell", () => {
  it("creates, starts, suspends, resumes, restarts, stops and deletes a VM", async () => {
    const t = startTestVmm({ harts: 1 });
    const { run } = shellOn(t);
    try {
      expect(await run("vm list")).toBe("no VMs (vm create FILE adds one)\n");
      expect(await run(`vm create ${demoToml(1)}`)).toBe(
        'VM 1 "demo1" created (Loaded); vm start 1 boots it\n',
      );
      expect(await run("vm list")).toMatch(
        /^ID\s+NAME\s+STATE\s+VCPU\s+MEMORY\s+VCPU STATE\n1\s+demo1\s+Loaded\s+1\s+16 MiB\s+-\n$/,
      );

      const show = await run("vm show 1");
      expect(show).toContain('VM 1 "demo1"');
      expect(show).toContain(join(dir, "demo1.toml"));
      expect(show).toMatch(/0x8000_?0000\.\.0x8100_?0000 16 MiB RWXU-- alloc/);
      expect(show).toMatch(/virtio-blk: VirtioBlk at 0x1000_?1000\.\.0x1000_?2000, irq 1/);
      expect(show).toMatch(/kernel .*demo\.bin \(raw\)/);
      expect(show).toContain("console input: sbi");

      expect(await run("vm start 1")).toBe('VM 1 "demo1" started\n');
      // The guest reads sector 0 of the file named by disk_path.
      expect(await t.waitFor(1, /DEMO-READY/)).toMatch(/disk sector 0 read: 44 49 53 4b/);
      expect(await run("vm list")).toMatch(
        /1\s+demo1\s+Running\s+1\s+16 MiB\s+1 (runnable|halted)/,
      );

      // Suspended: the guest does not run (typed input waits), its state is kept.
      expect(await run("vm suspend 1")).toBe('VM 1 "demo1" suspended\n');
      expect(t.vmm.vm(1).status).toBe("Suspended");
      t.vmm.sendInput(1, "echo while-suspended\r");
      const frozen = t.output.get(1);
      await new Promise((r) => setTimeout(r, 300));
      expect(t.output.get(1)).toBe(frozen);
      expect(await run("vm list")).toMatch(/1\s+demo1\s+Suspended/);
      expect(await run("vm resume 1")).toBe('VM 1 "demo1" resumed\n');
      await t.waitFor(1, /\r?\nwhile-suspended\r?\n/);
      // It continued where it was: one boot so far.
      expect(count(t.output.get(1) ?? "", /DEMO-READY/)).toBe(1);

      // Restart: fresh memory and devices, booted again.
      expect(await run("vm restart 1")).toBe('VM 1 "demo1" restarted\n');
      await t.waitFor(1, /DEMO-READY[\s\S]*DEMO-READY/);
      expect(count(t.output.get(1) ?? "", /=== AxVisor\.ts demo guest/)).toBe(2);

      expect(await run("vm stop 1")).toBe('VM 1 "demo1" stopped\n');
      expect(t.vmm.vm(1).status).toBe("Stopped");
      expect(await run("vm list")).toMatch(/1\s+demo1\s+Stopped\s+1\s+16 MiB\s+-/);
      expect(await run("vm stop 1")).toBe('error: VM 1 "demo1" is already stopped\n');
      // A stopped VM starts again from scratch.
      expect(await run("vm start")).toBe('VM 1 "demo1" started\n');
      await t.waitFor(1, /(DEMO-READY[\s\S]*){3}/);

      expect(await run("vm delete 1")).toBe('VM 1 "demo1" deleted\n');
      expect(await run("vm list")).toBe("no VMs (vm create FILE adds one)\n");
      expect(t.machine.memory.stats().used).toBe(0);
    } finally {
      await t.close();
    }
  });

  it("vm stats shows each VM's instructions, times and exits by kind", async () => {
    const t = startTestVmm({ harts: 1 });
    const { run } = shellOn(t);
    try {
      await run(`vm create ${demoToml(1)}`);
      await run("vm start 1");
      await t.waitFor(1, /DEMO-READY/);
      const text = await run("vm stats 1");
      expect(text).toMatch(/^VM 1 "demo1":\n/);
      const row =
        /vCPU 0\s+(\d+) insns\s+([\d.]+) MIPS {2}run ([\d.]+) s {2}halted ([\d.]+) s {2}waiting ([\d.]+) s {2}exits (\d+) {2}guest faults 0/.exec(
          text,
        );
      expect(row).not.toBeNull();
      const [insns, mips, runS] = [Number(row?.[1]), Number(row?.[2]), Number(row?.[3])];
      expect(insns).toBeGreaterThan(10_000);
      // MIPS is instructions over run time, both printed rounded: the run time to its last
      // printed digit, MIPS to one decimal.
      const half = 0.5 * 10 ** -(row?.[3]?.split(".")[1]?.length ?? 0);
      expect(mips).toBeGreaterThanOrEqual(insns / (runS + half) / 1e6 - 0.05);
      if (runS > half) expect(mips).toBeLessThanOrEqual(insns / (runS - half) / 1e6 + 0.05);
      // The demo reads its disk through virtio-mmio registers and waits in WFI.
      expect(text).toMatch(/exit MmioRead\s+\d+ {2}mean [\d.]+ us/);
      expect(text).toMatch(/exit Halt\s+\d+/);
      expect(await run("vm stats")).toMatch(/^VM 1 "demo1":\n {2}vCPU 0 /);
      expect(await run("vm stats 9")).toMatch(/^error: no VM 9/);
    } finally {
      await t.close();
    }
  });

  it("vm debug stops a running VM for gdb and a detach lets it run on", async () => {
    const t = startTestVmm({ harts: 1 });
    const { run } = shellOn(t);
    try {
      await run(`vm create ${demoToml(1)}`);
      expect(await run("vm debug 1 0")).toMatch(/^error: VM 1 "demo1" is Loaded, not Running/);
      await run("vm start 1");
      await t.waitFor(1, /DEMO-READY/);
      const text = await run("vm debug 1 0");
      const port = /^VM 1 "demo1" stopped; gdb: target remote 127\.0\.0\.1:(\d+)\n$/.exec(
        text,
      )?.[1];
      expect(port).toBeDefined();
      expect(t.vmm.vm(1).debug?.stopped).toBe(true);
      expect(await run("vm debug 1 0")).toMatch(/^error: VM 1 has a debugger attached/);
      const socket = connect(Number(port), "127.0.0.1");
      let received = "";
      socket.on("data", (d: Buffer) => {
        received += d.toString("latin1");
      });
      await new Promise<void>((r) => socket.once("connect", () => r()));
      socket.write(framePacket("D"));
      for (let i = 0; i < 100 && !received.includes(framePacket("OK")); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(received).toContain(framePacket("OK"));
      socket.destroy();
      t.vmm.sendInput(1, "echo free\r");
      await t.waitFor(1, /\r?\nfree\r?\n/);
      expect(t.vmm.vm(1).debug).toBeUndefined();
    } finally {
      await t.close();
    }
  });

  it("answers help, log, exit and reports mistakes as one error line", async () => {
    const t = startTestVmm();
    const { run, exits } = shellOn(t);
    try {
      const help = await run("help");
      for (const c of [
        "vm list",
        "vm show ID",
        "vm create FILE...",
        "vm start [ID...]",
        "vm stop ID...",
        "vm suspend ID...",
        "vm resume ID...",
        "vm restart ID...",
        "vm delete ID...",
        "log [LEVEL]",
        "help [COMMAND]",
        "exit [CODE]",
      ]) {
        expect(help).toContain(c);
      }
      expect(await run("help vm")).toContain("vm restart ID...");
      expect(await run("log")).toBe("log level: warn\n");
      expect(await run("log debug")).toBe("log level: debug\n");
      expect(t.vmm.log.level).toBe("debug");
      expect(await run("log Info")).toBe("log level: info\n");
      expect(await run("log loud")).toBe(
        "error: log: unknown log level 'loud' (use error, warn, info, debug, trace)\n",
      );
      expect(await run("frobnicate")).toBe("error: unknown command 'frobnicate' (try help)\n");
      expect(await run("vm frob")).toBe("error: unknown vm subcommand 'frob' (try vm help)\n");
      expect(await run("vm stop 7")).toBe("error: no VM 7 (there are no VMs)\n");
      expect(await run("vm suspend x")).toBe("error: 'x' is not a VM id\n");
      expect(await run("vm show")).toBe("error: usage: vm show ID\n");
      expect(await run('vm create "unterminated')).toBe("error: unterminated double quote\n");
      expect(await run(`vm create ${join(dir, "nope.toml")}`)).toMatch(
        /^error: .*nope\.toml: cannot read/,
      );
      await run(`vm create ${demoToml(2)}`);
      expect(await run(`vm create ${demoToml(2)}`)).toBe(
        'error: VM id 2 is already used by "demo2"\n',
      );
      expect(await run("vm resume 2")).toMatch(/^error: VM 2 "demo2": cannot resume from Loaded/);
      expect(await run("exit 3")).toBe("");
      expect(await run("quit")).toBe("");
      expect(exits).toEqual([3, 0]);
    } finally {
      await t.close();
    }
  });

  it("attaches a disk nobody may write read-only, with a notice", async () => {
    const t = startTestVmm();
    const { run } = shellOn(t);
    try {
      await run(`vm create ${demoToml(3, { readOnly: true })}`);
      expect(t.notices).toEqual([
        `VM 3 "demo3": disk ${join(dir, "disk3.img")} is not writable: attached read-only`,
      ]);
    } finally {
      await t.close();
    }
  });
});
