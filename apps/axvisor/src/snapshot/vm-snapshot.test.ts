/**
 * Snapshot and restore of the demo guest (two vCPUs, SBI console, timer, virtio-blk on an
 * in-memory disk) inside this process: the restored VM answers its shell, its timer still
 * ticks and its disk still reads; a restored VM snapshotted again gives the same bytes.
 */
import { VMStatus } from "@axvisor/axvm";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import { afterEach, describe, expect, it } from "vitest";
import { defaultGuestOf } from "../platform/host-of.js";
import { platforms } from "../platforms/index.js";
import { startTestVmm, type TestVmm } from "../vmm/test-support/harness.js";
import { openSnapshot, restoreVm, snapshotVm } from "./vm-snapshot.js";

const demo = () => defaultGuestOf(platforms.get("riscv64-qemu-virt"));
function demoDisk(): BlockBacking {
  const disk = demo().disk;
  if (disk === undefined) throw new Error("the demo guest comes with its disk");
  return disk;
}

/** Sends a shell line and waits for what it prints after the echo. */
async function command(t: TestVmm, id: number, line: string, answer: RegExp): Promise<string> {
  const before = (t.output.get(id) ?? "").length;
  t.vmm.sendInput(id, `${line}\r`);
  await t.waitFor(id, new RegExp(`[\\s\\S]{${before}}[\\s\\S]*${answer.source}`));
  return (t.output.get(id) ?? "").slice(before);
}

let open: TestVmm[] = [];
afterEach(async () => {
  for (const t of open) await t.close();
  open = [];
});

function vmmForTest(): TestVmm {
  const t = startTestVmm();
  open.push(t);
  return t;
}

describe("VM snapshot and restore (demo guest)", () => {
  it("a snapshot restored in a fresh VMM continues: shell, uptime, blk 0; round trip is byte-identical", async () => {
    const a = vmmForTest();
    a.vmm.createVm(demo().config, { disk: demoDisk() });
    a.vmm.startVm(1);
    await a.waitFor(1, /DEMO-READY/);
    const up = await command(a, 1, "uptime", /up (\d+) ms, (\d+) timer ticks/);
    const [, msBefore, ticksBefore] = /up (\d+) ms, (\d+) timer ticks/.exec(up) ?? [];
    const snap = snapshotVm(a.vmm, 1);
    // The original keeps running after its snapshot.
    await command(a, 1, "echo still-here", /\r?\nstill-here\r?\n/);
    await a.close();
    open = open.filter((t) => t !== a);

    const b = vmmForTest();
    const opened = openSnapshot(snap, "riscv64", "demo.snap");
    const vm = restoreVm(b.vmm, opened, { file: "demo.snap" });
    expect(vm.status).toBe(VMStatus.Running);
    const again = snapshotVm(b.vmm, 1);
    expect(Buffer.compare(Buffer.from(again), Buffer.from(snap))).toBe(0);

    const out = await command(b, 1, "uptime", /up (\d+) ms, (\d+) timer ticks/);
    const [, msAfter, ticksAfter] = /up (\d+) ms, (\d+) timer ticks/.exec(out) ?? [];
    // Guest time continued from the snapshot instead of jumping to the new host clock, and
    // the guest's timer still interrupts it.
    expect(Number(msAfter)).toBeGreaterThanOrEqual(Number(msBefore));
    expect(Number(msAfter) - Number(msBefore)).toBeLessThan(10_000);
    expect(Number(ticksAfter)).toBeGreaterThan(Number(ticksBefore));
    const blk = await command(b, 1, "blk 0", /0030:[^\n]*\n/);
    expect(blk).toMatch(/sector 0:\r?\n\s+0000: 41 78 56 69/);
    // Both vCPUs came back (the second one was started by the guest through SBI HSM).
    await command(b, 1, "info", /harts: 2 in device tree, 2 online/);
    await command(b, 1, "ipi 1", /IPI delivered to hart 1/);
  }, 60_000);
});
