/**
 * Linear-to-physical translation: 32-bit paging (4 MiB pages with CR4.PSE, PSE-36 bits), PAE
 * and 4-level paging, with the permission rules of SDM vol. 3 §4.6 (U/S, R/W with CR0.WP,
 * NX with EFER.NXE), accessed/dirty updates and #PF error codes. The software TLB that caches
 * the results lives in the CPU (cpu.ts).
 */
import type { X86Cpu } from "./cpu.js";
import * as regs from "./regs.js";

// Bound once: under vitest an imported name is a getter on every use.
const { CR0_WP, CR4_PAE, CR4_PSE, EFER_LMA, EFER_NXE } = regs;

export const ACC_READ = 0;
export const ACC_WRITE = 1;
export const ACC_FETCH = 2;

/** #PF error code bits. */
export const PFE_P = 1;
export const PFE_W = 2;
export const PFE_U = 4;
export const PFE_RSVD = 8;
export const PFE_I = 16;

const TWO32 = 4294967296;

/**
 * Walks the page tables for `lin` (a linear address as a number: 32-bit unsigned outside long
 * mode, the signed canonical value in it). Returns the physical address, or -1 with
 * `cpu.pfError` set when the access faults. `global` reports the leaf's G bit.
 */
export function walk(cpu: X86Cpu, lin: number, acc: number, user: boolean): number {
  const nxe = (cpu.efer & EFER_NXE) !== 0;
  const write = acc === ACC_WRITE;
  const wp = (cpu.cr0 & CR0_WP) !== 0;
  let allowWrite = true;
  let allowUser = true;
  let noExec = false;
  let phys = 0;
  let leafAddr = 0;
  let leafLo = 0;
  let pageSize = 4096;
  const fail = (present: boolean, rsvd: boolean): number => {
    let e = present ? PFE_P : 0;
    if (write) e |= PFE_W;
    if (user) e |= PFE_U;
    if (rsvd) e |= PFE_RSVD | PFE_P;
    if (acc === ACC_FETCH && nxe && (cpu.cr4 & CR4_PAE) !== 0) e |= PFE_I;
    cpu.pfError = e;
    return -1;
  };
  if ((cpu.cr4 & CR4_PAE) === 0) {
    // 32-bit paging.
    const l = lin >>> 0;
    const pdeAddr = (cpu.cr3 & 0xfffff000) + (l >>> 22) * 4;
    const pde = cpu.pteRead32(pdeAddr);
    if ((pde & 1) === 0) return fail(false, false);
    if ((pde & 2) === 0) allowWrite = false;
    if ((pde & 4) === 0) allowUser = false;
    if (pde & 0x80 && cpu.cr4 & CR4_PSE) {
      pageSize = 0x400000;
      leafAddr = pdeAddr;
      leafLo = pde;
      const high = ((pde >>> 13) & 0xff) * TWO32;
      phys = high + ((pde & 0xffc00000) >>> 0) + (l & 0x3fffff);
    } else {
      if ((pde & 0x20) === 0) cpu.pteWrite32(pdeAddr, pde | 0x20);
      const pteAddr = (pde & 0xfffff000) + ((l >>> 12) & 0x3ff) * 4;
      const pte = cpu.pteRead32(pteAddr);
      if ((pte & 1) === 0) return fail(false, false);
      if ((pte & 2) === 0) allowWrite = false;
      if ((pte & 4) === 0) allowUser = false;
      leafAddr = pteAddr;
      leafLo = pte;
      phys = ((pte & 0xfffff000) >>> 0) + (l & 0xfff);
    }
  } else {
    let levels: number;
    let table: number;
    if (cpu.efer & EFER_LMA) {
      levels = 4;
      table = cpu.cr3Base();
    } else {
      // PAE: the PDPTE (no R/W, U/S or NX bits at this level).
      const l = lin >>> 0;
      const pdpteAddr = (cpu.cr3 & 0xffffffe0) + (l >>> 30) * 8;
      const lo = cpu.pteRead32(pdpteAddr);
      const hi = cpu.pteRead32(pdpteAddr + 4);
      if ((lo & 1) === 0) return fail(false, false);
      if (lo & 0x1e6) return fail(true, true);
      table = (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
      levels = 2;
    }
    for (let level = levels; level >= 1; level--) {
      const shift = 12 + 9 * (level - 1);
      const index = Math.floor(lin / 2 ** shift) & 0x1ff;
      const addr = table + index * 8;
      const lo = cpu.pteRead32(addr);
      const hi = cpu.pteRead32(addr + 4);
      if ((lo & 1) === 0) return fail(false, false);
      if (hi & 0x80000000) {
        if (!nxe) return fail(true, true);
        noExec = true;
      }
      if ((lo & 2) === 0) allowWrite = false;
      if ((lo & 4) === 0) allowUser = false;
      const base = (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
      if (level === 1 || (lo & 0x80 && level <= 3)) {
        if (level === 3 && !cpu.has1GPages) return fail(true, true);
        pageSize = 2 ** shift;
        leafAddr = addr;
        leafLo = lo;
        // Large pages: bit 12 is PAT; the frame is aligned to the page size.
        const frame = level === 1 ? base : base - (base % pageSize);
        phys = frame + (((lin % pageSize) + pageSize) % pageSize);
        break;
      }
      if ((lo & 0x20) === 0) cpu.pteWrite32(addr, lo | 0x20);
      table = base;
    }
  }
  if (user && !allowUser) return fail(true, false);
  if (write && !allowWrite && (user || wp)) return fail(true, false);
  if (acc === ACC_FETCH && noExec) return fail(true, false);
  const want = 0x20 | (write ? 0x40 : 0);
  if ((leafLo & want) !== want) cpu.pteWrite32(leafAddr, leafLo | want);
  cpu.walkGlobal = (leafLo & 0x100) !== 0;
  cpu.walkPageSize = pageSize;
  cpu.walkWritable = allowWrite || (!user && !wp);
  cpu.walkDirty = write || (leafLo & 0x40) !== 0;
  cpu.walkUser = allowUser;
  cpu.walkNx = noExec;
  return phys;
}
