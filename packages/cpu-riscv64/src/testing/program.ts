/**
 * A tiny two-pass builder for the hand-written programs of the threaded-hart tests and the
 * parallel benchmark: instructions are pushed in order, branches name labels.
 */
export class Program {
  private readonly words: (number | ((at: number) => number))[] = [];
  private readonly labels = new Map<string, number>();

  /** Byte offset of the next instruction. */
  get here(): number {
    return this.words.length * 4;
  }

  label(name: string): this {
    this.labels.set(name, this.here);
    return this;
  }

  emit(...insns: number[]): this {
    this.words.push(...insns);
    return this;
  }

  /** An instruction whose encoding needs the offset from itself to `label`. */
  to(label: string, encode: (offset: number) => number): this {
    this.words.push((at) => {
      const target = this.labels.get(label);
      if (target === undefined) throw new Error(`Program: no label ${label}`);
      return encode(target - at);
    });
    return this;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.words.length * 4);
    const view = new DataView(out.buffer);
    this.words.forEach((w, i) => {
      view.setUint32(i * 4, typeof w === "number" ? w : w(i * 4), true);
    });
    return out;
  }
}

/** lui + addiw loading a signed 32-bit constant into `rd`. */
export function li32(rd: number, value: number): number[] {
  const lo = ((value & 0xfff) << 20) >> 20;
  const hi = ((value - lo) >>> 12) & 0xfffff;
  return [
    ((hi << 12) | (rd << 7) | 0x37) >>> 0,
    (((lo & 0xfff) << 20) | (rd << 15) | (rd << 7) | 0x1b) >>> 0,
  ];
}
