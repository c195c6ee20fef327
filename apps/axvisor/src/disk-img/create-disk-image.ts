import { existsSync, renameSync, rmSync } from "node:fs";
import { AxError } from "@axvisor/axerrno";
import { formatSize } from "@axvisor/axvmconfig";
import { computeGeometry, createFat32, minimumVolumeBytes } from "@axvisor/fat32";
import { FileImage } from "@axvisor/fat32/node";
import { UsageError } from "../errors.js";
import type { ImageFileSource } from "./add-spec.js";

const SECTOR = 512;
/** `--partition mbr` puts the file system at 1 MiB, as fdisk and @axvisor/fat32 do. */
const MBR_VOLUME_OFFSET = 1024 * 1024;

export type PartitionScheme = "none" | "mbr";

export interface CreateDiskImageOptions {
  readonly output: string;
  readonly sizeBytes: number;
  readonly files: readonly ImageFileSource[];
  /** Volume label, up to 11 of A-Z 0-9 space _ - (default "AXVISOR"). */
  readonly label?: string;
  readonly partition?: PartitionScheme;
  /** Replace an existing file. */
  readonly force?: boolean;
  /** Timestamp of every entry (default: now). */
  readonly date?: Date;
}

export interface DiskImageSummary {
  readonly output: string;
  readonly sizeBytes: number;
  readonly partition: PartitionScheme;
  readonly label: string;
  readonly files: number;
  readonly fileBytes: number;
  readonly clusterBytes: number;
  readonly usedClusters: number;
  readonly totalClusters: number;
}

/**
 * The smallest image that holds a FAT32 file system with the default cluster size (FAT32 needs
 * at least 65 525 clusters; fewer make it FAT16 by definition).
 */
export function minimumDiskImageBytes(partition: PartitionScheme = "none"): number {
  let sectors = Math.floor(minimumVolumeBytes(1) / SECTOR);
  for (;;) {
    try {
      computeGeometry(sectors);
      break;
    } catch {
      sectors++;
    }
  }
  return sectors * SECTOR + (partition === "mbr" ? MBR_VOLUME_OFFSET : 0);
}

/** Two files at one path, or a file where another needs a folder: name both --add arguments. */
function checkNames(files: readonly ImageFileSource[]): void {
  const byKey = new Map<string, ImageFileSource>();
  for (const f of files) {
    const key = f.path.toUpperCase();
    const other = byKey.get(key);
    if (other !== undefined) {
      const second = other.from === f.from ? "" : ` and --add ${f.from}`;
      throw new UsageError(
        `${f.path} is added twice, by --add ${other.from}${second} (FAT names ignore case: ${other.path}, ${f.path})`,
      );
    }
    byKey.set(key, f);
  }
  for (const f of files) {
    const parts = f.path.split("/").filter((p) => p.length > 0);
    for (let i = 1; i < parts.length; i++) {
      const dir = `/${parts.slice(0, i).join("/")}`;
      const clash = byKey.get(dir.toUpperCase());
      if (clash !== undefined) {
        throw new UsageError(
          `${dir} is a file (--add ${clash.from}) but --add ${f.from} puts ${f.path} inside it`,
        );
      }
    }
  }
}

/**
 * Writes a FAT32 disk image holding `files` - no root, no mount, no mkfs. The image is built in
 * a temporary file next to `output` and renamed over it at the end, so a failure never leaves
 * a half-written image (or destroys the old one).
 */
export function createDiskImage(opts: CreateDiskImageOptions): DiskImageSummary {
  const partition = opts.partition ?? "none";
  const size = opts.sizeBytes;
  if (!Number.isSafeInteger(size) || size <= 0 || size % SECTOR !== 0) {
    throw new UsageError(`--size: ${size} bytes is not a positive multiple of ${SECTOR}`);
  }
  const minimum = minimumDiskImageBytes(partition);
  if (size < minimum) {
    const mib = Math.ceil(minimum / (1024 * 1024));
    throw new UsageError(
      `--size ${formatSize(size)} is too small for FAT32, which needs at least 65525 clusters: ` +
        `the minimum is ${minimum} bytes (--size ${mib}M)${partition === "mbr" ? " with --partition mbr" : ""}`,
    );
  }
  checkNames(opts.files);
  if (existsSync(opts.output) && opts.force !== true) {
    throw new UsageError(`${opts.output} already exists (use --force to replace it)`);
  }

  const tmp = `${opts.output}.tmp-${process.pid}`;
  const image = FileImage.create(tmp, size);
  let layout: ReturnType<typeof createFat32>;
  try {
    layout = createFat32(image, {
      sizeBytes: size,
      files: opts.files.map((f) => ({ path: f.path, data: f.data })),
      partition,
      ...(opts.label !== undefined ? { label: opts.label } : {}),
      ...(opts.date !== undefined ? { date: opts.date } : {}),
    });
    image.close();
  } catch (e) {
    image.close();
    rmSync(tmp, { force: true });
    if (e instanceof AxError && e.kind === "StorageFull") {
      const bytes = opts.files.reduce((n, f) => n + f.data.length, 0);
      throw new AxError(
        "StorageFull",
        `the files (${opts.files.length}, ${formatSize(bytes)}) do not fit in a ${formatSize(size)} FAT32 image; give a larger --size`,
        { cause: e },
      );
    }
    if (e instanceof AxError && e.kind === "InvalidInput") {
      throw new UsageError(e.message);
    }
    throw e;
  }
  renameSync(tmp, opts.output);
  return {
    output: opts.output,
    sizeBytes: size,
    partition,
    label: (opts.label ?? "AXVISOR").toUpperCase(),
    files: opts.files.length,
    fileBytes: opts.files.reduce((n, f) => n + f.data.length, 0),
    clusterBytes: layout.geometry.sectorsPerCluster * SECTOR,
    usedClusters: layout.usedClusters,
    totalClusters: layout.geometry.clusterCount,
  };
}
