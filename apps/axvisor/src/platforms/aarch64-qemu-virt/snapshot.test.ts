/**
 * Snapshot and restore of the aarch64 demo guest (two vCPUs started by PSCI CPU_ON, the
 * virtual timer, SGIs, the PL011 by interrupt, virtio-blk on an in-memory disk), with a vGICv3
 * and a vGICv2: restored in a fresh VMM it continues (uptime, timer ticks, IPIs, the shell,
 * its disk); a restored VM snapshotted again gives the same bytes; `run --restore` continues it
 * in a new process; files of another architecture are refused both ways with one line.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { VMStatus } from "@axvisor/axvm";
import { afterEach, describe, expect, it } from "vitest";
import { ExitStatus } from "../../exit-status.js";
import { restoreSnapshotFile, saveSnapshotFile } from "../../snapshot/snapshot-io.js";
import { openSnapshot, restoreVm, snapshotVm } from "../../snapshot/vm-snapshot.js";
import { REPO_ROOT, startTestVmm, type TestVmm } from "../../vmm/test-support/harness.js";
import { defaultGuestConfig, defaultGuestDisk } from "../riscv64-qemu-virt/default-guest.js";
import { armDefaultGuestConfig, armDefaultGuestDisk } from "./default-guest.js";

const PLATFORM = "aarch64-qemu-virt";
const CLI = resolve(REPO_ROOT, "apps/axvisor/dist/main.js");
if (!existsSync(CLI)) console.log(`skipping the new-process restore: ${CLI} is not built`);

const UPTIME = /up (\d+) ms, (\d+) timer ticks/;

let open: TestVmm[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of open) await t.close();
  open = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function vmmFor(gic: 2 | 3): TestVmm {
  const t = startTestVmm({ platform: PLATFORM, vms: [armDefaultGuestConfig(undefined, gic)] });
  open.push(t);
  return t;
}

async function close(t: TestVmm): Promise<void> {
  await t.close();
  open = open.filter((x) => x !== t);
}

/** Sends a shell line and waits for what it prints after the echo. */
async function command(t: TestVmm, line: string, answer: RegExp): Promise<string> {
  const before = (t.output.get(1) ?? "").length;
  t.vmm.sendInput(1, `${line}\r`);
  await t.waitFor(1, new RegExp(`[\\s\\S]{${before}}[\\s\\S]*${answer.source}`), 60_000);
  return (t.output.get(1) ?? "").slice(before);
}

async function bootedDemo(gic: 2 | 3): Promise<TestVmm> {
  const t = vmmFor(gic);
  t.vmm.createVm(armDefaultGuestConfig(undefined, gic), { disk: armDefaultGuestDisk() });
  t.vmm.startVm(1);
  await t.waitFor(1, /DEMO-READY/, 60_000);
  return t;
}

describe("aarch64 VM snapshot and restore (demo guest)", () => {
  for (const gic of [3, 2] as const) {
    it(`vGICv${gic}: restored in a fresh VMM it continues (uptime, ticks, IPI, disk); round trip is byte-identical`, async () => {
      const a = await bootedDemo(gic);
      const up = UPTIME.exec(await command(a, "uptime", UPTIME)) ?? [];
      const snap = snapshotVm(a.vmm, 1);
      await command(a, "echo still-here", /\r?\nstill-here\r?\n/);
      await close(a);

      const b = vmmFor(gic);
      const vm = restoreVm(b.vmm, openSnapshot(snap, "aarch64", "demo.snap"), {
        file: "demo.snap",
      });
      expect(vm.status).toBe(VMStatus.Running);
      const again = snapshotVm(b.vmm, 1);
      expect(Buffer.compare(Buffer.from(again), Buffer.from(snap))).toBe(0);

      const after = UPTIME.exec(await command(b, "uptime", UPTIME)) ?? [];
      // Guest time continued from the snapshot instead of jumping to the new host clock.
      expect(Number(after[1])).toBeGreaterThanOrEqual(Number(up[1]));
      expect(Number(after[1]) - Number(up[1])).toBeLessThan(10_000);
      // The virtual timer still interrupts: ask until a tick arrives (a lost timer never does).
      let ticks = Number(after[2]);
      for (let tries = 0; tries < 100 && ticks <= Number(up[2]); tries++) {
        await new Promise((r) => setTimeout(r, 100));
        ticks = Number(UPTIME.exec(await command(b, "uptime", UPTIME))?.[2]);
      }
      expect(ticks).toBeGreaterThan(Number(up[2]));
      await command(b, "info", /CPUs: 2 in device tree, 2 online/);
      await command(b, "ipi 1", /IPI delivered to CPU 1 \(count \d+\)/);
      await command(b, "blk 0", /0000: 41 78 56 69 73 6f 72 2e 74 73 20 64 65 6d 6f 20/);
      await command(b, "echo restored", /\r?\nrestored\r?\n/);
      b.vmm.sendInput(1, "poweroff\r");
      expect(await b.waitEnd(1)).toEqual({ kind: "poweroff", reason: 0 });
    }, 120_000);
  }

  it("refuses aarch64 files on riscv64, riscv64 files on aarch64, and a corrupt file, with one line", async () => {
    const dir = tempDir();
    const arm = await bootedDemo(3);
    const armFile = join(dir, "arm.snap");
    saveSnapshotFile(arm.vmm, 1, armFile);
    const rv = startTestVmm();
    open.push(rv);
    rv.vmm.createVm(defaultGuestConfig(), { disk: defaultGuestDisk() });
    rv.vmm.startVm(1);
    await rv.waitFor(1, /DEMO-READY/, 60_000);
    const rvFile = join(dir, "rv.snap");
    saveSnapshotFile(rv.vmm, 1, rvFile);
    rv.vmm.deleteVm(1);
    arm.vmm.deleteVm(1);

    expect(() => restoreSnapshotFile(rv.vmm, armFile)).toThrow(
      new RegExp(
        `^snapshot ${armFile} holds a aarch64 VM; this host is riscv64 and restores only riscv64 VMs$`,
      ),
    );
    expect(() => restoreSnapshotFile(arm.vmm, rvFile)).toThrow(
      new RegExp(
        `^snapshot ${rvFile} holds a riscv64 VM; this host is aarch64 and restores only aarch64 VMs$`,
      ),
    );
    const bytes = readFileSync(armFile);
    bytes[bytes.length >> 1]! ^= 1;
    const bad = join(dir, "bad.snap");
    writeFileSync(bad, bytes);
    expect(() => restoreSnapshotFile(arm.vmm, bad)).toThrow(
      `snapshot ${bad} is corrupt: its SHA-256 checksum does not match its contents`,
    );
    expect(arm.vmm.vms).toHaveLength(0);
    expect(rv.vmm.vms).toHaveLength(0);
    // The good file still restores on its own architecture.
    restoreSnapshotFile(arm.vmm, armFile);
    await command(arm, "echo back", /\r?\nback\r?\n/);
  }, 120_000);

  it.skipIf(!existsSync(CLI))(
    "axvisor run --restore FILE in a new process continues the demo: uptime, ipi and blk 0 answer",
    async () => {
      const t = await bootedDemo(3);
      await command(t, "uptime", /timer ticks/);
      const file = join(tempDir(), "demo.snap");
      saveSnapshotFile(t.vmm, 1, file);
      const { code, out, err } = await runCliProcess([
        "run",
        "--restore",
        file,
        "--send-after",
        "",
        "uptime\\r",
        "--send-after",
        "timer ticks",
        "ipi 1\\r",
        "--send-after",
        "IPI delivered",
        "blk 0\\r",
        "--expect",
        "0030:",
        "--timeout",
        "60",
      ]);
      expect(err).toMatch(/axvisor: VM 1 "demo" restored from /);
      expect(code).toBe(ExitStatus.Success);
      expect(out).toMatch(UPTIME);
      expect(out).toMatch(/IPI delivered to CPU 1/);
      expect(out).toMatch(/0000: 41 78 56 69/);
    },
    90_000,
  );
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "axvisor-arm-snap-"));
  dirs.push(d);
  return d;
}

/** `node dist/main.js ARGS` in a new process. */
function runCliProcess(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    child.on("exit", (code) => resolveRun({ code, out, err }));
  });
}
