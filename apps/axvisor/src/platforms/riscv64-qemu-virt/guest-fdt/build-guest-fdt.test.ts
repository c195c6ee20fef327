import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AxError } from "@axvisor/axerrno";
import { type AxVMCrateConfig, parseAxVMConfig } from "@axvisor/axvmconfig";
import { loadAxVMConfig } from "@axvisor/axvmconfig/node";
import { DeviceTree, type FdtNode } from "@axvisor/fdt";
import { describe, expect, it } from "vitest";
import { buildGuestFdt } from "./build-guest-fdt.js";

const CONFIGS = fileURLToPath(new URL("../../../../../../configs/vms/", import.meta.url));
const QEMU_SMP2_DTB = fileURLToPath(
  new URL("../../../../../../../shared/guests/riscv64/qemu-virt-smp2.dtb", import.meta.url),
);

function config(
  devices: string,
  opts: { cmdline?: string; regions?: string; cpuNum?: number } = {},
): AxVMCrateConfig {
  const text = `[base]
id = 3
name = "fdt"
vm_type = 2
cpu_num = ${opts.cpuNum ?? 1}

[kernel]
entry_point = 0x8020_0000
kernel_path = "Image"
kernel_load_addr = 0x8020_0000
${opts.cmdline === undefined ? "" : `cmdline = "${opts.cmdline}"`}
memory_regions = ${opts.regions ?? "[[0x8000_0000, 0x1000_0000, 0xf, 0]]"}

[devices]
${devices}
`;
  return parseAxVMConfig(text, { file: "fdt.toml" });
}

const tree = (blob: Uint8Array) => DeviceTree.parse(blob);

/** interrupts-extended as [path of the controller's cpu, irq] pairs. */
function contexts(dt: DeviceTree, node: FdtNode): [string, number][] {
  const cells = node.require("interrupts-extended").u32s();
  const out: [string, number][] = [];
  for (let i = 0; i < cells.length; i += 2) {
    const target = dt.nodeByPhandle(cells[i]!);
    out.push([target?.parent?.path ?? "?", cells[i + 1]!]);
  }
  return out;
}

function dtcCheck(blob: Uint8Array): { status: number | null; stderr: string; dts: string } {
  const r = spawnSync("dtc", ["-I", "dtb", "-O", "dts", "-o", "-", "-"], {
    input: blob,
    encoding: "utf8",
  });
  return { status: r.status, stderr: r.stderr, dts: r.stdout };
}

const hasDtc = spawnSync("sh", ["-c", "command -v dtc"]).status === 0;
if (!hasDtc)
  console.log("skipped the dtc checks: dtc not installed (apt-get install device-tree-compiler)");
const hasQemuDtb = existsSync(QEMU_SMP2_DTB);
if (!hasQemuDtb) console.log(`skipped the QEMU comparison: ${QEMU_SMP2_DTB} not present`);

describe("buildGuestFdt for the Linux smp2 config", async () => {
  const cfg = await loadAxVMConfig(`${CONFIGS}linux-riscv64-qemu-smp2.toml`);
  const initrd = { start: 0x8820_0000, end: 0x882e_8e69 };
  const blob = buildGuestFdt(cfg, { hartIds: [0, 1], initrd });
  const dt = tree(blob);

  it("describes two VS-mode harts without H and Sstc, with their interrupt controllers", () => {
    const cpus = dt.requireNode("/cpus");
    expect(cpus.require("timebase-frequency").u32()).toBe(10_000_000);
    for (const id of [0, 1]) {
      const cpu = dt.requireNode(`/cpus/cpu@${id}`);
      expect(cpu.reg()).toEqual([{ address: id, size: 0 }]);
      expect(cpu.require("device_type").string()).toBe("cpu");
      expect(cpu.require("riscv,isa").string()).toBe("rv64imafdc_zicsr_zifencei_zihintpause");
      expect(cpu.require("mmu-type").string()).toBe("riscv,sv48");
      const intc = dt.requireNode(`/cpus/cpu@${id}/interrupt-controller`);
      expect(intc.require("#interrupt-cells").u32()).toBe(1);
      expect(intc.has("interrupt-controller")).toBe(true);
      expect(intc.compatible).toEqual(["riscv,cpu-intc"]);
      expect(intc.has("phandle")).toBe(true);
    }
  });

  it("has the memory, bootargs, initrd and stdout-path the guest needs (AxVisor §11.24)", () => {
    expect(dt.requireNode("/memory@80000000").reg()).toEqual([
      { address: 0x8000_0000, size: 0x1000_0000 },
    ]);
    const chosen = dt.requireNode("/chosen");
    expect(chosen.require("bootargs").string()).toBe("console=ttyS0 earlycon=sbi");
    // QEMU writes these as single cells below 4 GiB; the values are QEMU's for this initramfs.
    expect(chosen.require("linux,initrd-start").u32s()).toEqual([0x8820_0000]);
    expect(chosen.require("linux,initrd-end").u32s()).toEqual([0x882e_8e69]);
    expect(chosen.require("stdout-path").string()).toBe("/soc/serial@10000000");
  });

  it("wires the PLIC contexts as QEMU does: M (11) then S (9) for each hart", () => {
    const plic = dt.requireNode("/soc/plic@c000000");
    expect(contexts(dt, plic)).toEqual([
      ["/cpus/cpu@0", 11],
      ["/cpus/cpu@0", 9],
      ["/cpus/cpu@1", 11],
      ["/cpus/cpu@1", 9],
    ]);
    expect(plic.compatible).toEqual(["sifive,plic-1.0.0", "riscv,plic0"]);
    expect(plic.require("riscv,ndev").u32()).toBe(0x60);
    expect(plic.reg()).toEqual([{ address: 0x0c00_0000, size: 0x60_0000 }]);
    const uart = dt.requireNode("/soc/serial@10000000");
    expect(uart.require("interrupt-parent").u32()).toBe(plic.require("phandle").u32());
    expect(uart.require("interrupts").u32()).toBe(10);
    expect(uart.require("clock-frequency").u32()).toBe(3_686_400);
    const blk = dt.requireNode("/soc/virtio_mmio@10001000");
    expect(blk.require("interrupts").u32()).toBe(1);
    expect(blk.compatible).toEqual(["virtio,mmio"]);
  });

  it("invents nothing: only the config's devices are in /soc and the root", () => {
    expect(dt.requireNode("/soc").children.map((n) => n.name)).toEqual([
      "plic@c000000",
      "serial@10000000",
      "virtio_mmio@10001000",
    ]);
    expect(dt.root.children.map((n) => n.name)).toEqual([
      "chosen",
      "memory@80000000",
      "cpus",
      "soc",
    ]);
  });

  it.skipIf(!hasQemuDtb)("matches QEMU's own virt tree for the devices both have", () => {
    const qemu = DeviceTree.parse(new Uint8Array(readFileSync(QEMU_SMP2_DTB)));
    for (const path of ["/soc/serial@10000000", "/soc/virtio_mmio@10001000", "/soc/plic@c000000"]) {
      const ours = dt.requireNode(path);
      const theirs = qemu.requireNode(path);
      for (const prop of [
        "reg",
        "interrupts",
        "clock-frequency",
        "compatible",
        "riscv,ndev",
        "#interrupt-cells",
      ]) {
        expect(ours.property(prop)?.value, `${path} ${prop}`).toEqual(theirs.property(prop)?.value);
      }
    }
    expect(contexts(dt, dt.requireNode("/soc/plic@c000000"))).toEqual(
      contexts(qemu, qemu.requireNode("/soc/plic@c000000")),
    );
    expect(dt.requireNode("/memory@80000000").reg()).toEqual(
      qemu.requireNode("/memory@80000000").reg(),
    );
    const q = qemu.requireNode("/chosen");
    const o = dt.requireNode("/chosen");
    for (const prop of ["linux,initrd-start", "linux,initrd-end", "bootargs", "stdout-path"]) {
      expect(o.require(prop).value, prop).toEqual(q.require(prop).value);
    }
  });

  it.skipIf(!hasDtc)("decompiles with dtc without a warning", () => {
    const r = dtcCheck(blob);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.dts).toContain('bootargs = "console=ttyS0 earlycon=sbi";');
  });
});

describe("buildGuestFdt options and passthrough", () => {
  const emuPlicUart = `emu_devices = [
  ["plic", 0x0c00_0000, 0x60_0000, 0, 0x30, [2]],
  ["uart", 0x1000_0000, 0x100, 10, 0x2, []],
]`;

  it("lists Sstc and the chosen MMU type when told", () => {
    const dt = tree(
      buildGuestFdt(config(`${emuPlicUart}\npassthrough_devices = []`), {
        hartIds: [5],
        sstc: true,
        mmuType: "riscv,sv39",
      }),
    );
    const cpu = dt.requireNode("/cpus/cpu@5");
    expect(cpu.require("riscv,isa").string()).toBe("rv64imafdc_zicsr_zifencei_zihintpause_sstc");
    expect(cpu.require("mmu-type").string()).toBe("riscv,sv39");
    expect(dt.bootCpuId).toBe(5);
  });

  it("leaves out bootargs, initrd and stdout-path when there is nothing to say", () => {
    const dt = tree(
      buildGuestFdt(
        config(
          `emu_devices = [["plic", 0x0c00_0000, 0x60_0000, 0, 0x30, [2]]]\npassthrough_devices = []`,
        ),
        {
          hartIds: [0],
        },
      ),
    );
    expect(dt.requireNode("/chosen").properties).toEqual([]);
  });

  it("describes RAM regions but not DEVICE-flagged ones", () => {
    const cfg = config(`${emuPlicUart}\npassthrough_devices = []`, {
      regions:
        "[[0x8000_0000, 0x100_0000, 0xf, 0], [0x1_0000_0000, 0x200_0000, 0x7, 2], [0x4000_0000, 0x1000, 0x17, 2]]",
    });
    const dt = tree(buildGuestFdt(cfg, { hartIds: [0] }));
    expect(
      dt.root.children.filter((n) => n.baseName === "memory").map((n) => [n.name, n.reg()]),
    ).toEqual([
      ["memory@80000000", [{ address: 0x8000_0000, size: 0x100_0000 }]],
      ["memory@100000000", [{ address: 0x1_0000_0000, size: 0x200_0000 }]],
    ]);
  });

  it("lists only the PLIC contexts that exist", () => {
    const cfg = config(`${emuPlicUart}\npassthrough_devices = []`, { cpuNum: 2 });
    const dt = tree(buildGuestFdt(cfg, { hartIds: [0, 1] }));
    expect(contexts(dt, dt.requireNode("/soc/plic@c000000"))).toEqual([
      ["/cpus/cpu@0", 11],
      ["/cpus/cpu@0", 9],
    ]);
  });

  const passthrough = `emu_devices = [["plic", 0x0c00_0000, 0x60_0000, 0, 0x30, [2]]]
passthrough_devices = [
  ["uart", 0x2000_0000, 0x1000_0000, 0x1000, 10],
  ["/soc/rtc@101000"],
]
passthrough_addresses = [[0x1000_1000, 0x8000], [0x10_0000, 0x1000], [0x3000_0000, 0x1000]]`;

  it("describes passed-through board devices at their guest addresses, and nothing else", () => {
    const dt = tree(
      buildGuestFdt(config(passthrough, { cmdline: "console=ttyS0" }), { hartIds: [0] }),
    );
    const soc = dt.requireNode("/soc");
    expect(soc.children.map((n) => n.name)).toEqual([
      "plic@c000000",
      "test@100000",
      "rtc@101000",
      "virtio_mmio@10001000",
      "virtio_mmio@10002000",
      "virtio_mmio@10003000",
      "virtio_mmio@10004000",
      "virtio_mmio@10005000",
      "virtio_mmio@10006000",
      "virtio_mmio@10007000",
      "virtio_mmio@10008000",
      "serial@20000000",
    ]);
    const uart = dt.requireNode("/soc/serial@20000000");
    expect(uart.reg()).toEqual([{ address: 0x2000_0000, size: 0x100 }]);
    expect(uart.require("interrupts").u32()).toBe(10);
    expect(uart.require("clock-frequency").u32()).toBe(3_686_400);
    expect(dt.requireNode("/chosen").require("stdout-path").string()).toBe("/soc/serial@20000000");
    expect(dt.requireNode("/soc/virtio_mmio@10008000").require("interrupts").u32()).toBe(8);
    expect(dt.requireNode("/soc/rtc@101000").require("interrupts").u32()).toBe(11);
    const test = dt.requireNode("/soc/test@100000");
    expect(dt.requireNode("/poweroff").require("regmap").u32()).toBe(test.require("phandle").u32());
    expect(dt.requireNode("/poweroff").require("value").u32()).toBe(0x5555);
    expect(dt.requireNode("/reboot").require("value").u32()).toBe(0x7777);
  });

  it.skipIf(!hasDtc)("passthrough trees decompile with dtc without a warning too", () => {
    const r = dtcCheck(buildGuestFdt(config(passthrough), { hartIds: [0] }));
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
  });

  it("takes extra devices from the VMM, replacing a config device at the same address", () => {
    const dt = tree(
      buildGuestFdt(config(`${emuPlicUart}\npassthrough_devices = []`), {
        hartIds: [0],
        devices: [
          {
            name: "serial",
            compatible: ["snps,dw-apb-uart"],
            base: 0x1000_0000,
            size: 0x100,
            irq: 10,
            stdout: true,
            properties: { "reg-shift": 2, "reg-io-width": 4 },
          },
          {
            name: "virtio_mmio",
            compatible: ["virtio,mmio"],
            base: 0x1000_2000,
            size: 0x1000,
            irq: 2,
          },
        ],
      }),
    );
    const uart = dt.requireNode("/soc/serial@10000000");
    expect(uart.compatible).toEqual(["snps,dw-apb-uart"]);
    expect(uart.require("reg-shift").u32()).toBe(2);
    expect(uart.has("clock-frequency")).toBe(false);
    expect(dt.requireNode("/soc/virtio_mmio@10002000").require("interrupts").u32()).toBe(2);
  });

  it("rejects what it cannot describe truthfully", () => {
    const cfg = config(`${emuPlicUart}\npassthrough_devices = []`);
    const msg = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(AxError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(msg(() => buildGuestFdt(cfg, { hartIds: [] }))).toBe(
      "a guest device tree needs at least one hart",
    );
    expect(msg(() => buildGuestFdt(cfg, { hartIds: [1, 1] }))).toBe("hart id 1 is given twice");
    expect(
      msg(() =>
        buildGuestFdt(cfg, {
          hartIds: [0],
          devices: [{ name: "x", compatible: ["x"], base: 0x1000_0080, size: 0x100 }],
        }),
      ),
    ).toBe("guest devices serial@10000000 and x@10000080 overlap");
    expect(
      msg(() =>
        buildGuestFdt(cfg, {
          hartIds: [0],
          devices: [{ name: "x", compatible: ["x"], base: 0x2000_0000, size: 0x100, irq: 97 }],
        }),
      ),
    ).toBe("device x@20000000: interrupt 97 is not a source of the PLIC (1..96)");
  });
});
