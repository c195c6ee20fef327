/**
 * Watches a console byte stream for marker strings and records when each first appeared:
 * the time (ms, from whatever clock the caller passes) and an optional counter value (e.g.
 * instructions executed so far). A marker split across chunks is found when its last byte
 * arrives, and is timed with that chunk.
 */
export interface MarkerHit {
  readonly timeMs: number;
  readonly counter: number | undefined;
}

export class MarkerWatch {
  readonly #markers: readonly string[];
  readonly #hits = new Map<string, MarkerHit>();
  readonly #failPrefix: string | undefined;
  /** The tail of the output kept to find markers that straddle chunks. */
  #tail = "";
  #failLine: string | undefined;
  #firstByte: MarkerHit | undefined;
  readonly #keep: number;
  readonly #decoder = new TextDecoder("latin1");

  /**
   * `failPrefix`: a line starting with it (e.g. "BENCH-FAIL") is captured whole, so a
   * harness can report why a guest gave up.
   */
  constructor(markers: readonly string[], failPrefix?: string) {
    if (markers.some((m) => m.length === 0)) throw new RangeError("empty marker");
    this.#markers = markers;
    this.#failPrefix = failPrefix;
    this.#keep = Math.max(1, ...markers.map((m) => m.length), failPrefix?.length ?? 0, 512);
  }

  feed(chunk: Uint8Array | string, timeMs: number, counter?: number): void {
    const text = typeof chunk === "string" ? chunk : this.#decoder.decode(chunk);
    if (text.length === 0) return;
    this.#firstByte ??= { timeMs, counter };
    const hay = this.#tail + text;
    for (const m of this.#markers) {
      if (this.#hits.has(m)) continue;
      // Only a match that ends inside the new chunk is new (the tail was searched before).
      const at = hay.indexOf(m, Math.max(0, this.#tail.length - m.length + 1));
      if (at >= 0) this.#hits.set(m, { timeMs, counter });
    }
    if (this.#failPrefix !== undefined && this.#failLine === undefined) {
      const at = hay.indexOf(this.#failPrefix);
      if (at >= 0) {
        const end = hay.indexOf("\n", at);
        if (end >= 0) this.#failLine = hay.slice(at, end).replace(/\r$/, "");
      }
    }
    this.#tail = hay.length > this.#keep * 2 ? hay.slice(hay.length - this.#keep) : hay;
  }

  /** When the marker appeared, or undefined if it has not. */
  hit(marker: string): MarkerHit | undefined {
    return this.#hits.get(marker);
  }

  has(marker: string): boolean {
    return this.#hits.has(marker);
  }

  /** The first output at all. */
  get firstByte(): MarkerHit | undefined {
    return this.#firstByte;
  }

  /** The whole failure line, once it has been completed by a newline. */
  get failLine(): string | undefined {
    return this.#failLine;
  }

  /** The last few hundred characters seen (for error messages). */
  get tail(): string {
    return this.#tail;
  }

  /** Milliseconds from marker `a` to marker `b`, if both appeared. */
  between(a: string, b: string): number | undefined {
    const x = this.#hits.get(a);
    const y = this.#hits.get(b);
    return x === undefined || y === undefined ? undefined : y.timeMs - x.timeMs;
  }
}
