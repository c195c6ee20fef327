/**
 * The A extension: LR/SC with a single reservation (a physical address) and every AMO, W and
 * D. AMOs translate as stores (a read-only page gives a store/AMO fault) and must be
 * naturally aligned.
 *
 * In RAM that another thread can reach (machine's `adoptedWord`: harts on worker threads, one
 * per host CPU) they are `Atomics` operations: a read-modify-write that another thread's store
 * can slip into would lose updates. While only this thread has the RAM they stay plain
 * read-modify-writes and SC checks only the reservation's address. SC is a compare-and-swap against the value its LR read, so a store
 * by any other hart to the reserved word makes it fail (the same rule as QEMU's multi-threaded
 * TCG: a store that writes back the very value LR saw goes unnoticed, which no lock or
 * counter built on LR/SC can tell apart). 64-bit atomics go through BigInt64Array, the only
 * 64-bit Atomics JavaScript has (about 50 ns more per AMO.D, so only when threads need it).
 */
import type { HartCore as Hart } from "./hart-core.js";
import { ACC_LOAD, ACC_STORE, CTX_V } from "./mmu.js";

const TWO32 = 4294967296;

export function executeAmo(h: Hart, insn: number, rd: number, rs1: number): void {
  const x = h.x;
  const f3 = (insn >> 12) & 7;
  if (f3 !== 2 && f3 !== 3) h.illegal();
  const size = f3 === 2 ? 4 : 8;
  const f5 = insn >>> 27;
  const va = x[rs1 * 2 + 1]! * TWO32 + (x[rs1 * 2]! >>> 0);
  const virt = (h.ctxData & CTX_V) !== 0;
  let olo: number;
  let ohi: number;
  if (f5 === 2) {
    if ((insn >> 20) & 31) h.illegal();
    if ((va & (size - 1)) !== 0) h.fault(4, va, 0, 0, virt);
    const pa = h.translate(va, ACC_LOAD);
    const ro = pa - h.ramBase;
    if (h.ramAdopted[0] !== 0 && ro >= 0 && ro + size <= h.ramSize) {
      if (size === 4) {
        olo = Atomics.load(h.r32, ro >>> 2);
        ohi = olo >> 31;
      } else {
        const v = Atomics.load(h.r64, ro >>> 3);
        olo = Number(BigInt.asIntN(32, v));
        ohi = Number(v >> 32n);
      }
    } else {
      olo = h.physLoad(pa, size, va, 5);
      ohi = size === 8 ? h.hi : olo >> 31;
    }
    h.resAddr = pa;
    h.resLo = olo;
    h.resHi = ohi;
  } else {
    if ((va & (size - 1)) !== 0) h.fault(6, va, 0, 0, virt);
    const pa = h.translate(va, ACC_STORE);
    const rs2 = (insn >> 20) & 31;
    const bl = x[rs2 * 2]!;
    const bh = size === 8 ? x[rs2 * 2 + 1]! : bl >> 31;
    const ro = pa - h.ramBase;
    const atomic = h.ramAdopted[0] !== 0 && ro >= 0 && ro + size <= h.ramSize;
    if (f5 === 3) {
      olo = 1;
      if (h.resAddr === pa) {
        if (!atomic) {
          h.physStore(pa, size, bl, bh, va);
          olo = 0;
        } else if (storeConditional(h, ro, size, bl, bh)) {
          h.noteRamWrite(ro);
          olo = 0;
        }
      }
      ohi = 0;
      h.resAddr = -1;
    } else if (atomic) {
      if (size === 4) {
        olo = amo32(h.r32, ro >>> 2, f5, bl, h);
        ohi = olo >> 31;
      } else {
        const old = amo64(
          h.r64,
          ro >>> 3,
          f5,
          BigInt.asIntN(64, (BigInt(bh) << 32n) | BigInt(bl >>> 0)),
          h,
        );
        olo = Number(BigInt.asIntN(32, old));
        ohi = Number(old >> 32n);
      }
      h.noteRamWrite(ro);
    } else {
      olo = h.physLoad(pa, size, va, 7);
      ohi = size === 8 ? h.hi : olo >> 31;
      const n = combine(f5, olo, ohi, bl, bh, h);
      h.physStore(pa, size, n, combinedHi, va);
    }
  }
  if (rd !== 0) {
    x[rd * 2] = olo;
    x[rd * 2 + 1] = ohi;
  }
}

/** SC in RAM: stores only if the word still holds what LR read. */
function storeConditional(h: Hart, ro: number, size: number, bl: number, bh: number): boolean {
  if (size === 4) return Atomics.compareExchange(h.r32, ro >>> 2, h.resLo, bl) === h.resLo;
  const expected = BigInt.asIntN(64, (BigInt(h.resHi) << 32n) | BigInt(h.resLo >>> 0));
  const value = BigInt.asIntN(64, (BigInt(bh) << 32n) | BigInt(bl >>> 0));
  return Atomics.compareExchange(h.r64, ro >>> 3, expected, value) === expected;
}

/** A 32-bit AMO on RAM word `i`; returns the old value. */
function amo32(a: Int32Array, i: number, f5: number, b: number, h: Hart): number {
  switch (f5) {
    case 0x01:
      return Atomics.exchange(a, i, b);
    case 0x00:
      return Atomics.add(a, i, b);
    case 0x04:
      return Atomics.xor(a, i, b);
    case 0x0c:
      return Atomics.and(a, i, b);
    case 0x08:
      return Atomics.or(a, i, b);
  }
  // min/max: compare-and-swap until no other hart wrote between the read and the swap.
  for (;;) {
    const old = Atomics.load(a, i);
    const n = combine(f5, old, old >> 31, b, b >> 31, h);
    if (Atomics.compareExchange(a, i, old, n) === old) return old;
  }
}

/** A 64-bit AMO on RAM doubleword `i`; returns the old value. */
function amo64(a: BigInt64Array, i: number, f5: number, b: bigint, h: Hart): bigint {
  switch (f5) {
    case 0x01:
      return Atomics.exchange(a, i, b);
    case 0x00:
      return Atomics.add(a, i, b);
    case 0x04:
      return Atomics.xor(a, i, b);
    case 0x0c:
      return Atomics.and(a, i, b);
    case 0x08:
      return Atomics.or(a, i, b);
  }
  const bl = Number(BigInt.asIntN(32, b));
  const bh = Number(b >> 32n);
  for (;;) {
    const old = Atomics.load(a, i);
    const lo = combine(f5, Number(BigInt.asIntN(32, old)), Number(old >> 32n), bl, bh, h);
    const n = BigInt.asIntN(64, (BigInt(combinedHi) << 32n) | BigInt(lo >>> 0));
    if (Atomics.compareExchange(a, i, old, n) === old) return old;
  }
}

/** High word of the last `combine` result. */
let combinedHi = 0;

/** The value an AMO stores, from the old value and rs2 (lo/hi words); high word in combinedHi. */
function combine(f5: number, olo: number, ohi: number, bl: number, bh: number, h: Hart): number {
  let nlo: number;
  switch (f5) {
    case 0x01:
      nlo = bl;
      combinedHi = bh;
      break;
    case 0x00:
      nlo = (olo + bl) | 0;
      combinedHi = (ohi + bh + (nlo >>> 0 < olo >>> 0 ? 1 : 0)) | 0;
      break;
    case 0x04:
      nlo = olo ^ bl;
      combinedHi = ohi ^ bh;
      break;
    case 0x0c:
      nlo = olo & bl;
      combinedHi = ohi & bh;
      break;
    case 0x08:
      nlo = olo | bl;
      combinedHi = ohi | bh;
      break;
    case 0x10:
    case 0x14: {
      const less = ohi < bh || (ohi === bh && olo >>> 0 < bl >>> 0);
      const pickOld = f5 === 0x10 ? less : !less;
      nlo = pickOld ? olo : bl;
      combinedHi = pickOld ? ohi : bh;
      break;
    }
    case 0x18:
    case 0x1c: {
      const less = ohi >>> 0 < bh >>> 0 || (ohi === bh && olo >>> 0 < bl >>> 0);
      const pickOld = f5 === 0x18 ? less : !less;
      nlo = pickOld ? olo : bl;
      combinedHi = pickOld ? ohi : bh;
      break;
    }
    default:
      return h.illegal();
  }
  return nlo;
}
