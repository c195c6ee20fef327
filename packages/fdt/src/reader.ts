import { fdtError } from "./errors.js";
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_HEADER_SIZE,
  FDT_MAGIC,
  FDT_NOP,
  FDT_PROP,
  type MemoryReservation,
} from "./format.js";
import { FdtNode } from "./node.js";
import { FdtProperty } from "./property.js";

/** What a blob holds besides the tree. */
export interface ParsedFdt {
  readonly root: FdtNode;
  readonly reservations: MemoryReservation[];
  readonly bootCpuId: number;
  readonly version: number;
  /** `totalsize` from the header. */
  readonly totalSize: number;
}

const hex = (n: number) => `0x${n.toString(16)}`;
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Parses a blob of version 16 or later into a tree, checking every offset it follows. */
export function parseFdt(blob: Uint8Array): ParsedFdt {
  if (blob.length < 28) throw fdtError(`blob of ${blob.length} bytes is too short for a header`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const magic = view.getUint32(0);
  if (magic !== FDT_MAGIC) throw fdtError(`bad magic ${hex(magic)} (expected 0xd00dfeed)`);
  const totalSize = view.getUint32(4);
  const offStruct = view.getUint32(8);
  const offStrings = view.getUint32(12);
  const offRsv = view.getUint32(16);
  const version = view.getUint32(20);
  const bootCpuId = view.getUint32(28);
  if (version < 16) throw fdtError(`version ${version} is not supported (need 16 or later)`);
  if (totalSize > blob.length) {
    throw fdtError(`totalsize ${totalSize} is larger than the ${blob.length} bytes given`);
  }
  const headerSize = version >= 17 ? FDT_HEADER_SIZE : 36;
  if (totalSize < headerSize) throw fdtError(`totalsize ${totalSize} is smaller than the header`);
  const sizeStrings = view.getUint32(32);
  const sizeStruct = version >= 17 ? view.getUint32(36) : totalSize - offStruct;
  const inBlob = (off: number, len: number) => off >= headerSize && off + len <= totalSize;
  if (!inBlob(offStruct, sizeStruct)) throw fdtError("structure block lies outside the blob");
  if (!inBlob(offStrings, sizeStrings)) throw fdtError("strings block lies outside the blob");
  if (offRsv % 8 !== 0 || !inBlob(offRsv, 16)) throw fdtError("bad reservation block offset");

  const reservations: MemoryReservation[] = [];
  for (let off = offRsv; ; off += 16) {
    if (off + 16 > totalSize) throw fdtError("reservation block is not terminated");
    const address = view.getUint32(off) * 2 ** 32 + view.getUint32(off + 4);
    const size = view.getUint32(off + 8) * 2 ** 32 + view.getUint32(off + 12);
    if (address === 0 && size === 0) break;
    reservations.push({ address, size });
  }

  const structEnd = offStruct + sizeStruct;
  const readCString = (start: number, end: number, what: string): [string, number] => {
    const nul = blob.indexOf(0, start);
    if (nul < 0 || nul >= end) throw fdtError(`${what} at ${hex(start)} is not NUL-terminated`);
    try {
      return [decoder.decode(blob.subarray(start, nul)), nul];
    } catch {
      throw fdtError(`${what} at ${hex(start)} is not valid UTF-8`);
    }
  };

  let pos = offStruct;
  const token = (): number => {
    if (pos + 4 > structEnd) throw fdtError("structure block ends without FDT_END");
    const t = view.getUint32(pos);
    pos += 4;
    return t;
  };
  const align4 = (n: number) => (n + 3) & ~3;

  let root: FdtNode | undefined;
  let current: FdtNode | undefined;
  for (;;) {
    const at = pos;
    const t = token();
    if (t === FDT_NOP) continue;
    if (t === FDT_BEGIN_NODE) {
      const [name, nul] = readCString(pos, structEnd, "node name");
      pos = align4(nul + 1);
      if (current === undefined) {
        if (root !== undefined) throw fdtError(`second root node at ${hex(at)}`);
        root = new FdtNode(name);
        current = root;
      } else {
        current = current.appendParsedChild(name);
      }
    } else if (t === FDT_PROP) {
      if (current === undefined) throw fdtError(`property outside any node at ${hex(at)}`);
      if (pos + 8 > structEnd) throw fdtError(`truncated property header at ${hex(at)}`);
      const len = view.getUint32(pos);
      const nameOff = view.getUint32(pos + 4);
      pos += 8;
      if (pos + len > structEnd) throw fdtError(`property value at ${hex(at)} overruns the block`);
      if (nameOff >= sizeStrings) throw fdtError(`property name offset ${nameOff} out of range`);
      const [pname] = readCString(offStrings + nameOff, offStrings + sizeStrings, "property name");
      current.appendParsedProperty(new FdtProperty(pname, blob.slice(pos, pos + len)));
      pos = align4(pos + len);
    } else if (t === FDT_END_NODE) {
      if (current === undefined) throw fdtError(`unbalanced FDT_END_NODE at ${hex(at)}`);
      current = current.parent ?? undefined;
    } else if (t === FDT_END) {
      if (current !== undefined) throw fdtError(`FDT_END inside node ${current.path}`);
      break;
    } else {
      throw fdtError(`unknown token ${hex(t)} at ${hex(at)}`);
    }
  }
  if (root === undefined) throw fdtError("no root node");
  if (root.name !== "") throw fdtError(`root node has a name (${root.name})`);
  return { root, reservations, bootCpuId, version, totalSize };
}
