/**
 * Snapshot and restore on the x86_64 host platform: NimbOS-x86 with both vCPUs online (the
 * second started by INIT-SIPI-SIPI) saved while its tasks run and brought back in a fresh
 * VMM and in a new `axvisor run --restore` process: guest time continues, the LAPIC timer
 * ticks, an IPI reaches CPU 1 and the shell answers; a restored VM saved again gives the
 * same bytes; other-architecture and corrupt files are refused with one line.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { VMStatus } from "@axvisor/axvm";
import { parseAxVMConfig } from "@axvisor/axvmconfig";
import { afterEach, describe, expect, it } from "vitest";
import { ExitStatus } from "../../exit-status.js";
import { decodeSnapshot, encodeSnapshot } from "../../snapshot/snapshot-file.js";
import { saveSnapshotFile } from "../../snapshot/snapshot-io.js";
import { openSnapshot, restoreVm, snapshotVm } from "../../snapshot/vm-snapshot.js";
import { REPO_ROOT, startTestVmm, type TestVmm } from "../../vmm/test-support/harness.js";

const CLI = resolve(REPO_ROOT, "apps/axvisor/dist/main.js");
if (!existsSync(CLI)) console.log(`skipping the new-process restore: ${CLI} is not built`);

const UPTIME = /up \d+\.\d+ s \((\d+) ticks at 100 Hz\)/;

/** The smp2 config without its HPET passthrough row (host hardware has no state to save). */
function nimbosConfig() {
  const path = resolve(REPO_ROOT, "configs/vms/nimbos-x86_64-qemu-smp2.toml");
  const text = readFileSync(path, "utf8").replace(/\["HPET", [^\]]*\],/, "");
  return parseAxVMConfig(text, { file: path, source: path });
}

let open: TestVmm[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of open) await t.close();
  open = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function vmm(): TestVmm {
  const t = startTestVmm({ platform: "x86_64-qemu-q35", harts: 2, ramMiB: 128 });
  open.push(t);
  return t;
}

/** Sends a shell line and waits for what it prints after it. */
async function command(t: TestVmm, id: number, line: string, answer: RegExp): Promise<string> {
  const before = (t.output.get(id) ?? "").length;
  t.vmm.sendInput(id, `${line}\r`);
  await t.waitFor(id, new RegExp(`[\\s\\S]{${before}}[\\s\\S]*${answer.source}`));
  return (t.output.get(id) ?? "").slice(before);
}

async function ticks(t: TestVmm, id: number): Promise<number> {
  return Number(UPTIME.exec(await command(t, id, "uptime", UPTIME))?.[1]);
}

/** NimbOS booted to its prompt with both CPUs online. */
async function bootedSmp(): Promise<TestVmm> {
  const t = vmm();
  const vm = t.vmm.createVm(nimbosConfig());
  t.vmm.startVm(vm.id);
  await t.waitFor(vm.id, /nimbos> /);
  await command(t, vm.id, "smp", /smp: 2 CPUs online/);
  return t;
}

describe("x86_64 VM snapshot and restore (NimbOS-x86, 2 vCPUs)", () => {
  it("restored in a fresh VMM it continues: uptime, timer ticks, IPI to CPU 1, shell; saving it again gives the same bytes", async () => {
    const a = await bootedSmp();
    const id = a.vmm.vms[0]!.id;
    const before = await ticks(a, id);
    const snap = snapshotVm(a.vmm, id);
    await command(a, id, "ipi 1", /ipi: CPU 1 answered/);
    await a.close();
    open = open.filter((t) => t !== a);

    const b = vmm();
    const vm = restoreVm(b.vmm, openSnapshot(snap, "x86_64", "nimbos.snap"), {
      file: "nimbos.snap",
    });
    expect(vm.status).toBe(VMStatus.Running);
    const again = snapshotVm(b.vmm, id);
    expect(Buffer.compare(Buffer.from(again), Buffer.from(snap))).toBe(0);

    // Guest time went on from the snapshot (not from the new host clock's zero, nor lost).
    const after = await ticks(b, id);
    expect(after).toBeGreaterThanOrEqual(before);
    expect(after - before).toBeLessThan(1000);
    let later = after;
    for (let i = 0; i < 50 && later <= after; i++) {
      await new Promise((r) => setTimeout(r, 100));
      later = await ticks(b, id);
    }
    expect(later).toBeGreaterThan(after);
    await command(b, id, "ipi 1", /ipi: CPU 1 answered/);
    const tasks = await command(b, id, "tasks", /nimbos> /);
    expect(tasks).toMatch(/heartbeat/);
    b.vmm.sendInput(id, "poweroff\r");
    expect(await b.waitEnd(id)).toEqual({ kind: "poweroff", reason: 0 });
  }, 90_000);

  it("refuses an x86_64 snapshot on riscv64, a riscv64 one on x86_64, and a corrupt one, each in one line", async () => {
    const a = await bootedSmp();
    const id = a.vmm.vms[0]!.id;
    const snap = snapshotVm(a.vmm, id);
    expect(() => openSnapshot(snap, "riscv64", "n.snap")).toThrow(
      /^snapshot n\.snap holds a x86_64 VM; this host is riscv64 and restores only riscv64 VMs$/,
    );
    const rv = encodeSnapshot("riscv64", [{ name: "meta", data: new Uint8Array(2) }]);
    expect(() => openSnapshot(rv, "x86_64", "rv.snap")).toThrow(
      /^snapshot rv\.snap holds a riscv64 VM; this host is x86_64 and restores only x86_64 VMs$/,
    );
    const bad = snap.slice();
    bad[bad.length >> 1]! ^= 1;
    expect(() => openSnapshot(bad, "x86_64", "bad.snap")).toThrow(
      /^snapshot bad\.snap is corrupt: its SHA-256 checksum does not match its contents$/,
    );
    // A sealed file whose vCPU state does not fit: refused naming the field, no VM left.
    const good = decodeSnapshot(snap, "x86_64", "x");
    const vcpus = JSON.parse(new TextDecoder().decode(good.sections.get("vcpus")));
    vcpus[1].fields.rip = "somewhere";
    const unfit = encodeSnapshot(
      "x86_64",
      [...good.sections].map(([name, data]) => ({
        name,
        data: name === "vcpus" ? new TextEncoder().encode(JSON.stringify(vcpus)) : data,
      })),
    );
    const b = vmm();
    expect(() =>
      restoreVm(b.vmm, openSnapshot(unfit, "x86_64", "unfit.snap"), { file: "unfit.snap" }),
    ).toThrow(
      /^snapshot unfit\.snap: vCPU 1 VMCS: saved state field "rip" is not a 64-bit hex value$/,
    );
    expect(b.vmm.vms).toHaveLength(0);
    // The snapshotted VM is unaffected.
    await command(a, id, "uptime", UPTIME);
  }, 60_000);

  it.skipIf(!existsSync(CLI))(
    "axvisor run --restore FILE in a new process continues NimbOS: uptime, IPI to CPU 1",
    async () => {
      const t = await bootedSmp();
      const id = t.vmm.vms[0]!.id;
      await ticks(t, id);
      const dir = mkdtempSync(join(tmpdir(), "axvisor-snap-x86-"));
      dirs.push(dir);
      const file = join(dir, "nimbos.snap");
      saveSnapshotFile(t.vmm, id, file);
      const { code, out, err } = await runCliProcess([
        "run",
        "--restore",
        file,
        "--send-after",
        "",
        "uptime\\r",
        "--send-after",
        "ticks at 100 Hz",
        "ipi 1\\r",
        "--expect",
        "CPU 1 answered",
        "--timeout",
        "60",
      ]);
      expect(err).toMatch(/restored from /);
      expect(code).toBe(ExitStatus.Success);
      expect(out).toMatch(UPTIME);
    },
    90_000,
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
