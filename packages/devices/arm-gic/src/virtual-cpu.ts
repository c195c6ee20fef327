import {
  IDLE_PRIORITY,
  INTID_GROUP_MISMATCH,
  INTID_SPURIOUS,
  LIST_REGISTERS,
} from "./constants.js";

/** List-register states. */
export const LR_PENDING = 1;
export const LR_ACTIVE = 2;

/** GICH_HCR / ICH_HCR_EL2 bits. */
export const HCR_EN = 1 << 0;
export const HCR_UIE = 1 << 1;
export const HCR_LRENPIE = 1 << 2;
export const HCR_NPIE = 1 << 3;
export const HCR_VGRP0EIE = 1 << 4;
export const HCR_VGRP0DIE = 1 << 5;
export const HCR_VGRP1EIE = 1 << 6;
export const HCR_VGRP1DIE = 1 << 7;
export const HCR_EOICOUNT_SHIFT = 27;

/** GICH_MISR / ICH_MISR_EL2 bits. */
export const MISR_EOI = 1 << 0;
export const MISR_U = 1 << 1;
export const MISR_LRENP = 1 << 2;
export const MISR_NP = 1 << 3;
export const MISR_VGRP0E = 1 << 4;
export const MISR_VGRP0D = 1 << 5;
export const MISR_VGRP1E = 1 << 6;
export const MISR_VGRP1D = 1 << 7;

/** GICH_VMCR / ICH_VMCR_EL2 bits below the binary points and the priority mask. */
export const VMCR_VENG0 = 1 << 0;
export const VMCR_VENG1 = 1 << 1;
export const VMCR_VACKCTL = 1 << 2;
export const VMCR_VFIQEN = 1 << 3;
export const VMCR_VCBPR = 1 << 4;
export const VMCR_VEOIM = 1 << 9;
const VMCR_FLAGS = VMCR_VENG0 | VMCR_VENG1 | VMCR_VACKCTL | VMCR_VFIQEN | VMCR_VCBPR | VMCR_VEOIM;

/** In the physical-ID field of a software (HW = 0) list register: request an EOI maintenance interrupt. */
const PHYS_EOI = 1 << 9;
/** Priorities keep their top 5 bits (QEMU's virtual interface). */
const PRIO_MASK = 0xf8;
/** Smallest binary points for 5 priority bits: group 0 splits [7:3], group 1 one less. */
const MIN_VBPR0 = 2;
const MIN_VBPR1 = 3;

/** Where the virtual interface sends its outputs and deactivates hardware interrupts. */
export interface VirtualCpuWires {
  setVirq(level: boolean): void;
  setVfiq(level: boolean): void;
  /** The maintenance interrupt (PPI 25 of this CPU). */
  setMaintenance(level: boolean): void;
  /** A HW list register's interrupt was deactivated: deactivate physical `pintid`. */
  deactivatePhysical(pintid: number): void;
}

/**
 * One CPU's virtual CPU interface: the hypervisor's side (list registers, HCR, VMCR, APR,
 * maintenance status: GICH_* for GICv2, ICH_*_EL2 for GICv3) and the guest's side
 * (acknowledge, EOI, deactivate, priority mask, binary points: GICV_* or ICV_*_EL1), both
 * backed by one state kept in version-neutral form. `v3` selects the GICv3 rules: group 0
 * is always signalled as a virtual FIQ and each group has its own active-priority register;
 * on GICv2, group 0 is a virtual FIQ only with VMCR.VFIQEn and one APR serves both.
 *
 * A list register holds: the virtual INTID, the physical field (a physical INTID for HW=1;
 * for HW=0 bit 9 asks for an EOI maintenance interrupt, bits 2:0 a GICv2 SGI's source
 * CPU), an 8-bit priority, the group, HW and the state (pending 1, active 2, both 3).
 */
export class VirtualCpuInterface {
  readonly v3: boolean;
  readonly numLrs = LIST_REGISTERS;
  readonly vintid = new Uint32Array(LIST_REGISTERS);
  readonly pfield = new Uint16Array(LIST_REGISTERS);
  readonly prio = new Uint8Array(LIST_REGISTERS);
  readonly group = new Uint8Array(LIST_REGISTERS);
  readonly hw = new Uint8Array(LIST_REGISTERS);
  readonly state = new Uint8Array(LIST_REGISTERS);
  /** HCR without EOIcount, which is kept apart. */
  hcr = 0;
  eoiCount = 0;
  /** VMCR's flag bits (VENG0/1, VAckCtl, VFIQEn, VCBPR, VEOIM). */
  vmcrFlags = 0;
  vpmr = 0;
  vbpr0 = MIN_VBPR0;
  vbpr1 = MIN_VBPR1;
  /** Active-priority bitmaps, one bit per group priority (priority >> 3): [group 0, group 1]. */
  readonly apr = new Uint32Array(2);

  readonly #wires: VirtualCpuWires;
  #virq = false;
  #vfiq = false;
  #maint = false;

  constructor(v3: boolean, wires: VirtualCpuWires) {
    this.v3 = v3;
    this.#wires = wires;
  }

  reset(): void {
    for (const a of [this.vintid, this.pfield, this.prio, this.group, this.hw, this.state]) {
      a.fill(0);
    }
    this.hcr = 0;
    this.eoiCount = 0;
    this.vmcrFlags = 0;
    this.vpmr = 0;
    this.vbpr0 = MIN_VBPR0;
    this.vbpr1 = MIN_VBPR1;
    this.apr.fill(0);
    this.update();
  }

  // ---- hypervisor side, version-neutral ----

  setLr(
    n: number,
    lr: { vintid: number; pfield: number; prio: number; group: number; hw: boolean; state: number },
  ): void {
    if (n < 0 || n >= LIST_REGISTERS) return;
    this.vintid[n] = lr.vintid >>> 0;
    this.pfield[n] = lr.pfield & 0x1fff;
    this.prio[n] = lr.prio & PRIO_MASK;
    this.group[n] = lr.group & 1;
    this.hw[n] = lr.hw ? 1 : 0;
    this.state[n] = lr.state & 3;
    this.update();
  }

  hcrValue(): number {
    return (this.hcr | ((this.eoiCount & 0x1f) << HCR_EOICOUNT_SHIFT)) >>> 0;
  }

  writeHcr(value: number): void {
    this.hcr = value & 0x7fff & ~(0x1f << HCR_EOICOUNT_SHIFT);
    this.eoiCount = (value >>> HCR_EOICOUNT_SHIFT) & 0x1f;
    this.update();
  }

  /** VMCR in GICH_VMCR (v2: VPMR 5 bits at 31:27) or ICH_VMCR_EL2 (v3: VPMR 8 bits at 31:24) layout. */
  vmcrValue(): number {
    const pmr = this.v3 ? this.vpmr << 24 : (this.vpmr >> 3) << 27;
    return (this.vmcrFlags | (this.vbpr1 << 18) | (this.vbpr0 << 21) | pmr) >>> 0;
  }

  writeVmcr(value: number): void {
    this.vmcrFlags = value & VMCR_FLAGS;
    this.vbpr1 = Math.max(MIN_VBPR1, (value >>> 18) & 7);
    this.vbpr0 = Math.max(MIN_VBPR0, (value >>> 21) & 7);
    this.vpmr = this.v3 ? (value >>> 24) & PRIO_MASK : ((value >>> 27) & 0x1f) << 3;
    this.update();
  }

  /** Bits of LRs that hold no interrupt and want no EOI maintenance. */
  elrsr(): number {
    let bits = 0;
    for (let n = 0; n < LIST_REGISTERS; n++) {
      if (this.state[n] === 0 && !this.#wantsEoi(n)) bits |= 1 << n;
    }
    return bits;
  }

  /** Bits of LRs whose interrupt was EOId and asked for a maintenance interrupt. */
  eisr(): number {
    let bits = 0;
    for (let n = 0; n < LIST_REGISTERS; n++) {
      if (this.state[n] === 0 && this.#wantsEoi(n)) bits |= 1 << n;
    }
    return bits;
  }

  misr(): number {
    const hcr = this.hcr;
    let m = 0;
    if (this.eisr() !== 0) m |= MISR_EOI;
    if (hcr & HCR_UIE) {
      let valid = 0;
      for (let n = 0; n < LIST_REGISTERS; n++) if (this.state[n] !== 0) valid++;
      if (valid <= 1) m |= MISR_U;
    }
    if (hcr & HCR_LRENPIE && this.eoiCount !== 0) m |= MISR_LRENP;
    if (hcr & HCR_NPIE && !this.state.some((s) => s === LR_PENDING)) m |= MISR_NP;
    const eng0 = (this.vmcrFlags & VMCR_VENG0) !== 0;
    const eng1 = (this.vmcrFlags & VMCR_VENG1) !== 0;
    if (hcr & HCR_VGRP0EIE && eng0) m |= MISR_VGRP0E;
    if (hcr & HCR_VGRP0DIE && !eng0) m |= MISR_VGRP0D;
    if (hcr & HCR_VGRP1EIE && eng1) m |= MISR_VGRP1E;
    if (hcr & HCR_VGRP1DIE && !eng1) m |= MISR_VGRP1D;
    return m;
  }

  #wantsEoi(n: number): boolean {
    return this.hw[n] === 0 && (this.pfield[n]! & PHYS_EOI) !== 0;
  }

  // ---- guest side ----

  #groupEnabled(g: number): boolean {
    return (this.vmcrFlags & (g === 0 ? VMCR_VENG0 : VMCR_VENG1)) !== 0;
  }

  groupPriority(prio: number, group: number): number {
    const shift = group === 0 || this.vmcrFlags & VMCR_VCBPR ? this.vbpr0 + 1 : this.vbpr1;
    return prio & (0xff << shift) & 0xff;
  }

  runningPriority(): number {
    const bits = this.apr[0]! | this.apr[1]!;
    return bits === 0 ? IDLE_PRIORITY : (31 - Math.clz32(bits & -bits)) << 3;
  }

  /** The LR with the highest-priority pending interrupt of an enabled group, or -1. */
  highestPendingLr(): number {
    let best = -1;
    let bestPrio = 0x100;
    for (let n = 0; n < LIST_REGISTERS; n++) {
      if (this.state[n] !== LR_PENDING || !this.#groupEnabled(this.group[n]!)) continue;
      if (this.prio[n]! < bestPrio) {
        best = n;
        bestPrio = this.prio[n]!;
      }
    }
    return best;
  }

  #canSignal(n: number): boolean {
    const p = this.prio[n]!;
    return p < this.vpmr && this.groupPriority(p, this.group[n]!) < this.runningPriority();
  }

  #idOf(n: number): number {
    const id = this.vintid[n]!;
    // A GICv2 software SGI reports its source CPU the way a physical GICC_IAR does.
    if (!this.v3 && this.hw[n] === 0 && id < 16) return id | ((this.pfield[n]! & 7) << 10);
    return id;
  }

  /** GICV_IAR/AIAR, ICV_IAR0/1_EL1. `groups`: bit 0 group 0, bit 1 group 1. */
  acknowledge(groups: number): number {
    const n = this.highestPendingLr();
    if (n < 0 || !this.#canSignal(n)) return INTID_SPURIOUS;
    const g = this.group[n]!;
    if ((groups & (1 << g)) === 0)
      return !this.v3 && g === 1 ? INTID_GROUP_MISMATCH : INTID_SPURIOUS;
    this.state[n] = LR_ACTIVE;
    const gp = this.groupPriority(this.prio[n]!, g);
    const k = this.v3 ? g : 0;
    this.apr[k] = this.apr[k]! | (1 << (gp >> 3));
    this.update();
    return this.#idOf(n);
  }

  /** GICV_HPPIR/AHPPIR, ICV_HPPIR0/1_EL1. */
  highestPendingId(groups: number): number {
    const n = this.highestPendingLr();
    if (n < 0) return INTID_SPURIOUS;
    const g = this.group[n]!;
    if ((groups & (1 << g)) === 0)
      return !this.v3 && g === 1 ? INTID_GROUP_MISMATCH : INTID_SPURIOUS;
    return this.#idOf(n);
  }

  /** GICV_EOIR/AEOIR, ICV_EOIR0/1_EL1: priority drop, then deactivation unless VEOIM. */
  endOfInterrupt(value: number, group: number): void {
    const id = this.v3 ? value & 0xffffff : value & 0x3ff;
    if (id >= 1020 && id <= 1023) return;
    const k = this.v3 ? group : 0;
    let bits = this.apr[k]!;
    if (bits === 0 && !this.v3) bits = this.apr[1]!;
    if (bits !== 0) {
      const which = this.apr[k]! !== 0 ? k : 1;
      this.apr[which] = this.apr[which]! & ~(bits & -bits);
    }
    if ((this.vmcrFlags & VMCR_VEOIM) === 0) this.deactivate(id);
    this.update();
  }

  /**
   * GICV_DIR, ICV_DIR_EL1 (and EOI without VEOIM): clears the active state of the LR holding
   * `id`; a HW one deactivates its physical interrupt too. No such LR: EOIcount counts it.
   */
  deactivate(id: number): void {
    for (let n = 0; n < LIST_REGISTERS; n++) {
      if (this.vintid[n] !== id || (this.state[n]! & LR_ACTIVE) === 0) continue;
      this.state[n] = this.state[n]! & ~LR_ACTIVE;
      if (this.hw[n]) this.#wires.deactivatePhysical(this.pfield[n]! & 0x3ff);
      this.update();
      return;
    }
    this.eoiCount = (this.eoiCount + 1) & 0x1f;
    this.update();
  }

  /** Recomputes the virtual IRQ/FIQ and maintenance outputs. */
  update(): void {
    let virq = false;
    let vfiq = false;
    if (this.hcr & HCR_EN) {
      const n = this.highestPendingLr();
      if (n >= 0 && this.#canSignal(n)) {
        const fiq = this.group[n] === 0 && (this.v3 || (this.vmcrFlags & VMCR_VFIQEN) !== 0);
        if (fiq) vfiq = true;
        else virq = true;
      }
    }
    const maint = (this.hcr & HCR_EN) !== 0 && this.misr() !== 0;
    if (virq !== this.#virq) {
      this.#virq = virq;
      this.#wires.setVirq(virq);
    }
    if (vfiq !== this.#vfiq) {
      this.#vfiq = vfiq;
      this.#wires.setVfiq(vfiq);
    }
    if (maint !== this.#maint) {
      this.#maint = maint;
      this.#wires.setMaintenance(maint);
    }
  }
}
