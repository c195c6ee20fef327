/**
 * Register-register integer operations: OP (RV64I + M) and OP-32 (W forms), on int32 hi/lo
 * pairs. Each returns false for an encoding that does not exist (the caller raises
 * illegal instruction).
 */
import { div64, divu64, mul64, mulh64, mulhsu64, mulhu64, R64 } from "./int64.js";

export function executeOp(
  x: Int32Array,
  insn: number,
  rd: number,
  al: number,
  ah: number,
  bl: number,
  bh: number,
): boolean {
  const f3 = (insn >> 12) & 7;
  const f7 = insn >>> 25;
  let lo: number;
  let hi: number;
  if (f7 === 0) {
    switch (f3) {
      case 0:
        lo = (al + bl) | 0;
        hi = (ah + bh + (lo >>> 0 < al >>> 0 ? 1 : 0)) | 0;
        break;
      case 1: {
        const sh = bl & 63;
        if (sh === 0) {
          lo = al;
          hi = ah;
        } else if (sh < 32) {
          hi = (ah << sh) | (al >>> (32 - sh));
          lo = al << sh;
        } else {
          hi = al << (sh - 32);
          lo = 0;
        }
        break;
      }
      case 2:
        lo = ah < bh || (ah === bh && al >>> 0 < bl >>> 0) ? 1 : 0;
        hi = 0;
        break;
      case 3:
        lo = ah >>> 0 < bh >>> 0 || (ah === bh && al >>> 0 < bl >>> 0) ? 1 : 0;
        hi = 0;
        break;
      case 4:
        lo = al ^ bl;
        hi = ah ^ bh;
        break;
      case 5: {
        const sh = bl & 63;
        if (sh === 0) {
          lo = al;
          hi = ah;
        } else if (sh < 32) {
          lo = (al >>> sh) | (ah << (32 - sh));
          hi = ah >>> sh;
        } else {
          lo = ah >>> (sh - 32);
          hi = 0;
        }
        break;
      }
      case 6:
        lo = al | bl;
        hi = ah | bh;
        break;
      default:
        lo = al & bl;
        hi = ah & bh;
        break;
    }
  } else if (f7 === 0x20) {
    if (f3 === 0) {
      lo = (al - bl) | 0;
      hi = (ah - bh - (al >>> 0 < bl >>> 0 ? 1 : 0)) | 0;
    } else if (f3 === 5) {
      const sh = bl & 63;
      if (sh === 0) {
        lo = al;
        hi = ah;
      } else if (sh < 32) {
        lo = (al >>> sh) | (ah << (32 - sh));
        hi = ah >> sh;
      } else {
        lo = ah >> (sh - 32);
        hi = ah >> 31;
      }
    } else return false;
  } else if (f7 === 1) {
    switch (f3) {
      case 0:
        mul64(al, ah, bl, bh);
        break;
      case 1:
        mulh64(al, ah, bl, bh);
        break;
      case 2:
        mulhsu64(al, ah, bl, bh);
        break;
      case 3:
        mulhu64(al, ah, bl, bh);
        break;
      case 4:
        div64(al, ah, bl, bh);
        break;
      case 5:
        divu64(al, ah, bl, bh);
        break;
      case 6:
        div64(al, ah, bl, bh);
        R64[0] = R64[2]!;
        R64[1] = R64[3]!;
        break;
      default:
        divu64(al, ah, bl, bh);
        R64[0] = R64[2]!;
        R64[1] = R64[3]!;
        break;
    }
    lo = R64[0]!;
    hi = R64[1]!;
  } else return false;
  if (rd !== 0) {
    x[rd * 2] = lo;
    x[rd * 2 + 1] = hi;
  }
  return true;
}

export function executeOp32(
  x: Int32Array,
  insn: number,
  rd: number,
  a: number,
  b: number,
): boolean {
  const f3 = (insn >> 12) & 7;
  const f7 = insn >>> 25;
  let r: number;
  if (f7 === 0) {
    if (f3 === 0) r = (a + b) | 0;
    else if (f3 === 1) r = a << (b & 31);
    else if (f3 === 5) r = a >>> (b & 31);
    else return false;
  } else if (f7 === 0x20) {
    if (f3 === 0) r = (a - b) | 0;
    else if (f3 === 5) r = a >> (b & 31);
    else return false;
  } else if (f7 === 1) {
    switch (f3) {
      case 0:
        r = Math.imul(a, b);
        break;
      case 4:
        r = b === 0 ? -1 : a === -2147483648 && b === -1 ? a : (a / b) | 0;
        break;
      case 5:
        r = b === 0 ? -1 : ((a >>> 0) / (b >>> 0)) | 0;
        break;
      case 6:
        r = b === 0 ? a : a === -2147483648 && b === -1 ? 0 : (a % b) | 0;
        break;
      case 7:
        r = b === 0 ? a : ((a >>> 0) % (b >>> 0)) | 0;
        break;
      default:
        return false;
    }
  } else return false;
  if (rd !== 0) {
    x[rd * 2] = r;
    x[rd * 2 + 1] = r >> 31;
  }
  return true;
}
