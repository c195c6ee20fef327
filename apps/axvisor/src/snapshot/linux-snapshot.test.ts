/**
 * Debian-built riscv64 Linux (shared/guests) snapshotted at its shell in this process and
 * restored by `axvisor run --restore` in a new process: the shell answers and the virtio-blk
 * disk still reads. Booting Linux takes longer than CI's per-test budget, so this runs only
 * with AXVISOR_SNAPSHOT_LINUX=1 (and the images of ../shared/guests and a built dist).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadAxVMConfig } from "@axvisor/axvmconfig/node";
import { describe, expect, it } from "vitest";
import { ExitStatus } from "../exit-status.js";
import { REPO_ROOT, SHARED_GUESTS, startTestVmm } from "../vmm/test-support/harness.js";
import { saveSnapshotFile } from "./snapshot-io.js";

const CLI = resolve(REPO_ROOT, "apps/axvisor/dist/main.js");
const CONFIG = resolve(REPO_ROOT, "configs/vms/linux-riscv64-qemu-smp1.toml");
const need = [
  join(SHARED_GUESTS, "riscv64/linux-Image"),
  join(SHARED_GUESTS, "riscv64/initramfs.cpio.gz"),
  join(SHARED_GUESTS, "disk-riscv64.img"),
  CLI,
];
const missing = need.filter((f) => !existsSync(f));
const enabled = process.env.AXVISOR_SNAPSHOT_LINUX === "1";
const skip = !enabled
  ? "set AXVISOR_SNAPSHOT_LINUX=1 to run it (a Linux boot takes over 30 s)"
  : missing.length > 0
    ? `missing ${missing.join(", ")}`
    : undefined;
if (skip !== undefined) console.log(`skipping the Linux snapshot/restore test: ${skip}`);

describe.skipIf(skip !== undefined)("Linux snapshot and restore in a new process", () => {
  it("restored at its shell, Linux answers SHELL-42 and reads its virtio-blk disk", async () => {
    const dir = mkdtempSync(join(tmpdir(), "axvisor-linux-snap-"));
    try {
      const t = startTestVmm({ harts: 1, ramMiB: 320 });
      const started = performance.now();
      let file: string;
      try {
        t.vmm.createVm(await loadAxVMConfig(CONFIG));
        t.vmm.startVm(1);
        await t.waitFor(1, /GUEST-INIT-OK/, 240_000);
        t.vmm.sendInput(1, "echo READY-$((1+1))\n");
        await t.waitFor(1, /READY-2\r?\n[^\n]*# /, 60_000);
        const booted = (performance.now() - started) / 1000;
        file = join(dir, "linux.snap");
        const t0 = performance.now();
        const bytes = saveSnapshotFile(t.vmm, 1, file);
        console.log(
          `Linux at its shell after ${booted.toFixed(1)} s; snapshot ${(bytes / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
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
            "dd if=/dev/vda bs=1 skip=510 count=2 2>/dev/null | od -An -tx1; echo BLK-$((1+1))\\n",
            "--expect",
            "BLK-2",
            "--timeout",
            "120",
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
        `restored Linux answered in a new process after ${((performance.now() - t1) / 1000).toFixed(1)} s`,
      );
      expect(run.err).toMatch(/VM 1 "linux-riscv64" restored from/);
      expect(run.code).toBe(ExitStatus.Success);
      expect(run.out).toMatch(/SHELL-42/);
      expect(run.out).toMatch(/55 aa\s*\r?\n[\s\S]*BLK-2/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 420_000);
});
