/**
 * The JIT tier of one CPU: counts entries into code (branch targets and the places where
 * compiled code stopped), compiles hot entry points into WebAssembly regions, and runs them.
 *
 * Compiled code is keyed by the RAM offset of its entry, so remapping, TTBR/VTTBR writes and
 * TLB maintenance need nothing here: every entry goes through the fetch TLB (filled by the
 * interpreter's fetch translation with all its checks), and a region never leaves its page.
 *
 * Coherence with writes to code:
 * - stores by this CPU: a page with compiled code never enters the store TLB (mmu.ts asks
 *   `isCodePage`), so every store to it takes the interpreter's slow path, whose RAM write
 *   drops the page's code first;
 * - DMA and DC ZVA: `notifyWrite` drops the code of the pages written;
 * - other CPUs and the host: each code page keeps a snapshot of its bytes; an instruction
 *   cache invalidation (IC IALLU/IALLUIS/IVAU, which the architecture requires before
 *   modified code runs) starts a new epoch in every CPU of the shareability domain, and a
 *   page is compared with its snapshot before its code runs again in a new epoch.
 */

import { Bytes, ModuleWriter, ValType, type WasmRam, wasmApi } from "@axvisor/machine";
import type { Aarch64Cpu } from "../cpu.js";
import { TLB_MASK, TLB_SIZE } from "../cpu.js";
import {
  type CodegenEnv,
  emitMulhu,
  MULHU_LOCALS,
  planRegion,
  RegionEmitter,
} from "./codegen.js";
import {
  EXIT_BRANCH,
  F_EXCLUSIVE,
  F_SP_ALIGN,
  F_STRICT_ALIGN,
  ST_C,
  ST_EXIT_KIND,
  ST_EXIT_PC,
  ST_N,
  ST_V,
  ST_Z,
} from "./state.js";

const TWO32 = 4294967296;

export interface JitOptions {
  /** Entries into an entry point before it is compiled (default 200). */
  readonly hotThreshold?: number;
  /** Most instructions in one region (default 128). */
  readonly maxRegionInsns?: number;
}

type RegionFn = (base: number, budget: number, ctx: number, flags: number) => number;

/** An entry point: how often it was entered, and its compiled code once it is hot. */
interface Entry {
  count: number;
  fn: RegionFn | null;
  /** Its first instruction is not compiled (or its page keeps being rewritten). */
  dead: boolean;
}

interface CodePage {
  readonly snapshot: Int32Array;
  /** RAM offsets of the entry points compiled in this page. */
  readonly entries: number[];
}

/** A page whose code was dropped this often because of writes stays interpreted. */
const MAX_PAGE_INVALIDATIONS = 8;

const TYPES = [
  // mulhu helper
  { params: [ValType.i64, ValType.i64], results: [ValType.i64] },
  // region: (page base, budget, data context, flags) -> retired
  { params: [ValType.f64, ValType.i32, ValType.i32, ValType.i32], results: [ValType.i32] },
];

export class Aarch64Jit {
  /** Per RAM page: 1 while compiled code exists for it. */
  readonly codeFlags: Uint8Array;
  private readonly pageEpoch: Int32Array;
  private readonly pageDrops: Uint8Array;
  private readonly pages = new Map<number, CodePage>();
  private readonly entries = new Map<number, Entry>();
  private readonly stateI32: Int32Array;
  private readonly base: number;
  private epoch = 1;
  private readonly threshold: number;
  private readonly maxInsns: number;
  private readonly env: CodegenEnv;
  private readonly out = new Bytes();
  /** EXIT_* of the last run(). */
  lastExit = EXIT_BRANCH;

  readonly stats = {
    /** Instructions retired by compiled code. */
    retired: 0,
    regions: 0,
    compileMs: 0,
    invalidations: 0,
    validations: 0,
  };

  constructor(
    private readonly cpu: Aarch64Cpu,
    private readonly wasm: WasmRam,
    stateBase: number,
    opts: JitOptions = {},
  ) {
    const pages = Math.ceil(cpu.ramSize / 4096);
    this.codeFlags = new Uint8Array(pages);
    this.pageEpoch = new Int32Array(pages);
    this.pageDrops = new Uint8Array(pages);
    this.threshold = opts.hotThreshold ?? 200;
    this.maxInsns = opts.maxRegionInsns ?? 128;
    this.stateI32 = new Int32Array(wasm.memory.buffer, stateBase, 1024 / 4);
    this.base = stateBase;
    this.env = { stateBase, ramOffset: wasm.ramOffset };
  }

  /**
   * Runs compiled code from `pc` (compiling it once hot) for at most `budget` instructions.
   * Returns the instructions retired, the CPU's PC and NZCV updated; or -1 when nothing ran.
   */
  run(pc: number, budget: number): number {
    const cpu = this.cpu;
    if (cpu.il !== 0) return -1;
    const lo = pc | 0;
    if ((lo & 3) !== 0) return -1;
    const hi = Math.floor(pc / TWO32) | 0;
    const i = (lo >>> 12) & TLB_MASK;
    if (cpu.tlbTag[i] !== (hi * 1048576 + (lo >>> 12)) * 1024 + cpu.fetchCtx) return -1;
    const ro = cpu.tlbOff[i]! + (lo & 4095);
    let e = this.entries.get(ro);
    if (e === undefined) {
      this.entries.set(ro, { count: 1, fn: null, dead: false });
      return -1;
    }
    let fn = e.fn;
    if (fn === null) {
      if (e.dead || ++e.count < this.threshold) return -1;
      fn = this.compile(ro, e);
      if (fn === null) return -1;
    }
    const page = ro >>> 12;
    if (this.pageEpoch[page] !== this.epoch && !this.revalidate(page)) return -1;
    // The page may have been invalidated by the check: look the entry up again.
    e = this.entries.get(ro);
    if (e === undefined || e.fn === null) return -1;
    fn = e.fn;
    const s = this.stateI32;
    s[ST_N >> 2] = cpu.nf;
    s[ST_Z >> 2] = cpu.zf;
    s[ST_C >> 2] = cpu.cf;
    s[ST_V >> 2] = cpu.vf;
    let flags = cpu.strictAlign ? F_STRICT_ALIGN : 0;
    if (cpu.exclAddr >= 0) flags |= F_EXCLUSIVE;
    if (cpu.spAlignCheck()) flags |= F_SP_ALIGN;
    const n = fn(pc - (lo & 4095), budget, cpu.dataCtx, flags);
    cpu.nf = s[ST_N >> 2]!;
    cpu.zf = s[ST_Z >> 2]!;
    cpu.cf = s[ST_C >> 2]!;
    cpu.vf = s[ST_V >> 2]!;
    cpu.pc = s[(ST_EXIT_PC >> 2) + 1]! * TWO32 + (s[ST_EXIT_PC >> 2]! >>> 0);
    this.lastExit = s[ST_EXIT_KIND >> 2]!;
    this.stats.retired += n;
    return n;
  }

  private compile(ro: number, e: Entry): RegionFn | null {
    const page = ro >>> 12;
    if (this.pageDrops[page]! >= MAX_PAGE_INVALIDATIONS || (page + 1) * 4096 > this.cpu.ramSize) {
      e.dead = true;
      return null;
    }
    const t0 = performance.now();
    const r32 = this.cpu.r32;
    const pageWord = page * 1024;
    const plan = planRegion((off) => r32[pageWord + (off >> 2)]!, ro & 4095, this.maxInsns, this.env);
    if (plan === undefined) {
      e.dead = true;
      return null;
    }
    const w = new ModuleWriter(TYPES, [0, 1], [undefined, "r"], this.wasm.pages, false, this.out);
    emitMulhu(w.beginFunction(MULHU_LOCALS));
    w.endFunction();
    new RegionEmitter(this.env).emit(w.beginFunction(RegionEmitter.locals(plan)), plan);
    w.endFunction();
    const api = wasmApi!;
    const inst = new api.Instance(new api.Module(w.finish()), { env: { mem: this.wasm.memory } });
    const fn = inst.exports.r as RegionFn;
    e.fn = fn;
    const cp = this.codePage(page);
    cp.entries.push(ro);
    this.stats.regions++;
    this.stats.compileMs += performance.now() - t0;
    return fn;
  }

  /** The code page record of `page`, making it a code page (kept out of the store TLB). */
  private codePage(page: number): CodePage {
    let cp = this.pages.get(page);
    if (cp === undefined) {
      const w = page * 1024;
      cp = { snapshot: this.cpu.r32.slice(w, w + 1024), entries: [] };
      this.pages.set(page, cp);
      this.pageEpoch[page] = this.epoch;
      this.codeFlags[page] = 1;
      // Store TLB entries into the page: gone, so stores there reach invalidatePage.
      const { tlbTag, tlbOff } = this.cpu;
      const pageRo = page * 4096;
      for (let i = 2 * TLB_SIZE; i < 3 * TLB_SIZE; i++) {
        if (tlbOff[i] === pageRo) tlbTag[i] = Number.NaN;
      }
    }
    return cp;
  }

  /** Whether RAM page `page` holds compiled code (stores there must not be cached). */
  isCodePage(page: number): boolean {
    return this.codeFlags[page] !== 0;
  }

  /**
   * An instruction cache invalidation: code written by anyone since runs only after its page
   * was compared with the snapshot taken when it was compiled.
   */
  codeBarrier(): void {
    this.epoch++;
  }

  private revalidate(page: number): boolean {
    this.stats.validations++;
    const cp = this.pages.get(page);
    if (cp !== undefined) {
      const r32 = this.cpu.r32;
      const snap = cp.snapshot;
      const w = page * 1024;
      for (let i = 0; i < 1024; i++) {
        if (r32[w + i] !== snap[i]) {
          this.invalidatePage(page);
          return false;
        }
      }
    }
    this.pageEpoch[page] = this.epoch;
    return true;
  }

  /** Drops all code of RAM page `page` (its bytes are being or were written). */
  invalidatePage(page: number): void {
    this.codeFlags[page] = 0;
    const cp = this.pages.get(page);
    if (cp === undefined) return;
    this.pages.delete(page);
    this.stats.invalidations++;
    if (this.pageDrops[page]! < 255) this.pageDrops[page]!++;
    for (const ro of cp.entries) this.entries.delete(ro);
  }

  /** RAM bytes [ro, ro + len) were written behind the CPU's back (DMA, DC ZVA). */
  notifyWrite(ro: number, len: number): void {
    const first = Math.max(0, Math.floor(ro / 4096));
    const last = Math.min(this.codeFlags.length - 1, Math.floor((ro + len - 1) / 4096));
    for (let p = first; p <= last; p++) if (this.codeFlags[p]) this.invalidatePage(p);
  }

  /** Forgets all compiled code and counts (reset). */
  flush(): void {
    for (const page of [...this.pages.keys()]) this.invalidatePage(page);
    this.pageDrops.fill(0);
    this.entries.clear();
  }

  /** Byte offset of the state block in the wasm memory. */
  get stateBase(): number {
    return this.base;
  }
}
