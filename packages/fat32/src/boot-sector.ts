/** The FAT32 boot sector (BPB) and FSInfo sector, per Microsoft's FAT specification. */
import { type Fat32Geometry, NUM_FATS, RESERVED_SECTORS, SECTOR } from "./geometry.js";

export const FSINFO_SECTOR = 1;
export const BACKUP_BOOT_SECTOR = 6;
export const ROOT_CLUSTER = 2;

export interface BootSectorFields {
  readonly geometry: Fat32Geometry;
  readonly hiddenSectors: number;
  readonly volumeId: number;
  readonly label: string;
}

export function buildBootSector(f: BootSectorFields): Uint8Array {
  const s = new Uint8Array(SECTOR);
  const v = new DataView(s.buffer);
  s.set([0xeb, 0x58, 0x90]); // jmp over the BPB, nop
  s.set(ascii("AXVISOR ", 8), 3);
  v.setUint16(11, SECTOR, true);
  s[13] = f.geometry.sectorsPerCluster;
  v.setUint16(14, RESERVED_SECTORS, true);
  s[16] = NUM_FATS;
  v.setUint16(17, 0, true); // root entries: 0 on FAT32
  v.setUint16(19, 0, true); // 16-bit total sectors: 0, use the 32-bit field
  s[21] = 0xf8; // fixed disk
  v.setUint16(22, 0, true); // 16-bit FAT size: 0 on FAT32
  v.setUint16(24, 32, true); // sectors per track (geometry is nominal for LBA media)
  v.setUint16(26, 64, true); // heads
  v.setUint32(28, f.hiddenSectors, true);
  v.setUint32(32, f.geometry.totalSectors, true);
  v.setUint32(36, f.geometry.fatSectors, true);
  v.setUint16(40, 0, true); // FATs mirrored
  v.setUint16(42, 0, true); // version 0.0
  v.setUint32(44, ROOT_CLUSTER, true);
  v.setUint16(48, FSINFO_SECTOR, true);
  v.setUint16(50, BACKUP_BOOT_SECTOR, true);
  s[64] = 0x80; // drive number
  s[66] = 0x29; // extended boot signature: the next three fields are valid
  v.setUint32(67, f.volumeId >>> 0, true);
  s.set(ascii(f.label, 11), 71);
  s.set(ascii("FAT32", 8), 82);
  // Boot code: a non-bootable volume; print nothing, just halt if someone jumps here.
  s.set([0xf4, 0xeb, 0xfd], 90); // hlt; jmp $-1
  s[510] = 0x55;
  s[511] = 0xaa;
  return s;
}

export function buildFsInfo(freeClusters: number, nextFree: number): Uint8Array {
  const s = new Uint8Array(SECTOR);
  const v = new DataView(s.buffer);
  v.setUint32(0, 0x4161_5252, true);
  v.setUint32(484, 0x6141_7272, true);
  v.setUint32(488, freeClusters, true);
  v.setUint32(492, nextFree, true);
  v.setUint32(508, 0xaa55_0000, true);
  return s;
}

export interface ParsedBpb {
  readonly bytesPerSector: number;
  readonly sectorsPerCluster: number;
  readonly reservedSectors: number;
  readonly numFats: number;
  readonly totalSectors: number;
  readonly fatSectors: number;
  readonly rootCluster: number;
  readonly label: string;
}

/** Reads a FAT32 BPB; a string explains why the sector is not one. */
export function parseBpb(s: Uint8Array): ParsedBpb | string {
  if (s.length < SECTOR || s[510] !== 0x55 || s[511] !== 0xaa) return "no boot-sector signature";
  const v = new DataView(s.buffer, s.byteOffset, SECTOR);
  const bytesPerSector = v.getUint16(11, true);
  const sectorsPerCluster = s[13] ?? 0;
  const reservedSectors = v.getUint16(14, true);
  const numFats = s[16] ?? 0;
  const fat16Size = v.getUint16(22, true);
  const fatSectors = v.getUint32(36, true);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector))
    return `bytes per sector ${bytesPerSector}`;
  if (sectorsPerCluster === 0 || (sectorsPerCluster & (sectorsPerCluster - 1)) !== 0) {
    return `sectors per cluster ${sectorsPerCluster}`;
  }
  if (fat16Size !== 0 || fatSectors === 0) return "a FAT12/16 volume, not FAT32";
  if (numFats === 0 || reservedSectors === 0) return "no FAT or no reserved sectors";
  const total16 = v.getUint16(19, true);
  return {
    bytesPerSector,
    sectorsPerCluster,
    reservedSectors,
    numFats,
    totalSectors: total16 !== 0 ? total16 : v.getUint32(32, true),
    fatSectors,
    rootCluster: v.getUint32(44, true),
    label: String.fromCharCode(...s.subarray(71, 82)).trimEnd(),
  };
}

function ascii(text: string, len: number): Uint8Array {
  const out = new Uint8Array(len).fill(0x20);
  for (let i = 0; i < Math.min(len, text.length); i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}
