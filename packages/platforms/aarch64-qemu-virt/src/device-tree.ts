import { DeviceTree, type FdtNode } from "@axvisor/fdt";
import {
  ARM_VIRT,
  ARM_VIRT_APB_CLOCK_HZ,
  ARM_VIRT_PPI,
  ARM_VIRT_SPI,
  armVirtioSlotBase,
} from "./memory-map.js";

export interface ArmVirtDeviceTreeOptions {
  /** Each CPU's MPIDR affinity (Aff2.Aff1.Aff0), in CPU order. */
  readonly cpuAffinities: readonly number[];
  readonly ramSize: number;
  readonly gicVersion: 2 | 3;
  /** EL2 exists: the GIC node gets its virtualization parts and PSCI uses SMC. */
  readonly virtualization: boolean;
  /** `compatible` of the CPU nodes (QEMU: "arm,cortex-a57"). */
  readonly cpuCompatible?: string;
  readonly bootargs?: string;
  readonly initrd?: { readonly start: number; readonly end: number };
  /** 32 bytes for /chosen/rng-seed; omitted when absent. */
  readonly rngSeed?: Uint8Array;
  /** 8 bytes for /chosen/kaslr-seed; omitted when absent. */
  readonly kaslrSeed?: Uint8Array;
  /** Describe the CFI flash banks (only when the board emulates them). */
  readonly flash?: boolean;
  /** Number of virtio-mmio slots described (QEMU: 32). */
  readonly virtioSlots?: number;
}

/** Interrupt specifier types and flags of the GIC binding. */
const SPI = 0;
const PPI = 1;
const EDGE_RISING = 1;
const LEVEL_HIGH = 4;

/** PSCI function IDs QEMU puts in the node for PSCI 0.1 users (SMC64 forms). */
const PSCI_FN = {
  cpuSuspend: 0xc400_0001,
  cpuOff: 0x8400_0002,
  cpuOn: 0xc400_0003,
  migrate: 0xc400_0005,
} as const;

function bytesToCells(b: Uint8Array): number[] {
  const cells: number[] = [];
  for (let i = 0; i + 4 <= b.length; i += 4) {
    cells.push(((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0);
  }
  return cells;
}

function setAddr(node: FdtNode, name: string, v: number): void {
  if (v < 2 ** 32) node.setU32(name, v);
  else node.setU64(name, v);
}

/**
 * The device tree QEMU 7.2 builds for `-M virt` on aarch64 (hw/arm/virt.c), limited to the
 * devices this board has: no PCIe, fw_cfg, GPIO, platform bus, ITS/v2m or PMU node. Node and
 * property order follow QEMU's blob (QEMU creates nodes last-first), and phandles are
 * QEMU's: 0x8000 the APB clock, then the CPUs from the last one down, then the GIC.
 */
export function buildArmVirtDeviceTree(o: ArmVirtDeviceTreeOptions): DeviceTree {
  const nCpus = o.cpuAffinities.length;
  if (nCpus < 1) throw new RangeError("at least one CPU");
  const dt = new DeviceTree();
  const root = dt.root;
  let nextPhandle = 0x8000;
  const clockPh = nextPhandle++;
  const cpuPh: number[] = new Array<number>(nCpus);
  for (let c = nCpus - 1; c >= 0; c--) cpuPh[c] = nextPhandle++;
  const gicPh = nextPhandle++;

  root.setU32("interrupt-parent", gicPh);
  root.setString("model", "linux,dummy-virt");
  root.setU32("#size-cells", 2).setU32("#address-cells", 2);
  root.setString("compatible", "linux,dummy-virt");

  const psci = root.addNode("psci");
  psci.setU32("migrate", PSCI_FN.migrate).setU32("cpu_on", PSCI_FN.cpuOn);
  psci.setU32("cpu_off", PSCI_FN.cpuOff).setU32("cpu_suspend", PSCI_FN.cpuSuspend);
  psci.setString("method", o.virtualization ? "smc" : "hvc");
  psci.setStrings("compatible", "arm,psci-1.0", "arm,psci-0.2", "arm,psci");

  const memory = root.addNode(`memory@${ARM_VIRT.ram.base.toString(16)}`);
  memory.setReg({ address: ARM_VIRT.ram.base, size: o.ramSize });
  memory.setString("device_type", "memory");

  const slots = o.virtioSlots ?? ARM_VIRT.virtio.count;
  for (let n = 0; n < slots; n++) {
    const base = armVirtioSlotBase(n);
    const v = root.addNode(`virtio_mmio@${base.toString(16)}`);
    v.setEmpty("dma-coherent");
    v.setU32("interrupts", SPI, ARM_VIRT_SPI.virtioFirst + n, EDGE_RISING);
    v.setReg({ address: base, size: ARM_VIRT.virtio.size });
    v.setString("compatible", "virtio,mmio");
  }

  const rtc = root.addNode(`pl031@${ARM_VIRT.rtc.base.toString(16)}`);
  rtc.setString("clock-names", "apb_pclk").setU32("clocks", clockPh);
  rtc.setU32("interrupts", SPI, ARM_VIRT_SPI.rtc, LEVEL_HIGH);
  rtc.setReg({ address: ARM_VIRT.rtc.base, size: ARM_VIRT.rtc.size });
  rtc.setStrings("compatible", "arm,pl031", "arm,primecell");

  const uartName = `pl011@${ARM_VIRT.uart.base.toString(16)}`;
  const uart = root.addNode(uartName);
  uart.setStrings("clock-names", "uartclk", "apb_pclk").setU32("clocks", clockPh, clockPh);
  uart.setU32("interrupts", SPI, ARM_VIRT_SPI.uart, LEVEL_HIGH);
  uart.setReg({ address: ARM_VIRT.uart.base, size: ARM_VIRT.uart.size });
  uart.setStrings("compatible", "arm,pl011", "arm,primecell");

  // GICv2 PPIs name the CPUs they reach (bits 15:8); GICv3 specifiers do not.
  const ppiFlags = o.gicVersion === 2 ? (((1 << nCpus) - 1) << 8) | LEVEL_HIGH : LEVEL_HIGH;
  const intc = root.addNode(`intc@${ARM_VIRT.gicDist.base.toString(16)}`);
  intc.setU32("phandle", gicPh);
  if (o.virtualization) intc.setU32("interrupts", PPI, ARM_VIRT_PPI.maintenance - 16, ppiFlags);
  if (o.gicVersion === 3) {
    intc.setReg(
      { address: ARM_VIRT.gicDist.base, size: ARM_VIRT.gicDist.size },
      { address: ARM_VIRT.gicRedist.base, size: ARM_VIRT.gicRedist.size },
    );
    intc.setU32("#redistributor-regions", 1);
    intc.setString("compatible", "arm,gic-v3");
  } else {
    const regs: { address: number; size: number }[] = [
      { address: ARM_VIRT.gicDist.base, size: ARM_VIRT.gicDist.size },
      { address: ARM_VIRT.gicCpu.base, size: ARM_VIRT.gicCpu.size },
    ];
    if (o.virtualization) {
      regs.push(
        { address: ARM_VIRT.gicHyp.base, size: ARM_VIRT.gicHyp.size },
        { address: ARM_VIRT.gicVcpu.base, size: ARM_VIRT.gicVcpu.size },
      );
    }
    intc.setReg(...regs);
    intc.setString("compatible", "arm,cortex-a15-gic");
  }
  intc.setEmpty("ranges").setU32("#size-cells", 2).setU32("#address-cells", 2);
  intc.setEmpty("interrupt-controller").setU32("#interrupt-cells", 3);

  if (o.flash) {
    const flash = root.addNode("flash@0");
    flash.setU32("bank-width", 4);
    flash.setReg(
      { address: ARM_VIRT.flash.base, size: ARM_VIRT.flash.bankSize },
      { address: ARM_VIRT.flash.base + ARM_VIRT.flash.bankSize, size: ARM_VIRT.flash.bankSize },
    );
    flash.setString("compatible", "cfi-flash");
  }

  const cpus = root.addNode("cpus");
  cpus.setU32("#size-cells", 0).setU32("#address-cells", 1);
  const cluster = cpus.addNode("cpu-map").addNode("socket0").addNode("cluster0");
  for (let c = 0; c < nCpus; c++) cluster.addNode(`core${c}`).setU32("cpu", cpuPh[c]!);
  for (let c = 0; c < nCpus; c++) {
    const aff = o.cpuAffinities[c]!;
    const cpu = cpus.addNode(`cpu@${aff.toString(16)}`);
    cpu.setU32("phandle", cpuPh[c]!).setU32("reg", aff);
    cpu.setString("enable-method", "psci");
    cpu.setString("compatible", o.cpuCompatible ?? "arm,cortex-a57");
    cpu.setString("device_type", "cpu");
  }

  const timer = root.addNode("timer");
  timer.setU32(
    "interrupts",
    ...[
      ARM_VIRT_PPI.secureTimer,
      ARM_VIRT_PPI.physTimer,
      ARM_VIRT_PPI.virtTimer,
      ARM_VIRT_PPI.hypTimer,
    ].flatMap((intid) => [PPI, intid - 16, ppiFlags]),
  );
  timer.setEmpty("always-on");
  timer.setStrings("compatible", "arm,armv8-timer", "arm,armv7-timer");

  const clock = root.addNode("apb-pclk");
  clock.setU32("phandle", clockPh).setString("clock-output-names", "clk24mhz");
  clock.setU32("clock-frequency", ARM_VIRT_APB_CLOCK_HZ).setU32("#clock-cells", 0);
  clock.setString("compatible", "fixed-clock");

  const chosen = root.addNode("chosen");
  if (o.initrd !== undefined) {
    setAddr(chosen, "linux,initrd-end", o.initrd.end);
    setAddr(chosen, "linux,initrd-start", o.initrd.start);
  }
  if (o.bootargs !== undefined) chosen.setString("bootargs", o.bootargs);
  chosen.setString("stdout-path", `/${uartName}`);
  if (o.rngSeed !== undefined) chosen.setU32("rng-seed", ...bytesToCells(o.rngSeed));
  if (o.kaslrSeed !== undefined) chosen.setU32("kaslr-seed", ...bytesToCells(o.kaslrSeed));
  return dt;
}
