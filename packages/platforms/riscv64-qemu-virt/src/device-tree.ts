import { DeviceTree } from "@axvisor/fdt";
import {
  VIRT,
  VIRT_IRQ,
  VIRT_PLIC_NDEV,
  VIRT_TIMEBASE_HZ,
  VIRT_UART_CLOCK_HZ,
  virtioSlotBase,
} from "./memory-map.js";

/** The hart interrupt numbers a CLINT and a PLIC context drive (mip bits). */
const IRQ_M_SOFT = 3;
const IRQ_M_TIMER = 7;
const IRQ_S_EXT = 9;
const IRQ_M_EXT = 11;

export interface VirtDeviceTreeOptions {
  readonly harts: number;
  readonly ramSize: number;
  /** The `riscv,isa` string of every hart. */
  readonly isa: string;
  /** `riscv,sv39`, `riscv,sv48`, ... */
  readonly mmuType: string;
  readonly bootargs?: string;
  readonly initrd?: { readonly start: number; readonly end: number };
  /** 32 bytes of seed for the guest's RNG; omitted when absent. */
  readonly rngSeed?: Uint8Array;
  /** Number of virtio-mmio slots described (QEMU: 8). */
  readonly virtioSlots?: number;
}

/** A 64-bit address as QEMU writes it in /chosen: one cell when it fits, else two. */
function setAddr(node: ReturnType<DeviceTree["requireNode"]>, name: string, v: number): void {
  if (v < 2 ** 32) node.setU32(name, v);
  else node.setU64(name, v);
}

/**
 * The device tree QEMU 7.2 builds for `-M virt` (hw/riscv/virt.c `create_fdt`), limited to the
 * devices this board has: no PCIe, fw-cfg, flash or platform bus, and no PMU node. Node order
 * and property order follow QEMU's blob. The per-CPU interrupt controllers also carry
 * `#address-cells = <0>` (newer QEMUs do), which keeps dtc's interrupt_provider check quiet.
 */
export function buildVirtDeviceTree(o: VirtDeviceTreeOptions): DeviceTree {
  if (!Number.isInteger(o.harts) || o.harts < 1) throw new RangeError(`bad hart count ${o.harts}`);
  const dt = new DeviceTree();
  const root = dt.root;
  root.setU32("#address-cells", 2).setU32("#size-cells", 2);
  root.setString("compatible", "riscv-virtio").setString("model", "riscv-virtio,qemu");

  const chosen = root.addNode("chosen");
  if (o.initrd !== undefined) {
    setAddr(chosen, "linux,initrd-end", o.initrd.end);
    setAddr(chosen, "linux,initrd-start", o.initrd.start);
  }
  if (o.rngSeed !== undefined) chosen.setBytes("rng-seed", o.rngSeed);
  if (o.bootargs !== undefined) chosen.setString("bootargs", o.bootargs);
  const uartName = `serial@${VIRT.uart0.base.toString(16)}`;
  chosen.setString("stdout-path", `/soc/${uartName}`);

  // The test device is referenced by poweroff/reboot before it is created; create the soc
  // skeleton nodes first so the phandle can be allocated, then fill them in QEMU's order.
  const poweroff = root.addNode("poweroff");
  const reboot = root.addNode("reboot");

  const memory = root.addNode(`memory@${VIRT.dram.base.toString(16)}`);
  memory.setString("device_type", "memory");
  memory.setReg({ address: VIRT.dram.base, size: o.ramSize });

  const cpus = root.addNode("cpus");
  cpus.setU32("#address-cells", 1).setU32("#size-cells", 0);
  cpus.setU32("timebase-frequency", VIRT_TIMEBASE_HZ);
  const intcPhandles: number[] = [];
  const cpuPhandles: number[] = [];
  for (let h = 0; h < o.harts; h++) {
    const cpu = cpus.addNode(`cpu@${h.toString(16)}`);
    cpuPhandles.push(dt.phandleOf(cpu));
    cpu.setString("device_type", "cpu").setReg({ address: h, size: 0 });
    cpu.setString("status", "okay").setString("compatible", "riscv");
    cpu.setString("riscv,isa", o.isa).setString("mmu-type", o.mmuType);
    const intc = cpu.addNode("interrupt-controller");
    intc.setU32("#interrupt-cells", 1).setU32("#address-cells", 0);
    intc.setEmpty("interrupt-controller").setString("compatible", "riscv,cpu-intc");
    intcPhandles.push(dt.phandleOf(intc));
  }
  const cluster = cpus.addNode("cpu-map").addNode("cluster0");
  cpuPhandles.forEach((ph, h) => {
    cluster.addNode(`core${h}`).setU32("cpu", ph);
  });

  const soc = root.addNode("soc");
  soc.setU32("#address-cells", 2).setU32("#size-cells", 2);
  soc.setString("compatible", "simple-bus").setEmpty("ranges");

  const rtc = soc.addNode(`rtc@${VIRT.rtc.base.toString(16)}`);
  const uart = soc.addNode(uartName);
  const test = soc.addNode(`test@${VIRT.test.base.toString(16)}`);
  const slots = o.virtioSlots ?? VIRT.virtio.count;
  const virtio = [];
  for (let n = slots - 1; n >= 0; n--) {
    virtio.push({ n, node: soc.addNode(`virtio_mmio@${virtioSlotBase(n).toString(16)}`) });
  }
  const plic = soc.addNode(`plic@${VIRT.plic.base.toString(16)}`);
  const clint = soc.addNode(`clint@${VIRT.clint.base.toString(16)}`);

  const plicPh = dt.phandleOf(plic);
  plic.setU32("riscv,ndev", VIRT_PLIC_NDEV);
  plic.setReg({ address: VIRT.plic.base, size: VIRT.plic.size });
  plic.setU32("interrupts-extended", ...intcPhandles.flatMap((p) => [p, IRQ_M_EXT, p, IRQ_S_EXT]));
  plic.setEmpty("interrupt-controller");
  plic.setStrings("compatible", "sifive,plic-1.0.0", "riscv,plic0");
  plic.setU32("#address-cells", 0).setU32("#interrupt-cells", 1);

  clint.setU32(
    "interrupts-extended",
    ...intcPhandles.flatMap((p) => [p, IRQ_M_SOFT, p, IRQ_M_TIMER]),
  );
  clint.setReg({ address: VIRT.clint.base, size: VIRT.clint.size });
  clint.setStrings("compatible", "sifive,clint0", "riscv,clint0");

  rtc.setU32("interrupts", VIRT_IRQ.rtc).setU32("interrupt-parent", plicPh);
  rtc.setReg({ address: VIRT.rtc.base, size: VIRT.rtc.size });
  rtc.setString("compatible", "google,goldfish-rtc");

  uart.setU32("interrupts", VIRT_IRQ.uart0).setU32("interrupt-parent", plicPh);
  uart.setU32("clock-frequency", VIRT_UART_CLOCK_HZ);
  uart.setReg({ address: VIRT.uart0.base, size: VIRT.uart0.size });
  uart.setString("compatible", "ns16550a");

  const testPh = dt.phandleOf(test);
  test.setReg({ address: VIRT.test.base, size: VIRT.test.size });
  test.setStrings("compatible", "sifive,test1", "sifive,test0", "syscon");

  for (const { n, node } of virtio) {
    node.setU32("interrupts", VIRT_IRQ.virtioFirst + n).setU32("interrupt-parent", plicPh);
    node.setReg({ address: virtioSlotBase(n), size: VIRT.virtio.size });
    node.setString("compatible", "virtio,mmio");
  }

  poweroff.setU32("value", 0x5555).setU32("offset", 0).setU32("regmap", testPh);
  poweroff.setString("compatible", "syscon-poweroff");
  reboot.setU32("value", 0x7777).setU32("offset", 0).setU32("regmap", testPh);
  reboot.setString("compatible", "syscon-reboot");
  return dt;
}
