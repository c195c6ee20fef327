import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DeviceTree, type FdtNode } from "@axvisor/fdt";
import { describe, expect, it } from "vitest";
import { buildArmVirtDeviceTree } from "./device-tree.js";

const GUESTS =
  process.env.AXVISOR_GUESTS ?? new URL("../../../../../shared/guests", import.meta.url).pathname;
const REFERENCE = join(GUESTS, "aarch64/qemu-virt-a57-smp2.dtb");
const hasDtc = spawnSync("dtc", ["--version"]).status === 0;

/** QEMU's tree for -M virt -cpu cortex-a57 -m 512M -smp 2 with the reference run's initrd. */
const smp2 = () =>
  buildArmVirtDeviceTree({
    cpuAffinities: [0, 1],
    ramSize: 512 << 20,
    gicVersion: 2,
    virtualization: false,
    flash: true,
    bootargs: "console=ttyAMA0 earlycon",
    initrd: { start: 0x4800_0000, end: 0x480f_1494 },
  });

function* walk(n: FdtNode): Generator<FdtNode> {
  yield n;
  for (const c of n.children) yield* walk(c);
}

describe("buildArmVirtDeviceTree", () => {
  it.skipIf(!existsSync(REFERENCE))(
    "matches QEMU's own tree node for node and property for property",
    () => {
      const ref = DeviceTree.parse(readFileSync(REFERENCE));
      const ours = smp2();
      let compared = 0;
      for (const node of walk(ours.root)) {
        const other = ref.getNode(node.path || "/");
        expect(other, node.path).toBeDefined();
        for (const p of node.properties) {
          const q = other!.property(p.name);
          expect(q, `${node.path}:${p.name}`).toBeDefined();
          expect([...p.value], `${node.path}:${p.name}`).toEqual([...q!.value]);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(150);
    },
  );

  it.skipIf(!hasDtc)("is dtc-clean in every configuration", () => {
    const dir = mkdtempSync(join(tmpdir(), "arm-virt-dt-"));
    for (const gicVersion of [2, 3] as const) {
      for (const virtualization of [false, true]) {
        const blob = buildArmVirtDeviceTree({
          cpuAffinities: [0, 1, 2, 3],
          ramSize: 256 << 20,
          gicVersion,
          virtualization,
          flash: true,
          bootargs: "console=ttyAMA0",
          rngSeed: new Uint8Array(32),
          kaslrSeed: new Uint8Array(8),
        }).toBlob();
        const file = join(dir, `v${gicVersion}-${virtualization}.dtb`);
        writeFileSync(file, blob);
        const r = spawnSync("dtc", ["-I", "dtb", "-O", "dts", "-o", "/dev/null", file], {
          encoding: "utf8",
        });
        expect(r.status).toBe(0);
        expect(r.stderr, `GICv${gicVersion} virt=${virtualization}`).toBe("");
      }
    }
  });

  it("describes GICv3 with its redistributors, the maintenance interrupt and PSCI over SMC with virtualization", () => {
    const dt = buildArmVirtDeviceTree({
      cpuAffinities: [0, 1],
      ramSize: 128 << 20,
      gicVersion: 3,
      virtualization: true,
    });
    const gic = dt.requireNode("/intc@8000000");
    expect(gic.property("compatible")!.string()).toBe("arm,gic-v3");
    expect(gic.reg()).toEqual([
      { address: 0x0800_0000, size: 0x1_0000 },
      { address: 0x080a_0000, size: 0xf6_0000 },
    ]);
    expect(gic.property("interrupts")!.u32s()).toEqual([1, 9, 4]);
    expect(dt.requireNode("/psci").property("method")!.string()).toBe("smc");
    // GICv3 PPI specifiers carry no CPU mask.
    expect(dt.requireNode("/timer").property("interrupts")!.u32s()).toEqual([
      1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4,
    ]);
    expect(dt.requireNode("/cpus/cpu@1").property("enable-method")!.string()).toBe("psci");
    expect(dt.getNode("/flash@0")).toBeUndefined();
  });

  it("gives GICv2 with virtualization its GICH and GICV frames", () => {
    const dt = buildArmVirtDeviceTree({
      cpuAffinities: [0],
      ramSize: 128 << 20,
      gicVersion: 2,
      virtualization: true,
    });
    const gic = dt.requireNode("/intc@8000000");
    expect(gic.reg().map((r) => r.address)).toEqual([
      0x0800_0000, 0x0801_0000, 0x0803_0000, 0x0804_0000,
    ]);
    expect(gic.property("interrupts")!.u32s()).toEqual([1, 9, 0x104]);
  });
});
