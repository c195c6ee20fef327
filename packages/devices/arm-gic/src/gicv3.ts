import { type IrqLine, irqLine, type SavedRecord, StateReader } from "@axvisor/axdevice-base";
import { GIC_IIDR_ARM, IDLE_PRIORITY, LIST_REGISTERS, PPI, PRIVATE_IRQS } from "./constants.js";
import { AckGroups, GicCore, ICC_CTLR_CBPR, ICC_CTLR_EOIMODE, ICC_CTLR_PMHE } from "./gic-core.js";
import { loadGicCore, saveGicCore } from "./gic-state.js";
import {
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
import { GicSysReg, type GicSysRegContext, type GicSysRegDevice } from "./sysreg.js";
import {
  VirtualCpuInterface,
  VMCR_VCBPR,
  VMCR_VENG0,
  VMCR_VENG1,
  VMCR_VEOIM,
} from "./virtual-cpu.js";

export interface GicV3Options {
  readonly numCpus: number;
  /** Interrupt IDs: 32 private + SPIs (QEMU virt: 288). */
  readonly numIrqs?: number;
  readonly outputs: readonly GicCpuOutputs[];
  /** Each CPU's affinity, Aff3<<24 | Aff2<<16 | Aff1<<8 | Aff0 (default: Aff0 = CPU index). */
  readonly affinity?: (cpu: number) => number;
  /** QEMU virt: 0x0800_0000. */
  readonly distributorBase: number;
  /** First redistributor (QEMU virt: 0x080A_0000); each CPU's takes 0x2_0000. */
  readonly redistributorBase: number;
  /** The ICH_*_EL2 / ICV_* virtualization interface (default true). */
  readonly virtualization?: boolean;
  /** False: nothing reads `outputs` (a virtual GIC); see `GicCoreOptions.wired`. */
  readonly wired?: boolean;
}

const GICD_SIZE = 0x1_0000;
export const GICR_STRIDE = 0x2_0000;
const SGI_BASE = 0x1_0000;
/** Peripheral/component IDs at 0xFFD0..0xFFFC (QEMU's GICv3 values; PIDR2 says ArchRev 3). */
const GIC_V3_IDS = [0x44, 0x00, 0x00, 0x00, 0x92, 0xb4, 0x3b, 0x00, 0x0d, 0xf0, 0x05, 0xb1];
/** GICD_CTLR: ARE and DS read as one (affinity routing, a single Security state). */
const GICD_CTLR_ARE = 1 << 4;
const GICD_CTLR_DS = 1 << 6;
const GICR_WAKER_PROCESSOR_SLEEP = 1 << 1;
const GICR_WAKER_CHILDREN_ASLEEP = 1 << 2;
/** ICC_CTLR_EL1 read-only fields: PRIbits = 7 (8 bits), IDbits 16, A3V. */
const ICC_CTLR_RO = (7 << 8) | (1 << 15);
/** ICV_CTLR_EL1: PRIbits = 4 (5 bits), A3V. */
const ICV_CTLR_RO = (4 << 8) | (1 << 15);
const ICC_CTLR_WRITABLE = ICC_CTLR_CBPR | ICC_CTLR_EOIMODE | ICC_CTLR_PMHE;
/** ICC_SRE_ELx: SRE, DFB, DIB (and Enable at EL2), all fixed at one. */
const ICC_SRE_EL1 = 0x7n;
const ICC_SRE_EL2 = 0xfn;
/** ICH_VTR_EL2: 5 priority and preemption bits, A3V, nV4, 16-bit IDs, 4 list registers. */
const ICH_VTR = ((4 << 29) | (4 << 26) | (1 << 21) | (1 << 20) | (LIST_REGISTERS - 1)) >>> 0;

const lo32 = (v: bigint): number => Number(v & 0xffff_ffffn);
const hi32 = (v: bigint): number => Number((v >> 32n) & 0xffff_ffffn);
const u64 = (hi: number, lo: number): bigint => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);

/**
 * A GICv3 (ARM IHI 0069) as QEMU's virt board has it with `gic-version=3`: one Security
 * state (GICD_CTLR.DS = 1), affinity routing always on, no LPIs/ITS. The distributor
 * serves SPIs (routed by GICD_IROUTER); each CPU's redistributor (RD_base + SGI_base frames)
 * serves its SGIs and PPIs; the CPU interface is the ICC_* system registers, reached through
 * the CPU's `sysRegDevice` hook (`sysRegs`), and with virtualization the ICH_*_EL2 registers
 * and ICV_* (what EL1 reaches when HCR_EL2.IMO/FMO are set) drive each CPU's virtual lines.
 */
export class GicV3 {
  readonly core: GicCore;
  readonly distributor: GicMmioFrame;
  readonly redistributors: GicMmioFrame;
  readonly virtual: readonly VirtualCpuInterface[];
  readonly #spiLines = new Map<number, IrqLine>();
  /** The hook the CPUs call for ICC/ICV/ICH system registers. */
  readonly sysRegs: GicSysRegDevice;
  readonly #waker: Uint8Array;

  constructor(o: GicV3Options) {
    const core = new GicCore({
      version: 3,
      numCpus: o.numCpus,
      numIrqs: o.numIrqs ?? 288,
      outputs: o.outputs,
      ...(o.wired !== undefined ? { wired: o.wired } : {}),
      ...(o.affinity !== undefined ? { affinity: o.affinity } : {}),
    });
    this.core = core;
    this.#waker = new Uint8Array(o.numCpus);
    this.distributor = new GicMmioFrame(
      o.distributorBase,
      GICD_SIZE,
      {
        read: (off, w) => this.#distRead(off, w),
        write: (off, w, v) => this.#distWrite(off, w, v),
      },
      undefined,
      () => this.reset(),
    );
    this.redistributors = new GicMmioFrame(o.redistributorBase, GICR_STRIDE * o.numCpus, {
      read: (off, w) => this.#redistRead(Math.floor(off / GICR_STRIDE), off % GICR_STRIDE, w),
      write: (off, w, v) =>
        this.#redistWrite(Math.floor(off / GICR_STRIDE), off % GICR_STRIDE, w, v),
    });
    const vcpus: VirtualCpuInterface[] = [];
    if (o.virtualization ?? true) {
      for (let c = 0; c < o.numCpus; c++) {
        const out = o.outputs[c]!;
        vcpus.push(
          new VirtualCpuInterface(true, {
            setVirq: (l) => out.setVirq(l),
            setVfiq: (l) => out.setVfiq(l),
            setMaintenance: (l) => core.setPpiLevel(c, PPI.maintenance, l),
            deactivatePhysical: (irq) => core.deactivate(c, irq),
          }),
        );
      }
    }
    this.virtual = vcpus;
    this.sysRegs = {
      read: (cpu, enc, ctx) => this.#sysRead(cpu, enc, ctx),
      write: (cpu, enc, value, ctx) => this.#sysWrite(cpu, enc, value, ctx),
    };
    this.reset();
  }

  get frames(): readonly GicMmioFrame[] {
    return [this.distributor, this.redistributors];
  }

  reset(): void {
    this.core.reset();
    this.core.distCtlr = 0;
    this.#waker.fill(GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP);
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

  setPpi(cpu: number, intid: number, level: boolean): void {
    this.core.setPpiLevel(cpu, intid, level);
  }

  // ---- GICD ----

  #distRead(off: number, width: number): number {
    const core = this.core;
    if (off >= 0x400 && off < 0x800) {
      const irq = off - 0x400;
      return irq < PRIVATE_IRQS ? 0 : readPriorities(core, 0, irq, width);
    }
    if (off >= 0x6000 && off < 0x8000) return narrow(this.#readRouter(off), off, width);
    if (off >= 0xffd0) return (off & 3) === 0 ? GIC_V3_IDS[(off - 0xffd0) >> 2]! : 0;
    const w = off & ~3;
    let word = 0;
    const bank = bitRegAt(w);
    if (bank !== undefined) {
      const first = ((w & 0x7f) >> 2) * 32;
      // With affinity routing, the redistributors own INTIDs 0-31.
      word = first === 0 ? 0 : readBits(core, 0, bank, first);
    } else if (w >= 0xc00 && w < 0xd00) {
      const first = ((w - 0xc00) >> 2) * 16;
      word = first < PRIVATE_IRQS ? 0 : readConfig(core, 0, first);
    } else if (w === 0x0) {
      word = core.distCtlr | GICD_CTLR_ARE | GICD_CTLR_DS;
    } else if (w === 0x4) {
      // ITLinesNumber, CPUNumber, IDbits = 9 (10-bit INTIDs), no LPIs, no Security Extensions.
      word = (core.numIrqs / 32 - 1) | ((Math.min(core.numCpus, 8) - 1) << 5) | (9 << 19);
    } else if (w === 0x8) {
      word = GIC_IIDR_ARM;
    }
    return narrow(word, off, width);
  }

  #distWrite(off: number, width: number, value: number): void {
    const core = this.core;
    if (off >= 0x400 && off < 0x800) {
      const irq = off - 0x400;
      if (irq >= PRIVATE_IRQS) writePriorities(core, 0, irq, width, value);
      return;
    }
    if (off >= 0x6000 && off < 0x8000) {
      this.#writeRouter(off & ~3, mergeNarrow(this.#readRouter(off & ~3), off, width, value));
      return;
    }
    const w = off & ~3;
    const bank = bitRegAt(w);
    if (bank !== undefined) {
      const first = ((w & 0x7f) >> 2) * 32;
      if (first === 0) return;
      const v =
        width >= 4 || isSetClear(bank)
          ? (value << (8 * (off & 3))) >>> 0
          : mergeNarrow(readBits(core, 0, bank, first), off, width, value);
      writeBits(core, 0, bank, first, v);
    } else if (w >= 0xc00 && w < 0xd00) {
      const first = ((w - 0xc00) >> 2) * 16;
      if (first < PRIVATE_IRQS) return;
      writeConfig(core, 0, first, mergeNarrow(readConfig(core, 0, first), off, width, value));
    } else if (w === 0x0) {
      core.distCtlr = mergeNarrow(core.distCtlr, off, width, value) & 3;
      core.update();
    }
  }

  /** One word of GICD_IROUTER<n> (0x6000 + 8n): low = Aff2.Aff1.Aff0 + IRM (bit 31), high = Aff3. */
  #readRouter(off: number): number {
    const irq = (off - 0x6000) >> 3;
    if (irq < PRIVATE_IRQS || irq >= this.core.numIrqs) return 0;
    const aff = this.core.routeAffinity[irq]!;
    if (off & 4) return aff >>> 24;
    return ((aff & 0xff_ffff) | (this.core.routeAny[irq]! << 31)) >>> 0;
  }

  #writeRouter(off: number, value: number): void {
    const irq = (off - 0x6000) >> 3;
    if (irq < PRIVATE_IRQS || irq >= this.core.numIrqs) return;
    const aff = this.core.routeAffinity[irq]!;
    if (off & 4) {
      this.core.routeAffinity[irq] = ((aff & 0xff_ffff) | ((value & 0xff) << 24)) >>> 0;
    } else {
      this.core.routeAffinity[irq] = ((aff & 0xff00_0000) | (value & 0xff_ffff)) >>> 0;
      this.core.routeAny[irq] = value >>> 31;
    }
    this.core.update();
  }

  // ---- GICR ----

  #redistRead(cpu: number, off: number, width: number): number {
    const core = this.core;
    if (off >= SGI_BASE) {
      const o = off - SGI_BASE;
      if (o >= 0x400 && o < 0x420) return readPriorities(core, cpu, o - 0x400, width);
      const w = o & ~3;
      const bank = bitRegAt(w);
      let word = 0;
      if (bank !== undefined && (w & 0x7f) === 0) word = readBits(core, cpu, bank, 0);
      else if (w === 0xc00 || w === 0xc04) word = readConfig(core, cpu, (w - 0xc00) * 4);
      return narrow(word, o, width);
    }
    if (off >= 0xffd0) return (off & 3) === 0 ? GIC_V3_IDS[(off - 0xffd0) >> 2]! : 0;
    const w = off & ~3;
    let word = 0;
    switch (w) {
      case 0x4:
        word = GIC_IIDR_ARM;
        break;
      case 0x8:
        // TYPER low: processor number, Last for the final redistributor.
        word = (cpu << 8) | (cpu === core.numCpus - 1 ? 1 << 4 : 0);
        break;
      case 0xc:
        word = core.affinityOf(cpu) >>> 0;
        break;
      case 0x14:
        word = this.#waker[cpu]!;
        break;
    }
    return narrow(word, off, width);
  }

  #redistWrite(cpu: number, off: number, width: number, value: number): void {
    const core = this.core;
    if (off >= SGI_BASE) {
      const o = off - SGI_BASE;
      if (o >= 0x400 && o < 0x420) {
        writePriorities(core, cpu, o - 0x400, width, value);
        return;
      }
      const w = o & ~3;
      const bank = bitRegAt(w);
      if (bank !== undefined && (w & 0x7f) === 0) {
        const v =
          width >= 4 || isSetClear(bank)
            ? (value << (8 * (o & 3))) >>> 0
            : mergeNarrow(readBits(core, cpu, bank, 0), o, width, value);
        writeBits(core, cpu, bank, 0, v);
      } else if (w === 0xc00 || w === 0xc04) {
        const first = (w - 0xc00) * 4;
        writeConfig(core, cpu, first, mergeNarrow(readConfig(core, cpu, first), o, width, value));
      }
      return;
    }
    if ((off & ~3) === 0x14) {
      // Waking the redistributor: ChildrenAsleep follows ProcessorSleep at once.
      const sleep = mergeNarrow(this.#waker[cpu]!, off, width, value) & GICR_WAKER_PROCESSOR_SLEEP;
      this.#waker[cpu] = sleep ? GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP : 0;
    }
  }

  // ---- system registers ----

  #sysRead(cpu: number, enc: number, ctx: GicSysRegContext): bigint | undefined {
    if (cpu < 0 || cpu >= this.core.numCpus || ctx.el === 0) return undefined;
    if (enc >= GicSysReg.ICH_AP0R0_EL2 && enc <= GicSysReg.ICH_LR0_EL2 + 15) {
      return ctx.el >= 2 ? this.#ichRead(cpu, enc) : undefined;
    }
    const v = this.#virtualFor(cpu, enc, ctx);
    if (v !== undefined) return this.#icvRead(v, enc);
    const core = this.core;
    const G = GicSysReg;
    switch (enc) {
      case G.ICC_PMR_EL1:
        return BigInt(core.pmr[cpu]!);
      case G.ICC_IAR0_EL1:
        return BigInt(core.acknowledge(cpu, AckGroups.Group0));
      case G.ICC_IAR1_EL1:
        return BigInt(core.acknowledge(cpu, AckGroups.Group1));
      case G.ICC_HPPIR0_EL1:
        return BigInt(core.highestPendingId(cpu, AckGroups.Group0));
      case G.ICC_HPPIR1_EL1:
        return BigInt(core.highestPendingId(cpu, AckGroups.Group1));
      case G.ICC_BPR0_EL1:
        return BigInt(core.bpr0[cpu]!);
      case G.ICC_BPR1_EL1: {
        const cbpr = (core.cpuCtlr[cpu]! & ICC_CTLR_CBPR) !== 0;
        return BigInt(cbpr ? Math.min(7, core.bpr0[cpu]! + 1) : core.bpr1[cpu]!);
      }
      case G.ICC_RPR_EL1: {
        const rp = core.runningPriority(cpu);
        return BigInt(rp === IDLE_PRIORITY ? 0xff : rp);
      }
      case G.ICC_CTLR_EL1:
        return BigInt(core.cpuCtlr[cpu]! | ICC_CTLR_RO);
      case G.ICC_SRE_EL1:
        return ICC_SRE_EL1;
      case G.ICC_SRE_EL2:
        return ctx.el >= 2 ? ICC_SRE_EL2 : undefined;
      case G.ICC_IGRPEN0_EL1:
        return BigInt(core.igrpen[cpu * 2]!);
      case G.ICC_IGRPEN1_EL1:
        return BigInt(core.igrpen[cpu * 2 + 1]!);
      case G.ICC_EOIR0_EL1:
      case G.ICC_EOIR1_EL1:
      case G.ICC_DIR_EL1:
      case G.ICC_SGI0R_EL1:
      case G.ICC_SGI1R_EL1:
      case G.ICC_ASGI1R_EL1:
        return 0n; // write-only
    }
    if (enc >= G.ICC_AP0R0_EL1 && enc < G.ICC_AP0R0_EL1 + 4) {
      return BigInt(core.apr[cpu * 8 + (enc - G.ICC_AP0R0_EL1)]!);
    }
    if (enc >= G.ICC_AP1R0_EL1 && enc < G.ICC_AP1R0_EL1 + 4) {
      return BigInt(core.apr[cpu * 8 + 4 + (enc - G.ICC_AP1R0_EL1)]!);
    }
    return undefined;
  }

  #sysWrite(cpu: number, enc: number, value: bigint, ctx: GicSysRegContext): boolean {
    if (cpu < 0 || cpu >= this.core.numCpus || ctx.el === 0) return false;
    if (enc >= GicSysReg.ICH_AP0R0_EL2 && enc <= GicSysReg.ICH_LR0_EL2 + 15) {
      return ctx.el >= 2 && this.#ichWrite(cpu, enc, value);
    }
    const v = this.#virtualFor(cpu, enc, ctx);
    if (v !== undefined) return this.#icvWrite(v, enc, value);
    const core = this.core;
    const G = GicSysReg;
    const n = lo32(value);
    switch (enc) {
      case G.ICC_PMR_EL1:
        core.pmr[cpu] = n & 0xff;
        break;
      case G.ICC_EOIR0_EL1:
        core.endOfInterrupt(cpu, n & 0xffffff, 0);
        return true;
      case G.ICC_EOIR1_EL1:
        core.endOfInterrupt(cpu, n & 0xffffff, 1);
        return true;
      case G.ICC_DIR_EL1:
        core.deactivate(cpu, n & 0xffffff);
        return true;
      case G.ICC_BPR0_EL1:
        core.bpr0[cpu] = n & 7;
        break;
      case G.ICC_BPR1_EL1:
        if ((core.cpuCtlr[cpu]! & ICC_CTLR_CBPR) === 0) core.bpr1[cpu] = Math.max(1, n & 7);
        break;
      case G.ICC_CTLR_EL1:
        core.cpuCtlr[cpu] = n & ICC_CTLR_WRITABLE;
        break;
      case G.ICC_SRE_EL1:
        return true;
      case G.ICC_SRE_EL2:
        return ctx.el >= 2;
      case G.ICC_IGRPEN0_EL1:
        core.igrpen[cpu * 2] = n & 1;
        break;
      case G.ICC_IGRPEN1_EL1:
        core.igrpen[cpu * 2 + 1] = n & 1;
        break;
      case G.ICC_SGI0R_EL1:
        this.#sendSgis(cpu, value, 0);
        return true;
      case G.ICC_SGI1R_EL1:
        this.#sendSgis(cpu, value, 1);
        return true;
      case G.ICC_ASGI1R_EL1:
        // With a single Security state there is no "other" state to send to.
        return true;
      case G.ICC_IAR0_EL1:
      case G.ICC_IAR1_EL1:
      case G.ICC_HPPIR0_EL1:
      case G.ICC_HPPIR1_EL1:
      case G.ICC_RPR_EL1:
        return true; // read-only: writes ignored
      default:
        if (enc >= G.ICC_AP0R0_EL1 && enc < G.ICC_AP0R0_EL1 + 4) {
          core.apr[cpu * 8 + (enc - G.ICC_AP0R0_EL1)] = n;
          break;
        }
        if (enc >= G.ICC_AP1R0_EL1 && enc < G.ICC_AP1R0_EL1 + 4) {
          core.apr[cpu * 8 + 4 + (enc - G.ICC_AP1R0_EL1)] = n;
          break;
        }
        return false;
    }
    core.update();
    return true;
  }

  /** ICC_SGI0R/SGI1R_EL1: TargetList 15:0, Aff1 23:16, INTID 27:24, Aff2 39:32, IRM 40, RS 47:44, Aff3 55:48. */
  #sendSgis(cpu: number, value: bigint, group: number): void {
    const core = this.core;
    const lo = lo32(value);
    const hi = hi32(value);
    const sgi = (lo >>> 24) & 0xf;
    const send = (target: number) => {
      if (target < 0 || core.group[core.slot(target, sgi)] !== group) return;
      core.sendSgi(cpu, target, sgi);
    };
    if (hi & (1 << 8)) {
      for (let t = 0; t < core.numCpus; t++) if (t !== cpu) send(t);
    } else {
      const list = lo & 0xffff;
      const rs = (hi >>> 12) & 0xf;
      const upper =
        (((hi >>> 16) & 0xff) << 24) | ((hi & 0xff) << 16) | (((lo >>> 16) & 0xff) << 8);
      for (let i = 0; i < 16; i++) {
        if (list & (1 << i)) send(core.cpuWithAffinity((upper | (rs * 16 + i)) >>> 0));
      }
    }
    core.update();
  }

  /** The virtual interface an EL1 access reaches when HCR_EL2.IMO/FMO route it there. */
  #virtualFor(cpu: number, enc: number, ctx: GicSysRegContext): VirtualCpuInterface | undefined {
    if (ctx.el !== 1) return undefined;
    const v = this.virtual[cpu];
    if (v === undefined) return undefined;
    const G = GicSysReg;
    switch (enc) {
      case G.ICC_IAR0_EL1:
      case G.ICC_EOIR0_EL1:
      case G.ICC_HPPIR0_EL1:
      case G.ICC_BPR0_EL1:
      case G.ICC_IGRPEN0_EL1:
        return ctx.fiqVirtual ? v : undefined;
      case G.ICC_IAR1_EL1:
      case G.ICC_EOIR1_EL1:
      case G.ICC_HPPIR1_EL1:
      case G.ICC_BPR1_EL1:
      case G.ICC_IGRPEN1_EL1:
        return ctx.irqVirtual ? v : undefined;
      case G.ICC_PMR_EL1:
      case G.ICC_RPR_EL1:
      case G.ICC_CTLR_EL1:
      case G.ICC_DIR_EL1:
        return ctx.irqVirtual || ctx.fiqVirtual ? v : undefined;
    }
    if (enc >= G.ICC_AP0R0_EL1 && enc < G.ICC_AP0R0_EL1 + 4) return ctx.fiqVirtual ? v : undefined;
    if (enc >= G.ICC_AP1R0_EL1 && enc < G.ICC_AP1R0_EL1 + 4) return ctx.irqVirtual ? v : undefined;
    return undefined;
  }

  #icvRead(v: VirtualCpuInterface, enc: number): bigint {
    const G = GicSysReg;
    switch (enc) {
      case G.ICC_IAR0_EL1:
        return BigInt(v.acknowledge(1));
      case G.ICC_IAR1_EL1:
        return BigInt(v.acknowledge(2));
      case G.ICC_HPPIR0_EL1:
        return BigInt(v.highestPendingId(1));
      case G.ICC_HPPIR1_EL1:
        return BigInt(v.highestPendingId(2));
      case G.ICC_BPR0_EL1:
        return BigInt(v.vbpr0);
      case G.ICC_BPR1_EL1:
        return BigInt(v.vmcrFlags & VMCR_VCBPR ? Math.min(7, v.vbpr0 + 1) : v.vbpr1);
      case G.ICC_IGRPEN0_EL1:
        return v.vmcrFlags & VMCR_VENG0 ? 1n : 0n;
      case G.ICC_IGRPEN1_EL1:
        return v.vmcrFlags & VMCR_VENG1 ? 1n : 0n;
      case G.ICC_PMR_EL1:
        return BigInt(v.vpmr);
      case G.ICC_RPR_EL1: {
        const rp = v.runningPriority();
        return BigInt(rp === IDLE_PRIORITY ? 0xff : rp);
      }
      case G.ICC_CTLR_EL1:
        return BigInt(
          (v.vmcrFlags & VMCR_VCBPR ? 1 : 0) | (v.vmcrFlags & VMCR_VEOIM ? 2 : 0) | ICV_CTLR_RO,
        );
    }
    if (enc === G.ICC_AP0R0_EL1) return BigInt(v.apr[0]!);
    if (enc === G.ICC_AP1R0_EL1) return BigInt(v.apr[1]!);
    return 0n; // EOIR/DIR are write-only; AP0R1-3/AP1R1-3 do not exist with 5 priority bits
  }

  #icvWrite(v: VirtualCpuInterface, enc: number, value: bigint): boolean {
    const G = GicSysReg;
    const n = lo32(value);
    const vmcr = v.vmcrValue();
    const setVmcr = (mask: number, bits: number) => v.writeVmcr(((vmcr & ~mask) | bits) >>> 0);
    switch (enc) {
      case G.ICC_EOIR0_EL1:
        v.endOfInterrupt(n, 0);
        return true;
      case G.ICC_EOIR1_EL1:
        v.endOfInterrupt(n, 1);
        return true;
      case G.ICC_DIR_EL1:
        v.deactivate(n & 0xffffff);
        return true;
      case G.ICC_BPR0_EL1:
        setVmcr(7 << 21, (n & 7) << 21);
        return true;
      case G.ICC_BPR1_EL1:
        if (!(v.vmcrFlags & VMCR_VCBPR)) setVmcr(7 << 18, (n & 7) << 18);
        return true;
      case G.ICC_IGRPEN0_EL1:
        setVmcr(VMCR_VENG0, n & 1 ? VMCR_VENG0 : 0);
        return true;
      case G.ICC_IGRPEN1_EL1:
        setVmcr(VMCR_VENG1, n & 1 ? VMCR_VENG1 : 0);
        return true;
      case G.ICC_PMR_EL1:
        setVmcr(0xff00_0000, (n & 0xff) << 24);
        return true;
      case G.ICC_CTLR_EL1:
        setVmcr(VMCR_VCBPR | VMCR_VEOIM, (n & 1 ? VMCR_VCBPR : 0) | (n & 2 ? VMCR_VEOIM : 0));
        return true;
      case G.ICC_AP0R0_EL1:
        v.apr[0] = n;
        v.update();
        return true;
      case G.ICC_AP1R0_EL1:
        v.apr[1] = n;
        v.update();
        return true;
    }
    return true; // read-only registers and the absent AP registers ignore writes
  }

  #ichRead(cpu: number, enc: number): bigint | undefined {
    const v = this.virtual[cpu];
    if (v === undefined) return undefined;
    const G = GicSysReg;
    if (enc >= G.ICH_LR0_EL2) {
      const n = enc - G.ICH_LR0_EL2;
      if (n >= LIST_REGISTERS) return undefined;
      const hi =
        (v.pfield[n]! & 0x1fff) |
        (v.prio[n]! << 16) |
        (v.group[n]! << 28) |
        (v.hw[n]! << 29) |
        (v.state[n]! << 30);
      return u64(hi, v.vintid[n]!);
    }
    switch (enc) {
      case G.ICH_AP0R0_EL2:
        return BigInt(v.apr[0]!);
      case G.ICH_AP1R0_EL2:
        return BigInt(v.apr[1]!);
      case G.ICH_HCR_EL2:
        return BigInt(v.hcrValue());
      case G.ICH_VTR_EL2:
        return BigInt(ICH_VTR);
      case G.ICH_MISR_EL2:
        return BigInt(v.misr());
      case G.ICH_EISR_EL2:
        return BigInt(v.eisr());
      case G.ICH_ELRSR_EL2:
        return BigInt(v.elrsr());
      case G.ICH_VMCR_EL2:
        return BigInt(v.vmcrValue());
      case G.ICC_SRE_EL2:
        return ICC_SRE_EL2;
    }
    // ICH_AP0R1-3/AP1R1-3 are absent with 5 priority bits.
    return undefined;
  }

  #ichWrite(cpu: number, enc: number, value: bigint): boolean {
    const v = this.virtual[cpu];
    if (v === undefined) return false;
    const G = GicSysReg;
    const lo = lo32(value);
    if (enc >= G.ICH_LR0_EL2) {
      const n = enc - G.ICH_LR0_EL2;
      if (n >= LIST_REGISTERS) return false;
      const hi = hi32(value);
      v.setLr(n, {
        vintid: lo,
        pfield: hi & 0x1fff,
        prio: (hi >>> 16) & 0xff,
        group: (hi >>> 28) & 1,
        hw: ((hi >>> 29) & 1) === 1,
        state: (hi >>> 30) & 3,
      });
      return true;
    }
    switch (enc) {
      case G.ICH_AP0R0_EL2:
        v.apr[0] = lo;
        v.update();
        return true;
      case G.ICH_AP1R0_EL2:
        v.apr[1] = lo;
        v.update();
        return true;
      case G.ICH_HCR_EL2:
        v.writeHcr(lo);
        return true;
      case G.ICH_VMCR_EL2:
        v.writeVmcr(lo);
        return true;
      case G.ICC_SRE_EL2:
        return true;
      case G.ICH_VTR_EL2:
      case G.ICH_MISR_EL2:
      case G.ICH_EISR_EL2:
      case G.ICH_ELRSR_EL2:
        return true; // read-only
    }
    return false;
  }

  // ---- snapshot ----

  /** The GIC's state (see `saveGicCore`) and each redistributor's GICR_WAKER. */
  saveState(): SavedRecord {
    return { core: saveGicCore(this.core), waker: [...this.#waker] };
  }

  /** Puts back what `saveState` returned; throws an AxError naming the field that does not fit. */
  loadState(state: SavedRecord): void {
    const r = new StateReader(state, "GICv3");
    const waker = r.ints("waker", this.core.numCpus, 0, 0xff);
    loadGicCore(this.core, r.nested("core"), "GICv3");
    this.#waker.set(waker);
  }
}
