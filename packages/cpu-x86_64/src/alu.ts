/**
 * Integer arithmetic with the exact RFLAGS results of the SDM. Operands of 1, 2 and 4 bytes
 * are unsigned numbers; 8-byte operands are unsigned 32-bit halves (lo, hi) and the high
 * half of a 64-bit result is left in `r.hi`. Undefined flags are left as QEMU leaves them
 * where software is known to look (AF of logic ops = 0).
 */
import * as regs from "./regs.js";

// Bound once: under vitest an imported name is a getter on every use.
const { AF, CF, OF, PF, SF, ZF } = regs;

export interface AluHost {
  flags: number;
  /** High half of the last 64-bit result. */
  hi: number;
}

/** PF for each low byte: set when the count of one bits is even. */
export const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let n = i;
  let bits = 0;
  while (n) {
    bits += n & 1;
    n >>= 1;
  }
  PARITY[i] = bits & 1 ? 0 : PF;
}

export const MASK = [0, 0xff, 0xffff, 0, 0xffffffff] as const;
export const SIGN = [0, 0x80, 0x8000, 0, 0x80000000] as const;

export const OP_ADD = 0;
export const OP_OR = 1;
export const OP_ADC = 2;
export const OP_SBB = 3;
export const OP_AND = 4;
export const OP_SUB = 5;
export const OP_XOR = 6;
export const OP_CMP = 7;

const ALL = CF | PF | AF | ZF | SF | OF;

/** ZF, SF, PF of a 1/2/4-byte result. */
export function szp(size: number, res: number): number {
  let f = PARITY[res & 0xff]!;
  if (res === 0) f |= ZF;
  if (res & SIGN[size]!) f |= SF;
  return f;
}

function szp64(lo: number, hi: number): number {
  let f = PARITY[lo & 0xff]!;
  if ((lo | hi) === 0) f |= ZF;
  if (hi & 0x80000000) f |= SF;
  return f;
}

/** One of the eight group-1 operations on 1/2/4-byte operands. */
export function alu(h: AluHost, op: number, size: number, a: number, b: number): number {
  const m = MASK[size]!;
  const sb = SIGN[size]!;
  let r: number;
  let f: number;
  switch (op) {
    case OP_ADD:
    case OP_ADC: {
      const c = op === OP_ADC ? h.flags & CF : 0;
      const full = a + b + c;
      r = size === 4 ? full >>> 0 : full & m;
      f = full > m ? CF : 0;
      if ((a ^ r) & (b ^ r) & sb) f |= OF;
      f |= (a ^ b ^ r) & AF;
      break;
    }
    case OP_SUB:
    case OP_SBB:
    case OP_CMP: {
      const c = op === OP_SBB ? h.flags & CF : 0;
      const full = a - b - c;
      r = size === 4 ? full >>> 0 : full & m;
      f = full < 0 ? CF : 0;
      if ((a ^ b) & (a ^ r) & sb) f |= OF;
      f |= (a ^ b ^ r) & AF;
      break;
    }
    case OP_OR:
      r = (a | b) >>> 0;
      f = 0;
      break;
    case OP_AND:
      r = (a & b) >>> 0;
      f = 0;
      break;
    default:
      r = (a ^ b) >>> 0;
      f = 0;
      break;
  }
  h.flags = (h.flags & ~ALL) | f | szp(size, r);
  return r;
}

/** The group-1 operations on 64-bit operands; the high half of the result is in `h.hi`. */
export function alu64(
  h: AluHost,
  op: number,
  alo: number,
  ahi: number,
  blo: number,
  bhi: number,
): number {
  alo >>>= 0;
  ahi >>>= 0;
  blo >>>= 0;
  bhi >>>= 0;
  let rlo: number;
  let rhi: number;
  let f = 0;
  switch (op) {
    case OP_ADD:
    case OP_ADC: {
      const c = op === OP_ADC ? h.flags & CF : 0;
      const l = alo + blo + c;
      const carry = l > 0xffffffff ? 1 : 0;
      const u = ahi + bhi + carry;
      rlo = l >>> 0;
      rhi = u >>> 0;
      if (u > 0xffffffff) f = CF;
      if ((ahi ^ rhi) & (bhi ^ rhi) & 0x80000000) f |= OF;
      f |= (alo ^ blo ^ rlo) & AF;
      break;
    }
    case OP_SUB:
    case OP_SBB:
    case OP_CMP: {
      const c = op === OP_SBB ? h.flags & CF : 0;
      const l = alo - blo - c;
      const borrow = l < 0 ? 1 : 0;
      const u = ahi - bhi - borrow;
      rlo = l >>> 0;
      rhi = u >>> 0;
      if (u < 0) f = CF;
      if ((ahi ^ bhi) & (ahi ^ rhi) & 0x80000000) f |= OF;
      f |= (alo ^ blo ^ rlo) & AF;
      break;
    }
    case OP_OR:
      rlo = (alo | blo) >>> 0;
      rhi = (ahi | bhi) >>> 0;
      break;
    case OP_AND:
      rlo = (alo & blo) >>> 0;
      rhi = (ahi & bhi) >>> 0;
      break;
    default:
      rlo = (alo ^ blo) >>> 0;
      rhi = (ahi ^ bhi) >>> 0;
      break;
  }
  h.flags = (h.flags & ~ALL) | f | szp64(rlo, rhi);
  h.hi = rhi;
  return rlo;
}

/** INC (dec = false) / DEC: CF is kept. */
export function incDec(h: AluHost, dec: boolean, size: number, lo: number, hi: number): number {
  const keep = h.flags & CF;
  let r: number;
  if (size === 8) r = alu64(h, dec ? OP_SUB : OP_ADD, lo, hi, 1, 0);
  else r = alu(h, dec ? OP_SUB : OP_ADD, size, lo, 1);
  h.flags = (h.flags & ~CF) | keep;
  return r;
}

/** Logic-op flags for a result (TEST, AND/OR/XOR results computed elsewhere). */
export function logicFlags(h: AluHost, size: number, lo: number, hi: number): void {
  h.flags = (h.flags & ~ALL) | (size === 8 ? szp64(lo >>> 0, hi >>> 0) : szp(size, lo >>> 0));
}

/**
 * The group-2 shifts and rotates (0 ROL, 1 ROR, 2 RCL, 3 RCR, 4 SHL, 5 SHR, 6 SAL=SHL, 7 SAR)
 * with the count already masked (5 or 6 bits). A zero count changes nothing.
 */
export function shift(
  h: AluHost,
  op: number,
  size: number,
  lo: number,
  hi: number,
  count: number,
): number {
  if (count === 0) {
    h.hi = hi;
    return lo;
  }
  if (size === 8) return shift64(h, op, lo >>> 0, hi >>> 0, count);
  const bits = size * 8;
  const m = MASK[size]!;
  const sb = SIGN[size]!;
  const a = lo >>> 0;
  let r: number;
  let f = h.flags;
  switch (op) {
    case 0: {
      const n = count & (bits - 1);
      r = n === 0 ? a : ((a << n) | (a >>> (bits - n))) & m;
      r >>>= 0;
      f = (f & ~(CF | OF)) | (r & 1 ? CF : 0);
      if (((r & sb) !== 0) !== ((r & 1) !== 0)) f |= OF;
      h.flags = f;
      return r;
    }
    case 1: {
      const n = count & (bits - 1);
      r = n === 0 ? a : ((a >>> n) | (a << (bits - n))) & m;
      r >>>= 0;
      f = (f & ~(CF | OF)) | (r & sb ? CF : 0);
      const top = (r & sb) !== 0;
      const next = (r & (sb >>> 1)) !== 0;
      if (top !== next) f |= OF;
      h.flags = f;
      return r;
    }
    case 2: {
      const n = count % (bits + 1);
      let v = a;
      let c = f & CF;
      for (let i = 0; i < n; i++) {
        const out = v & sb ? 1 : 0;
        v = ((v << 1) | c) & m;
        c = out;
      }
      r = v >>> 0;
      f = (f & ~(CF | OF)) | c;
      if (((r & sb) !== 0) !== (c !== 0)) f |= OF;
      h.flags = f;
      return r;
    }
    case 3: {
      const n = count % (bits + 1);
      let v = a;
      let c = f & CF;
      let of = 0;
      for (let i = 0; i < n; i++) {
        if (i === n - 1) of = ((v & sb) !== 0) !== (c !== 0) ? OF : 0;
        const out = v & 1;
        v = (v >>> 1) | (c ? sb : 0);
        c = out;
      }
      r = v >>> 0;
      f = (f & ~(CF | OF)) | c | of;
      h.flags = f;
      return r;
    }
    case 4:
    case 6: {
      const c = count > bits ? 0 : count === bits ? a & 1 : (a >>> (bits - count)) & 1;
      r = count >= 32 ? 0 : (a << count) & m;
      r >>>= 0;
      f = (f & ~(CF | OF | AF)) | c;
      if (((r & sb) !== 0) !== (c !== 0)) f |= OF;
      break;
    }
    case 5: {
      const c = count > bits ? 0 : (a >>> (count - 1)) & 1;
      r = count >= 32 ? 0 : a >>> count;
      f = (f & ~(CF | OF | AF)) | c;
      if (a & sb) f |= OF;
      break;
    }
    default: {
      const s = size === 4 ? a | 0 : a & sb ? a - (m + 1) : a;
      const n = count > 31 ? 31 : count;
      const c = (s >> (n - 1)) & 1;
      r = (s >> n) & m;
      r >>>= 0;
      if (count > 31) r = s < 0 ? m : 0;
      f = (f & ~(CF | OF | AF)) | c;
      break;
    }
  }
  h.flags = (f & ~(ZF | SF | PF)) | szp(size, r);
  return r;
}

function shl64(lo: number, hi: number, n: number, h: AluHost): number {
  if (n === 0) {
    h.hi = hi;
    return lo;
  }
  if (n >= 32) {
    h.hi = (lo << (n - 32)) >>> 0;
    return 0;
  }
  h.hi = ((hi << n) | (lo >>> (32 - n))) >>> 0;
  return (lo << n) >>> 0;
}

function shr64(lo: number, hi: number, n: number, h: AluHost): number {
  if (n === 0) {
    h.hi = hi;
    return lo;
  }
  if (n >= 32) {
    h.hi = 0;
    return hi >>> (n - 32);
  }
  h.hi = hi >>> n;
  return ((lo >>> n) | (hi << (32 - n))) >>> 0;
}

function sar64(lo: number, hi: number, n: number, h: AluHost): number {
  if (n === 0) {
    h.hi = hi;
    return lo;
  }
  if (n >= 32) {
    h.hi = (hi >> 31) >>> 0;
    return (hi >> (n - 32)) >>> 0;
  }
  h.hi = (hi >> n) >>> 0;
  return ((lo >>> n) | (hi << (32 - n))) >>> 0;
}

/** Bit `n` (0..63) of a 64-bit value. */
function bit64(lo: number, hi: number, n: number): number {
  return n >= 32 ? (hi >>> (n - 32)) & 1 : (lo >>> n) & 1;
}

function shift64(h: AluHost, op: number, lo: number, hi: number, count: number): number {
  let f = h.flags;
  let rlo: number;
  let rhi: number;
  switch (op) {
    case 0:
    case 1: {
      const n = count & 63;
      const left = op === 0 ? n : (64 - n) & 63;
      const alo = shl64(lo, hi, left, h);
      const ahi = h.hi;
      const blo = shr64(lo, hi, (64 - left) & 63, h);
      const bhi = h.hi;
      rlo = left === 0 ? lo : (alo | blo) >>> 0;
      rhi = left === 0 ? hi : (ahi | bhi) >>> 0;
      const top = rhi >>> 31;
      if (op === 0) {
        const c = rlo & 1;
        f = (f & ~(CF | OF)) | c | (top !== c ? OF : 0);
      } else {
        const next = (rhi >>> 30) & 1;
        f = (f & ~(CF | OF)) | top | (top !== next ? OF : 0);
      }
      h.flags = f;
      h.hi = rhi;
      return rlo;
    }
    case 2:
    case 3: {
      let c = f & CF;
      let vlo = lo;
      let vhi = hi;
      let of = 0;
      for (let i = 0; i < count; i++) {
        if (op === 2) {
          const out = vhi >>> 31;
          vhi = ((vhi << 1) | (vlo >>> 31)) >>> 0;
          vlo = ((vlo << 1) | c) >>> 0;
          c = out;
        } else {
          if (i === count - 1) of = vhi >>> 31 !== c ? OF : 0;
          const out = vlo & 1;
          vlo = ((vlo >>> 1) | (vhi << 31)) >>> 0;
          vhi = ((vhi >>> 1) | (c << 31)) >>> 0;
          c = out;
        }
      }
      if (op === 2) of = vhi >>> 31 !== c ? OF : 0;
      h.flags = (f & ~(CF | OF)) | c | of;
      h.hi = vhi;
      return vlo;
    }
    case 4:
    case 6: {
      const c = bit64(lo, hi, 64 - count);
      rlo = shl64(lo, hi, count, h);
      rhi = h.hi;
      f = (f & ~(CF | OF | AF)) | c;
      if (rhi >>> 31 !== c) f |= OF;
      break;
    }
    case 5: {
      const c = bit64(lo, hi, count - 1);
      rlo = shr64(lo, hi, count, h);
      rhi = h.hi;
      f = (f & ~(CF | OF | AF)) | c;
      if (hi >>> 31) f |= OF;
      break;
    }
    default: {
      const c = bit64(lo, hi, count - 1);
      rlo = sar64(lo, hi, count, h);
      rhi = h.hi;
      f = (f & ~(CF | OF | AF)) | c;
      break;
    }
  }
  h.flags = (f & ~(ZF | SF | PF)) | szp64(rlo, rhi);
  h.hi = rhi;
  return rlo;
}

/**
 * SHLD (left) / SHRD: shifts `dst` by `count` (masked by the caller) filling from `src`.
 * A count above the operand size (16-bit forms) leaves an undefined result; this follows the
 * 32-bit composition the way QEMU does for counts up to 31.
 */
export function doubleShift(
  h: AluHost,
  left: boolean,
  size: number,
  dlo: number,
  dhi: number,
  slo: number,
  shi: number,
  count: number,
): number {
  if (count === 0) {
    h.hi = dhi;
    return dlo;
  }
  let rlo: number;
  let rhi = 0;
  let c: number;
  if (size === 8) {
    if (left) {
      c = bit64(dlo, dhi, 64 - count);
      const alo = shl64(dlo >>> 0, dhi >>> 0, count, h);
      const ahi = h.hi;
      const blo = shr64(slo >>> 0, shi >>> 0, 64 - count, h);
      rlo = (alo | blo) >>> 0;
      rhi = (ahi | h.hi) >>> 0;
    } else {
      c = bit64(dlo, dhi, count - 1);
      const alo = shr64(dlo >>> 0, dhi >>> 0, count, h);
      const ahi = h.hi;
      const blo = shl64(slo >>> 0, shi >>> 0, 64 - count, h);
      rlo = (alo | blo) >>> 0;
      rhi = (ahi | h.hi) >>> 0;
    }
    let f = (h.flags & ~(CF | OF | AF | ZF | SF | PF)) | c | szp64(rlo, rhi);
    if ((rhi ^ dhi) & 0x80000000) f |= OF;
    h.flags = f;
    h.hi = rhi;
    return rlo;
  }
  const bits = size * 8;
  const m = MASK[size]!;
  const sb = SIGN[size]!;
  const d = dlo >>> 0;
  const s = slo >>> 0;
  if (size === 2) {
    // 16-bit: counts above 16 are undefined; they wrap dst:src:dst as a 48-bit rotate would.
    const n = count > 16 ? count - 16 : count;
    const x = count > 16 ? s : d;
    const y = count > 16 ? d : s;
    if (left) {
      rlo = ((x << n) | (y >>> (16 - n))) & 0xffff;
      c = (x >>> (16 - n)) & 1;
    } else {
      rlo = ((x >>> n) | (y << (16 - n))) & 0xffff;
      c = (x >>> (n - 1)) & 1;
    }
  } else if (left) {
    rlo = ((d << count) | (s >>> (bits - count))) >>> 0;
    c = (d >>> (bits - count)) & 1;
  } else {
    rlo = ((d >>> count) | (s << (bits - count))) >>> 0;
    c = (d >>> (count - 1)) & 1;
  }
  rlo &= m;
  rlo >>>= 0;
  let f = (h.flags & ~(CF | OF | AF | ZF | SF | PF)) | c | szp(size, rlo);
  if ((rlo ^ d) & sb) f |= OF;
  h.flags = f;
  h.hi = 0;
  return rlo;
}

/** Unsigned 32 x 32 -> 64: low half returned, high half in h.hi. */
export function mulU32(h: AluHost, a: number, b: number): number {
  a >>>= 0;
  b >>>= 0;
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const mid = ah * bl + al * bh;
  const hh = ah * bh;
  const lowSum = ll + (mid % 65536) * 65536;
  const lo = lowSum >>> 0;
  const carry = Math.floor(lowSum / 4294967296);
  h.hi = (hh + Math.floor(mid / 65536) + carry) >>> 0;
  return lo;
}

/** Scratch for the 128-bit product: words w0..w3 (little-endian). */
export const PRODUCT = new Uint32Array(4);

/** Unsigned 64 x 64 -> 128 into PRODUCT. */
export function mulU64(h: AluHost, alo: number, ahi: number, blo: number, bhi: number): void {
  const p0 = mulU32(h, alo, blo);
  const p0h = h.hi;
  const p1 = mulU32(h, alo, bhi);
  const p1h = h.hi;
  const p2 = mulU32(h, ahi, blo);
  const p2h = h.hi;
  const p3 = mulU32(h, ahi, bhi);
  const p3h = h.hi;
  PRODUCT[0] = p0;
  let s = p0h + p1 + p2;
  PRODUCT[1] = s >>> 0;
  s = Math.floor(s / 4294967296) + p1h + p2h + p3;
  PRODUCT[2] = s >>> 0;
  s = Math.floor(s / 4294967296) + p3h;
  PRODUCT[3] = s >>> 0;
}

/** Signed 64 x 64 -> 128 into PRODUCT (two's complement). */
export function mulS64(h: AluHost, alo: number, ahi: number, blo: number, bhi: number): void {
  mulU64(h, alo, ahi, blo, bhi);
  // Signed correction of the high 64 bits: subtract b when a < 0 and a when b < 0.
  let hlo = PRODUCT[2]!;
  let hhi = PRODUCT[3]!;
  if (ahi & 0x80000000) {
    const l = hlo - (blo >>> 0);
    hhi = (hhi - (bhi >>> 0) - (l < 0 ? 1 : 0)) >>> 0;
    hlo = l >>> 0;
  }
  if (bhi & 0x80000000) {
    const l = hlo - (alo >>> 0);
    hhi = (hhi - (ahi >>> 0) - (l < 0 ? 1 : 0)) >>> 0;
    hlo = l >>> 0;
  }
  PRODUCT[2] = hlo;
  PRODUCT[3] = hhi;
}
