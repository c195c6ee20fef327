import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DeviceTree, type FdtNode } from "@axvisor/fdt";
import { describe, expect, it } from "vitest";
import { buildVirtDeviceTree } from "./device-tree.js";
import { virtIsaString } from "./isa.js";

const GUESTS = `${process.env.AXVISOR_GUESTS ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../../../../shared/guests")}/riscv64`;
const haveQemu = existsSync(join(GUESTS, "qemu-virt-smp2.dtb"));
if (!haveQemu) console.log(`skipping QEMU DT comparison: ${GUESTS}/qemu-virt-smp2.dtb not found`);
const haveDtc = spawnSync("dtc", ["--version"]).status === 0;
if (!haveDtc)
  console.log("skipping dtc check: dtc not installed (apt-get install device-tree-compiler)");

const ours = (harts: number) =>
  buildVirtDeviceTree({
    harts,
    ramSize: 256 << 20,
    isa: virtIsaString(),
    mmuType: "riscv,sv48",
    bootargs: "console=ttyS0 earlycon=sbi",
    initrd: { start: 0x8820_0000, end: 0x882e_8e69 },
    rngSeed: new Uint8Array(32).fill(7),
  });

/** QEMU nodes this board does not have (no PCIe, fw-cfg, flash, platform bus, PMU). */
const ABSENT = /^\/(pmu|fw-cfg@|flash@|platform-bus@|soc\/pci@)/;

/** Property values compared after resolving phandles to node paths. */
function resolved(dt: DeviceTree, node: FdtNode, prop: string): unknown {
  const p = node.require(prop);
  const path = (ph: number) => dt.nodeByPhandle(ph)?.path;
  const cells = () => p.u32s();
  switch (prop) {
    case "interrupt-parent":
    case "regmap":
    case "cpu":
      return path(cells()[0]!);
    case "interrupts-extended": {
      const c = cells();
      const out = [];
      for (let k = 0; k < c.length; k += 2) out.push([path(c[k]!), c[k + 1]]);
      return out;
    }
    default:
      return [...p.value];
  }
}

describe.skipIf(!haveQemu)("generated tree vs QEMU 7.2's virt tree", () => {
  it.each([1, 2])("smp%i: same nodes and the same property values", (n) => {
    const qemu = DeviceTree.parse(readFileSync(join(GUESTS, `qemu-virt-smp${n}.dtb`)));
    const mine = ours(n);
    const qemuPaths = [...qemu.root.walk()].map((x) => x.path).filter((p) => !ABSENT.test(p));
    const minePaths = [...mine.root.walk()].map((x) => x.path);
    expect(new Set(minePaths)).toEqual(new Set(qemuPaths));
    for (const path of qemuPaths) {
      const q = qemu.requireNode(path);
      const m = mine.requireNode(path);
      for (const prop of q.properties) {
        // Phandle numbers differ (resolved below), the ISA lacks bit-manipulation
        // extensions, and the RNG seed is random.
        if (["phandle", "rng-seed", "riscv,isa"].includes(prop.name)) continue;
        expect(m.has(prop.name), `${path} ${prop.name}`).toBe(true);
        expect(resolved(mine, m, prop.name), `${path} ${prop.name}`).toEqual(
          resolved(qemu, q, prop.name),
        );
      }
    }
  });
});

describe("generated tree content", () => {
  it("describes harts, memory, interrupt routing and the boot arguments", () => {
    const dt = ours(2);
    expect(dt.requireNode("/cpus").property("timebase-frequency")?.u32()).toBe(10_000_000);
    const cpu1 = dt.requireNode("/cpus/cpu@1");
    expect(cpu1.property("riscv,isa")?.string()).toBe(
      "rv64imafdch_zicsr_zifencei_zihintpause_sstc",
    );
    expect(cpu1.property("mmu-type")?.string()).toBe("riscv,sv48");
    expect(dt.requireNode("/memory@80000000").reg()).toEqual([
      { address: 0x8000_0000, size: 0x1000_0000 },
    ]);
    const intc1 = dt.phandleOf(dt.requireNode("/cpus/cpu@1/interrupt-controller"));
    const plic = dt.requireNode("/soc/plic@c000000");
    // context 2h -> MEIP (11), 2h+1 -> SEIP (9)
    expect(plic.require("interrupts-extended").u32s().slice(4)).toEqual([intc1, 11, intc1, 9]);
    const clint = dt.requireNode("/soc/clint@2000000");
    expect(clint.require("interrupts-extended").u32s().slice(4)).toEqual([intc1, 3, intc1, 7]);
    expect(dt.requireNode("/soc/serial@10000000").property("interrupts")?.u32()).toBe(10);
    expect(dt.requireNode("/soc/rtc@101000").property("interrupts")?.u32()).toBe(11);
    expect(dt.requireNode("/soc/virtio_mmio@10008000").property("interrupts")?.u32()).toBe(8);
    const chosen = dt.requireNode("/chosen");
    expect(chosen.property("bootargs")?.string()).toBe("console=ttyS0 earlycon=sbi");
    expect(chosen.property("stdout-path")?.string()).toBe("/soc/serial@10000000");
    expect(chosen.property("linux,initrd-start")?.u64()).toBe(0x8820_0000);
    expect(chosen.property("linux,initrd-end")?.u64()).toBe(0x882e_8e69);
    expect(dt.requireNode("/poweroff").property("value")?.u32()).toBe(0x5555);
    expect(dt.requireNode("/reboot").property("value")?.u32()).toBe(0x7777);
  });

  it("leaves out initrd and bootargs when there are none, and drops Sstc/H when disabled", () => {
    const dt = buildVirtDeviceTree({
      harts: 1,
      ramSize: 128 << 20,
      isa: virtIsaString({ h: false, sstc: false }),
      mmuType: "riscv,sv48",
    });
    const chosen = dt.requireNode("/chosen");
    expect(chosen.has("linux,initrd-start")).toBe(false);
    expect(chosen.has("bootargs")).toBe(false);
    expect(dt.requireNode("/cpus/cpu@0").property("riscv,isa")?.string()).toBe(
      "rv64imafdc_zicsr_zifencei_zihintpause",
    );
  });
});

describe.skipIf(!haveDtc)("dtc", () => {
  it.each([1, 2, 8])("decompiles the %i-hart tree without warnings", (n) => {
    const dir = mkdtempSync(join(tmpdir(), "virt-dt-"));
    try {
      const file = join(dir, "virt.dtb");
      writeFileSync(file, ours(n).toBlob());
      const r = spawnSync("dtc", ["-I", "dtb", "-O", "dts", file], { encoding: "utf8" });
      expect(r.status).toBe(0);
      expect(r.stderr).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
