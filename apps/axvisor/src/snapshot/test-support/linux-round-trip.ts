import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadAxVMConfig } from "@axvisor/axvmconfig/node";
import { expect } from "vitest";
import { ExitStatus } from "../../exit-status.js";
import { REPO_ROOT, startTestVmm } from "../../vmm/test-support/harness.js";
import { saveSnapshotFile } from "../snapshot-io.js";

const CLI = resolve(REPO_ROOT, "apps/axvisor/dist/main.js");

/**
 * A real Linux guest snapshotted at its shell in this process and restored by `axvisor run
 * --restore` in a new process, on one host platform: the restored shell answers and the
 * guest's clock goes on from the snapshot. Shared by the per-platform opt-in tests.
 */
export interface LinuxRoundTrip {
  /** How the test names the guest ("aarch64", "x86_64"). */
  readonly label: string;
  readonly platform: string;
  /** The VM config (configs/vms/...), its VM named `vmName`. */
  readonly config: string;
  readonly vmName: string;
  /** The images the config needs (from ../shared/guests). */
  readonly images: readonly string[];
  readonly ramMiB: number;
  /** How long the first boot may take to GUEST-INIT-OK, and the restored run (seconds). */
  readonly bootTimeoutMs: number;
  readonly restoreTimeoutS: number;
}

/**
 * Why the round trip cannot run here (opt-in with AXVISOR_SNAPSHOT_LINUX=1; the images and a
 * built dist must exist), printed; undefined when it can.
 */
export function linuxRoundTripSkip(c: LinuxRoundTrip): string | undefined {
  const missing = [...c.images, CLI].filter((f) => !existsSync(f));
  const skip =
    process.env.AXVISOR_SNAPSHOT_LINUX !== "1"
      ? "set AXVISOR_SNAPSHOT_LINUX=1 to run it (a Linux boot takes over 30 s)"
      : missing.length > 0
        ? `missing ${missing.join(", ")}`
        : undefined;
  if (skip !== undefined)
    console.log(`skipping the ${c.label} Linux snapshot/restore test: ${skip}`);
  return skip;
}

/** Boots, snapshots at the shell, restores in a new process and checks what the user sees. */
export async function linuxRoundTrip(c: LinuxRoundTrip): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `axvisor-${c.label}-linux-snap-`));
  try {
    const config = await loadAxVMConfig(c.config);
    const t = startTestVmm({ platform: c.platform, harts: 1, ramMiB: c.ramMiB, vms: [config] });
    const started = performance.now();
    const file = join(dir, "linux.snap");
    let uptime: number;
    try {
      t.vmm.createVm(config);
      t.vmm.startVm(1);
      await t.waitFor(1, /GUEST-INIT-OK/, c.bootTimeoutMs);
      t.vmm.sendInput(1, "echo READY-$((1+1)); cat /proc/uptime\n");
      const out = await t.waitFor(1, /READY-2\r?\n(\d+\.\d+) [^\n]*\n[^\n]*# /, 60_000);
      uptime = Number(/READY-2\r?\n(\d+\.\d+) /.exec(out)?.[1]);
      const booted = (performance.now() - started) / 1000;
      const t0 = performance.now();
      const bytes = saveSnapshotFile(t.vmm, 1, file);
      console.log(
        `${c.label} Linux at its shell after ${booted.toFixed(1)} s (guest uptime ${uptime} s); snapshot ${(bytes / 2 ** 20).toFixed(1)} MiB in ${((performance.now() - t0) / 1000).toFixed(2)} s`,
      );
    } finally {
      await t.close();
    }
    const t1 = performance.now();
    const run = await restoreInNewProcess(file, c.restoreTimeoutS);
    console.log(
      `restored ${c.label} Linux answered in a new process after ${((performance.now() - t1) / 1000).toFixed(1)} s`,
    );
    expect(run.err).toMatch(new RegExp(`VM 1 "${c.vmName}" restored from`));
    expect(run.code).toBe(ExitStatus.Success);
    expect(run.out).toMatch(/SHELL-42/);
    // The guest's clock continued from the snapshot (a sleep later, not the new host's time).
    const later = Number(/(\d+\.\d+) [\d.]+\s*\r?\n[^\n]*UP-2/.exec(run.out)?.[1]);
    expect(later).toBeGreaterThanOrEqual(uptime + 1);
    expect(later).toBeLessThan(uptime + 60);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function restoreInNewProcess(
  file: string,
  timeoutS: number,
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
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
        String(timeoutS),
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
}
