/**
 * Creates a FAT32 file system image holding a set of files, without root privileges or
 * mounting: the layout is computed, then every structure is written at its offset. Only
 * non-zero data is written, so a file-backed target stays sparse.
 */
import { axErr } from "@axvisor/axerrno";
import {
  BACKUP_BOOT_SECTOR,
  buildBootSector,
  buildFsInfo,
  FSINFO_SECTOR,
  ROOT_CLUSTER,
} from "./boot-sector.js";
import { dosDateTime } from "./dos-time.js";
import {
  computeGeometry,
  type Fat32Geometry,
  NUM_FATS,
  RESERVED_SECTORS,
  SECTOR,
} from "./geometry.js";
import type { ImageTarget } from "./image-io.js";
import { buildMbr, PARTITION_START_LBA } from "./mbr.js";
import {
  exactShortName,
  generateShortAlias,
  longNameEntries,
  shortNameChecksum,
  validateLongName,
} from "./names.js";

export interface Fat32File {
  /** Path inside the image, "/"-separated; missing directories are created. */
  readonly path: string;
  readonly data: Uint8Array;
}

export interface CreateFat32Options {
  readonly sizeBytes: number;
  readonly files?: readonly Fat32File[];
  /** Volume label, up to 11 characters (default "AXVISOR"). */
  readonly label?: string;
  /** "mbr": a partition table with one FAT32 partition at 1 MiB; "none" (default): the whole image is the file system. */
  readonly partition?: "none" | "mbr";
  /** Timestamp of every entry (default: now). */
  readonly date?: Date;
  readonly volumeId?: number;
  readonly sectorsPerCluster?: number;
}

export interface Fat32Layout {
  readonly geometry: Fat32Geometry;
  /** Byte offset of the file system inside the image. */
  readonly volumeOffset: number;
  readonly usedClusters: number;
}

const EOC = 0x0fff_ffff;
const ATTR_DIRECTORY = 0x10;
const ATTR_ARCHIVE = 0x20;
const ATTR_VOLUME_ID = 0x08;

interface DirNode {
  readonly kind: "dir";
  readonly name: string;
  readonly children: Map<string, DirNode | FileNode>;
  cluster: number;
  entries: Uint8Array[];
}

interface FileNode {
  readonly kind: "file";
  readonly name: string;
  readonly data: Uint8Array;
  cluster: number;
}

export function createFat32(target: ImageTarget, opts: CreateFat32Options): Fat32Layout {
  const size = opts.sizeBytes;
  if (!Number.isSafeInteger(size) || size <= 0 || size % SECTOR !== 0) {
    throw axErr(
      "InvalidInput",
      `image size must be a positive multiple of ${SECTOR} bytes, got ${size}`,
    );
  }
  const label = (opts.label ?? "AXVISOR").toUpperCase();
  if (label.length > 11 || !/^[A-Z0-9 _-]*$/.test(label)) {
    throw axErr(
      "InvalidInput",
      `volume label must be up to 11 of A-Z 0-9 space _ -: "${opts.label}"`,
    );
  }
  const partitioned = opts.partition === "mbr";
  const totalImageSectors = size / SECTOR;
  const volumeStart = partitioned ? PARTITION_START_LBA : 0;
  const geometry = computeGeometry(totalImageSectors - volumeStart, opts.sectorsPerCluster);
  const volumeOffset = volumeStart * SECTOR;
  const clusterBytes = geometry.sectorsPerCluster * SECTOR;
  const stamp = dosDateTime(opts.date ?? new Date());
  const volumeId = opts.volumeId ?? (Math.random() * 0x1_0000_0000) >>> 0;

  const root = buildTree(opts.files ?? []);
  const fat = new Uint32Array(geometry.clusterCount + 2);
  fat[0] = 0x0fff_fff8; // media descriptor in the low byte
  fat[1] = EOC; // clean-shutdown and no-error bits set
  let next = ROOT_CLUSTER;
  const allocate = (bytes: number): number => {
    const n = Math.max(1, Math.ceil(bytes / clusterBytes));
    if (next + n > geometry.clusterCount + 2) {
      throw axErr("StorageFull", `the files do not fit in a ${size}-byte image`);
    }
    const first = next;
    for (let i = 0; i < n; i++) fat[first + i] = i === n - 1 ? EOC : first + i + 1;
    next += n;
    return first;
  };

  // Directories first (their sizes are known once their entries are), root at cluster 2.
  const dirs: DirNode[] = [];
  collectDirs(root, dirs);
  for (const d of dirs) d.entries = directoryEntries(d, stamp, d === root ? label : null);
  for (const d of dirs) d.cluster = allocate(d.entries.length * 32);
  const files: FileNode[] = [];
  collectFiles(root, files);
  for (const f of files) f.cluster = f.data.length === 0 ? 0 : allocate(f.data.length);
  // Now every first cluster is known: fill them into the entries.
  for (const d of dirs) d.entries = directoryEntries(d, stamp, d === root ? label : null, root);

  const clusterOffset = (c: number) =>
    volumeOffset + (geometry.dataStart + (c - 2) * geometry.sectorsPerCluster) * SECTOR;
  for (const d of dirs) {
    const bytes = new Uint8Array(Math.ceil((d.entries.length * 32) / clusterBytes) * clusterBytes);
    for (const [i, e] of d.entries.entries()) bytes.set(e, i * 32);
    target.write(clusterOffset(d.cluster), bytes);
  }
  for (const f of files) if (f.data.length > 0) target.write(clusterOffset(f.cluster), f.data);

  const fatBytes = new Uint8Array(fat.buffer, fat.byteOffset, fat.byteLength);
  for (let i = 0; i < NUM_FATS; i++) {
    target.write(volumeOffset + (RESERVED_SECTORS + i * geometry.fatSectors) * SECTOR, fatBytes);
  }
  const boot = buildBootSector({
    geometry,
    hiddenSectors: volumeStart,
    volumeId,
    label: label || "NO NAME",
  });
  const used = next - ROOT_CLUSTER;
  const info = buildFsInfo(geometry.clusterCount - used, next);
  target.write(volumeOffset, boot);
  target.write(volumeOffset + FSINFO_SECTOR * SECTOR, info);
  target.write(volumeOffset + BACKUP_BOOT_SECTOR * SECTOR, boot);
  target.write(volumeOffset + (BACKUP_BOOT_SECTOR + 1) * SECTOR, info);
  if (partitioned) target.write(0, buildMbr(totalImageSectors, volumeId));
  return { geometry, volumeOffset, usedClusters: used };
}

function buildTree(files: readonly Fat32File[]): DirNode {
  const root: DirNode = {
    kind: "dir",
    name: "",
    children: new Map(),
    cluster: ROOT_CLUSTER,
    entries: [],
  };
  for (const file of files) {
    const parts = file.path.split("/").filter((p) => p.length > 0);
    const leaf = parts.pop();
    if (leaf === undefined) throw axErr("InvalidInput", `empty path in the image: "${file.path}"`);
    let dir = root;
    for (const part of parts) {
      validateLongName(part);
      const key = part.toUpperCase();
      const existing = dir.children.get(key);
      if (existing?.kind === "file") {
        throw axErr("AlreadyExists", `"${part}" in "${file.path}" is a file, not a directory`);
      }
      if (existing) {
        dir = existing;
      } else {
        const d: DirNode = {
          kind: "dir",
          name: part,
          children: new Map(),
          cluster: 0,
          entries: [],
        };
        dir.children.set(key, d);
        dir = d;
      }
    }
    validateLongName(leaf);
    if (dir.children.has(leaf.toUpperCase())) {
      throw axErr("AlreadyExists", `"${file.path}" is added twice (FAT names ignore case)`);
    }
    dir.children.set(leaf.toUpperCase(), { kind: "file", name: leaf, data: file.data, cluster: 0 });
  }
  return root;
}

function collectDirs(d: DirNode, out: DirNode[]): void {
  out.push(d);
  for (const c of d.children.values()) if (c.kind === "dir") collectDirs(c, out);
}

function collectFiles(d: DirNode, out: FileNode[]): void {
  for (const c of d.children.values()) {
    if (c.kind === "dir") collectFiles(c, out);
    else out.push(c);
  }
}

function shortEntry(
  short: Uint8Array,
  attr: number,
  ntCase: number,
  cluster: number,
  size: number,
  stamp: { date: number; time: number },
): Uint8Array {
  const e = new Uint8Array(32);
  const v = new DataView(e.buffer);
  e.set(short, 0);
  e[11] = attr;
  e[12] = ntCase;
  v.setUint16(14, stamp.time, true);
  v.setUint16(16, stamp.date, true);
  v.setUint16(18, stamp.date, true);
  v.setUint16(20, cluster >>> 16, true);
  v.setUint16(22, stamp.time, true);
  v.setUint16(24, stamp.date, true);
  v.setUint16(26, cluster & 0xffff, true);
  v.setUint32(28, size, true);
  return e;
}

function dotName(dots: 1 | 2): Uint8Array {
  const s = new Uint8Array(11).fill(0x20);
  s.fill(0x2e, 0, dots);
  return s;
}

function directoryEntries(
  d: DirNode,
  stamp: { date: number; time: number },
  volumeLabel: string | null,
  root?: DirNode,
): Uint8Array[] {
  const entries: Uint8Array[] = [];
  if (volumeLabel !== null) {
    if (volumeLabel.length > 0) {
      const name = new Uint8Array(11).fill(0x20);
      for (let i = 0; i < volumeLabel.length; i++) name[i] = volumeLabel.charCodeAt(i);
      entries.push(shortEntry(name, ATTR_VOLUME_ID, 0, 0, 0, stamp));
    }
  } else {
    entries.push(shortEntry(dotName(1), ATTR_DIRECTORY, 0, d.cluster, 0, stamp));
    // ".." of a directory whose parent is the root points at cluster 0, as the spec says.
    const parent = root ? findParent(root, d) : undefined;
    const parentCluster = !parent || parent === root ? 0 : parent.cluster;
    entries.push(shortEntry(dotName(2), ATTR_DIRECTORY, 0, parentCluster, 0, stamp));
  }
  const taken = new Set<string>();
  for (const child of d.children.values()) {
    const exact = exactShortName(child.name);
    const short =
      exact && !taken.has(String.fromCharCode(...exact.short))
        ? exact.short
        : generateShortAlias(child.name, taken);
    taken.add(String.fromCharCode(...short));
    const ntCase =
      exact && short === exact.short
        ? (exact.lowerBase ? 0x08 : 0) | (exact.lowerExt ? 0x10 : 0)
        : 0;
    if (!(exact && short === exact.short))
      entries.push(...longNameEntries(child.name, shortNameChecksum(short)));
    const isDir = child.kind === "dir";
    entries.push(
      shortEntry(
        short,
        isDir ? ATTR_DIRECTORY : ATTR_ARCHIVE,
        ntCase,
        child.cluster,
        isDir ? 0 : child.data.length,
        stamp,
      ),
    );
  }
  return entries;
}

function findParent(root: DirNode, target: DirNode): DirNode | undefined {
  for (const c of root.children.values()) {
    if (c === target) return root;
    if (c.kind === "dir") {
      const p = findParent(c, target);
      if (p) return p;
    }
  }
  return undefined;
}
