/**
 * Debian's amd64 Linux (shared/guests/x86_64, configs/vms/linux-x86_64-qemu-smp1.toml) under
 * the x86_64 hypervisor, snapshotted at its shell in this process and restored by `axvisor
 * run --restore` in a new process: the shell answers and the guest's clock goes on. Booting
 * Linux takes longer than CI's per-test budget, so this runs only with
 * AXVISOR_SNAPSHOT_LINUX=1 (and the images of ../shared/guests and a built dist). No disk:
 * Debian's amd64 kernel has virtio_mmio and virtio_blk as modules (CONFIG_VIRTIO_BLK=m in
 * linux-config-6.1.0-56-amd64) that the busybox initramfs does not carry, so this guest cannot
 * see one (the demo guests' snapshot tests cover virtio-blk).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadAxVMConfig } from "@axvisor/axvmconfig/node";
import { describe, expect, it } from "vitest";
import { ExitStatus } from "../../exit-status.js";
import { saveSnapshotFile } from "../../snapshot/snapshot-io.js";
import { REPO_ROOT, SHARED_GUESTS, startTestVmm } from "../../vmm/test-support/harness.js";

const CLI = resolve(REPO_ROOT, "apps/axvisor/dist/main.js");
const CONFIG = resolve(REPO_ROOT, "configs/vms/linux-x86_64-qemu-smp1.toml");
const need = [
  join(SHARED_GUESTS, "x86_64/linux-bzImage"),
  join(SHARED_GUESTS, "x86_64/initramfs.cpio.gz"),
  CLI,
];
const missing = need.filter((f) => !existsSync(f));
const enabled = process.env.AXVISOR_SNAPSHOT_LINUX === "1";
const skip = !enabled
  ? "set AXVISOR_SNAPSHOT_LINUX=1 to run it (a Linux boot takes over 30 s)"
  : missing.length > 0
    ? `missing ${missing.join(", ")}`
    : undefined;
if (skip !== undefined) console.log(`skipping the x86_64 Linux snapshot/restore test: ${skip}`);

describe.skipIf(skip !== undefined)("x86_64 Linux snapshot and restore in a new process", () => {
  it("restored at its shell, Linux answers SHELL-42 and its uptime goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "axvisor-x86-linux-snap-"));
    try {
      const config = await loadAxVMConfig(CONFIG);
      const t = startTestVmm({
        platform: "x86_64-qemu-q35",
        harts: 1,
        ramMiB: 640,
        vms: [config],
      });
      const started = performance.now();
      let file: string;
      let uptime: number;
      try {
        t.vmm.createVm(config);
        t.vmm.startVm(1);
        await t.waitFor(1, /GUEST-INIT-OK/, 900_000);
        t.vmm.sendInput(1, "echo READY-$((1+1)); cat /proc/uptime\n");
        const out = await t.waitFor(1, /READY-2\r?\n(\d+\.\d+) [^\n]*\n[^\n]*# /, 60_000);
        uptime = Number(/READY-2\r?\n(\d+\.\d+) /.exec(out)?.[1]);
        const booted = (performance.now() - started) / 1000;
        file = join(dir, "linux.snap");
        const t0 = performance.now();
        const bytes = saveSnapshotFile(t.vmm, 1, file);
        console.log(
          `x86_64 Linux at its shell after ${booted.toFixed(1)} s (guest uptime ${uptime} s); snapshot ${(bytes / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
        );
      } finally {
        await t.close();
      }
      const t1 = performance.now();
      const run = await new Promise<{ code: number | null; out: string; err: string }>((done) => {
        const child = spawn(
          process.execPath,
          [
            CLI,
            "run",
            "--restore",
            file,
            "--send-after",
            "",
            "echo SHELL-$((6*7))\\n",
            "--send-after",
            "SHELL-42",
            "sleep 1; cat /proc/uptime; echo UP-$((1+1))\\n",
            "--expect",
            "UP-2",
            "--timeout",
            "300",
          ],
          { stdio: ["ignore", "pipe", "pipe"] },
        );
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
        });
        child.stderr.on("data", (d: Buffer) => {
          err += d.toString();
        });
        child.on("exit", (code) => done({ code, out, err }));
      });
      console.log(
        `restored x86_64 Linux answered in a new process after ${((performance.now() - t1) / 1000).toFixed(1)} s`,
      );
      expect(run.err).toMatch(/VM 1 "linux-x86_64" restored from/);
      expect(run.code).toBe(ExitStatus.Success);
      expect(run.out).toMatch(/SHELL-42/);
      // The guest's clock continued from the snapshot (a sleep later, not the new host's time).
      const later = Number(/(\d+\.\d+) [\d.]+\s*\r?\n[^\n]*UP-2/.exec(run.out)?.[1]);
      expect(later).toBeGreaterThanOrEqual(uptime + 1);
      expect(later).toBeLessThan(uptime + 60);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 1_200_000);
});
