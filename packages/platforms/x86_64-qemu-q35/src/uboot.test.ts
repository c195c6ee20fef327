/**
 * U-Boot's qemu-x86_64 ROM (../shared/guests/x86_64/u-boot.rom, or AXVISOR_GUESTS) booted as
 * firmware from the reset vector: SPL, 64-bit U-Boot, its prompt and the `version` command.
 * Skipped with a printed reason when the image is absent.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PcMachine } from "./machine.js";

const GUESTS =
  process.env.AXVISOR_GUESTS ??
  resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../shared/guests");
const ROM = `${GUESTS}/x86_64/u-boot.rom`;
const present = existsSync(ROM);
if (!present) console.log(`x86_64 U-Boot test skipped: no ${ROM}`);

describe.skipIf(!present)("U-Boot as PcMachine firmware", () => {
  it("reaches the prompt and runs version", { timeout: 300_000 }, async () => {
    let log = "";
    let stage = 0;
    const m = new PcMachine({
      cpus: 1,
      ramSize: 512 << 20,
      images: { firmware: { name: "u-boot.rom", data: new Uint8Array(readFileSync(ROM)) } },
      console: (b) => {
        log += new TextDecoder().decode(b);
        if (stage === 0 && log.includes("Hit any key to stop autoboot")) {
          stage = 1;
          m.sendInput(" ");
        }
        if (stage === 1 && /=> $/.test(log)) {
          stage = 2;
          m.sendInput("version\r");
        }
        if (stage === 2 && /GNU ld[^\n]*\n[\s\S]*=> $/.test(log)) m.stop("version printed");
      },
    });
    const timer = setTimeout(() => m.stop("time limit"), 280_000);
    const exit = await m.run();
    clearTimeout(timer);
    const where = `\n--- ${JSON.stringify(exit)} after ${m.instructions} instructions\n${log.slice(-2000)}`;
    expect(log, where).toContain("U-Boot SPL 2023.01");
    expect(log, where).toContain("Jumping to 64-bit U-Boot");
    // It found the ACPI tables' linker/loader script in fw_cfg and installed them.
    expect(log, where).not.toMatch(/table-loader|ACPI.*(error|fail)/i);
    expect(log, where).toMatch(/=> version\r?\nU-Boot 2023\.01/);
    expect(log, where).toContain("GNU ld (GNU Binutils for Debian) 2.40");
    expect(exit).toEqual({ kind: "stopped", reason: "version printed" });
  });
});
