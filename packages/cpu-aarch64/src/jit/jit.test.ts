import {
  type CompiledModuleHandler,
  type CompileQueue,
  openCompileQueue,
  type WasmModule,
  wasmApi,
} from "@axvisor/machine";
import { describe, expect, it } from "vitest";
import { Aarch64Cpu } from "../cpu.js";
import { SysReg } from "../sysreg-encoding.js";
import { RAM_BASE, TestMachine } from "../testing/index.js";
import { compileRegion } from "./codegen.js";

const jitAvailable = new TestMachine({ ramSize: 1 << 20, jit: true }).cpu.jit !== undefined;

/** Deterministic 32-bit generator (xorshift). */
function rng(seed: number): () => number {
  let s = seed | 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/**
 * A compile queue whose modules come back only when the test says so: the window in which a
 * real off-thread compile is still running, opened at a chosen point of the guest program.
 */
class HeldCompileQueue implements CompileQueue {
  readonly offThread = true;
  private readonly held: { ticket: number; module: WasmModule }[] = [];
  private released = 0;
  private next = 0;

  submit(bytes: Uint8Array): number {
    const ticket = ++this.next;
    this.held.push({ ticket, module: new wasmApi!.Module(bytes.slice()) });
    return ticket;
  }
  /** Lets every module submitted so far come back. */
  release(): void {
    this.released = this.held.length;
  }
  get ready(): boolean {
    return this.released > 0;
  }
  get pending(): number {
    return this.held.length;
  }
  take(fn: CompiledModuleHandler): number {
    let n = 0;
    for (; this.released > 0; this.released--, n++) {
      const r = this.held.shift()!;
      fn(r.ticket, r.module);
    }
    return n;
  }
  drain(fn: CompiledModuleHandler): number {
    this.release();
    return this.take(fn);
  }
  close(): void {
    this.held.length = 0;
    this.released = 0;
  }
}

const ENV = { stateBase: 0, ramOffset: 0 };
/** Whether the JIT compiles `w` (as a region of its own). */
function compiles(w: number): boolean {
  return compileRegion(() => w, 0, 1, ENV) !== undefined;
}

/** A random instruction from the integer, branch-free groups (mostly ones the JIT compiles). */
function randomInsn(next: () => number): number {
  // Now and then a hint or barrier (nop, yield, dmb ish, isb, sevl).
  if (next() % 24 === 0)
    return [0xd503201f, 0xd503203f, 0xd5033bbf, 0xd5033fdf, 0xd50320bf][next() % 5]!;
  // MRS/MSR of SP_EL0 (compiled at EL1/EL2 with SPSel = 1), with any register.
  if (next() % 40 === 0) return ((next() & 1 ? 0xd5384100 : 0xd5184100) | (next() % 32)) >>> 0;
  // LDAR/STLR of each size, on a pointer register or SP.
  if (next() % 30 === 0) {
    const rn = next() % 15;
    return (
      (0x089ffc00 |
        ((next() & 3) << 30) |
        ((next() & 1) << 22) |
        ((rn === 14 ? 31 : rn) << 5) |
        (next() % 31)) >>>
      0
    );
  }
  // PRFM/PRFUM (immediate, unscaled, register, literal): no effect, never a fault.
  if (next() % 40 === 0) {
    const r = next();
    return (
      [
        0xf9800000 | (r & 0x3fffff),
        0xf8800000 | (r & 0x1ff3ff),
        0xf8a00800 | (r & 0x1ff3ff),
        0xd8000000 | (r & 0xffffff),
      ][next() % 4]! >>> 0
    );
  }
  // MRS of TPIDR_EL0, TPIDRRO_EL0, TPIDR_EL1, DAIF, CTR_EL0 (compiled, read from copies made
  // at entry).
  if (next() % 12 === 0) {
    const mrs = [0xd53bd040, 0xd53bd060, 0xd538d080, 0xd53b4220, 0xd53b0020][next() % 5]!;
    return (mrs | (next() % 32)) >>> 0;
  }
  // DC CVAC / CVAU / CIVAC, IC IVAU on any register (no effect).
  if (next() % 40 === 0)
    return ([0xd50b7a20, 0xd50b7b20, 0xd50b7e20, 0xd50b7520][next() % 4]! | (next() % 32)) >>> 0;
  // MSR DAIFSet/DAIFClr #imm, MSR DAIF, Xt (compiled at EL1/EL2; an unmask ends the region),
  // MRS DCZID_EL0.
  if (next() % 16 === 0) {
    const form = next() % 4;
    if (form === 3) return (0xd53b00e0 | (next() % 32)) >>> 0;
    if (form === 2) return (0xd51b4220 | (next() % 32)) >>> 0;
    return (0xd50340df | ((next() & 15) << 8) | (form << 5)) >>> 0;
  }
  // RBIT, REV16, REV32/REV, REV, CLZ, CLS of either width (a few unallocated forms too).
  if (next() % 8 === 0) {
    return (0x5ac00000 | ((next() & 1) << 31) | ((next() % 7) << 10) | (next() & 0x3ff)) >>> 0;
  }
  // CRC32{B,H,W,X} and CRC32C* (sf mostly matching the size, as the encoding requires).
  if (next() % 12 === 0) {
    const op = 16 + (next() % 8);
    const sf = next() % 8 === 0 ? next() & 1 : (op & 3) === 3 ? 1 : 0;
    return (0x1ac00000 | (sf << 31) | ((next() & 31) << 16) | (op << 10) | (next() & 0x3ff)) >>> 0;
  }
  // LDXR/LDAXR (left to the interpreter, which arms the monitor) and STXR/STLXR (compiled:
  // status 0 and the store only for the reserved address and size) on pointer registers.
  if (next() % 10 === 0) {
    const size = next() & 3;
    const rn = next() % 14;
    const rt = next() % 31;
    if (next() & 1)
      return (0x085f7c00 | (size << 30) | ((next() & 1) << 15) | (rn << 5) | rt) >>> 0;
    const rs = 14 + (next() % 14);
    return (0x08007c00 | (size << 30) | (rs << 16) | ((next() & 1) << 15) | (rn << 5) | rt) >>> 0;
  }
  // LDXP/LDAXP and STXP/STLXP of W or X pairs (the reservation is 8 or 16 bytes; pointers are
  // 8-byte aligned, so X pairs fault as often as not).
  if (next() % 12 === 0) {
    const sz = next() & 1;
    const rn = next() % 14;
    const rt = next() % 31;
    const rt2 = next() % 31;
    if (next() & 1)
      return (0x887f0000 | (sz << 30) | ((next() & 1) << 15) | (rt2 << 10) | (rn << 5) | rt) >>> 0;
    const rs = 14 + (next() % 14);
    return (
      (0x88200000 |
        (sz << 30) |
        (rs << 16) |
        ((next() & 1) << 15) |
        (rt2 << 10) |
        (rn << 5) |
        rt) >>>
      0
    );
  }
  // Multiplies: MADD/MSUB, SMADDL/UMADDL (and MSUBL), SMULH/UMULH, on any registers (x20..x27
  // hold full 64-bit values, so the high halves and sign corrections are exercised).
  if (next() % 10 === 0) {
    const op = [0x9b000000, 0x9b200000, 0x9ba00000, 0x9b407c00, 0x9bc07c00][next() % 5]!;
    const regs = ((next() % 32) << 16) | ((next() % 32) << 5) | (next() % 32);
    if (op & 0x4000) return (op | regs) >>> 0;
    return (op | regs | ((next() & 1) << 15) | ((next() % 32) << 10)) >>> 0;
  }
  // ADC/ADCS/SBC/SBCS (rare among random words).
  if (next() % 16 === 0) return (0x1a000000 | (next() & 0xe01f03ff)) >>> 0;
  for (;;) {
    const w = next() | 0;
    const group = (w >>> 25) & 0xf;
    const dp = group === 0x8 || group === 0x9 || group === 0x5 || group === 0xd;
    const ls = (group & 5) === 4 && (w & (1 << 26)) === 0;
    if (!dp && !ls) continue;
    // Base registers of loads and stores mostly among the pointer registers x0..x13 or SP.
    let v = w;
    if (ls && next() % 4 !== 0) {
      const rn = next() % 15;
      v = (w & ~(31 << 5)) | ((rn === 14 ? 31 : rn) << 5);
      // Register offsets: a small index register.
      if ((v & 0x3b200c00) === 0x38200800) v = (v & ~(31 << 16)) | ((14 + (next() % 6)) << 16);
    }
    if (compiles(v) || next() % 8 === 0) return v;
  }
}

/**
 * A forward branch over the next 1 to 5 instructions (conditional, compare-and-branch, B or BL):
 * the JIT keeps such skips inside a region, nested or overlapping, or past the region's end.
 */
function randomSkip(next: () => number): number {
  const r = next();
  const rt = 14 + (r % 14);
  const imm = (2 + (next() % 5)) << 5;
  // B and BL forward: the region goes on at the target.
  if (r % 4 === 3) return ((r & 16 ? 0x94000000 : 0x14000000) | (imm >>> 5)) >>> 0;
  switch (r % 3) {
    case 0:
      return (0x54000000 | imm | (next() % 14)) >>> 0; // b.cond .+8 ... .+24
    case 1:
      return (0xb4000000 | imm | (((r >>> 8) & 1) << 24) | rt) >>> 0; // cbz/cbnz xN
    default:
      return (0x36000000 | imm | (((r >>> 9) & 1) << 24) | (((r >>> 10) & 31) << 19) | rt) >>> 0; // tbz/tbnz
  }
}

/**
 * Wraps `words[from..to)` in an inner loop of 1 to 6 passes counted by x27 (set just before
 * it, so the loop's header is not the program's entry), closed by CBNZ, SUBS + B.NE, or SUBS +
 * B.EQ over a B back: the JIT keeps such loops inside a region. The body may overwrite x27 (the
 * loop then runs until the budget ends it, which exercises the budget check of each pass).
 */
function withInnerLoop(words: number[], from: number, to: number, next: () => number): number[] {
  const body = words.slice(from, to);
  const tail: number[] = [];
  const back = (at: number) => -(body.length + at);
  switch (next() % 3) {
    case 0:
      tail.push(0xd100077b); // sub x27, x27, #1
      tail.push((0xb500001b | ((back(1) & 0x7ffff) << 5)) >>> 0); // cbnz x27, head
      break;
    case 1:
      tail.push(0xf100077b); // subs x27, x27, #1
      tail.push((0x54000001 | ((back(1) & 0x7ffff) << 5)) >>> 0); // b.ne head
      break;
    default:
      tail.push(0xf100077b); // subs x27, x27, #1
      tail.push(0x54000040); // b.eq .+8
      tail.push((0x14000000 | (back(2) & 0x3ffffff)) >>> 0); // b head
  }
  const movz = (0xd280001b | ((1 + (next() % 6)) << 5)) >>> 0; // mov x27, #1..6
  return [...words.slice(0, from), movz, ...body, ...tail, ...words.slice(to)];
}

interface Snapshot {
  x: bigint[];
  sp: bigint[];
  pc: bigint;
  pstate: number;
  instructions: number;
  data: number[];
}

function snapshot(m: TestMachine): Snapshot {
  const c = m.cpu;
  const data = Array.from(new Int32Array(m.ram.buffer, m.ram.byteOffset + 0x10000, 0x4000));
  return {
    x: Array.from({ length: 31 }, (_, i) => c.getX(i)),
    sp: [c.getSp(0), c.getSp(1), c.getSp(2)],
    pc: c.getPc(),
    pstate: c.pstate,
    instructions: c.instructions,
    data,
  };
}

/**
 * Loads `words` as a loop of 200 passes (x28 counts) and sets the registers; at EL1 with
 * stage 1 on (one 1 GiB block maps RAM, 39-bit VA) or at EL2 with the MMU off.
 */
function setUp(m: TestMachine, words: number[], next: () => number, el1: boolean): void {
  const c = m.cpu;
  m.ram.fill(0, 0, 0x30000);
  const prog = [...words, 0xf1000794 /* subs x28, x28, #1 */];
  prog.push((0x54000001 | ((-prog.length & 0x7ffff) << 5)) >>> 0); // b.ne loop
  prog.push(0x14000000); // b .
  m.writeWords(RAM_BASE, prog);
  m.writeWords(RAM_BASE + 0x1200, [0x14000000]); // synchronous vector: b .
  c.powerOn(RAM_BASE, 0n, el1 ? 1 : 2);
  c.writeSysReg(SysReg.VBAR_EL2, BigInt(RAM_BASE + 0x1000));
  if (el1) {
    const table = RAM_BASE + 0x30000;
    m.writeWords(table, [0, 0, 0x4000_0705, 0]); // entry 1: block at 0x4000_0000, normal, AF
    c.writeSysReg(SysReg.VBAR_EL1, BigInt(RAM_BASE + 0x1000));
    c.writeSysReg(SysReg.MAIR_EL1, 0xff00n);
    c.writeSysReg(SysReg.TCR_EL1, 25n | (2n << 32n));
    c.writeSysReg(SysReg.TTBR0_EL1, BigInt(table));
    c.writeSysReg(SysReg.SCTLR_EL1, 0x30d00801n);
  }
  for (let i = 0; i < 28; i++) {
    let v: bigint;
    if (i < 14) v = BigInt(RAM_BASE + 0x10000 + (next() % 0x1000) * 8);
    else if (i < 20) v = BigInt(next() % 512) * 8n;
    else v = (BigInt(next()) << 32n) | BigInt(next());
    c.setX(i, v);
  }
  c.setX(28, 200n);
  c.setSp(el1 ? 1 : 2, BigInt(RAM_BASE + 0x18000));
  // Banked SP_EL0 (MRS/MSR SP_EL0 reach it) and SP_EL1 while at EL2: values of their own.
  c.setSp(0, (BigInt(next()) << 32n) | BigInt(next()));
  if (!el1) c.setSp(1, (BigInt(next()) << 32n) | BigInt(next()));
  for (let i = 0; i < 0x4000; i++) m.ram[0x10000 + i * 4] = next() & 0xff;
  for (const r of [SysReg.TPIDR_EL0, SysReg.TPIDRRO_EL0, SysReg.TPIDR_EL1]) {
    c.writeSysReg(r, (BigInt(next()) << 32n) | BigInt(next()));
  }
  // Any interrupt mask (nothing raises interrupts here): MRS DAIF reads it.
  c.daif = (next() & 15) << 6;
}

/** CPU 1 on `m`'s bus and RAM, with a JIT of its own at `hotThreshold` compiling through `queue`. */
function secondCpu(m: TestMachine, hotThreshold: number, queue: CompileQueue): Aarch64Cpu {
  return new Aarch64Cpu({
    cpuId: 1,
    mpidr: 1,
    bus: m,
    time: m.time,
    jit: true,
    jitOptions: { hotThreshold, compileQueue: queue },
  });
}

/**
 * Starts a cache-maintenance loop at EL1 under an EL2 whose vector (VBAR_EL2 + 0x400) spins:
 * x0 = 1000 iterations over lines from RAM_BASE + 0x8000 (x1), HCR_EL2.RW set.
 */
function startCacheLoopAtEl1(m: TestMachine, loop: readonly number[]): void {
  m.writeWords(RAM_BASE, loop);
  m.writeWords(RAM_BASE + 0x1400, [0x14000000]); // EL2 vector (from a lower EL): b .
  m.cpu.powerOn(RAM_BASE, 0n, 2);
  m.cpu.writeSysReg(SysReg.VBAR_EL2, BigInt(RAM_BASE + 0x1000));
  m.cpu.writeSysReg(SysReg.HCR_EL2, 1n << 31n);
  m.cpu.setPstateEl(1, 1);
  m.cpu.setX(0, 1000n);
  m.cpu.setX(1, BigInt(RAM_BASE + 0x8000));
}
describe.skipIf(!jitAvailable)("aarch64 JIT", () => {
  it("runs the bench loops as compiled code with the interpreter's results", () => {
    const loop = [
      0x91000421, // 1: add x1, x1, #1
      0xf9000061, //    str x1, [x3]
      0xf9400062, //    ldr x2, [x3]
      0xca010042, //    eor x2, x2, x1
      0xf1000400, //    subs x0, x0, #1
      0x54ffff61, //    b.ne 1b
      0x14000000, // b .
    ];
    const results = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit });
      m.writeWords(RAM_BASE, loop);
      m.cpu.powerOn(RAM_BASE, 0n, 2);
      m.cpu.setX(0, 100_000n);
      m.cpu.setX(3, BigInt(RAM_BASE + 0x8000));
      m.cpu.run(600_000);
      return { s: snapshot(m), retired: m.cpu.jit?.stats.retired ?? 0 };
    });
    expect(results[0]!.s).toEqual(results[1]!.s);
    expect(results[0]!.s.x[1]).toBe(100_000n);
    expect(results[0]!.s.pc).toBe(BigInt(RAM_BASE + 24));
    // Nearly everything ran compiled.
    expect(results[0]!.retired).toBeGreaterThan(590_000);
  });

  it("follows B and BL inside the page (forward and back) with the interpreter's results", () => {
    const prog = [
      0xd2807d00, //  0: mov x0, #1000
      0x91000c21, //  4: loop: add x1, x1, #3
      0x14000004, //  8: b l2
      0xca010042, //  c: l1: eor x2, x2, x1
      0x94000007, // 10: bl fn
      0x14000003, // 14: b l3
      0x8b010863, // 18: l2: add x3, x3, x1, lsl #2
      0x17fffffc, // 1c: b l1
      0xf1000400, // 20: l3: subs x0, x0, #1
      0x54ffff01, // 24: b.ne loop
      0x14000000, // 28: b .
      0x8b020084, // 2c: fn: add x4, x4, x2
      0xd65f03c0, // 30: ret
    ];
    const results = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit });
      m.writeWords(RAM_BASE, prog);
      m.cpu.powerOn(RAM_BASE, 0n, 2);
      m.cpu.run(1 + 11 * 1000 + 5);
      return { s: snapshot(m), stats: m.cpu.jit?.stats };
    });
    expect(results[0]!.s).toEqual(results[1]!.s);
    expect(results[0]!.s.pc).toBe(BigInt(RAM_BASE + 0x28));
    expect(results[0]!.s.x[30]).toBe(BigInt(RAM_BASE + 0x14));
    // Compiled code (the loop head's region goes on through l2, l1 and fn) runs nearly all of it.
    expect(results[0]!.stats!.retired).toBeGreaterThan(10_000);
  });

  it("keeps an inner loop after setup instructions in its region, stopping exactly at any budget", () => {
    const prog = [
      0xd2800085, //  0: outer: mov x5, #4
      0xaa0303e6, //  4: mov x6, x3
      0xca000129, //  8: eor x9, x9, x0
      0xf84084c7, //  c: inner: ldr x7, [x6], #8
      0x8b070108, // 10: add x8, x8, x7
      0xca08014a, // 14: eor x10, x10, x8
      0xf10004a5, // 18: subs x5, x5, #1
      0x54ffff81, // 1c: b.ne inner
      0xf1000400, // 20: subs x0, x0, #1
      0x54fffee1, // 24: b.ne outer
      0x14000000, // 28: b .
    ];
    const machines = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit, jitHotThreshold: 1 });
      m.writeWords(RAM_BASE, prog);
      for (let i = 0; i < 64; i++) m.ram[0x8000 + i * 8] = (i * 37) & 0xff;
      return m;
    });
    // Budgets ending at every point of an outer pass (25 instructions), beyond the 128 a
    // compiled pass may take, then a long run.
    const budgets = Array.from({ length: 50 }, (_, i) => (i < 25 ? 200 : 3000) + i);
    for (const budget of [...budgets, 200_010]) {
      const snaps = machines.map((m) => {
        m.cpu.powerOn(RAM_BASE, 0n, 2);
        m.cpu.setX(0, 8000n);
        m.cpu.setX(3, BigInt(RAM_BASE + 0x8000));
        for (const r of [5, 6, 7, 8, 9, 10]) m.cpu.setX(r, 0n);
        m.cpu.run(budget);
        return snapshot(m);
      });
      expect(snaps[0], `budget ${budget}`).toEqual(snaps[1]);
    }
    expect(machines[0]!.cpu.getPc()).toBe(BigInt(RAM_BASE + 0x28));
    expect(machines[0]!.cpu.jit!.stats.retired).toBeGreaterThan(180_000);
  });

  it("computes UMULH/SMULH/MUL/UMADDL/SMSUBL on edge operands as the interpreter does", () => {
    const loop = [
      0xf9400120, // 1: ldr x0, [x9]
      0xf9400521, //    ldr x1, [x9, #8]
      0x91004129, //    add x9, x9, #16
      0x9bc17c02, //    umulh x2, x0, x1
      0x9b417c03, //    smulh x3, x0, x1
      0x9b017c04, //    mul x4, x0, x1
      0x9ba10005, //    umaddl x5, w0, w1, x0
      0x9b218406, //    smsubl x6, w0, w1, x1
      0xf9000142, //    str x2, [x10]
      0xf9000543, //    str x3, [x10, #8]
      0xf9000944, //    str x4, [x10, #16]
      0xf9000d45, //    str x5, [x10, #24]
      0xf9001146, //    str x6, [x10, #32]
      0x9100a14a, //    add x10, x10, #40
      0xf100056b, //    subs x11, x11, #1
      0x54fffe21, //    b.ne 1b
      0x14000000, // b .
    ];
    const edges = [0n, 1n, 2n, 0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 1n << 63n];
    edges.push(...edges.map((v) => (1n << 64n) - 1n - v));
    const gen = rng(99);
    for (let i = 0; i < 30; i++) edges.push((BigInt(gen()) << 32n) | BigInt(gen()));
    const pairs = edges.flatMap((a) => edges.map((b) => [a, b] as const));
    const outputs = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit });
      m.writeWords(RAM_BASE, loop);
      const table = new BigUint64Array(m.ram.buffer, m.ram.byteOffset + 0x10000, 2 * pairs.length);
      pairs.forEach(([a, b], k) => {
        table[2 * k] = a;
        table[2 * k + 1] = b;
      });
      m.cpu.powerOn(RAM_BASE, 0n, 2);
      m.cpu.setX(9, BigInt(RAM_BASE + 0x10000));
      m.cpu.setX(10, BigInt(RAM_BASE + 0x40000));
      m.cpu.setX(11, BigInt(pairs.length));
      m.cpu.run(16 * pairs.length + 10);
      const out = new BigUint64Array(m.ram.buffer, m.ram.byteOffset + 0x40000, 5 * pairs.length);
      return { out: Array.from(out), retired: m.cpu.jit?.stats.retired ?? 0 };
    });
    expect(outputs[0]!.out).toEqual(outputs[1]!.out);
    // Spot checks against BigInt arithmetic: (2^64-1)^2 and (-1) * (-1).
    const k = pairs.findIndex(([a, b]) => a === (1n << 64n) - 1n && b === a);
    expect(outputs[1]!.out[5 * k]).toBe((1n << 64n) - 2n);
    expect(outputs[1]!.out[5 * k + 1]).toBe(0n);
    expect(outputs[0]!.retired).toBeGreaterThan(12 * pairs.length);
  });

  it("agrees with the interpreter on random integer and load/store programs (EL2 MMU off, EL1 MMU on)", () => {
    const on = new TestMachine({ ramSize: 1 << 20, jit: true, jitHotThreshold: 1 });
    const off = new TestMachine({ ramSize: 1 << 20, jit: false });
    let compiled = 0;
    for (let seed = 1; seed <= 160; seed++) {
      const gen = rng(seed * 7919);
      let words: number[] = [];
      const n = 4 + (gen() % 24);
      for (let i = 0; i < n; i++) words.push(gen() % 6 === 0 ? randomSkip(gen) : randomInsn(gen));
      if (gen() % 2 === 0) {
        const from = gen() % n;
        words = withInnerLoop(words, from, from + 1 + (gen() % (n - from)), gen);
      }
      const budget = 500 + (gen() % 3000);
      const before = on.cpu.jit!.stats.retired;
      const snaps = [on, off].map((m) => {
        setUp(m, words, rng(seed), seed % 2 === 0);
        m.cpu.run(budget);
        return snapshot(m);
      });
      compiled += on.cpu.jit!.stats.retired - before;
      const where = `seed ${seed}: ${words.map((w) => w.toString(16)).join(" ")}`;
      expect(snaps[0], where).toEqual(snaps[1]);
    }
    expect(compiled).toBeGreaterThan(25_000);
    // About 4 s of CPU; generous for a loaded machine.
  }, 90_000);

  it("compiles MRS/MSR SP_EL0 at EL1 (SPSel = 1) and leaves them to the interpreter with SPSel = 0", () => {
    const loop = [
      0xd5184101, // 1: msr sp_el0, x1
      0x91000421, //    add x1, x1, #1
      0xd5384102, //    mrs x2, sp_el0
      0x8b020063, //    add x3, x3, x2
      0xf1000400, //    subs x0, x0, #1
      0x54ffff61, //    b.ne 1b
      0x14000000, //    b .
    ];
    for (const spsel of [1, 0]) {
      const results = [true, false].map((jit) => {
        const m = new TestMachine({ ramSize: 1 << 20, jit, jitHotThreshold: 1 });
        m.writeWords(RAM_BASE, loop);
        m.cpu.powerOn(RAM_BASE, 0n, 1);
        m.cpu.setSp(0, 0x1234_5678_0000n);
        m.cpu.setSp(1, 0x7777_0000n);
        m.cpu.setPstateEl(1, spsel);
        m.cpu.setX(0, 1000n);
        m.cpu.setX(1, 5n);
        m.cpu.run(7000);
        return { s: snapshot(m), retired: m.cpu.jit?.stats.retired ?? 0 };
      });
      expect(results[0]!.s).toEqual(results[1]!.s);
      if (spsel === 1) {
        // x3 = 5 + 6 + ... + 1004; SP_EL0 ends as 1004; the current SP (SP_EL1) untouched.
        expect(results[0]!.s.x[3]).toBe(BigInt((1000 * (5 + 1004)) / 2));
        expect(results[0]!.s.sp[0]).toBe(1004n);
        expect(results[0]!.s.sp[1]).toBe(0x7777_0000n);
        expect(results[0]!.retired).toBeGreaterThan(5500);
      } else {
        // SP_EL0 is then the current SP: the accesses are UNDEFINED (to the EL1 vector).
        expect(results[0]!.s.x[3]).toBe(0n);
      }
    }
  });

  it("compiles MRS of TPIDR_EL0/TPIDRRO_EL0 at EL0 and leaves TPIDR_EL1 there UNDEFINED", () => {
    const loop = [
      0xd53bd041, // 1: mrs x1, tpidr_el0
      0xd53bd062, //    mrs x2, tpidrro_el0
      0x8b020063, //    add x3, x3, x2
      0x8b010063, //    add x3, x3, x1
      0xf1000400, //    subs x0, x0, #1
      0x54ffff61, //    b.ne 1b
      0xd538d084, //    mrs x4, tpidr_el1 (UNDEFINED at EL0: to the EL1 vector)
      0x14000000, //    b .
    ];
    const results = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit, jitHotThreshold: 1 });
      m.writeWords(RAM_BASE, loop);
      m.writeWords(RAM_BASE + 0x1400, [0x14000000]); // EL1 vector (from a lower EL): b .
      m.cpu.powerOn(RAM_BASE, 0n, 1);
      m.cpu.writeSysReg(SysReg.VBAR_EL1, BigInt(RAM_BASE + 0x1000));
      m.cpu.writeSysReg(SysReg.TPIDR_EL0, 0x1_0000_0003n);
      m.cpu.writeSysReg(SysReg.TPIDRRO_EL0, 0x20n);
      m.cpu.writeSysReg(SysReg.TPIDR_EL1, 0x5555n);
      m.cpu.setPstateEl(0, 0);
      m.cpu.setX(0, 1000n);
      m.cpu.run(6100);
      return { s: snapshot(m), retired: m.cpu.jit?.stats.retired ?? 0 };
    });
    expect(results[0]!.s).toEqual(results[1]!.s);
    expect(results[0]!.s.x[3]).toBe(1000n * 0x1_0000_0023n);
    expect(results[0]!.s.x[4]).toBe(0n);
    expect(results[0]!.s.pc).toBe(BigInt(RAM_BASE + 0x1400));
    expect(results[0]!.retired).toBeGreaterThan(5000);
  });

  it("compiles LDXR/LDAXR and STXR/STLXR: an atomic increment loop succeeds, a store to another address or size fails", () => {
    const loop = [
      0x885f7c22, // 1: ldxr w2, [x1]
      0x11000442, //    add w2, w2, #1
      0x88037c22, //    stxr w3, w2, [x1]
      0x35ffffa3, //    cbnz w3, 1b
      0x88037fe2, //    stxr w3, w2, [sp] (interpreted; the reservation is gone: fails)
      0x8b0300c6, //    add x6, x6, x3
      0xc85ffc24, //    ldaxr x4, [x1]
      0xc803fca4, //    stlxr w3, x4, [x5] (another address: fails, stores nothing)
      0x8b0300c6, //    add x6, x6, x3
      0x885f7c24, //    ldxr w4, [x1]
      0x48037c24, //    stxrh w3, w4, [x1] (another size: fails)
      0x8b0300c6, //    add x6, x6, x3
      0x885f7c24, //    ldxr w4, [x1] (compiled: the CPU gets the reservation back)
      0x88037fe4, //    stxr w3, w4, [sp] (interpreted, SP = x1: succeeds)
      0x8b0300c6, //    add x6, x6, x3
      0x885f7fe4, //    ldxr w4, [sp] (interpreted: the region gets the reservation)
      0x88037c24, //    stxr w3, w4, [x1] (compiled: succeeds, clears the CPU's reservation)
      0x8b0300c6, //    add x6, x6, x3
      0x88037fe4, //    stxr w3, w4, [sp] (interpreted: fails)
      0x8b0300c6, //    add x6, x6, x3
      0xf1000400, //    subs x0, x0, #1
      0x54fffd61, //    b.ne 1b
      0x14000000, //    b .
    ];
    const results = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit, jitHotThreshold: 1 });
      m.writeWords(RAM_BASE, loop);
      m.writeWords(RAM_BASE + 0x10000, [0x7fff_fff0, 0, 0x1234, 0]);
      m.cpu.powerOn(RAM_BASE, 0n, 2);
      m.cpu.setSp(2, BigInt(RAM_BASE + 0x10000));
      m.cpu.setX(0, 100n);
      m.cpu.setX(1, BigInt(RAM_BASE + 0x10000));
      m.cpu.setX(5, BigInt(RAM_BASE + 0x10008));
      m.cpu.run(2300);
      const words = Array.from(new Int32Array(m.ram.buffer, m.ram.byteOffset + 0x10000, 4));
      return { s: snapshot(m), words, retired: m.cpu.jit?.stats.retired ?? 0 };
    });
    expect(results[0]!.s).toEqual(results[1]!.s);
    expect(results[0]!.words).toEqual(results[1]!.words);
    // 100 increments (wrapping the 32-bit word), 400 failed stores.
    expect(results[0]!.words).toEqual([0x7fff_fff0 + 100 - 2 ** 32, 0, 0x1234, 0]);
    expect(results[0]!.s.x[6]).toBe(400n);
    expect(results[0]!.s.x[0]).toBe(0n);
    // Everything but the exclusives on SP ran compiled.
    expect(results[0]!.retired).toBeGreaterThan(1800);
  });

  it("compiles LDXP/STXP: a 128-bit atomic increment succeeds, a store-exclusive of another size fails", () => {
    const loop = [
      0xc87f0c22, // 1: ldxp x2, x3, [x1]
      0x91000442, //    add x2, x2, #1
      0x91000863, //    add x3, x3, #2
      0xc8240c22, //    stxp w4, x2, x3, [x1]
      0x35ffff84, //    cbnz w4, 1b
      0x887f0c22, //    ldxp w2, w3, [x1] (an 8-byte reservation)
      0x88047c22, //    stxr w4, w2, [x1] (4 bytes: fails, stores nothing)
      0x8b0400c6, //    add x6, x6, x4
      0xf1000400, //    subs x0, x0, #1
      0x54fffee1, //    b.ne 1b
      0x14000000, //    b .
    ];
    const results = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit, jitHotThreshold: 1 });
      m.writeWords(RAM_BASE, loop);
      m.writeWords(RAM_BASE + 0x10000, [0xffff_fff0, 7, 0x1234, 0]);
      m.cpu.powerOn(RAM_BASE, 0n, 2);
      m.cpu.setX(0, 100n);
      m.cpu.setX(1, BigInt(RAM_BASE + 0x10000));
      m.cpu.run(1001);
      return { s: snapshot(m), retired: m.cpu.jit?.stats.retired ?? 0 };
    });
    expect(results[0]!.s).toEqual(results[1]!.s);
    expect(results[0]!.s.data.slice(0, 4)).toEqual([0x54, 8, 0x1234 + 200, 0]);
    expect(results[0]!.s.x[6]).toBe(100n);
    expect(results[0]!.s.pc).toBe(BigInt(RAM_BASE + 40));
    expect(results[0]!.retired).toBeGreaterThan(900);
  });

  it("compiles MRS CTR_EL0 at EL1 and leaves it to the interpreter (a trap to EL2) under HCR_EL2.TID2", () => {
    const loop = [
      0xd53b0021, // 1: mrs x1, ctr_el0
      0x8b010063, //    add x3, x3, x1
      0xf1000400, //    subs x0, x0, #1
      0x54ffffa1, //    b.ne 1b
      0x14000000, //    b .
    ];
    const results = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit, jitHotThreshold: 1 });
      m.writeWords(RAM_BASE, loop);
      m.writeWords(RAM_BASE + 0x1400, [0x14000000]); // EL2 vector (from a lower EL): b .
      m.cpu.powerOn(RAM_BASE, 0n, 2);
      m.cpu.writeSysReg(SysReg.VBAR_EL2, BigInt(RAM_BASE + 0x1000));
      m.cpu.writeSysReg(SysReg.HCR_EL2, 1n << 31n);
      m.cpu.setPstateEl(1, 1);
      m.cpu.setX(0, 1000n);
      m.cpu.run(2000);
      const x3 = m.cpu.getX(3);
      // The hypervisor now traps ID group 2: the compiled loop must stop at the MRS.
      m.cpu.writeSysReg(SysReg.HCR_EL2, (1n << 31n) | (1n << 17n));
      m.cpu.run(2000);
      return { x3, s: snapshot(m), retired: m.cpu.jit?.stats.retired ?? 0 };
    });
    expect(results[0]!.s).toEqual(results[1]!.s);
    expect(results[0]!.x3).toBe(500n * 0x8444c004n);
    expect(results[0]!.s.x[3]).toBe(500n * 0x8444c004n);
    expect(results[0]!.s.pc).toBe(BigInt(RAM_BASE + 0x1400));
    expect(results[0]!.retired).toBeGreaterThan(1900);
  });

  it("compiles MSR DAIFSet/DAIFClr/DAIF: an IRQ pending while masked is taken right after the unmask", () => {
    const loop = [
      0xd53b4222, // 1: mrs x2, daif
      0xd50343df, //    msr daifset, #3
      0x91000421, //    add x1, x1, #1
      0xd51b4222, //    msr daif, x2
      0xd50342df, //    msr daifset, #2
      0xd50342ff, //    msr daifclr, #2
      0xf1000400, //    subs x0, x0, #1
      0x54ffff21, //    b.ne 1b
      0x14000000, //    b .
    ];
    const results = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit, jitHotThreshold: 1 });
      m.writeWords(RAM_BASE, loop);
      m.writeWords(RAM_BASE + 0x1280, [0x14000000]); // EL1 IRQ vector (current EL, SPx): b .
      m.cpu.powerOn(RAM_BASE, 0n, 2);
      m.cpu.writeSysReg(SysReg.VBAR_EL1, BigInt(RAM_BASE + 0x1000));
      m.cpu.writeSysReg(SysReg.HCR_EL2, 1n << 31n);
      m.cpu.setPstateEl(1, 1);
      m.cpu.daif = 0;
      m.cpu.setX(0, 100_000n);
      // Ends inside the masked window, before MSR DAIF, X2 (x2 = 0: unmasked).
      m.cpu.run(8 * 250 + 3);
      const x1 = m.cpu.getX(1);
      m.cpu.setIrq(true);
      m.cpu.run(100);
      const elr1 = m.cpu.readSysReg(SysReg.ELR_EL1);
      // Then with DAIFClr as the unmask: from inside the window it opens.
      m.cpu.setIrq(false);
      m.cpu.writeSysReg(SysReg.ELR_EL1, 0n);
      m.cpu.setPc(BigInt(RAM_BASE + 16));
      m.cpu.daif = 0x3c0;
      // Ends after MSR DAIFSet, #2 (inside the window DAIFClr opens).
      m.cpu.run(8 * 124 + 4 + 5);
      m.cpu.setIrq(true);
      m.cpu.run(100);
      return {
        x1,
        elr1,
        elr: m.cpu.readSysReg(SysReg.ELR_EL1),
        s: snapshot(m),
        retired: m.cpu.jit?.stats.retired ?? 0,
      };
    });
    expect(results[0]!.s).toEqual(results[1]!.s);
    expect(results[0]!.x1).toBe(251n);
    expect(results[0]!.s.pc).toBe(BigInt(RAM_BASE + 0x1280));
    expect(results[0]!.elr1).toBe(BigInt(RAM_BASE + 16));
    expect(results[1]!.elr).toBe(BigInt(RAM_BASE + 24));
    expect(results[0]!.elr).toBe(BigInt(RAM_BASE + 24));
    expect(results[0]!.retired).toBeGreaterThan(2500);
    expect(compiles(0xd50342ff) && compiles(0xd51b4222) && compiles(0xd53b00e1)).toBe(true);
  });

  it("compiles DC CVAU/CIVAC at EL1 and leaves them to the interpreter (a trap to EL2) under HCR_EL2.TPCP", () => {
    const loop = [
      0xd50b7b21, // 1: dc cvau, x1
      0xd50b7e21, //    dc civac, x1
      0x91010021, //    add x1, x1, #64
      0xf1000400, //    subs x0, x0, #1
      0x54ffff81, //    b.ne 1b
      0x14000000, //    b .
    ];
    const results = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit, jitHotThreshold: 1 });
      startCacheLoopAtEl1(m, loop);
      m.cpu.run(2000);
      const x1 = m.cpu.getX(1);
      // The hypervisor now traps cache maintenance to the point of coherency: the loop stops.
      m.cpu.writeSysReg(SysReg.HCR_EL2, (1n << 31n) | (1n << 23n));
      m.cpu.run(2000);
      return { x1, s: snapshot(m), retired: m.cpu.jit?.stats.retired ?? 0 };
    });
    expect(results[0]!.s).toEqual(results[1]!.s);
    expect(results[0]!.x1).toBe(BigInt(RAM_BASE + 0x8000 + 400 * 64));
    expect(results[0]!.s.pc).toBe(BigInt(RAM_BASE + 0x1400));
    expect(results[0]!.retired).toBeGreaterThan(1900);
  });

  it("compiles IC IVAU on a lone CPU at EL1, not with another CPU on its RAM, nor under HCR_EL2.TPU", () => {
    const loop = [
      0xd50b7521, // 1: ic ivau, x1
      0x91010021, //    add x1, x1, #64
      0xf1000400, //    subs x0, x0, #1
      0x54ffffa1, //    b.ne 1b
      0x14000000, //    b .
    ];
    const run = (jit: boolean, shared: boolean) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit, jitHotThreshold: 1 });
      // A second CPU on the same RAM must hear of every IC IVAU: the interpreter's business.
      if (shared) new Aarch64Cpu({ cpuId: 1, mpidr: 1, bus: m, time: m.time, jit });
      startCacheLoopAtEl1(m, loop);
      m.cpu.run(2000);
      const x1 = m.cpu.getX(1);
      const retired = m.cpu.jit?.stats.retired ?? 0;
      // The hypervisor now traps IC IVAU (HCR_EL2.TPU): the loop stops at the next one.
      m.cpu.writeSysReg(SysReg.HCR_EL2, (1n << 31n) | (1n << 24n));
      m.cpu.run(2000);
      return { x1, s: snapshot(m), retired };
    };
    for (const shared of [false, true]) {
      const [compiled, interpreted] = [run(true, shared), run(false, shared)];
      expect(compiled.s).toEqual(interpreted.s);
      expect(compiled.x1).toBe(BigInt(RAM_BASE + 0x8000 + 500 * 64));
      expect(compiled.s.pc).toBe(BigInt(RAM_BASE + 0x1400));
      // Alone, nearly all of it ran compiled; shared, every IC IVAU was interpreted.
      if (shared) expect(compiled.retired).toBeLessThanOrEqual(1500);
      else expect(compiled.retired).toBeGreaterThan(1900);
    }
  });

  it("compiles LDAR/STLR as ordinary accesses at [Xn]", () => {
    const loop = [
      0x08dffc22, // 1: ldarb w2, [x1]
      0xc89ffc62, //    stlr x2, [x3]
      0x88dffc64, //    ldar w4, [x3]
      0x8b0400c6, //    add x6, x6, x4
      0x8b040005, //    add x5, x0, x4
      0x489ffc25, //    stlrh w5, [x1]
      0xf1000400, //    subs x0, x0, #1
      0x54ffff21, //    b.ne 1b
      0x14000000, //    b .
    ];
    const results = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit, jitHotThreshold: 1 });
      m.writeWords(RAM_BASE, loop);
      m.writeWords(RAM_BASE + 0x10000, [0xfffffff0]);
      m.cpu.powerOn(RAM_BASE, 0n, 2);
      m.cpu.setX(0, 100n);
      m.cpu.setX(1, BigInt(RAM_BASE + 0x10000));
      m.cpu.setX(3, BigInt(RAM_BASE + 0x10010));
      m.cpu.run(900);
      return { s: snapshot(m), retired: m.cpu.jit?.stats.retired ?? 0 };
    });
    expect(results[0]!.s).toEqual(results[1]!.s);
    // Pass i loads byte b_i (zero-extended) and stores (x0 + b_i) as the next halfword.
    let b = 0xf0;
    let sum = 0;
    for (let x0 = 100; x0 >= 1; x0--) {
      sum += b;
      b = (x0 + b) & 0xff;
    }
    expect(results[0]!.s.x[6]).toBe(BigInt(sum));
    expect(results[0]!.retired).toBeGreaterThan(700);
  });

  it("compiles DC ZVA: zeroes the 64-byte block of the address, as the interpreter does", () => {
    const loop = [
      0xd50b7421, // 1: dc zva, x1
      0x91010021, //    add x1, x1, #64
      0xf1000400, //    subs x0, x0, #1
      0x54ffffa1, //    b.ne 1b
      0x14000000, //    b .
    ];
    for (const el of [2, 1] as const) {
      const results = [true, false].map((jit) => {
        const m = new TestMachine({ ramSize: 1 << 20, jit, jitHotThreshold: 1 });
        m.ram.fill(0xa5, 0x10000, 0x20000);
        m.writeWords(RAM_BASE, loop);
        m.cpu.powerOn(RAM_BASE, 0n, el);
        m.cpu.setX(0, 100n);
        m.cpu.setX(1, BigInt(RAM_BASE + 0x10000 + 0x25)); // unaligned: the block is zeroed
        m.cpu.run(500);
        return { s: snapshot(m), retired: m.cpu.jit?.stats.retired ?? 0 };
      });
      expect(results[0]!.s).toEqual(results[1]!.s);
      const zeroed = results[0]!.s.data.slice(0, (100 * 64) / 4);
      expect(zeroed.every((w) => w === 0)).toBe(true);
      expect(results[0]!.s.data[(100 * 64) / 4]).toBe(0xa5a5a5a5 | 0);
      expect(results[0]!.retired).toBeGreaterThan(350);
    }
  });

  /** x0 counts; the loop body's "add x1, x1, #1" is patched by a store of w3 to [x2]. */
  const SELF_PATCHING_LOOP = [
    0x91000421, // 1: add x1, x1, #1
    0xf1000400, //    subs x0, x0, #1
    0x54ffffc1, //    b.ne 1b
    0xb9000043, //    str w3, [x2]    (patch the add)
    0xd508751f, //    ic iallu
    0xd2800140, //    mov x0, #10
    0x17fffffa, //    b 1b
  ];

  it("drops compiled code when the program rewrites it", () => {
    // x0 counts; the loop body's "add x1, x1, #1" is patched to "add x1, x1, #2" by a store.
    const m = new TestMachine({ ramSize: 1 << 20, jit: true, jitHotThreshold: 1 });
    m.writeWords(RAM_BASE, SELF_PATCHING_LOOP);
    m.cpu.powerOn(RAM_BASE, 0n, 2);
    m.cpu.setX(0, 10n);
    m.cpu.setX(2, BigInt(RAM_BASE));
    m.cpu.setX(3, 0x91000821n); // add x1, x1, #2
    m.cpu.run(10 * 3 + 4 + 10 * 3);
    expect(m.cpu.getX(1)).toBe(10n + 20n);
    expect(m.cpu.jit!.stats.invalidations).toBeGreaterThan(0);
  });

  it("drops a module compiled from code the program rewrote while it compiled", () => {
    // The loop gets hot and its module is held "on the worker"; the program then patches the
    // loop's add and runs it again. The module comes back stale: it must never run.
    const queue = new HeldCompileQueue();
    const m = new TestMachine({ ramSize: 1 << 20, jit: true, jitHotThreshold: 1 });
    const cpu = secondCpu(m, 1, queue);
    m.writeWords(RAM_BASE, SELF_PATCHING_LOOP);
    cpu.powerOn(RAM_BASE, 0n, 2);
    cpu.setX(0, 10n);
    cpu.setX(2, BigInt(RAM_BASE));
    cpu.setX(3, 0x91000821n); // add x1, x1, #2
    cpu.run(10 * 3);
    const jit = cpu.jit!;
    expect(jit.compilesInFlight).toBeGreaterThan(0);
    expect(jit.stats.retired).toBe(0);
    cpu.run(4); // the patch lands while the module "compiles"
    queue.release();
    cpu.run(10 * 3);
    expect(cpu.getX(1)).toBe(10n + 20n);
    expect(jit.stats.stale).toBeGreaterThan(0);
    expect(jit.stats.retired).toBe(0);
    // The patched loop compiles afresh and that module installs and runs.
    cpu.setX(0, 10n);
    cpu.setPc(BigInt(RAM_BASE));
    jit.drainCompiles();
    cpu.run(10 * 3);
    expect(cpu.getX(1)).toBe(10n + 20n + 20n);
    expect(jit.stats.regions).toBeGreaterThan(0);
    expect(jit.stats.retired).toBeGreaterThan(0);
  });

  it("compiles an entry left waiting for its batch once its count reaches the threshold again", () => {
    // One hot loop never fills a batch of 16: it waits (interpreted) and compiles alone at
    // its 100th entry, then runs compiled to the interpreter's result.
    const m = new TestMachine({ ramSize: 1 << 20, jit: true });
    const cpu = secondCpu(m, 50, openCompileQueue({ offThread: false }));
    m.writeWords(RAM_BASE, [
      0x91000421, // 1: add x1, x1, #1
      0xf1000400, //    subs x0, x0, #1
      0x54ffffc1, //    b.ne 1b
      0x14000000, // b .
    ]);
    cpu.powerOn(RAM_BASE, 0n, 2);
    cpu.setX(0, 1000n);
    const jit = cpu.jit!;
    cpu.run(3 * 90);
    expect(cpu.getX(1)).toBeGreaterThanOrEqual(89n);
    expect(jit.stats.regions).toBe(0);
    expect(jit.stats.retired).toBe(0);
    cpu.run(3 * 20);
    expect(jit.stats.regions).toBe(1);
    cpu.run(3 * 1000);
    expect(cpu.getX(1)).toBe(1000n);
    expect(cpu.getX(0)).toBe(0n);
    expect(jit.stats.retired).toBeGreaterThan(2500);
  });

  it("runs the same program compiled on a worker thread as interpreted", () => {
    const program = [
      0x8b000021, // 1: add x1, x1, x0
      0xca010042, //    eor x2, x2, x1
      0xf1000400, //    subs x0, x0, #1
      0x54ffffa1, //    b.ne 1b
      0x14000000, //    b .
    ];
    const results = [true, false].map((jit) => {
      const m = new TestMachine({ ramSize: 1 << 20, jit, jitOffThread: jit });
      m.writeWords(RAM_BASE, program);
      m.cpu.powerOn(RAM_BASE, 0n, 2);
      m.cpu.setX(0, 5000n);
      m.cpu.run(1000);
      // Whatever the worker has finished or not, the program goes on exactly as before.
      m.cpu.jit?.drainCompiles();
      m.cpu.run(30_000);
      return { s: snapshot(m), retired: m.cpu.jit?.stats.retired ?? 0 };
    });
    expect(results[0]!.s).toEqual(results[1]!.s);
    if (jitAvailable) expect(results[0]!.retired).toBeGreaterThan(15_000);
  });

  it("runs another CPU's rewritten code after the writer's IC IALLUIS", () => {
    const m = new TestMachine({ ramSize: 1 << 20, jit: true, jitHotThreshold: 1 });
    const other = secondCpu(m, 1, openCompileQueue({ offThread: false }));
    m.writeWords(RAM_BASE, [
      0x91000421, // 1: add x1, x1, #1
      0xf1000400, //    subs x0, x0, #1
      0x54ffffc1, //    b.ne 1b
      0x14000000, //    b .
    ]);
    m.writeWords(RAM_BASE + 0x100, [
      0xb9000043, // str w3, [x2]    (patch the other CPU's add)
      0xd508711f, // ic ialluis
      0x14000000, // b .
    ]);
    other.powerOn(RAM_BASE, 0n, 2);
    other.setX(0, 10n);
    other.run(30);
    expect(other.getX(1)).toBe(10n);
    expect(other.jit!.stats.regions).toBeGreaterThan(0);
    m.cpu.powerOn(RAM_BASE + 0x100, 0n, 2);
    m.cpu.setX(2, BigInt(RAM_BASE));
    m.cpu.setX(3, 0x91000821n); // add x1, x1, #2
    m.cpu.run(2);
    other.setX(0, 10n);
    other.setPc(BigInt(RAM_BASE));
    other.run(30);
    expect(other.getX(1)).toBe(30n);
  });

  it("AXVISOR_JIT=0 semantics: jit: false gives an interpreter-only CPU", () => {
    const m = new TestMachine({ ramSize: 1 << 20, jit: false });
    expect(m.cpu.jit).toBeUndefined();
  });
});
