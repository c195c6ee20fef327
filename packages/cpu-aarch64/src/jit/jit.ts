/**
 * The JIT tier of one CPU: counts entries into code (branch targets and the places where
 * compiled code stopped), compiles hot entry points into WebAssembly regions (several per
 * module), and runs compiled code through the wasm dispatcher, which chains regions without
 * coming back to JavaScript.
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
 * - other CPUs: each code page keeps a snapshot of its bytes; an instruction cache
 *   invalidation (IC IALLU/IALLUIS: all pages, a new epoch; IC IVAU: the page the writer's
 *   TLB maps the address to), which the architecture requires before modified code runs,
 *   makes every other CPU on the RAM compare the pages concerned with their snapshots
 *   before their code runs again;
 * - the host: a reset drops everything; a host writing code into RAM under a running CPU
 *   tells it with `notifyExternalWrite` (as DMA does).
 *
 * Compiles go through a compile queue (@axvisor/machine): V8 compiles a module on a worker
 * thread while this CPU keeps interpreting the entries it holds (COMPILING). Their pages become
 * code pages when the module's bytes are written, so a write to one in the meantime reaches
 * `invalidatePage`, which bumps the page's generation; a module that comes back for a page
 * whose generation moved is dropped there, and its entries count again from zero.
 */

import {
  Bytes,
  type CompileQueue,
  ModuleWriter,
  openCompileQueue,
  ValType,
  type WasmModule,
  type WasmRam,
  type WasmTable,
  wasmApi,
} from "@axvisor/machine";
import type { Aarch64Cpu } from "../cpu.js";
import { TLB_MASK, TLB_SIZE } from "../cpu.js";
import { sysreg } from "../sysreg-encoding.js";
import { HCR, SR } from "../sysregs.js";
import { type CodegenEnv, type RegionCode, RegionEmitter } from "./codegen.js";
import { DISPATCHER_LOCALS, emitDispatcher, REGION_TYPE, RUN_TYPE } from "./dispatcher.js";
import {
  EXIT_BRANCH,
  EXIT_STOP,
  F_CTR,
  F_DC_CMO,
  F_DC_ZVA,
  F_EXCLUSIVE,
  F_IC_LOCAL,
  F_PRIV,
  F_SP_ALIGN,
  F_SP_EL0,
  F_STRICT_ALIGN,
  JC_SIZE,
  jcSlot,
  ST_C,
  ST_CTR,
  ST_DAIF,
  ST_DCZID,
  ST_EXCL,
  ST_EXCL_SIZE,
  ST_EXIT_KIND,
  ST_EXIT_PC,
  ST_FLAGS,
  ST_JC,
  ST_N,
  ST_TPIDR,
  ST_V,
  ST_Z,
} from "./state.js";

const TWO32 = 4294967296;

export interface JitOptions {
  /**
   * Entries into an entry point before it is compiled (default 1000: on the Linux boot lower
   * values compile many lukewarm regions whose compile time outweighs what they save).
   * Entries where compiled code stopped count CONTINUATION_WEIGHT times.
   */
  readonly hotThreshold?: number;
  /** Most instructions in one region (default 128). */
  readonly maxRegionInsns?: number;
  /** Hot regions compiled together into one module (default 16). */
  readonly batch?: number;
  /**
   * Where modules compile (default `openCompileQueue()`: synchronous unless
   * AXVISOR_JIT_OFFTHREAD=1 puts it on a worker thread). The JIT closes it on `close()`.
   */
  readonly compileQueue?: CompileQueue;
}

/**
 * How much an entry counts when it continues where compiled code stopped (after the
 * instruction a side exit left to the interpreter): such code is as hot as the code before.
 */
export const CONTINUATION_WEIGHT = 8;

/**
 * Buckets of the entry-point marks (see `marks`): many more than entry points in a Linux
 * boot (~4k), so that a bucket in use rarely hides a lukewarm entry from `cold`.
 */
const MARK_BITS = 16;
const MARK_MASK = (1 << MARK_BITS) - 1;

function markOf(ro: number): number {
  return ((ro >>> 2) ^ (ro >>> (2 + MARK_BITS))) & MARK_MASK;
}

type DispatchFn = (
  pc: number,
  budget: number,
  fetchCtx: number,
  dataCtx: number,
  flags: number,
) => number;

/** A compiled entry point (or one that cannot be compiled: index -1). */
interface Entry {
  readonly index: number;
}

const NOT_COMPILABLE: Entry = { index: -1 };
/** Hot, waiting for its batch to fill. */
const PENDING: Entry = { index: -2 };
/** In a module being compiled (interpreted meanwhile). */
const COMPILING: Entry = { index: -4 };
/**
 * An entry whose first instruction is not compiled (an MRS, an exclusive, ...) while the
 * code after it may be: the interpreter performs that one instruction and the next one is
 * an entry again, as after a side exit, instead of interpreting up to the next branch.
 */
const FIRST_NOT_COMPILED: Entry = { index: -3 };

/** run(): nothing ran, and the instruction after the one at the PC is an entry. */
export const RUN_SKIP_ONE = -2;

// What hot() found.
const HOT_NOT_YET = 0;
const HOT_READY = 1;
const HOT_SKIP_ONE = 2;

/** A module submitted to the compile queue: what to install when it comes back. */
interface Submitted {
  /** RAM offsets of its regions' entries, in export order (r0, r1, ...). */
  readonly ros: number[];
  /** The generation of each region's page when its bytes were read. */
  readonly gens: number[];
  /** Main-thread ms spent planning and writing it (stats.compileMs once installed). */
  readonly ms: number;
}

interface CodePage {
  readonly snapshot: Int32Array;
  /** RAM offsets of the entry points compiled in this page. */
  readonly entries: number[];
  /** RAM offsets of its entry points in modules being compiled. */
  readonly compiling: number[];
}

/** A page whose code was dropped this often because of writes stays interpreted. */
const MAX_PAGE_INVALIDATIONS = 8;
/** An empty jump cache key (no entry is at an odd RAM offset). */
const JC_EMPTY = -1;

const TYPES = [
  // region: (page base, budget, data context, flags) -> retired
  { params: [ValType.i64, ValType.i32, ValType.i32, ValType.i32], results: [ValType.i32] },
  // dispatcher: (pc, budget, fetch context, data context, flags) -> retired
  {
    params: [ValType.f64, ValType.i32, ValType.i32, ValType.i32, ValType.i32],
    results: [ValType.i32],
  },
];

export class Aarch64Jit {
  /** Per RAM page: 1 while compiled code exists for it. */
  readonly codeFlags: Uint8Array;
  private readonly pageEpoch: Int32Array;
  /** Per RAM page: bumped whenever its code is dropped (see Submitted.gens). */
  private readonly pageGen: Int32Array;
  private readonly pageDrops: Uint8Array;
  private readonly pages = new Map<number, CodePage>();
  /** Compiled (or known not compilable, or waiting) entry points by RAM offset. */
  private readonly entries = new Map<number, Entry>();
  /**
   * How many recorded entry points (compiled, compiling, not compilable; not the PENDING ones)
   * hash to each bucket (markOf): a zero proves that an entry has no such record, without a
   * Map lookup. A PENDING entry counts in `cold` as an unrecorded one does: it waits for its
   * batch until its count reaches the threshold again, and most of its entries meanwhile stay
   * out of `run`.
   */
  private readonly marks = new Uint16Array(1 << MARK_BITS);
  /** Entry counts by jump cache slot (entries sharing a slot share a count). */
  private readonly counts = new Uint16Array(JC_SIZE);
  /** The jump cache (see ST_JC): key of slot s at [2s], table index at [2s+1]. */
  private readonly jc: Int32Array;
  private readonly stateI32: Int32Array;
  private readonly stateF64: Float64Array;
  private readonly table: WasmTable;
  private readonly freeIndices: number[] = [];
  private readonly dispatch: DispatchFn;
  /** Hot entries waiting for a batch (PENDING, not yet submitted). */
  private readonly pending: number[] = [];
  private readonly queue: CompileQueue;
  /** Modules in the compile queue, by ticket. */
  private readonly submitted = new Map<number, Submitted>();
  private readonly installFn = (ticket: number, module: WasmModule) => this.install(ticket, module);
  private epoch = 1;
  private readonly threshold: number;
  /** Most instructions in one region. */
  readonly maxInsns: number;
  private readonly batch: number;
  private readonly env: CodegenEnv;
  /** One emitter for every region (its typed-array scratch costs more to make than a small region). */
  private readonly emitter: RegionEmitter;
  private readonly out = new Bytes();
  /** CTR_EL0 as the CPU model reads it (a constant of the model). */
  private readonly ctr: number;
  /** EXIT_* of the last run(). */
  lastExit = EXIT_BRANCH;

  readonly stats = {
    /** Instructions retired by compiled code. */
    retired: 0,
    regions: 0,
    modules: 0,
    /** Main-thread ms spent planning, writing and instantiating modules. */
    compileMs: 0,
    invalidations: 0,
    validations: 0,
    /** Regions whose module came back after their page was written (dropped). */
    stale: 0,
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
    this.pageGen = new Int32Array(pages);
    this.pageDrops = new Uint8Array(pages);
    this.threshold = opts.hotThreshold ?? 1000;
    this.maxInsns = opts.maxRegionInsns ?? 128;
    this.batch = opts.batch ?? 16;
    this.queue = opts.compileQueue ?? openCompileQueue();
    const buf = wasm.memory.buffer;
    this.stateI32 = new Int32Array(buf, stateBase, 1024 / 4);
    this.stateF64 = new Float64Array(buf, stateBase, 1024 / 8);
    cpu.sys.read(sysreg(3, 3, 0, 0, 1), 1, false);
    this.ctr = cpu.sys.lo;
    this.jc = new Int32Array(buf, stateBase + ST_JC, 2 * JC_SIZE);
    this.jc.fill(JC_EMPTY);
    this.env = { stateBase, ramOffset: wasm.ramOffset };
    this.emitter = new RegionEmitter(this.env);
    const api = wasmApi!;
    this.table = new api.Table({ element: "anyfunc", initial: 256 });
    for (let i = 255; i >= 0; i--) this.freeIndices.push(i);
    const w = new ModuleWriter(TYPES, [RUN_TYPE], ["run"], wasm.pages, true);
    emitDispatcher(w.beginFunction(DISPATCHER_LOCALS), stateBase);
    w.endFunction();
    const inst = new api.Instance(new api.Module(w.finish()), {
      env: { mem: wasm.memory, tab: this.table },
    });
    this.dispatch = inst.exports.run as DispatchFn;
  }

  /**
   * The cheap test made at each block boundary before `run`: true when the entry at `pc`
   * cannot run compiled code yet, after counting it exactly as `run` would. Most block
   * boundaries of an OS boot are such lukewarm entries; this keeps them to a few typed-array
   * reads instead of a call through `run`. False means "ask `run`" (compiled, recorded, about
   * to be hot, or not in the fetch TLB).
   */
  cold(pc: number, weight: number): boolean {
    const cpu = this.cpu;
    let ro: number;
    const d = pc - cpu.fetchVa;
    if (d >= 0 && d < 4096) {
      ro = cpu.fetchOff + d;
    } else {
      const lo = pc | 0;
      const i = (lo >>> 12) & TLB_MASK;
      const hi = Math.floor(pc / TWO32) | 0;
      if (cpu.tlbTag[i] !== (hi * 1048576 + (lo >>> 12)) * 1024 + cpu.fetchCtx) return false;
      ro = cpu.tlbOff[i]! + (lo & 4095);
    }
    if ((ro & 3) !== 0) return false;
    const slot = jcSlot(ro);
    if (this.jc[2 * slot] === ro || this.marks[markOf(ro)] !== 0) return false;
    const c = this.counts[slot]! + weight;
    if (c >= this.threshold) return false;
    this.counts[slot] = c;
    return true;
  }

  /**
   * Runs compiled code from `pc` (compiling it once hot) for at most `budget` instructions.
   * Returns the instructions retired, the CPU's PC and NZCV updated; or -1 when nothing ran;
   * or RUN_SKIP_ONE when nothing ran but the next instruction is worth trying again.
   * `weight`: how much this entry counts towards the hot threshold (CONTINUATION_WEIGHT
   * where compiled code stopped, else 1).
   */
  run(pc: number, budget: number, weight: number): number {
    const cpu = this.cpu;
    if (this.queue.ready) this.queue.take(this.installFn);
    if (cpu.il !== 0) return -1;
    const lo = pc | 0;
    if ((lo & 3) !== 0) return -1;
    const hi = Math.floor(pc / TWO32) | 0;
    const i = (lo >>> 12) & TLB_MASK;
    if (cpu.tlbTag[i] !== (hi * 1048576 + (lo >>> 12)) * 1024 + cpu.fetchCtx) return -1;
    const ro = cpu.tlbOff[i]! + (lo & 4095);
    const slot = jcSlot(ro);
    if (this.jc[2 * slot] !== ro) {
      const h = this.hot(ro, slot, weight);
      if (h !== HOT_READY) return h === HOT_SKIP_ONE ? RUN_SKIP_ONE : -1;
    }
    const s = this.stateI32;
    s[ST_N >> 2] = cpu.nf;
    s[ST_Z >> 2] = cpu.zf;
    s[ST_C >> 2] = cpu.cf;
    s[ST_V >> 2] = cpu.vf;
    const sr = cpu.sys.r;
    const t = ST_TPIDR >> 2;
    s[t] = sr[SR.TPIDR_EL0 * 2]!;
    s[t + 1] = sr[SR.TPIDR_EL0 * 2 + 1]!;
    s[t + 2] = sr[SR.TPIDRRO_EL0 * 2]!;
    s[t + 3] = sr[SR.TPIDRRO_EL0 * 2 + 1]!;
    s[t + 4] = sr[SR.TPIDR_EL1 * 2]!;
    s[t + 5] = sr[SR.TPIDR_EL1 * 2 + 1]!;
    s[ST_DAIF >> 2] = cpu.daif;
    s[ST_CTR >> 2] = this.ctr;
    let flags = cpu.strictAlign ? F_STRICT_ALIGN : 0;
    const excl = cpu.exclAddr >= 0;
    if (excl) {
      flags |= F_EXCLUSIVE;
      this.stateF64[ST_EXCL >> 3] = cpu.exclAddr - cpu.ramBase;
      s[ST_EXCL_SIZE >> 2] = cpu.exclSize;
    }
    if (cpu.spAlignCheck()) flags |= F_SP_ALIGN;
    if (cpu.el === 2 || (cpu.el === 1 && !cpu.hcrHi(HCR.TID2))) flags |= F_CTR;
    if (cpu.el === 2 || (cpu.el === 1 && !cpu.hcrHi(HCR.TPCP))) flags |= F_DC_CMO;
    if (cpu.shareDomain.size === 1 && (cpu.el === 2 || (cpu.el === 1 && !cpu.hcrHi(HCR.TPU)))) {
      flags |= F_IC_LOCAL;
    }
    if (cpu.el !== 0) {
      flags |= F_PRIV;
      if (cpu.spsel !== 0) flags |= F_SP_EL0;
    }
    const tdz = cpu.el < 2 && cpu.hcrHi(HCR.TDZ);
    if (cpu.el !== 0 && !tdz) flags |= F_DC_ZVA;
    // DCZID_EL0: 64-byte blocks; DZP where DC ZVA traps or is prohibited.
    const dzp = tdz || (cpu.el === 0 && (sr[SR.SCTLR_EL1 * 2]! & (1 << 14)) === 0);
    s[ST_DCZID >> 2] = dzp ? 20 : 4;
    s[ST_FLAGS >> 2] = flags;
    const n = this.dispatch(pc, budget, cpu.fetchCtx, cpu.dataCtx, flags);
    // Compiled load- and store-exclusives arm and clear the reservation.
    if ((s[ST_FLAGS >> 2]! & F_EXCLUSIVE) !== 0) {
      cpu.exclAddr = this.stateF64[ST_EXCL >> 3]! + cpu.ramBase;
      cpu.exclSize = s[ST_EXCL_SIZE >> 2]!;
    } else if (excl) cpu.exclAddr = -1;
    const daif = s[ST_DAIF >> 2]!;
    if (daif !== cpu.daif) {
      // A compiled unmask left its region right after it: end the slice so that an interrupt
      // it unmasked is taken next, as after the interpreter's.
      if ((cpu.daif & ~daif) !== 0) cpu.sliceBreak = true;
      cpu.daif = daif;
    }
    cpu.nf = s[ST_N >> 2]!;
    cpu.zf = s[ST_Z >> 2]!;
    cpu.cf = s[ST_C >> 2]!;
    cpu.vf = s[ST_V >> 2]!;
    cpu.pc = s[(ST_EXIT_PC >> 2) + 1]! * TWO32 + (s[ST_EXIT_PC >> 2]! >>> 0);
    const kind = s[ST_EXIT_KIND >> 2]!;
    this.lastExit = kind === EXIT_STOP ? EXIT_STOP : EXIT_BRANCH;
    this.stats.retired += n;
    return n;
  }

  /** Counts an entry into RAM offset `ro`; HOT_READY once compiled code for it is in the jump cache. */
  private hot(ro: number, slot: number, weight: number): number {
    const page = ro >>> 12;
    let e = this.marks[markOf(ro)] !== 0 ? this.entries.get(ro) : undefined;
    if (e === FIRST_NOT_COMPILED) return HOT_SKIP_ONE;
    if (e === COMPILING) return HOT_NOT_YET;
    if (e === undefined || e === PENDING) {
      const c = this.counts[slot]! + weight;
      if (c < this.threshold) {
        this.counts[slot] = c;
        return HOT_NOT_YET;
      }
      this.counts[slot] = 0;
      e = this.entries.get(ro);
    }
    if (e === undefined) {
      if (this.pageDrops[page]! >= MAX_PAGE_INVALIDATIONS || (page + 1) * 4096 > this.cpu.ramSize) {
        this.setEntry(ro, NOT_COMPILABLE);
        return HOT_NOT_YET;
      }
      this.setEntry(ro, PENDING);
      this.pending.push(ro);
      if (this.pending.length < this.batch) return HOT_NOT_YET;
      this.compilePending();
    } else if (e === PENDING) {
      // Hot again while it waits for a batch: compile what is waiting now.
      this.compilePending();
    }
    e = this.entries.get(ro);
    if (e === FIRST_NOT_COMPILED) return HOT_SKIP_ONE;
    if (e === undefined || e.index < 0) return HOT_NOT_YET;
    if (this.pageEpoch[page] !== this.epoch && !this.revalidate(page)) return HOT_NOT_YET;
    this.jc[2 * slot] = ro;
    this.jc[2 * slot + 1] = e.index;
    return HOT_READY;
  }

  /**
   * Writes every entry point waiting for a batch into one module and submits it; with a
   * synchronous queue (or an off-thread one that is already done) it is installed at once.
   */
  private compilePending(): void {
    const t0 = performance.now();
    const r32 = this.cpu.r32;
    const codes: { code: RegionCode; ro: number }[] = [];
    for (const ro of this.pending) {
      if (this.entries.get(ro) !== PENDING) continue;
      const pageWord = (ro >>> 12) * 1024;
      const code = this.emitter.compile(
        (off) => r32[pageWord + (off >> 2)]!,
        ro & 4095,
        this.maxInsns,
      );
      if (code === undefined) {
        this.setEntry(ro, FIRST_NOT_COMPILED);
        continue;
      }
      codes.push({ code, ro });
    }
    this.pending.length = 0;
    if (codes.length === 0) return;
    const w = new ModuleWriter(
      TYPES,
      codes.map(() => REGION_TYPE),
      codes.map((_, k) => `r${k}`),
      this.wasm.pages,
      false,
      this.out,
    );
    const em = this.emitter;
    for (const p of codes) {
      em.wrap(w.beginFunction(RegionEmitter.locals(p.code)), p.code);
      w.endFunction();
    }
    const bytes = w.finish();
    // Code pages from now: a store to one while the module compiles bumps its generation.
    const gens = codes.map((p) => {
      const page = p.ro >>> 12;
      this.codePage(page).compiling.push(p.ro);
      this.setEntry(p.ro, COMPILING);
      return this.pageGen[page]!;
    });
    const ticket = this.queue.submit(bytes);
    this.submitted.set(ticket, {
      ros: codes.map((p) => p.ro),
      gens,
      ms: performance.now() - t0,
    });
    if (this.queue.ready) this.queue.take(this.installFn);
  }

  /** Installs a compiled module: each region whose page was not written since it was read. */
  private install(ticket: number, module: WasmModule): void {
    const sub = this.submitted.get(ticket);
    // Not ours any more: submitted before a flush.
    if (sub === undefined) return;
    this.submitted.delete(ticket);
    const t0 = performance.now();
    const inst = new wasmApi!.Instance(module, { env: { mem: this.wasm.memory } });
    let installed = 0;
    sub.ros.forEach((ro, k) => {
      const page = ro >>> 12;
      if (this.pageGen[page] !== sub.gens[k]) {
        // Written while it compiled: invalidatePage dropped the entry's record, so it
        // counts again from zero (and may be in a newer module already).
        this.stats.stale++;
        return;
      }
      const cp = this.codePage(page);
      cp.compiling.splice(cp.compiling.indexOf(ro), 1);
      const index = this.allocIndex();
      this.table.set(index, inst.exports[`r${k}`]);
      this.setEntry(ro, { index });
      cp.entries.push(ro);
      installed++;
    });
    this.stats.modules++;
    this.stats.regions += installed;
    this.stats.compileMs += sub.ms + performance.now() - t0;
  }

  /**
   * Waits for every module in the compile queue and installs it (tests; a caller that wants
   * compiled code in place before it looks).
   */
  drainCompiles(): void {
    this.queue.drain(this.installFn);
  }

  /** Modules submitted and not yet installed (or dropped). */
  get compilesInFlight(): number {
    return this.submitted.size;
  }

  /** Releases the compile queue (the CPU then runs interpreted code only where not compiled). */
  close(): void {
    this.queue.close();
    this.submitted.clear();
  }

  /** Records what entry point `ro` is now, keeping `marks` (which leaves PENDING out). */
  private setEntry(ro: number, e: Entry): void {
    const old = this.entries.get(ro);
    this.entries.set(ro, e);
    const was = old !== undefined && old !== PENDING;
    const now = e !== PENDING;
    if (now && !was) this.marks[markOf(ro)]!++;
    else if (was && !now) this.marks[markOf(ro)]!--;
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

  /** The code page record of `page`, making it a code page (kept out of the store TLB). */
  private codePage(page: number): CodePage {
    let cp = this.pages.get(page);
    if (cp === undefined) {
      const w = page * 1024;
      cp = { snapshot: this.cpu.r32.slice(w, w + 1024), entries: [], compiling: [] };
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
   * An instruction cache invalidation by another CPU, of RAM page `page` (-1: all): code
   * written since runs only after its page was compared with the snapshot taken when it was
   * compiled.
   */
  codeBarrier(page: number): void {
    if (page < 0) {
      this.epoch++;
      this.jc.fill(JC_EMPTY);
      return;
    }
    const cp = this.pages.get(page);
    if (cp === undefined) return;
    // Only this page is checked again before its code runs.
    this.pageEpoch[page] = 0;
    for (const ro of cp.entries) {
      const slot = jcSlot(ro);
      if (this.jc[2 * slot] === ro) this.jc[2 * slot] = JC_EMPTY;
    }
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
    // Modules being compiled from these bytes: dropped when they come back.
    this.pageGen[page]!++;
    for (const ro of cp.compiling) {
      if (this.entries.get(ro) === COMPILING && this.entries.delete(ro)) this.marks[markOf(ro)]!--;
    }
    this.stats.invalidations++;
    if (this.pageDrops[page]! < 255) this.pageDrops[page]!++;
    for (const ro of cp.entries) {
      const e = this.entries.get(ro);
      if (this.entries.delete(ro)) this.marks[markOf(ro)]!--;
      const slot = jcSlot(ro);
      if (this.jc[2 * slot] === ro) this.jc[2 * slot] = JC_EMPTY;
      if (e !== undefined && e.index >= 0) {
        this.table.set(e.index, null);
        this.freeIndices.push(e.index);
      }
    }
  }

  /** RAM bytes [ro, ro + len) were written behind the CPU's back (DMA, DC ZVA). */
  notifyWrite(ro: number, len: number): void {
    const first = Math.max(0, Math.floor(ro / 4096));
    const last = Math.min(this.codeFlags.length - 1, Math.floor((ro + len - 1) / 4096));
    for (let p = first; p <= last; p++) if (this.codeFlags[p]) this.invalidatePage(p);
  }

  /** Forgets all compiled code and counts (reset); modules being compiled are dropped. */
  flush(): void {
    this.submitted.clear();
    for (const page of [...this.pages.keys()]) this.invalidatePage(page);
    this.pageDrops.fill(0);
    this.entries.clear();
    this.marks.fill(0);
    this.pending.length = 0;
    this.counts.fill(0);
    this.jc.fill(JC_EMPTY);
  }
}
