import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DeviceTree } from "./device-tree.js";
import { toDts } from "./dts.js";

const GUESTS = `${process.env.AXVISOR_GUESTS ?? resolve(dirname(fileURLToPath(import.meta.url)), "../../../../shared/guests")}/riscv64`;
const blobPath = (n: number) => join(GUESTS, `qemu-virt-smp${n}.dtb`);
const haveBlobs = existsSync(blobPath(1)) && existsSync(blobPath(2));
if (!haveBlobs) console.log(`skipping QEMU blob tests: ${blobPath(1)} not found`);

const haveDtc = spawnSync("dtc", ["--version"]).status === 0;
if (!haveDtc)
  console.log("skipping dtc tests: dtc not installed (apt-get install device-tree-compiler)");

const tmp = mkdtempSync(join(tmpdir(), "fdt-test-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!haveBlobs)("QEMU virt blobs", () => {
  it.each([1, 2])("parses smp%i with QEMU's structure", (n) => {
    const t = DeviceTree.parse(readFileSync(blobPath(n)));
    expect(t.root.property("compatible")?.strings()).toEqual(["riscv-virtio"]);
    const cpus = t.requireNode("/cpus");
    expect(cpus.property("timebase-frequency")?.u32()).toBe(10_000_000);
    const harts = cpus.children.filter((c) => c.baseName === "cpu");
    expect(harts.map((c) => c.reg()[0]?.address)).toEqual([...Array(n).keys()]);
    expect(harts[0]?.property("riscv,isa")?.string()).toMatch(/^rv64imafdch_zicsr_zifencei/);
    const plic = t.requireNode("/soc/plic@c000000");
    expect(plic.property("riscv,ndev")?.u32()).toBe(0x60);
    expect(plic.compatible).toEqual(["sifive,plic-1.0.0", "riscv,plic0"]);
    // interrupts-extended: (intc phandle, 11) (intc phandle, 9) per hart
    const ext = plic.require("interrupts-extended").u32s();
    expect(ext).toHaveLength(4 * n);
    expect(t.nodeByPhandle(ext[0]!)?.path).toBe("/cpus/cpu@0/interrupt-controller");
    expect(t.requireNode("/memory@80000000").reg()).toEqual([
      { address: 0x8000_0000, size: 0x1000_0000 },
    ]);
    expect(t.getNode("/soc/serial")?.reg()).toEqual([{ address: 0x1000_0000, size: 0x100 }]);
    expect(t.requireNode("/chosen").property("stdout-path")?.string()).toBe("/soc/serial@10000000");
    expect(t.requireNode("/chosen").property("linux,initrd-start")?.u32()).toBe(0x8820_0000);
    const virtio = t.findCompatible("virtio,mmio").map((v) => v.reg()[0]?.address);
    expect(virtio.sort()).toEqual([...Array(8).keys()].map((i) => 0x1000_1000 + i * 0x1000));
  });

  it.each([1, 2])("re-serialises smp%i to the identical bytes dtc produced", (n) => {
    const blob = readFileSync(blobPath(n));
    expect(Buffer.from(DeviceTree.parse(blob).toBlob()).equals(blob)).toBe(true);
  });
});

describe.skipIf(!haveDtc)("dtc accepts our output", () => {
  function ourTree(): DeviceTree {
    const t = new DeviceTree();
    const r = t.root.setU32("#address-cells", 2).setU32("#size-cells", 2);
    r.setString("compatible", "test,board").setString("model", "test");
    const cpus = r.addNode("cpus").setU32("#address-cells", 1).setU32("#size-cells", 0);
    const cpu = cpus
      .addNode("cpu@0")
      .setString("device_type", "cpu")
      .setReg({ address: 0, size: 0 });
    cpu.setString("compatible", "riscv").setString("riscv,isa", "rv64imac");
    const intc = cpu.addNode("interrupt-controller").setU32("#interrupt-cells", 1);
    intc.setU32("#address-cells", 0).setEmpty("interrupt-controller");
    intc.setString("compatible", "riscv,cpu-intc");
    const ph = t.phandleOf(intc);
    const mem = r.addNode("memory@80000000").setString("device_type", "memory");
    mem.setReg({ address: 0x8000_0000, size: 0x1000_0000 });
    const soc = r.addNode("soc").setU32("#address-cells", 2).setU32("#size-cells", 2);
    soc.setString("compatible", "simple-bus").setEmpty("ranges");
    const clint = soc.addNode("clint@2000000").setStrings("compatible", "riscv,clint0");
    clint.setReg({ address: 0x200_0000, size: 0x1_0000 });
    clint.setU32("interrupts-extended", ph, 3, ph, 7);
    r.addNode("chosen").setString("bootargs", "console=ttyS0").setU64("x", 0x8820_0000);
    t.reserve(0x8000_0000, 0x8_0000);
    return t;
  }

  it("decompiles our blob without warnings", () => {
    const file = join(tmp, "ours.dtb");
    writeFileSync(file, ourTree().toBlob());
    const r = spawnSync("dtc", ["-I", "dtb", "-O", "dts", file], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/\/memreserve\/\s+0x0*80000000 0x0*80000;/);
    expect(r.stdout).toContain('bootargs = "console=ttyS0";');
  });

  it("compiles our DTS text back to our exact blob", () => {
    const t = ourTree();
    const dts = join(tmp, "ours.dts");
    writeFileSync(dts, toDts(t));
    const out = execFileSync("dtc", ["-I", "dts", "-O", "dtb", dts], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(Buffer.from(out).equals(Buffer.from(t.toBlob()))).toBe(true);
  });
});
