/**
 * Address translation: Sv39/Sv48 (satp, vsatp) and the G-stage Sv39x4/Sv48x4 (hgatp), with
 * hardware A/D updates, superpages, U/SUM/MXR checks and PMP. This is the slow path: the hart
 * caches what `xlate` returns in its per-access-type TLBs.
 *
 * A translation context `ctx` folds everything that decides a translation besides the page
 * tables: effective privilege (bits 0-1), V (CTX_V), SUM, the two MXR bits, and HLVX.
 */
import type { HartCore as Hart } from "./hart-core.js";
import { PmpAccess } from "./pmp.js";
import { Slot } from "./slots.js";

export const ACC_FETCH = 0;
export const ACC_LOAD = 1;
export const ACC_STORE = 2;

export const CTX_V = 4;
export const CTX_SUM = 8;
/** vsstatus.MXR (VS-stage only). */
export const CTX_MXR_VS = 16;
/** mstatus.MXR (both stages). */
export const CTX_MXR_M = 32;
/** HLVX: reads need execute permission instead of read permission. */
export const CTX_HLVX = 64;

const PAGE_FAULT = [12, 13, 15] as const;
const GUEST_PAGE_FAULT = [20, 21, 23] as const;
const ACCESS_FAULT = [1, 5, 7] as const;
const PMP_PERM = [PmpAccess.X, PmpAccess.R, PmpAccess.W] as const;

const TWO32 = 4294967296;
/**
 * Bytes mapped by a leaf PTE at each level (4 KiB, 2 MiB, 1 GiB, 512 GiB), and pages per
 * superpage: table lookups, because `2 ** n` with a variable n compiles to a slow pow call.
 */
export const LEVEL_BYTES = [2 ** 12, 2 ** 21, 2 ** 30, 2 ** 39] as const;
const LEVEL_PAGES = [1, 2 ** 9, 2 ** 18, 2 ** 27] as const;
/** Size of each of the four G-stage TLB sets (see Hart.gtag). */
export const G_TLB_BITS = 8;
const G_TLB_MASK = (1 << G_TLB_BITS) - 1;
const PA_LIMIT = 2 ** 56;

/** PTE bits. */
const V = 1;
const R = 2;
const W = 4;
const X = 8;
const U = 16;
const A = 64;
const D = 128;

function pageFault(h: Hart, type: number, va: number, virt: boolean): never {
  return h.fault(PAGE_FAULT[type]!, va, 0, 0, virt);
}
function accessFault(h: Hart, type: number, va: number, virt: boolean): never {
  return h.fault(ACCESS_FAULT[type]!, va, 0, 0, virt);
}

/** Reads a PTE into h.pteLo/h.pteHi. False if nothing is at that physical address. */
function readPte(h: Hart, pa: number): boolean {
  const off = pa - h.ramBase;
  if (off >= 0 && off + 8 <= h.ramSize && (off & 7) === 0) {
    h.pteLo = h.r32[off >>> 2]!;
    h.pteHi = h.r32[(off >>> 2) + 1]!;
    return true;
  }
  const v = h.bus.load(pa, 8);
  if (v === null) return false;
  h.pteLo = Number(v & 0xffffffffn) | 0;
  h.pteHi = Number((v >> 32n) & 0xffffffffn) | 0;
  return true;
}

/** Writes back a PTE whose A/D bits changed (only the low word changes). */
function writePteLo(h: Hart, pa: number, lo: number, hi: number): boolean {
  const off = pa - h.ramBase;
  if (off >= 0 && off + 8 <= h.ramSize && (off & 7) === 0) {
    h.r32[off >>> 2] = lo;
    return true;
  }
  return h.bus.store(pa, 8, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

/**
 * Translates `va` for an access of kind `type` in context `ctx`; returns the physical address
 * or raises the page/guest-page/access fault. Sets h.xlateCacheable to false when PMP makes the
 * result valid for this address only (not the whole page).
 */
export function xlate(h: Hart, va: number, type: number, ctx: number): number {
  const priv = ctx & 3;
  const virt = (ctx & CTX_V) !== 0;
  h.xlateCacheable = true;
  h.xlateLevel = 0;
  let pa = va;
  if (priv !== 3 || virt) {
    const slot = virt ? Slot.vsatp : Slot.satp;
    const mode = h.c64[slot * 2 + 1]! >>> 28;
    const gpa = mode === 0 ? va : stage1(h, va, type, ctx, mode, slot);
    pa = virt ? gstage(h, gpa, type, va, 0, ctx) : gpa;
  }
  if (pa < 0 || pa >= PA_LIMIT) accessFault(h, type, va, virt);
  if (!h.pmp.inactive) {
    const perm = PMP_PERM[type]!;
    const pb = pa - (pa & 4095);
    if (!h.pmp.check(pb, 4096, perm, priv)) {
      h.xlateCacheable = false;
      if (!h.pmp.check(pa, 1, perm, priv)) accessFault(h, type, va, virt);
    }
  }
  return pa;
}

function stage1(
  h: Hart,
  va: number,
  type: number,
  ctx: number,
  mode: number,
  slot: number,
): number {
  const virt = (ctx & CTX_V) !== 0;
  const levels = mode === 8 ? 3 : 4;
  const lim = levels === 3 ? 2 ** 38 : 2 ** 47;
  if (va >= lim || va < -lim) pageFault(h, type, va, virt);
  let ppn = (h.c64[slot * 2]! >>> 0) + (h.c64[slot * 2 + 1]! & 0xfff) * TWO32;
  for (let i = levels - 1; i >= 0; i--) {
    const size = LEVEL_BYTES[i]!;
    const idx = Math.floor(va / size) & 511;
    const pteGpa = ppn * 4096 + idx * 8;
    const pteAddr = virt ? gstage(h, pteGpa, type, va, 1, ctx) : pteGpa;
    if (!h.pmp.inactive && !h.pmp.check(pteAddr, 8, PmpAccess.R, 1)) {
      accessFault(h, type, va, virt);
    }
    if (!readPte(h, pteAddr)) accessFault(h, type, va, virt);
    const lo = h.pteLo;
    const hi = h.pteHi;
    if ((lo & V) === 0 || (lo & (R | W)) === W || (hi & 0xffc00000) !== 0) {
      pageFault(h, type, va, virt);
    }
    const pteppn = (lo >>> 10) + (hi & 0x3fffff) * 4194304;
    if ((lo & (R | X)) === 0) {
      if (i === 0) pageFault(h, type, va, virt);
      ppn = pteppn;
      continue;
    }
    const priv = ctx & 3;
    if (priv === 0) {
      if ((lo & U) === 0) pageFault(h, type, va, virt);
    } else if ((lo & U) !== 0 && (type === ACC_FETCH || (ctx & CTX_SUM) === 0)) {
      pageFault(h, type, va, virt);
    }
    let ok: boolean;
    if (type === ACC_FETCH) ok = (lo & X) !== 0;
    else if (type === ACC_LOAD) {
      if ((ctx & CTX_HLVX) !== 0) ok = (lo & X) !== 0;
      else ok = (lo & R) !== 0 || ((ctx & (CTX_MXR_VS | CTX_MXR_M)) !== 0 && (lo & X) !== 0);
    } else ok = (lo & W) !== 0;
    if (!ok) pageFault(h, type, va, virt);
    if (i > 0 && pteppn % LEVEL_PAGES[i]! !== 0) pageFault(h, type, va, virt);
    const need = type === ACC_STORE ? A | D : A;
    if ((lo & need) !== need) {
      const waddr = virt ? gstage(h, pteGpa, type, va, 2, ctx) : pteAddr;
      if (!writePteLo(h, waddr, lo | need, hi)) accessFault(h, type, va, virt);
    }
    const base = pteppn * 4096;
    h.xlateLevel = i;
    return base - (base % size) + (va - Math.floor(va / size) * size);
  }
  return pageFault(h, type, va, virt);
}

/**
 * A G-stage walk that found no usable leaf for `gpa`: the guest-page fault, remembered by the
 * hart's negative cache when it is the access itself (not a VS-stage PTE access).
 */
function walkFault(
  h: Hart,
  cause: number,
  va: number,
  gpa: number,
  tinst: number,
  type: number,
  implicit: number,
  ctx: number,
): never {
  if (implicit === 0) h.noteGuestPageFault(va, gpa, type, ctx);
  return h.fault(cause, va, gpa, tinst, true);
}

/**
 * G-stage translation of a guest physical address. `implicit` is 0 for the access itself,
 * 1 for a VS-stage PTE read and 2 for a VS-stage PTE A/D write (these report the
 * pseudo-instructions 0x3000/0x3020 in htinst). Faults carry the original access type.
 */
export function gstage(
  h: Hart,
  gpa: number,
  type: number,
  va: number,
  implicit: number,
  ctx: number,
): number {
  const hi32 = h.c64[Slot.hgatp * 2 + 1]!;
  const mode = hi32 >>> 28;
  if (mode === 0) return gpa;
  const levels = mode === 8 ? 3 : 4;
  const limit = mode === 8 ? 2 ** 41 : 2 ** 50;
  const tinst = implicit === 0 ? (type === ACC_FETCH ? 0 : -1) : implicit === 2 ? 0x3020 : 0x3000;
  const cause = GUEST_PAGE_FAULT[type]!;
  if (gpa < 0 || gpa >= limit) return h.fault(cause, va, gpa, tinst, true);
  // G-stage TLB: one direct-mapped set per kind of access (PTE read, fetch, load, store);
  // A/D updates of VS-stage PTEs (implicit 2) are rare and always walk.
  let slot = -1;
  let tag = 0;
  if (implicit !== 2) {
    const kind = implicit === 1 ? 0 : type + 1;
    slot = (kind << G_TLB_BITS) | ((gpa >>> 12) & G_TLB_MASK);
    tag = gpa - (gpa % 4096) + (ctx & CTX_MXR_M ? 1 : 0) + (ctx & CTX_HLVX ? 2 : 0);
    if (h.gtag[slot] === tag) return h.ghpa[slot]! + (gpa % 4096);
  }
  let ppn = (h.c64[Slot.hgatp * 2]! >>> 0) + (hi32 & 0xfff) * TWO32;
  for (let i = levels - 1; i >= 0; i--) {
    const size = LEVEL_BYTES[i]!;
    const idx = Math.floor(gpa / size) & (i === levels - 1 ? 2047 : 511);
    const pteAddr = ppn * 4096 + idx * 8;
    if (!h.pmp.inactive && !h.pmp.check(pteAddr, 8, PmpAccess.R, 1)) {
      accessFault(h, type, va, true);
    }
    if (!readPte(h, pteAddr)) accessFault(h, type, va, true);
    const lo = h.pteLo;
    const hi = h.pteHi;
    if ((lo & V) === 0 || (lo & (R | W)) === W || (hi & 0xffc00000) !== 0) {
      return walkFault(h, cause, va, gpa, tinst, type, implicit, ctx);
    }
    const pteppn = (lo >>> 10) + (hi & 0x3fffff) * 4194304;
    if ((lo & (R | X)) === 0) {
      if (i === 0) return walkFault(h, cause, va, gpa, tinst, type, implicit, ctx);
      ppn = pteppn;
      continue;
    }
    if ((lo & U) === 0) return walkFault(h, cause, va, gpa, tinst, type, implicit, ctx);
    const mxr = (ctx & CTX_MXR_M) !== 0;
    let ok: boolean;
    let write = false;
    if (implicit === 1) ok = (lo & R) !== 0 || (mxr && (lo & X) !== 0);
    else if (implicit === 2) {
      ok = (lo & W) !== 0;
      write = true;
    } else if (type === ACC_FETCH) ok = (lo & X) !== 0;
    else if (type === ACC_LOAD) {
      if ((ctx & CTX_HLVX) !== 0) ok = (lo & X) !== 0;
      else ok = (lo & R) !== 0 || (mxr && (lo & X) !== 0);
    } else {
      ok = (lo & W) !== 0;
      write = true;
    }
    if (!ok) return walkFault(h, cause, va, gpa, tinst, type, implicit, ctx);
    if (i > 0 && pteppn % LEVEL_PAGES[i]! !== 0)
      return walkFault(h, cause, va, gpa, tinst, type, implicit, ctx);
    const need = write ? A | D : A;
    if ((lo & need) !== need) {
      if (!writePteLo(h, pteAddr, lo | need, hi)) accessFault(h, type, va, true);
    }
    const base = pteppn * 4096;
    const hpa = base - (base % size) + (gpa - Math.floor(gpa / size) * size);
    if (slot >= 0) {
      h.gtag[slot] = tag;
      h.ghpa[slot] = hpa - (hpa % 4096);
    }
    return hpa;
  }
  return walkFault(h, cause, va, gpa, tinst, type, implicit, ctx);
}
