/**
 * 64-bit multiply and divide on int32 hi/lo pairs, without BigInt. Results land in `R64`
 * ([0]=lo, [1]=hi of the primary result; [2]=lo, [3]=hi of the remainder for divisions) so
 * that no object is allocated per instruction.
 */
export const R64 = new Int32Array(4);

const TWO32 = 4294967296;

/** High 32 bits of the unsigned 32x32 product. */
export function mulhu32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** Low 64 bits of a*b. */
export function mul64(al: number, ah: number, bl: number, bh: number): void {
  R64[0] = Math.imul(al, bl);
  R64[1] = (mulhu32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl)) | 0;
}

/** High 64 bits of the unsigned 128-bit product. */
export function mulhu64(al: number, ah: number, bl: number, bh: number): void {
  // Schoolbook on 32-bit limbs; each partial product is split into hi/lo words.
  const ll_hi = mulhu32(al, bl) >>> 0;
  const lh_lo = Math.imul(al, bh) >>> 0;
  const lh_hi = mulhu32(al, bh) >>> 0;
  const hl_lo = Math.imul(ah, bl) >>> 0;
  const hl_hi = mulhu32(ah, bl) >>> 0;
  const hh_lo = Math.imul(ah, bh) >>> 0;
  const hh_hi = mulhu32(ah, bh) >>> 0;
  // word1 = ll_hi + lh_lo + hl_lo: only its carry matters.
  const w1 = ll_hi + lh_lo + hl_lo;
  const c1 = Math.floor(w1 / TWO32);
  const w2 = lh_hi + hl_hi + hh_lo + c1;
  const c2 = Math.floor(w2 / TWO32);
  R64[0] = w2 | 0;
  R64[1] = (hh_hi + c2) | 0;
}

/** High 64 bits of signed*signed. */
export function mulh64(al: number, ah: number, bl: number, bh: number): void {
  mulhu64(al, ah, bl, bh);
  let lo = R64[0]!;
  let hi = R64[1]!;
  if (ah < 0) {
    const nl = (lo - bl) | 0;
    hi = (hi - bh - (lo >>> 0 < bl >>> 0 ? 1 : 0)) | 0;
    lo = nl;
  }
  if (bh < 0) {
    const nl = (lo - al) | 0;
    hi = (hi - ah - (lo >>> 0 < al >>> 0 ? 1 : 0)) | 0;
    lo = nl;
  }
  R64[0] = lo;
  R64[1] = hi;
}

/** High 64 bits of signed(a)*unsigned(b). */
export function mulhsu64(al: number, ah: number, bl: number, bh: number): void {
  mulhu64(al, ah, bl, bh);
  if (ah < 0) {
    const lo = R64[0]!;
    const hi = R64[1]!;
    R64[0] = (lo - bl) | 0;
    R64[1] = (hi - bh - (lo >>> 0 < bl >>> 0 ? 1 : 0)) | 0;
  }
}

/**
 * Unsigned 64-bit division: quotient in R64[0..1], remainder in R64[2..3]. Division by
 * zero gives quotient all-ones and remainder = dividend, as RISC-V requires.
 */
export function divu64(al: number, ah: number, bl: number, bh: number): void {
  if (bl === 0 && bh === 0) {
    R64[0] = -1;
    R64[1] = -1;
    R64[2] = al;
    R64[3] = ah;
    return;
  }
  const a = (ah >>> 0) * TWO32 + (al >>> 0);
  const b = (bh >>> 0) * TWO32 + (bl >>> 0);
  if (ah >>> 0 < 0x100000) {
    // Dividend below 2^52: doubles are exact; correct the rounded quotient by the remainder.
    let q = Math.floor(a / b);
    let r = a - q * b;
    while (r < 0) {
      q -= 1;
      r += b;
    }
    while (r >= b) {
      q += 1;
      r -= b;
    }
    R64[0] = q | 0;
    R64[1] = Math.floor(q / TWO32) | 0;
    R64[2] = r | 0;
    R64[3] = Math.floor(r / TWO32) | 0;
    return;
  }
  // Restoring shift-subtract division over 64 bits.
  let ql = 0;
  let qh = 0;
  let rl = 0;
  let rh = 0;
  for (let i = 63; i >= 0; i--) {
    // r = (r << 1) | bit i of a
    rh = (rh << 1) | (rl >>> 31);
    const bit = i >= 32 ? (ah >>> (i - 32)) & 1 : (al >>> i) & 1;
    rl = (rl << 1) | bit;
    // if r >= b: r -= b, q bit i = 1
    const rhu = rh >>> 0;
    const bhu = bh >>> 0;
    if (rhu > bhu || (rhu === bhu && rl >>> 0 >= bl >>> 0)) {
      const nl = (rl - bl) | 0;
      rh = (rh - bh - (rl >>> 0 < bl >>> 0 ? 1 : 0)) | 0;
      rl = nl;
      if (i >= 32) qh |= 1 << (i - 32);
      else ql |= 1 << i;
    }
  }
  R64[0] = ql;
  R64[1] = qh;
  R64[2] = rl;
  R64[3] = rh;
}

/** Signed 64-bit division with RISC-V's overflow and divide-by-zero results. */
export function div64(al: number, ah: number, bl: number, bh: number): void {
  if (bl === 0 && bh === 0) {
    R64[0] = -1;
    R64[1] = -1;
    R64[2] = al;
    R64[3] = ah;
    return;
  }
  if (ah === (0x80000000 | 0) && al === 0 && bl === -1 && bh === -1) {
    R64[0] = al;
    R64[1] = ah;
    R64[2] = 0;
    R64[3] = 0;
    return;
  }
  const na = ah < 0;
  const nb = bh < 0;
  let ual = al;
  let uah = ah;
  let ubl = bl;
  let ubh = bh;
  if (na) {
    ual = -al | 0;
    uah = (~ah + (al === 0 ? 1 : 0)) | 0;
  }
  if (nb) {
    ubl = -bl | 0;
    ubh = (~bh + (bl === 0 ? 1 : 0)) | 0;
  }
  divu64(ual, uah, ubl, ubh);
  if (na !== nb) {
    const l = R64[0]!;
    R64[0] = -l | 0;
    R64[1] = (~R64[1]! + (l === 0 ? 1 : 0)) | 0;
  }
  if (na) {
    const l = R64[2]!;
    R64[2] = -l | 0;
    R64[3] = (~R64[3]! + (l === 0 ? 1 : 0)) | 0;
  }
}
