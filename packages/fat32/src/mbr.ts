/** A classic MBR partition table with one FAT32 (LBA) partition, as fdisk/sfdisk write it. */
import { SECTOR } from "./geometry.js";

export const PARTITION_START_LBA = 2048;
export const TYPE_FAT32_LBA = 0x0c;
export const TYPE_FAT32_CHS = 0x0b;

export function buildMbr(totalSectors: number, diskId: number): Uint8Array {
  const mbr = new Uint8Array(SECTOR);
  const view = new DataView(mbr.buffer);
  view.setUint32(440, diskId >>> 0, true);
  const entry = 446;
  mbr[entry] = 0x80; // bootable, as U-Boot's distro boot prefers
  // CHS fields set to the "beyond CHS" marker, as modern tools do for LBA partitions.
  mbr.set([0xfe, 0xff, 0xff], entry + 1);
  mbr[entry + 4] = TYPE_FAT32_LBA;
  mbr.set([0xfe, 0xff, 0xff], entry + 5);
  view.setUint32(entry + 8, PARTITION_START_LBA, true);
  view.setUint32(entry + 12, totalSectors - PARTITION_START_LBA, true);
  mbr[510] = 0x55;
  mbr[511] = 0xaa;
  return mbr;
}

export interface MbrPartition {
  readonly type: number;
  readonly startLba: number;
  readonly sectors: number;
}

/** The four primary entries of an MBR, or null when sector 0 carries no MBR signature. */
export function parseMbr(sector0: Uint8Array): MbrPartition[] | null {
  if (sector0[510] !== 0x55 || sector0[511] !== 0xaa) return null;
  const view = new DataView(sector0.buffer, sector0.byteOffset, SECTOR);
  const parts: MbrPartition[] = [];
  for (let i = 0; i < 4; i++) {
    const e = 446 + 16 * i;
    const type = sector0[e + 4] ?? 0;
    if (type === 0) continue;
    parts.push({
      type,
      startLba: view.getUint32(e + 8, true),
      sectors: view.getUint32(e + 12, true),
    });
  }
  return parts;
}
