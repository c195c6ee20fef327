import { type IrqLine, irqLine } from "@axvisor/axdevice-base";
import {
  GIC_IIDR_ARM,
  IDLE_PRIORITY,
  LIST_REGISTERS,
  PPI,
  PRIVATE_IRQS,
  SGI_COUNT,
} from "./constants.js";
import { AckGroups, GICC_CTLR_MASK, GicCore } from "./gic-core.js";
import {
  BitReg,
  bitRegAt,
  isSetClear,
  mergeNarrow,
  narrow,
  readBits,
  readConfig,
  readPriorities,
  writeBits,
  writeConfig,
  writePriorities,
} from "./irq-registers.js";
import { GicMmioFrame } from "./mmio-frame.js";
import type { GicCpuOutputs } from "./outputs.js";
import { VirtualCpuInterface } from "./virtual-cpu.js";

export interface GicV2Options {
  /** 1..8 CPUs. */
  readonly numCpus: number;
  /** Interrupt IDs: 32 private + SPIs (QEMU virt: 288, i.e. 256 SPIs). */
  readonly numIrqs?: number;
  readonly outputs: readonly GicCpuOutputs[];
  /** The CPU making the current MMIO access (banked registers, GICC/GICH/GICV). */
  readonly currentCpu: () => number;
  /** Frame bases (QEMU virt: 0x0800_0000, 0x0801_0000, 0x0803_0000, 0x0804_0000). */
  readonly distributorBase: number;
  readonly cpuInterfaceBase: number;
  /** With both, the virtualization extension exists (GICH for the hypervisor, GICV for guests). */
  readonly hypInterfaceBase?: number;
  readonly virtualCpuBase?: number;
  /** False: nothing reads `outputs` (a virtual GIC); see `GicCoreOptions.wired`. */
  readonly wired?: boolean;
}

/** GICD peripheral/component IDs at 0xFD0..0xFFC (QEMU's GICv2 values; PIDR2 says ArchRev 2). */
const GICD_IDS = [0x04, 0x00, 0x00, 0x00, 0x90, 0xb4, 0x2b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
/** GICC_IIDR: architecture version 2, implementer ARM. */
const GICC_IIDR = 0x0202_043b;
/** GICH_VTR: 4 list registers, 5 preemption and 5 priority bits. */
const GICH_VTR = ((4 << 29) | (4 << 26) | (LIST_REGISTERS - 1)) >>> 0;

const FRAME_SIZE = 0x1_0000;

/**
 * A GICv2 (ARM IHI 0048B) with the virtualization extension, as QEMU's virt board has it:
 * the distributor (GICD), the CPU interface (GICC, DIR at 0x1000), and with
 * virtualization the hypervisor interface (GICH) and the virtual CPU interface (GICV) that a
 * guest sees in place of GICC. There are no Security Extensions: GICD_CTLR and GICC_CTLR
 * carry both group enables and the group-1 bits of the secure view.
 *
 * Banked registers (SGI/PPI state, ITARGETSR0-7, GICC, GICH, GICV) belong to the CPU that
 * `currentCpu()` names when the access happens.
 */
export class GicV2 {
  readonly core: GicCore;
  readonly distributor: GicMmioFrame;
  readonly cpuInterface: GicMmioFrame;
  readonly hypInterface: GicMmioFrame | undefined;
  readonly virtualCpuInterface: GicMmioFrame | undefined;
  /** The virtual CPU interfaces, one per CPU (empty without virtualization). */
  readonly virtual: readonly VirtualCpuInterface[];
  readonly #spiLines = new Map<number, IrqLine>();
  readonly #cpu: () => number;

  constructor(o: GicV2Options) {
    this.core = new GicCore({
      version: 2,
      numCpus: o.numCpus,
      numIrqs: o.numIrqs ?? 288,
      outputs: o.outputs,
      ...(o.wired !== undefined ? { wired: o.wired } : {}),
    });
    this.#cpu = o.currentCpu;
    const core = this.core;
    this.distributor = new GicMmioFrame(
      o.distributorBase,
      FRAME_SIZE,
      {
        read: (off, w) => this.#distRead(off, w),
        write: (off, w, v) => this.#distWrite(off, w, v),
      },
      undefined,
      () => this.reset(),
    );
    this.cpuInterface = new GicMmioFrame(o.cpuInterfaceBase, FRAME_SIZE, {
      read: (off) => this.#cpuRead(off),
      write: (off, _w, v) => this.#cpuWrite(off, v),
    });
    const virt = o.hypInterfaceBase !== undefined && o.virtualCpuBase !== undefined;
    const vcpus: VirtualCpuInterface[] = [];
    if (virt) {
      for (let c = 0; c < o.numCpus; c++) {
        const out = o.outputs[c]!;
        vcpus.push(
          new VirtualCpuInterface(false, {
            setVirq: (l) => out.setVirq(l),
            setVfiq: (l) => out.setVfiq(l),
            setMaintenance: (l) => core.setPpiLevel(c, PPI.maintenance, l),
            deactivatePhysical: (irq) => core.deactivate(c, irq),
          }),
        );
      }
    }
    this.virtual = vcpus;
    this.hypInterface = virt
      ? new GicMmioFrame(o.hypInterfaceBase!, FRAME_SIZE, {
          read: (off) => this.#hypRead(off),
          write: (off, _w, v) => this.#hypWrite(off, v),
        })
      : undefined;
    this.virtualCpuInterface = virt
      ? new GicMmioFrame(o.virtualCpuBase!, FRAME_SIZE, {
          read: (off) => this.#vcpuRead(off),
          write: (off, _w, v) => this.#vcpuWrite(off, v),
        })
      : undefined;
  }

  /** The MMIO frames to put on the bus. */
  get frames(): readonly GicMmioFrame[] {
    const f = [this.distributor, this.cpuInterface];
    if (this.hypInterface) f.push(this.hypInterface);
    if (this.virtualCpuInterface) f.push(this.virtualCpuInterface);
    return f;
  }

  reset(): void {
    this.core.reset();
    for (const v of this.virtual) v.reset();
  }

  /** The input line of SPI `n` (INTID 32 + n); the same line object on every call. */
  spiLine(n: number): IrqLine {
    let line = this.#spiLines.get(n);
    if (line === undefined) {
      line = irqLine((level) => this.core.setSpiLevel(PRIVATE_IRQS + n, level));
      this.#spiLines.set(n, line);
    }
    return line;
  }

  /** Drives PPI `intid` (16..31) of `cpu`. */
  setPpi(cpu: number, intid: number, level: boolean): void {
    this.core.setPpiLevel(cpu, intid, level);
  }

  // ---- GICD ----

  #distRead(off: number, width: number): number {
    const core = this.core;
    const cpu = this.#cpu();
    if (off >= 0x400 && off < 0x800) return readPriorities(core, cpu, off - 0x400, width);
    if (off >= 0x800 && off < 0xc00) return this.#readTargets(cpu, off - 0x800, width);
    if (off >= 0xf10 && off < 0xf30) return this.#readSgiPending(cpu, off, width);
    if (off >= 0xfd0 && off < 0x1000) {
      return (off & 3) === 0 ? GICD_IDS[(off - 0xfd0) >> 2]! : 0;
    }
    const w = off & ~3;
    let word = 0;
    const bank = bitRegAt(w);
    if (bank !== undefined && bank !== BitReg.GroupMod) {
      word = readBits(core, cpu, bank, ((w & 0x7f) >> 2) * 32);
    } else if (w >= 0xc00 && w < 0xd00) {
      word = readConfig(core, cpu, ((w - 0xc00) >> 2) * 16);
    } else if (w === 0x000) {
      word = core.distCtlr;
    } else if (w === 0x004) {
      word = (core.numIrqs / 32 - 1) | ((core.numCpus - 1) << 5);
    } else if (w === 0x008) {
      word = GIC_IIDR_ARM;
    }
    return narrow(word, off, width);
  }

  #distWrite(off: number, width: number, value: number): void {
    const core = this.core;
    const cpu = this.#cpu();
    if (off >= 0x400 && off < 0x800) {
      writePriorities(core, cpu, off - 0x400, width, value);
      return;
    }
    if (off >= 0x800 && off < 0xc00) {
      this.#writeTargets(off - 0x800, width, value);
      return;
    }
    if (off >= 0xf10 && off < 0xf30) {
      this.#writeSgiPending(cpu, off, width, value);
      return;
    }
    const w = off & ~3;
    const bank = bitRegAt(w);
    if (bank !== undefined && bank !== BitReg.GroupMod) {
      const first = ((w & 0x7f) >> 2) * 32;
      const v =
        width >= 4 || isSetClear(bank)
          ? (value << (8 * (off & 3))) >>> 0
          : mergeNarrow(readBits(core, cpu, bank, first), off, width, value);
      writeBits(core, cpu, bank, first, v);
    } else if (w >= 0xc00 && w < 0xd00) {
      const first = ((w - 0xc00) >> 2) * 16;
      writeConfig(core, cpu, first, mergeNarrow(readConfig(core, cpu, first), off, width, value));
    } else if (w === 0x000) {
      core.distCtlr = mergeNarrow(core.distCtlr, off, width, value) & 3;
      core.update();
    } else if (w === 0xf00 && width === 4) {
      this.#writeSgir(cpu, value);
    }
  }

  #readTargets(cpu: number, first: number, width: number): number {
    let v = 0;
    for (let b = 0; b < width; b++) {
      const irq = first + b;
      if (irq >= this.core.numIrqs) break;
      const t = irq < PRIVATE_IRQS ? 1 << cpu : this.core.targets[irq]!;
      v |= t << (8 * b);
    }
    return v >>> 0;
  }

  #writeTargets(first: number, width: number, value: number): void {
    const mask = (1 << this.core.numCpus) - 1;
    for (let b = 0; b < width; b++) {
      const irq = first + b;
      // ITARGETSR0-7 (private interrupts) are read-only.
      if (irq >= PRIVATE_IRQS && irq < this.core.numIrqs) {
        this.core.targets[irq] = (value >>> (8 * b)) & mask;
      }
    }
    this.core.update();
  }

  /** CPENDSGIR (0xF10) / SPENDSGIR (0xF20): one byte per SGI, one bit per source CPU. */
  #readSgiPending(cpu: number, off: number, width: number): number {
    const first = (off - 0xf10) & 0xf;
    let v = 0;
    for (let b = 0; b < width && first + b < SGI_COUNT; b++) {
      v |= this.core.sgiSources[cpu * SGI_COUNT + first + b]! << (8 * b);
    }
    return v >>> 0;
  }

  #writeSgiPending(cpu: number, off: number, width: number, value: number): void {
    const set = off >= 0xf20;
    const first = (off - 0xf10) & 0xf;
    for (let b = 0; b < width && first + b < SGI_COUNT; b++) {
      const k = cpu * SGI_COUNT + first + b;
      const bits = (value >>> (8 * b)) & 0xff & ((1 << this.core.numCpus) - 1);
      const old = this.core.sgiSources[k]!;
      this.core.sgiSources[k] = set ? old | bits : old & ~bits;
    }
    this.core.update();
  }

  /** GICD_SGIR: TargetListFilter 25:24, CPUTargetList 23:16, SGIINTID 3:0. */
  #writeSgir(cpu: number, value: number): void {
    const sgi = value & 0xf;
    const filter = (value >>> 24) & 3;
    let targets: number;
    if (filter === 0) targets = (value >>> 16) & 0xff;
    else if (filter === 1) targets = ((1 << this.core.numCpus) - 1) & ~(1 << cpu);
    else if (filter === 2) targets = 1 << cpu;
    else return;
    for (let t = 0; t < this.core.numCpus; t++) {
      if (targets & (1 << t)) this.core.sendSgi(cpu, t, sgi);
    }
    this.core.update();
  }

  // ---- GICC ----

  #cpuRead(off: number): number {
    const core = this.core;
    const cpu = this.#cpu();
    switch (off) {
      case 0x00:
        return core.cpuCtlr[cpu]!;
      case 0x04:
        return core.pmr[cpu]!;
      case 0x08:
        return core.bpr0[cpu]!;
      case 0x0c:
        return core.acknowledge(cpu, this.#ackGroups(cpu));
      case 0x14: {
        const rp = core.runningPriority(cpu);
        return rp === IDLE_PRIORITY ? 0xff : rp;
      }
      case 0x18:
        return core.highestPendingId(cpu, this.#ackGroups(cpu));
      case 0x1c:
        return core.bpr1[cpu]!;
      case 0x20:
        return core.acknowledge(cpu, AckGroups.Group1);
      case 0x28:
        return core.highestPendingId(cpu, AckGroups.Group1);
      case 0xd0:
        return core.apr[cpu * 8]!;
      case 0xfc:
        return GICC_IIDR;
      default:
        return 0;
    }
  }

  #ackGroups(cpu: number): AckGroups {
    // GICC_CTLR.AckCtl lets GICC_IAR take group 1 interrupts too.
    return this.core.cpuCtlr[cpu]! & 4 ? AckGroups.Both : AckGroups.Group0;
  }

  #cpuWrite(off: number, value: number): void {
    const core = this.core;
    const cpu = this.#cpu();
    switch (off) {
      case 0x00:
        core.cpuCtlr[cpu] = value & GICC_CTLR_MASK;
        break;
      case 0x04:
        core.pmr[cpu] = value & 0xff;
        break;
      case 0x08:
        core.bpr0[cpu] = value & 7;
        break;
      case 0x10:
        core.endOfInterrupt(cpu, value, 0);
        return;
      case 0x1c:
        core.bpr1[cpu] = Math.max(1, value & 7);
        break;
      case 0x24:
        core.endOfInterrupt(cpu, value, 1);
        return;
      case 0xd0:
        core.apr[cpu * 8] = value >>> 0;
        break;
      case 0x1000:
        core.deactivate(cpu, value & 0x3ff);
        return;
      default:
        return;
    }
    core.update();
  }

  // ---- GICH ----

  #hypRead(off: number): number {
    const v = this.virtual[this.#cpu()];
    if (v === undefined) return 0;
    if (off >= 0x100 && off < 0x100 + 4 * LIST_REGISTERS)
      return this.#readLr(v, (off - 0x100) >> 2);
    switch (off) {
      case 0x00:
        return v.hcrValue();
      case 0x04:
        return GICH_VTR;
      case 0x08:
        return v.vmcrValue();
      case 0x10:
        return v.misr();
      case 0x20:
        return v.eisr();
      case 0x30:
        return v.elrsr();
      case 0xf0:
        return v.apr[0]!;
      default:
        return 0;
    }
  }

  #hypWrite(off: number, value: number): void {
    const v = this.virtual[this.#cpu()];
    if (v === undefined) return;
    if (off >= 0x100 && off < 0x100 + 4 * LIST_REGISTERS) {
      v.setLr((off - 0x100) >> 2, {
        vintid: value & 0x3ff,
        pfield: (value >>> 10) & 0x3ff,
        prio: ((value >>> 23) & 0x1f) << 3,
        group: (value >>> 30) & 1,
        hw: value >>> 31 === 1,
        state: (value >>> 28) & 3,
      });
      return;
    }
    switch (off) {
      case 0x00:
        v.writeHcr(value);
        break;
      case 0x08:
        v.writeVmcr(value);
        break;
      case 0xf0:
        v.apr[0] = value >>> 0;
        v.update();
        break;
    }
  }

  #readLr(v: VirtualCpuInterface, n: number): number {
    return (
      ((v.vintid[n]! & 0x3ff) |
        ((v.pfield[n]! & 0x3ff) << 10) |
        ((v.prio[n]! >> 3) << 23) |
        (v.state[n]! << 28) |
        (v.group[n]! << 30) |
        (v.hw[n]! << 31)) >>>
      0
    );
  }

  // ---- GICV: the guest's GICC ----

  #vcpuRead(off: number): number {
    const v = this.virtual[this.#cpu()];
    if (v === undefined) return 0;
    const ackAll = (v.vmcrFlags & 4) !== 0;
    switch (off) {
      case 0x00:
        return v.vmcrFlags;
      case 0x04:
        return v.vpmr;
      case 0x08:
        return v.vbpr0;
      case 0x0c:
        return v.acknowledge(ackAll ? 3 : 1);
      case 0x14: {
        const rp = v.runningPriority();
        return rp === IDLE_PRIORITY ? 0xff : rp;
      }
      case 0x18:
        return v.highestPendingId(ackAll ? 3 : 1);
      case 0x1c:
        return v.vbpr1;
      case 0x20:
        return v.acknowledge(2);
      case 0x28:
        return v.highestPendingId(2);
      case 0xd0:
        return v.apr[0]!;
      case 0xfc:
        return GICC_IIDR;
      default:
        return 0;
    }
  }

  #vcpuWrite(off: number, value: number): void {
    const v = this.virtual[this.#cpu()];
    if (v === undefined) return;
    switch (off) {
      case 0x00:
        // GICV_CTLR's bits sit where GICH_VMCR keeps them.
        v.writeVmcr(((v.vmcrValue() & ~0x3ff) | (value & 0x3ff)) >>> 0);
        break;
      case 0x04:
        v.writeVmcr(((v.vmcrValue() & 0x07ff_ffff) | (((value >>> 3) & 0x1f) << 27)) >>> 0);
        break;
      case 0x08:
        v.writeVmcr(((v.vmcrValue() & ~(7 << 21)) | ((value & 7) << 21)) >>> 0);
        break;
      case 0x10:
        v.endOfInterrupt(value, 0);
        break;
      case 0x1c:
        v.writeVmcr(((v.vmcrValue() & ~(7 << 18)) | ((value & 7) << 18)) >>> 0);
        break;
      case 0x24:
        v.endOfInterrupt(value, 1);
        break;
      case 0xd0:
        v.apr[0] = value >>> 0;
        v.update();
        break;
      case 0x1000:
        v.deactivate(value & 0x3ff);
        break;
    }
  }
}
