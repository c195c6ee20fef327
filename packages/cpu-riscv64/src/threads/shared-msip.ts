/**
 * The CLINT's MSIP registers (one 32-bit word per hart, bit 0 = machine software interrupt
 * pending) kept in a SharedArrayBuffer, so harts on different threads can interrupt each
 * other: a store sets the word and `Atomics.notify`s it, and a hart halted in WFI on another
 * thread sleeps in `Atomics.wait` on its own word until then. One more word, after the harts',
 * tells every waiting thread to give up (the group failed).
 */
export const MSIP_DEFAULT_BASE = 0x0200_0000;

export class SharedMsip {
  readonly words: Int32Array;

  /** `buffer` from `SharedMsip.allocate` (on any thread); `base` is the block's address. */
  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly harts: number,
    readonly base = MSIP_DEFAULT_BASE,
  ) {
    if (!Number.isInteger(harts) || harts < 1 || buffer.byteLength < 4 * (harts + 2)) {
      throw new RangeError(
        `SharedMsip: a buffer of ${buffer.byteLength} bytes has no room for ${harts} harts`,
      );
    }
    this.words = new Int32Array(buffer, 0, harts + 2);
  }

  static allocate(harts: number, base = MSIP_DEFAULT_BASE): SharedMsip {
    return new SharedMsip(new SharedArrayBuffer(4 * (harts + 2)), harts, base);
  }

  /** MMIO read at physical address `pa`; null outside the block or for a misaligned access. */
  load(pa: number, width: number): bigint | null {
    const i = this.index(pa, width);
    return i < 0 ? null : BigInt(Atomics.load(this.words, i) & 1);
  }

  /** MMIO write: bit 0 of the value sets or clears the hart's software interrupt. */
  store(pa: number, width: number, value: bigint): boolean {
    const i = this.index(pa, width);
    if (i < 0) return false;
    this.set(i, Number(value & 1n) === 1);
    return true;
  }

  set(hart: number, pending: boolean): void {
    Atomics.store(this.words, hart, pending ? 1 : 0);
    if (pending) Atomics.notify(this.words, hart);
  }

  pending(hart: number): boolean {
    return Atomics.load(this.words, hart) !== 0;
  }

  /** Sleeps until `hart`'s word is set, the group is stopped, or `timeoutMs` passed. */
  waitFor(hart: number, timeoutMs: number): void {
    if (this.stopped) return;
    Atomics.wait(this.words, hart, 0, timeoutMs);
  }

  /** Wakes every waiting hart for good: the group is over. */
  stop(): void {
    Atomics.store(this.words, this.harts, 1);
    for (let h = 0; h <= this.harts + 1; h++) Atomics.notify(this.words, h);
  }

  /** Lets every hart waiting in `awaitStart` go. */
  start(): void {
    Atomics.store(this.words, this.harts + 1, 1);
    Atomics.notify(this.words, this.harts + 1);
  }

  /** Blocks until `start` (or `stop`) was called. */
  awaitStart(): void {
    while (Atomics.load(this.words, this.harts + 1) === 0 && !this.stopped) {
      Atomics.wait(this.words, this.harts + 1, 0, 100);
    }
  }

  get stopped(): boolean {
    return Atomics.load(this.words, this.harts) !== 0;
  }

  private index(pa: number, width: number): number {
    const off = pa - this.base;
    if (width !== 4 || off < 0 || off % 4 !== 0 || off >= 4 * this.harts) return -1;
    return off >>> 2;
  }
}
