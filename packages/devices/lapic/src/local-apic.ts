import {
  type BaseMmioDeviceOps,
  EmulatedDeviceType,
  type SavedRecord,
  StateReader,
} from "@axvisor/axdevice-base";
import type { TimeSource } from "@axvisor/machine";
import {
  type AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";
import type { ApicMessage } from "./apic-message.js";
import {
  APIC_BASE_BSP,
  APIC_BASE_EN,
  APIC_BASE_EXTD,
  APIC_DEFAULT_BASE,
  APIC_VERSION,
  DeliveryMode,
  ESR_ILLEGAL_REGISTER,
  ESR_RECEIVE_ILLEGAL_VECTOR,
  ESR_SEND_ILLEGAL_VECTOR,
  LVT_LEVEL,
  LVT_MASKED,
  LVT_REMOTE_IRR,
  Lvt,
  MSR_APIC_BASE,
  MSR_TSC_DEADLINE,
  MSR_X2APIC_FIRST,
  MSR_X2APIC_LAST,
  Reg,
  SVR_ENABLE,
} from "./registers.js";

/** What a local APIC drives: its CPU's NMI/INIT/SIPI inputs and the APIC bus. */
export interface LocalApicHost {
  /** Sends an IPI (ICR write) on the APIC bus; `shorthand` is ICR bits 19:18. */
  sendIpi(from: LocalApic, msg: ApicMessage, shorthand: number): void;
  /** EOI of a level-triggered vector: the IOAPICs clear remote IRR. */
  eoiBroadcast(vector: number): void;
  nmi(): void;
  init(): void;
  startup(vector: number): void;
  /** An interrupt became deliverable: a halted CPU should wake. */
  kick(): void;
}

/** The 8259's INTR output and INTA cycle, seen on LINT0 in ExtINT mode. */
export interface ExtIntSource {
  hasInterrupt(): boolean;
  acknowledge(): number;
}

export interface LocalApicOptions {
  readonly apicId: number;
  /** The bootstrap processor: APIC_BASE.BSP, and LINT0 starts in ExtINT mode (as QEMU). */
  readonly bsp: boolean;
  /** The board clock. */
  readonly time: TimeSource;
  readonly timeHz: number;
  /** The APIC timer's input clock before the divider (QEMU: 1 GHz). */
  readonly timerHz?: number;
  /** This CPU's TSC, for the TSC-deadline timer, and its rate. */
  readonly tsc: () => number;
  readonly tscHz: number;
  readonly host: LocalApicHost;
  readonly extInt?: ExtIntSource;
}

const XAPIC_WINDOW = 0x1000;
/** Offsets of the LVT registers, by LVT slot. */
const LVT_OFFSETS = [
  Reg.lvtTimer,
  Reg.lvtThermal,
  Reg.lvtPerf,
  Reg.lvtLint0,
  Reg.lvtLint1,
  Reg.lvtError,
  Reg.lvtCmci,
];
/** Writable bits of each LVT (timer mode bits, delivery mode only where it exists). */
const LVT_WRITABLE = [0x70_0ff, 0x1_07ff, 0x1_07ff, 0x1_a7ff, 0x1_a7ff, 0x1_00ff, 0x1_07ff];

const highestBit = (words: Uint32Array): number => {
  for (let i = 7; i >= 0; i--) {
    const w = words[i]!;
    if (w !== 0) return i * 32 + 31 - Math.clz32(w);
  }
  return -1;
};
const setBit = (words: Uint32Array, v: number) => {
  words[v >> 5] = words[v >> 5]! | (1 << (v & 31));
};
const clearBit = (words: Uint32Array, v: number) => {
  words[v >> 5] = words[v >> 5]! & ~(1 << (v & 31));
};
const testBit = (words: Uint32Array, v: number) => (words[v >> 5]! & (1 << (v & 31))) !== 0;

/**
 * One CPU's local APIC: xAPIC registers in a 4 KiB MMIO window at IA32_APIC_BASE (default
 * 0xFEE0_0000) and the x2APIC MSRs 0x800-0x8FF after APIC_BASE.EXTD is set.
 *
 * It is the CPU's interrupt controller (`hasInterrupt` / `acknowledge`, the INTR/INTA pair,
 * with the 8259 behind LINT0 in ExtINT mode or while the APIC is globally disabled), holds
 * IRR/ISR/TMR, TPR and PPR, sends IPIs through its host (every ICR delivery mode and
 * shorthand; delivery is instantaneous, so the ICR's delivery status always reads idle),
 * and owns the APIC timer (one-shot, periodic, TSC-deadline) whose expiry `update()` checks at
 * slice boundaries.
 */
export class LocalApic implements BaseMmioDeviceOps {
  readonly bsp: boolean;
  readonly #initialId: number;
  readonly #time: TimeSource;
  readonly #ticksPerTimerClock: number;
  readonly #tsc: () => number;
  readonly #boardTicksPerTsc: number;
  readonly #host: LocalApicHost;
  readonly #extInt: ExtIntSource | undefined;

  readonly irr = new Uint32Array(8);
  readonly isr = new Uint32Array(8);
  readonly tmr = new Uint32Array(8);
  readonly lvt = new Uint32Array(7);
  apicBase = 0;
  id = 0;
  tpr = 0;
  ldr = 0;
  dfr = 0xffff_ffff;
  svr = 0xff;
  icrLow = 0;
  icrHigh = 0;
  #esr = 0;
  #esrPending = 0;
  divideConfig = 0;
  initialCount = 0;
  /** Board tick at which the current count was loaded (NaN: timer idle). */
  #timerStart = Number.NaN;
  /** Board tick of the next timer expiry (Infinity: none). */
  #timerDeadline = Number.POSITIVE_INFINITY;
  /** TSC-deadline mode: the armed deadline in TSC ticks (0: disarmed). */
  tscDeadline = 0;
  /** A LINT input's level, for level-triggered LINT delivery. */
  #lintLevels = 0;
  /**
   * The IRR vector that may interrupt now (-1: none) and whether the 8259 reaches the CPU
   * through this APIC, kept current on every change so the CPU's per-instruction
   * `hasInterrupt()` is two comparisons.
   */
  #ready = -1;
  #extIntRoute = false;

  constructor(options: LocalApicOptions) {
    this.bsp = options.bsp;
    this.#initialId = options.apicId;
    this.#time = options.time;
    this.#ticksPerTimerClock = options.timeHz / (options.timerHz ?? 1e9);
    this.#tsc = options.tsc;
    this.#boardTicksPerTsc = options.timeHz / options.tscHz;
    this.#host = options.host;
    this.#extInt = options.extInt;
    this.reset();
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.InterruptController;
  }

  /** The xAPIC window at the current APIC base. */
  addressRange(): AddrRange<GuestPhysAddr> {
    return rangeFromSize(this.baseAddress as GuestPhysAddr, XAPIC_WINDOW);
  }

  get baseAddress(): number {
    return this.apicBase - (this.apicBase & 0xfff);
  }

  get enabled(): boolean {
    return (this.apicBase & APIC_BASE_EN) !== 0;
  }

  get x2apic(): boolean {
    return (this.apicBase & APIC_BASE_EXTD) !== 0;
  }

  /** True while the xAPIC MMIO window answers (enabled and not in x2APIC mode). */
  get mmioActive(): boolean {
    return this.enabled && !this.x2apic;
  }

  get softwareEnabled(): boolean {
    return (this.svr & SVR_ENABLE) !== 0;
  }

  /** Power-on reset. */
  reset(): void {
    this.apicBase = APIC_DEFAULT_BASE + APIC_BASE_EN + (this.bsp ? APIC_BASE_BSP : 0);
    this.id = this.#initialId;
    this.initReset();
    // QEMU's BSP comes out of reset with LINT0 in ExtINT mode so the 8259 reaches it.
    if (this.bsp) this.lvt[Lvt.lint0] = DeliveryMode.extInt << 8;
    this.#refresh();
  }

  /** The state an INIT IPI (or a global disable) leaves: everything but the id and base. */
  initReset(): void {
    this.irr.fill(0);
    this.isr.fill(0);
    this.tmr.fill(0);
    this.lvt.fill(LVT_MASKED);
    this.tpr = 0;
    this.ldr = 0;
    this.dfr = 0xffff_ffff;
    this.svr = 0xff;
    this.icrLow = 0;
    this.icrHigh = 0;
    this.#esr = 0;
    this.#esrPending = 0;
    this.divideConfig = 0;
    this.initialCount = 0;
    this.#timerStart = Number.NaN;
    this.#timerDeadline = Number.POSITIVE_INFINITY;
    this.tscDeadline = 0;
    this.#refresh();
  }

  /** Recomputes the cached delivery state after IRR, ISR, TPR, SVR, LVT or base changes. */
  #refresh(): void {
    this.#ready = this.enabled ? this.#deliverable() : -1;
    this.#extIntRoute = this.#extIntActive();
  }

  // --- interrupt acceptance and the CPU's INTR/INTA -------------------------------------

  /** Processor priority: the higher of TPR and the class of the highest in-service vector. */
  get ppr(): number {
    const isrv = highestBit(this.isr);
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0;
    return (this.tpr & 0xf0) >= isrClass ? this.tpr & 0xff : isrClass;
  }

  /** An interrupt message (or LVT event) accepted: fixed vectors go to IRR. */
  accept(msg: ApicMessage): void {
    switch (msg.deliveryMode) {
      case DeliveryMode.fixed:
      case DeliveryMode.lowestPriority:
        this.#acceptFixed(msg.vector, msg.level);
        return;
      case DeliveryMode.nmi:
        this.#host.nmi();
        return;
      case DeliveryMode.init:
        this.#host.init();
        return;
      case DeliveryMode.startup:
        this.#host.startup(msg.vector & 0xff);
        return;
      case DeliveryMode.extInt:
        this.#host.kick();
        return;
      default:
        // SMI: no SMM on this board.
        return;
    }
  }

  #acceptFixed(vector: number, level: boolean): void {
    if (vector < 16) {
      this.#error(ESR_RECEIVE_ILLEGAL_VECTOR);
      return;
    }
    setBit(this.irr, vector);
    if (level) setBit(this.tmr, vector);
    else clearBit(this.tmr, vector);
    this.#refresh();
    if (this.#ready >= 0) this.#host.kick();
  }

  /** The IRR vector that may interrupt the CPU now, or -1. */
  #deliverable(): number {
    if (!this.softwareEnabled) return -1;
    const v = highestBit(this.irr);
    if (v < 0 || (v & 0xf0) <= (this.ppr & 0xf0)) return -1;
    return v;
  }

  #extIntActive(): boolean {
    if (this.#extInt === undefined) return false;
    // A globally disabled APIC passes the 8259's INTR straight to the CPU.
    if (!this.enabled) return true;
    const l = this.lvt[Lvt.lint0]!;
    return (l & LVT_MASKED) === 0 && ((l >> 8) & 7) === DeliveryMode.extInt;
  }

  /** The CPU's INTR input. */
  hasInterrupt(): boolean {
    return this.#ready >= 0 || (this.#extIntRoute && this.#extInt!.hasInterrupt());
  }

  /** The CPU's INTA cycle. */
  acknowledge(): number {
    if (this.enabled) {
      const v = this.#deliverable();
      if (v >= 0) {
        clearBit(this.irr, v);
        setBit(this.isr, v);
        this.#refresh();
        return v;
      }
    }
    if (this.#extIntRoute && this.#extInt!.hasInterrupt()) return this.#extInt!.acknowledge();
    // Nothing left by the time of the INTA: the spurious-interrupt vector.
    return this.svr & 0xff;
  }

  eoi(): void {
    const v = highestBit(this.isr);
    if (v < 0) return;
    clearBit(this.isr, v);
    this.#refresh();
    if (testBit(this.tmr, v)) this.#host.eoiBroadcast(v);
    if (this.#ready >= 0) this.#host.kick();
  }

  /** A LINT pin (0 or 1) changes level (LINT1 carries NMI on PCs). */
  setLint(pin: 0 | 1, level: boolean): void {
    const bit = 1 << pin;
    const was = (this.#lintLevels & bit) !== 0;
    if (level) this.#lintLevels |= bit;
    else this.#lintLevels &= ~bit;
    const l = this.lvt[pin === 0 ? Lvt.lint0 : Lvt.lint1]!;
    if (!this.enabled || l & LVT_MASKED || !level) return;
    const mode = (l >> 8) & 7;
    if (mode === DeliveryMode.extInt) {
      this.#host.kick();
      return;
    }
    const levelTriggered = (l & LVT_LEVEL) !== 0 && mode === DeliveryMode.fixed;
    if (levelTriggered || !was) this.#fireLvt(pin === 0 ? Lvt.lint0 : Lvt.lint1);
  }

  #fireLvt(slot: number): void {
    const l = this.lvt[slot]!;
    if (l & LVT_MASKED || !this.softwareEnabled) return;
    const mode = slot === Lvt.timer || slot === Lvt.error ? DeliveryMode.fixed : (l >> 8) & 7;
    this.accept({
      vector: l & 0xff,
      deliveryMode: mode,
      logical: false,
      dest: this.id,
      level: (slot === Lvt.lint0 || slot === Lvt.lint1) && (l & LVT_LEVEL) !== 0,
    });
  }

  #error(bits: number): void {
    this.#esrPending |= bits;
    this.#fireLvt(Lvt.error);
  }

  // --- timer -------------------------------------------------------------------------------

  get #divisor(): number {
    const d = (this.divideConfig & 3) | ((this.divideConfig >> 1) & 4);
    return 1 << ((d + 1) & 7);
  }

  #timerMode(): number {
    return (this.lvt[Lvt.timer]! >> 17) & 3;
  }

  /** Board ticks per timer count (clock over the divider). */
  #period(): number {
    return this.#ticksPerTimerClock * this.#divisor;
  }

  /** The current count register. */
  get currentCount(): number {
    if (Number.isNaN(this.#timerStart) || this.#timerMode() === 2) return 0;
    const counted = Math.floor((this.#time.now() - this.#timerStart) / this.#period());
    if (this.#timerMode() === 1) return this.initialCount - (counted % this.initialCount);
    return Math.max(0, this.initialCount - counted);
  }

  #startTimer(): void {
    if (this.initialCount === 0 || this.#timerMode() === 2) {
      this.#timerStart = Number.NaN;
      this.#timerDeadline = Number.POSITIVE_INFINITY;
      return;
    }
    this.#timerStart = this.#time.now();
    this.#timerDeadline = this.#timerStart + this.initialCount * this.#period();
  }

  #armTscDeadline(): void {
    if (this.#timerMode() !== 2 || this.tscDeadline === 0) {
      if (this.#timerMode() === 2) this.#timerDeadline = Number.POSITIVE_INFINITY;
      return;
    }
    const ticks = (this.tscDeadline - this.#tsc()) * this.#boardTicksPerTsc;
    this.#timerDeadline = this.#time.now() + Math.max(0, ticks);
  }

  /** Fires the timer if it expired; call at slice boundaries. */
  update(now: number = this.#time.now()): void {
    if (now < this.#timerDeadline) return;
    this.#fireLvt(Lvt.timer);
    if (this.#timerMode() === 1 && !Number.isNaN(this.#timerStart)) {
      const span = this.initialCount * this.#period();
      const periods = Math.floor((now - this.#timerStart) / span);
      this.#timerDeadline = this.#timerStart + (periods + 1) * span;
    } else {
      this.#timerDeadline = Number.POSITIVE_INFINITY;
      if (this.#timerMode() === 2) this.tscDeadline = 0;
      else this.#timerStart = Number.NaN;
    }
  }

  /** Board tick of the next timer expiry (Infinity: none). */
  nextDeadline(): number {
    return this.#timerDeadline;
  }

  // --- registers -----------------------------------------------------------------------------

  /** Reads register `offset` (16-byte aligned); undefined for a register that does not exist. */
  readRegister(offset: number): number | undefined {
    switch (offset) {
      case Reg.id:
        return this.x2apic ? this.id : (this.id & 0xff) << 24;
      case Reg.version:
        return APIC_VERSION;
      case Reg.tpr:
        return this.tpr;
      case Reg.apr:
        return 0;
      case Reg.ppr:
        return this.ppr;
      case Reg.eoi:
        return this.x2apic ? undefined : 0;
      case Reg.rrd:
        return 0;
      case Reg.ldr:
        return this.x2apic ? this.#x2apicLdr() : this.ldr;
      case Reg.dfr:
        return this.x2apic ? undefined : this.dfr;
      case Reg.svr:
        return this.svr;
      case Reg.esr:
        return this.#esr;
      case Reg.icrLow:
        return this.icrLow & ~(1 << 12);
      case Reg.icrHigh:
        return this.x2apic ? undefined : this.icrHigh;
      case Reg.timerInitial:
        return this.initialCount;
      case Reg.timerCurrent:
        return this.currentCount;
      case Reg.timerDivide:
        return this.divideConfig;
      case Reg.selfIpi:
        return undefined;
    }
    if (offset >= Reg.isr && offset < Reg.isr + 0x80) return this.isr[(offset - Reg.isr) >> 4];
    if (offset >= Reg.tmr && offset < Reg.tmr + 0x80) return this.tmr[(offset - Reg.tmr) >> 4];
    if (offset >= Reg.irr && offset < Reg.irr + 0x80) return this.irr[(offset - Reg.irr) >> 4];
    const slot = LVT_OFFSETS.indexOf(offset as (typeof LVT_OFFSETS)[number]);
    if (slot >= 0) return this.lvt[slot];
    return undefined;
  }

  #x2apicLdr(): number {
    return (((this.id >>> 4) << 16) | (1 << (this.id & 0xf))) >>> 0;
  }

  /** Writes register `offset`; false for a register that cannot be written. */
  writeRegister(offset: number, v: number): boolean {
    v >>>= 0;
    switch (offset) {
      case Reg.id:
        if (this.x2apic) return false;
        this.id = v >>> 24;
        return true;
      case Reg.tpr:
        this.tpr = v & 0xff;
        this.#refresh();
        if (this.#ready >= 0) this.#host.kick();
        return true;
      case Reg.eoi:
        this.eoi();
        return true;
      case Reg.ldr:
        if (this.x2apic) return false;
        this.ldr = v & 0xff00_0000;
        return true;
      case Reg.dfr:
        if (this.x2apic) return false;
        this.dfr = (v | 0x0fff_ffff) >>> 0;
        return true;
      case Reg.svr:
        this.svr = v & 0x13ff;
        if (!this.softwareEnabled) {
          // Clearing the enable bit masks every LVT entry.
          for (let i = 0; i < this.lvt.length; i++) this.lvt[i] = this.lvt[i]! | LVT_MASKED;
        }
        this.#refresh();
        if (this.#ready >= 0) this.#host.kick();
        return true;
      case Reg.esr:
        // A write moves the errors seen since the last write into the readable register.
        this.#esr = this.#esrPending;
        this.#esrPending = 0;
        return true;
      case Reg.icrLow:
        this.icrLow = v & 0x000c_dfff;
        this.#sendIcr(this.x2apic ? this.icrHigh : this.icrHigh >>> 24);
        return true;
      case Reg.icrHigh:
        if (this.x2apic) return false;
        this.icrHigh = v & 0xff00_0000;
        return true;
      case Reg.timerInitial:
        this.initialCount = v;
        this.#startTimer();
        return true;
      case Reg.timerDivide:
        this.divideConfig = v & 0xb;
        return true;
      case Reg.selfIpi:
        if (!this.x2apic) return false;
        this.#acceptFixed(v & 0xff, false);
        return true;
      case Reg.timerCurrent:
      case Reg.version:
      case Reg.ppr:
      case Reg.apr:
      case Reg.rrd:
        return !this.x2apic;
    }
    const slot = LVT_OFFSETS.indexOf(offset as (typeof LVT_OFFSETS)[number]);
    if (slot >= 0) {
      this.#writeLvt(slot, v);
      return true;
    }
    if (offset >= Reg.isr && offset < Reg.irr + 0x80) return !this.x2apic;
    return false;
  }

  #writeLvt(slot: number, v: number): void {
    const oldMode = this.#timerMode();
    let value = (v & LVT_WRITABLE[slot]!) | (this.lvt[slot]! & LVT_REMOTE_IRR);
    if (!this.softwareEnabled) value |= LVT_MASKED;
    this.lvt[slot] = value;
    this.#refresh();
    if (slot !== Lvt.timer) return;
    const mode = this.#timerMode();
    if (mode !== oldMode) {
      // Switching between TSC-deadline and the counting modes disarms the timer.
      this.tscDeadline = 0;
      this.initialCount = mode === 2 || oldMode === 2 ? 0 : this.initialCount;
      if (mode === 2 || oldMode === 2) {
        this.#timerStart = Number.NaN;
        this.#timerDeadline = Number.POSITIVE_INFINITY;
      }
    }
  }

  #sendIcr(dest: number): void {
    const low = this.icrLow;
    const mode = (low >> 8) & 7;
    const vector = low & 0xff;
    const shorthand = (low >> 18) & 3;
    const level = (low & (1 << 14)) !== 0;
    const trigger = (low & (1 << 15)) !== 0;
    if (mode === DeliveryMode.init && !level && trigger) return; // INIT level de-assert
    if ((mode === DeliveryMode.fixed || mode === DeliveryMode.lowestPriority) && vector < 16) {
      this.#error(ESR_SEND_ILLEGAL_VECTOR);
      return;
    }
    this.#host.sendIpi(
      this,
      {
        vector,
        deliveryMode: mode,
        logical: (low & (1 << 11)) !== 0,
        dest,
        level: false,
      },
      shorthand,
    );
  }

  /** True when this APIC is a destination of `msg` (without shorthand). */
  matches(msg: ApicMessage): boolean {
    if (this.x2apic) {
      if (msg.dest === 0xffff_ffff) return true;
      if (!msg.logical) return msg.dest === this.id;
      const ldr = this.#x2apicLdr();
      return msg.dest >>> 16 === ldr >>> 16 && (msg.dest & ldr & 0xffff) !== 0;
    }
    const dest = msg.dest & 0xff;
    if (dest === 0xff) return true;
    if (!msg.logical) return dest === (this.id & 0xff);
    const logicalId = this.ldr >>> 24;
    if (this.dfr >>> 28 === 0xf) return (logicalId & dest) !== 0;
    // Cluster model: high nibble is the cluster, low nibble a mask within it.
    return dest >> 4 === logicalId >> 4 && (dest & logicalId & 0xf) !== 0;
  }

  // --- xAPIC MMIO ------------------------------------------------------------------------------

  handleRead(addr: GuestPhysAddr, _width: AccessWidth): bigint {
    const off = (addr as number) - this.baseAddress;
    const v = this.readRegister(off & 0xff0);
    if (v === undefined) {
      this.#esrPending |= ESR_ILLEGAL_REGISTER;
      return 0n;
    }
    // Narrow or unaligned reads see the bytes of the 32-bit register they fall in.
    return BigInt((v >>> ((off & 3) * 8)) >>> 0);
  }

  handleWrite(addr: GuestPhysAddr, _width: AccessWidth, value: bigint): void {
    const off = (addr as number) - this.baseAddress;
    if ((off & 0xf) !== 0) return;
    if (!this.writeRegister(off, Number(value & 0xffff_ffffn)))
      this.#esrPending |= ESR_ILLEGAL_REGISTER;
  }

  // --- MSRs ------------------------------------------------------------------------------------

  /** RDMSR of IA32_APIC_BASE, IA32_TSC_DEADLINE or an x2APIC register; null = #GP. */
  readMsr(msr: number): bigint | null {
    if (msr === MSR_APIC_BASE) return BigInt(this.apicBase);
    if (msr === MSR_TSC_DEADLINE) {
      return this.#timerMode() === 2 ? BigInt(Math.max(0, this.tscDeadline)) : 0n;
    }
    if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !this.x2apic) return null;
    const offset = (msr - MSR_X2APIC_FIRST) << 4;
    if (offset === Reg.icrLow) return (BigInt(this.icrHigh) << 32n) | BigInt(this.icrLow);
    const v = this.readRegister(offset);
    return v === undefined ? null : BigInt(v >>> 0);
  }

  /** WRMSR; false = #GP. */
  writeMsr(msr: number, value: bigint): boolean {
    if (msr === MSR_APIC_BASE) return this.#writeApicBase(value);
    if (msr === MSR_TSC_DEADLINE) {
      if (this.#timerMode() !== 2) return true; // ignored outside TSC-deadline mode
      this.tscDeadline = Number(BigInt.asUintN(64, value));
      this.#armTscDeadline();
      return true;
    }
    if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST || !this.x2apic) return false;
    const offset = (msr - MSR_X2APIC_FIRST) << 4;
    const low = Number(value & 0xffff_ffffn);
    if (offset === Reg.icrLow) {
      this.icrHigh = Number((value >> 32n) & 0xffff_ffffn);
      this.writeRegister(Reg.icrLow, low);
      return true;
    }
    // x2APIC registers reserve their upper halves; EOI takes only 0.
    if (value >> 32n !== 0n) return false;
    if (offset === Reg.eoi && low !== 0) return false;
    if (
      offset === Reg.timerCurrent ||
      offset === Reg.version ||
      offset === Reg.ppr ||
      offset === Reg.ldr ||
      offset === Reg.id ||
      (offset >= Reg.isr && offset < Reg.irr + 0x80)
    ) {
      return false;
    }
    return this.writeRegister(offset, low);
  }

  #writeApicBase(value: bigint): boolean {
    const v = Number(value & 0xf_ffff_ffffn);
    if (value >> 36n !== 0n || (v & 0x2ff) !== 0) return false;
    const en = (v & APIC_BASE_EN) !== 0;
    const extd = (v & APIC_BASE_EXTD) !== 0;
    if (extd && !en) return false;
    // x2APIC may only be left by disabling the APIC altogether.
    if (this.x2apic && en && !extd) return false;
    const wasEnabled = this.enabled;
    const wasX2 = this.x2apic;
    this.apicBase = v - (v & APIC_BASE_BSP) + (this.bsp ? APIC_BASE_BSP : 0);
    if (!en && wasEnabled) {
      this.initReset();
      this.id = this.#initialId;
    }
    if (extd && !wasX2) this.id = this.#initialId;
    this.#refresh();
    return true;
  }

  /**
   * Registers and timer. Timer times are in the clock this APIC was given (`time`), which a
   * hypervisor makes the guest's clock, so a restore re-arms the timer at its guest deadline.
   */
  saveState(): SavedRecord {
    return {
      irr: [...this.irr],
      isr: [...this.isr],
      tmr: [...this.tmr],
      lvt: [...this.lvt],
      apicBase: this.apicBase,
      id: this.id,
      tpr: this.tpr,
      ldr: this.ldr,
      dfr: this.dfr,
      svr: this.svr,
      icrLow: this.icrLow,
      icrHigh: this.icrHigh,
      esr: this.#esr,
      esrPending: this.#esrPending,
      divideConfig: this.divideConfig,
      initialCount: this.initialCount,
      timerStart: Number.isNaN(this.#timerStart) ? null : this.#timerStart,
      timerDeadline: Number.isFinite(this.#timerDeadline) ? this.#timerDeadline : null,
      tscDeadline: this.tscDeadline,
      lintLevels: this.#lintLevels,
    };
  }

  loadState(state: SavedRecord, owner = `local APIC ${this.#initialId}`): void {
    const r = new StateReader(state, owner);
    const U32 = [0, 0xffff_ffff] as const;
    const irr = r.ints("irr", 8, ...U32);
    const isr = r.ints("isr", 8, ...U32);
    const tmr = r.ints("tmr", 8, ...U32);
    const lvt = r.ints("lvt", 7, ...U32);
    const v = {
      apicBase: r.int("apicBase", 0, 0xf_ffff_ffff),
      id: r.int("id"),
      tpr: r.int("tpr", 0, 0xff),
      ldr: r.int("ldr"),
      dfr: r.int("dfr"),
      svr: r.int("svr"),
      icrLow: r.int("icrLow"),
      icrHigh: r.int("icrHigh"),
      esr: r.int("esr"),
      esrPending: r.int("esrPending"),
      divideConfig: r.int("divideConfig", 0, 0xf),
      initialCount: r.int("initialCount"),
      timerStart: state.timerStart === null ? null : r.amount("timerStart"),
      timerDeadline: state.timerDeadline === null ? null : r.amount("timerDeadline"),
      tscDeadline: r.amount("tscDeadline"),
      lintLevels: r.int("lintLevels", 0, 3),
    };
    this.irr.set(irr);
    this.isr.set(isr);
    this.tmr.set(tmr);
    this.lvt.set(lvt);
    this.apicBase = v.apicBase;
    this.id = v.id;
    this.tpr = v.tpr;
    this.ldr = v.ldr;
    this.dfr = v.dfr;
    this.svr = v.svr;
    this.icrLow = v.icrLow;
    this.icrHigh = v.icrHigh;
    this.#esr = v.esr;
    this.#esrPending = v.esrPending;
    this.divideConfig = v.divideConfig;
    this.initialCount = v.initialCount;
    this.#timerStart = v.timerStart ?? Number.NaN;
    this.#timerDeadline = v.timerDeadline ?? Number.POSITIVE_INFINITY;
    this.tscDeadline = v.tscDeadline;
    this.#lintLevels = v.lintLevels;
    this.#refresh();
  }
}
