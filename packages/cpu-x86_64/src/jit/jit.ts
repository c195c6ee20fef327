/**
 * The x86-64 JIT tier: finds hot 64-bit-mode blocks (branch targets reached HOT times),
 * compiles them (decode.ts, codegen.ts) and runs them between interpreter steps. A block is
 * keyed by its linear RIP and checked on every entry against the physical page the fetch TLB
 * maps that RIP to now, the privilege level it was compiled for, and its page's generation:
 * a write to a page compiled code came from bumps the generation, so stale blocks are never
 * entered (self-modifying code, module loading, DMA into code pages).
 *
 * In VMX non-root operation (a guest) the same holds with host-physical pages: the fetch TLB
 * is tagged with the guest's translation context, so a block runs only where this guest's
 * paging and EPT map its RIP to the very bytes it was compiled from; another VM's code at the
 * same linear address is another physical page, so another block. Blocks for one RIP on
 * several physical pages (two VMs, root and guest) are kept side by side in a short chain
 * rather than evicting each other at every switch. Blocks made for non-root operation leave
 * out every instruction that may VM-exit (non-root.ts) and are never entered in root
 * operation, nor root blocks in non-root operation.
 */
import {
  type CompileQueue,
  CPU_STATE_BYTES,
  claimCpuState,
  openCompileQueue,
  type WasmInstance,
  type WasmModule,
  type WasmRam,
  type WasmTable,
  wasmApi,
} from "@axvisor/machine";
import { compileRegion, type JitTarget, materializeModule } from "./codegen.js";
import { decodeRegion } from "./decode.js";
import { CHAIN_MISS, CHAIN_STEP, dispatcherModule } from "./dispatcher.js";
import {
  JC_SIZE,
  jcSlot,
  ST_CHAIN_EXIT,
  ST_CHAIN_HOPS,
  ST_CODE_MAP,
  ST_FLAGS,
  ST_FS_BASE,
  ST_JC,
  ST_RIP,
  ST_SEL,
  ST_STI,
} from "./layout.js";
import { nonRootRegion } from "./non-root.js";

type RunFn = (budget: number, ctx: number, flags: number) => number;

interface Block {
  /** The linear RIP the block starts at. */
  rip: number;
  /** Physical address of the first byte, the CPL-3 flag and the page generation it was made for. */
  phys: number;
  user: boolean;
  /** Made for VMX non-root operation (no instruction that may VM-exit). */
  nonRoot: boolean;
  gen: number;
  hits: number;
  /** The compiled code; null until hot, or when the first instruction is not compiled. */
  fn: RunFn | null;
  /** The compiled code's index in the function table (the dispatcher calls it there). */
  index: number;
  uncompilable: boolean;
  /** Its module is being compiled (the compile queue): interpreted until it arrives. */
  pending: boolean;
  /** Another block for the same RIP (another physical page, CPL or VMX mode), or null. */
  alt: Block | null;
}

/** Blocks kept for one RIP (the oldest beyond is forgotten). */
const MAX_ALTERNATES = 4;

/**
 * Entries of the direct-mapped block cache in front of the map: kernel RIPs are not small
 * integers, so a Map lookup hashes a heap number on every JIT call (millions in a boot); the
 * cache, indexed by the block's RAM offset, answers most of them with one array load.
 */
const BLOCK_CACHE_SIZE = 8192;
const BLOCK_CACHE_MASK = BLOCK_CACHE_SIZE - 1;

/**
 * Entries of the lukewarm filter (X86Jit.lukewarm): linear RIPs whose block is known cold, with
 * how many more entries the interpreter may run before asking the JIT again.
 */
const COLD_SIZE = 4096;
const COLD_MASK = COLD_SIZE - 1;

/** The lukewarm filter slot of linear RIP `rip` (its low 32 bits, folded). */
function coldSlot(rip: number): number {
  const lo = rip | 0;
  return (lo ^ (lo >>> 12)) & COLD_MASK;
}

/** The block cache slot of RAM offset `off` (code is dense: low bits, folded with the page). */
function cacheSlot(off: number): number {
  return (off ^ (off >>> 13)) & BLOCK_CACHE_MASK;
}

/** What the CPU must offer the JIT (the fields of X86Cpu it reads and writes). */
export interface JitCpu {
  rip: number;
  flags: number;
  cpl: number;
  /** Instructions retired (before this run's), and where the interrupt shadow ends (STI). */
  readonly icount: number;
  shadowAt: number;
  tlbCtx: number;
  wrLin: number;
  readonly ram: Uint8Array;
  readonly ramBase: number;
  /** Segment bases ES..GS (FS = 4, GS = 5) and selectors. */
  readonly segBase: Float64Array;
  readonly segSel: Int32Array;
  /** VMX: whether a guest runs (compiled code is then made for non-root operation). */
  readonly vmx: { readonly guestMode: boolean };
  /** The physical address the fetch TLB maps `lin` to, or -1 when it has no entry. */
  probeFetch(lin: number, user: boolean): number;
  /** Walks and caches the translation of `lin` (access 0 read, 1 write, 2 fetch); false: no. */
  tryFill(lin: number, acc: number, user: boolean): boolean;
}

/**
 * A module whose one export re-exports its imported JS function env.fill(f64, i32) -> i32:
 * a wasm function object, which (unlike a JS function) a funcref table can hold, so compiled
 * code reaches the TLB refill through call_indirect.
 */
const FILL_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  // type 0: (f64, i32) -> i32
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7c, 0x7f, 0x01, 0x7f,
  // import env.fill: function of type 0
  0x02, 0x0c, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x00,
  // export "fill": function 0
  0x07, 0x08, 0x01, 0x04, 0x66, 0x69, 0x6c, 0x6c, 0x00, 0x00,
]);

/** Per-RAM state every CPU of a board shares: the code-page map and page generations. */
export class JitShared {
  readonly codeMap: Uint8Array;
  readonly gen: Uint32Array;
  readonly cpus: JitCpu[] = [];
  /** The JITs of those CPUs, whose jump caches must forget stale code. */
  readonly jits: { purgePage(page: number): void }[] = [];

  constructor(
    readonly wasm: WasmRam,
    readonly codeMapOffset: number,
  ) {
    const pages = Math.ceil(wasm.ramSize / 4096);
    this.codeMap = new Uint8Array(wasm.memory.buffer, codeMapOffset, pages);
    this.gen = new Uint32Array(pages);
  }

  /** Compiled code now comes from RAM page `page`: stores to it must be seen. */
  markCode(page: number): void {
    if (this.codeMap[page] !== 0) return;
    this.codeMap[page] = 1;
    // An interpreter's cached write page would bypass the check.
    for (const c of this.cpus) c.wrLin = Number.NaN;
  }

  /** RAM page `page` was written: blocks made from it are stale. */
  written(page: number): void {
    if (this.codeMap[page] === 0) return;
    this.codeMap[page] = 0;
    this.gen[page] = (this.gen[page]! + 1) >>> 0;
    for (const j of this.jits) j.purgePage(page);
  }

  /** Bytes [off, off + len) of RAM changed outside the CPUs' view (DMA, loaders). */
  writtenRange(off: number, len: number): void {
    if (len <= 0) return;
    const first = Math.max(0, Math.floor(off / 4096));
    const last = Math.min(this.gen.length - 1, Math.floor((off + len - 1) / 4096));
    for (let p = first; p <= last; p++) this.written(p);
  }
}

const shared = new WeakMap<WasmRam, JitShared>();

/** AXVISOR_JIT=0 in the environment turns the JIT off for CPUs that do not choose. */
export function jitFromEnvironment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.AXVISOR_JIT !== "0";
}

function statsFromEnvironment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  return env?.AXVISOR_JIT_STATS === "1";
}

export class X86Jit {
  /**
   * Entries into a region before it is compiled: compiling costs about as much as
   * interpreting a few thousand instructions, and most boot code runs a few times only.
   */
  static hotThreshold = 500;
  /**
   * Where V8 compiles the regions' modules: undefined = machine's default (synchronous unless
   * AXVISOR_JIT_OFFTHREAD=1 asks for a worker thread), true = a worker thread, false = synchronously on the CPU's
   * thread, so a region runs compiled from its hot entry on (tests that count entries).
   * Read when a JIT is created.
   */
  static offThread: boolean | undefined = undefined;
  /** Page memos in compiled memory accesses (codegen.ts translate); off: A/B measurements. */
  static pageMemos = true;
  /** V8 compiles the modules here; the blocks waiting for theirs by ticket. */
  private readonly queue: CompileQueue;
  private readonly waiting = new Map<number, Block>();
  private readonly blocks = new Map<number, Block>();
  /** Recently used blocks by cacheSlot(RAM offset); verified on use, so never stale. */
  private readonly recent: (Block | undefined)[] = new Array<Block | undefined>(
    BLOCK_CACHE_SIZE,
  ).fill(undefined);
  private readonly target: JitTarget;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  /**
   * Table slot 0: the TLB refill compiled code calls on a miss (FILL_MODULE); slot 1: the
   * flags materialize function (codegen.ts materializeModule).
   */
  private readonly table: WasmTable;
  /** TLB refills compiled code asked for, and those that succeeded (statistics). */
  fills = 0;
  filled = 0;
  /** Blocks compiled and instructions retired in compiled code (tests and statistics). */
  compiled = 0;
  retired = 0;
  /**
   * The lukewarm filter in front of run(): a cold block's RIP and the entries it may still be
   * interpreted before it can be hot, already counted in its hits. Branch targets reach run()
   * millions of times in a boot only to be told "cold"; the interpreter asks lukewarm() (two
   * typed-array reads) instead. The block each slot credited is kept so that an evicted
   * slot's unused entries are taken back and no block turns hot before its time.
   */
  private readonly coldRip = new Float64Array(COLD_SIZE).fill(Number.NaN);
  private readonly coldLeft = new Int32Array(COLD_SIZE);
  private readonly coldBlk: (Block | undefined)[] = new Array<Block | undefined>(COLD_SIZE).fill(
    undefined,
  );
  /** Compiled modules dropped because their code page was written while they compiled. */
  dropped = 0;
  /**
   * Milliseconds the CPU's thread spent compiling (decode, code generation, wasm compile when
   * synchronous, instantiation).
   */
  compileMs = 0;
  /** Regions compiled, by size in instructions (statistics). */
  compiledInsns = 0;

  private constructor(
    private readonly cpu: JitCpu,
    readonly shared: JitShared,
    readonly state: number,
  ) {
    const w = shared.wasm;
    this.target = {
      pages: w.pages,
      state,
      ramOffset: w.ramOffset,
      ramSize: w.ramSize,
      ramBase: cpu.ramBase,
      codeMap: shared.codeMapOffset,
    };
    this.i32 = new Int32Array(w.memory.buffer, state, 64);
    this.f64 = new Float64Array(w.memory.buffer, state, 64);
    const api = wasmApi!;
    this.table = new api.Table({ element: "anyfunc", initial: 2 });
    const fill = (lin: number, acc: number): number => {
      this.fills++;
      if (!cpu.tryFill(lin, acc, cpu.cpl === 3)) return 0;
      this.filled++;
      return 1;
    };
    const helper = new api.Instance(new api.Module(FILL_MODULE), { env: { fill } });
    this.table.set(0, helper.exports.fill);
    const mat = new api.Instance(new api.Module(materializeModule(w.pages)), {
      env: { mem: w.memory },
    });
    this.table.set(1, mat.exports.mat);
    this.jc = new Int32Array(w.memory.buffer, state + ST_JC, JC_SIZE * 4);
    this.jcRip = new Float64Array(w.memory.buffer, state + ST_JC, JC_SIZE * 2);
    this.purgeAll();
    // The dispatcher's own table: V8 mirrors a table into every instance that imports it, so
    // were the regions to import it too, each table.set and each region's instantiation would
    // cost in proportion to the regions compiled so far.
    this.regionTable = new api.Table({ element: "anyfunc", initial: 64 });
    const dispatcher = new api.Instance(new api.Module(dispatcherModule(this.target)), {
      env: { mem: w.memory, tab: this.regionTable },
    });
    this.dispatch = dispatcher.exports.run as RunFn;
    this.queue = openCompileQueue(
      X86Jit.offThread === undefined ? {} : { offThread: X86Jit.offThread },
    );
  }

  /** The jump cache as i32 words (4 per entry: RIP as f64, RAM offset, index << 2 | mode). */
  private readonly jc: Int32Array;
  private readonly jcRip: Float64Array;
  /** The dispatcher (dispatcher.ts): chains compiled regions through the jump cache. */
  private readonly dispatch: RunFn;
  /** The compiled regions by index (slot 0 unused), and the slots in use. */
  private readonly regionTable: WasmTable;
  private regionSlots = 1;

  /** Forgets every jump cache entry (an offset no region starts at). */
  private purgeAll(): void {
    for (let e = 0; e < JC_SIZE; e++) this.jc[e * 4 + 2] = -1;
  }

  /** RAM page `page` was written: the dispatcher must not chain into code made from it. */
  purgePage(page: number): void {
    const jc = this.jc;
    for (let e = 0; e < JC_SIZE; e++) {
      const off = jc[e * 4 + 2]!;
      if (off >= 0 && off >>> 12 === page) jc[e * 4 + 2] = -1;
    }
  }

  /**
   * A JIT for `cpu` whose RAM came from machine's allocateRam, with its state block; undefined
   * (interpret only) for other RAM, when every state block is taken or the code map does not
   * fit. `state` is the claimed block's offset, for the CPU's register and TLB views.
   */
  static create(cpu: JitCpu): X86Jit | undefined {
    if (wasmApi === undefined) return undefined;
    const claim = claimCpuState(cpu.ram);
    if (claim === undefined) return undefined;
    let s = shared.get(claim.wasm);
    if (s === undefined) {
      const pages = Math.ceil(claim.wasm.ramSize / 4096);
      if (ST_CODE_MAP + pages > CPU_STATE_BYTES) return undefined;
      s = new JitShared(claim.wasm, claim.offset + ST_CODE_MAP);
      shared.set(claim.wasm, s);
    }
    s.cpus.push(cpu);
    const jit = new X86Jit(cpu, s, claim.offset);
    s.jits.push(jit);
    const proc = (globalThis as { process?: { on(e: string, f: () => void): void } }).process;
    if (jit.stops !== undefined) proc?.on("exit", () => console.error(jit.report()));
    return jit;
  }

  get memory(): ArrayBufferLike {
    return this.shared.wasm.memory.buffer;
  }

  /**
   * True when the block at linear `rip` is known to be cold for this entry too: the
   * interpreter runs it without calling run() (which would only count the entry). Counts the
   * entry as run() would have.
   */
  lukewarm(rip: number): boolean {
    const s = coldSlot(rip);
    if (this.coldRip[s] !== rip) return false;
    const left = this.coldLeft[s]!;
    if (left <= 0) return false;
    this.coldLeft[s] = left - 1;
    return true;
  }

  /**
   * The cold block `blk` at `rip` was just entered in the interpreter: let the next entries
   * up to the last before its hot one skip run(), counting them now.
   */
  private creditCold(blk: Block, rip: number): void {
    const s = coldSlot(rip);
    const prev = this.coldBlk[s];
    if (prev !== undefined && prev !== blk) prev.hits -= this.coldLeft[s]!;
    else if (prev === blk) blk.hits -= this.coldLeft[s]!;
    const credit = Math.max(X86Jit.hotThreshold - 1 - blk.hits, 0);
    this.coldRip[s] = rip;
    this.coldLeft[s] = credit;
    this.coldBlk[s] = blk;
    blk.hits += credit;
  }

  /** Forgets the lukewarm filter's entry for `rip` (its block is compiled or dropped). */
  private uncredit(rip: number): void {
    const s = coldSlot(rip);
    if (this.coldRip[s] !== rip) return;
    const prev = this.coldBlk[s];
    if (prev !== undefined) prev.hits -= this.coldLeft[s]!;
    this.coldRip[s] = Number.NaN;
    this.coldLeft[s] = 0;
    this.coldBlk[s] = undefined;
  }

  /** Whether compiled code exists for linear `rip` (any page, CPL or mode; tests). */
  compiledAt(rip: number): boolean {
    for (let b = this.blocks.get(rip) ?? null; b !== null; b = b.alt)
      if (b.fn !== null) return true;
    return false;
  }

  /** Regions submitted to the compile queue and not installed yet. */
  get pendingCompiles(): number {
    return this.waiting.size;
  }

  /**
   * Waits for every module the queue is compiling and installs it (or drops it if stale): a
   * point where compiled code is as synchronous compiles would have left it (tests, snapshots).
   */
  finishCompiles(): void {
    const t0 = performance.now();
    this.queue.drain((ticket, module) => this.installOne(ticket, module));
    this.compileMs += performance.now() - t0;
  }

  /** Drops every block (tests; nothing needs it for correctness). */
  clear(): void {
    // Modules still compiling belong to the dropped blocks.
    this.queue.drain(() => {});
    this.waiting.clear();
    this.blocks.clear();
    this.recent.fill(undefined);
    this.coldRip.fill(Number.NaN);
    this.coldLeft.fill(0);
    this.coldBlk.fill(undefined);
    this.purgeAll();
  }

  /**
   * Runs compiled blocks from the current RIP for at most `budget` instructions; returns how
   * many retired (0: nothing compiled here, the interpreter steps). `stepNext` is set when the
   * last block left at an instruction the interpreter must run.
   */
  run(budget: number): number {
    const cpu = this.cpu;
    const s = this.shared;
    let total = 0;
    let segmentsLoaded = false;
    this.calls++;
    // Blocks are compiled for CPL 0 or CPL 3 (CLI/STI and the stack rules depend on it).
    if (cpu.cpl === 1 || cpu.cpl === 2) {
      this.stepNext = false;
      return 0;
    }
    if (this.queue.ready) this.install();
    while (total < budget) {
      const rip = cpu.rip;
      const user = cpu.cpl === 3;
      let pa = cpu.probeFetch(rip, user);
      if (pa < 0) {
        // Code reached through a translation not cached yet: cache it (a fault: interpreter).
        if (!cpu.tryFill(rip, 2, user)) break;
        pa = cpu.probeFetch(rip, user);
        if (pa < 0) break;
      }
      const off = pa - cpu.ramBase;
      if (off < 0 || off >= this.target.ramSize) break;
      const page = Math.floor(off / 4096);
      const nonRoot = cpu.vmx.guestMode;
      const slot = cacheSlot(off);
      let blk = this.recent[slot];
      if (
        blk === undefined ||
        blk.rip !== rip ||
        blk.phys !== pa ||
        blk.user !== user ||
        blk.nonRoot !== nonRoot ||
        blk.gen !== s.gen[page]
      ) {
        const first = this.blocks.get(rip);
        blk = first;
        while (
          blk !== undefined &&
          (blk.phys !== pa || blk.user !== user || blk.nonRoot !== nonRoot)
        )
          blk = blk.alt ?? undefined;
        if (blk === undefined || blk.gen !== s.gen[page]) {
          blk = this.addBlock(rip, first, blk, pa, user, nonRoot, s.gen[page]!);
        }
        this.recent[slot] = blk;
      }
      if (blk.fn === null) {
        // An instruction the JIT does not compile inside hot code: the interpreter runs it
        // and the JIT is asked again right after it.
        if (blk.uncompilable) {
          if (this.stops !== undefined) this.noteStop(pa, "first");
          this.stepNext = true;
          return total;
        }
        // Compiled code reached a cold block: the CPU asks again for this RIP at once (it
        // returns here), and the entry counts then, once. A block whose module is still
        // compiling stays interpreted.
        if (total > 0 || blk.pending) break;
        if (++blk.hits < X86Jit.hotThreshold) {
          this.coldCalls++;
          this.creditCold(blk, rip);
          break;
        }
        this.uncredit(rip);
        if (!this.compile(blk, rip, off, user, page, nonRoot)) {
          this.stepNext = true;
          return total;
        }
        // Synchronous compiles are ready at once; off-thread ones come at a later call.
        if (this.queue.ready) this.install();
        if (blk.fn === null) break;
      }
      if (!segmentsLoaded) {
        this.loadSegments();
        segmentsLoaded = true;
      }
      // Enter through the dispatcher, which chains on through the jump cache from here.
      const e = jcSlot(off) * 4;
      this.jcRip[e / 2] = rip;
      this.jc[e + 2] = off;
      this.jc[e + 3] = (blk.index << 2) | (user ? 1 : 0) | (nonRoot ? 2 : 0);
      this.f64[ST_RIP / 8] = rip;
      this.i32[ST_FLAGS / 4] = cpu.flags;
      const n = this.dispatch(budget - total, cpu.tlbCtx, (user ? 1 : 0) | (nonRoot ? 2 : 0));
      this.entries++;
      cpu.rip = this.f64[ST_RIP / 8]!;
      cpu.flags = this.i32[ST_FLAGS / 4]! >>> 0;
      const why = this.i32[ST_CHAIN_EXIT / 4]!;
      total += n;
      this.retired += n;
      if (why === CHAIN_STEP) {
        // A compiled STI set IF and stopped after itself. As the interpreter's STI does,
        // interrupts wait until the instruction after it (which the interpreter runs).
        if (this.i32[ST_STI / 4] !== 0) {
          this.i32[ST_STI / 4] = 0;
          cpu.shadowAt = cpu.icount + total;
        }
        if (this.stops !== undefined) {
          const q = cpu.probeFetch(cpu.rip, cpu.cpl === 3);
          if (q >= 0) this.noteStop(q, "exit");
        }
        this.stepNext = true;
        return total;
      }
      // A region not in the jump cache is next: look it up here (it may need compiling).
      // Otherwise the budget is spent or ends before the next region's end.
      if (why !== CHAIN_MISS || n === 0) break;
    }
    this.stepNext = false;
    return total;
  }

  /** run() calls, and those that found cold code at once (statistics). */
  calls = 0;
  /** Calls into the dispatcher (each chains through any number of regions). */
  entries = 0;
  coldCalls = 0;
  /**
   * With AXVISOR_JIT_STATS=1: where compiled code stopped for the interpreter, by the
   * instruction's first bytes ("first": a region whose first instruction is not compiled;
   * "exit": a side exit), printed at process exit to find what to compile next.
   */
  readonly stops: Map<string, number> | undefined = statsFromEnvironment() ? new Map() : undefined;

  private noteStop(pa: number, how: string): void {
    const off = pa - this.cpu.ramBase;
    const bytes: string[] = [];
    for (let k = 0; k < 6 && off + k < this.cpu.ram.length; k++)
      bytes.push(this.cpu.ram[off + k]!.toString(16).padStart(2, "0"));
    const key = `${how} ${bytes.join(" ")}`;
    this.stops!.set(key, (this.stops!.get(key) ?? 0) + 1);
  }

  /** The statistics as lines of text (AXVISOR_JIT_STATS). */
  report(): string {
    const lines = [
      `x86 jit: ${this.calls} calls (${this.coldCalls} cold), ${this.entries} dispatcher entries (${this.i32[ST_CHAIN_HOPS / 4]! >>> 0} region runs), ${this.compiled} regions (${this.compiledInsns} insns, ${this.compileMs.toFixed(0)} ms on this thread, ${this.dropped} dropped stale${this.queue.offThread ? ", compiled off-thread" : ""}), ${this.retired} retired, TLB refills ${this.filled}/${this.fills}`,
    ];
    if (this.stops !== undefined) {
      const top = [...this.stops].sort((a, b) => b[1] - a[1]).slice(0, 60);
      for (const [k, n] of top) lines.push(`  ${String(n).padStart(9)} ${k}`);
    }
    return lines.join("\n");
  }

  /**
   * A fresh block for `rip` at the head of its chain (`first`), replacing `stale` (the same
   * page, CPL and mode, an older generation) or else the oldest when the chain is full.
   */
  private addBlock(
    rip: number,
    first: Block | undefined,
    stale: Block | undefined,
    phys: number,
    user: boolean,
    nonRoot: boolean,
    gen: number,
  ): Block {
    const blk: Block = {
      rip,
      phys,
      user,
      nonRoot,
      gen,
      hits: 0,
      fn: null,
      index: 0,
      uncompilable: false,
      pending: false,
      alt: null,
    };
    const kept: Block[] = [blk];
    for (let b = first ?? null; b !== null; b = b.alt) if (b !== stale) kept.push(b);
    kept.length = Math.min(kept.length, MAX_ALTERNATES);
    for (let k = 0; k < kept.length; k++) kept[k]!.alt = kept[k + 1] ?? null;
    this.blocks.set(rip, blk);
    return blk;
  }

  /** The last run() stopped at an instruction the interpreter must run next. */
  stepNext = false;

  /**
   * Copies the segment state compiled code reads (FS/GS bases for overrides, selectors for
   * MOV r/m, Sreg) into the state block: once per run(), as no compiled instruction changes it.
   */
  private loadSegments(): void {
    const cpu = this.cpu;
    const f64 = this.f64;
    f64[ST_FS_BASE / 8] = cpu.segBase[4]!;
    f64[ST_FS_BASE / 8 + 1] = cpu.segBase[5]!;
    const i32 = this.i32;
    const sel = cpu.segSel;
    for (let s = 0; s < 6; s++) i32[ST_SEL / 4 + s] = sel[s]!;
  }

  /**
   * Plans and writes the module of the region at `rip` and submits it to the compile queue
   * (the block is pending until install() takes it); false when its first instruction is
   * not compiled.
   */
  private compile(
    blk: Block,
    rip: number,
    off: number,
    user: boolean,
    page: number,
    nonRoot: boolean,
  ): boolean {
    const t0 = performance.now();
    const decoded = decodeRegion(this.cpu.ram, off, rip);
    const blocks = nonRoot ? nonRootRegion(decoded) : decoded;
    if (blocks.length === 0) {
      blk.uncompilable = true;
      this.compileMs += performance.now() - t0;
      return false;
    }
    const bytes = compileRegion(blocks, user, this.target, X86Jit.pageMemos);
    // From now on a store to the page is seen (and makes the module stale).
    this.shared.markCode(page);
    blk.pending = true;
    this.waiting.set(this.queue.submit(bytes), blk);
    for (const b of blocks) this.compiledInsns += b.length;
    this.compileMs += performance.now() - t0;
    return true;
  }

  /**
   * Takes the compiled modules the queue has ready and makes their blocks runnable, except
   * those whose code page was written since their bytes were planned (dropped: the block is
   * stale, the next entry finds a fresh one).
   */
  private install(): void {
    const t0 = performance.now();
    this.queue.take((ticket, module) => this.installOne(ticket, module));
    this.compileMs += performance.now() - t0;
  }

  private installOne(ticket: number, module: WasmModule): void {
    const blk = this.waiting.get(ticket);
    if (blk === undefined) return;
    this.waiting.delete(ticket);
    blk.pending = false;
    const page = Math.floor((blk.phys - this.cpu.ramBase) / 4096);
    if (blk.gen !== this.shared.gen[page]) {
      this.dropped++;
      return;
    }
    const inst: WasmInstance = new wasmApi!.Instance(module, {
      env: { mem: this.shared.wasm.memory, tab: this.table },
    });
    const fn = inst.exports.run as RunFn;
    if (this.regionSlots === this.regionTable.length) this.regionTable.grow(this.regionSlots);
    blk.index = this.regionSlots++;
    this.regionTable.set(blk.index, fn);
    blk.fn = fn;
    this.compiled++;
  }
}
