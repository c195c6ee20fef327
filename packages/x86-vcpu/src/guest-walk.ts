import type { AxResult } from "@axvisor/axerrno";

/** Guest-physical memory as the backend reads it (the VM's address space). */
export interface GuestPhysMemory {
  read(gpa: number, len: number): AxResult<Uint8Array>;
  write(gpa: number, data: Uint8Array): AxResult<void>;
}

/** The guest's paging controls, from the VMCS guest-state area. */
export interface GuestPaging {
  readonly cr0: number;
  readonly cr3: number;
  readonly cr4: number;
  readonly efer: number;
}

const CR0_PG = 1 << 31;
const CR4_PSE = 1 << 4;
const CR4_PAE = 1 << 5;
const EFER_LMA = 1 << 10;
const TWO32 = 2 ** 32;
/** Bits 51:12 of a 64-bit entry, as a number (exact below 2^53). */
const ADDR_HI_MASK = 0xf_ffff;

function read32(mem: GuestPhysMemory, gpa: number): number | null {
  const r = mem.read(gpa, 4);
  if (!r.ok) return null;
  const b = r.value;
  return ((b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)) >>> 0;
}

/** A 64-bit entry as [low 32 bits, bits 51:32]. */
function read64(mem: GuestPhysMemory, gpa: number): [number, number] | null {
  const lo = read32(mem, gpa);
  const hi = read32(mem, gpa + 4);
  return lo === null || hi === null ? null : [lo, hi & ADDR_HI_MASK];
}

/**
 * The guest-physical address of guest-linear `lin` under the guest's own paging (none, 32-bit
 * with 4 MiB pages, PAE, 4-level), or null when a level is not present or unreadable. The
 * backend needs it to fetch the instruction behind an exit (an MMIO access, a string I/O
 * operand); permission bits are not checked: the CPU already made the access.
 */
export function translateGuestLinear(
  mem: GuestPhysMemory,
  p: GuestPaging,
  lin: number,
): number | null {
  if ((p.cr0 & CR0_PG) === 0) return lin;
  if ((p.efer & EFER_LMA) !== 0) return walk4(mem, p.cr3, lin);
  const lin32 = lin >>> 0;
  if ((p.cr4 & CR4_PAE) !== 0) return walkPae(mem, p.cr3, lin32);
  const pde = read32(mem, (p.cr3 & 0xffff_f000) + ((lin32 >>> 22) << 2));
  if (pde === null || (pde & 1) === 0) return null;
  if ((pde & 0x80) !== 0 && (p.cr4 & CR4_PSE) !== 0) {
    // PSE-36: bits 20:13 of the entry are physical bits 39:32.
    const hi = (pde >>> 13) & 0xff;
    return hi * TWO32 + ((pde & 0xffc0_0000) >>> 0) + (lin32 & 0x3f_ffff);
  }
  const pte = read32(mem, (pde & 0xffff_f000) + (((lin32 >>> 12) & 0x3ff) << 2));
  if (pte === null || (pte & 1) === 0) return null;
  return ((pte & 0xffff_f000) >>> 0) + (lin32 & 0xfff);
}

function entryAddr(e: [number, number]): number {
  return e[1] * TWO32 + ((e[0] & 0xffff_f000) >>> 0);
}

function walkPae(mem: GuestPhysMemory, cr3: number, lin: number): number | null {
  const pdpte = read64(mem, (cr3 & 0xffff_ffe0) + ((lin >>> 30) << 3));
  if (pdpte === null || (pdpte[0] & 1) === 0) return null;
  return walkFrom(mem, entryAddr(pdpte), lin);
}

function walk4(mem: GuestPhysMemory, cr3: number, linear: number): number | null {
  // A canonical higher-half address arrives as a negative number: its low 48 bits index.
  const lin = linear < 0 ? linear + 2 ** 48 : linear % 2 ** 48;
  const index = Math.floor(lin / 2 ** 39) % 512;
  const pml4e = read64(mem, cr3 - (cr3 % 4096) + index * 8);
  if (pml4e === null || (pml4e[0] & 1) === 0) return null;
  const pdpte = read64(mem, entryAddr(pml4e) + (Math.floor(lin / 2 ** 30) % 512) * 8);
  if (pdpte === null || (pdpte[0] & 1) === 0) return null;
  if ((pdpte[0] & 0x80) !== 0) {
    const base = pdpte[1] * TWO32 + ((pdpte[0] & 0xc000_0000) >>> 0);
    return base + (lin % 2 ** 30);
  }
  return walkFrom(mem, entryAddr(pdpte), lin);
}

/** The page-directory and page-table levels of PAE and 4-level paging (64-bit entries). */
function walkFrom(mem: GuestPhysMemory, pd: number, lin: number): number | null {
  const pde = read64(mem, pd + (Math.floor(lin / 2 ** 21) % 512) * 8);
  if (pde === null || (pde[0] & 1) === 0) return null;
  if ((pde[0] & 0x80) !== 0) {
    return pde[1] * TWO32 + ((pde[0] & 0xffe0_0000) >>> 0) + (lin % 2 ** 21);
  }
  const pte = read64(mem, entryAddr(pde) + (Math.floor(lin / 4096) % 512) * 8);
  if (pte === null || (pte[0] & 1) === 0) return null;
  return entryAddr(pte) + (lin % 4096);
}

/**
 * Reads `len` bytes at guest-linear `lin` (page by page, so an instruction may straddle two
 * pages); null when a page is not mapped or not readable.
 */
export function readGuestLinear(
  mem: GuestPhysMemory,
  p: GuestPaging,
  lin: number,
  len: number,
): Uint8Array | null {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const at = lin + done;
    const gpa = translateGuestLinear(mem, p, at);
    if (gpa === null) return null;
    const n = Math.min(len - done, 4096 - (((at % 4096) + 4096) % 4096));
    const r = mem.read(gpa, n);
    if (!r.ok) return null;
    out.set(r.value, done);
    done += n;
  }
  return out;
}
