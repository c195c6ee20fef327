import { type SavedRecord, StateReader } from "@axvisor/axdevice-base";

/**
 * One Intel 8259A programmable interrupt controller, without its ports: the PC wires two of
 * them (see `I8259Pair`). Programmed through ICW1-ICW4 and OCW1-OCW3 as the datasheet
 * describes; requests arrive on `setInput` and leave through `output`.
 *
 * Priorities rotate: `lowest` is the input with the lowest priority (7 after ICW1), so the
 * highest-priority input is `(lowest + 1) & 7` and priority falls from there.
 */
export class I8259Chip {
  /** Interrupt request register. */
  irr = 0;
  /** In-service register. */
  isr = 0;
  /** Interrupt mask register (OCW1). */
  imr = 0;
  /** Edge/level control: a set bit makes that input level-sensitive (the PC's ELCR). */
  elcr = 0;
  /** Bits of `elcr` that exist on this chip (the rest read 0). */
  readonly elcrMask: number;
  /** Vector of input 0 (ICW2 with bits 2:0 clear). */
  vectorBase = 0;
  /** Input with the lowest priority. */
  lowest = 7;
  autoEoi = false;
  rotateOnAutoEoi = false;
  specialMask = false;
  specialFullyNested = false;
  /** OCW3 read register select: false IRR, true ISR. */
  readIsr = false;
  /** OCW3 poll command: the next read of the command port is a poll. */
  pollPending = false;
  /** Which ICW the data port expects next (0: none, 2..4). */
  initStep = 0;
  #needIcw4 = false;
  #single = false;
  /** Current level of each input, for edge detection. */
  #levels = 0;
  /** Where the INT output goes (the CPU, or the master's cascade input). */
  readonly #output: (level: boolean) => void;
  #outputLevel = false;
  /** For the master in special fully nested mode: the slave's input bit (1 << 2). */
  readonly #cascadeMask: number;

  constructor(options: {
    readonly output: (level: boolean) => void;
    readonly elcrMask: number;
    readonly cascadeMask?: number;
  }) {
    this.#output = options.output;
    this.elcrMask = options.elcrMask;
    this.#cascadeMask = options.cascadeMask ?? 0;
  }

  get outputLevel(): boolean {
    return this.#outputLevel;
  }

  reset(): void {
    this.#initialize();
    this.elcr = 0;
    this.vectorBase = 0;
    this.#levels = 0;
    this.irr = 0;
    this.initStep = 0;
    this.#update();
  }

  /** The state ICW1 establishes. */
  #initialize(): void {
    // The edge latches are reset; level-triggered inputs that are still high stay requested.
    this.irr &= this.elcr & this.#levels;
    this.isr = 0;
    this.imr = 0;
    this.lowest = 7;
    this.autoEoi = false;
    this.rotateOnAutoEoi = false;
    this.specialMask = false;
    this.specialFullyNested = false;
    this.readIsr = false;
    this.pollPending = false;
  }

  /** Drives input `n` (0..7). */
  setInput(n: number, level: boolean): void {
    const bit = 1 << n;
    if (this.elcr & bit) {
      if (level) this.irr |= bit;
      else this.irr &= ~bit;
    } else if (level) {
      if ((this.#levels & bit) === 0) this.irr |= bit;
    }
    if (level) this.#levels |= bit;
    else this.#levels &= ~bit;
    this.#update();
  }

  /** The highest-priority input set in `bits`, or -1. */
  #highest(bits: number): number {
    if ((bits & 0xff) === 0) return -1;
    for (let p = 1; p <= 8; p++) {
      const n = (this.lowest + p) & 7;
      if (bits & (1 << n)) return n;
    }
    return -1;
  }

  /** Priority rank of input n: 0 is the highest. */
  #rank(n: number): number {
    return (n - this.lowest - 1) & 7;
  }

  /** The input that would be delivered now, or -1. */
  pendingInput(): number {
    const req = this.#highest(this.irr & ~this.imr);
    if (req < 0) return -1;
    let inService = this.isr;
    // Special mask mode: masked inputs in service do not hold off lower priorities.
    if (this.specialMask) inService &= ~this.imr;
    // Special fully nested: the slave may interrupt while one of its inputs is in service.
    if (this.specialFullyNested) inService &= ~this.#cascadeMask;
    const cur = this.#highest(inService);
    if (cur >= 0 && this.#rank(cur) <= this.#rank(req)) return -1;
    return req;
  }

  #update(): void {
    const level = this.pendingInput() >= 0;
    if (level !== this.#outputLevel) {
      this.#outputLevel = level;
      this.#output(level);
    }
  }

  /**
   * The INTA cycle: the input being serviced, moved from IRR to ISR (unless auto-EOI), or -1
   * when the request went away before the CPU acknowledged it (the chip then answers with
   * input 7's vector and sets no ISR bit: the spurious IRQ7).
   */
  acknowledge(): number {
    const n = this.pendingInput();
    if (n < 0) {
      this.#update();
      return -1;
    }
    this.#serve(n);
    return n;
  }

  #serve(n: number): void {
    const bit = 1 << n;
    // An edge request is consumed; a level request stays while the line is high.
    if ((this.elcr & bit) === 0) this.irr &= ~bit;
    if (this.autoEoi) {
      if (this.rotateOnAutoEoi) this.lowest = n;
    } else {
      this.isr |= bit;
    }
    this.#update();
  }

  /** A poll command's read: 0x80 | input when one is pending (it is then served), else 0. */
  poll(): number {
    this.pollPending = false;
    const n = this.pendingInput();
    if (n < 0) return 0;
    this.#serve(n);
    return 0x80 | n;
  }

  /** Write to the command port (A0 = 0): ICW1, OCW2 or OCW3. */
  writeCommand(v: number): void {
    if (v & 0x10) {
      this.#initialize();
      this.#needIcw4 = (v & 1) !== 0;
      this.#single = (v & 2) !== 0;
      // LTIM makes every input level-sensitive, as if all ELCR bits were set.
      if (v & 8) this.elcr = 0xff & this.elcrMask;
      this.initStep = 2;
      this.#update();
      return;
    }
    if (v & 0x08) {
      // OCW3
      if (v & 0x04) this.pollPending = true;
      if (v & 0x02) this.readIsr = (v & 1) !== 0;
      if (v & 0x40) this.specialMask = (v & 0x20) !== 0;
      this.#update();
      return;
    }
    // OCW2
    const level = v & 7;
    switch (v >> 5) {
      case 0: // clear rotate in auto-EOI
        this.rotateOnAutoEoi = false;
        break;
      case 4: // set rotate in auto-EOI
        this.rotateOnAutoEoi = true;
        break;
      case 1: // non-specific EOI
      case 5: {
        // rotate on non-specific EOI
        const n = this.#highest(this.isr);
        if (n >= 0) {
          this.isr &= ~(1 << n);
          if (v >> 5 === 5) this.lowest = n;
        }
        break;
      }
      case 3: // specific EOI
        this.isr &= ~(1 << level);
        break;
      case 7: // rotate on specific EOI
        this.isr &= ~(1 << level);
        this.lowest = level;
        break;
      case 6: // set priority
        this.lowest = level;
        break;
      default: // 2: no operation
        break;
    }
    this.#update();
  }

  /** Write to the data port (A0 = 1): ICW2-4 during initialization, else OCW1. */
  writeData(v: number): void {
    switch (this.initStep) {
      case 2:
        this.vectorBase = v & 0xf8;
        this.initStep = this.#single ? (this.#needIcw4 ? 4 : 0) : 3;
        return;
      case 3:
        this.initStep = this.#needIcw4 ? 4 : 0;
        return;
      case 4:
        this.autoEoi = (v & 2) !== 0;
        this.specialFullyNested = (v & 0x10) !== 0;
        this.initStep = 0;
        return;
      default:
        this.imr = v & 0xff;
        this.#update();
    }
  }

  readCommand(): number {
    if (this.pollPending) return this.poll();
    return this.readIsr ? this.isr : this.irr;
  }

  readData(): number {
    if (this.pollPending) return this.poll();
    return this.imr;
  }

  writeElcr(v: number): void {
    this.elcr = v & this.elcrMask;
    // A level input that is high is requested as soon as it becomes level-sensitive.
    this.irr = (this.irr & ~this.elcr) | (this.#levels & this.elcr);
    this.#update();
  }

  /** Every register, the initialisation sequence's position and the input levels. */
  saveState(): SavedRecord {
    return {
      irr: this.irr,
      isr: this.isr,
      imr: this.imr,
      elcr: this.elcr,
      vectorBase: this.vectorBase,
      lowest: this.lowest,
      autoEoi: this.autoEoi,
      rotateOnAutoEoi: this.rotateOnAutoEoi,
      specialMask: this.specialMask,
      specialFullyNested: this.specialFullyNested,
      readIsr: this.readIsr,
      pollPending: this.pollPending,
      initStep: this.initStep,
      needIcw4: this.#needIcw4,
      single: this.#single,
      levels: this.#levels,
      output: this.#outputLevel,
    };
  }

  /** Puts the state back; the output line is set as saved without calling `output`. */
  loadState(state: SavedRecord, owner: string): void {
    const r = new StateReader(state, owner);
    const v = {
      irr: r.int("irr", 0, 0xff),
      isr: r.int("isr", 0, 0xff),
      imr: r.int("imr", 0, 0xff),
      elcr: r.int("elcr", 0, 0xff),
      vectorBase: r.int("vectorBase", 0, 0xf8),
      lowest: r.int("lowest", 0, 7),
      autoEoi: r.bool("autoEoi"),
      rotateOnAutoEoi: r.bool("rotateOnAutoEoi"),
      specialMask: r.bool("specialMask"),
      specialFullyNested: r.bool("specialFullyNested"),
      readIsr: r.bool("readIsr"),
      pollPending: r.bool("pollPending"),
      initStep: r.int("initStep", 0, 4),
      needIcw4: r.bool("needIcw4"),
      single: r.bool("single"),
      levels: r.int("levels", 0, 0xff),
      output: r.bool("output"),
    };
    this.irr = v.irr;
    this.isr = v.isr;
    this.imr = v.imr;
    this.elcr = v.elcr & this.elcrMask;
    this.vectorBase = v.vectorBase;
    this.lowest = v.lowest;
    this.autoEoi = v.autoEoi;
    this.rotateOnAutoEoi = v.rotateOnAutoEoi;
    this.specialMask = v.specialMask;
    this.specialFullyNested = v.specialFullyNested;
    this.readIsr = v.readIsr;
    this.pollPending = v.pollPending;
    this.initStep = v.initStep;
    this.#needIcw4 = v.needIcw4;
    this.#single = v.single;
    this.#levels = v.levels;
    this.#outputLevel = v.output;
  }
}
