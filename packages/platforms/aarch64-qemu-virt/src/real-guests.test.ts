import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { MemoryBlockBacking, virtioBlkSlot } from "@axvisor/device-virtio-mmio";
import { describe, expect, it } from "vitest";
import { compareKernelLogs, explainKernelLogDifferences } from "./kernel-log.js";
import { type ArmMachineExit, ArmVirtMachine, type ArmVirtMachineOptions } from "./machine.js";

/** The shared guests: AXVISOR_GUESTS, or ../shared/guests beside the checkout. */
const GUESTS = `${process.env.AXVISOR_GUESTS ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../shared/guests")}/aarch64`;
const present = existsSync(join(GUESTS, "linux-Image"));
if (!present) console.log(`real-guest tests skipped: no guests at ${GUESTS} (set AXVISOR_GUESTS)`);
const file = (name: string) => ({ name, data: readFileSync(join(GUESTS, name)) });

/** A file that receives every guest's console as it runs (for watching slow boots). */
const GUEST_LOG = process.env.AXVISOR_GUEST_LOG;

/** Minutes a boot may take on the interpreter (the CPU has no JIT yet). */
const BOOT_LIMIT_MS = Number(process.env.AXVISOR_ARM_BOOT_MS ?? 20 * 60_000);

/**
 * Runs the machine, answering each `expect` with its `send` once it appears on the console,
 * and returns the console and exit.
 */
async function converse(
  options: Omit<ArmVirtMachineOptions, "console">,
  script: readonly { readonly expect: string; readonly send: string }[],
): Promise<{ out: string; exit: ArmMachineExit; machine: ArmVirtMachine }> {
  let out = "";
  let step = 0;
  let scanFrom = 0;
  // Assigned once the console callback, which answers through it, exists.
  let m: ArmVirtMachine | undefined;
  const consoleSink = (b: Uint8Array) => {
    out += Buffer.from(b).toString("latin1");
    if (GUEST_LOG !== undefined) appendFileSync(GUEST_LOG, b);
    while (step < script.length) {
      const at = out.indexOf(script[step]!.expect, scanFrom);
      if (at < 0) break;
      scanFrom = at + script[step]!.expect.length;
      m?.sendInput(script[step]!.send);
      step++;
    }
  };
  const machine = new ArmVirtMachine({ ...options, console: consoleSink });
  m = machine;
  const guard = setTimeout(() => machine.stop("time limit"), BOOT_LIMIT_MS);
  const exit = await machine.run();
  clearTimeout(guard);
  return { out, exit, machine };
}

const LINUX_SCRIPT = [
  { expect: "GUEST-INIT-OK", send: "" },
  // Whole lines, ends included: typed earlier, the tty's echo of the command lands on the
  // line being printed (the line-by-line comparison with QEMU's log then fails).
  { expect: "Starting shell on console (exit to power off)\r\n", send: "echo SHELL-$((6*7))\n" },
  { expect: "SHELL-42\r\n", send: "poweroff -f\n" },
];

describe.skipIf(!present)(
  "real guests on ArmVirtMachine (reference logs in shared/guests/aarch64)",
  () => {
    // Four boots (the even-parity half of the 2x2x2 design) cover every pair of settings;
    // AXVISOR_ARM_LINUX=all runs all eight.
    const all = process.env.AXVISOR_ARM_LINUX === "all";
    const configs: { cpus: number; gicVersion: 2 | 3; virtualization: boolean }[] = [];
    for (const cpus of [1, 2]) {
      for (const gicVersion of [2, 3] as const) {
        for (const virtualization of [false, true]) {
          const set = Number(cpus === 2) + Number(gicVersion === 3) + Number(virtualization);
          if (all || set % 2 === 0) configs.push({ cpus, gicVersion, virtualization });
        }
      }
    }
    for (const c of configs) {
      it(
        `boots Debian's arm64 Linux to a shell: -smp ${c.cpus}, GICv${c.gicVersion}, ${c.virtualization ? "EL2" : "EL1"}`,
        async () => {
          const { out, exit } = await converse(
            {
              ...c,
              ramSize: 512 << 20,
              images: { kernel: file("linux-Image"), initrd: file("initramfs.cpio.gz") },
              bootargs: "console=ttyAMA0 earlycon",
            },
            LINUX_SCRIPT,
          );
          expect(out).toContain("Booting Linux on physical CPU 0x0000000000");
          expect(out).toContain("psci: PSCIv1.1 detected in firmware.");
          expect(out).toContain(`GUEST-INIT-OK arch=aarch64 kernel=6.1.0-56-arm64 cpus=${c.cpus}`);
          expect(out).toContain("SHELL-42");
          expect(exit).toEqual({ kind: "poweroff", success: true, code: 0, source: "psci" });
          if (c.cpus === 1 && c.gicVersion === 2 && !c.virtualization) {
            // QEMU's reference run has the same board, CPU and command line: its log must
            // match ours line for line apart from the differences docs/linux-log.md explains.
            const reference = readFileSync(join(GUESTS, "linux-smp1.log"), "latin1");
            const diffs = compareKernelLogs(reference, out);
            const { unexplained, unused } = explainKernelLogDifferences(diffs);
            expect(unexplained).toEqual([]);
            expect(unused.map((k) => k.id)).toEqual([]);
          }
        },
        BOOT_LIMIT_MS + 60_000,
      );
    }

    it(
      "runs U-Boot from flash to its prompt: version, bdinfo, reset (PSCI SYSTEM_RESET), poweroff",
      async () => {
        const { out, exit, machine } = await converse(
          { cpus: 1, ramSize: 512 << 20, images: { firmware: file("u-boot.bin") } },
          [
            { expect: "Hit any key to stop autoboot", send: " " },
            { expect: "=> ", send: "version\n" },
            { expect: "GNU ld", send: "bdinfo\n" },
            { expect: "Early malloc usage", send: "reset\n" },
            { expect: "Hit any key to stop autoboot", send: " " },
            { expect: "=> ", send: "poweroff\n" },
          ],
        );
        expect(out).toContain("DRAM:  512 MiB");
        expect(out).toContain("Flash: 64 MiB");
        expect(out).toContain("In:    pl011@9000000");
        expect(out).toContain("U-Boot 2023.01+dfsg-2+deb12u3");
        expect(out).toMatch(/-> size\s+= 0x0000000020000000/);
        expect(out).toMatch(/relocaddr\s+= 0x000000005fef7000/);
        expect(out).toMatch(/fdt_size\s+= 0x0000000000100000/);
        expect(out.split("resetting ...")).toHaveLength(2);
        expect(machine.resets).toBe(1);
        expect(exit).toEqual({ kind: "poweroff", success: true, code: 0, source: "psci" });
      },
      BOOT_LIMIT_MS + 60_000,
    );

    it(
      "lets U-Boot read a virtio-blk disk in slot 0 (virtio-mmio at 0x0a00_0000, SPI 16)",
      async () => {
        const disk = new MemoryBlockBacking(new Uint8Array(1 << 20));
        disk.bytes.set(new TextEncoder().encode("AXVISOR-DISK-OK!"), 0);
        const { out, exit } = await converse(
          {
            ramSize: 512 << 20,
            images: { firmware: file("u-boot.bin") },
            virtio: [virtioBlkSlot(disk)],
          },
          [
            { expect: "Hit any key to stop autoboot", send: " " },
            { expect: "=> ", send: "virtio scan\n" },
            { expect: "=> ", send: "virtio info\n" },
            { expect: "(2048 x 512)", send: "virtio read 0x50000000 0 1\n" },
            { expect: "1 blocks read: OK", send: "md.b 0x50000000 0x10\n" },
            { expect: "AXVISOR-DISK-OK!", send: "poweroff\n" },
          ],
        );
        expect(out).toContain("Device 0: QEMU VirtIO Block Device");
        expect(out).toContain("50000000: 41 58 56 49 53 4f 52 2d 44 49 53 4b 2d 4f 4b 21");
        expect(exit.kind).toBe("poweroff");
      },
      BOOT_LIMIT_MS + 60_000,
    );
  },
);
