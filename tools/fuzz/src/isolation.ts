/**
 * Isolation checks between two VMs on one host: which host-physical memory each VM's G-stage
 * table (Sv39x4) reaches, walked over the whole guest-physical space, and whether the memory
 * one VM can reach holds another's secret.
 */
import { type HostPhysAddr, hpa } from "@axvisor/memory-addr";

/** What the walks need of the host: its RAM by host-physical address (a HostBoard's memory). */
export interface HostMemoryView {
  /** `len` bytes at `pa`; throws when the span is not host RAM. */
  hostBuffer(pa: HostPhysAddr, len: number): Uint8Array;
}

/** A host-physical range [start, end). */
export interface HostRange {
  readonly start: number;
  readonly end: number;
}

/** One leaf of a G-stage table: `size` bytes of guest-physical `gpa` mapped at host `hpa`. */
export interface GstageLeaf {
  readonly gpa: number;
  readonly hpa: number;
  readonly size: number;
}

/** Every leaf of a G-stage table, by guest-physical address, and the table's own pages. */
export interface GstageMap {
  readonly leaves: GstageLeaf[];
  readonly tables: HostRange[];
}

const LEVEL_BYTES = [2 ** 12, 2 ** 21, 2 ** 30] as const;

/**
 * Walks the Sv39x4 G-stage table at `root` over the whole guest-physical space (2^41 bytes:
 * a 2048-entry root, 512-entry tables below it).
 */
export function gstageMap(memory: HostMemoryView, root: number): GstageMap {
  const leaves: GstageLeaf[] = [];
  const tables: HostRange[] = [];
  const walk = (table: number, level: number, entries: number, base: number, depth: number) => {
    tables.push({ start: table, end: table + entries * 8 });
    if (depth > 3) return;
    const bytes = memory.hostBuffer(hpa(table), entries * 8);
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, entries * 2);
    const span = LEVEL_BYTES[level as 0 | 1 | 2];
    for (let i = 0; i < entries; i++) {
      const lo = words[i * 2]!;
      if ((lo & 1) === 0) continue;
      const hi = words[i * 2 + 1]!;
      // PPN is PTE bits 10..53: 22 bits of the low word and 22 of the high word.
      const pa = ((lo >>> 10) + (hi & 0x3f_ffff) * 2 ** 22) * 4096;
      const gpa = base + i * span;
      if ((lo & 0xe) === 0) {
        if (level > 0) walk(pa, level - 1, 512, gpa, depth + 1);
        continue;
      }
      leaves.push({ gpa, hpa: pa, size: span });
    }
  };
  walk(root, 2, 2048, 0, 0);
  return { leaves, tables };
}

/** Every host-physical range a G-stage table lets its VM reach: its leaves and its own pages. */
export function gstageReach(memory: HostMemoryView, root: number): HostRange[] {
  return reachOf(gstageMap(memory, root));
}

/** The host ranges of a G-stage map: its leaves and its table pages. */
export function reachOf(map: GstageMap): HostRange[] {
  return map.tables.concat(map.leaves.map((l) => ({ start: l.hpa, end: l.hpa + l.size })));
}

/** The first pair of ranges that overlap, or null. */
export function overlap(
  a: readonly HostRange[],
  b: readonly HostRange[],
): [HostRange, HostRange] | null {
  const sa = [...a].sort((x, y) => x.start - y.start);
  const sb = [...b].sort((x, y) => x.start - y.start);
  let i = 0;
  let j = 0;
  while (i < sa.length && j < sb.length) {
    const x = sa[i]!;
    const y = sb[j]!;
    if (x.start < y.end && y.start < x.end) return [x, y];
    if (x.end <= y.end) i++;
    else j++;
  }
  return null;
}

/**
 * Guest-physical address where `needle` occurs in the memory a G-stage map reaches, or null.
 * It searches each leaf's host memory and, where two leaves are guest-physically adjacent,
 * the bytes across their boundary: every guest-physical address the table maps. Pages the
 * table does not map are not memory the VM can read. A leaf outside host RAM (a passthrough
 * device window) holds no host memory to search.
 */
export function findInGstage(
  memory: HostMemoryView,
  map: GstageMap,
  needle: Uint8Array,
): number | null {
  if (needle.length === 0) return null;
  const leaves = [...map.leaves].sort((x, y) => x.gpa - y.gpa);
  const pattern = Buffer.from(needle.buffer, needle.byteOffset, needle.byteLength);
  const host = (at: number, len: number): Buffer | null => {
    try {
      const b = memory.hostBuffer(hpa(at), len);
      return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    } catch {
      return null;
    }
  };
  const edge = needle.length - 1;
  for (let k = 0; k < leaves.length; k++) {
    const leaf = leaves[k]!;
    const bytes = host(leaf.hpa, leaf.size);
    if (bytes === null) continue;
    const at = bytes.indexOf(pattern);
    if (at >= 0) return leaf.gpa + at;
    const next = leaves[k + 1];
    if (edge > 0 && next !== undefined && next.gpa === leaf.gpa + leaf.size) {
      const head = host(next.hpa, Math.min(edge, next.size));
      if (head === null) continue;
      const seam = Buffer.concat([bytes.subarray(bytes.length - edge), head]);
      const s = seam.indexOf(pattern);
      if (s >= 0) return leaf.gpa + leaf.size - edge + s;
    }
  }
  return null;
}
