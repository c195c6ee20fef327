import { axErr } from "@axvisor/axerrno";
import {
  formatHex,
  formatMappingFlags,
  type HostPhysAddr,
  type MappingFlags,
} from "@axvisor/memory-addr";
import type { EntryCodec } from "./entry-codec.js";
import { type FormatInfo, formatCodec, formatInfo, type PageTableFormat } from "./format.js";
import {
  formatPageSize,
  isPageSize,
  levelSpan,
  type PageSize,
  pageSizeLevel,
} from "./page-size.js";
import type { PagingHandler } from "./paging-handler.js";

const ENTRY_BYTES = 8;
const ENTRIES_PER_TABLE = 512;
const FRAME = 0x1000;
const ACCESS_BITS = 0x7; // READ | WRITE | EXECUTE

/** A leaf as `query`/`unmap` report it. */
export interface PageMapping {
  readonly paddr: HostPhysAddr;
  readonly flags: MappingFlags;
  readonly size: PageSize;
}

/** One entry seen by `walk`. `level` counts from the 4 KiB level (0) upwards. */
export interface WalkEntry {
  readonly kind: "leaf" | "table";
  /** First input address the entry covers (sign-extended for sv39/sv48). */
  readonly vaddr: number;
  /** The mapped frame (leaf) or the next-level table (table). */
  readonly paddr: HostPhysAddr;
  /** Access flags of a leaf; 0 for table entries. */
  readonly flags: MappingFlags;
  /** Bytes of input address space the entry covers. */
  readonly size: number;
  readonly level: number;
  /** The entry as stored: low and high 32-bit words of the little-endian 64-bit value. */
  readonly raw: { readonly lo: number; readonly hi: number };
}

export interface PageTableOptions {
  /** RISC-V only: encode DEVICE/UNCACHED in Svpbmt's PBMT field (see RiscvCodecOptions). */
  readonly svpbmt?: boolean;
}

/** An entry slot: entry `index` of the table at `table`, a table of level `level`. */
interface Slot {
  readonly table: number;
  readonly level: number;
  readonly index: number;
}

/** What one mapping call changed, so a failure can put everything back. */
interface Changes {
  readonly newTables: { readonly parent: Slot; readonly table: number }[];
  readonly newLeaves: Slot[];
}

type LeafVisitor = (
  dv: DataView,
  index: number,
  level: number,
  va: number,
  lo: number,
  hi: number,
) => void;

/**
 * A multi-level page table with 64-bit entries, in the exact in-memory format the hardware
 * walks (page_table_multiarch's `PageTable64`). Tables live in host-physical frames obtained
 * from the `PagingHandler` and are read and written only through `hostBuffer`, so the
 * emulated MMU walking the same memory sees every change.
 *
 * Guarantees beyond the Rust crate:
 * - `map`/`mapRegion` are all-or-nothing: on any error (NoMemory midway, AlreadyExists,
 *   a bad physical address) every entry and table the call created is removed again.
 * - `unmapRegion`/`protectRegion` split huge pages that the region covers only partly (into
 *   equivalent smaller pages, which may need a frame) instead of refusing or over-unmapping.
 * - Unmapping frees intermediate tables that become empty.
 * - An entry is written break-before-make: its low word (which holds the valid/present bits
 *   in every format) is cleared first and written last.
 *
 * TLB and walk-cache maintenance is the caller's job, as on hardware: after changing a live
 * table the vCPU must issue HFENCE.GVMA (RISC-V), TLBI IPAS2E1IS (ARM) or INVEPT (x86).
 */
export class PageTable64 {
  readonly format: PageTableFormat;
  readonly info: FormatInfo;
  /** Host-physical address of the root table (for hgatp / VTTBR_EL2 / EPTP). */
  readonly root: HostPhysAddr;
  private readonly handler: PagingHandler;
  private readonly codec: EntryCodec;
  private readonly top: number;
  private readonly inputSpace: number;
  private readonly maxOutput: number;
  private destroyed = false;
  /**
   * DataViews of live tables by address: a table's view is made once instead of on every
   * visit (hostBuffer + view allocation dominated lookups). Dropped when the table is freed.
   */
  private readonly views = new Map<number, DataView>();

  private constructor(
    format: PageTableFormat,
    handler: PagingHandler,
    root: HostPhysAddr,
    opts: PageTableOptions,
  ) {
    this.format = format;
    this.info = formatInfo(format);
    this.handler = handler;
    this.root = root;
    this.codec = formatCodec(format, { svpbmt: opts.svpbmt ?? false });
    this.top = this.info.levels - 1;
    this.inputSpace = 2 ** this.info.inputBits;
    this.maxOutput = 2 ** this.info.outputBits;
  }

  /** Allocates and zeroes an empty root table. AxError NoMemory when no frame is free. */
  static create(
    format: PageTableFormat,
    handler: PagingHandler,
    opts: PageTableOptions = {},
  ): PageTable64 {
    const info = formatInfo(format);
    const rootBytes = info.rootFrames * FRAME;
    const root =
      info.rootFrames === 1
        ? handler.allocFrame()
        : handler.allocContiguousFrames(info.rootFrames, rootBytes);
    if (root === null) {
      throw axErr("NoMemory", `${format}: no memory for the ${rootBytes / 1024} KiB root table`);
    }
    if (root % rootBytes !== 0) {
      if (info.rootFrames === 1) handler.deallocFrame(root);
      else handler.deallocContiguousFrames(root, info.rootFrames);
      throw axErr(
        "BadState",
        `${format}: the paging handler returned root ${formatHex(root)}, not ${rootBytes / 1024} KiB aligned`,
      );
    }
    handler.hostBuffer(root, rootBytes).fill(0);
    return new PageTable64(format, handler, root, opts);
  }

  /** Maps one page or block. AxError InvalidInput, AlreadyExists or NoMemory. */
  map(vaddr: number, paddr: number, size: PageSize, flags: MappingFlags): void {
    this.checkLive();
    if (!isPageSize(size)) {
      throw axErr(
        "InvalidInput",
        `${this.format}: ${size} is not a 4 KiB, 2 MiB or 1 GiB page size`,
      );
    }
    const level = pageSizeLevel(size);
    if (level > this.top) {
      throw axErr("InvalidInput", `${this.format}: no ${formatPageSize(size)} pages`);
    }
    const va = this.checkInput(vaddr, size, size, "map");
    this.checkOutput(paddr, size, vaddr);
    this.checkFlags(flags, vaddr);
    const changes: Changes = { newTables: [], newLeaves: [] };
    try {
      this.mapOne(va, paddr, level, flags, changes);
    } catch (e) {
      this.undo(changes);
      throw e;
    }
  }

  /**
   * Maps `size` bytes from `vaddr` to `paddr` (linear) or to `paddr(va)` for each page. With
   * `allowHuge`, 2 MiB and 1 GiB blocks are used wherever both addresses are aligned and the
   * rest of the region covers the block; a `paddr` function must then be linear across each
   * block (it is asked for the block's first address only). All-or-nothing.
   */
  mapRegion(
    vaddr: number,
    paddr: number | ((va: number) => number),
    size: number,
    flags: MappingFlags,
    allowHuge: boolean,
  ): void {
    this.checkLive();
    this.checkInput(vaddr, size, FRAME, "map");
    this.checkFlags(flags, vaddr);
    const changes: Changes = { newTables: [], newLeaves: [] };
    try {
      for (let off = 0; off < size; ) {
        const va = vaddr + off;
        const pa = typeof paddr === "function" ? paddr(va) : paddr + off;
        this.checkOutput(pa, FRAME, va);
        let level = 0;
        if (allowHuge) {
          for (let l = Math.min(2, this.top); l > 0; l--) {
            const span = levelSpan(l);
            if (va % span === 0 && pa % span === 0 && size - off >= span) {
              level = l;
              break;
            }
          }
        }
        if (level > 0) this.checkOutput(pa, levelSpan(level), va);
        this.mapOne(this.normalize(va), pa, level, flags, changes);
        off += levelSpan(level);
      }
    } catch (e) {
      this.undo(changes);
      throw e;
    }
  }

  /** Removes the page or block that starts at `vaddr`. AxError NotFound / InvalidInput. */
  unmap(vaddr: number): PageMapping {
    this.checkLive();
    const va = this.checkInput(vaddr, FRAME, FRAME, "unmap");
    const path = this.leafPath(va);
    const leaf = path?.[path.length - 1];
    if (path === null || leaf === undefined) {
      throw axErr("NotFound", `${this.format}: ${formatHex(vaddr)} is not mapped`);
    }
    const span = levelSpan(leaf.level);
    const dv = this.view(leaf.table, leaf.level);
    const { lo, hi } = readEntry(dv, leaf.index);
    if (va % span !== 0) {
      throw axErr(
        "InvalidInput",
        `${this.format}: cannot unmap ${formatHex(vaddr)}: it lies inside the ` +
          `${formatPageSize(span)} page at ${formatHex(this.denormalize(va - (va % span)))}`,
      );
    }
    const mapping: PageMapping = {
      paddr: this.codec.address(lo, hi) as HostPhysAddr,
      flags: this.codec.flags(lo, hi),
      size: span as PageSize,
    };
    clearEntry(dv, leaf.index);
    this.pruneEmpty(path);
    return mapping;
  }

  /**
   * Unmaps every page in [vaddr, vaddr + size); unmapped holes are skipped. Huge pages the
   * region covers partly are split first (AxError NoMemory if that needs a frame and none is
   * free; nothing is unmapped then). Reports each removed page to `onUnmapped` and returns
   * the number of bytes unmapped.
   */
  unmapRegion(
    vaddr: number,
    size: number,
    onUnmapped?: (vaddr: number, mapping: PageMapping) => void,
  ): number {
    this.checkLive();
    this.checkInput(vaddr, size, FRAME, "unmap");
    let bytes = 0;
    const ranges = this.splitRegion(vaddr, size);
    this.visitRegion(ranges, true, (dv, i, level, va, lo, hi) => {
      const span = levelSpan(level);
      clearEntry(dv, i);
      bytes += span;
      onUnmapped?.(this.denormalize(va), {
        paddr: this.codec.address(lo, hi) as HostPhysAddr,
        flags: this.codec.flags(lo, hi),
        size: span as PageSize,
      });
    });
    return bytes;
  }

  /** Changes the flags of the page or block that starts at `vaddr`; returns its size. */
  protect(vaddr: number, flags: MappingFlags): PageSize {
    this.checkLive();
    const va = this.checkInput(vaddr, FRAME, FRAME, "protect");
    this.checkFlags(flags, vaddr);
    const leaf = this.leafPath(va)?.at(-1);
    if (leaf === undefined)
      throw axErr("NotFound", `${this.format}: ${formatHex(vaddr)} is not mapped`);
    const span = levelSpan(leaf.level);
    if (va % span !== 0) {
      throw axErr(
        "InvalidInput",
        `${this.format}: cannot protect ${formatHex(vaddr)}: it lies inside a ${formatPageSize(span)} page`,
      );
    }
    const dv = this.view(leaf.table, leaf.level);
    const { lo, hi } = readEntry(dv, leaf.index);
    const next = this.codec.leaf(this.codec.address(lo, hi), flags, leaf.level);
    writeEntry(dv, leaf.index, next.lo, next.hi);
    return span as PageSize;
  }

  /**
   * Sets `flags` on every page in [vaddr, vaddr + size), splitting huge pages covered partly;
   * holes are skipped. Returns the number of bytes changed.
   */
  protectRegion(vaddr: number, size: number, flags: MappingFlags): number {
    this.checkLive();
    this.checkInput(vaddr, size, FRAME, "protect");
    this.checkFlags(flags, vaddr);
    let bytes = 0;
    const ranges = this.splitRegion(vaddr, size);
    this.visitRegion(ranges, false, (dv, i, level, _va, lo, hi) => {
      const next = this.codec.leaf(this.codec.address(lo, hi), flags, level);
      writeEntry(dv, i, next.lo, next.hi);
      bytes += levelSpan(level);
    });
    return bytes;
  }

  /** The mapping of `vaddr` (paddr includes the offset into the page), or null. */
  query(vaddr: number): PageMapping | null {
    this.checkLive();
    const va = this.tryNormalize(vaddr);
    if (va === null) return null;
    const codec = this.codec;
    let table: number = this.root;
    for (let l = this.top; l >= 0; l--) {
      const dv = this.view(table, l);
      const off = this.index(va, l) * ENTRY_BYTES;
      const lo = dv.getUint32(off, true);
      const hi = dv.getUint32(off + 4, true);
      if (!codec.isPresent(lo, hi)) return null;
      if (codec.isLeaf(lo, hi, l)) {
        const span = levelSpan(l);
        return {
          paddr: (codec.address(lo, hi) + (va % span)) as HostPhysAddr,
          flags: codec.flags(lo, hi),
          size: span as PageSize,
        };
      }
      table = codec.address(lo, hi);
    }
    return null;
  }

  /**
   * True when nothing is mapped in the `size`-aligned block (4 KiB, 2 MiB or 1 GiB) holding
   * `vaddr`: no leaf covers it and no table hangs below it. Since unmapping frees tables left
   * empty, this is how a caller learns, in one walk, that a block mapping would fit there.
   */
  isBlockUnmapped(vaddr: number, size: PageSize): boolean {
    this.checkLive();
    const va = this.tryNormalize(vaddr);
    if (va === null || !isPageSize(size)) return false;
    const level = pageSizeLevel(size);
    if (level > this.top) return false;
    const codec = this.codec;
    let table: number = this.root;
    for (let l = this.top; l >= level; l--) {
      const dv = this.view(table, l);
      const off = this.index(va, l) * ENTRY_BYTES;
      const lo = dv.getUint32(off, true);
      const hi = dv.getUint32(off + 4, true);
      if (!codec.isPresent(lo, hi)) return true;
      if (l === level || codec.isLeaf(lo, hi, l)) return false;
      table = codec.address(lo, hi);
    }
    return true;
  }

  /**
   * Visits present entries depth-first in table-index order (ascending input addresses; for
   * sv39/sv48 the negative upper half comes last, as it sits in the upper root entries).
   * Leaves always; table entries too with `{ tables: true }`, before their contents.
   */
  walk(visitor: (entry: WalkEntry) => void, opts: { tables?: boolean } = {}): void {
    this.checkLive();
    const rec = (table: number, level: number, base: number): void => {
      const dv = this.view(table, level);
      const span = levelSpan(level);
      const n = this.entryCount(level);
      for (let i = 0; i < n; i++) {
        const { lo, hi } = readEntry(dv, i);
        if (!this.codec.isPresent(lo, hi)) continue;
        const va = base + i * span;
        const pa = this.codec.address(lo, hi) as HostPhysAddr;
        const leaf = this.codec.isLeaf(lo, hi, level);
        if (leaf || opts.tables) {
          visitor({
            kind: leaf ? "leaf" : "table",
            vaddr: this.denormalize(va),
            paddr: pa,
            flags: leaf ? this.codec.flags(lo, hi) : 0,
            size: span,
            level,
            raw: { lo, hi },
          });
        }
        if (!leaf) rec(pa, level - 1, va);
      }
    };
    rec(this.root, this.top, 0);
  }

  /** Frees every table frame, root included. The mapped memory itself is not touched. */
  destroy(): void {
    if (this.destroyed) return;
    const freeChildren = (table: number, level: number): void => {
      const dv = this.view(table, level);
      for (let i = 0; i < this.entryCount(level); i++) {
        const { lo, hi } = readEntry(dv, i);
        if (!this.codec.isPresent(lo, hi) || this.codec.isLeaf(lo, hi, level)) continue;
        const child = this.codec.address(lo, hi);
        freeChildren(child, level - 1);
        clearEntry(dv, i);
        this.freeTable(child);
      }
    };
    freeChildren(this.root, this.top);
    this.views.clear();
    if (this.info.rootFrames === 1) this.handler.deallocFrame(this.root);
    else this.handler.deallocContiguousFrames(this.root, this.info.rootFrames);
    this.destroyed = true;
  }

  /** Why a leaf with these flags cannot exist in this format, or null when it can. */
  flagsProblem(flags: MappingFlags): string | null {
    if ((flags & ACCESS_BITS) === 0) {
      return `${formatMappingFlags(flags)} grants no access; a mapping must allow READ, WRITE or EXECUTE`;
    }
    return this.codec.flagsProblem(flags);
  }

  // --- descent and modification -------------------------------------------------------

  private mapOne(
    va: number,
    pa: number,
    level: number,
    flags: MappingFlags,
    changes: Changes,
  ): void {
    let table: number = this.root;
    for (let l = this.top; l > level; l--) {
      const dv = this.view(table, l);
      const i = this.index(va, l);
      const { lo, hi } = readEntry(dv, i);
      if (!this.codec.isPresent(lo, hi)) {
        const child = this.allocTable(va);
        const e = this.codec.table(child);
        writeEntry(dv, i, e.lo, e.hi);
        changes.newTables.push({ parent: { table, level: l, index: i }, table: child });
        table = child;
        continue;
      }
      if (this.codec.isLeaf(lo, hi, l)) {
        const span = levelSpan(l);
        throw axErr(
          "AlreadyExists",
          `${this.format}: cannot map ${formatHex(this.denormalize(va))}: it lies inside the ` +
            `${formatPageSize(span)} page at ${formatHex(this.denormalize(va - (va % span)))} ` +
            `-> ${formatHex(this.codec.address(lo, hi))}`,
        );
      }
      table = this.codec.address(lo, hi);
    }
    const dv = this.view(table, level);
    const i = this.index(va, level);
    const { lo, hi } = readEntry(dv, i);
    if (this.codec.isPresent(lo, hi)) {
      const what = this.codec.isLeaf(lo, hi, level)
        ? `already mapped to ${formatHex(this.codec.address(lo, hi))}`
        : `already holds smaller mappings below a ${formatPageSize(levelSpan(level))} boundary`;
      throw axErr(
        "AlreadyExists",
        `${this.format}: cannot map ${formatHex(this.denormalize(va))}: ${what}`,
      );
    }
    const e = this.codec.leaf(pa, flags, level);
    writeEntry(dv, i, e.lo, e.hi);
    changes.newLeaves.push({ table, level, index: i });
  }

  /** Removes what a failed mapping call created, newest first. */
  private undo(changes: Changes): void {
    for (let k = changes.newLeaves.length - 1; k >= 0; k--) {
      const s = changes.newLeaves[k]!;
      clearEntry(this.view(s.table, s.level), s.index);
    }
    for (let k = changes.newTables.length - 1; k >= 0; k--) {
      const { parent, table } = changes.newTables[k]!;
      clearEntry(this.view(parent.table, parent.level), parent.index);
      this.freeTable(table);
    }
  }

  /** Slots from the root down to the leaf mapping `va`, or null when `va` is not mapped. */
  private leafPath(va: number): Slot[] | null {
    const path: Slot[] = [];
    let table: number = this.root;
    for (let l = this.top; l >= 0; l--) {
      const i = this.index(va, l);
      const { lo, hi } = readEntry(this.view(table, l), i);
      if (!this.codec.isPresent(lo, hi)) return null;
      path.push({ table, level: l, index: i });
      if (this.codec.isLeaf(lo, hi, l)) return path;
      table = this.codec.address(lo, hi);
    }
    return null;
  }

  /** After the last slot's entry was cleared, frees the tables on the path that are now empty. */
  private pruneEmpty(path: Slot[]): void {
    for (let k = path.length - 1; k > 0; k--) {
      const slot = path[k]!;
      if (!this.tableEmpty(slot.table, slot.level)) return;
      const parent = path[k - 1]!;
      clearEntry(this.view(parent.table, parent.level), parent.index);
      this.freeTable(slot.table);
    }
  }

  /**
   * Normalized [start, end) ranges of a region, with huge pages straddling their edges split.
   * A sign-extended region crossing zero becomes two ranges (top of the space, then bottom).
   */
  private splitRegion(vaddr: number, size: number): [number, number][] {
    if (size === 0) return [];
    const start = this.normalize(vaddr);
    const ranges: [number, number][] =
      start + size <= this.inputSpace
        ? [[start, start + size]]
        : [
            [start, this.inputSpace],
            [0, start + size - this.inputSpace],
          ];
    for (const [s, e] of ranges) {
      this.splitAt(s);
      if (e < this.inputSpace) this.splitAt(e);
    }
    return ranges;
  }

  /** Makes `va` a page boundary by splitting the huge pages that straddle it. */
  private splitAt(va: number): void {
    let table: number = this.root;
    for (let l = this.top; l > 0; l--) {
      const dv = this.view(table, l);
      const i = this.index(va, l);
      const { lo, hi } = readEntry(dv, i);
      if (!this.codec.isPresent(lo, hi)) return;
      if (this.codec.isLeaf(lo, hi, l)) {
        if (va % levelSpan(l) === 0) return;
        table = this.splitLeaf(dv, i, l, lo, hi, va);
      } else {
        table = this.codec.address(lo, hi);
      }
    }
  }

  /**
   * Replaces a huge leaf with a table of 512 leaves one level down mapping the same memory
   * with the same flags. The new table is filled before it is linked, so a concurrent walker
   * sees either the old leaf or an equivalent table.
   */
  private splitLeaf(
    dv: DataView,
    i: number,
    level: number,
    lo: number,
    hi: number,
    va: number,
  ): number {
    const child = this.allocTable(va);
    const base = this.codec.address(lo, hi);
    const flags = this.codec.flags(lo, hi);
    const childSpan = levelSpan(level - 1);
    const cdv = this.view(child, level - 1);
    for (let k = 0; k < ENTRIES_PER_TABLE; k++) {
      const e = this.codec.leaf(base + k * childSpan, flags, level - 1);
      writeEntry(cdv, k, e.lo, e.hi);
    }
    const t = this.codec.table(child);
    writeEntry(dv, i, t.lo, t.hi);
    return child;
  }

  /** Calls `fn` for every leaf inside the ranges; optionally frees tables left empty. */
  private visitRegion(ranges: [number, number][], prune: boolean, fn: LeafVisitor): void {
    const rec = (table: number, level: number, base: number, start: number, end: number): void => {
      const span = levelSpan(level);
      const dv = this.view(table, level);
      const first = Math.floor((start - base) / span);
      const last = Math.floor((end - 1 - base) / span);
      for (let i = first; i <= last; i++) {
        const { lo, hi } = readEntry(dv, i);
        if (!this.codec.isPresent(lo, hi)) continue;
        const va = base + i * span;
        if (this.codec.isLeaf(lo, hi, level)) {
          if (va < start || va + span > end) {
            throw axErr(
              "BadState",
              `${this.format}: leaf at ${formatHex(va)} straddles a region edge`,
            );
          }
          fn(dv, i, level, va, lo, hi);
          continue;
        }
        const child = this.codec.address(lo, hi);
        rec(child, level - 1, va, Math.max(start, va), Math.min(end, va + span));
        if (prune && this.tableEmpty(child, level - 1)) {
          clearEntry(dv, i);
          this.freeTable(child);
        }
      }
    };
    for (const [s, e] of ranges) rec(this.root, this.top, 0, s, e);
  }

  private allocTable(forVa: number): number {
    const pa = this.handler.allocFrame();
    if (pa === null) {
      throw axErr(
        "NoMemory",
        `${this.format}: no memory for a page-table frame while mapping ${formatHex(this.denormalize(forVa))}`,
      );
    }
    this.handler.hostBuffer(pa, FRAME).fill(0);
    return pa;
  }

  private tableEmpty(table: number, level: number): boolean {
    const dv = this.view(table, level);
    for (let i = 0; i < this.entryCount(level); i++) {
      const { lo, hi } = readEntry(dv, i);
      if (this.codec.isPresent(lo, hi)) return false;
    }
    return true;
  }

  // --- geometry and checks ------------------------------------------------------------

  private entryCount(level: number): number {
    return level === this.top ? ENTRIES_PER_TABLE << this.info.rootExtraBits : ENTRIES_PER_TABLE;
  }

  private index(va: number, level: number): number {
    return Math.floor(va / levelSpan(level)) % this.entryCount(level);
  }

  private view(table: number, level: number): DataView {
    let dv = this.views.get(table);
    if (dv === undefined) {
      const buf = this.handler.hostBuffer(
        table as HostPhysAddr,
        this.entryCount(level) * ENTRY_BYTES,
      );
      dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      this.views.set(table, dv);
    }
    return dv;
  }

  private freeTable(table: number): void {
    this.views.delete(table);
    this.handler.deallocFrame(table as HostPhysAddr);
  }

  /** Index-space address (0 .. 2^inputBits) of an input address, or null when out of range. */
  private tryNormalize(vaddr: number): number | null {
    if (!Number.isSafeInteger(vaddr)) return null;
    if (this.info.signExtended) {
      const half = this.inputSpace / 2;
      if (vaddr < -half || vaddr >= half) return null;
      return vaddr < 0 ? vaddr + this.inputSpace : vaddr;
    }
    return vaddr >= 0 && vaddr < this.inputSpace ? vaddr : null;
  }

  private normalize(vaddr: number): number {
    const va = this.tryNormalize(vaddr);
    if (va === null)
      throw axErr("InvalidInput", `${this.format}: ${formatHex(vaddr)} is out of range`);
    return va;
  }

  private denormalize(va: number): number {
    return this.info.signExtended && va >= this.inputSpace / 2 ? va - this.inputSpace : va;
  }

  /** Checks [vaddr, vaddr + size) lies in the input space and both ends are `align`-aligned. */
  private checkInput(vaddr: number, size: number, align: number, what: string): number {
    if (!Number.isSafeInteger(size) || size < 0 || size % FRAME !== 0) {
      throw axErr(
        "InvalidInput",
        `${this.format}: cannot ${what} ${formatHex(vaddr)}: size ${size} is not a multiple of 4 KiB`,
      );
    }
    const va = this.tryNormalize(vaddr);
    const last = size === 0 ? va : this.tryNormalize(vaddr + size - 1);
    if (va === null || last === null) {
      const range = this.info.signExtended
        ? `the sign-extended ${this.info.inputBits}-bit space`
        : `[0, ${formatHex(this.inputSpace)})`;
      throw axErr(
        "InvalidInput",
        `${this.format}: cannot ${what} ${formatHex(vaddr)}+${formatHex(size)}: outside ${range}`,
      );
    }
    if (vaddr % align !== 0) {
      throw axErr(
        "InvalidInput",
        `${this.format}: cannot ${what} ${formatHex(vaddr)}: not ${formatPageSize(align)} aligned`,
      );
    }
    return va;
  }

  private checkOutput(paddr: number, align: number, forVa: number): void {
    if (!Number.isSafeInteger(paddr) || paddr < 0 || paddr + align > this.maxOutput) {
      throw axErr(
        "InvalidInput",
        `${this.format}: cannot map ${formatHex(forVa)} to ${formatHex(paddr)}: physical address ` +
          `outside the ${this.info.outputBits}-bit output range`,
      );
    }
    if (paddr % align !== 0) {
      throw axErr(
        "InvalidInput",
        `${this.format}: cannot map ${formatHex(forVa)} to ${formatHex(paddr)}: physical address ` +
          `not ${formatPageSize(align)} aligned`,
      );
    }
  }

  private checkFlags(flags: MappingFlags, forVa: number): void {
    const problem = this.flagsProblem(flags);
    if (problem !== null) {
      throw axErr("InvalidInput", `${this.format}: cannot map ${formatHex(forVa)}: ${problem}`);
    }
  }

  private checkLive(): void {
    if (this.destroyed) throw axErr("BadState", `${this.format}: page table was destroyed`);
  }
}

function readEntry(dv: DataView, i: number): { lo: number; hi: number } {
  return { lo: dv.getUint32(i * ENTRY_BYTES, true), hi: dv.getUint32(i * ENTRY_BYTES + 4, true) };
}

/** Break-before-make: the present bits live in the low word in every format. */
function writeEntry(dv: DataView, i: number, lo: number, hi: number): void {
  const off = i * ENTRY_BYTES;
  dv.setUint32(off, 0, true);
  dv.setUint32(off + 4, hi, true);
  dv.setUint32(off, lo, true);
}

function clearEntry(dv: DataView, i: number): void {
  const off = i * ENTRY_BYTES;
  dv.setUint32(off, 0, true);
  dv.setUint32(off + 4, 0, true);
}
