/**
 * The JIT tier against the interpreter: the same program on a hart that compiles everything
 * it enters (threshold 1) and on one that only interprets must reach the same architectural
 * state at every stop, including traps, interrupts, self-modifying code, remaps and DMA.
 */
import { type CompileQueue, openCompileQueue } from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { CSR } from "../csr-numbers.js";
import type { Hart } from "../hart.js";
import * as a from "../testing/asm.js";
import { HeldCompileQueue } from "../testing/held-compile-queue.js";
import { enterMode } from "../testing/modes.js";
import { PageTables, PTE } from "../testing/page-tables.js";
import { makeHart, RAM_BASE, type TestBus } from "../testing/test-machine.js";
import { hasSelfLoop, planRegion } from "./region.js";

const CODE = RAM_BASE + 0x1000;
const MTVEC = RAM_BASE + 0x8000;
const DATA = RAM_BASE + 0x10000;
/**
 * Compile every entry at once, on the synchronous queue (a fresh one per hart: a JIT takes
 * every module of its queue): the tests below assert when code runs compiled.
 */
const eager = (compileQueue: CompileQueue = openCompileQueue({ offThread: false })) => ({
  hotThreshold: 1,
  batch: 1,
  compileQueue,
});

type M = ReturnType<typeof makeHart>;

function machine(jit: boolean, prog: readonly number[], at = CODE, queue?: CompileQueue): M {
  const m = makeHart([], {}, jit ? eager(queue) : false);
  m.bus.writeWords(at, prog);
  m.bus.writeWords(MTVEC, [a.jal(0, 0)]);
  m.hart.writeCsr(CSR.mtvec, BigInt(MTVEC));
  m.hart.setPc(BigInt(at));
  if (jit) expect(m.hart.jit).not.toBeNull();
  else expect(m.hart.jit).toBeNull();
  return m;
}

/** Architectural state worth comparing: PC, registers, retired count and trap CSRs. */
function state(h: Hart) {
  return {
    pc: h.getPc(),
    x: Array.from({ length: 32 }, (_, i) => h.getX(i)),
    instret: h.instret,
    priv: h.priv,
    mcause: h.readCsr(CSR.mcause),
    mepc: h.readCsr(CSR.mepc),
    mtval: h.readCsr(CSR.mtval),
    scause: h.readCsr(CSR.scause),
    sepc: h.readCsr(CSR.sepc),
    stval: h.readCsr(CSR.stval),
  };
}

function ramSlice(bus: TestBus, from: number, len: number): Uint8Array {
  return bus.ram.slice(from - RAM_BASE, from - RAM_BASE + len);
}

/** Runs both machines in the same chunks and expects identical state after each. */
function lockstep(j: M, i: M, chunks: readonly number[], dataLen = 0x1000): void {
  for (const n of chunks) {
    const rj = j.hart.run(n);
    const ri = i.hart.run(n);
    expect(rj).toBe(ri);
    expect(state(j.hart)).toEqual(state(i.hart));
    if (dataLen > 0) expect(ramSlice(j.bus, DATA, dataLen)).toEqual(ramSlice(i.bus, DATA, dataLen));
  }
}

/** A small deterministic PRNG (xorshift32). */
function rng(seed: number) {
  let s = seed | 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

/**
 * A random loop over x1..x15 with ALU, M, W-form, LUI/AUIPC, loads and stores (aligned and
 * not) into DATA through x20, and forward branches (none with `branches` false: the loop is
 * then one block branching to itself); x21 counts iterations.
 */
function randomLoop(seed: number, body: number, branches = true): number[] {
  const r = rng(seed);
  const reg = () => 1 + r(15);
  const imm12 = () => r(4096) - 2048;
  const aluR = [
    a.add,
    a.sub,
    a.sll,
    a.slt,
    a.sltu,
    a.xor,
    a.srl,
    a.sra,
    a.or,
    a.and,
    a.mul,
    a.mulh,
    a.mulhsu,
    a.mulhu,
    a.div,
    a.divu,
    a.rem,
    a.remu,
    a.addw,
    a.subw,
    a.sllw,
    a.srlw,
    a.sraw,
    a.mulw,
    a.divw,
    a.divuw,
    a.remw,
    a.remuw,
  ];
  const aluI = [a.addi, a.slti, a.sltiu, a.xori, a.ori, a.andi, a.addiw];
  const shI = [a.slli, a.srli, a.srai];
  const shW = [a.slliw, a.srliw, a.sraiw];
  const loads = [a.lb, a.lh, a.lw, a.ld, a.lbu, a.lhu, a.lwu];
  const stores = [a.sb, a.sh, a.sw, a.sd];
  const jumps = [a.beq, a.bne, a.blt, a.bge, a.bltu, a.bgeu];
  const out: number[] = [];
  while (out.length < body) {
    const k = r(branches ? 20 : 18);
    if (k < 6) out.push(aluR[r(aluR.length)]!(reg(), reg(), reg()));
    else if (k < 9) out.push(aluI[r(aluI.length)]!(reg(), reg(), imm12()));
    else if (k < 10) out.push(shI[r(3)]!(reg(), reg(), r(64)));
    else if (k < 11) out.push(shW[r(3)]!(reg(), reg(), r(32)));
    else if (k < 12) out.push(r(2) ? a.lui(reg(), r(1 << 20)) : a.auipc(reg(), r(1 << 20)));
    // Without branches the offsets are aligned: a misaligned access leaves compiled code on
    // every pass, and the loop would never run two iterations in one go.
    else if (k < 15) out.push(loads[r(loads.length)]!(reg(), 20, branches ? r(2040) : 8 * r(255)));
    else if (k < 18)
      out.push(stores[r(stores.length)]!(reg(), 20, branches ? r(2040) : 8 * r(255)));
    else out.push(jumps[r(jumps.length)]!(reg(), reg(), 4 * (2 + r(2))));
  }
  // Branches may jump past the end of the body: pad so every target is a NOP.
  out.push(a.NOP, a.NOP, a.NOP);
  // addi at index L, bne at L+1 back to index 0
  out.push(a.addi(21, 21, -1), a.bne(21, 0, -4 * (out.length + 1)), a.jal(0, 0));
  return out;
}

describe("JIT: compiled code retires exactly what the interpreter does", () => {
  it("a hot loop runs compiled and stops at any instruction boundary", () => {
    const prog = [a.addi(6, 6, 1), a.addi(5, 5, -1), a.bne(5, 0, -8), a.jal(0, 0)];
    const j = machine(true, prog);
    const i = machine(false, prog);
    for (const m of [j, i]) m.hart.setX(5, 100_000n);
    lockstep(j, i, [7, 1000, 3333, 1, 2, 50_000, 200_000, 100_000]);
    expect(j.hart.jit!.stats.regions).toBeGreaterThan(0);
    expect(j.hart.jit!.stats.retired).toBeGreaterThan(200_000);
    expect(j.hart.getX(6)).toBe(100_000n);
  });

  for (const [seed, branches] of [
    [1, true],
    [2, true],
    [3, true],
    [4, true],
    [5, true],
    [6, true],
    [7, true],
    [8, true],
    [9, false],
    [10, false],
    [11, false],
    [12, false],
    [13, false],
    [14, false],
  ] as const) {
    it(`random loop ${seed}${branches ? "" : " (one self-looping block)"}: registers, memory and counts agree`, () => {
      // Seeds 12-14: a body short enough (8 + 3 NOPs + addi + bne) to run four iterations
      // per budget check; 9-11 run two.
      const prog = randomLoop(seed * 7919, branches ? 40 : seed >= 12 ? 8 : 12, branches);
      // Odd seeds compile asynchronously: a module arrives only after a few more entries.
      const j = machine(true, prog, CODE, seed % 2 ? new HeldCompileQueue(seed) : undefined);
      const i = machine(false, prog);
      const r = rng(seed);
      const init = Array.from({ length: 16 }, () => BigInt(r(1 << 30)) << BigInt(r(34)));
      for (const m of [j, i]) {
        for (let k = 1; k < 16; k++) m.hart.setX(k, BigInt.asUintN(64, init[k]!));
        m.hart.setX(20, BigInt(DATA));
        // The short loops end in each of the four unrolled copies across seeds 12-14.
        m.hart.setX(21, seed >= 12 ? BigInt(600 + (seed % 4)) : 300n);
        for (let k = 0; k < 0x1000; k++) m.bus.ram[DATA - RAM_BASE + k] = (k * 37 + seed) & 0xff;
      }
      lockstep(j, i, [5, 17, 100, 999, 3000, 10_000, 20_000]);
      expect(j.hart.jit!.stats.retired).toBeGreaterThan(5000);
    });
  }
});

describe("JIT: compiling on the worker thread", () => {
  it("a hot loop keeps running interpreted until its module comes back, then compiled", () => {
    const q = openCompileQueue({ offThread: true });
    expect(q.offThread).toBe(true);
    const prog = [a.addi(6, 6, 1), a.addi(5, 5, -1), a.bne(5, 0, -8), a.jal(0, 0)];
    const j = machine(true, prog, CODE, q);
    const i = machine(false, prog);
    for (const m of [j, i]) m.hart.setX(5, 10_000_000n);
    // No draining: modules come back while the hart runs (a few ms on an idle core).
    const until = performance.now() + 10_000;
    while (j.hart.jit!.stats.retired === 0 && performance.now() < until) {
      lockstep(j, i, [3001], 0);
    }
    expect(j.hart.jit!.stats.retired).toBeGreaterThan(0);
    lockstep(j, i, [100_000], 0);
    q.close();
  });

  for (const seed of [3, 10]) {
    it(`random loop ${seed}: the same state as the interpreter whenever modules arrive`, () => {
      const q = openCompileQueue({ offThread: true });
      const prog = randomLoop(seed * 7919, seed === 10 ? 12 : 40, seed !== 10);
      const j = machine(true, prog, CODE, q);
      const i = machine(false, prog);
      const r = rng(seed);
      const init = Array.from({ length: 16 }, () => BigInt(r(1 << 30)));
      for (const m of [j, i]) {
        for (let k = 1; k < 16; k++) m.hart.setX(k, init[k]!);
        m.hart.setX(20, BigInt(DATA));
        m.hart.setX(21, 300n);
      }
      lockstep(j, i, [5, 17, 100, 999]);
      j.hart.jit!.settle();
      expect(q.pending).toBe(0);
      lockstep(j, i, [3000, 10_000, 20_000]);
      expect(j.hart.jit!.stats.retired).toBeGreaterThan(1000);
      q.close();
    });
  }
});

describe("JIT: compressed code and guests", () => {
  it("an RVC loop with a call through c.jalr and c.jr (links are pc + 2)", () => {
    // loop: c.addi a0,1; c.mv a1,a0; c.slli a1,3; c.add a2,a1; c.sd a2,0(s0); c.ld a3,8(s0);
    //       c.jalr a4; c.addi a5,-1; c.bnez a5,loop; j .
    // func: c.addi a2,3; c.sw a2,8(s0); c.jr ra           (assembled by GNU as, rv64gc)
    const halves = [
      0x0505, 0x85aa, 0x058e, 0x962e, 0xe010, 0x6414, 0x9702, 0x17fd, 0xfbe5, 0xa001, 0x060d,
      0xc410, 0x8082, 0x0001,
    ];
    const words: number[] = [];
    for (let k = 0; k < halves.length; k += 2) words.push(halves[k]! | (halves[k + 1]! << 16));
    const j = machine(true, words);
    const i = machine(false, words);
    for (const m of [j, i]) {
      m.hart.setX(8, BigInt(DATA));
      m.hart.setX(14, BigInt(CODE + 0x14)); // a4 = func
      m.hart.setX(15, 2000n); // a5
    }
    lockstep(j, i, [3, 11, 100, 1000, 5000, 20_000]);
    expect(j.hart.getX(15)).toBe(0n);
    expect(j.hart.getX(1)).toBe(BigInt(CODE + 0xe)); // ra = c.jalr + 2
    expect(j.hart.jit!.stats.retired).toBeGreaterThan(10_000);
  });

  it("a guest (V=1, two-stage translation) runs a random loop as in the interpreter", () => {
    const prog = randomLoop(4242, 48);
    const HPA = RAM_BASE + 0x20_0000;
    const GPA = 0x8000_0000;
    const run = (jit: boolean) => {
      const m = makeHart([], {}, jit ? eager() : false);
      const h = m.hart;
      h.hostTrapMode = true;
      const g = new PageTables(m.bus, RAM_BASE + 0x10_0000, 3, true);
      g.map(GPA, HPA, PTE.V | PTE.R | PTE.W | PTE.X | PTE.U, 1);
      m.bus.writeWords(HPA + 0x1000, prog);
      for (let k = 0; k < 0x1000; k++) m.bus.ram[HPA + 0x10000 - RAM_BASE + k] = (k * 13) & 0xff;
      h.writeCsr(CSR.hgatp, g.atp(3));
      h.writeCsr(CSR.hstatus, (1n << 7n) | (1n << 8n));
      h.writeCsr(CSR.sstatus, 1n << 8n);
      h.writeCsr(CSR.sepc, BigInt(GPA + 0x1000));
      for (let k = 1; k < 16; k++) h.setX(k, BigInt(k) * 0x1234_5678_9abn);
      h.setX(20, BigInt(GPA + 0x10000));
      h.setX(21, 400n);
      h.enterGuest();
      return m;
    };
    const j = run(true);
    const i = run(false);
    for (const n of [9, 100, 2000, 7000, 30_000]) {
      expect(j.hart.run(n)).toBe(i.hart.run(n));
      expect(state(j.hart)).toEqual(state(i.hart));
      expect(j.bus.ram.slice(0x21_0000, 0x21_1000)).toEqual(i.bus.ram.slice(0x21_0000, 0x21_1000));
    }
    expect(j.hart.jit!.stats.retired).toBeGreaterThan(10_000);
  });
});

describe("JIT: traps inside compiled code are precise", () => {
  it("a load page fault in the middle of a compiled block (S-mode, Sv39)", () => {
    // Sum words of consecutive pages; the fourth page is not mapped.
    const prog = [
      a.ld(7, 1, 0), // 0
      a.add(6, 6, 7), // 4
      a.addi(8, 8, 1), // 8
      a.lui(9, 1), // 12: x9 = 4096
      a.add(1, 1, 9), // 16
      a.addi(5, 5, -1), // 20
      a.bne(5, 0, -24), // 24
      a.jal(0, 0),
    ];
    const run = (jit: boolean) => {
      const m = machine(jit, prog);
      const pt = new PageTables(m.bus, RAM_BASE + 0x40000, 3);
      pt.map(RAM_BASE, RAM_BASE, PTE.V | PTE.R | PTE.W | PTE.X | PTE.A | PTE.D, 2);
      for (let p = 0; p < 3; p++) {
        pt.map(0x4000_0000 + p * 4096, DATA + p * 4096, PTE.V | PTE.R | PTE.A);
        m.bus.write64(DATA + p * 4096, BigInt(p + 1) * 0x1_0000_0001n);
      }
      m.hart.writeCsr(CSR.satp, pt.atp());
      enterMode(m.hart, m.bus, 1, CODE);
      m.hart.setX(1, 0x4000_0000n);
      m.hart.setX(5, 10n);
      return m;
    };
    const j = run(true);
    const i = run(false);
    // Warm the loop up in small steps so the fault happens inside compiled code.
    lockstep(j, i, [3, 4, 5, 6, 7, 1000], 0);
    expect(j.hart.priv).toBe(3);
    expect(j.hart.readCsr(CSR.mcause)).toBe(13n);
    expect(j.hart.readCsr(CSR.mtval)).toBe(0x4000_3000n);
    expect(j.hart.readCsr(CSR.mepc)).toBe(BigInt(CODE));
    expect(j.hart.getX(6)).toBe(6n * 0x1_0000_0001n);
    expect(j.hart.getX(8)).toBe(3n);
    expect(j.hart.jit!.stats.retired).toBeGreaterThan(0);
  });

  it("a store to a read-only page and a misaligned access inside a compiled loop", () => {
    const prog = [
      a.ld(7, 1, 3), // misaligned: emulated, leaves compiled code and comes back
      a.addi(7, 7, 1),
      a.sd(7, 2, 0), // the second store page is read-only: store page fault
      a.addi(2, 2, 1024),
      a.addi(6, 6, 1),
      a.bne(6, 5, -20),
      a.jal(0, 0),
    ];
    const run = (jit: boolean) => {
      const m = machine(jit, prog);
      const pt = new PageTables(m.bus, RAM_BASE + 0x40000, 3);
      pt.map(RAM_BASE, RAM_BASE, PTE.V | PTE.R | PTE.W | PTE.X | PTE.A | PTE.D, 2);
      pt.map(0x4000_0000, DATA, PTE.V | PTE.R | PTE.W | PTE.A | PTE.D);
      pt.map(0x4000_1000, DATA + 0x1000, PTE.V | PTE.R | PTE.A);
      m.hart.writeCsr(CSR.satp, pt.atp());
      enterMode(m.hart, m.bus, 1, CODE);
      m.hart.setX(1, BigInt(RAM_BASE + 0x20000));
      m.hart.setX(2, 0x4000_0000n);
      m.hart.setX(5, 100n);
      return m;
    };
    const j = run(true);
    const i = run(false);
    lockstep(j, i, [2, 9, 11, 500], 0x2000);
    expect(j.hart.readCsr(CSR.mcause)).toBe(15n);
    expect(j.hart.readCsr(CSR.mtval)).toBe(0x4000_1000n);
    expect(j.hart.readCsr(CSR.mepc)).toBe(BigInt(CODE + 8));
    expect(j.hart.getX(6)).toBe(4n);
  });
});

describe("JIT: a loop that is one block runs several iterations per budget check", () => {
  it("the loop ends in any of the unrolled iterations with exact counts", () => {
    // Three instructions per iteration: four run per budget check, so 1..9 iterations end
    // the loop in every one of the four copies (and in the single-iteration tail).
    // After the loop, straight-line increments of x8: a budget stop among them shows any
    // miscount of the loop's instructions as a different x8.
    const prog = [
      a.addi(6, 6, 1),
      a.addi(5, 5, -1),
      a.bne(5, 0, -8),
      a.addi(7, 6, 0),
      ...Array.from({ length: 40 }, () => a.addi(8, 8, 1)),
      a.jal(0, 0),
    ];
    for (let n = 1; n <= 9; n++) {
      const j = machine(true, prog);
      const i = machine(false, prog);
      for (const m of [j, i]) m.hart.setX(5, BigInt(n));
      lockstep(j, i, [3 * n + 1 + 20, 1000], 0);
      expect(j.hart.getX(7)).toBe(BigInt(n));
      expect(j.hart.getX(8)).toBe(40n);
      expect(j.hart.jit!.stats.retired).toBeGreaterThan(3 * n);
    }
  });

  it("TLB misses in any of the unrolled iterations leave with exact counts", () => {
    // Walks 9 pages 24 bytes at a time: every page crossing is a TLB miss (a side exit) for
    // the load and the store, and with 4096 / 24 iterations per page the crossings fall in
    // the first or the second iteration of a pair.
    const prog = [
      a.ld(7, 2, 0),
      a.addi(7, 7, 3),
      a.sd(7, 2, 0),
      a.addi(2, 2, 24),
      a.addi(5, 5, -1),
      a.bne(5, 0, -20),
      a.jal(0, 0),
    ];
    for (const chunks of [
      [3, 1000, 7, 5000, 20_000],
      [10, 999, 13, 4001, 20_000],
    ]) {
      const j = machine(true, prog);
      const i = machine(false, prog);
      for (const m of [j, i]) {
        m.hart.setX(2, BigInt(DATA));
        m.hart.setX(5, 1500n);
      }
      lockstep(j, i, chunks, 0);
      // 36 KiB compared once, as bytes (a deep comparison after every chunk takes seconds)
      const same = Buffer.from(ramSlice(j.bus, DATA, 0x9000)).equals(ramSlice(i.bus, DATA, 0x9000));
      expect(same).toBe(true);
      expect(j.hart.getX(5)).toBe(0n);
      expect(j.hart.jit!.stats.retired).toBeGreaterThan(8000);
    }
  });
});

describe("JIT: interrupts", () => {
  it("a timer interrupt reaches a tight compiled loop as soon as in the interpreter", () => {
    const prog = [a.addi(6, 6, 1), a.jal(0, -4)];
    const run = (jit: boolean) => {
      const m = machine(jit, prog);
      // time = instructions retired, so the compare fires in the middle of a run() call
      const hart = m.hart;
      const clock = { now: () => hart.instret };
      Object.defineProperty(hart, "time", { value: clock });
      hart.writeCsr(CSR.menvcfg, 1n << 63n);
      hart.writeCsr(CSR.stimecmp, 123_457n);
      hart.writeCsr(CSR.mie, 1n << 5n); // STIE, not delegated: taken in M-mode
      hart.writeCsr(CSR.mstatus, 1n << 3n); // MIE
      return m;
    };
    const j = run(true);
    const i = run(false);
    j.hart.run(1_000_000);
    i.hart.run(1_000_000);
    expect(j.hart.readCsr(CSR.mcause)).toBe((1n << 63n) | 5n);
    expect(state(j.hart)).toEqual(state(i.hart));
    // Interrupts are sampled every 4096 instructions at the latest.
    const takenAt = j.hart.getX(6) * 2n;
    expect(takenAt).toBeGreaterThanOrEqual(123_457n);
    expect(takenAt).toBeLessThan(123_457n + 4096n + 2n);
    expect(j.hart.jit!.stats.retired).toBeGreaterThan(100_000);
  });
});

describe("JIT: code that changes under compiled code", () => {
  /** x6 += (the immediate of the ADDI at CODE) in a loop of x5 iterations. */
  const loop = (step: number) => [
    a.addi(6, 6, step),
    a.addi(5, 5, -1),
    a.bne(5, 0, -8),
    a.jal(0, 0),
  ];

  /**
   * A loop that rewrites its own first instruction (addi x6,x6,1 -> addi x6,x6,100) when x5
   * reaches 500, on a hart with or without the JIT (compiling through `queue` if given).
   */
  const selfPatchingLoop = (jit: boolean, queue?: CompileQueue): M => {
    const m = machine(
      jit,
      [
        a.addi(6, 6, 1), // CODE
        a.addi(5, 5, -1),
        a.bne(5, 11, 8), // skip the patch unless x5 == 500
        a.sw(12, 10, 0), // *(CODE) = patched
        a.bne(5, 0, -16),
        a.jal(0, 0),
      ],
      CODE,
      queue,
    );
    m.hart.setX(5, 1000n);
    m.hart.setX(10, BigInt(CODE));
    m.hart.setX(11, 500n);
    m.hart.setX(12, BigInt(a.addi(6, 6, 100)));
    return m;
  };

  it("self-modifying code: a store into a compiled loop takes effect at once", () => {
    // No FENCE.I: the hart behaves as if every store were followed by one.
    const run = (jit: boolean) => selfPatchingLoop(jit);
    const j = run(true);
    const i = run(false);
    lockstep(j, i, [1000, 7, 5000], 0);
    expect(j.hart.getX(5)).toBe(0n);
    // 500 iterations of +1, then 500 of +100
    expect(j.hart.getX(6)).toBe(500n + 500n * 100n);
    expect(j.hart.jit!.stats.invalidations).toBeGreaterThan(0);
  });

  it("FENCE.I after the host rewrote code without telling the hart", () => {
    const prog = [...loop(1), a.FENCE_I, a.jal(0, -20)];
    const j = machine(true, prog);
    j.hart.setX(5, 1000n);
    j.hart.run(3000 + 1);
    expect(j.hart.getX(6)).toBe(1000n);
    expect(j.hart.jit!.stats.retired).toBeGreaterThan(1000);
    // The host patches the loop in RAM directly (no notifyExternalWrite)...
    j.bus.writeWords(CODE, [a.addi(6, 6, 7)]);
    // ...the guest executes FENCE.I, then jumps back into the loop with x5 = 10.
    j.hart.setPc(BigInt(CODE + 16));
    j.hart.setX(5, 10n);
    j.hart.run(1 + 1 + 30);
    expect(j.hart.getX(6)).toBe(1000n + 70n);
  });

  it("DMA into code: notifyExternalWrite drops compiled code at once", () => {
    const j = machine(true, loop(1));
    j.hart.setX(5, 1000n);
    j.hart.run(3000);
    expect(j.hart.getX(6)).toBe(1000n);
    j.bus.writeWords(CODE, [a.addi(6, 6, 3)]);
    j.hart.notifyExternalWrite(CODE, 4);
    j.hart.setPc(BigInt(CODE));
    j.hart.setX(5, 10n);
    j.hart.run(30);
    expect(j.hart.getX(6)).toBe(1030n);
  });

  it("asynchronous compile: an entry runs interpreted until its module is taken", () => {
    const q = new HeldCompileQueue();
    const j = machine(true, loop(1), CODE, q);
    const i = machine(false, loop(1));
    for (const m of [j, i]) m.hart.setX(5, 10_000n);
    lockstep(j, i, [1000], 0);
    expect(j.hart.jit!.stats.modules).toBeGreaterThan(0);
    expect(q.pending).toBeGreaterThan(0);
    expect(j.hart.jit!.stats.retired).toBe(0);
    q.release();
    lockstep(j, i, [1, 1000, 30_000], 0);
    expect(q.taken).toBeGreaterThan(0);
    expect(j.hart.jit!.stats.retired).toBeGreaterThan(20_000);
    expect(j.hart.getX(6)).toBe(10_000n);
  });

  it("asynchronous compile: a module arriving after the guest rewrote its page is dropped", () => {
    // The self-modifying loop (+1 becomes +100 at x5 == 500); the loop's module is held back
    // until after the patch: installing it would run the old +1.
    const q = new HeldCompileQueue();
    const run = (jit: boolean) => selfPatchingLoop(jit, jit ? q : undefined);
    const j = run(true);
    const i = run(false);
    lockstep(j, i, [600], 0);
    const held = q.pending;
    expect(held).toBeGreaterThan(0);
    // Past the patch (iteration 500, about instruction 2000), then the old module arrives.
    lockstep(j, i, [1600], 0);
    expect(j.hart.getX(6)).toBe(500n + (1000n - 500n - j.hart.getX(5)) * 100n);
    q.release();
    lockstep(j, i, [10], 0);
    expect(j.hart.jit!.stats.stale).toBeGreaterThanOrEqual(held);
    // The new code compiles and runs compiled.
    lockstep(j, i, [200], 0);
    q.release();
    lockstep(j, i, [5000], 0);
    expect(j.hart.getX(5)).toBe(0n);
    expect(j.hart.getX(6)).toBe(500n + 500n * 100n);
    expect(j.hart.jit!.stats.retired).toBeGreaterThan(1000);
  });

  it("a page remap under compiled code (satp translation changes, SFENCE)", () => {
    const VA = 0x4000_0000;
    const PA1 = RAM_BASE + 0x30000;
    const PA2 = RAM_BASE + 0x31000;
    const m = machine(true, []);
    m.bus.writeWords(PA1, loop(1));
    m.bus.writeWords(PA2, loop(1000));
    const pt = new PageTables(m.bus, RAM_BASE + 0x40000, 3);
    const pte = pt.map(VA, PA1, PTE.V | PTE.R | PTE.X | PTE.A);
    m.hart.writeCsr(CSR.satp, pt.atp());
    enterMode(m.hart, m.bus, 1, VA);
    m.hart.setX(5, 1000n);
    m.hart.run(3000);
    expect(m.hart.getX(6)).toBe(1000n);
    expect(m.hart.jit!.stats.retired).toBeGreaterThan(1000);
    // Remap VA to the other copy, fence, and run the loop again from VA.
    m.bus.write64(pte, (BigInt(PA2 / 4096) << 10n) | BigInt(PTE.V | PTE.R | PTE.X | PTE.A));
    m.hart.flushTlb();
    m.hart.setPc(BigInt(VA));
    m.hart.setX(5, 10n);
    m.hart.run(30);
    expect(m.hart.getX(6)).toBe(1000n + 10_000n);
  });
});

describe("JIT: switching it off", () => {
  it("jit: false (or AXVISOR_JIT=0) gives an interpreter-only hart", () => {
    expect(makeHart([], {}, false).hart.jit).toBeNull();
    expect(makeHart([], {}, true).hart.jit).not.toBeNull();
  });

  it("RAM that did not come from allocateRam() interprets", async () => {
    const { Hart: H } = await import("../hart.js");
    const hart = new H({
      hartId: 0,
      bus: {
        ram: new Uint8Array(1 << 16),
        ramBase: RAM_BASE,
        load: () => null,
        store: () => false,
      },
      time: { now: () => 0 },
      resetPc: RAM_BASE,
      jit: true,
    });
    expect(hart.jit).toBeNull();
  });
});

describe("JIT: code a hypervisor reloads behind the hart's back", () => {
  it("a guest restarted with new code at the same host address runs the new code", () => {
    // A guest loop compiled under host-trap mode; the guest turns paging on and calls the
    // host; the host "restarts the VM": it writes other code into the same host RAM without
    // telling the hart, and enters it again from scratch (satp = 0).
    const m = makeHart([], {}, eager());
    const h = m.hart;
    h.hostTrapMode = true;
    const HPA = RAM_BASE + 0x20_0000;
    const GPA = 0x8000_0000;
    const g = new PageTables(m.bus, RAM_BASE + 0x10_0000, 3, true);
    g.map(GPA, HPA, PTE.V | PTE.R | PTE.W | PTE.X | PTE.U, 1);
    // The guest's own page table (inside its RAM) maps its code identically.
    const vs = new PageTables(
      {
        read64: (x: number) => m.bus.read64(x - GPA + HPA),
        write64: (x: number, v: bigint) => m.bus.write64(x - GPA + HPA, v),
      } as never,
      GPA + 0x4_0000,
      3,
    );
    vs.map(GPA, GPA, PTE.V | PTE.R | PTE.X | PTE.A, 1);
    const loop = (step: number) => [
      a.addi(6, 6, step),
      a.addi(5, 5, -1),
      a.bne(5, 0, -8),
      a.csrw(CSR.satp, 7), // paging on, then call the host
      a.ECALL,
    ];
    const boot = () => {
      h.writeCsr(CSR.hgatp, g.atp(1));
      h.writeCsr(CSR.vsatp, 0n);
      h.writeCsr(CSR.hstatus, (1n << 7n) | (1n << 8n));
      h.writeCsr(CSR.sstatus, 1n << 8n);
      h.writeCsr(CSR.sepc, BigInt(GPA));
      h.setX(5, 1000n);
      h.setX(6, 0n);
      h.setX(7, vs.atp());
      h.enterGuest();
      expect(h.run(10_000)).toBe("host-trap");
      expect(h.readCsr(CSR.scause)).toBe(10n);
    };
    m.bus.writeWords(HPA, loop(1));
    boot();
    expect(h.getX(6)).toBe(1000n);
    expect(h.jit!.stats.retired).toBeGreaterThan(1000);
    m.bus.writeWords(HPA, loop(5));
    boot();
    expect(h.getX(6)).toBe(5000n);
  });
});

describe("JIT: large RAM", () => {
  it("code and data above 2 GiB of RAM run compiled and interpreted alike", async () => {
    const { Hart: H } = await import("../hart.js");
    const { allocateRam } = await import("@axvisor/machine");
    const size = 2 ** 31 + 2 ** 24; // 2 GiB + 16 MiB
    const code = RAM_BASE + 2 ** 31 + 0x1000; // above the 2 GiB mark
    const data = RAM_BASE + size - 0x1000; // the last page
    const prog = [a.ld(7, 10, 0), a.addi(7, 7, 3), a.sd(7, 10, 8), a.sb(7, 10, 16)];
    // addi at index 4, bne at 5 back to index 0
    prog.push(a.addi(5, 5, -1), a.bne(5, 0, -4 * (prog.length + 1)), a.jal(0, 0));
    const run = (jit: boolean) => {
      const ram = allocateRam(size);
      const bus = { ram, ramBase: RAM_BASE, load: () => null, store: () => false };
      const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
      prog.forEach((w, k) => {
        dv.setUint32(code - RAM_BASE + 4 * k, w >>> 0, true);
      });
      dv.setBigUint64(data - RAM_BASE, 40n, true);
      const h = new H({
        hartId: 0,
        bus,
        time: { now: () => 0 },
        resetPc: code,
        jit: jit && eager(),
      });
      h.setX(5, 500n);
      h.setX(10, BigInt(data));
      h.run(500 * 6);
      return { h, dv };
    };
    for (const jit of [true, false]) {
      const { h, dv } = run(jit);
      expect(h.getX(5)).toBe(0n);
      expect(h.getX(7)).toBe(43n);
      expect(dv.getBigUint64(data - RAM_BASE + 8, true)).toBe(43n);
      expect(dv.getUint8(data - RAM_BASE + 16)).toBe(43);
      if (jit) expect(h.jit!.stats.retired).toBeGreaterThan(1000);
    }
  });
});

describe("JIT: when code becomes hot", () => {
  it("an entry compiles at its hotThreshold-th entry, also a call into another page", () => {
    // Each iteration calls a function on the next page (x5++) and returns through ra: the
    // function, the return address and the loop head are each entered once an iteration.
    const FUNC = CODE + 0x1000;
    const prog = [
      a.addi(21, 0, 50),
      a.jal(1, FUNC - (CODE + 4)),
      a.addi(21, 21, -1),
      a.bne(21, 0, -8),
      a.jal(0, 0),
    ];
    const func = [a.addi(5, 5, 1), a.jalr(0, 1, 0)];
    const make = (jit: boolean) => {
      const m = makeHart([], {}, jit ? { ...eager(), hotThreshold: 10 } : false);
      m.bus.writeWords(CODE, prog);
      m.bus.writeWords(FUNC, func);
      m.hart.setPc(BigInt(CODE));
      return m;
    };
    const j = make(true);
    const i = make(false);
    // 8 iterations: every entry point was entered at most 9 times (the first at the start).
    lockstep(j, i, [1 + 8 * 5], 0);
    expect(j.hart.getX(5)).toBe(8n);
    expect(j.hart.jit!.stats.regions).toBe(0);
    lockstep(j, i, [1000], 0);
    expect(j.hart.getX(5)).toBe(50n);
    expect(j.hart.jit!.stats.regions).toBeGreaterThan(0);
    expect(j.hart.jit!.stats.retired).toBeGreaterThan(100);
  });

  it("long straight-line code compiles after a few passes although its one entry is lukewarm", () => {
    // A loop whose body is 200 instructions without a branch: its head is entered once a
    // pass, but every 64 interpreted instructions the interpreter offers the JIT the PC it
    // reached, counted as a continuation (weight 8): with threshold 80 that compiles the body
    // at the 10th pass, long before the head's 80th entry.
    const BODY = 200;
    const prog = [
      a.addi(21, 0, 12),
      ...Array.from({ length: BODY }, () => a.addi(5, 5, 1)),
      a.addi(21, 21, -1),
      a.bne(21, 0, -4 * (BODY + 1)),
      a.jal(0, 0),
    ];
    const make = (jit: boolean) => {
      const m = makeHart([], {}, jit ? { ...eager(), hotThreshold: 80 } : false);
      m.bus.writeWords(CODE, prog);
      m.hart.setPc(BigInt(CODE));
      return m;
    };
    const j = make(true);
    const i = make(false);
    const pass = BODY + 2;
    lockstep(j, i, [1 + 5 * pass], 0);
    expect(j.hart.jit!.stats.regions).toBe(0);
    lockstep(j, i, [7 * pass, 100], 0);
    expect(j.hart.getX(5)).toBe(BigInt(12 * BODY));
    expect(j.hart.jit!.stats.regions).toBeGreaterThan(0);
    expect(j.hart.jit!.stats.retired).toBeGreaterThan(BODY);
  });
});

describe("JIT: where guest registers live", () => {
  /** The region planned from offset 0 of `prog` (32-bit instructions). */
  const plan = (prog: number[], entry = 0) => {
    const half = new Uint16Array(Uint32Array.from(prog).buffer);
    const p = planRegion((off) => half[off >>> 1] ?? 0, entry, 256);
    if (p === undefined) throw new Error("nothing to compile");
    return p;
  };

  it("a block branching to itself keeps them in wasm locals; other regions do not", () => {
    // 1: ld; addi; sd; addi; bnez 1b: the memory loop of pnpm bench
    const tight = [a.ld(6, 5, 0), a.addi(6, 6, 1), a.sd(6, 5, 0), a.addi(7, 7, -1)];
    expect(hasSelfLoop(plan([...tight, a.bne(7, 0, -16), a.ECALL]))).toBe(true);
    // A loop over blocks (the branch in the middle splits it), and straight-line code; ECALL
    // ends each region.
    const split = [a.addi(6, 6, 1), a.beq(6, 0, 8), a.addi(7, 7, -1), a.bne(7, 0, -12)];
    expect(hasSelfLoop(plan([...split, a.ECALL]))).toBe(false);
    expect(hasSelfLoop(plan([a.addi(6, 6, 1), a.addi(7, 7, 1), a.ECALL]))).toBe(false);
  });

  it("an entry inside a loop body gets its own copy of the tail and leaves the loop one block", () => {
    // 1: addi; addi; bnez 1b: entered at the second addi (where a slice or a side exit stopped)
    const p = plan([a.addi(6, 6, 1), a.addi(7, 7, -1), a.bne(7, 0, -8), a.ECALL], 4);
    expect(hasSelfLoop(p)).toBe(true);
    expect(p.blocks.map((b) => [b.start, b.insns.length, b.end.kind])).toEqual([
      [0, 3, "branch"],
      [4, 2, "branch"],
    ]);
  });
});
