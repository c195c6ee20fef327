/**
 * Volume geometry of a FAT32 file system, computed the way Microsoft's FAT specification
 * prescribes ("FAT Type Determination" and the FATSz computation of "FAT Volume
 * Initialization"), so that every FAT implementation agrees on the cluster count.
 */
import { axErr } from "@axvisor/axerrno";

export const SECTOR = 512;
export const RESERVED_SECTORS = 32;
export const NUM_FATS = 2;
/** Fewer clusters than this and a volume is FAT16 by definition, whatever its BPB says. */
export const MIN_FAT32_CLUSTERS = 65_525;
/** FAT32 cluster numbers are 28 bits; the top values are reserved. */
export const MAX_FAT32_CLUSTERS = 0x0fff_fff5;

export interface Fat32Geometry {
  /** Sectors in the volume (the partition, or the whole image without one). */
  readonly totalSectors: number;
  readonly sectorsPerCluster: number;
  readonly fatSectors: number;
  /** First sector of the data region, relative to the volume. */
  readonly dataStart: number;
  readonly clusterCount: number;
}

/** Microsoft's default cluster size for a volume of this many 512-byte sectors. */
export function defaultSectorsPerCluster(totalSectors: number): number {
  if (totalSectors <= 532_480) return 1; // up to 260 MB: 512-byte clusters
  if (totalSectors <= 16_777_216) return 8; // up to 8 GB: 4 KiB
  if (totalSectors <= 33_554_432) return 16; // up to 16 GB: 8 KiB
  if (totalSectors <= 67_108_864) return 32; // up to 32 GB: 16 KiB
  return 64;
}

export function computeGeometry(totalSectors: number, sectorsPerCluster?: number): Fat32Geometry {
  const spc = sectorsPerCluster ?? defaultSectorsPerCluster(totalSectors);
  if (![1, 2, 4, 8, 16, 32, 64, 128].includes(spc)) {
    throw axErr("InvalidInput", `sectors per cluster must be a power of two up to 128, got ${spc}`);
  }
  const tmp1 = totalSectors - RESERVED_SECTORS;
  const tmp2 = (256 * spc + NUM_FATS) / 2;
  const fatSectors = Math.ceil(tmp1 / tmp2);
  const dataStart = RESERVED_SECTORS + NUM_FATS * fatSectors;
  const clusterCount = Math.floor((totalSectors - dataStart) / spc);
  if (clusterCount < MIN_FAT32_CLUSTERS) {
    const minBytes = minimumVolumeBytes(spc);
    throw axErr(
      "InvalidInput",
      `a FAT32 volume needs at least ${MIN_FAT32_CLUSTERS} clusters; ${totalSectors * SECTOR} bytes give ${clusterCount} (use at least ${Math.ceil(minBytes / 1048576)} MiB)`,
    );
  }
  if (clusterCount > MAX_FAT32_CLUSTERS) {
    throw axErr("InvalidInput", `volume too large for FAT32 with ${spc * SECTOR}-byte clusters`);
  }
  return { totalSectors, sectorsPerCluster: spc, fatSectors, dataStart, clusterCount };
}

/** The smallest volume that holds the minimum FAT32 cluster count with this cluster size. */
export function minimumVolumeBytes(sectorsPerCluster = 1): number {
  const dataSectors = MIN_FAT32_CLUSTERS * sectorsPerCluster;
  const fat = Math.ceil(((MIN_FAT32_CLUSTERS + 2) * 4) / SECTOR);
  return (RESERVED_SECTORS + NUM_FATS * fat + dataSectors) * SECTOR;
}
