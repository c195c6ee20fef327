/**
 * U-Boot for QEMU's arm64 virt board (shared/guests/aarch64/u-boot.bin) under the hypervisor,
 * from configs/vms/uboot-aarch64-qemu-smp1.toml: it finds the passed-through flash, stops
 * its autoboot on a key and answers at its prompt. Skipped, with the reason printed, without
 * ../shared/guests (AXVISOR_GUESTS names another folder holding them).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli.js";
import { captureIo } from "../../test-support/capture-io.js";
import { REPO_ROOT, SHARED_GUESTS } from "../../vmm/test-support/harness.js";

const SHARED = process.env.AXVISOR_GUESTS ?? SHARED_GUESTS;
const UBOOT = join(SHARED, "aarch64/u-boot.bin");
const missing = !existsSync(UBOOT);
if (missing) console.log(`skipping U-Boot under the aarch64 hypervisor: missing ${UBOOT}`);

describe.skipIf(missing)("U-Boot under the aarch64 VMM", () => {
  it("reaches its prompt with the flash passed through and runs a command", async () => {
    const dir = mkdtempSync(join(tmpdir(), "axvisor-arm-uboot-"));
    try {
      const name = "uboot-aarch64-qemu-smp1.toml";
      const text = readFileSync(resolve(REPO_ROOT, "configs/vms", name), "utf8");
      const file = join(dir, name);
      writeFileSync(file, text.replaceAll("../../../shared/guests", SHARED));
      const c = captureIo();
      const status = await runCli(
        [
          "run",
          "--platform",
          "aarch64-qemu-virt",
          file,
          "--send-after",
          "Hit any key to stop autoboot",
          " ",
          "--send-after",
          "=> ",
          "version\\r",
          "--expect",
          "aarch64-linux-gnu-gcc",
          "--timeout",
          "120",
        ],
        c.io,
      );
      expect(c.err()).not.toMatch(/axvisor run:/);
      expect(status).toBe(0);
      const out = c.out();
      expect(out).toMatch(/U-Boot 2023\.01/);
      expect(out).toMatch(/DRAM:\s+512 MiB/);
      expect(out).toMatch(/Flash: 64 MiB/);
      expect(out).toMatch(/In:\s+pl011@9000000/);
      expect(out).toMatch(/=> version/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
