/**
 * The guest's stage-1 translation (EL1&0 regime, 4 KiB granule) done in software over guest
 * physical memory, so the hypervisor can read the instruction behind an abort without a
 * syndrome. Any failure (a fault the guest would take, a table outside guest memory) is null:
 * the caller turns that into an exception for the guest, never a host error.
 */

import type { GuestPhysMemory } from "./guest-memory.js";

export interface Stage1Regs {
  readonly sctlr: bigint;
  readonly tcr: bigint;
  readonly ttbr0: bigint;
  readonly ttbr1: bigint;
}

const OA_MASK_HI = 0xffff; // descriptor bits 47:32
const TWO32 = 2 ** 32;

function readDescriptor(mem: GuestPhysMemory, addr: number): { lo: number; hi: number } | null {
  const r = mem.read(addr, 8);
  if (!r.ok || r.value.length < 8) return null;
  const dv = new DataView(r.value.buffer, r.value.byteOffset, 8);
  return { lo: dv.getUint32(0, true), hi: dv.getUint32(4, true) };
}

/** Guest-physical address of guest-virtual `va`, or null where the guest would fault. */
export function translateGuestVirtual(
  mem: GuestPhysMemory,
  regs: Stage1Regs,
  va: bigint,
): number | null {
  va = BigInt.asUintN(64, va);
  if ((regs.sctlr & 1n) === 0n) return va < 1n << 48n ? Number(va) : null;
  const upper = (va >> 55n) & 1n;
  const tcr = regs.tcr;
  // TBI0/TBI1 (bits 37/38): the top byte is ignored in the address check.
  const tbi = ((tcr >> (upper ? 38n : 37n)) & 1n) !== 0n;
  const txsz = Number((tcr >> (upper ? 16n : 0n)) & 0x3fn);
  const epd = ((tcr >> (upper ? 23n : 7n)) & 1n) !== 0n;
  const tg = Number((tcr >> (upper ? 30n : 14n)) & 3n);
  if (epd || tg !== (upper ? 2 : 0)) return null; // 4 KiB granule only
  const bits = 64 - txsz;
  if (bits < 25 || bits > 48) return null;
  const checked = tbi ? BigInt.asUintN(56, va) | (upper ? 0xffn << 56n : 0n) : va;
  const high = checked >> BigInt(bits);
  const allOnes = (1n << BigInt(64 - bits)) - 1n;
  if (upper ? high !== allOnes : high !== 0n) return null;
  const offset = Number(BigInt.asUintN(bits, va));
  const ttbr = upper ? regs.ttbr1 : regs.ttbr0;
  let table = Number(ttbr & 0xffff_ffff_fffen);
  const start = 4 - Math.ceil((bits - 12) / 9);
  let level = start;
  for (;;) {
    const shift = 12 + 9 * (3 - level);
    // The start table indexes every remaining input bit; later tables take 9 bits each.
    const entries = level === start ? 2 ** (bits - shift) : 512;
    const index = Math.floor(offset / 2 ** shift) % entries;
    const d = readDescriptor(mem, table + index * 8);
    if (!d) return null;
    const type = d.lo & 3;
    const outAddr = (d.hi & OA_MASK_HI) * TWO32 + ((d.lo & 0xffff_f000) >>> 0);
    if ((type & 1) === 0) return null;
    if (level === 3) {
      if (type !== 3) return null;
      return outAddr + (offset % 4096);
    }
    if (type === 1) {
      if (level === 0) return null; // no level-0 blocks with 4 KiB
      const size = 2 ** shift;
      return outAddr - (outAddr % size) + (offset % size);
    }
    table = outAddr;
    level++;
  }
}

/** `len` bytes at guest-virtual `va` (within one page), or null. */
export function readGuestVirtual(
  mem: GuestPhysMemory,
  regs: Stage1Regs,
  va: bigint,
  len: number,
): Uint8Array | null {
  const pa = translateGuestVirtual(mem, regs, va);
  if (pa === null) return null;
  const r = mem.read(pa, len);
  return r.ok ? r.value : null;
}
