import {
  IDLE_PRIORITY,
  INTID_GROUP_MISMATCH,
  INTID_SPURIOUS,
  PRIVATE_IRQS,
  SGI_COUNT,
} from "./constants.js";
import type { GicCpuOutputs } from "./outputs.js";

export type GicVersion = 2 | 3;

export interface GicCoreOptions {
  readonly version: GicVersion;
  readonly numCpus: number;
  /** Interrupt IDs implemented: 32 private plus the SPIs, a multiple of 32 (QEMU virt: 288). */
  readonly numIrqs: number;
  readonly outputs: readonly GicCpuOutputs[];
  /** GICv3: each CPU's affinity (Aff3<<24 | Aff2<<16 | Aff1<<8 | Aff0) for IROUTER routing. */
  readonly affinity?: (cpu: number) => number;
  /**
   * False when nothing reads the CPU outputs (a virtual GIC whose vCPUs take their interrupts
   * through list registers): a state change then only counts in `changes` instead of
   * recomputing every CPU's IRQ and FIQ lines, a scan of all interrupts per CPU. Default true.
   */
  readonly wired?: boolean;
}

/** What an interrupt acknowledge may take: group 0, group 1, or either (GICv2 IAR with AckCtl). */
export const AckGroups = { Group0: 1, Group1: 2, Both: 3 } as const;
export type AckGroups = (typeof AckGroups)[keyof typeof AckGroups];

/** GICC_CTLR (GICv2, no Security Extensions) bits. */
export const GICC_CTLR_ENABLE_GRP0 = 1 << 0;
export const GICC_CTLR_ENABLE_GRP1 = 1 << 1;
export const GICC_CTLR_ACKCTL = 1 << 2;
export const GICC_CTLR_FIQEN = 1 << 3;
export const GICC_CTLR_CBPR = 1 << 4;
export const GICC_CTLR_EOIMODE = 1 << 9;
export const GICC_CTLR_MASK = 0x3ff;

/** ICC_CTLR_EL1 writable bits (CBPR, EOImode, PMHE). */
export const ICC_CTLR_CBPR = 1 << 0;
export const ICC_CTLR_EOIMODE = 1 << 1;
export const ICC_CTLR_PMHE = 1 << 6;

/**
 * The distributor's interrupt state and the physical CPU interfaces, shared by GICv2 and
 * GICv3 (which differ in how software reaches them: MMIO frames, or redistributors and
 * system registers).
 *
 * State lives in flat typed arrays indexed by a "slot": INTIDs 0-31 are banked, one slot per
 * CPU; SPIs have one slot each. An interrupt is pending when its latch is set (edge,
 * software) or, for a level-sensitive one, while its input line is high; acknowledging
 * clears the latch, so a level interrupt whose line stays high becomes active and pending.
 *
 * Active priorities are bitmaps per CPU and group, one bit per group priority (priority >> 1,
 * 128 bits for 8 priority bits): the layout of ICC_AP0R0-3/AP1R0-3. The running priority is
 * the lowest set bit of both.
 */
export class GicCore {
  readonly version: GicVersion;
  readonly numCpus: number;
  readonly numIrqs: number;
  readonly #outputs: readonly GicCpuOutputs[];
  readonly #affinity: (cpu: number) => number;

  readonly enabled: Uint8Array;
  readonly latch: Uint8Array;
  readonly active: Uint8Array;
  readonly line: Uint8Array;
  readonly edge: Uint8Array;
  readonly priority: Uint8Array;
  readonly group: Uint8Array;
  /** GICv3 IGRPMODR (stored; with a single Security state it does not change routing). */
  readonly grpmod: Uint8Array;
  /** GICv2 SGIs: per (target CPU, SGI) the bitmask of source CPUs that sent it. */
  readonly sgiSources: Uint8Array;
  /** GICv2 ITARGETSR of each SPI. */
  readonly targets: Uint8Array;
  /** GICv3 IROUTER of each SPI: the affinity, and Interrupt_Routing_Mode (any CPU). */
  readonly routeAffinity: Uint32Array;
  readonly routeAny: Uint8Array;

  /** GICD_CTLR: bit 0 enables group 0, bit 1 group 1 (bit 4 ARE is GICv3's, handled there). */
  distCtlr = 0;

  /** Per CPU: GICv2 GICC_CTLR, or GICv3 ICC_CTLR_EL1's writable bits. */
  readonly cpuCtlr: Uint32Array;
  /** GICv3 ICC_IGRPEN0/1_EL1 per CPU: [cpu * 2 + group]. */
  readonly igrpen: Uint8Array;
  readonly pmr: Uint8Array;
  readonly bpr0: Uint8Array;
  readonly bpr1: Uint8Array;
  /** Active-priority bitmaps: [cpu * 8 + group * 4 + word]. */
  readonly apr: Uint32Array;

  readonly #irqOut: Uint8Array;
  readonly #fiqOut: Uint8Array;
  readonly #wired: boolean;

  /**
   * Counts the changes of what `highestPending` reads (enables, latches, lines, activity,
   * priorities, groups, routing, GICD_CTLR): every such change goes through `update`,
   * `setPendingLatch` or `sendSgi`. A virtual GIC compares it to skip rescanning for pending
   * interrupts on a VM entry when nothing changed since its last scan. Writing the state
   * arrays directly does not count: such a writer rescans itself.
   */
  changes = 0;

  constructor(o: GicCoreOptions) {
    if (o.numIrqs % 32 !== 0 || o.numIrqs < 32 || o.numIrqs > 1020) {
      throw new RangeError(`gic: ${o.numIrqs} interrupts is not a multiple of 32 in 32..1020`);
    }
    if (o.outputs.length !== o.numCpus) throw new RangeError("gic: one output per CPU");
    if (o.version === 2 && o.numCpus > 8) throw new RangeError("gic: GICv2 serves 8 CPUs");
    this.version = o.version;
    this.numCpus = o.numCpus;
    this.numIrqs = o.numIrqs;
    this.#outputs = o.outputs;
    this.#wired = o.wired ?? true;
    this.#affinity = o.affinity ?? ((cpu) => cpu);
    const slots = o.numCpus * PRIVATE_IRQS + (o.numIrqs - PRIVATE_IRQS);
    this.enabled = new Uint8Array(slots);
    this.latch = new Uint8Array(slots);
    this.active = new Uint8Array(slots);
    this.line = new Uint8Array(slots);
    this.edge = new Uint8Array(slots);
    this.priority = new Uint8Array(slots);
    this.group = new Uint8Array(slots);
    this.grpmod = new Uint8Array(slots);
    this.sgiSources = new Uint8Array(o.numCpus * SGI_COUNT);
    this.targets = new Uint8Array(o.numIrqs);
    this.routeAffinity = new Uint32Array(o.numIrqs);
    this.routeAny = new Uint8Array(o.numIrqs);
    this.cpuCtlr = new Uint32Array(o.numCpus);
    this.igrpen = new Uint8Array(o.numCpus * 2);
    this.pmr = new Uint8Array(o.numCpus);
    this.bpr0 = new Uint8Array(o.numCpus);
    this.bpr1 = new Uint8Array(o.numCpus);
    this.apr = new Uint32Array(o.numCpus * 8);
    this.#irqOut = new Uint8Array(o.numCpus);
    this.#fiqOut = new Uint8Array(o.numCpus);
    this.reset();
  }

  reset(): void {
    for (const a of [this.enabled, this.latch, this.active, this.priority, this.group]) a.fill(0);
    for (const a of [this.grpmod, this.sgiSources, this.targets, this.routeAny]) a.fill(0);
    this.routeAffinity.fill(0);
    this.edge.fill(0);
    for (let c = 0; c < this.numCpus; c++) {
      // SGIs are always edge-triggered; QEMU's PPIs reset level-sensitive.
      for (let i = 0; i < SGI_COUNT; i++) this.edge[c * PRIVATE_IRQS + i] = 1;
    }
    this.distCtlr = 0;
    this.cpuCtlr.fill(0);
    this.igrpen.fill(0);
    this.pmr.fill(0);
    // The smallest binary points: group 0 splits [7:1].[0], group 1 takes all 8 bits.
    this.bpr0.fill(0);
    this.bpr1.fill(1);
    this.apr.fill(0);
    this.update();
  }

  // ---- addressing ----

  /** The state slot of `irq` as `cpu` sees it (private INTIDs are banked). */
  slot(cpu: number, irq: number): number {
    return irq < PRIVATE_IRQS
      ? cpu * PRIVATE_IRQS + irq
      : this.numCpus * PRIVATE_IRQS + irq - PRIVATE_IRQS;
  }

  affinityOf(cpu: number): number {
    return this.#affinity(cpu);
  }

  /** The CPU with this affinity, or -1. */
  cpuWithAffinity(aff: number): number {
    for (let c = 0; c < this.numCpus; c++) if (this.#affinity(c) === aff) return c;
    return -1;
  }

  // ---- inputs ----

  /** Drives the input line of SPI `irq` (32..numIrqs-1). */
  setSpiLevel(irq: number, level: boolean): void {
    if (irq < PRIVATE_IRQS || irq >= this.numIrqs) return;
    this.#setLine(this.slot(0, irq), level);
  }

  /** Drives the input line of PPI `irq` (16..31) of one CPU. */
  setPpiLevel(cpu: number, irq: number, level: boolean): void {
    if (irq < SGI_COUNT || irq >= PRIVATE_IRQS || cpu < 0 || cpu >= this.numCpus) return;
    this.#setLine(this.slot(cpu, irq), level);
  }

  #setLine(s: number, level: boolean): void {
    const v = level ? 1 : 0;
    if (this.line[s] === v) return;
    this.line[s] = v;
    if (v && this.edge[s]) this.latch[s] = 1;
    this.update();
  }

  // ---- state queries ----

  isPending(cpu: number, irq: number): boolean {
    const s = this.slot(cpu, irq);
    if (irq < SGI_COUNT && this.version === 2) return this.sgiSources[cpu * SGI_COUNT + irq] !== 0;
    return this.latch[s] === 1 || (this.edge[s] === 0 && this.line[s] === 1);
  }

  /** Sets or clears the pending latch (GICD_ISPENDR/ICPENDR, GICR_ISPENDR0/ICPENDR0). */
  setPendingLatch(cpu: number, irq: number, pending: boolean): void {
    if (irq < SGI_COUNT && this.version === 2) {
      // GICv2 SGIs are set through GICD_SGIR/SPENDSGIR and cleared through CPENDSGIR.
      if (!pending) this.sgiSources[cpu * SGI_COUNT + irq] = 0;
      this.changes++;
      return;
    }
    this.changes++;
    this.latch[this.slot(cpu, irq)] = pending ? 1 : 0;
  }

  /** Whether SPI/private `irq` is delivered to `cpu`. */
  #targets(cpu: number, irq: number): boolean {
    if (irq < PRIVATE_IRQS) return true;
    if (this.version === 2) return (this.targets[irq]! & (1 << cpu)) !== 0;
    if (this.routeAny[irq]) return true;
    return this.routeAffinity[irq] === this.#affinity(cpu);
  }

  /** Sends SGI `sgi` from `source` to `target` (GICv2 keeps the source). */
  sendSgi(source: number, target: number, sgi: number): void {
    if (target < 0 || target >= this.numCpus) return;
    this.changes++;
    if (this.version === 2) this.sgiSources[target * SGI_COUNT + sgi]! |= 1 << source;
    else this.latch[this.slot(target, sgi)] = 1;
  }

  // ---- priorities ----

  /** The group priority of `prio` for `group` at this CPU's binary points. */
  groupPriority(cpu: number, prio: number, group: number): number {
    const cbpr =
      this.version === 2
        ? (this.cpuCtlr[cpu]! & GICC_CTLR_CBPR) !== 0
        : (this.cpuCtlr[cpu]! & ICC_CTLR_CBPR) !== 0;
    const shift = group === 0 || cbpr ? this.bpr0[cpu]! + 1 : this.bpr1[cpu]!;
    return prio & (0xff << shift) & 0xff;
  }

  /** The running priority: the highest active group priority, IDLE_PRIORITY if none. */
  runningPriority(cpu: number): number {
    const base = cpu * 8;
    for (let w = 0; w < 4; w++) {
      const bits = this.apr[base + w]! | this.apr[base + 4 + w]!;
      if (bits !== 0) return ((w << 5) + (31 - Math.clz32(bits & -bits))) << 1;
    }
    return IDLE_PRIORITY;
  }

  #dropPriority(cpu: number, group: number): void {
    // Clears the highest active priority; GICv2 keeps both groups in one list.
    const order = group === 0 ? [0, 1] : [1, 0];
    let best = -1;
    let bestGroup = 0;
    for (const g of order) {
      for (let w = 0; w < 4; w++) {
        const bits = this.apr[cpu * 8 + g * 4 + w]!;
        if (bits === 0) continue;
        const bit = (w << 5) + (31 - Math.clz32(bits & -bits));
        if (best < 0 || bit < best) {
          best = bit;
          bestGroup = g;
        }
        break;
      }
      if (this.version === 3 && best >= 0) break;
    }
    if (best < 0) return;
    const i = cpu * 8 + bestGroup * 4 + (best >> 5);
    this.apr[i] = this.apr[i]! & ~(1 << (best & 31));
  }

  // ---- the CPU interface ----

  #cpuGroupEnabled(cpu: number, group: number): boolean {
    if (this.version === 3) return this.igrpen[cpu * 2 + group] === 1;
    return (
      (this.cpuCtlr[cpu]! & (group === 0 ? GICC_CTLR_ENABLE_GRP0 : GICC_CTLR_ENABLE_GRP1)) !== 0
    );
  }

  /**
   * The highest-priority interrupt pending for `cpu` whose group the distributor forwards
   * (not yet checked against the CPU interface's mask and running priority), or -1.
   * Ties go to the lowest INTID.
   */
  highestPending(cpu: number, groups: number = AckGroups.Both): number {
    let best = -1;
    let bestPrio = 0x100;
    const dist = this.distCtlr;
    if ((dist & 3) === 0) return -1;
    const privateBase = cpu * PRIVATE_IRQS;
    const sharedBase = this.numCpus * PRIVATE_IRQS - PRIVATE_IRQS;
    const enabled = this.enabled;
    for (let irq = 0; irq < this.numIrqs; irq++) {
      const s = irq < PRIVATE_IRQS ? privateBase + irq : sharedBase + irq;
      if (enabled[s] === 0 || this.active[s] === 1) continue;
      const g = this.group[s]!;
      if ((dist & (1 << g)) === 0 || (groups & (1 << g)) === 0) continue;
      const p = this.priority[s]!;
      if (p >= bestPrio) continue;
      if (!this.isPending(cpu, irq) || !this.#targets(cpu, irq)) continue;
      best = irq;
      bestPrio = p;
    }
    return best;
  }

  /** Whether `irq` (pending, from highestPending) may be signalled to `cpu` now. */
  #canSignal(cpu: number, irq: number): boolean {
    const s = this.slot(cpu, irq);
    const g = this.group[s]!;
    if (!this.#cpuGroupEnabled(cpu, g)) return false;
    const p = this.priority[s]!;
    return p < this.pmr[cpu]! && this.groupPriority(cpu, p, g) < this.runningPriority(cpu);
  }

  /**
   * Acknowledges the highest-priority pending interrupt (GICC_IAR/AIAR, ICC_IAR0/1): it
   * becomes active, its group priority becomes the running priority, and its INTID (GICv2
   * SGIs: with the source CPU in bits 12:10) is returned; 1023 when none may be taken.
   */
  acknowledge(cpu: number, groups: AckGroups): number {
    const irq = this.highestPending(cpu, AckGroups.Both);
    if (irq < 0 || !this.#canSignal(cpu, irq)) return INTID_SPURIOUS;
    const s = this.slot(cpu, irq);
    const g = this.group[s]!;
    if ((groups & (1 << g)) === 0) {
      return this.version === 2 && g === 1 ? INTID_GROUP_MISMATCH : INTID_SPURIOUS;
    }
    let value = irq;
    if (irq < SGI_COUNT && this.version === 2) {
      const k = cpu * SGI_COUNT + irq;
      const sources = this.sgiSources[k]!;
      const src = 31 - Math.clz32(sources & -sources);
      this.sgiSources[k] = sources & ~(1 << src);
      value |= src << 10;
    } else {
      this.latch[s] = 0;
    }
    this.active[s] = 1;
    const gp = this.groupPriority(cpu, this.priority[s]!, g);
    const i = cpu * 8 + (this.version === 3 ? g : 0) * 4 + (gp >> 6);
    this.apr[i] = this.apr[i]! | (1 << ((gp >> 1) & 31));
    this.update();
    return value;
  }

  /** End of interrupt (GICC_EOIR/AEOIR, ICC_EOIR0/1): priority drop, and deactivation unless EOImode. */
  endOfInterrupt(cpu: number, value: number, group: number): void {
    const irq = value & 0x3ff;
    if (irq >= 1020) return;
    this.#dropPriority(cpu, group);
    const eoiMode =
      this.version === 2
        ? (this.cpuCtlr[cpu]! & GICC_CTLR_EOIMODE) !== 0
        : (this.cpuCtlr[cpu]! & ICC_CTLR_EOIMODE) !== 0;
    if (!eoiMode) this.deactivate(cpu, irq);
    this.update();
  }

  /** Clears the active state of `irq` as `cpu` sees it (GICC_DIR, ICC_DIR, HW list registers). */
  deactivate(cpu: number, irq: number): void {
    if (irq >= this.numIrqs) return;
    this.active[this.slot(cpu, irq)] = 0;
    this.update();
  }

  /** GICC_HPPIR/ICC_HPPIRn: the INTID that would be acknowledged next, ignoring the masks. */
  highestPendingId(cpu: number, groups: AckGroups): number {
    const irq = this.highestPending(cpu, AckGroups.Both);
    if (irq < 0) return INTID_SPURIOUS;
    const g = this.group[this.slot(cpu, irq)]!;
    if ((groups & (1 << g)) === 0) {
      return this.version === 2 && g === 1 ? INTID_GROUP_MISMATCH : INTID_SPURIOUS;
    }
    if (irq < SGI_COUNT && this.version === 2) {
      const sources = this.sgiSources[cpu * SGI_COUNT + irq]!;
      return irq | ((31 - Math.clz32(sources & -sources)) << 10);
    }
    return irq;
  }

  // ---- outputs ----

  /** Recomputes every CPU's IRQ and FIQ outputs. */
  update(): void {
    this.changes++;
    if (!this.#wired) return;
    for (let cpu = 0; cpu < this.numCpus; cpu++) {
      let irqLevel = 0;
      let fiqLevel = 0;
      const irq = this.highestPending(cpu, AckGroups.Both);
      if (irq >= 0 && this.#canSignal(cpu, irq)) {
        const g = this.group[this.slot(cpu, irq)]!;
        const fiq =
          this.version === 3 ? g === 0 : g === 0 && (this.cpuCtlr[cpu]! & GICC_CTLR_FIQEN) !== 0;
        if (fiq) fiqLevel = 1;
        else irqLevel = 1;
      }
      const out = this.#outputs[cpu]!;
      if (this.#irqOut[cpu] !== irqLevel) {
        this.#irqOut[cpu] = irqLevel;
        out.setIrq(irqLevel === 1);
      }
      if (this.#fiqOut[cpu] !== fiqLevel) {
        this.#fiqOut[cpu] = fiqLevel;
        out.setFiq(fiqLevel === 1);
      }
    }
  }
}
