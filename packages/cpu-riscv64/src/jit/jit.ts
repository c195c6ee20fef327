/**
 * The JIT tier of one hart: finds hot entry points, compiles the regions behind them into
 * WebAssembly (many per module), and runs compiled code through the wasm dispatcher, which
 * chains regions without coming back to JavaScript.
 *
 * Compiled code is keyed by the physical RAM offset of its entry, so page remaps, satp/vsatp/
 * hgatp writes and fences need no flush here: every entry goes through the fetch TLB (filled
 * by the interpreter's fetch translation with all its checks), and a region never leaves its
 * page.
 *
 * Compiling is asynchronous when the compile queue is (see JitOptions.compileQueue): a hot
 * entry's region is planned and its module bytes written at once, but V8 compiles them while
 * the entry keeps running interpreted (IN_FLIGHT); the module is installed when it is taken
 * from the queue. A page becomes a code page (write-watched, snapshotted) when its code is
 * planned, so a write to it before the module arrives bumps its generation and the module's
 * regions for that page are dropped: the guest behaves exactly as with synchronous compile.
 *
 * Coherence with writes to code:
 * - stores by this hart: a page with compiled code never enters the store TLB, so every store
 *   to it takes the slow path, which drops the page's code first (self-modifying code behaves
 *   exactly as in the interpreter);
 * - DMA: `notifyWrite` drops the code of the pages written;
 * - anything else (another hart, a host that wrote RAM without telling): every code page keeps
 *   a snapshot of its bytes; FENCE.I (and `fenceI()`) starts a new epoch, and a page is
 *   compared with its snapshot before its code runs again in a new epoch.
 */

import {
  Bytes,
  type CompileQueue,
  ModuleWriter,
  openCompileQueue,
  type WasmModule,
  type WasmRam,
  type WasmTable,
  wasmApi,
} from "@axvisor/machine";
import {
  EXIT_MISS,
  JC_FOLD,
  JC_MASK,
  JC_SIZE,
  jcSlot,
  ST_EXIT_KIND,
  ST_EXIT_PC,
  ST_JC,
  TLB_MASK,
} from "../hart-state.js";
import { ACC_STORE } from "../mmu.js";
import { DISPATCHER_LOCALS, emitDispatcher, RUN_TYPE } from "./dispatcher.js";
import { planRegion, type RegionPlan } from "./region.js";
import { JIT_TYPES, regionExport, writeRegionModule } from "./region-module.js";

type DispatchFn = (pc: number, budget: number, fetchCtx: number, dataCtx: number) => number;

export interface JitOptions {
  /**
   * Block entries (taken branches and jumps to it) before an entry point is compiled
   * (default 1000: measured on the Linux boot, where lower values compile thousands of
   * lukewarm regions whose compile time outweighs what they save). Re-measured with V8's
   * compile off the guest thread: 300-500 halve the instructions interpreted, but the guest
   * thread's CPU stays the same (it still plans, writes and instantiates every region).
   */
  readonly hotThreshold?: number;
  /** Most instructions in one region (default 256). */
  readonly maxRegionInsns?: number;
  /** Hot regions compiled together into one module (default 16). */
  readonly batch?: number;
  /**
   * Keep guest registers in wasm locals across a region call instead of in the state block
   * in every region. Default false: only regions with a block that loops on itself keep them in
   * locals (faster tight loops), the others use the state block (cheaper for the many short
   * calls of an OS boot).
   */
  readonly registersInLocals?: boolean;
  /**
   * Where module bytes are compiled (default: `openCompileQueue()`, synchronous unless
   * AXVISOR_JIT_OFFTHREAD=1 puts it on a worker thread). With an off-thread queue the hart keeps
   * interpreting an entry until its module arrives.
   */
  readonly compileQueue?: CompileQueue;
}

/** What the JIT needs of the hart (its fetch cache and RAM views, the state block). */
export interface JitHost {
  readonly r16: Uint16Array;
  readonly r32: Int32Array;
  readonly ramSize: number;
  readonly ftag: Float64Array;
  readonly foff: Uint32Array;
  readonly stag: Float64Array;
  readonly soff: Uint32Array;
  readonly stateF64: Float64Array;
  readonly stateI32: Int32Array;
  fetchVa: number;
  fetchOff: number;
  killRecord(type: number, i: number): void;
  ctxFetch: number;
  ctxData: number;
  /** Where `enter` starts (a field, not an argument: see runCompiled). */
  readonly pc: number;
}

/** A compiled region: its slot in the function table and how many entry points use it. */
interface Region {
  readonly index: number;
  live: number;
}

interface Entry {
  readonly region: Region | null;
  readonly block: number;
}

const NOT_COMPILABLE: Entry = { region: null, block: 0 };
/** Hot, waiting for its batch to fill. */
const PENDING: Entry = { region: null, block: 0 };
/** Planned and submitted: interpreted until its module is taken from the queue. */
const IN_FLIGHT: Entry = { region: null, block: 0 };

/** A code page's slot value of an entry whose module is being compiled (see CodePage.slots). */
const SLOT_IN_FLIGHT = -1;

/** A region planned into a submitted module, with its page's generation at planning time. */
interface PlannedRegion {
  readonly plan: RegionPlan;
  readonly page: number;
  readonly pageRo: number;
  readonly gen: number;
}

/**
 * How much an entry counts towards `hotThreshold` when it continues where compiled code
 * stopped (after the instruction a side exit left to the interpreter, or where a region
 * ended for its size limit or the page end) rather than at a branch target the interpreter
 * reached: such code is as hot as the code before it, typically long straight-line code.
 */
export const CONTINUATION_WEIGHT = 8;

/** An empty jump cache key (no entry is at an odd RAM offset). */
const JC_EMPTY = 0xffffffff;

/** A page whose code was dropped this often because of writes stays interpreted. */
const MAX_PAGE_INVALIDATIONS = 8;

interface CodePage {
  readonly snapshot: Int32Array;
  /**
   * Per halfword of the page: 1 + the jump cache value of a compiled entry there,
   * SLOT_IN_FLIGHT for an entry whose module is being compiled, or 0.
   */
  readonly slots: Int32Array;
  /** RAM offsets of the entry points compiled in this page. */
  readonly entries: number[];
  readonly regions: Set<Region>;
}

export class Jit {
  /** Per RAM page: 1 while compiled code exists for it (stores there must call invalidate). */
  readonly codeFlags: Uint8Array;
  private readonly pageEpoch: Int32Array;
  private readonly pageDrops: Uint8Array;
  /** Per page: bumped whenever the page's code is dropped (a module planned before is stale). */
  private readonly pageGen: Int32Array;
  /** The jump cache (see ST_JC): key of slot s at [2s], value at [2s+1]. */
  private readonly jc: Uint32Array;
  /** Slots filled since the jump cache was last cleared (clearing only those is cheaper). */
  private readonly jcUsed = new Int32Array(JC_SIZE);
  private jcUsedCount = 0;
  private readonly jcCount = new Uint16Array(JC_SIZE);
  private readonly entries = new Map<number, Entry>();
  /** Code pages by RAM page number, and the set of their numbers. */
  private readonly pages: (CodePage | undefined)[];
  private readonly codePages = new Set<number>();
  private readonly pending: number[] = [];
  /** Submitted modules by ticket: the regions planned into each. */
  private readonly inFlight = new Map<number, PlannedRegion[]>();
  /** Opened at the first compile (a hart that never gets hot starts no compile thread). */
  private queue: CompileQueue | undefined;
  private readonly accept = (ticket: number, module: WasmModule): void =>
    this.installModule(ticket, module);
  private readonly table: WasmTable;
  private readonly freeIndices: number[] = [];
  private readonly dispatch: DispatchFn;
  private readonly exitPcAt: number;
  private readonly exitKindAt: number;
  private epoch = 1;
  private readonly threshold: number;
  private readonly maxInsns: number;
  private readonly batch: number;
  private readonly regsInLocals: boolean;
  /** Module bytes are written here (reused from one batch to the next). */
  private readonly out = new Bytes();

  /** Statistics (for benchmarks and tests). */
  readonly stats = {
    /** Instructions retired by compiled code. */
    retired: 0,
    regions: 0,
    modules: 0,
    /** Main-thread milliseconds spent planning, writing, submitting and installing modules. */
    compileMs: 0,
    /** Regions whose module arrived after their page was written (not installed). */
    stale: 0,
    invalidations: 0,
    validations: 0,
  };

  constructor(
    private readonly h: JitHost,
    private readonly wasm: WasmRam,
    private readonly stateBase: number,
    opts: JitOptions = {},
  ) {
    const pages = Math.ceil(h.ramSize / 4096);
    this.codeFlags = new Uint8Array(pages);
    this.pageEpoch = new Int32Array(pages);
    this.pageDrops = new Uint8Array(pages);
    this.pageGen = new Int32Array(pages);
    this.pages = new Array<CodePage | undefined>(pages).fill(undefined);
    this.threshold = opts.hotThreshold ?? 1000;
    this.maxInsns = opts.maxRegionInsns ?? 256;
    this.batch = opts.batch ?? 16;
    this.regsInLocals = opts.registersInLocals ?? false;
    this.queue = opts.compileQueue;
    const buf = wasm.memory.buffer;
    this.jc = new Uint32Array(buf, stateBase + ST_JC, 2 * JC_SIZE);
    this.jc.fill(JC_EMPTY);
    this.exitPcAt = ST_EXIT_PC / 4;
    this.exitKindAt = ST_EXIT_KIND / 4;
    const api = wasmApi!;
    this.table = new api.Table({ element: "anyfunc", initial: 256 });
    const w = new ModuleWriter(JIT_TYPES, [RUN_TYPE], ["run"], wasm.pages, true);
    emitDispatcher(w.beginFunction(DISPATCHER_LOCALS), stateBase);
    w.endFunction();
    const bytes = w.finish();
    const inst = new api.Instance(new api.Module(bytes), {
      env: { mem: wasm.memory, tab: this.table },
    });
    this.dispatch = inst.exports.run as DispatchFn;
  }

  /** The PC where compiled code stopped. */
  exitPc(): number {
    const s = this.h.stateI32;
    return s[this.exitPcAt + 1]! * 4294967296 + (s[this.exitPcAt]! >>> 0);
  }

  /** Why compiled code stopped (EXIT_* of hart-state.ts). */
  exitKind(): number {
    return this.h.stateI32[this.exitKindAt]!;
  }

  /** RAM offset of the instruction at `pc` if the fetch TLB has its page, else -1. */
  private physical(pc: number): number {
    const h = this.h;
    const fo = pc - h.fetchVa;
    if (fo >= 0 && fo < 4096) return h.fetchOff + fo;
    const i = (pc >>> 12) & TLB_MASK;
    const va = pc - (pc & 4095);
    if (h.ftag[i] !== va + h.ctxFetch) return -1;
    h.fetchVa = va;
    h.fetchOff = h.foff[i]!;
    return h.fetchOff + (pc & 4095);
  }

  /**
   * The cheap test made at every block boundary before `enter`: true when the entry at `pc`
   * cannot run compiled code yet, after counting it towards `hotThreshold` exactly as `enter`
   * would. Most boundaries of an OS boot are such lukewarm entries; this keeps them to a few
   * typed-array reads (small enough for V8 to inline into the caller) instead of the calls
   * through `enter`. False means "ask `enter`" (compiled, about to be hot, or not in the
   * fetch TLB).
   */
  cold(pc: number, weight: number): boolean {
    const ro = this.physical(pc);
    if (ro < 0) return false;
    const half = ro >>> 1;
    const slot = (half ^ (half >>> JC_FOLD)) & JC_MASK;
    if (this.jc[2 * slot] === ro) return false;
    if (this.codeFlags[ro >>> 12] !== 0 && this.pages[ro >>> 12]!.slots[(ro & 4095) >>> 1] !== 0) {
      return false;
    }
    const c = this.jcCount[slot]! + weight;
    if (c >= this.threshold) return false;
    this.jcCount[slot] = c;
    return true;
  }

  /**
   * At a block boundary: runs compiled code from the host's pc (compiling it once it is hot)
   * for at most `budget` instructions. Returns the instructions retired, the interpreter going
   * on at exitPc(); or -1 when nothing ran (the interpreter goes on at the host's pc).
   */
  enter(budget: number, weight: number): number {
    let pc = this.h.pc;
    let ro = this.physical(pc);
    if (ro < 0) return -1;
    if (this.jc[2 * jcSlot(ro)] !== ro && !this.hot(ro, weight)) return -1;
    const h = this.h;
    let done = 0;
    for (;;) {
      done += this.dispatch(pc, budget - done, h.ctxFetch, h.ctxData);
      if (this.h.stateI32[this.exitKindAt] !== EXIT_MISS || done >= budget) {
        this.stats.retired += done;
        return done;
      }
      pc = this.exitPc();
      ro = this.physical(pc);
      if (ro < 0 || !this.hot(ro, CONTINUATION_WEIGHT)) {
        this.stats.retired += done;
        return done;
      }
    }
  }

  /** Counts an entry into RAM offset `ro`; true once compiled code for it is in the jump cache. */
  private hot(ro: number, weight: number): boolean {
    if (this.queue?.ready) this.queue.take(this.accept);
    const slot = jcSlot(ro);
    // Compiled already (its jump cache slot was taken by another entry): back in at once.
    if (this.codeFlags[ro >>> 12] !== 0) {
      const v = this.pages[ro >>> 12]!.slots[(ro & 4095) >>> 1]!;
      if (v === SLOT_IN_FLIGHT) return false;
      if (v !== 0) return this.installValue(ro, slot, v - 1);
    }
    const c = this.jcCount[slot]! + weight;
    if (c < this.threshold) {
      this.jcCount[slot] = c;
      return false;
    }
    this.jcCount[slot] = 0;
    let e = this.entries.get(ro);
    if (e === undefined) {
      const page = ro >>> 12;
      if (
        this.pageDrops[page]! >= MAX_PAGE_INVALIDATIONS ||
        ro - (ro & 4095) + 4096 > this.h.ramSize
      ) {
        this.entries.set(ro, NOT_COMPILABLE);
        return false;
      }
      this.entries.set(ro, PENDING);
      this.pending.push(ro);
      if (this.pending.length < this.batch) return false;
      this.compilePending();
    } else if (e === PENDING) {
      // Hot again while it waits for a batch: compile what is waiting now.
      this.compilePending();
    }
    e = this.entries.get(ro);
    if (e === undefined || e.region === null) return false;
    return this.install(ro, slot, e);
  }

  /** Puts compiled entry `e` for `ro` into the jump cache (after checking its page's epoch). */
  private install(ro: number, slot: number, e: Entry): boolean {
    return this.installValue(ro, slot, (e.region!.index << 8) | e.block);
  }

  private installValue(ro: number, slot: number, value: number): boolean {
    const page = ro >>> 12;
    if (this.pageEpoch[page] !== this.epoch && !this.revalidate(page)) return false;
    if (this.jc[2 * slot] === JC_EMPTY && this.jcUsedCount < JC_SIZE) {
      this.jcUsed[this.jcUsedCount++] = slot;
    }
    this.jc[2 * slot] = ro;
    this.jc[2 * slot + 1] = value;
    return true;
  }

  /**
   * Plans every pending entry point into one module and submits it; the entries stay
   * IN_FLIGHT (interpreted) until it is taken. Their pages become code pages now, so a write
   * to them from here on is seen (it makes the module's regions for that page stale).
   */
  private compilePending(): void {
    const h = this.h;
    const t0 = performance.now();
    const plans: PlannedRegion[] = [];
    const covered = new Set<number>();
    const r16 = h.r16;
    for (const ro of this.pending) {
      if (this.entries.get(ro) !== PENDING) continue;
      const page = ro >>> 12;
      if (covered.has(ro)) {
        this.markInFlight(ro, this.codePage(page));
        continue;
      }
      const pageRo = ro - (ro & 4095);
      const plan = planRegion((off) => r16[(pageRo + off) >>> 1]!, ro & 4095, this.maxInsns);
      if (plan === undefined) {
        this.entries.set(ro, NOT_COMPILABLE);
        continue;
      }
      for (const b of plan.blocks) covered.add(pageRo + b.start);
      this.markInFlight(ro, this.codePage(page));
      plans.push({ plan, page, pageRo, gen: this.pageGen[page]! });
    }
    this.pending.length = 0;
    if (plans.length === 0) return;
    const bytes = writeRegionModule(
      plans.map((p) => p.plan),
      { stateBase: this.stateBase, pages: this.wasm.pages, registersInLocals: this.regsInLocals },
      this.out,
    );
    this.queue ??= openCompileQueue();
    this.inFlight.set(this.queue.submit(bytes), plans);
    this.stats.modules++;
    this.stats.regions += plans.length;
    this.stats.compileMs += performance.now() - t0;
    // A synchronous queue has the module now: install it before the entry is looked up again.
    if (this.queue.ready) this.queue.take(this.accept);
  }

  private markInFlight(ro: number, cp: CodePage): void {
    this.entries.set(ro, IN_FLIGHT);
    cp.entries.push(ro);
    cp.slots[(ro & 4095) >>> 1] = SLOT_IN_FLIGHT;
  }

  /** Installs the regions of a compiled module whose pages were not written since planning. */
  private installModule(ticket: number, module: WasmModule): void {
    const plans = this.inFlight.get(ticket);
    if (plans === undefined) return;
    this.inFlight.delete(ticket);
    const t0 = performance.now();
    const inst = new wasmApi!.Instance(module, { env: { mem: this.wasm.memory } });
    plans.forEach((p, k) => {
      const cp = this.pages[p.page];
      if (this.pageGen[p.page] !== p.gen || cp === undefined) {
        this.stats.stale++;
        return;
      }
      const region: Region = { index: this.allocIndex(), live: 0 };
      this.table.set(region.index, inst.exports[regionExport(k)]);
      cp.regions.add(region);
      p.plan.blocks.forEach((b, block) => {
        const at = p.pageRo + b.start;
        const old = this.entries.get(at);
        if (old !== undefined && old.region !== null) return;
        this.entries.set(at, { region, block });
        if (old !== IN_FLIGHT) cp.entries.push(at);
        cp.slots[(at & 4095) >>> 1] = ((region.index << 8) | block) + 1;
        region.live++;
      });
    });
    this.stats.compileMs += performance.now() - t0;
  }

  /** Waits for every submitted module and installs it (tests; before a state is saved). */
  settle(): void {
    if (this.inFlight.size > 0) this.queue?.drain(this.accept);
  }

  private allocIndex(): number {
    const free = this.freeIndices.pop();
    if (free !== undefined) return free;
    const t = this.table;
    const i = t.length;
    t.grow(Math.max(64, i));
    for (let k = t.length - 1; k > i; k--) this.freeIndices.push(k);
    return i;
  }

  /** The code page record of `page`, making it a code page (write-protected) if new. */
  private codePage(page: number): CodePage {
    let cp = this.pages[page];
    if (cp === undefined) {
      const w = page * 1024;
      cp = {
        snapshot: this.h.r32.slice(w, w + 1024),
        slots: new Int32Array(2048),
        entries: [],
        regions: new Set(),
      };
      this.pages[page] = cp;
      this.codePages.add(page);
      this.pageEpoch[page] = this.epoch;
      this.codeFlags[page] = 1;
      this.evictStores(page * 4096);
    }
    return cp;
  }

  /** Drops store TLB entries that point into the page at RAM offset `pageRo`. */
  private evictStores(pageRo: number): void {
    const { stag, soff } = this.h;
    for (let i = 0; i < soff.length; i++) {
      if (soff[i] === pageRo) {
        stag[i] = Number.NaN;
        this.h.killRecord(ACC_STORE, i);
      }
    }
  }

  /**
   * A new epoch: another writer may have changed code. Pages are compared with their
   * snapshots before their code runs again; until then their entries leave the jump cache
   * (the next entry finds them compiled and puts them back after the check).
   */
  fenceI(): void {
    this.epoch++;
    this.clearJumpCache();
  }

  private clearJumpCache(): void {
    const n = this.jcUsedCount;
    if (n >= JC_SIZE / 8) this.jc.fill(JC_EMPTY);
    else for (let k = 0; k < n; k++) this.jc[2 * this.jcUsed[k]!] = JC_EMPTY;
    this.jcUsedCount = 0;
  }

  private revalidate(page: number): boolean {
    this.stats.validations++;
    const cp = this.pages[page];
    if (cp !== undefined) {
      const r32 = this.h.r32;
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
    const cp = this.pages[page];
    if (cp === undefined) return;
    this.pages[page] = undefined;
    this.codePages.delete(page);
    this.pageGen[page]!++;
    this.stats.invalidations++;
    if (this.pageDrops[page]! < 255) this.pageDrops[page]!++;
    for (const ro of cp.entries) {
      this.entries.delete(ro);
      const slot = jcSlot(ro);
      if (this.jc[2 * slot] === ro) this.jc[2 * slot] = JC_EMPTY;
    }
    for (const r of cp.regions) {
      this.table.set(r.index, null);
      this.freeIndices.push(r.index);
    }
  }

  /** RAM bytes [ro, ro+len) were written behind the hart's back (DMA). */
  notifyWrite(ro: number, len: number): void {
    const first = Math.max(0, Math.floor(ro / 4096));
    const last = Math.min(this.codeFlags.length - 1, Math.floor((ro + len - 1) / 4096));
    for (let p = first; p <= last; p++) if (this.codeFlags[p]) this.invalidatePage(p);
  }

  /** Forgets all compiled code (reset). */
  flush(): void {
    for (const page of [...this.codePages]) this.invalidatePage(page);
    this.pageDrops.fill(0);
    this.jc.fill(JC_EMPTY);
    this.jcUsedCount = 0;
    this.jcCount.fill(0);
    this.entries.clear();
    this.pending.length = 0;
  }
}
