/**
 * A read-only VS-stage page walk done by the VMM, for the few cases where it needs a guest
 * *virtual* address resolved without the hart: the hart-mask pointers of legacy SBI calls, and
 * fetching a faulting instruction when htinst is zero. Slow by design (BigInt, one read per
 * level): it runs a handful of times per boot.
 */
import type { GuestPhysMemory } from "./guest-memory.js";

const PTE_V = 1n;
const PTE_R = 2n;
const PTE_W = 4n;
const PTE_X = 8n;
const PTE_U = 16n;

export interface WalkAccess {
  /** The guest's effective privilege for the access: user (VU) or supervisor (VS). */
  readonly user: boolean;
  readonly execute: boolean;
  /** vsstatus.SUM and MXR as the guest has them. */
  readonly sum: boolean;
  readonly mxr: boolean;
}

const SUPERVISOR_READ: WalkAccess = { user: false, execute: false, sum: true, mxr: false };

/** Translates a guest-virtual address with the guest's vsatp; null when the guest would fault. */
export function translateGuestVirtual(
  memory: GuestPhysMemory,
  vsatp: bigint,
  gva: number,
  access: WalkAccess = SUPERVISOR_READ,
): number | null {
  const mode = Number(vsatp >> 60n);
  if (mode === 0) return gva >= 0 ? gva : null;
  const levels = mode === 8 ? 3 : mode === 9 ? 4 : 0;
  if (levels === 0) return null;
  const vaBits = 12 + 9 * levels;
  const va = BigInt.asUintN(64, BigInt(gva));
  // The address must be sign-extended from bit vaBits-1, as the spec requires.
  const upper = BigInt.asIntN(64, va) >> BigInt(vaBits - 1);
  if (upper !== 0n && upper !== -1n) return null;
  let table = (vsatp & ((1n << 44n) - 1n)) << 12n;
  for (let level = levels - 1; level >= 0; level--) {
    const index = (va >> BigInt(12 + 9 * level)) & 0x1ffn;
    const raw = memory.read(Number(table + index * 8n), 8);
    if (!raw.ok) return null;
    const pte = new DataView(raw.value.buffer, raw.value.byteOffset, 8).getBigUint64(0, true);
    if ((pte & PTE_V) === 0n || ((pte & PTE_R) === 0n && (pte & PTE_W) !== 0n)) return null;
    const ppn = (pte >> 10n) & ((1n << 44n) - 1n);
    if ((pte & (PTE_R | PTE_X)) === 0n) {
      table = ppn << 12n;
      continue;
    }
    if (!permits(pte, access)) return null;
    const pageShift = BigInt(12 + 9 * level);
    if (level > 0 && (ppn & ((1n << BigInt(9 * level)) - 1n)) !== 0n) return null; // misaligned superpage
    const offset = va & ((1n << pageShift) - 1n);
    return Number(((ppn << 12n) & ~((1n << pageShift) - 1n)) | offset);
  }
  return null;
}

function permits(pte: bigint, a: WalkAccess): boolean {
  const isUser = (pte & PTE_U) !== 0n;
  if (a.user ? !isUser : isUser && (a.execute || !a.sum)) return false;
  if (a.execute) return (pte & PTE_X) !== 0n;
  return (pte & PTE_R) !== 0n || (a.mxr && (pte & PTE_X) !== 0n);
}

/** Reads `len` bytes at a guest-virtual address, page by page; null on any fault. */
export function readGuestVirtual(
  memory: GuestPhysMemory,
  vsatp: bigint,
  gva: number,
  len: number,
  access?: WalkAccess,
): Uint8Array | null {
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const va = gva + done;
    const inPage = Math.min(len - done, 0x1000 - (((va % 0x1000) + 0x1000) % 0x1000));
    const pa = translateGuestVirtual(memory, vsatp, va, access);
    if (pa === null) return null;
    const chunk = memory.read(pa, inPage);
    if (!chunk.ok) return null;
    out.set(chunk.value, done);
    done += inPage;
  }
  return out;
}
