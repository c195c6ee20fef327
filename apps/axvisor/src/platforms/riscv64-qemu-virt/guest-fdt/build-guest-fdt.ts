import { axErr } from "@axvisor/axerrno";
import type { AxVMCrateConfig } from "@axvisor/axvmconfig";
import { DeviceTree, type FdtNode } from "@axvisor/fdt";
import { formatHex, MappingFlags } from "@axvisor/memory-addr";
import {
  VIRT_MMU_TYPE,
  VIRT_TIMEBASE_HZ,
  virtIsaString,
} from "@axvisor/platform-riscv64-qemu-virt";
import { GUEST_FDT_SLACK } from "../../../images/guest-fdt-slack.js";
import { guestDevicesFromConfig } from "./config-devices.js";
import type { GuestDeviceNode, GuestFdtValue, GuestPlic } from "./guest-device-node.js";

/** Hart-local interrupt numbers (mip bits) that PLIC contexts and the CLINT drive. */
const IRQ_M_SOFT = 3;
const IRQ_M_TIMER = 7;
const IRQ_S_EXT = 9;
const IRQ_M_EXT = 11;

export interface GuestFdtOptions {
  /** The hart id of each vCPU, in vCPU order (vCPU i drives PLIC contexts 2i and 2i + 1). */
  readonly hartIds: readonly number[];
  /** Where the ramdisk was loaded: `[start, end)`, as `linux,initrd-start/-end`. */
  readonly initrd?: { readonly start: number; readonly end: number };
  /** Devices beyond the config's (same base address: replaces the config's device). */
  readonly devices?: readonly GuestDeviceNode[];
  /**
   * RAM to describe (default: the config's memory regions). Pass `vm.memoryRegions()` when an
   * identical-mapped region moved.
   */
  readonly memory?: readonly {
    readonly gpa: number;
    readonly size: number;
    readonly flags?: number;
  }[];
  /** The vCPU exposes Sstc (henvcfg.STCE): list it in `riscv,isa`. Default false. */
  readonly sstc?: boolean;
  /** `mmu-type` of every hart (default "riscv,sv48": the hart translates Sv39 and Sv48). */
  readonly mmuType?: "riscv,sv39" | "riscv,sv48" | "riscv,sv57";
}

/** A 64-bit address as QEMU writes it in /chosen: one cell below 4 GiB, else two. */
function setAddr(node: FdtNode, name: string, v: number): void {
  if (v < 2 ** 32) node.setU32(name, v);
  else node.setU64(name, v);
}

function setValue(node: FdtNode, name: string, v: GuestFdtValue): void {
  if (v === true) node.setEmpty(name);
  else if (typeof v === "number") node.setU32(name, v);
  else if (typeof v === "string") node.setString(name, v);
  else if (v instanceof Uint8Array) node.setBytes(name, v);
  else if (v.length > 0 && typeof v[0] === "string")
    node.setStrings(name, ...(v as readonly string[]));
  else node.setU32(name, ...(v as readonly number[]));
}

const hex = (n: number): string => n.toString(16);

function checkHartIds(ids: readonly number[]): void {
  if (ids.length === 0) throw axErr("InvalidInput", "a guest device tree needs at least one hart");
  const seen = new Set<number>();
  for (const id of ids) {
    if (!Number.isSafeInteger(id) || id < 0 || id >= 2 ** 32) {
      throw axErr("InvalidInput", `hart id ${id} is not a 32-bit unsigned integer`);
    }
    if (seen.has(id)) throw axErr("InvalidInput", `hart id ${id} is given twice`);
    seen.add(id);
  }
}

/**
 * The device tree for a RISC-V VM whose config gives no `dtb_path`, laid out like QEMU virt's:
 *
 * - `/cpus`: timebase 10 MHz; `cpu@<hartid>` per vCPU with the ISA a VS-mode guest sees
 *   (the hart's extensions without H, and without Sstc unless `sstc`), `mmu-type`, and a
 *   `riscv,cpu-intc` child; a `cpu-map` with one cluster;
 * - `/memory@<gpa>` for every memory region that is RAM (regions flagged DEVICE are not);
 * - `/chosen`: `bootargs` = the config's `cmdline`, `linux,initrd-start/-end` when a ramdisk
 *   was loaded, `stdout-path` when the guest has a UART (AxVisor dropped the first two, §11.24);
 * - `/soc`: the PLIC with QEMU's context wiring (context 2i is vCPU i's M mode, `<&intc 11>`,
 *   2i + 1 its S mode, `<&intc 9>` - Linux skips the M contexts, the vPLIC never raises them),
 *   the UART, virtio-mmio transports and passed-through board devices from the config (see
 *   guestDevicesFromConfig), plus `opts.devices`. Nothing is invented: no node without a device.
 *
 * Throws an AxError for inconsistent input (bad hart ids, an interrupt the PLIC cannot
 * deliver, two devices at one address).
 */
export function buildGuestFdt(config: AxVMCrateConfig, opts: GuestFdtOptions): Uint8Array {
  return buildGuestDeviceTree(config, opts).toBlob({ padding: GUEST_FDT_SLACK });
}

/** buildGuestFdt as a tree, for callers that edit it further. */
export function buildGuestDeviceTree(config: AxVMCrateConfig, opts: GuestFdtOptions): DeviceTree {
  checkHartIds(opts.hartIds);
  const set = guestDevicesFromConfig(config);
  const nodes = mergeDevices(set.nodes, opts.devices ?? []);

  const dt = new DeviceTree();
  dt.bootCpuId = opts.hartIds[0] ?? 0;
  const root = dt.root;
  root.setU32("#address-cells", 2).setU32("#size-cells", 2);
  root.setString("compatible", "riscv-virtio").setString("model", "riscv-virtio,axvisor");

  const chosen = root.addNode("chosen");
  if (opts.initrd !== undefined) {
    const { start, end } = opts.initrd;
    if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && end >= start)) {
      throw axErr("InvalidInput", `bad initrd span ${start}..${end}`);
    }
    setAddr(chosen, "linux,initrd-end", end);
    setAddr(chosen, "linux,initrd-start", start);
  }
  if (config.kernel.cmdline !== undefined) chosen.setString("bootargs", config.kernel.cmdline);
  const console = nodes.find((n) => n.stdout === true);
  if (console !== undefined)
    chosen.setString("stdout-path", `/soc/${console.name}@${hex(console.base)}`);

  // Filled in once the test device has its phandle (it lives in /soc, after the CPUs).
  const syscon = nodes.find(
    (n) => n.compatible.includes("syscon") && n.compatible.includes("sifive,test0"),
  );
  const poweroff = syscon === undefined ? undefined : root.addNode("poweroff");
  const reboot = syscon === undefined ? undefined : root.addNode("reboot");

  const memory = opts.memory ?? config.kernel.memoryRegions;
  for (const m of memory) {
    if (((m.flags ?? 0) & MappingFlags.DEVICE) !== 0 || m.size === 0) continue;
    const node = root.addNode(`memory@${hex(m.gpa)}`);
    node.setString("device_type", "memory").setReg({ address: m.gpa, size: m.size });
  }

  const intc = addCpus(dt, opts);

  const soc = root.addNode("soc");
  soc.setU32("#address-cells", 2).setU32("#size-cells", 2);
  soc.setString("compatible", "simple-bus").setEmpty("ranges");

  let plicPhandle: number | undefined;
  if (set.plic !== undefined) plicPhandle = addPlic(dt, soc, set.plic, intc);
  if (set.clint !== undefined) {
    const clint = soc.addNode(`clint@${hex(set.clint.base)}`);
    clint.setU32("interrupts-extended", ...intc.flatMap((p) => [p, IRQ_M_SOFT, p, IRQ_M_TIMER]));
    clint.setReg({ address: set.clint.base, size: set.clint.size });
    clint.setStrings("compatible", "sifive,clint0", "riscv,clint0");
  }

  const ndev = set.plic?.ndev ?? 0;
  for (const n of [...nodes].sort((a, b) => a.base - b.base)) {
    const node = soc.addNode(`${n.name}@${hex(n.base)}`);
    if (n.irq !== undefined && plicPhandle !== undefined) {
      if (!Number.isInteger(n.irq) || n.irq < 1 || n.irq > ndev) {
        throw axErr(
          "InvalidInput",
          `device ${node.name}: interrupt ${n.irq} is not a source of the PLIC (1..${ndev})`,
        );
      }
      node.setU32("interrupts", n.irq).setU32("interrupt-parent", plicPhandle);
    }
    for (const [name, v] of Object.entries(n.properties ?? {})) setValue(node, name, v);
    node.setReg({ address: n.base, size: n.size });
    node.setStrings("compatible", ...n.compatible);
    if (n === syscon) {
      const ph = dt.phandleOf(node);
      poweroff?.setU32("value", 0x5555).setU32("offset", 0).setU32("regmap", ph);
      poweroff?.setString("compatible", "syscon-poweroff");
      reboot?.setU32("value", 0x7777).setU32("offset", 0).setU32("regmap", ph);
      reboot?.setString("compatible", "syscon-reboot");
    }
  }
  return dt;
}

function mergeDevices(
  fromConfig: readonly GuestDeviceNode[],
  extra: readonly GuestDeviceNode[],
): GuestDeviceNode[] {
  const byBase = new Map<number, GuestDeviceNode>();
  for (const n of fromConfig) byBase.set(n.base, n);
  const extraBases = new Set<number>();
  for (const n of extra) {
    if (extraBases.has(n.base)) {
      throw axErr("InvalidInput", `two guest devices at ${formatHex(n.base)}`);
    }
    extraBases.add(n.base);
    byBase.set(n.base, n);
  }
  const out = [...byBase.values()];
  const sorted = [...out].sort((a, b) => a.base - b.base);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (a.base + a.size > b.base) {
      throw axErr(
        "InvalidInput",
        `guest devices ${a.name}@${hex(a.base)} and ${b.name}@${hex(b.base)} overlap`,
      );
    }
  }
  return out;
}

/** Adds /cpus and returns the phandle of each vCPU's interrupt controller, in vCPU order. */
function addCpus(dt: DeviceTree, opts: GuestFdtOptions): number[] {
  const cpus = dt.root.addNode("cpus");
  cpus.setU32("#address-cells", 1).setU32("#size-cells", 0);
  cpus.setU32("timebase-frequency", VIRT_TIMEBASE_HZ);
  const isa = virtIsaString({ h: false, sstc: opts.sstc ?? false });
  const intc: number[] = [];
  const cpuPhandles: number[] = [];
  for (const hartId of opts.hartIds) {
    const cpu = cpus.addNode(`cpu@${hex(hartId)}`);
    cpuPhandles.push(dt.phandleOf(cpu));
    cpu.setString("device_type", "cpu").setReg({ address: hartId, size: 0 });
    cpu.setString("status", "okay").setString("compatible", "riscv");
    cpu.setString("riscv,isa", isa).setString("mmu-type", opts.mmuType ?? VIRT_MMU_TYPE);
    const ic = cpu.addNode("interrupt-controller");
    ic.setU32("#interrupt-cells", 1).setU32("#address-cells", 0);
    ic.setEmpty("interrupt-controller").setString("compatible", "riscv,cpu-intc");
    intc.push(dt.phandleOf(ic));
  }
  const cluster = cpus.addNode("cpu-map").addNode("cluster0");
  cpuPhandles.forEach((ph, i) => {
    cluster.addNode(`core${i}`).setU32("cpu", ph);
  });
  return intc;
}

function addPlic(dt: DeviceTree, soc: FdtNode, plic: GuestPlic, intc: readonly number[]): number {
  const node = soc.addNode(`plic@${hex(plic.base)}`);
  const ph = dt.phandleOf(node);
  // Contexts are listed in order; the list stops at the last one a vCPU owns.
  const contexts = Math.min(plic.contexts ?? 2 * intc.length, 2 * intc.length);
  if (contexts < 1) {
    throw axErr(
      "InvalidInput",
      `the PLIC at ${formatHex(plic.base)} has no contexts (cfg_list = [context_num])`,
    );
  }
  const cells: number[] = [];
  for (let c = 0; c < contexts; c++) {
    cells.push(intc[c >> 1]!, c % 2 === 0 ? IRQ_M_EXT : IRQ_S_EXT);
  }
  node.setU32("riscv,ndev", plic.ndev);
  node.setReg({ address: plic.base, size: plic.size });
  node.setU32("interrupts-extended", ...cells);
  node.setEmpty("interrupt-controller");
  node.setStrings("compatible", "sifive,plic-1.0.0", "riscv,plic0");
  node.setU32("#address-cells", 0).setU32("#interrupt-cells", 1);
  return ph;
}
