/**
 * The cases of the QEMU differential test: seeded, so the recorded fixture and the test
 * regenerate the same inputs. A case is one instruction (its bytes; a memory operand is [rbx])
 * and the state before it, formatted as a line of harness.c's input.
 */

export interface Ext {
  se: number;
  hi: number;
  lo: number;
}

export interface Case {
  code: number[];
  fcw: number;
  fsw: number;
  /** Abridged tag byte (bit i: physical register i is not empty). */
  ftw: number;
  mxcsr: number;
  rflags: number;
  raxLo: number;
  raxHi: number;
  rdxLo: number;
  rdxHi: number;
  /** ST(0)..ST(7), in stack order as FXSAVE stores them. */
  st: Ext[];
  /** XMM0..XMM2 as four little-endian words each. */
  xmm: number[][];
  mem: number[];
}

/** mulberry32 */
export function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

const hex = (v: number, digits: number) => (v >>> 0).toString(16).padStart(digits, "0");

export function extHex(e: Ext): string {
  return hex(e.se, 4) + hex(e.hi, 8) + hex(e.lo, 8);
}

export function inputLine(c: Case): string {
  const code = c.code.map((b) => hex(b, 2)).join("");
  const xmm = c.xmm.map((x) => hex(x[3]!, 8) + hex(x[2]!, 8) + hex(x[1]!, 8) + hex(x[0]!, 8));
  const mem = c.mem.map((b) => hex(b, 2)).join("");
  return [
    code,
    hex(c.fcw, 4),
    hex(c.fsw, 4),
    hex(c.ftw, 2),
    hex(c.mxcsr, 8),
    hex(0, 8) + hex(c.rflags, 8),
    hex(c.raxHi, 8) + hex(c.raxLo, 8),
    hex(c.rdxHi, 8) + hex(c.rdxLo, 8),
    ...c.st.map(extHex),
    ...xmm,
    mem,
  ].join(" ");
}

class Gen {
  constructor(readonly next: () => number) {}
  pick<T>(a: readonly T[]): T {
    return a[this.next() % a.length]!;
  }
  chance(n: number): boolean {
    return this.next() % n === 0;
  }
  u32(): number {
    return this.next();
  }

  /** An 80-bit value: specials, denormals, unsupported encodings, and random normals. */
  ext(kind: "any" | "int" | "near" = "any", near?: Ext): Ext {
    const n = this.next;
    const sign = (n() & 1) << 15;
    if (kind === "near" && near && (near.se & 0x7fff) !== 0x7fff && !this.chance(4)) {
      const e = Math.max(1, Math.min(0x7ffe, (near.se & 0x7fff) + (n() % 5) - 2));
      const hi = this.chance(2) ? near.hi ^ (n() & 7) : (near.hi & 0xffffff00) | (n() & 0xff);
      return {
        se: sign | e,
        hi: (hi | 0x80000000) >>> 0,
        lo: this.chance(2) ? near.lo ^ (n() & 0xff) : n(),
      };
    }
    if (this.chance(7)) {
      const specials: Ext[] = [
        { se: 0, hi: 0, lo: 0 },
        { se: 0x7fff, hi: 0x80000000, lo: 0 },
        { se: 0x7fff, hi: 0xc0000000, lo: 0 },
        { se: 0x7fff, hi: 0xc0000000, lo: n() },
        { se: 0x7fff, hi: 0x80000000 | (n() & 0x3fffffff) | 1, lo: n() },
        { se: 0x7fff, hi: 0xa0000000, lo: 0 },
        { se: 0x7ffe, hi: 0xffffffff, lo: 0xffffffff },
        { se: 0x0001, hi: 0x80000000, lo: 0 },
        { se: 0x0000, hi: n() & 0x7fffffff, lo: n() },
        { se: 0x0000, hi: 0, lo: 1 },
        { se: 0x0000, hi: 0x80000000 | n(), lo: n() },
        { se: 0x3fff, hi: n() & 0x7fffffff, lo: n() },
        { se: 0x7fff, hi: n() & 0x7fffffff, lo: n() },
        { se: 0x3fff, hi: 0x80000000, lo: 0 },
        { se: 0x403e, hi: 0x80000000, lo: 0 },
        { se: 0x401e, hi: 0x80000000, lo: 0 },
        { se: 0x400e, hi: 0x80000000, lo: 0 },
      ];
      const v = this.pick(specials);
      return { se: (v.se | sign) & 0xffff, hi: v.hi >>> 0, lo: v.lo >>> 0 };
    }
    let e: number;
    if (kind === "int") e = 0x3fff - 2 + (n() % 70);
    else
      e = this.pick([
        () => 1 + (n() % 0x7ffe),
        () => 0x3fff - 40 + (n() % 80),
        () => 0x3fff - 40 + (n() % 80),
        () => 1 + (n() % 80),
        () => 0x7ffe - (n() % 80),
        () => 0x3fff - 16382 + 1023 - 60 + (n() % 120),
        () => 0x3fff + 1023 - 60 + (n() % 120),
        () => 0x3fff - 126 - 30 + (n() % 60),
        () => 0x3fff + 127 - 30 + (n() % 60),
      ])();
    const [hi, lo] = this.pick([
      () => [n() | 0x80000000, n()],
      () => [(n() & 0xfff00000) | 0x80000000, 0],
      () => [0xffffffff, (0xffffffff ^ (n() & 0xff)) >>> 0],
      () => [(n() & 0xffffff00) | 0x80000000, 0],
      () => [n() | 0x80000000, n() & 0xfffff800],
      () => [0x80000000, n() & 0xff],
    ])();
    return { se: sign | e, hi: hi! >>> 0, lo: lo! >>> 0 };
  }

  /** A binary32 or binary64 bit pattern with specials, written little-endian to bytes. */
  float(bytes: 4 | 8): number[] {
    const n = this.next;
    const out: number[] = [];
    let lo: number;
    let hi: number;
    if (bytes === 4) {
      lo = this.chance(5)
        ? this.pick([
            0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0x7fa00001, 1, 0x807fffff,
            0x7f7fffff, 0x00800000, 0x3f800000, 0xcf000000,
          ])
        : ((n() & 0x80000000) |
            (this.pick([n() % 255, 127 - 30 + (n() % 60), n() % 8]) << 23) |
            (n() & 0x7fffff)) >>>
          0;
      hi = 0;
    } else {
      [hi, lo] = this.chance(5)
        ? this.pick([
            [0, 0],
            [0x80000000, 0],
            [0x7ff00000, 0],
            [0x7ff80000, 0],
            [0x7ff40000, 1],
            [0, 1],
            [0x800fffff, 0xffffffff],
            [0x7fefffff, 0xffffffff],
            [0x3ff00000, 0],
            [0xc3e00000, 0],
          ])!
        : [
            ((n() & 0x80000000) |
              (this.pick([n() % 2047, 1023 - 40 + (n() % 80), n() % 8]) << 20) |
              (n() & 0xfffff)) >>>
              0,
            n(),
          ];
    }
    for (let i = 0; i < 4; i++) out.push((lo >>> (8 * i)) & 0xff);
    if (bytes === 8) for (let i = 0; i < 4; i++) out.push((hi! >>> (8 * i)) & 0xff);
    return out;
  }

  /** Integer lanes with saturation-boundary values. */
  lanes(): number[] {
    const n = this.next;
    const size = this.pick([1, 2, 4, 8]);
    const bytes: number[] = [];
    while (bytes.length < 16) {
      if (this.chance(3)) {
        const b = this.pick([0x00, 0x7f, 0x80, 0xff, 0x01]);
        for (let i = 0; i < size; i++) bytes.push(i === size - 1 ? b : this.pick([0, 0xff, b]));
      } else for (let i = 0; i < size; i++) bytes.push(n() & 0xff);
    }
    const words: number[] = [];
    for (let i = 0; i < 4; i++)
      words.push(
        (bytes[4 * i]! |
          (bytes[4 * i + 1]! << 8) |
          (bytes[4 * i + 2]! << 16) |
          (bytes[4 * i + 3]! << 24)) >>>
          0,
      );
    return words;
  }
}

function base(g: Gen): Case {
  const zero: Ext = { se: 0, hi: 0, lo: 0 };
  return {
    code: [],
    fcw: 0x037f,
    fsw: 0,
    ftw: 0,
    mxcsr: 0x1f80,
    rflags: 0x2 | (g.next() & 0x8d5),
    raxLo: g.u32(),
    raxHi: g.u32(),
    rdxLo: g.u32(),
    rdxHi: g.u32(),
    st: [zero, zero, zero, zero, zero, zero, zero, zero],
    xmm: [g.lanes(), g.lanes(), g.lanes()],
    mem: Array.from({ length: 32 }, () => g.next() & 0xff),
  };
}

/** x87 stack with ST(0)..ST(depth-1) valid, a random TOP, random condition codes, PC and RC. */
function x87State(g: Gen, c: Case, depth: number, intLike = false): void {
  const top = g.next() & 7;
  const pcs = [0, 2, 3, 3, 3];
  c.fcw = 0x037f & ~0x0300;
  c.fcw |= g.pick(pcs) << 8;
  c.fcw |= (g.next() & 3) << 10;
  c.fsw = (top << 11) | (g.next() & 0x4700);
  c.ftw = 0;
  for (let i = 0; i < depth; i++) c.ftw |= 1 << ((top + i) & 7);
  const st0 = g.ext(intLike ? "int" : "any");
  c.st[0] = st0;
  for (let i = 1; i < depth; i++) c.st[i] = g.ext(g.chance(3) ? "near" : "any", st0);
}

/** 10610063 × 13264529 = 2^47 - 1 and 4533896051839367 × 8947011299662793 = 2^105 - 1, as
 * left-aligned 64-bit significands (hi, lo). */
const TINY24_A = [10610063 * 2 ** 8, 0];
const TINY24_B = [13264529 * 2 ** 8, 0];
const TINY53_A = split53(4533896051839367);
const TINY53_B = split53(8947011299662793);
function split53(v: number): number[] {
  const hi = Math.floor(v / 2 ** 21);
  return [hi >>> 0, ((v - hi * 2 ** 21) * 2 ** 11) >>> 0];
}

/**
 * ST(0) and ST(1) whose product (or quotient) lands near the extended format's underflow or
 * overflow threshold, with significands that round up across it: tininess, UE/OE and the
 * rounding of the largest and smallest results.
 */
function boundaryPair(g: Gen, c: Case, mul: boolean): void {
  const n = g.next;
  if (mul && g.chance(3)) {
    // Significands whose exact product is just below 2 by less than half an ulp at the
    // precision control: the product is tiny before rounding but not after.
    const pc = (c.fcw >> 8) & 3;
    const [a, b] =
      pc === 3
        ? [
            [0x80000000, 1],
            [0xffffffff, 0xfffffffe],
          ]
        : pc === 2
          ? [TINY53_A, TINY53_B]
          : [TINY24_A, TINY24_B];
    c.st[0] = { se: ((n() & 1) << 15) | (0x3fff - 8191), hi: a![0]!, lo: a![1]! };
    c.st[1] = { se: ((n() & 1) << 15) | (0x3fff - 8192), hi: b![0]!, lo: b![1]! };
    return;
  }
  const target = g.chance(2) ? (n() % 70) - 66 : 0x7fff - (n() % 4);
  const ea = 0x3fff - 8000 + (n() % 16000);
  const eb = mul ? target - ea + 0x3fff : ea - target + 0x3fff;
  const eb2 = Math.max(1, Math.min(0x7ffe, eb));
  const sig = () =>
    g.chance(2) ? [0xffffffff, (0xffffffff ^ (n() & 0x3f)) >>> 0] : [0x80000000, n() & 7];
  const [ah, al] = sig();
  const [bh, bl] = mul ? [0x80000000, n() & 3] : sig();
  c.st[0] = { se: ((n() & 1) << 15) | ea, hi: ah!, lo: al! };
  c.st[1] = { se: ((n() & 1) << 15) | eb2, hi: bh!, lo: bl! };
}

type Maker = (g: Gen) => Case;

function x87(
  code: number[],
  opts: {
    depth?: number;
    mem?: "f32" | "f64" | "f80" | "i16" | "i32" | "i64" | "bcd";
    int?: boolean;
    boundary?: "mul" | "div";
  } = {},
): Maker {
  return (g) => {
    const c = base(g);
    c.code = code;
    x87State(g, c, opts.depth ?? 3, opts.int ?? false);
    if (opts.boundary && g.chance(2)) boundaryPair(g, c, opts.boundary === "mul");
    if (opts.mem === "f32") c.mem.splice(0, 4, ...g.float(4));
    else if (opts.mem === "f64") c.mem.splice(0, 8, ...g.float(8));
    else if (opts.mem === "f80") {
      const v = g.ext();
      const b = [
        v.lo,
        v.lo >>> 8,
        v.lo >>> 16,
        v.lo >>> 24,
        v.hi,
        v.hi >>> 8,
        v.hi >>> 16,
        v.hi >>> 24,
        v.se,
        v.se >>> 8,
      ];
      c.mem.splice(0, 10, ...b.map((x) => x & 0xff));
    } else if (opts.mem === "i16" && g.chance(2))
      c.mem.splice(
        0,
        2,
        ...g.pick([
          [0, 0x80],
          [0xff, 0x7f],
          [0, 0],
          [0xff, 0xff],
        ]),
      );
    else if (opts.mem === "i32" && g.chance(2))
      c.mem.splice(
        0,
        4,
        ...g.pick([
          [0, 0, 0, 0x80],
          [0xff, 0xff, 0xff, 0x7f],
          [1, 0, 0, 0],
        ]),
      );
    else if (opts.mem === "bcd") {
      for (let i = 0; i < 9; i++) c.mem[i] = ((g.next() % 10) << 4) | (g.next() % 10);
      c.mem[9] = g.chance(2) ? 0x80 : 0;
    }
    return c;
  };
}

const RBX = 0x03;

function x87Makers(): [Maker, number][] {
  const list: [Maker, number][] = [];
  // Arithmetic ST(0) op ST(1), ST(1) op ST(0), pops.
  list.push([x87([0xd8, 0xc9], { boundary: "mul" }), 8]);
  list.push([x87([0xd8, 0xf1], { boundary: "div" }), 8]);
  for (let r = 0; r < 8; r++) {
    list.push([x87([0xd8, 0xc1 | (r << 3)]), r === 2 || r === 3 ? 2 : 6]);
    if (r !== 2 && r !== 3) {
      list.push([x87([0xdc, 0xc1 | (r << 3)]), 3]);
      list.push([x87([0xde, 0xc1 | (r << 3)]), 2]);
    }
    list.push([x87([0xd8, RBX | (r << 3)], { mem: "f32" }), 2]);
    list.push([x87([0xdc, RBX | (r << 3)], { mem: "f64" }), 2]);
    list.push([x87([0xda, RBX | (r << 3)], { mem: "i32" }), 1]);
    list.push([x87([0xde, RBX | (r << 3)], { mem: "i16" }), 1]);
  }
  const one = (code: number[], w: number, o: Parameters<typeof x87>[1] = {}) =>
    list.push([x87(code, o), w]);
  one([0xd9, 0x03], 3, { mem: "f32" }); // FLD m32
  one([0xdd, 0x03], 3, { mem: "f64" }); // FLD m64
  one([0xdb, 0x2b], 2, { mem: "f80" }); // FLD m80
  one([0xdf, 0x03], 1, { mem: "i16" }); // FILD m16
  one([0xdb, 0x03], 1, { mem: "i32" }); // FILD m32
  one([0xdf, 0x2b], 1, { mem: "i64" }); // FILD m64
  one([0xdf, 0x23], 1, { mem: "bcd" }); // FBLD
  for (const code of [
    [0xd9, 0x13],
    [0xd9, 0x1b],
    [0xdd, 0x13],
    [0xdd, 0x1b],
  ])
    one(code, 4); // FST/FSTP m32/m64
  one([0xdb, 0x3b], 1); // FSTP m80
  for (const code of [
    [0xdf, 0x13],
    [0xdf, 0x1b],
    [0xdb, 0x13],
    [0xdb, 0x1b],
    [0xdf, 0x3b],
    [0xdf, 0x0b],
    [0xdb, 0x0b],
    [0xdd, 0x0b],
    [0xdf, 0x33],
  ])
    one(code, 3, { int: true }); // FIST/FISTP/FISTTP/FBSTP
  one([0xd9, 0xfa], 6); // FSQRT
  one([0xd9, 0xfc], 4, { int: true }); // FRNDINT
  one([0xd9, 0xfd], 4); // FSCALE
  one([0xd9, 0xf4], 2); // FXTRACT
  one([0xd9, 0xf8], 4); // FPREM
  one([0xd9, 0xf5], 4); // FPREM1
  for (const m of [
    0xe0, 0xe1, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xc9, 0xc2, 0xf6, 0xf7,
  ])
    one([0xd9, m], 1);
  for (const code of [
    [0xdd, 0xd9],
    [0xdd, 0xd1],
    [0xdd, 0xe1],
    [0xdd, 0xe9],
    [0xda, 0xe9],
    [0xde, 0xd9],
    [0xdb, 0xf1],
    [0xdb, 0xe9],
    [0xdf, 0xf1],
    [0xdf, 0xe9],
    [0xdd, 0xc1],
    [0xdf, 0xe0],
  ])
    one(code, 2);
  for (let r = 0; r < 4; r++) {
    one([0xda, 0xc1 | (r << 3)], 1);
    one([0xdb, 0xc1 | (r << 3)], 1);
  }
  // Undocumented aliases: FCOM2, FCOMP3, FCOMP5, FXCH4, FXCH7, FSTP1, FSTP8, FSTP9, FFREEP, FNOP,
  // and FENI/FDISI/FSETPM (no-ops).
  for (const code of [
    [0xdc, 0xd1],
    [0xdc, 0xd9],
    [0xde, 0xd1],
    [0xdd, 0xc9],
    [0xdf, 0xc9],
    [0xd9, 0xd9],
    [0xdf, 0xd1],
    [0xdf, 0xd9],
    [0xdf, 0xc1],
    [0xd9, 0xd0],
    [0xdb, 0xe0],
    [0xdb, 0xe1],
    [0xdb, 0xe4],
  ])
    one(code, 1);
  // Stack faults: reads of empty registers and pushes onto a full stack.
  for (const code of [
    [0xd8, 0xc1],
    [0xde, 0xc9],
    [0xd9, 0xc9],
    [0xdd, 0xe1],
    [0xdb, 0xf1],
    [0xd9, 0xf8],
    [0xd9, 0xfd],
  ])
    one(code, 1, { depth: 1 });
  for (const code of [
    [0xd9, 0xfa],
    [0xd9, 0xe0],
    [0xd9, 0xe4],
    [0xdd, 0x1b],
    [0xdf, 0x1b],
    [0xdb, 0x3b],
    [0xdd, 0xd9],
    [0xd9, 0xf4],
  ])
    one(code, 1, { depth: 0 });
  for (const code of [
    [0xd9, 0xe8],
    [0xd9, 0xc2],
    [0xdd, 0x03],
    [0xdf, 0x03],
    [0xd9, 0xf4],
  ])
    one(code, 1, { depth: 8 });
  one([0xd9, 0x3b], 1); // FNSTCW
  one([0xdd, 0x3b], 1); // FNSTSW m16
  return list;
}

function sse(code: number[], opts: { mmx?: boolean } = {}): Maker {
  return (g) => {
    const c = base(g);
    c.code = code;
    if (opts.mmx) {
      // MM0, MM1, MM2 are R0..R2: TOP = 0 so ST(i) = R(i).
      c.fsw = 0;
      c.ftw = g.next() & 0xff;
      for (let i = 0; i < 3; i++) {
        const l = g.lanes();
        c.st[i] = { se: g.chance(2) ? 0xffff : g.next() & 0xffff, hi: l[1]!, lo: l[0]! };
      }
    }
    return c;
  };
}

/** XMM lanes (and memory) of binary32 or binary64 values, MXCSR with random RC, DAZ and FTZ. */
/**
 * Lanes of XMM0 and XMM1 whose products (quotients) land near the underflow or overflow
 * threshold of the format, with significands that round across it.
 */
function fpBoundary(g: Gen, c: Case, single: boolean, mul: boolean): void {
  const n = g.next;
  const [bias, emax, mbits] = single ? [127, 254, 23] : [1023, 2046, 52];
  const exact = mul && g.chance(3);
  for (let lane = 0; lane < (single ? 4 : 2); lane++) {
    if (exact) {
      // Tiny before rounding, not after (see TINY24/TINY53): ea + eb + 1 = emin.
      const [ma, mb] = single
        ? [10610063 - 2 ** 23, 13264529 - 2 ** 23]
        : [4533896051839367 - 2 ** 52, 8947011299662793 - 2 ** 52];
      const half = single ? 63 : 511;
      const setLane = (x: number[], e: number, m: number) => {
        const sign = n() & 1;
        if (single) x[lane] = ((sign << 31) | (e << 23) | m) >>> 0;
        else {
          x[2 * lane] = (m % 2 ** 32) >>> 0;
          x[2 * lane + 1] = ((sign << 31) | (e << 20) | Math.floor(m / 2 ** 32)) >>> 0;
        }
      };
      setLane(c.xmm[0]!, bias - half, ma!);
      setLane(c.xmm[1]!, bias - half - 1, mb!);
      continue;
    }
    const target = g.chance(2) ? (n() % 30) - 26 : emax - (n() % 3);
    const ea = 1 + (n() % emax);
    const eb = Math.max(1, Math.min(emax, mul ? target - ea + bias : ea - target + bias));
    const sig = () => (g.chance(2) ? 2 ** mbits - 1 - (n() % 8) : n() % 8);
    const put = (x: number[], e: number, m: number) => {
      const sign = n() & 1;
      if (single) x[lane] = ((sign << 31) | (e << 23) | m) >>> 0;
      else {
        x[2 * lane] = (m % 2 ** 32) >>> 0;
        x[2 * lane + 1] = ((sign << 31) | (e << 20) | Math.floor(m / 2 ** 32)) >>> 0;
      }
    };
    put(c.xmm[0]!, ea, sig());
    put(c.xmm[1]!, eb, mul ? n() % 4 : sig());
  }
}

function sseFp(code: number[], imm?: (g: Gen) => number, boundary?: "mul" | "div"): Maker {
  return (g) => {
    const c = base(g);
    c.code = imm ? [...code, imm(g)] : code;
    c.mxcsr =
      0x1f80 | ((g.next() & 3) << 13) | (g.chance(3) ? 0x40 : 0) | (g.chance(3) ? 0x8000 : 0);
    const single = g.chance(2);
    const fill = () => {
      const bytes: number[] = [];
      while (bytes.length < 16) bytes.push(...g.float(single ? 4 : 8));
      return bytes;
    };
    const words = (b: number[]) =>
      [0, 1, 2, 3].map(
        (i) =>
          (b[4 * i]! | (b[4 * i + 1]! << 8) | (b[4 * i + 2]! << 16) | (b[4 * i + 3]! << 24)) >>> 0,
      );
    c.xmm = [words(fill()), words(fill()), c.xmm[2]!];
    if (g.chance(4))
      c.xmm[1] = c.xmm[1]!.map((v, i) => (g.chance(2) ? c.xmm[0]![i]! ^ (g.next() & 3) : v));
    c.mem.splice(0, 16, ...fill());
    if (boundary && g.chance(2)) fpBoundary(g, c, single, boundary === "mul");
    // Integer sources for the int-to-float conversions.
    if (g.chance(2)) {
      c.raxLo = g.pick([0x7fffffff, 0x80000000, 0xffffffff, 1, g.u32(), g.u32() & 0xffffff]);
      c.raxHi = g.pick([0, 0xffffffff, g.u32(), 0x7fffffff, 0x80000000]);
    }
    return c;
  };
}

function sseFpMakers(): [Maker, number][] {
  const list: [Maker, number][] = [];
  const all = [[], [0x66], [0xf3], [0xf2]];
  const add = (pre: number[], rest: number[], wgt: number, imm?: (g: Gen) => number) => {
    list.push([sseFp([...pre, 0x0f, ...rest], imm), wgt]);
  };
  for (const pre of all) {
    list.push([sseFp([...pre, 0x0f, 0x59, 0xc1], undefined, "mul"), 3]);
    list.push([sseFp([...pre, 0x0f, 0x5e, 0xc1], undefined, "div"), 3]);
  }
  for (const pre of all) {
    for (const op of [0x51, 0x58, 0x59, 0x5c, 0x5d, 0x5e, 0x5f]) {
      add(pre, [op, 0xc1], 3);
      add(pre, [op, RBX], 1);
    }
    add(pre, [0xc2, 0xc1], 3, (g) => g.next() & 7);
    add(pre, [0xc2, RBX], 1, (g) => g.next() & 7);
    add(pre, [0x5a, 0xc1], 2);
    add(pre, [0x5a, RBX], 1);
  }
  for (const pre of [[], [0x66]]) {
    for (const op of [0x2e, 0x2f]) {
      add(pre, [op, 0xc1], 3);
      add(pre, [op, RBX], 1);
    }
    add(pre, [0x2a, RBX], 1);
    add(pre, [0x2c, 0xc1], 1);
    add(pre, [0x2d, 0xc1], 1);
  }
  for (const pre of [[], [0x66], [0xf3]]) add(pre, [0x5b, 0xc1], 2);
  for (const pre of [[0x66], [0xf3], [0xf2]]) add(pre, [0xe6, 0xc1], 2);
  for (const pre of [[0xf3], [0xf2], [0xf3, 0x48], [0xf2, 0x48]]) {
    add(pre, [0x2a, 0xc0], 2);
    add(pre, [0x2a, RBX], 1);
    add(pre, [0x2c, 0xc1], 2);
    add(pre, [0x2d, 0xc1], 2);
    add(pre, [0x2d, RBX], 1);
  }
  for (const pre of [[], [0xf3]]) {
    add(pre, [0x52, 0xc1], 2);
    add(pre, [0x53, 0xc1], 2);
  }
  for (const pre of [[0x66], [0xf2]]) for (const op of [0xd0, 0x7c, 0x7d]) add(pre, [op, 0xc1], 2);
  for (const op of [0x08, 0x09, 0x0a, 0x0b]) add([0x66], [0x3a, op, 0xc1], 2, (g) => g.next() & 15);
  for (const op of [0x40, 0x41]) add([0x66], [0x3a, op, 0xc1], 2, (g) => g.next() & 0xff);
  return list;
}

function sseMakers(): [Maker, number][] {
  const list: [Maker, number][] = [];
  const both = (map: number[], op: number, imm?: () => number) => {
    for (const reg of [true, false]) {
      const modrm = reg ? 0xc1 : RBX;
      list.push([withImm(sse([0x66, 0x0f, ...map, op, modrm]), imm), 2]);
      list.push([withImm(sse([0x0f, ...map, op, modrm], { mmx: true }), imm), 1]);
    }
  };
  const only = (
    pre: number[],
    map: number[],
    op: number,
    modrms: number[],
    imm?: () => number,
    w = 2,
  ) => {
    for (const m of modrms) list.push([withImm(sse([...pre, 0x0f, ...map, op, m]), imm), w]);
  };
  for (const op of [
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x74, 0x75, 0x76, 0xd1,
    0xd2, 0xd3, 0xd4, 0xd5, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xe1, 0xe2, 0xe3,
    0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6,
    0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
  ])
    both([], op);
  for (const op of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0x0a, 0x0b, 0x1c, 0x1d, 0x1e]) both([0x38], op);
  const imm = (g: Gen) => () => g.next() & 0xff;
  list.push([(g) => withImm(sse([0x66, 0x0f, 0x3a, 0x0f, 0xc1]), imm(g))(g), 2]);
  list.push([
    (g) => withImm(sse([0x0f, 0x3a, 0x0f, 0xc1], { mmx: true }), () => g.next() % 20)(g),
    1,
  ]);
  only([0x66], [], 0x6c, [0xc1, RBX]);
  only([0x66], [], 0x6d, [0xc1, RBX]);
  for (const op of [
    0x10, 0x14, 0x15, 0x17, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x28, 0x29, 0x2b, 0x30, 0x31, 0x32,
    0x33, 0x34, 0x35, 0x37, 0x38, 0x39, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x41,
  ])
    only([0x66], [0x38], op, [0xc1, RBX]);
  for (const op of [0x0c, 0x0d, 0x0e, 0x21, 0x42]) only([0x66], [0x3a], op, [0xc1, RBX], undefined);
  for (const op of [0x14, 0x15, 0x16, 0x17]) only([0x66], [0x3a], op, [0xc8, 0x0b]);
  only([0x66, 0x48], [0x3a], 0x16, [0xc8, 0x0b]);
  only([0x66], [0x3a], 0x20, [0xc0, RBX]);
  only([0x66], [0x3a], 0x22, [0xc0, RBX]);
  only([0x66, 0x48], [0x3a], 0x22, [0xc0, RBX]);
  for (const pre of [[], [0x66], [0xf3], [0xf2]]) only(pre, [], 0x70, [0xc1, RBX], undefined, 1);
  for (const [op, sub] of [
    [0x71, 2],
    [0x71, 4],
    [0x71, 6],
    [0x72, 2],
    [0x72, 4],
    [0x72, 6],
    [0x73, 2],
    [0x73, 6],
    [0x73, 3],
    [0x73, 7],
  ] as const) {
    only([0x66], [], op, [0xc1 | (sub << 3)], undefined, 1);
    if (sub !== 3 && sub !== 7)
      list.push([withImm(sse([0x0f, op, 0xc1 | (sub << 3)], { mmx: true })), 1]);
  }
  only([0x66], [], 0x6e, [0xc0, RBX]);
  only([0x66, 0x48], [], 0x6e, [0xc0, RBX]);
  only([0x66], [], 0x7e, [0xc0, RBX]);
  only([0x66, 0x48], [], 0x7e, [0xc0, RBX]);
  list.push([sse([0x0f, 0x6e, 0xc0], { mmx: true }), 1]);
  list.push([sse([0x0f, 0x7e, 0xc0], { mmx: true }), 1]);
  list.push([sse([0x0f, 0x6f, 0xc1], { mmx: true }), 1]);
  list.push([sse([0x0f, 0x7f, RBX], { mmx: true }), 1]);
  only([0xf3], [], 0x7e, [0xc1, RBX]);
  for (const pre of [[0x66], [0xf3]]) {
    only(pre, [], 0x6f, [0xc1, RBX], undefined, 1);
    only(pre, [], 0x7f, [0xc1, RBX], undefined, 1);
  }
  only([0x66], [], 0xd6, [0xc1, RBX], undefined, 1);
  only([0x66], [], 0xe7, [RBX], undefined, 1);
  only([0x66], [], 0xc4, [0xc0, RBX]);
  list.push([withImm(sse([0x0f, 0xc4, 0xc0], { mmx: true })), 1]);
  only([0x66], [], 0xc5, [0xc1]);
  only([0x66], [], 0xd7, [0xc1]);
  list.push([sse([0x0f, 0xd7, 0xc1], { mmx: true }), 1]);
  list.push([sse([0x0f, 0x77], { mmx: true }), 1]);
  for (const pre of [[], [0x66], [0xf3], [0xf2]]) {
    only(pre, [], 0x10, [0xc1, RBX], undefined, 1);
    only(pre, [], 0x11, [0xc1, RBX], undefined, 1);
  }
  for (const pre of [[], [0x66]]) {
    for (const op of [0x12, 0x16])
      only(pre, [], op, pre.length ? [RBX] : [0xc1, RBX], undefined, 1);
    for (const op of [0x13, 0x17]) only(pre, [], op, [RBX], undefined, 1);
    for (const op of [0x14, 0x15, 0x28, 0x54, 0x55, 0x56, 0x57, 0xc6])
      only(pre, [], op, [0xc1, RBX], undefined, 1);
    only(pre, [], 0x29, [0xc1, RBX], undefined, 1);
    only(pre, [], 0x2b, [RBX], undefined, 1);
    only(pre, [], 0x50, [0xc1], undefined, 1);
  }
  only([0xf2], [], 0x12, [0xc1, RBX], undefined, 1);
  only([0xf3], [], 0x12, [0xc1, RBX], undefined, 1);
  only([0xf3], [], 0x16, [0xc1, RBX], undefined, 1);
  only([0xf2], [], 0xf0, [RBX], undefined, 1);
  return list;
}

/** Appends an imm8 to the code when the encoding has one. */
function withImm(m: Maker, imm?: () => number): Maker {
  return (g) => {
    const c = m(g);
    const body = c.code;
    let i = 0;
    while (body[i] === 0x66 || body[i] === 0xf2 || body[i] === 0xf3 || (body[i]! & 0xf0) === 0x40)
      i++;
    const map = body[i + 1] === 0x38 ? 2 : body[i + 1] === 0x3a ? 3 : 1;
    const opcode = body[i + (map === 1 ? 1 : 2)]!;
    const needs = map === 3 || [0x70, 0x71, 0x72, 0x73, 0xc2, 0xc4, 0xc5, 0xc6].includes(opcode);
    if (needs) c.code = [...body, imm ? imm() : g.next() & 0xff];
    return c;
  };
}

export const DEFAULT_SEED = 20261207;

/**
 * PCMPxSTRx on short strings: characters from a small alphabet (so sets, ranges and needles
 * match), a zero terminator now and then, and explicit lengths around the element count.
 */
function sseString(code: number[]): Maker {
  return (g) => {
    const c = base(g);
    const imm = g.next() & 0x7f;
    c.code = [...code, imm];
    const words = (imm & 1) === 1;
    const alphabet = g.pick([
      [0x41, 0x42, 0x43, 0x61],
      [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a],
      [0x80, 0xff, 0x7f, 0x01],
    ]);
    const fill = () => {
      const b: number[] = [];
      const stop = g.chance(2) ? g.next() % 17 : 99;
      for (let i = 0; i < 16; i++) {
        if (words && i % 2 === 1) b.push(g.chance(4) ? 0x80 : 0);
        else b.push(i >= stop && (!words || i % 2 === 0) ? 0 : g.pick(alphabet));
      }
      return [0, 1, 2, 3].map(
        (k) =>
          (b[4 * k]! | (b[4 * k + 1]! << 8) | (b[4 * k + 2]! << 16) | (b[4 * k + 3]! << 24)) >>> 0,
      );
    };
    c.xmm = [fill(), fill(), c.xmm[2]!];
    const w = c.xmm[1]!;
    c.mem.splice(
      0,
      16,
      ...w.flatMap((v) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24]),
    );
    const len = () => g.pick([g.next() % 20, -(g.next() % 20), 0x7fffffff, 0x80000000]);
    c.raxLo = len() >>> 0;
    c.rdxLo = len() >>> 0;
    c.raxHi = g.pick([0, 0xffffffff, 1]);
    c.rdxHi = g.pick([0, 0xffffffff, 1]);
    return c;
  };
}

function sseStringMakers(): [Maker, number][] {
  const list: [Maker, number][] = [];
  for (const op of [0x60, 0x61, 0x62, 0x63]) {
    list.push([sseString([0x66, 0x0f, 0x3a, op, 0xc1]), 3]);
    list.push([sseString([0x66, 0x0f, 0x3a, op, 0x03]), 1]);
    if (op < 0x62) list.push([sseString([0x66, 0x48, 0x0f, 0x3a, op, 0xc1]), 1]);
  }
  return list;
}

/** An extended value that is a double exactly, in [-2^k, 2^k] (or a special now and then). */
function doubleExt(g: Gen, k: number, positive = false): Ext {
  if (g.chance(12)) return g.ext();
  const v =
    (g.next() / 2 ** 32) * 2 ** ((g.next() % (k + 20)) - 20) * (positive || g.chance(2) ? 1 : -1);
  const f = new Float64Array([v]);
  const w = new Uint32Array(f.buffer);
  const e = (w[1]! >>> 20) & 0x7ff;
  if (e === 0) return { se: 0, hi: 0, lo: 0 };
  const hi = (0x80000000 | ((w[1]! & 0xfffff) << 11) | (w[0]! >>> 21)) >>> 0;
  const lo = (w[0]! << 11) >>> 0;
  return { se: ((w[1]! >>> 31) << 15) | (e - 1023 + 16383), hi, lo };
}

function x87Trans(modrm: number, k0: number, positive = false): Maker {
  return (g) => {
    const c = base(g);
    c.code = [0xd9, modrm];
    x87State(g, c, 3);
    c.st[0] = doubleExt(g, k0, positive);
    c.st[1] = doubleExt(g, 8);
    return c;
  };
}

function x87TransMakers(): [Maker, number][] {
  return [
    [x87Trans(0xfe, 8), 3],
    [x87Trans(0xfe, 70), 1],
    [x87Trans(0xff, 8), 3],
    [x87Trans(0xf2, 8), 3],
    [x87Trans(0xfb, 8), 3],
    [x87Trans(0xfb, 70), 1],
    [x87Trans(0xf0, 1), 4],
    [x87Trans(0xf1, 30, true), 3],
    [x87Trans(0xf1, 8), 1],
    [x87Trans(0xf9, -1), 4],
    [x87Trans(0xf3, 8), 4],
  ];
}

export type Group = "x87" | "sse-int" | "sse-fp" | "sse-string" | "x87-trans";

/** count cases of each group, in order, from one seed. */
export function makeCases(seed: number, count: number, groups: readonly Group[]): Case[] {
  const g = new Gen(rng(seed));
  const out: Case[] = [];
  const table = {
    x87: x87Makers,
    "sse-int": sseMakers,
    "sse-fp": sseFpMakers,
    "sse-string": sseStringMakers,
    "x87-trans": x87TransMakers,
  };
  for (const group of groups) {
    const weighted = table[group]().flatMap(([m, wgt]) => Array<Maker>(wgt).fill(m));
    for (let i = 0; i < count; i++) out.push(g.pick(weighted)(g));
  }
  return out;
}
