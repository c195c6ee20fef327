import {
  type BaseMmioDeviceOps,
  EmulatedDeviceType,
  type IrqLine,
  type SavedRecord,
  StateReader,
} from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import {
  AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";

export interface PlicOptions {
  /** Physical base address (QEMU virt: 0x0c00_0000). */
  readonly base: number;
  /** Size of the MMIO window (QEMU virt: 0x60_0000). */
  readonly size?: number;
  /** Number of interrupt sources; ids are 1..numSources (device tree `riscv,ndev`; QEMU virt: 96). */
  readonly numSources?: number;
  /** Number of contexts (QEMU virt: 2 per hart, see `qemuVirtContext`). */
  readonly numContexts: number;
  /** Width of the priority and threshold registers in bits (QEMU virt: 3, priorities 0..7). */
  readonly priorityBits?: number;
  /** Drives a context's interrupt output (e.g. a hart's MEIP or SEIP). Called on changes only. */
  readonly setContextLine: (context: number, level: boolean) => void;
}

/** Register map of the SiFive PLIC (PLIC specification 1.0.0). */
export const PLIC_PRIORITY_BASE = 0x0000;
export const PLIC_PENDING_BASE = 0x1000;
export const PLIC_ENABLE_BASE = 0x2000;
export const PLIC_ENABLE_STRIDE = 0x80;
export const PLIC_CONTEXT_BASE = 0x20_0000;
export const PLIC_CONTEXT_STRIDE = 0x1000;
export const PLIC_CLAIM_OFFSET = 4;
export const PLIC_DEFAULT_SIZE = 0x60_0000;
export const PLIC_DEFAULT_SOURCES = 96;
export const PLIC_MAX_SOURCES = 1023;
/** Enable blocks end where the context blocks start: (0x200000 - 0x2000) / 0x80 contexts. */
export const PLIC_MAX_CONTEXTS = 15872;

/**
 * QEMU virt's context numbering: for each hart, its M-mode context then its S-mode context
 * (device tree `interrupts-extended = <&cpu0 11 &cpu0 9 &cpu1 11 &cpu1 9 ...>`).
 */
export const qemuVirtContext = (hart: number, mode: "M" | "S"): number =>
  2 * hart + (mode === "S" ? 1 : 0);

/**
 * A SiFive PLIC with level-triggered sources.
 *
 * Each source has a gateway: a rising (or held) level sets the pending bit only if the source
 * is not already pending or claimed; claiming clears pending and marks the source in service;
 * completing ends service and, if the line is still high, pends it again. A line that drops
 * while pending leaves the pending bit set (PLIC spec: the handler finds nothing to do).
 *
 * A context's output is high while some pending source enabled for it has a priority above
 * its threshold. Claim returns the highest such priority, lowest id first among equals.
 */
export class Plic implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #numSources: number;
  readonly #numContexts: number;
  readonly #words: number;
  readonly #priorityMask: number;
  readonly #setContextLine: (context: number, level: boolean) => void;

  readonly #priority: Uint32Array;
  readonly #pending: Uint32Array;
  readonly #inService: Uint32Array;
  readonly #level: Uint8Array;
  readonly #enable: Uint32Array;
  readonly #threshold: Uint32Array;
  readonly #output: Uint8Array;
  /** The bits of each word that name real sources (bit 0 of word 0, source 0, never does). */
  readonly #validBits: Uint32Array;
  readonly #lines = new Map<number, IrqLine>();

  constructor(options: PlicOptions) {
    const numSources = options.numSources ?? PLIC_DEFAULT_SOURCES;
    if (!Number.isInteger(numSources) || numSources < 1 || numSources > PLIC_MAX_SOURCES) {
      throw new RangeError(`plic: numSources must be 1..${PLIC_MAX_SOURCES}, got ${numSources}`);
    }
    const numContexts = options.numContexts;
    if (!Number.isInteger(numContexts) || numContexts < 1 || numContexts > PLIC_MAX_CONTEXTS) {
      throw new RangeError(`plic: numContexts must be 1..${PLIC_MAX_CONTEXTS}, got ${numContexts}`);
    }
    const priorityBits = options.priorityBits ?? 3;
    if (!Number.isInteger(priorityBits) || priorityBits < 1 || priorityBits > 32) {
      throw new RangeError(`plic: priorityBits must be 1..32, got ${priorityBits}`);
    }
    const size = options.size ?? PLIC_DEFAULT_SIZE;
    const needed = PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * numContexts;
    if (size < needed) {
      throw new RangeError(
        `plic: window of 0x${size.toString(16)} bytes cannot hold ${numContexts} contexts (needs 0x${needed.toString(16)})`,
      );
    }
    this.#range = rangeFromSize(options.base as GuestPhysAddr, size);
    this.#numSources = numSources;
    this.#numContexts = numContexts;
    this.#words = (numSources + 1 + 31) >>> 5;
    this.#priorityMask = priorityBits === 32 ? 0xffff_ffff : (1 << priorityBits) - 1;
    this.#setContextLine = options.setContextLine;

    this.#priority = new Uint32Array(numSources + 1);
    this.#pending = new Uint32Array(this.#words);
    this.#inService = new Uint32Array(this.#words);
    this.#level = new Uint8Array(numSources + 1);
    this.#enable = new Uint32Array(numContexts * this.#words);
    this.#threshold = new Uint32Array(numContexts);
    this.#output = new Uint8Array(numContexts);
    this.#validBits = new Uint32Array(this.#words);
    for (let src = 1; src <= numSources; src++) this.#validBits[src >>> 5]! |= 1 << (src & 31);
    this.reset();
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.InterruptController;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  get numSources(): number {
    return this.#numSources;
  }

  get numContexts(): number {
    return this.#numContexts;
  }

  /** Power-on state: all priorities, enables and thresholds 0; nothing in service. */
  reset(): void {
    this.#priority.fill(0);
    this.#pending.fill(0);
    this.#inService.fill(0);
    this.#enable.fill(0);
    this.#threshold.fill(0);
    // The input wires keep their levels: a source held high is seen again by its gateway.
    for (let src = 1; src <= this.#numSources; src++) {
      if (this.#level[src]) this.#setBit(this.#pending, src);
    }
    this.#updateOutputs();
  }

  /**
   * Priorities, pending and in-service bits, input levels, enables, thresholds and the
   * context outputs, for a VM snapshot.
   */
  saveState(): SavedRecord {
    return {
      sources: this.#numSources,
      contexts: this.#numContexts,
      priority: [...this.#priority],
      pending: [...this.#pending],
      inService: [...this.#inService],
      level: [...this.#level],
      enable: [...this.#enable],
      threshold: [...this.#threshold],
      output: [...this.#output],
    };
  }

  /**
   * Puts saved state back. The outputs are restored as they were without driving the context
   * lines: whoever they feed (a hart's mip, a vCPU's hvip) restores its own pending bits.
   */
  loadState(state: SavedRecord): void {
    const r = new StateReader(state, "PLIC");
    const n = r.int("sources");
    const c = r.int("contexts");
    if (n !== this.#numSources || c !== this.#numContexts) {
      throw axErr(
        "InvalidData",
        `PLIC: the snapshot has ${n} sources and ${c} contexts, this one ${this.#numSources} and ${this.#numContexts}`,
      );
    }
    const w = this.#words;
    this.#priority.set(r.ints("priority", n + 1));
    this.#pending.set(r.ints("pending", w));
    this.#inService.set(r.ints("inService", w));
    this.#level.set(r.ints("level", n + 1, 0, 1));
    this.#enable.set(r.ints("enable", c * w));
    this.#threshold.set(r.ints("threshold", c));
    this.#output.set(r.ints("output", c, 0, 1));
  }

  // ---- device side ----

  /** The input wire of source `id` (1..numSources), for a device's `irq` option. */
  sourceLine(id: number): IrqLine {
    this.#checkSource(id);
    let line = this.#lines.get(id);
    if (line === undefined) {
      line = { setLevel: (level: boolean) => this.setSourceLevel(id, level) };
      this.#lines.set(id, line);
    }
    return line;
  }

  setSourceLevel(id: number, level: boolean): void {
    this.#checkSource(id);
    this.#level[id] = level ? 1 : 0;
    if (level && !this.#bit(this.#pending, id) && !this.#bit(this.#inService, id)) {
      this.#setBit(this.#pending, id);
      this.#updateOutputs();
    }
  }

  // ---- host-visible state ----

  isPending(id: number): boolean {
    this.#checkSource(id);
    return this.#bit(this.#pending, id);
  }

  isInService(id: number): boolean {
    this.#checkSource(id);
    return this.#bit(this.#inService, id);
  }

  contextLevel(context: number): boolean {
    this.#checkContext(context);
    return this.#output[context] === 1;
  }

  /** Claims for `context` exactly as a read of its claim register does; 0 when nothing qualifies. */
  claim(context: number): number {
    this.#checkContext(context);
    const id = this.#best(context);
    if (id !== 0) {
      this.#clearBit(this.#pending, id);
      this.#setBit(this.#inService, id);
      this.#updateOutputs();
    }
    return id;
  }

  /**
   * Completes `id` for `context` as a write to its claim register does. Ignored (PLIC spec)
   * when the id is not a source, is not enabled for the context, or is not in service.
   */
  complete(context: number, id: number): void {
    this.#checkContext(context);
    if (!Number.isInteger(id) || id < 1 || id > this.#numSources) return;
    if (!this.#bit(this.#enable, id, context * this.#words)) return;
    if (!this.#bit(this.#inService, id)) return;
    this.#clearBit(this.#inService, id);
    if (this.#level[id]) this.#setBit(this.#pending, id);
    this.#updateOutputs();
  }

  // ---- guest side ----

  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    const off = this.#checkAccess(addr, width);
    return BigInt(this.#read(off));
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    const off = this.#checkAccess(addr, width);
    this.#write(off, Number(value & 0xffff_ffffn));
  }

  /** QEMU's PLIC only accepts aligned 32-bit accesses; others fault the guest. */
  #checkAccess(addr: number, width: AccessWidth): number {
    const off = addr - this.#range.start;
    if (width !== AccessWidth.Dword || (off & 3) !== 0) {
      throw axErr(
        "InvalidInput",
        `plic: ${width}-byte access at offset 0x${off.toString(16)} (only aligned 4-byte accesses)`,
      );
    }
    return off;
  }

  #read(off: number): number {
    if (off < PLIC_PENDING_BASE) {
      const src = off >>> 2;
      return src <= this.#numSources ? this.#priority[src]! : 0;
    }
    if (off < PLIC_ENABLE_BASE) {
      const word = (off - PLIC_PENDING_BASE) >>> 2;
      return word < this.#words ? this.#pending[word]! : 0;
    }
    if (off < PLIC_CONTEXT_BASE) {
      const ctx = Math.floor((off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE);
      const word = ((off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE) >>> 2;
      if (ctx >= this.#numContexts || word >= this.#words) return 0;
      return this.#enable[ctx * this.#words + word]!;
    }
    const ctx = Math.floor((off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
    if (ctx >= this.#numContexts) return 0;
    switch ((off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE) {
      case 0:
        return this.#threshold[ctx]!;
      case PLIC_CLAIM_OFFSET:
        return this.claim(ctx);
      default:
        return 0;
    }
  }

  #write(off: number, value: number): void {
    if (off < PLIC_PENDING_BASE) {
      const src = off >>> 2;
      if (src === 0 || src > this.#numSources) return;
      this.#priority[src] = value & this.#priorityMask;
      this.#updateOutputs();
      return;
    }
    if (off < PLIC_ENABLE_BASE) return; // pending bits are read-only
    if (off < PLIC_CONTEXT_BASE) {
      const ctx = Math.floor((off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE);
      const word = ((off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE) >>> 2;
      if (ctx >= this.#numContexts || word >= this.#words) return;
      this.#enable[ctx * this.#words + word] = value & this.#validBits[word]!;
      this.#updateOutputs();
      return;
    }
    const ctx = Math.floor((off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE);
    if (ctx >= this.#numContexts) return;
    switch ((off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE) {
      case 0:
        this.#threshold[ctx] = value & this.#priorityMask;
        this.#updateOutputs();
        break;
      case PLIC_CLAIM_OFFSET:
        this.complete(ctx, value);
        break;
      default:
        break;
    }
  }

  /** The source a claim by `ctx` would return: highest priority above threshold, lowest id. */
  #best(ctx: number): number {
    const base = ctx * this.#words;
    let bestId = 0;
    let bestPriority = this.#threshold[ctx]!;
    for (let w = 0; w < this.#words; w++) {
      let bits = this.#pending[w]! & this.#enable[base + w]!;
      while (bits !== 0) {
        const bit = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const id = (w << 5) | bit;
        const priority = this.#priority[id]!;
        // Strictly greater: ties keep the lower id found first.
        if (priority > bestPriority) {
          bestPriority = priority;
          bestId = id;
        }
      }
    }
    return bestId;
  }

  #updateOutputs(): void {
    for (let ctx = 0; ctx < this.#numContexts; ctx++) {
      const level = this.#best(ctx) !== 0 ? 1 : 0;
      if (level !== this.#output[ctx]) {
        this.#output[ctx] = level;
        this.#setContextLine(ctx, level === 1);
      }
    }
  }

  #bit(words: Uint32Array, id: number, base = 0): boolean {
    return ((words[base + (id >>> 5)]! >>> (id & 31)) & 1) === 1;
  }

  #setBit(words: Uint32Array, id: number): void {
    words[id >>> 5]! |= 1 << (id & 31);
  }

  #clearBit(words: Uint32Array, id: number): void {
    words[id >>> 5]! &= ~(1 << (id & 31));
  }

  #checkSource(id: number): void {
    if (!Number.isInteger(id) || id < 1 || id > this.#numSources) {
      throw new RangeError(`plic: no interrupt source ${id} (sources are 1..${this.#numSources})`);
    }
  }

  #checkContext(ctx: number): void {
    if (!Number.isInteger(ctx) || ctx < 0 || ctx >= this.#numContexts) {
      throw new RangeError(`plic: no context ${ctx} (have ${this.#numContexts})`);
    }
  }
}
