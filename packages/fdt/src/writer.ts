import { fdtUsage } from "./errors.js";
import {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_HEADER_SIZE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_PROP,
  FDT_VERSION,
  type MemoryReservation,
} from "./format.js";
import type { FdtNode } from "./node.js";
import { numberToCells } from "./values.js";

export interface SerializeOptions {
  /** Reservation block entries. */
  readonly reservations?: readonly MemoryReservation[];
  /** `boot_cpuid_phys` in the header. */
  readonly bootCpuId?: number;
  /**
   * Free bytes added at the end of the blob and counted in `totalsize`, so software that edits
   * the tree in place (firmware adding nodes) has room (dtc's `-p`).
   */
  readonly padding?: number;
}

/** A growable big-endian byte buffer. */
class ByteSink {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u32(v: number): void {
    this.reserve(4);
    this.view.setUint32(this.length, v);
    this.length += 4;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  alignTo(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.reserve(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

/**
 * The strings block. A name is stored once; like dtc, a name that is the tail of an already
 * stored one (`phandle` inside `linux,phandle`) points into it instead of being added.
 */
class StringTable {
  private table = "";

  offsetOf(name: string): number {
    const found = this.table.indexOf(`${name}\0`);
    if (found >= 0) return found;
    const off = this.table.length;
    this.table += `${name}\0`;
    return off;
  }

  bytes(): Uint8Array {
    return new TextEncoder().encode(this.table);
  }
}

const encoder = new TextEncoder();

function writeNode(node: FdtNode, out: ByteSink, strings: StringTable): void {
  out.u32(FDT_BEGIN_NODE);
  out.bytes(encoder.encode(node.name));
  out.bytes(new Uint8Array(1));
  out.alignTo(4);
  for (const p of node.properties) {
    out.u32(FDT_PROP);
    out.u32(p.value.length);
    out.u32(strings.offsetOf(p.name));
    out.bytes(p.value);
    out.alignTo(4);
  }
  for (const child of node.children) writeNode(child, out, strings);
  out.u32(FDT_END_NODE);
}

/**
 * Writes a version 17 blob in dtc's layout: header, reservation block (8-aligned), structure
 * block, strings block.
 */
export function serializeFdt(root: FdtNode, options: SerializeOptions = {}): Uint8Array {
  const padding = options.padding ?? 0;
  if (!Number.isInteger(padding) || padding < 0) throw fdtUsage(`bad padding ${padding}`);

  const rsv = new ByteSink();
  for (const r of [...(options.reservations ?? []), { address: 0, size: 0 }]) {
    for (const c of [...numberToCells(r.address, 2), ...numberToCells(r.size, 2)]) rsv.u32(c);
  }
  const struct = new ByteSink();
  const strings = new StringTable();
  writeNode(root, struct, strings);
  struct.u32(FDT_END);
  const stringBytes = strings.bytes();

  const offRsv = FDT_HEADER_SIZE; // already 8-aligned
  const offStruct = offRsv + rsv.length;
  const offStrings = offStruct + struct.length;
  const total = offStrings + stringBytes.length + padding;

  const blob = new Uint8Array(total);
  const view = new DataView(blob.buffer);
  const header = [
    FDT_MAGIC,
    total,
    offStruct,
    offStrings,
    offRsv,
    FDT_VERSION,
    FDT_LAST_COMP_VERSION,
    options.bootCpuId ?? 0,
    stringBytes.length,
    struct.length,
  ];
  for (const [i, v] of header.entries()) view.setUint32(i * 4, v);
  blob.set(rsv.result(), offRsv);
  blob.set(struct.result(), offStruct);
  blob.set(stringBytes, offStrings);
  return blob;
}
