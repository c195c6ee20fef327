/**
 * Debian's arm64 Linux under the hypervisor on the aarch64 host platform: arm-vcpu at the
 * emulated CPU's EL2, a vGICv3, the PL011 console, PSCI over HVC, booted by `axvisor run` from
 * configs/vms/linux-aarch64-qemu-smp1.toml. Skipped, with the reason printed, without the
 * images of ../shared/guests (AXVISOR_GUESTS names another folder holding them, e.g.
 * from a git worktree). With the JIT the smp1 boot (vGICv3) takes 10-30 s and always runs;
 * the others, and every boot with the JIT off (40-70 s each), are opt-in: AXVISOR_ARM_LINUX=1
 * runs them all (CI also runs the aarch64 demo guest, demo-guest.test.ts). The
 * vGICv2 boots use configs/vms/linux-aarch64-qemu-vgicv2-smp1/2.toml, the passthrough one
 * linux-aarch64-qemu-uart-passthrough-smp1.toml.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli.js";
import { captureIo } from "../../test-support/capture-io.js";
import { REPO_ROOT, SHARED_GUESTS } from "../../vmm/test-support/harness.js";

const SHARED = process.env.AXVISOR_GUESTS ?? SHARED_GUESTS;
const need = ["aarch64/linux-Image", "aarch64/initramfs.cpio.gz"].map((f) => join(SHARED, f));
const missing = need.filter((f) => !existsSync(f));
const requested = process.env.AXVISOR_ARM_LINUX === "1";
const smoke = requested || process.env.AXVISOR_JIT !== "0";
/** The boots beyond the smp1 smoke test. */
const itAll = requested ? it : it.skip;
if (!smoke) {
  console.log("skipping Linux under the aarch64 hypervisor: set AXVISOR_ARM_LINUX=1 to run it");
} else if (!requested) {
  console.log(
    "running only the smp1 boot of Linux under the aarch64 hypervisor: AXVISOR_ARM_LINUX=1 runs the smp2, vGICv2 and passthrough boots too",
  );
}
if (smoke && missing.length > 0) {
  console.log(`skipping Linux under the aarch64 hypervisor: missing ${missing.join(", ")}`);
}

/** The config as committed, its guest paths pointed at `SHARED`. */
function configFile(dir: string, name = "linux-aarch64-qemu-smp1.toml"): string {
  const text = readFileSync(resolve(REPO_ROOT, "configs/vms", name), "utf8");
  const file = join(dir, name);
  writeFileSync(file, text.replaceAll("../../../shared/guests", SHARED));
  return file;
}

/** Boots a config to SHELL-42 and returns its console output. */
async function bootToShell(config: string): Promise<string> {
  const c = captureIo();
  const status = await runCli(
    [
      "run",
      config,
      "--send-after",
      "Starting shell",
      "echo SHELL-$((6*7))\\n",
      "--expect",
      "SHELL-42",
      "--timeout",
      "280",
    ],
    c.io,
  );
  expect(c.err()).not.toMatch(/axvisor run:/);
  expect(status).toBe(0);
  return c.out();
}

describe.skipIf(!smoke || missing.length > 0)("aarch64 guests under the VMM", () => {
  it("Linux smp1 reaches GUEST-INIT-OK and its shell computes SHELL-42", async () => {
    const dir = mkdtempSync(join(tmpdir(), "axvisor-arm-"));
    try {
      const c = captureIo();
      const start = performance.now();
      const status = await runCli(
        [
          "run",
          configFile(dir),
          "--send-after",
          "Starting shell",
          "echo SHELL-$((6*7))\\n",
          "--expect",
          "SHELL-42",
          "--timeout",
          "280",
        ],
        c.io,
      );
      expect(c.err()).not.toMatch(/axvisor run:/);
      expect(status).toBe(0);
      const out = c.out();
      expect(out).toMatch(/psci: PSCIv1\.1 detected in firmware/);
      expect(out).toMatch(/GIC system register CPU interface/);
      expect(out).toMatch(/GUEST-INIT-OK arch=aarch64 kernel=6\.1\.0-\d+-arm64 cpus=1/);
      expect(out).toMatch(/SHELL-42/);
      console.log(
        `Linux aarch64 smp1 under the VMM: shell after ${((performance.now() - start) / 1000).toFixed(1)} s`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  itAll(
    "Linux smp2 brings up its second CPU with PSCI CPU_ON, takes IPIs, and reaches SHELL-42",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "axvisor-arm-"));
      try {
        const c = captureIo();
        const status = await runCli(
          [
            "run",
            configFile(dir, "linux-aarch64-qemu-smp2.toml"),
            "--send-after",
            "Starting shell",
            "echo SHELL-$((6*7))\\n",
            "--expect",
            "SHELL-42",
            "--timeout",
            "280",
          ],
          c.io,
        );
        expect(c.err()).not.toMatch(/axvisor run:/);
        expect(status).toBe(0);
        const out = c.out();
        expect(out).toMatch(/CPU1: Booted secondary processor 0x0000000001/);
        expect(out).toMatch(/smp: Brought up 1 node, 2 CPUs/);
        expect(out).toMatch(/GUEST-INIT-OK arch=aarch64 kernel=6\.1\.0-\d+-arm64 cpus=2/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    300_000,
  );

  for (const smp of [1, 2]) {
    itAll(
      `Linux smp${smp} with a vGICv2 (GICV mapped at the guest's GICC) reaches SHELL-42`,
      async () => {
        const dir = mkdtempSync(join(tmpdir(), "axvisor-arm-"));
        try {
          const out = await bootToShell(
            configFile(dir, `linux-aarch64-qemu-vgicv2-smp${smp}.toml`),
          );
          expect(out).not.toMatch(/GIC system register CPU interface/);
          expect(out).toMatch(
            new RegExp(`GUEST-INIT-OK arch=aarch64 kernel=6\\.1\\.0-\\d+-arm64 cpus=${smp}`),
          );
          if (smp === 2) expect(out).toMatch(/smp: Brought up 1 node, 2 CPUs/);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      300_000,
    );
  }

  itAll(
    "Linux with the board's PL011 passed through (AxVisor's tested scenario) reaches SHELL-42",
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "axvisor-arm-"));
      try {
        const out = await bootToShell(
          configFile(dir, "linux-aarch64-qemu-uart-passthrough-smp1.toml"),
        );
        expect(out).toMatch(
          /9000000\.pl011: ttyAMA0 at MMIO 0x9000000 \(irq = \d+, base_baud = 0\) is a PL011/,
        );
        expect(out).toMatch(/GUEST-INIT-OK arch=aarch64 kernel=6\.1\.0-\d+-arm64 cpus=1/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
