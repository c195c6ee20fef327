import { SGI_COUNT } from "./constants.js";
import type { GicCore } from "./gic-core.js";

/**
 * The per-interrupt register banks GICD and the GICv3 redistributor's SGI frame share: one
 * bit per interrupt (IGROUPR, IS/ICENABLER, IS/ICPENDR, IS/ICACTIVER, IGRPMODR), one byte
 * (IPRIORITYR) or two bits (ICFGR). `firstIrq` is the INTID of bit 0 of the word.
 */
export const BitReg = {
  Group: 0,
  SetEnable: 1,
  ClearEnable: 2,
  SetPending: 3,
  ClearPending: 4,
  SetActive: 5,
  ClearActive: 6,
  GroupMod: 7,
} as const;
export type BitReg = (typeof BitReg)[keyof typeof BitReg];

/** Which register bank a GICD/GICR offset in 0x080..0xD7F falls in, per 0x80 block. */
export function bitRegAt(offset: number): BitReg | undefined {
  if (offset >= 0xd00 && offset < 0xd80) return BitReg.GroupMod;
  if (offset < 0x80 || offset >= 0x400) return undefined;
  return ((offset >> 7) - 1) as BitReg;
}

export function readBits(core: GicCore, cpu: number, reg: BitReg, firstIrq: number): number {
  let v = 0;
  for (let i = 0; i < 32; i++) {
    const irq = firstIrq + i;
    if (irq >= core.numIrqs) break;
    const s = core.slot(cpu, irq);
    let bit: boolean;
    switch (reg) {
      case BitReg.Group:
        bit = core.group[s] === 1;
        break;
      case BitReg.SetEnable:
      case BitReg.ClearEnable:
        bit = core.enabled[s] === 1;
        break;
      case BitReg.SetPending:
      case BitReg.ClearPending:
        bit = core.isPending(cpu, irq);
        break;
      case BitReg.SetActive:
      case BitReg.ClearActive:
        bit = core.active[s] === 1;
        break;
      default:
        bit = core.grpmod[s] === 1;
        break;
    }
    if (bit) v |= 1 << i;
  }
  return v >>> 0;
}

/** Writes one word of a bit bank; `writable` masks bits the caller may not change. */
export function writeBits(
  core: GicCore,
  cpu: number,
  reg: BitReg,
  firstIrq: number,
  value: number,
  writable = 0xffff_ffff,
): void {
  const v = value & writable;
  for (let i = 0; i < 32; i++) {
    const irq = firstIrq + i;
    if (irq >= core.numIrqs) break;
    const s = core.slot(cpu, irq);
    const one = ((v >>> i) & 1) === 1;
    switch (reg) {
      case BitReg.Group:
        if ((writable >>> i) & 1) core.group[s] = one ? 1 : 0;
        break;
      case BitReg.GroupMod:
        if ((writable >>> i) & 1) core.grpmod[s] = one ? 1 : 0;
        break;
      case BitReg.SetEnable:
        if (one) core.enabled[s] = 1;
        break;
      case BitReg.ClearEnable:
        if (one) core.enabled[s] = 0;
        break;
      case BitReg.SetPending:
        if (one) core.setPendingLatch(cpu, irq, true);
        break;
      case BitReg.ClearPending:
        if (one) core.setPendingLatch(cpu, irq, false);
        break;
      case BitReg.SetActive:
        if (one) core.active[s] = 1;
        break;
      case BitReg.ClearActive:
        if (one) core.active[s] = 0;
        break;
    }
  }
  core.update();
}

/** Set/clear banks ignore zero bits, so a narrow write needs no read-modify-write. */
export const isSetClear = (reg: BitReg): boolean => reg !== BitReg.Group && reg !== BitReg.GroupMod;

/** ICFGR word covering INTIDs firstIrq..firstIrq+15: bit 2i+1 set = edge-triggered. */
export function readConfig(core: GicCore, cpu: number, firstIrq: number): number {
  let v = 0;
  for (let i = 0; i < 16; i++) {
    const irq = firstIrq + i;
    if (irq >= core.numIrqs) break;
    if (core.edge[core.slot(cpu, irq)]) v |= 2 << (2 * i);
  }
  return v >>> 0;
}

export function writeConfig(core: GicCore, cpu: number, firstIrq: number, value: number): void {
  for (let i = 0; i < 16; i++) {
    const irq = firstIrq + i;
    // SGIs are always edge-triggered.
    if (irq >= core.numIrqs || irq < SGI_COUNT) continue;
    core.edge[core.slot(cpu, irq)] = (value >>> (2 * i + 1)) & 1;
  }
  core.update();
}

/** Reads `width` bytes of IPRIORITYR starting at INTID `irq`. */
export function readPriorities(core: GicCore, cpu: number, irq: number, width: number): number {
  let v = 0;
  for (let b = 0; b < width; b++) {
    if (irq + b < core.numIrqs) v |= core.priority[core.slot(cpu, irq + b)]! << (8 * b);
  }
  return v >>> 0;
}

export function writePriorities(
  core: GicCore,
  cpu: number,
  irq: number,
  width: number,
  value: number,
): void {
  for (let b = 0; b < width; b++) {
    if (irq + b < core.numIrqs) core.priority[core.slot(cpu, irq + b)] = (value >>> (8 * b)) & 0xff;
  }
  core.update();
}

/** Merges a narrow write into a word register at byte offset `offset & 3`. */
export function mergeNarrow(old: number, offset: number, width: number, value: number): number {
  if (width >= 4) return value >>> 0;
  const shift = 8 * (offset & 3);
  const mask = (width === 1 ? 0xff : 0xffff) << shift;
  return ((old & ~mask) | ((value << shift) & mask)) >>> 0;
}

/** Extracts a narrow read from a word register. */
export function narrow(word: number, offset: number, width: number): number {
  if (width >= 4) return word >>> 0;
  const v = word >>> (8 * (offset & 3));
  return width === 1 ? v & 0xff : v & 0xffff;
}
