import { AxError, type AxResult, axErr, err, OK_VOID, ok } from "@axvisor/axerrno";
import type { HostMemory } from "@axvisor/axvisor-api";
import {
  flagsAllow,
  formatGpa,
  formatHex,
  type GuestPhysAddr,
  type HostPhysAddr,
  type MappingFlags,
  PAGE_SIZE_2M,
  PAGE_SIZE_4K,
} from "@axvisor/memory-addr";
import {
  type FormatInfo,
  formatInfo,
  PageSize,
  PageTable64,
  type PageTableFormat,
} from "@axvisor/page-table";
import { AreaSet, formatArea } from "./area-set.js";
import type { AllocArea, MemoryArea } from "./memory-area.js";

export interface AddrSpaceOptions {
  /** First guest-physical address of the space. */
  readonly base: number;
  /** Size in bytes; [base, base + size) must fit the format's input address range. */
  readonly size: number;
  /** Nested page-table format, e.g. "sv39x4" for a RISC-V guest (hgatp MODE from formatInfo). */
  readonly format: PageTableFormat;
  /** Where table frames and alloc-backend frames come from; also how the tables are reached. */
  readonly memory: HostMemory;
  /** RISC-V: record DEVICE/UNCACHED in Svpbmt bits (only for harts implementing Svpbmt). */
  readonly svpbmt?: boolean;
}

/** A contiguous host-physical piece of a guest-physical span. */
interface Chunk {
  readonly hpa: HostPhysAddr;
  readonly len: number;
}

const PAGE = PAGE_SIZE_4K;
/**
 * A lazy fault populates the whole aligned group of pages around it: guests touch memory in
 * runs, and one nested page fault (an exit round trip) per 4 KiB dominated boot time.
 */
const LAZY_GROUP = 0x1_0000;
const BLOCK = PAGE_SIZE_2M;
/** Faults to wait after the host had no free 2 MiB run, before scanning for one again. */
const BLOCK_BACKOFF = 64;

/**
 * A guest-physical address space (AxVisor's axaddrspace `AddrSpace`): a set of
 * non-overlapping areas, each backed linearly by host memory or by frames the space allocates,
 * and the nested page table the hardware walks for them.
 *
 * Differences from AxVisor, fixing its known limitations:
 * - the table format (and so the number of levels) is a parameter, and Sv39x4/Sv48x4 are real
 *   x4 tables (41/50-bit GPAs, 16 KiB root);
 * - area flags (R/W/X/U/DEVICE/UNCACHED) go into the page table as given;
 * - guest memory is accessed through `hostBuffer`, never through HPAs used as pointers, and
 *   reads/writes may cross page and area boundaries;
 * - lazily allocated areas work: `handlePageFault` is the check the vCPU exit path makes
 *   before treating a nested page fault as MMIO.
 *
 * TLB maintenance after unmap/handlePageFault is the vCPU's job (HFENCE.GVMA and friends).
 */
export class AddrSpace {
  readonly base: GuestPhysAddr;
  readonly size: number;
  readonly format: PageTableFormat;
  readonly formatInfo: FormatInfo;
  private readonly memory: HostMemory;
  private readonly pt: PageTable64;
  private readonly areaSet = new AreaSet();
  private destroyed = false;
  /** Lazy faults left before a 2 MiB block is tried again (see BLOCK_BACKOFF). */
  private blockBackoff = 0;

  private constructor(opts: AddrSpaceOptions, pt: PageTable64) {
    this.base = opts.base as GuestPhysAddr;
    this.size = opts.size;
    this.format = opts.format;
    this.formatInfo = pt.info;
    this.memory = opts.memory;
    this.pt = pt;
  }

  static create(opts: AddrSpaceOptions): AddrSpace {
    const info = formatInfo(opts.format);
    const limit = info.signExtended ? 2 ** (info.inputBits - 1) : 2 ** info.inputBits;
    const { base, size } = opts;
    if (!Number.isSafeInteger(base) || !Number.isSafeInteger(size) || base < 0 || size <= 0) {
      throw axErr(
        "InvalidInput",
        `address space [${base}, +${size}) needs a non-negative base and a positive size`,
      );
    }
    if (base % PAGE !== 0 || size % PAGE !== 0) {
      throw axErr(
        "InvalidInput",
        `address space ${formatGpa(base as GuestPhysAddr)}+${formatHex(size)} is not 4 KiB aligned`,
      );
    }
    if (base + size > limit) {
      throw axErr(
        "InvalidInput",
        `address space [${formatHex(base)}, ${formatHex(base + size)}) exceeds the ` +
          `${info.inputBits}-bit guest-physical range of ${opts.format} (end ${formatHex(limit)})`,
      );
    }
    const pt = PageTable64.create(opts.format, opts.memory, { svpbmt: opts.svpbmt ?? false });
    return new AddrSpace(opts, pt);
  }

  /** One past the last guest-physical address of the space. */
  get end(): GuestPhysAddr {
    return (this.base + this.size) as GuestPhysAddr;
  }

  /** Host-physical address of the root table, for hgatp / VTTBR_EL2 / EPTP. */
  pageTableRoot(): HostPhysAddr {
    return this.pt.root;
  }

  areas(): readonly MemoryArea[] {
    return this.areaSet.all();
  }

  /** True when `gpa` lies in [base, base + size) — mapped or not. */
  contains(gpa: number): boolean {
    return gpa >= this.base && gpa < this.end;
  }

  findArea(gpa: number): MemoryArea | null {
    return this.areaSet.find(gpa);
  }

  /** Maps [gpa, gpa + size) to [hpa, hpa + size), eagerly, with huge pages where aligned. */
  mapLinear(gpa: number, hpa: number, size: number, flags: MappingFlags): void {
    this.checkLive();
    this.checkRegion(gpa, size, "mapLinear");
    if (!Number.isSafeInteger(hpa) || hpa < 0 || hpa % PAGE !== 0) {
      throw axErr(
        "InvalidInput",
        `mapLinear ${formatGpa(gpa as GuestPhysAddr)}: HPA ${formatHex(hpa)} is not 4 KiB aligned`,
      );
    }
    const area: MemoryArea = {
      start: gpa as GuestPhysAddr,
      end: (gpa + size) as GuestPhysAddr,
      flags,
      backend: "linear",
      hpa: hpa as HostPhysAddr,
    };
    this.checkFree(area);
    this.checkFlags(area);
    this.pt.mapRegion(gpa, hpa, size, flags, true);
    this.areaSet.insert(area);
  }

  /**
   * Maps [gpa, gpa + size) to frames this space allocates (zeroed). With `populate` every
   * frame is allocated now (AxError NoMemory leaves nothing behind); otherwise each page gets
   * its frame on first access through `handlePageFault` or `read`/`write`.
   */
  mapAlloc(gpa: number, size: number, flags: MappingFlags, populate: boolean): void {
    this.checkLive();
    this.checkRegion(gpa, size, "mapAlloc");
    const area: AllocArea = {
      start: gpa as GuestPhysAddr,
      end: (gpa + size) as GuestPhysAddr,
      flags,
      backend: "alloc",
      populate,
    };
    this.checkFree(area);
    this.checkFlags(area);
    if (populate) {
      let done = 0;
      try {
        for (; done < size; done += PAGE) this.populatePage(area, gpa + done);
      } catch (e) {
        this.pt.unmapRegion(gpa, done, (_va, m) => this.memory.deallocFrame(m.paddr));
        throw e;
      }
    }
    this.areaSet.insert(area);
  }

  /**
   * Removes every mapping in [gpa, gpa + size), shrinking or splitting the areas it cuts;
   * frames of alloc areas are freed. Parts of the range that hold no area are ignored.
   */
  unmap(gpa: number, size: number): void {
    this.checkLive();
    this.checkRegion(gpa, size, "unmap");
    const end = gpa + size;
    const hit = this.areaSet.overlapping(gpa, end);
    if (hit.length === 0) return;
    this.pt.unmapRegion(gpa, size, (va, m) => {
      if (this.areaSet.find(va)?.backend === "alloc") this.freeFrames(m.paddr, m.size);
    });
    this.areaSet.removeRange(gpa, end);
  }

  /** Unmaps every area. */
  clear(): void {
    this.checkLive();
    for (const a of this.areaSet.all()) {
      this.pt.unmapRegion(a.start, a.end - a.start, (_va, m) => {
        if (a.backend === "alloc") this.freeFrames(m.paddr, m.size);
      });
    }
    this.areaSet.clear();
  }

  /** Unmaps everything and frees the page table. The space is unusable afterwards. */
  destroy(): void {
    if (this.destroyed) return;
    this.clear();
    this.pt.destroy();
    this.destroyed = true;
  }

  /**
   * Resolves a nested page fault at `gpa` for an access of `accessFlags` (READ, WRITE or
   * EXECUTE): true when it lies in a lazily allocated area whose flags allow the access and
   * that page is now mapped (freshly, or already by an earlier fault). False means the fault
   * is not the address space's to fix (MMIO, a permission violation, a hole). AxError NoMemory
   * when the host has no frame for it.
   *
   * Neighbours are populated with it: the whole 2 MiB block as one block mapping when the
   * area covers it, nothing in it is mapped yet and the host has a free aligned 2 MiB run;
   * else the unmapped pages of the aligned 64 KiB group inside the area, as far as frames
   * last. Frames are zeroed by the host allocator, so a guest never sees another VM's data.
   */
  handlePageFault(gpa: number, accessFlags: MappingFlags): boolean {
    this.checkLive();
    const area = this.areaSet.find(gpa);
    if (area === null || area.backend !== "alloc" || area.populate) return false;
    if (!flagsAllow(area.flags, accessFlags)) return false;
    const page = gpa - (gpa % PAGE);
    if (this.pt.query(page) === null) this.populateAround(area, page);
    return true;
  }

  /** The host-physical address `gpa` maps to now, or null (lazy pages are not populated). */
  translate(gpa: number): HostPhysAddr | null {
    this.checkLive();
    if (!this.contains(gpa)) return null;
    return this.pt.query(gpa)?.paddr ?? null;
  }

  /**
   * Like `translate`, plus `limit`: how many bytes from `gpa` on are contiguous in host
   * memory under the same mapping (to the end of the page or block mapping `gpa`).
   */
  translateAndGetLimit(gpa: number): { hpa: HostPhysAddr; limit: number } | null {
    this.checkLive();
    if (!this.contains(gpa)) return null;
    const m = this.pt.query(gpa);
    if (m === null) return null;
    return { hpa: m.paddr, limit: m.size - (gpa % m.size) };
  }

  /**
   * Copies `len` guest bytes from `gpa`, across page and area boundaries. Host access: area
   * flags do not restrict it, and lazy pages it touches get their frames. Errors (returned):
   * BadAddress for any byte outside an area or outside host RAM, NoMemory.
   */
  read(gpa: number, len: number): AxResult<Uint8Array> {
    const chunks = this.resolve(gpa, len, "read");
    if (!chunks.ok) return chunks;
    const out = new Uint8Array(len);
    let off = 0;
    for (const c of chunks.value) {
      out.set(this.memory.hostBuffer(c.hpa, c.len), off);
      off += c.len;
    }
    return ok(out);
  }

  /** Copies `data` into guest memory at `gpa`; nothing is written unless all of it can be. */
  write(gpa: number, data: Uint8Array): AxResult<void> {
    const chunks = this.resolve(gpa, data.length, "write");
    if (!chunks.ok) return chunks;
    let off = 0;
    for (const c of chunks.value) {
      this.memory.hostBuffer(c.hpa, c.len).set(data.subarray(off, off + c.len));
      off += c.len;
    }
    return OK_VOID;
  }

  // Little-endian scalar accessors: every guest architecture targeted here is little-endian.

  readU8(gpa: number): AxResult<number> {
    return this.readScalar(gpa, 1, (dv) => dv.getUint8(0));
  }

  readU16(gpa: number): AxResult<number> {
    return this.readScalar(gpa, 2, (dv) => dv.getUint16(0, true));
  }

  readU32(gpa: number): AxResult<number> {
    return this.readScalar(gpa, 4, (dv) => dv.getUint32(0, true));
  }

  readU64(gpa: number): AxResult<bigint> {
    return this.readScalar(gpa, 8, (dv) => dv.getBigUint64(0, true));
  }

  writeU8(gpa: number, value: number): AxResult<void> {
    return this.writeScalar(gpa, 1, (dv) => dv.setUint8(0, value));
  }

  writeU16(gpa: number, value: number): AxResult<void> {
    return this.writeScalar(gpa, 2, (dv) => dv.setUint16(0, value, true));
  }

  writeU32(gpa: number, value: number): AxResult<void> {
    return this.writeScalar(gpa, 4, (dv) => dv.setUint32(0, value, true));
  }

  writeU64(gpa: number, value: bigint): AxResult<void> {
    return this.writeScalar(gpa, 8, (dv) => dv.setBigUint64(0, BigInt.asUintN(64, value), true));
  }

  // --- internals ------------------------------------------------------------------------

  private readScalar<T>(gpa: number, width: number, get: (dv: DataView) => T): AxResult<T> {
    const dv = this.scalarView(gpa, width);
    if (dv !== null) return ok(get(dv));
    const r = this.read(gpa, width);
    if (!r.ok) return r;
    return ok(get(new DataView(r.value.buffer, r.value.byteOffset, width)));
  }

  private writeScalar(gpa: number, width: number, set: (dv: DataView) => void): AxResult<void> {
    const dv = this.scalarView(gpa, width);
    if (dv !== null) {
      set(dv);
      return OK_VOID;
    }
    const bytes = new Uint8Array(width);
    set(new DataView(bytes.buffer));
    return this.write(gpa, bytes);
  }

  /**
   * The common case of a scalar access, without the general path's allocations: inside one
   * mapped page of RAM. Null sends the access down the general path (which also reports
   * errors and populates lazy pages).
   */
  private scalarView(gpa: number, width: number): DataView | null {
    if (this.destroyed || !this.contains(gpa) || (gpa % PAGE) + width > PAGE) return null;
    const m = this.pt.query(gpa);
    if (m === null) return null;
    let buf: Uint8Array;
    try {
      buf = this.memory.hostBuffer(m.paddr, width);
    } catch {
      return null;
    }
    return new DataView(buf.buffer, buf.byteOffset, width);
  }

  /**
   * Splits [gpa, gpa + len) into host-physical chunks, populating lazy pages on the way, so
   * that a failure is known before any byte moves. Host RAM bounds are checked here too.
   */
  private resolve(gpa: number, len: number, what: string): AxResult<Chunk[]> {
    if (this.destroyed) return err("BadState", "address space was destroyed");
    if (!Number.isSafeInteger(gpa) || !Number.isSafeInteger(len) || len < 0) {
      return err("InvalidInput", `guest ${what} of ${len} bytes at ${gpa}: not a valid span`);
    }
    if (len === 0) return ok([]);
    if (gpa < this.base || gpa + len > this.end) {
      return err(
        "BadAddress",
        `guest ${what} ${formatGpa(gpa as GuestPhysAddr)}+${formatHex(len)} leaves the address space ` +
          `[${formatHex(this.base)}, ${formatHex(this.end)})`,
      );
    }
    const chunks: Chunk[] = [];
    for (let cur = gpa; cur < gpa + len; ) {
      const area = this.areaSet.find(cur);
      if (area === null) {
        return err(
          "BadAddress",
          `guest ${what} at ${formatGpa(cur as GuestPhysAddr)}: no memory area there`,
        );
      }
      let m = this.pt.query(cur);
      if (m === null && area.backend === "alloc") {
        try {
          this.populateAround(area, cur - (cur % PAGE));
        } catch (e) {
          if (e instanceof AxError) return { ok: false, error: e };
          throw e;
        }
        m = this.pt.query(cur);
      }
      if (m === null) {
        return err("BadAddress", `guest ${what} at ${formatGpa(cur as GuestPhysAddr)}: not mapped`);
      }
      const n = Math.min(m.size - (cur % m.size), gpa + len - cur);
      const last = chunks[chunks.length - 1];
      // Adjacent pieces that are also adjacent in host memory become one copy.
      if (last !== undefined && last.hpa + last.len === m.paddr) {
        chunks[chunks.length - 1] = { hpa: last.hpa, len: last.len + n };
      } else {
        chunks.push({ hpa: m.paddr, len: n });
      }
      cur += n;
    }
    for (const c of chunks) {
      try {
        this.memory.hostBuffer(c.hpa, c.len);
      } catch (e) {
        if (e instanceof AxError) return { ok: false, error: e };
        throw e;
      }
    }
    return ok(chunks);
  }

  /**
   * Populates unmapped `page` of `area` and what `handlePageFault` says goes with it. Only
   * `page` itself must succeed (AxError NoMemory otherwise); the neighbours are best effort.
   */
  private populateAround(area: AllocArea, page: number): void {
    if (this.populateBlock(area, page)) return;
    this.populatePage(area, page);
    const group = page - (page % LAZY_GROUP);
    const lo = Math.max(area.start, group);
    const hi = Math.min(area.end, group + LAZY_GROUP);
    for (let p = lo; p < hi; p += PAGE) {
      if (p === page || this.pt.query(p) !== null) continue;
      const frame = this.memory.allocFrame();
      if (frame === null) return;
      try {
        this.pt.map(p, frame, PageSize.Size4K, area.flags);
      } catch {
        // A table frame was missing: the neighbours are an optimisation, the fault is served.
        this.memory.deallocFrame(frame);
        return;
      }
    }
  }

  /** Maps the 2 MiB block around `page` to one zeroed host run, when all of that can be. */
  private populateBlock(area: AllocArea, page: number): boolean {
    const block = page - (page % BLOCK);
    if (block < area.start || block + BLOCK > area.end) return false;
    if (this.blockBackoff > 0) {
      this.blockBackoff--;
      return false;
    }
    if (!this.pt.isBlockUnmapped(block, PageSize.Size2M)) return false;
    const run = this.memory.allocContiguousFrames(BLOCK / PAGE, BLOCK);
    if (run === null) {
      this.blockBackoff = BLOCK_BACKOFF;
      return false;
    }
    try {
      this.pt.map(block, run, PageSize.Size2M, area.flags);
    } catch {
      // No frame for a table, or a format without 2 MiB leaves: 4 KiB pages will do.
      this.memory.deallocContiguousFrames(run, BLOCK / PAGE);
      return false;
    }
    return true;
  }

  /** Gives one page of an alloc area a fresh zeroed frame. AxError NoMemory, frame not leaked. */
  private populatePage(area: AllocArea, page: number): void {
    const frame = this.memory.allocFrame();
    if (frame === null) {
      throw axErr(
        "NoMemory",
        `no host frame for ${formatGpa(page as GuestPhysAddr)} in the ${formatArea(area)}`,
      );
    }
    try {
      this.pt.map(page, frame, PageSize.Size4K, area.flags);
    } catch (e) {
      this.memory.deallocFrame(frame);
      throw e;
    }
  }

  private freeFrames(pa: HostPhysAddr, size: number): void {
    if (size === PAGE) this.memory.deallocFrame(pa);
    else this.memory.deallocContiguousFrames(pa, size / PAGE);
  }

  private checkRegion(gpa: number, size: number, what: string): void {
    if (!Number.isSafeInteger(gpa) || !Number.isSafeInteger(size) || size <= 0) {
      throw axErr(
        "InvalidInput",
        `${what}: [${gpa}, +${size}) is not a non-empty range of safe integers`,
      );
    }
    if (gpa % PAGE !== 0 || size % PAGE !== 0) {
      throw axErr(
        "InvalidInput",
        `${what} ${formatGpa(gpa as GuestPhysAddr)}+${formatHex(size)}: not 4 KiB aligned`,
      );
    }
    if (gpa < this.base || gpa + size > this.end) {
      throw axErr(
        "InvalidInput",
        `${what} [${formatHex(gpa)}, ${formatHex(gpa + size)}) lies outside the address space ` +
          `[${formatHex(this.base)}, ${formatHex(this.end)})`,
      );
    }
  }

  private checkFree(area: MemoryArea): void {
    const clash = this.areaSet.overlapping(area.start, area.end)[0];
    if (clash !== undefined) {
      throw axErr(
        "AlreadyExists",
        `cannot add ${formatArea(area)}: it overlaps the ${formatArea(clash)}`,
      );
    }
  }

  private checkFlags(area: MemoryArea): void {
    const problem = this.pt.flagsProblem(area.flags);
    if (problem !== null) {
      throw axErr("InvalidInput", `cannot add ${formatArea(area)}: ${problem}`);
    }
  }

  private checkLive(): void {
    if (this.destroyed) throw axErr("BadState", "address space was destroyed");
  }
}
