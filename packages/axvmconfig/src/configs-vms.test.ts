import { existsSync, readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { resolveConfigPath } from "./config-path.js";
import { checkImageFiles } from "./image-check.js";
import { checkAxVMConfig, parseAxVMConfig } from "./parse.js";
import { VmMemMappingType } from "./types.js";

/** The repository's shipped VM configs (configs/vms) and the shared guest images. */
const VMS = fileURLToPath(new URL("../../../configs/vms/", import.meta.url));
const GUESTS = fileURLToPath(new URL("../../../../shared/guests/riscv64/", import.meta.url));
const files = readdirSync(VMS).filter((f) => f.endsWith(".toml"));
const load = (f: string) =>
  parseAxVMConfig(readFileSync(VMS + f, "utf8"), { file: f, source: VMS + f });

describe("configs/vms", () => {
  it("has every AxVisor QEMU shape plus the real-guest configs", () => {
    const expected = ["nimbos", "arceos", "linux"].flatMap((os) =>
      ["riscv64", "aarch64", "x86_64"].map((arch) => `${os}-${arch}-qemu-smp1.toml`),
    );
    expect(files).toEqual(
      expect.arrayContaining([
        ...expected,
        "linux-riscv64-qemu-smp2.toml",
        "uboot-riscv64-qemu-smp1.toml",
      ]),
    );
    // AxVisor's shape (OS-ARCH-qemu-smpN), variants naming what differs before -smpN.
    for (const f of files) {
      expect(f).toMatch(/^[a-z]+-(riscv64|aarch64|x86_64)-[a-z0-9-]*smp\d+\.toml$/);
    }
  });

  for (const f of files) {
    it(`${f} passes check`, () => {
      const r = checkAxVMConfig(readFileSync(VMS + f, "utf8"), { file: f });
      expect(r.ok ? "ok" : r.problems).toBe("ok");
    });
  }

  it("linux-riscv64 smp1/smp2 boot the shared guest: Image at 0x8020_0000 in 256 MiB of RAM", () => {
    for (const [f, cpus] of [
      ["linux-riscv64-qemu-smp1.toml", 1],
      ["linux-riscv64-qemu-smp2.toml", 2],
    ] as const) {
      const c = load(f);
      expect(c.base.cpuNum).toBe(cpus);
      expect(c.kernel.imageLocation).toBe("memory");
      expect(c.kernel.kernelLoadAddr).toBe(0x8020_0000);
      expect(c.kernel.entryPoint).toBe(0x8020_0000);
      expect(c.kernel.cmdline).toBe("console=ttyS0 earlycon=sbi");
      expect(c.kernel.memoryRegions).toEqual([
        {
          gpa: 0x8000_0000,
          size: 256 * 1024 * 1024,
          flags: 0xf,
          mapType: VmMemMappingType.MapAlloc,
        },
      ]);
      expect(resolveConfigPath(c, c.kernel.kernelPath)).toBe(`${GUESTS}linux-Image`);
      expect(resolveConfigPath(c, c.kernel.ramdiskPath ?? "")).toBe(`${GUESTS}initramfs.cpio.gz`);
      // Two PLIC contexts per hart.
      expect(c.devices.emuDevices.find((d) => d.name === "plic")?.cfgList).toEqual([2 * cpus]);
    }
  });

  it("uboot-riscv64 loads u-boot.bin at exactly its TEXT_BASE, 0x8020_0000", () => {
    const c = load("uboot-riscv64-qemu-smp1.toml");
    expect(c.kernel.kernelLoadAddr).toBe(0x8020_0000);
    expect(c.kernel.entryPoint).toBe(0x8020_0000);
    expect(resolveConfigPath(c, c.kernel.kernelPath)).toBe(`${GUESTS}u-boot.bin`);
  });

  const haveGuests = existsSync(`${GUESTS}linux-Image`);
  if (!haveGuests) console.log(`skipping image checks: no shared guests at ${GUESTS}`);
  it.skipIf(!haveGuests)(
    "the real-guest configs' image files exist and fit in guest RAM without overlapping",
    async () => {
      for (const f of files.filter((f) => /^(linux|uboot)-/.test(f))) {
        const text = readFileSync(VMS + f, "utf8");
        const problems = await checkImageFiles(load(f), f, text);
        expect(problems).toEqual([]);
      }
    },
  );
});
