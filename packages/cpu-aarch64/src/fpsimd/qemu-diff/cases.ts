/**
 * Deterministic random test cases for the differential test: instruction words from templates
 * (fields drawn at random, register fields limited to 0..3 because the harness loads and
 * saves V0..V3 and X0..X3), register contents biased to the values where floating point and
 * integer saturation go wrong, and random FPCR modes.
 */

/** mulberry32: small, fast, and easy to reproduce. */
export function rng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** An instruction template: 32 characters, MSB first; 0/1 fixed, d n m a registers, else random. */
export interface Template {
  readonly name: string;
  readonly pattern: string;
  readonly weight: number;
  /** Encodings to leave out (features the CPU does not advertise although QEMU's model has them). */
  readonly exclude?: (insn: number) => boolean;
}

interface Compiled {
  fixedMask: number;
  fixedBits: number;
  /** Register fields: shift of the lowest bit, and the first register of the 2 or 4 allowed. */
  regShifts: number[];
  regFirst: number[];
  regCount: number[];
  weight: number;
}

export function compile(t: Template): Compiled {
  const p = t.pattern.replace(/ /g, "");
  if (p.length !== 32) throw new Error(`template ${t.name}: ${p.length} bits`);
  let fixedMask = 0;
  let fixedBits = 0;
  const regShifts: number[] = [];
  const regFirst: number[] = [];
  const regCount: number[] = [];
  for (let i = 0; i < 32; i++) {
    const c = p[i]!;
    const bit = 31 - i;
    if (c === "0" || c === "1") {
      fixedMask |= 1 << bit;
      if (c === "1") fixedBits |= 1 << bit;
    } else if ("dnmaNM".includes(c) && (i === 31 || p[i + 1] !== c)) {
      // The lowest bit of a 5-bit register field: V0..V3 or X0..X3, or for memory templates a
      // base (N: X0, X1) or an offset register (M: X2, X3).
      regShifts.push(bit);
      regFirst.push(c === "M" ? 2 : 0);
      regCount.push(c === "N" || c === "M" ? 2 : 4);
    }
  }
  return { fixedMask, fixedBits, regShifts, regFirst, regCount, weight: t.weight };
}

export function instruction(c: Compiled, next: () => number): number {
  let w = (next() & ~c.fixedMask) | c.fixedBits;
  c.regShifts.forEach((s, k) => {
    const reg = c.regFirst[k]! + (next() % c.regCount[k]!);
    w = (w & ~(31 << s)) | (reg << s);
  });
  return w >>> 0;
}

function f32Special(next: () => number): number {
  const sign = next() & 0x80000000;
  const frac = next() & 0x7fffff;
  switch (next() % 12) {
    case 0:
      return sign;
    case 1:
      return sign | 0x7f800000;
    case 2:
      return sign | 0x7fc00000 | (frac & 0x3fffff); // qNaN
    case 3:
      return sign | 0x7f800000 | (frac & 0x3fffff) | 1; // sNaN
    case 4:
      return sign | frac | 1; // subnormal
    case 5:
      return sign | ((1 + (next() % 3)) << 23) | frac;
    case 6:
      return sign | ((253 + (next() % 2)) << 23) | frac;
    case 7: {
      // Multiples of 1/4 and integers: ties for FRINT and conversions.
      const v = ((next() % 161) - 80) / 4;
      return f32(v);
    }
    case 8: {
      // Near the integer saturation bounds.
      const e = [31, 32, 63, 64][next() & 3]!;
      return sign | ((127 + e - 1 + (next() % 3)) << 23) | (next() % 3 === 0 ? 0 : frac);
    }
    case 9:
      // Exponents whose products and quotients land near the underflow threshold.
      return sign | ((127 - 75 + (next() % 30)) << 23) | frac;
    case 10:
      return sign | ((127 - 20 + (next() % 40)) << 23) | frac;
    default:
      return next() | 0;
  }
}

const F32 = new Float32Array(1);
const I32 = new Int32Array(F32.buffer);
function f32(v: number): number {
  F32[0] = v;
  return I32[0]!;
}

/** A binary64 special as [lo, hi]. */
function f64Special(next: () => number): [number, number] {
  const sign = next() & 0x80000000;
  const fhi = next() & 0xfffff;
  const lo = next() | 0;
  switch (next() % 12) {
    case 0:
      return [0, sign];
    case 1:
      return [0, sign | 0x7ff00000];
    case 2:
      return [lo, sign | 0x7ff80000 | (fhi & 0x7ffff)];
    case 3:
      return [lo | 1, sign | 0x7ff00000 | (fhi & 0x7ffff)];
    case 4:
      return [lo | 1, sign | (fhi & 0xfffff)];
    case 5:
      return [lo, sign | ((1 + (next() % 3)) << 20) | fhi];
    case 6:
      return [lo, sign | ((2045 + (next() % 2)) << 20) | fhi];
    case 7: {
      const v = ((next() % 161) - 80) / 4;
      F64[0] = v;
      return [W64[0]!, W64[1]!];
    }
    case 8: {
      const e = [31, 32, 63, 64, 53, 24][next() % 6]!;
      const clean = next() % 3 === 0;
      return [clean ? 0 : lo, sign | ((1023 + e - 1 + (next() % 3)) << 20) | (clean ? 0 : fhi)];
    }
    case 9:
      return [lo, sign | ((1023 - 540 + (next() % 40)) << 20) | fhi];
    case 10: {
      // Values that narrow to binary32 near its overflow and underflow thresholds.
      const e = next() & 1 ? 127 : -126 - (next() % 26);
      return [lo, sign | ((1023 + e) << 20) | fhi];
    }
    default:
      return [lo, next() | 0];
  }
}
const F64 = new Float64Array(1);
const W64 = new Int32Array(F64.buffer);

function f16Special(next: () => number): number {
  const sign = next() & 0x8000;
  const frac = next() & 0x3ff;
  switch (next() % 8) {
    case 0:
      return sign;
    case 1:
      return sign | 0x7c00;
    case 2:
      return sign | 0x7e00 | (frac & 0x1ff);
    case 3:
      return sign | 0x7c00 | (frac & 0x1ff) | 1;
    case 4:
      return sign | frac | 1;
    default:
      return next() & 0xffff;
  }
}

/** 16 bytes of register content into out[off..off+16). */
export function vector(next: () => number, out: DataView, off: number): void {
  switch (next() % 5) {
    case 0:
    case 1:
      for (let i = 0; i < 4; i++) out.setInt32(off + i * 4, f32Special(next), true);
      return;
    case 2:
    case 3:
      for (let i = 0; i < 2; i++) {
        const [lo, hi] = f64Special(next);
        out.setInt32(off + i * 8, lo, true);
        out.setInt32(off + i * 8 + 4, hi, true);
      }
      return;
    default:
      if (next() & 1) {
        for (let i = 0; i < 8; i++) out.setUint16(off + i * 2, f16Special(next), true);
      } else {
        // Integer lanes biased to the saturation edges.
        for (let i = 0; i < 16; i++) {
          const k = next() % 4;
          out.setUint8(off + i, k === 0 ? 0x80 : k === 1 ? 0x7f : k === 2 ? 0xff : next() & 0xff);
        }
      }
  }
}

/** A 64-bit general register as [lo, hi], biased to conversion edges. */
export function gpr(next: () => number): [number, number] {
  switch (next() % 6) {
    case 0:
      return [next() % 64, 0];
    case 1:
      return [next() | 0, -1];
    case 2: {
      const k = next() % 64;
      return k < 32
        ? [((1 << k) - (next() & 1)) | 0, 0]
        : [-(next() & 1), ((1 << (k - 32)) - 1) | 0];
    }
    case 3:
      return [next() | 0, next() & 0x3fffff];
    case 4:
      return [next() | 0, 0x80000000 | next() | 0];
    default:
      return [next() | 0, next() | 0];
  }
}

/** FPCR: random RMode, FZ, DN and AHP. */
export function fpcr(next: () => number): number {
  const v = next();
  return (
    ((v & 3) << 22) |
    ((v & 4) !== 0 && (v & 8) !== 0 ? 1 << 24 : 0) |
    (v & 16 && v & 32 ? 1 << 25 : 0) |
    (v & 64 && v & 128 ? 1 << 26 : 0)
  );
}

/** The harness's data page: 4 KiB at DATA_BASE, byte i = (i * 37 + 11) & 0xff before each case. */
export const DATA_BASE = 0x10000000;
export const DATA_SIZE = 4096;

/** Memory templates: X0, X1 point into the data page, X2, X3 are small offsets. */
function memoryGpr(next: () => number, x: number): [number, number] {
  if (x < 2) return [DATA_BASE + 512 + (next() % 2048), 0];
  return [next() % 64, 0];
}

/** Bytes per case on both sides of the harness. */
export const RECORD = 112;

/** Writes `count` cases drawn from `templates` (seeded) into a harness input buffer. */
export function generate(
  templates: readonly Template[],
  seed: number,
  count: number,
  names?: string[],
  memory = false,
): Uint8Array {
  const next = rng(seed);
  const compiled = templates.map(compile);
  const total = compiled.reduce((s, c) => s + c.weight, 0);
  const buf = new Uint8Array(count * RECORD);
  const view = new DataView(buf.buffer);
  for (let k = 0; k < count; k++) {
    const off = k * RECORD;
    let pick = next() % total;
    let idx = 0;
    for (const t of compiled) {
      if (pick < t.weight) break;
      pick -= t.weight;
      idx++;
    }
    const c = compiled[idx]!;
    const t = templates[idx]!;
    names?.push(t.name);
    let insn = instruction(c, next);
    while (t.exclude?.(insn)) insn = instruction(c, next);
    view.setUint32(off, insn, true);
    view.setUint32(off + 4, fpcr(next), true);
    view.setUint32(off + 8, (next() & 0xf) << 28, true);
    for (let v = 0; v < 4; v++) vector(next, view, off + 16 + v * 16);
    for (let x = 0; x < 4; x++) {
      const [lo, hi] = memory ? memoryGpr(next, x) : gpr(next);
      view.setInt32(off + 80 + x * 8, lo, true);
      view.setInt32(off + 84 + x * 8, hi, true);
    }
  }
  return buf;
}

/** FNV-1a of a harness output record. */
export function digest(b: Uint8Array, off: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < RECORD; i++) h = Math.imul(h ^ b[off + i]!, 0x01000193);
  return h >>> 0;
}
