/**
 * Reads files from a FAT32 image: a whole-disk file system or the first FAT partition of an MBR
 * disk (what `axvisor disk-img`, mkfs.fat + mcopy, or the shared guest disk contain). Every
 * structure is checked before it is trusted, so a corrupt image gives a clear error naming the
 * problem, never a crash or an endless loop.
 */
import { axErr } from "@axvisor/axerrno";
import { type ParsedBpb, parseBpb } from "./boot-sector.js";
import { SECTOR } from "./geometry.js";
import type { ImageSource } from "./image-io.js";
import { parseMbr, TYPE_FAT32_CHS, TYPE_FAT32_LBA } from "./mbr.js";
import { ATTR_LONG_NAME, decodeShortName, LFN_CHAR_OFFSETS, shortNameChecksum } from "./names.js";

export interface Fat32Entry {
  readonly name: string;
  readonly isDirectory: boolean;
  readonly size: number;
  readonly firstCluster: number;
}

const ATTR_DIRECTORY = 0x10;
const ATTR_VOLUME_ID = 0x08;

export class Fat32Volume {
  private readonly fatOffset: number;
  private readonly dataOffset: number;
  private readonly clusterBytes: number;
  private readonly maxCluster: number;
  private readonly fatCache = new Map<number, DataView>();

  private constructor(
    private readonly src: ImageSource,
    readonly volumeOffset: number,
    readonly bpb: ParsedBpb,
  ) {
    const bps = bpb.bytesPerSector;
    this.fatOffset = volumeOffset + bpb.reservedSectors * bps;
    this.dataOffset = this.fatOffset + bpb.numFats * bpb.fatSectors * bps;
    this.clusterBytes = bpb.sectorsPerCluster * bps;
    const dataSectors = bpb.totalSectors - bpb.reservedSectors - bpb.numFats * bpb.fatSectors;
    this.maxCluster = Math.floor(dataSectors / bpb.sectorsPerCluster) + 1;
    if (volumeOffset + bpb.totalSectors * bps > src.size) {
      throw axErr(
        "InvalidData",
        `the FAT32 volume claims ${bpb.totalSectors * bps} bytes but the image is smaller`,
      );
    }
  }

  /** Opens the file system of an image, looking through an MBR if there is one. */
  static open(src: ImageSource): Fat32Volume {
    if (src.size < SECTOR) throw axErr("InvalidData", "the image is smaller than one sector");
    const sector0 = src.read(0, SECTOR);
    const direct = parseBpb(sector0);
    if (typeof direct !== "string") return new Fat32Volume(src, 0, direct);
    const parts = parseMbr(sector0);
    const fatPart = parts?.find((p) => p.type === TYPE_FAT32_LBA || p.type === TYPE_FAT32_CHS);
    if (!fatPart) {
      throw axErr(
        "InvalidData",
        `no FAT32 file system: sector 0 is not a FAT32 boot sector (${direct}) and no MBR partition has type 0x0b/0x0c`,
      );
    }
    const offset = fatPart.startLba * SECTOR;
    if (offset + SECTOR > src.size)
      throw axErr("InvalidData", "the FAT32 partition starts beyond the end of the image");
    const bpb = parseBpb(src.read(offset, SECTOR));
    if (typeof bpb === "string")
      throw axErr("InvalidData", `the FAT32 partition has no valid boot sector: ${bpb}`);
    return new Fat32Volume(src, offset, bpb);
  }

  get label(): string {
    return this.bpb.label;
  }

  /** The entries of a directory ("/" is the root). */
  list(path: string): Fat32Entry[] {
    const dir = this.resolve(path);
    if (!dir.isDirectory) throw axErr("NotADirectory", `"${path}" is a file`);
    return this.readDir(dir.firstCluster);
  }

  stat(path: string): Fat32Entry {
    return this.resolve(path);
  }

  exists(path: string): boolean {
    try {
      this.resolve(path);
      return true;
    } catch (e) {
      if (e instanceof Error && "kind" in e && e.kind === "NotFound") return false;
      throw e;
    }
  }

  readFile(path: string): Uint8Array {
    const entry = this.resolve(path);
    if (entry.isDirectory) throw axErr("IsADirectory", `"${path}" is a directory`);
    // A corrupt entry can claim up to 4 GiB: refuse it before allocating anything for it.
    const capacity = Math.max(0, this.maxCluster - 1) * this.clusterBytes;
    if (entry.size > capacity) {
      throw axErr(
        "InvalidData",
        `"${path}" claims ${entry.size} bytes but the volume holds at most ${capacity}`,
      );
    }
    const out = new Uint8Array(entry.size);
    if (entry.size === 0) return out;
    let done = 0;
    for (const cluster of this.chain(entry.firstCluster, path)) {
      const n = Math.min(this.clusterBytes, entry.size - done);
      out.set(this.src.read(this.clusterOffset(cluster), n), done);
      done += n;
      if (done === entry.size) return out;
    }
    throw axErr(
      "InvalidData",
      `"${path}" is ${entry.size} bytes but its cluster chain holds only ${done}`,
    );
  }

  private resolve(path: string): Fat32Entry {
    const parts = path.split("/").filter((p) => p.length > 0);
    let current: Fat32Entry = {
      name: "/",
      isDirectory: true,
      size: 0,
      firstCluster: this.bpb.rootCluster,
    };
    let walked = "";
    for (const part of parts) {
      if (!current.isDirectory)
        throw axErr("NotADirectory", `"${walked}" is a file, not a directory`);
      const want = part.toUpperCase();
      const found = this.readDir(current.firstCluster).find((e) => e.name.toUpperCase() === want);
      walked += `/${part}`;
      if (!found) throw axErr("NotFound", `"${walked}" does not exist in the FAT32 image`);
      current = found;
    }
    return current;
  }

  private readDir(firstCluster: number): Fat32Entry[] {
    const entries: Fat32Entry[] = [];
    let lfn: string[] = [];
    let lfnChecksum = -1;
    for (const cluster of this.chain(firstCluster, "a directory")) {
      const bytes = this.src.read(this.clusterOffset(cluster), this.clusterBytes);
      for (let off = 0; off < bytes.length; off += 32) {
        const first = bytes[off] ?? 0;
        if (first === 0) return entries;
        if (first === 0xe5) {
          lfn = [];
          continue;
        }
        const attr = bytes[off + 11] ?? 0;
        if ((attr & 0x3f) === ATTR_LONG_NAME) {
          const seq = first & 0x1f;
          if (first & 0x40) {
            lfn = [];
            lfnChecksum = bytes[off + 13] ?? 0;
          }
          let part = "";
          for (const o of LFN_CHAR_OFFSETS) {
            const unit = (bytes[off + o] ?? 0) | ((bytes[off + o + 1] ?? 0) << 8);
            if (unit === 0 || unit === 0xffff) break;
            part += String.fromCharCode(unit);
          }
          lfn[seq - 1] = part;
          continue;
        }
        const short = bytes.subarray(off, off + 11);
        const name =
          lfn.length > 0 && shortNameChecksum(short) === lfnChecksum
            ? lfn.join("")
            : decodeShortName(short, bytes[off + 12] ?? 0);
        lfn = [];
        if (attr & ATTR_VOLUME_ID) continue;
        if (name === "." || name === "..") continue;
        const view = new DataView(bytes.buffer, bytes.byteOffset + off, 32);
        entries.push({
          name,
          isDirectory: (attr & ATTR_DIRECTORY) !== 0,
          size: view.getUint32(28, true),
          firstCluster: ((view.getUint16(20, true) << 16) | view.getUint16(26, true)) >>> 0,
        });
      }
    }
    return entries;
  }

  /** The clusters of a chain, refusing loops and out-of-range links. */
  private *chain(first: number, what: string): Generator<number> {
    let cluster = first;
    const seen = new Set<number>();
    while (cluster < 0x0fff_fff8) {
      if (cluster < 2 || cluster > this.maxCluster) {
        throw axErr(
          "InvalidData",
          `${what}: cluster ${cluster} is outside the volume (2..${this.maxCluster})`,
        );
      }
      if (seen.has(cluster))
        throw axErr("InvalidData", `${what}: the cluster chain loops at cluster ${cluster}`);
      seen.add(cluster);
      yield cluster;
      cluster = this.fatEntry(cluster);
    }
  }

  private fatEntry(cluster: number): number {
    const perSector = this.bpb.bytesPerSector / 4;
    const sector = Math.floor(cluster / perSector);
    let view = this.fatCache.get(sector);
    if (!view) {
      const bytes = this.src.read(
        this.fatOffset + sector * this.bpb.bytesPerSector,
        this.bpb.bytesPerSector,
      );
      view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
      this.fatCache.set(sector, view);
    }
    return view.getUint32((cluster % perSector) * 4, true) & 0x0fff_ffff;
  }

  private clusterOffset(cluster: number): number {
    return this.dataOffset + (cluster - 2) * this.clusterBytes;
  }
}
