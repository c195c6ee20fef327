/**
 * Snapshot and restore of the demo guest (two vCPUs, SBI console, timer, virtio-blk on an
 * in-memory disk) inside this process: the restored VM answers its shell, its timer still
 * ticks and its disk still reads; a restored VM snapshotted again gives the same bytes.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { VMStatus } from "@axvisor/axvm";
import type { BlockBacking } from "@axvisor/device-virtio-mmio";
import { afterEach, describe, expect, it } from "vitest";
import { ExitStatus } from "../exit-status.js";
import { defaultGuestOf } from "../platform/host-of.js";
import { platforms } from "../platforms/index.js";
import { VmmShell } from "../shell/vmm-shell.js";
import { REPO_ROOT, startTestVmm, type TestVmm } from "../vmm/test-support/harness.js";
import { decodeSnapshot, encodeSnapshot } from "./snapshot-file.js";
import { restoreSnapshotFile, saveSnapshotFile } from "./snapshot-io.js";
import { openSnapshot, restoreVm, snapshotVm } from "./vm-snapshot.js";

const CLI = resolve(REPO_ROOT, "apps/axvisor/dist/main.js");
if (!existsSync(CLI)) console.log(`skipping the new-process restore: ${CLI} is not built`);

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

/** The sections two snapshots differ in, each with the first differing bytes as text. */
function differingSections(a: Uint8Array, b: Uint8Array): string[] {
  const sa = decodeSnapshot(a, "riscv64", "a").sections;
  const sb = decodeSnapshot(b, "riscv64", "b").sections;
  const names = new Set([...sa.keys(), ...sb.keys()]);
  const out: string[] = [];
  for (const name of names) {
    const x = sa.get(name) ?? new Uint8Array();
    const y = sb.get(name) ?? new Uint8Array();
    if (Buffer.compare(Buffer.from(x), Buffer.from(y)) === 0) continue;
    let i = 0;
    while (i < x.length && i < y.length && x[i] === y[i]) i++;
    const text = (u: Uint8Array) =>
      Buffer.from(u.subarray(Math.max(0, i - 60), i + 60)).toString("latin1");
    out.push(`${name} at byte ${i}: ${JSON.stringify(text(x))} vs ${JSON.stringify(text(y))}`);
  }
  return out;
}

let open: TestVmm[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of open) await t.close();
  open = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "axvisor-snap-"));
  dirs.push(d);
  return d;
}

/** The demo guest booted to its prompt in a fresh VMM. */
async function bootedDemo(options: { diskFile?: string } = {}): Promise<TestVmm> {
  const t = vmmForTest();
  const config = demo().config;
  if (options.diskFile === undefined) {
    t.vmm.createVm(config, { disk: demoDisk() });
  } else {
    t.vmm.createVm({ ...config, kernel: { ...config.kernel, diskPath: options.diskFile } });
  }
  t.vmm.startVm(1);
  await t.waitFor(1, /DEMO-READY\r?\ndemo> /);
  return t;
}

/** A shell on a test VMM, its answers collected. */
function shellOf(t: TestVmm): { shell: VmmShell; said: string[] } {
  const said: string[] = [];
  return {
    shell: new VmmShell({
      vmm: t.vmm,
      print: (x) => said.push(x),
      onExit: () => {},
      snapshots: { save: saveSnapshotFile, restore: restoreSnapshotFile },
    }),
    said,
  };
}

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
    expect(differingSections(again, snap)).toEqual([]);
    expect(Buffer.compare(Buffer.from(again), Buffer.from(snap))).toBe(0);

    const out = await command(b, 1, "uptime", /up (\d+) ms, (\d+) timer ticks/);
    const [, msAfter, ticksAfter] = /up (\d+) ms, (\d+) timer ticks/.exec(out) ?? [];
    // Guest time continued from the snapshot instead of jumping to the new host clock, and
    // the guest's timer still interrupts it.
    expect(Number(msAfter)).toBeGreaterThanOrEqual(Number(msBefore));
    expect(Number(msAfter) - Number(msBefore)).toBeLessThan(10_000);
    expect(Number(ticksAfter)).toBeGreaterThanOrEqual(Number(ticksBefore));
    // The guest ticks a few times a second: on an idle host the first answer can come before
    // the next tick, so ask again until one arrives (a lost timer never gets there).
    let ticksLater = Number(ticksAfter);
    for (let tries = 0; tries < 100 && ticksLater <= Number(ticksBefore); tries++) {
      await new Promise((r) => setTimeout(r, 100));
      const again = await command(b, 1, "uptime", /up (\d+) ms, (\d+) timer ticks/);
      ticksLater = Number(/up (\d+) ms, (\d+) timer ticks/.exec(again)?.[2]);
    }
    expect(ticksLater).toBeGreaterThan(Number(ticksBefore));
    const blk = await command(b, 1, "blk 0", /0030:[^\n]*\n/);
    expect(blk).toMatch(/sector 0:\r?\n\s+0000: 41 78 56 69/);
    // Both vCPUs came back (the second one was started by the guest through SBI HSM).
    await command(b, 1, "info", /harts: 2 in device tree, 2 online/);
    await command(b, 1, "ipi 1", /IPI delivered to hart 1/);
  }, 60_000);
});

describe("VM snapshot and restore: files, shell, new process", () => {
  it("vm snapshot / vm restore in the shell: the VM comes back in the same process", async () => {
    const t = await bootedDemo();
    const file = join(tempDir(), "demo.snap");
    const { shell, said } = shellOf(t);
    await shell.execute(`vm snapshot 1 ${file}`);
    expect(said.join("")).toMatch(/^VM 1 "demo" saved to .*demo\.snap \(\d+(\.\d)? (KiB|MiB)\)\n$/);
    await shell.execute(`vm restore ${file}`);
    expect(said.at(-1)).toMatch(
      /^error: snapshot .* holds VM 1, and VM 1 "demo" exists \(delete it first\)\n$/,
    );
    await shell.execute("vm delete 1");
    await shell.execute(`vm restore ${file}`);
    expect(said.at(-1)).toBe(`VM 1 "demo" restored from ${file} (Running)\n`);
    await command(t, 1, "echo back", /\r?\nback\r?\n/);
    await command(t, 1, "blk 0", /0030:[^\n]*\n/);
  }, 60_000);

  it("refuses a changed disk file unless forced; a restored VM reads the same disk", async () => {
    const dir = tempDir();
    const disk = join(dir, "disk.img");
    const bytes = new Uint8Array(1 << 20);
    bytes.set(new TextEncoder().encode("FILE-DISK sector zero"), 0);
    writeFileSync(disk, bytes);
    const t = await bootedDemo({ diskFile: disk });
    const file = join(dir, "demo.snap");
    saveSnapshotFile(t.vmm, 1, file);
    t.vmm.deleteVm(1);
    const { shell, said } = shellOf(t);
    bytes[4096] = 1;
    writeFileSync(disk, bytes);
    await shell.execute(`vm restore ${file}`);
    expect(said.at(-1)).toBe(
      `error: snapshot ${file}: disk ${disk} changed since the snapshot (SHA-256 differs); restore with --force-disk to use it anyway\n`,
    );
    expect(t.vmm.hasVm(1)).toBe(false);
    await shell.execute(`vm restore ${file} --force-disk`);
    expect(said.at(-1)).toMatch(/restored/);
    const out = await command(t, 1, "blk 0", /0030:[^\n]*\n/);
    expect(out).toMatch(/0000: 46 49 4c 45 2d 44 49 53 4b/); // "FILE-DISK"
  }, 60_000);

  it("a corrupt snapshot is refused by the shell with one line, and no VM appears", async () => {
    const t = await bootedDemo();
    const file = join(tempDir(), "demo.snap");
    const bytes = snapshotVm(t.vmm, 1);
    t.vmm.deleteVm(1);
    bytes[bytes.length >> 1]! ^= 1;
    writeFileSync(file, bytes);
    const { shell, said } = shellOf(t);
    await shell.execute(`vm restore ${file}`);
    expect(said).toEqual([
      `error: snapshot ${file} is corrupt: its SHA-256 checksum does not match its contents\n`,
    ]);
    expect(t.vmm.vms).toHaveLength(0);
  }, 60_000);

  it("a well-sealed snapshot whose vCPU state does not fit is refused with one line, nothing left behind", async () => {
    const t = await bootedDemo();
    const good = decodeSnapshot(snapshotVm(t.vmm, 1), "riscv64", "x");
    t.vmm.deleteVm(1);
    const vcpus = JSON.parse(new TextDecoder().decode(good.sections.get("vcpus")));
    vcpus[1].pc = "somewhere";
    const bad = encodeSnapshot(
      "riscv64",
      [...good.sections].map(([name, data]) => ({
        name,
        data: name === "vcpus" ? new TextEncoder().encode(JSON.stringify(vcpus)) : data,
        compress: name === "ram" || name === "disk-data",
      })),
    );
    const file = join(tempDir(), "bad.snap");
    writeFileSync(file, bad);
    const { shell, said } = shellOf(t);
    await shell.execute(`vm restore ${file}`);
    expect(said).toEqual([
      `error: snapshot ${file}: vCPU 1: saved state field "pc" is not a 64-bit hex value\n`,
    ]);
    expect(t.vmm.vms).toHaveLength(0);
    const before = t.machine.memory.stats();
    // The host got its memory back: a second attempt fails the same way, not for lack of RAM.
    await shell.execute(`vm restore ${file}`);
    expect(said[1]).toBe(said[0]);
    expect(t.machine.memory.stats()).toEqual(before);
  }, 60_000);

  it.skipIf(!existsSync(CLI))(
    "axvisor run --restore FILE in a new process continues the demo: uptime and blk 0 answer",
    async () => {
      const t = await bootedDemo();
      await command(t, 1, "uptime", /timer ticks/);
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
        "blk 0\\r",
        "--expect",
        "0030:",
        "--timeout",
        "60",
      ]);
      expect(err).toMatch(/axvisor: VM 1 "demo" restored from /);
      expect(code).toBe(ExitStatus.Success);
      expect(out).toMatch(/up \d+ ms, \d+ timer ticks/);
      expect(out).toMatch(/sector 0:\r?\n\s+0000: 41 78 56 69/);
    },
    90_000,
  );

  it.skipIf(!existsSync(CLI))(
    "axvisor run --restore refuses a snapshot of another version with one line",
    async () => {
      const t = await bootedDemo();
      const bytes = snapshotVm(t.vmm, 1);
      new DataView(bytes.buffer).setUint32(8, 99, true);
      const file = join(tempDir(), "v99.snap");
      writeFileSync(file, bytes);
      const { code, err } = await runCliProcess(["run", "--restore", file]);
      expect(code).toBe(ExitStatus.HostError);
      expect(err).toBe(
        `axvisor run: snapshot ${file} has format version 99; this axvisor reads version 1\n`,
      );
    },
    60_000,
  );
});

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
