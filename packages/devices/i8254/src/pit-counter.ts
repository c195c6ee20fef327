/** Read/write access modes of a control word (bits 5:4). */
const RW_LSB = 1;
const RW_MSB = 2;
const RW_WORD = 3;

const fromBcd = (v: number) =>
  (v & 0xf) + ((v >> 4) & 0xf) * 10 + ((v >> 8) & 0xf) * 100 + ((v >> 12) & 0xf) * 1000;
const toBcd = (v: number) =>
  (v % 10) |
  ((Math.floor(v / 10) % 10) << 4) |
  ((Math.floor(v / 100) % 10) << 8) |
  ((Math.floor(v / 1000) % 10) << 12);

/**
 * One 8254 counter. Time is in PIT input clocks (a float that the caller derives from the
 * board clock); the counter keeps the clock at which its count was loaded (or its gate
 * triggered it) and computes value and OUT from the distance to now, so it needs no ticking.
 */
export class PitCounter {
  mode = 0;
  rw = RW_WORD;
  bcd = false;
  /** The initial count in binary clocks (1..65536, or 1..10000 in BCD). */
  count = 0x10000;
  /** Clock at which counting started; NaN while waiting for a count or a trigger. */
  start = Number.NaN;
  gate: boolean;
  /** The count register holds a value the counting element has not taken yet. */
  nullCount = true;
  #writeLow = true;
  #pendingLow = 0;
  #readLow = true;
  #latched: number[] = [];
  #status: number | undefined;
  /** Value frozen while the gate disables counting (modes 0, 2, 3, 4). */
  #frozenAt = Number.NaN;

  constructor(gate: boolean) {
    this.gate = gate;
  }

  reset(): void {
    this.mode = 0;
    this.rw = RW_WORD;
    this.bcd = false;
    this.count = 0x10000;
    this.start = Number.NaN;
    this.nullCount = true;
    this.#writeLow = true;
    this.#readLow = true;
    this.#latched = [];
    this.#status = undefined;
    this.#frozenAt = Number.NaN;
  }

  /** Clocks counted since the start, as an integer (gate pauses included). */
  #elapsed(now: number): number {
    if (Number.isNaN(this.start)) return -1;
    const t = Number.isNaN(this.#frozenAt) ? now : this.#frozenAt;
    return Math.max(0, Math.floor(t - this.start));
  }

  /** The counting element's value at `now`, in binary. */
  value(now: number): number {
    const n = this.count;
    const d = this.#elapsed(now);
    if (d < 0) return 0;
    switch (this.mode) {
      case 2:
      case 6:
        return n - (d % n);
      case 3:
      case 7: {
        // Counts down by two; each half period starts again from the count.
        const pos = d % n;
        const half = (n + 1) >> 1;
        const into = pos < half ? pos : pos - half;
        return (n - 2 * into) & 0x1fffe || n;
      }
      default: {
        // Modes 0, 1, 4, 5: count down once, then wrap and keep counting.
        const v = (n - d) % 0x10000;
        return v < 0 ? v + 0x10000 : v;
      }
    }
  }

  /** The OUT pin at `now`. */
  out(now: number): boolean {
    if (!this.gate && (this.mode & 3) >= 2) return true;
    const d = this.#elapsed(now);
    const n = this.count;
    switch (this.mode) {
      case 0:
        return d >= n;
      case 1:
        return d < 0 || d >= n;
      case 2:
      case 6:
        return d < 0 || d % n !== n - 1;
      case 3:
      case 7:
        return d < 0 || d % n < (n + 1) >> 1;
      default:
        // 4 and 5: a one-clock low pulse when the count expires.
        return d !== n;
    }
  }

  /**
   * The first clock after `now` at which OUT rises, or Infinity: what drives an
   * edge-triggered IRQ0.
   */
  nextRisingEdge(now: number): number {
    if (Number.isNaN(this.start) || !Number.isNaN(this.#frozenAt)) return Number.POSITIVE_INFINITY;
    const n = this.count;
    const d = Math.floor(now - this.start);
    switch (this.mode) {
      case 0:
      case 1:
        return d < n ? this.start + n : Number.POSITIVE_INFINITY;
      case 4:
      case 5:
        return d < n + 1 ? this.start + n + 1 : Number.POSITIVE_INFINITY;
      default:
        return this.start + (Math.floor(d / n) + 1) * n;
    }
  }

  /** A control word addressed to this counter (not a latch command). */
  control(word: number): void {
    this.rw = (word >> 4) & 3;
    this.mode = (word >> 1) & 7;
    this.bcd = (word & 1) !== 0;
    this.start = Number.NaN;
    this.#frozenAt = Number.NaN;
    this.nullCount = true;
    this.#writeLow = true;
    this.#readLow = true;
    this.#latched = [];
    this.#status = undefined;
  }

  /** Counter latch command: the current value is held for the next reads. */
  latchCount(now: number): void {
    if (this.#latched.length > 0) return;
    const v = this.#external(this.value(now));
    if (this.rw === RW_LSB) this.#latched = [v & 0xff];
    else if (this.rw === RW_MSB) this.#latched = [v >> 8];
    else this.#latched = [v & 0xff, v >> 8];
  }

  /** Read-back status latch: OUT, null count, access mode, mode, BCD. */
  latchStatus(now: number): void {
    if (this.#status !== undefined) return;
    this.#status =
      (this.out(now) ? 0x80 : 0) |
      (this.nullCount ? 0x40 : 0) |
      (this.rw << 4) |
      (this.mode << 1) |
      (this.bcd ? 1 : 0);
  }

  #external(v: number): number {
    if (this.bcd) return toBcd(v % 10000);
    return v & 0xffff;
  }

  read(now: number): number {
    if (this.#status !== undefined) {
      const s = this.#status;
      this.#status = undefined;
      return s;
    }
    const latched = this.#latched.shift();
    if (latched !== undefined) return latched;
    const v = this.#external(this.value(now));
    switch (this.rw) {
      case RW_LSB:
        return v & 0xff;
      case RW_MSB:
        return v >> 8;
      default: {
        const low = this.#readLow;
        this.#readLow = !low;
        return low ? v & 0xff : v >> 8;
      }
    }
  }

  write(byte: number, now: number): void {
    let raw: number;
    switch (this.rw) {
      case RW_LSB:
        raw = byte;
        break;
      case RW_MSB:
        raw = byte << 8;
        break;
      default:
        if (this.#writeLow) {
          this.#pendingLow = byte;
          this.#writeLow = false;
          // Mode 0 stops counting when the first byte of a new count arrives.
          if (this.mode === 0) this.start = Number.NaN;
          return;
        }
        this.#writeLow = true;
        raw = this.#pendingLow | (byte << 8);
    }
    this.#load(raw, now);
  }

  #load(raw: number, now: number): void {
    let n = this.bcd ? fromBcd(raw) : raw;
    if (n === 0) n = this.bcd ? 10000 : 0x10000;
    // Modes 2 and 3 cannot count from 1 (the datasheet calls it illegal); QEMU treats it as 2.
    if (n === 1 && (this.mode & 3) >= 2) n = 2;
    this.count = n;
    this.nullCount = false;
    // Gate-triggered modes wait for a rising gate; the others start on the next clock.
    if (this.mode === 1 || this.mode === 5) return;
    this.start = Math.floor(now);
    this.#frozenAt = this.gate ? Number.NaN : this.start;
  }

  setGate(level: boolean, now: number): void {
    if (level === this.gate) return;
    this.gate = level;
    const rising = level;
    switch (this.mode) {
      case 1:
      case 5:
        if (rising && !this.nullCount) this.start = Math.floor(now);
        break;
      case 2:
      case 3:
      case 6:
      case 7:
        // Gate low forces OUT high and stops; a rising gate reloads the count.
        if (rising) {
          if (!this.nullCount) this.start = Math.floor(now);
          this.#frozenAt = Number.NaN;
        } else if (!Number.isNaN(this.start)) {
          this.#frozenAt = now;
        }
        break;
      default:
        // Modes 0 and 4: the gate only pauses counting.
        if (Number.isNaN(this.start)) break;
        if (rising) {
          this.start += now - this.#frozenAt;
          this.#frozenAt = Number.NaN;
        } else {
          this.#frozenAt = now;
        }
    }
  }
}
