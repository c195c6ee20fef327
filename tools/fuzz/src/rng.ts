/**
 * A small seeded PRNG (SplitMix32-style mixing of a 32-bit counter): the same seed gives the
 * same stream on every machine, which is what makes a fuzz case reproducible from its seed.
 */
export class Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The generator for case `index` of a campaign started with `seed`. */
  static forCase(seed: number, index: number): Rng {
    return new Rng(mix32((seed >>> 0) ^ mix32(index + 0x9e37_79b9)));
  }

  /** 32 random bits as an unsigned number. */
  u32(): number {
    this.#state = (this.#state + 0x9e37_79b9) >>> 0;
    return mix32(this.#state);
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.u32() / 0x1_0000_0000 < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.below(items.length)];
    if (item === undefined) throw new RangeError("pick from an empty list");
    return item;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85eb_ca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2_ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}
