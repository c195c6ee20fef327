/**
 * Code generation: one WebAssembly function per region. Guest registers are read and written
 * in the state block at every use (or, optionally, kept in i64 locals for the whole call),
 * blocks are reached through a `br_table` dispatcher inside one loop (so loops run without
 * leaving wasm), a block that branches to itself loops on its own label, and a block falls
 * through into the next one in address order when that is its successor.
 *
 * Loads and stores look the address up in the hart's TLB records inline; a miss, a
 * misaligned access, MMIO or a store to a page holding compiled code (those never enter the
 * store TLB) leaves the function before that instruction, so the interpreter performs the
 * access with all its checks and traps. Every exit leaves exact architectural state: the
 * registers as written so far, the PC of the first instruction not executed, and the count of
 * instructions retired (the return value).
 *
 * Signature: (base: i64, budget: i32, ctx4: i64, entryBlock: i32) -> retired: i32, with the
 * exit PC (i64) and EXIT_* kind stored in the state block. `base` is the virtual address of
 * the region's page, `ctx4` the data translation context shifted left by 4 (as in the TLB
 * tags), `budget` the most instructions it may retire.
 */

import { type FnBody, type Locals, Op, ValType } from "@axvisor/machine";
import { EXIT_SIDE, ST_EXIT_KIND, ST_EXIT_PC, ST_LREC, ST_SREC, ST_X } from "../hart-state.js";
import type { Block, Insn, RegionPlan } from "./region.js";
import { emitTlbRecordOffset } from "./tlb-index.js";

/** Where the hart's state and RAM are inside the wasm memory. */
export interface CodegenEnv {
  readonly stateBase: number;
  /**
   * Keep guest registers in wasm locals for the whole call (loaded on entry, stored on exit)
   * instead of reading and writing the state block at every use.
   */
  readonly regsInLocals: boolean;
}

/** Function index of the 64x64 -> high 64 unsigned multiply helper in every module. */
export const MULHU_FN = 0;

// Parameters and locals of a region function.
const P_BASE = 0;
const P_BUDGET = 1;
const P_CTX4 = 2;
const P_ENTRY = 3;
/** Budget left: counts down, so a loop keeps one register for it (not a count and a limit). */
const L_LEFT = 4;
const L_NEXT = 5;
const L_T32 = 6;
const L_KIND = 7;
const I32_LOCALS = 4;
const L_EPC = 8;
const L_VA = 9;
const L_TA = 10;
const L_TB = 11;
const L_REG0 = 12;
const I64_LOCALS = 4;

const EXIT = "exit";
const SIDE = "side";
const DISPATCH = "dispatch";

/** Longest self-looping block whose body is unrolled (two or four iterations per check). */
const MAX_UNROLLED = 64;
/**
 * Longest self-looping block emitted four times (four iterations per check): side exits pack
 * their count in 8 bits, so 4 * SHORT_LOOP must stay below 256.
 */
const SHORT_LOOP = 16;

/**
 * Label names by block index, made once: FnBody resolves a branch by comparing label names,
 * and the same string objects compare at once, where a fresh template string per use costs
 * an allocation and a character compare on every branch of every region.
 */
const LABELS = { b: [] as string[], s: [] as string[], f: [] as string[], u: [] as string[] };
function label(kind: keyof typeof LABELS, i: number): string {
  const names = LABELS[kind];
  while (names.length <= i) names.push(`${kind}${names.length}`);
  return names[i]!;
}

/** Locals of the mulhu helper. */
export const MULHU_LOCALS: Locals = [[7, ValType.i64]];

/** The body of the shared mulhu helper: (a: i64, b: i64) -> high 64 bits of a*b unsigned. */
export function emitMulhu(f: FnBody): void {
  // locals: 2 a0, 3 a1, 4 b0, 5 b1, 6 p01, 7 p10, 8 mid
  const lo = (src: number, dst: number) => {
    f.get(src);
    f.i64(0xffffffff);
    f.op(Op.i64And);
    f.set(dst);
  };
  const hi = (src: number, dst: number) => {
    f.get(src);
    f.i64(32);
    f.op(Op.i64ShrU);
    f.set(dst);
  };
  lo(0, 2);
  hi(0, 3);
  lo(1, 4);
  hi(1, 5);
  f.get(2);
  f.get(5);
  f.op(Op.i64Mul);
  f.set(6); // p01 = a0*b1
  f.get(3);
  f.get(4);
  f.op(Op.i64Mul);
  f.set(7); // p10 = a1*b0
  // mid = (a0*b0 >> 32) + lo(p01) + lo(p10): below 3 * 2^32, no overflow
  f.get(2);
  f.get(4);
  f.op(Op.i64Mul);
  f.i64(32);
  f.op(Op.i64ShrU);
  f.get(6);
  f.i64(0xffffffff);
  f.op(Op.i64And);
  f.op(Op.i64Add);
  f.get(7);
  f.i64(0xffffffff);
  f.op(Op.i64And);
  f.op(Op.i64Add);
  f.set(8);
  // hi = a1*b1 + (p01 >> 32) + (p10 >> 32) + (mid >> 32)
  f.get(3);
  f.get(5);
  f.op(Op.i64Mul);
  f.get(6);
  f.i64(32);
  f.op(Op.i64ShrU);
  f.op(Op.i64Add);
  f.get(7);
  f.i64(32);
  f.op(Op.i64ShrU);
  f.op(Op.i64Add);
  f.get(8);
  f.i64(32);
  f.op(Op.i64ShrU);
  f.op(Op.i64Add);
}

/** Registers a region reads or writes (x0 excluded), and those it writes. */
function registerUse(plan: RegionPlan): { used: number[]; written: number[] } {
  const used = new Set<number>();
  const written = new Set<number>();
  for (const b of plan.blocks) {
    for (const i of b.insns) {
      const op = i.raw & 0x7f;
      const rd = (i.raw >> 7) & 31;
      const rs1 = (i.raw >> 15) & 31;
      const rs2 = (i.raw >> 20) & 31;
      const writes = op !== 0x23 && op !== 0x63 && op !== 0x0f;
      const reads1 = op !== 0x37 && op !== 0x17 && op !== 0x6f && op !== 0x0f;
      const reads2 = op === 0x33 || op === 0x3b || op === 0x23 || op === 0x63;
      if (writes && rd !== 0) {
        used.add(rd);
        written.add(rd);
      }
      if (reads1 && rs1 !== 0) used.add(rs1);
      if (reads2 && rs2 !== 0) used.add(rs2);
    }
  }
  const sort = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return { used: sort(used), written: sort(written) };
}

/** A region ready to be written: its locals are known before its code. */
export class RegionEmitter {
  private f!: FnBody;
  private readonly reg = new Int32Array(32).fill(-1);
  private readonly index = new Map<number, number>();
  private readonly used: readonly number[];
  private readonly written: readonly number[];
  readonly locals: Locals;

  constructor(
    private readonly plan: RegionPlan,
    private readonly env: CodegenEnv,
  ) {
    const { used, written } = env.regsInLocals
      ? registerUse(plan)
      : { used: [] as number[], written: [] as number[] };
    this.used = used;
    this.written = written;
    used.forEach((r, k) => {
      this.reg[r] = L_REG0 + k;
    });
    plan.blocks.forEach((b, i) => {
      this.index.set(b.start, i);
    });
    this.locals = [
      [I32_LOCALS, ValType.i32],
      [I64_LOCALS + used.length, ValType.i64],
    ];
  }

  // ---- small helpers

  private rget(r: number): void {
    if (r === 0) this.f.i64(0);
    else if (this.env.regsInLocals) this.f.get(this.reg[r]!);
    else {
      this.f.i32(0);
      this.f.mem(Op.i64Load, 3, this.env.stateBase + ST_X + 8 * r);
    }
  }
  /** Starts a write of register r: the value to write is pushed next, then rset(r). */
  private wbegin(r: number): void {
    if (r !== 0 && !this.env.regsInLocals) this.f.i32(0);
  }
  /** Pops the value on the stack into register r (x0 discards it). */
  private rset(r: number): void {
    if (r === 0) this.f.op(Op.drop);
    else if (this.env.regsInLocals) this.f.set(this.reg[r]!);
    else this.f.mem(Op.i64Store, 3, this.env.stateBase + ST_X + 8 * r);
  }
  /** Pushes page base + off (a PC inside or next to this page). */
  private pcAt(off: number): void {
    this.f.get(P_BASE);
    if (off !== 0) {
      this.f.i64(off);
      this.f.op(Op.i64Add);
    }
  }
  private addN(k: number): void {
    if (k === 0) return;
    this.f.get(L_LEFT);
    this.f.i32(k);
    this.f.op(Op.i32Sub);
    this.f.set(L_LEFT);
  }
  /** Leaves for a control transfer to page offset `off` (after `k` more retired). */
  private exitTo(off: number, k: number): void {
    this.pcAt(off);
    this.f.set(L_EPC);
    this.addN(k);
    this.f.br(EXIT);
  }
  /**
   * A side exit before the instruction at page offset `off`, `k` instructions into the current
   * block: the interpreter goes on there. Shares one exit path (offset and count packed).
   */
  private sideExit(off: number, k: number): void {
    this.f.i32((off << 8) | k);
    this.f.br(SIDE);
  }
  /**
   * The first half of a conditional side exit (see sideExit): pushes the packed offset and
   * count; the caller pushes the i32 condition, then `sideExitIf` leaves when it holds. Shorter
   * than an `if` around sideExit (br_if carries the value; a drop discards it otherwise).
   */
  private sideExitValue(off: number, k: number): void {
    this.f.i32((off << 8) | k);
  }
  private sideExitIf(): void {
    this.f.brIf(SIDE);
    this.f.op(Op.drop);
  }
  /** A side exit before the instruction at `off` (k into the block) when fewer than n are left. */
  private budgetCheck(off: number, k: number, n: number): void {
    this.sideExitValue(off, k);
    this.f.get(L_LEFT);
    this.f.i32(n);
    this.f.op(Op.i32LtS);
    this.sideExitIf();
  }

  // ---- the function

  emit(f: FnBody): void {
    this.f = f;
    const { stateBase } = this.env;
    const blocks = this.plan.blocks;
    if (this.env.regsInLocals) {
      for (const r of this.used) {
        f.i32(0);
        f.mem(Op.i64Load, 3, stateBase + ST_X + 8 * r);
        f.set(this.reg[r]!);
      }
    }
    f.get(P_BUDGET);
    f.set(L_LEFT);
    f.get(P_ENTRY);
    f.set(L_NEXT);
    f.block(EXIT);
    f.block(SIDE, ValType.i32);
    f.loop(DISPATCH);
    for (let i = blocks.length - 1; i >= 0; i--) f.block(label("b", i));
    f.get(L_NEXT);
    f.brTable(
      blocks.map((_, i) => label("b", i)),
      label("b", 0),
    );
    for (let i = 0; i < blocks.length; i++) {
      f.end(); // b{i}: its code follows
      this.emitBlock(i, blocks[i]!);
    }
    f.end(); // dispatch loop (never falls out: the last block always branches)
    f.op(Op.unreachable);
    f.end(); // side: the packed offset << 8 | count is on the stack
    f.set(L_T32);
    f.get(L_LEFT);
    f.get(L_T32);
    f.i32(255);
    f.op(Op.i32And);
    f.op(Op.i32Sub);
    f.set(L_LEFT);
    f.get(P_BASE);
    f.get(L_T32);
    f.i32(8);
    f.op(Op.i32ShrU);
    f.op(Op.i64ExtendI32U);
    f.op(Op.i64Add);
    f.set(L_EPC);
    f.i32(EXIT_SIDE);
    f.set(L_KIND);
    f.end(); // exit
    if (this.env.regsInLocals) {
      for (const r of this.written) {
        f.i32(0);
        f.get(this.reg[r]!);
        f.mem(Op.i64Store, 3, stateBase + ST_X + 8 * r);
      }
    }
    f.i32(0);
    f.get(L_EPC);
    f.mem(Op.i64Store, 3, stateBase + ST_EXIT_PC);
    f.i32(0);
    f.get(L_KIND);
    f.mem(Op.i32Store, 2, stateBase + ST_EXIT_KIND);
    f.get(P_BUDGET);
    f.get(L_LEFT);
    f.op(Op.i32Sub);
  }

  private successors(b: Block): number[] {
    const e = b.end;
    if (e.kind === "branch") return [e.taken, e.fall];
    if (e.kind === "jal") return [e.target];
    if (e.kind === "fall") return [e.next];
    return [];
  }

  private emitBlock(i: number, b: Block): void {
    const e = b.end;
    if (e.kind === "branch" && e.taken === b.start && b.insns.length <= MAX_UNROLLED) {
      this.emitUnrolledLoop(i, b, e.fall);
      return;
    }
    const f = this.f;
    const self = this.successors(b).includes(b.start);
    const selfLabel = label("s", i);
    if (self) f.loop(selfLabel);
    const n = b.insns.length;
    // Not enough budget left for the whole block: stop before it.
    if (n > 0) this.budgetCheck(b.start, 0, n);
    const body = e.kind === "exit" || e.kind === "fall" ? n : n - 1;
    for (let k = 0; k < body; k++) this.emitPlain(b.insns[k]!, k);
    const canFall = (t: number) => this.index.get(t) === i + 1;
    const goto = (t: number, fall: boolean) => {
      const j = this.index.get(t);
      if (j === undefined) {
        this.exitTo(t, 0);
      } else if (j === i && self) {
        f.br(selfLabel);
      } else if (fall && j === i + 1) {
        // falls through into block i+1's code
      } else {
        f.i32(j);
        f.set(L_NEXT);
        f.br(DISPATCH);
      }
    };
    switch (e.kind) {
      case "exit":
        // Out of the page (or past the region's size limit) is a control transfer there;
        // an instruction compiled code does not perform is a side exit.
        if (e.reason === "limit") this.exitTo(e.at, n);
        else this.sideExit(e.at, n);
        break;
      case "fall":
        this.addN(n);
        goto(e.next, true);
        break;
      case "branch": {
        const insn = b.insns[n - 1]!;
        this.addN(n);
        this.condition(insn.raw);
        if (this.index.get(e.taken) === i && self) {
          f.brIf(selfLabel);
        } else {
          f.if();
          goto(e.taken, false);
          f.end();
        }
        goto(e.fall, canFall(e.fall));
        break;
      }
      case "jal": {
        const insn = b.insns[n - 1]!;
        this.link(insn);
        this.addN(n);
        goto(e.target, true);
        break;
      }
      case "jalr": {
        const insn = b.insns[n - 1]!;
        const rs1 = (insn.raw >> 15) & 31;
        this.rget(rs1);
        f.i64(insn.raw >> 20);
        f.op(Op.i64Add);
        f.i64(-2);
        f.op(Op.i64And);
        f.set(L_EPC);
        this.link(insn);
        this.addN(n);
        f.br(EXIT);
        break;
      }
    }
    if (self) f.end();
  }

  /**
   * A block that ends in a conditional branch back to its own start: while the budget allows
   * `copies` iterations (4 for a short body, else 2), they run back to back with one budget
   * check, one budget update and one loop back edge (where V8 puts its stack check) for all of
   * them; otherwise one iteration as any block. Inside a pass the budget is not counted down:
   * an exit from the c-th copy subtracts the c-1 whole iterations before it with its own count
   * (side exits carry c*n + k), so every exit still leaves the exact count.
   */
  private emitUnrolledLoop(i: number, b: Block, fall: number): void {
    const f = this.f;
    const n = b.insns.length;
    const copies = n <= SHORT_LOOP ? 4 : 2;
    const branch = b.insns[n - 1]!.raw;
    const out = label("f", i);
    const loop = label("s", i);
    const one = label("u", i);
    f.block(out);
    f.loop(loop);
    f.block(one);
    f.get(L_LEFT);
    f.i32(copies * n);
    f.op(Op.i32LtS);
    f.brIf(one);
    for (let c = 0; c < copies; c++) {
      for (let k = 0; k < n - 1; k++) this.emitPlain(b.insns[k]!, c * n + k);
      if (c < copies - 1) {
        // Not taken in this copy: leave after c + 1 iterations.
        this.condition(branch);
        f.op(Op.i32Eqz);
        f.if();
        this.addN((c + 1) * n);
        f.br(out);
        f.end();
      } else {
        this.addN(copies * n);
        this.condition(branch);
        f.brIf(loop);
        f.br(out);
      }
    }
    f.end(); // one: a single iteration
    this.budgetCheck(b.start, 0, n);
    for (let k = 0; k < n - 1; k++) this.emitPlain(b.insns[k]!, k);
    this.addN(n);
    this.condition(branch);
    f.brIf(loop);
    f.end(); // loop
    f.end(); // out: the branch was not taken
    const j = this.index.get(fall);
    if (j === undefined) this.exitTo(fall, 0);
    else if (j !== i + 1) {
      f.i32(j);
      f.set(L_NEXT);
      f.br(DISPATCH);
    }
  }

  /** rd = PC of the next instruction (JAL/JALR). */
  private link(insn: Insn): void {
    const rd = (insn.raw >> 7) & 31;
    if (rd === 0) return;
    this.wbegin(rd);
    this.pcAt(insn.off + insn.len);
    this.rset(rd);
  }

  /** Pushes the i32 condition of a conditional branch. */
  private condition(raw: number): void {
    this.rget((raw >> 15) & 31);
    this.rget((raw >> 20) & 31);
    const ops = [Op.i64Eq, Op.i64Ne, 0, 0, Op.i64LtS, Op.i64GeS, Op.i64LtU, Op.i64GeU];
    this.f.op(ops[(raw >> 12) & 7]!);
  }

  /** A non-control-transfer instruction, the k-th of its block. */
  private emitPlain(insn: Insn, k: number): void {
    const f = this.f;
    const raw = insn.raw;
    const rd = (raw >> 7) & 31;
    const rs1 = (raw >> 15) & 31;
    const rs2 = (raw >> 20) & 31;
    const f3 = (raw >> 12) & 7;
    const imm = raw >> 20;
    switch (raw & 0x7f) {
      case 0x13: {
        if (rd === 0) return; // HINTs and NOPs
        this.wbegin(rd);
        this.rget(rs1);
        switch (f3) {
          case 0:
            if (imm !== 0) {
              f.i64(imm);
              f.op(Op.i64Add);
            }
            break;
          case 1:
            f.i64(imm & 63);
            f.op(Op.i64Shl);
            break;
          case 2:
            f.i64(imm);
            f.op(Op.i64LtS);
            f.op(Op.i64ExtendI32U);
            break;
          case 3:
            f.i64(imm);
            f.op(Op.i64LtU);
            f.op(Op.i64ExtendI32U);
            break;
          case 4:
            f.i64(imm);
            f.op(Op.i64Xor);
            break;
          case 5:
            f.i64(imm & 63);
            f.op(raw >>> 26 === 0 ? Op.i64ShrU : Op.i64ShrS);
            break;
          case 6:
            f.i64(imm);
            f.op(Op.i64Or);
            break;
          default:
            f.i64(imm);
            f.op(Op.i64And);
            break;
        }
        this.rset(rd);
        return;
      }
      case 0x1b: {
        if (rd === 0) return;
        this.wbegin(rd);
        this.rget(rs1);
        f.op(Op.i32WrapI64);
        if (f3 === 0) {
          f.i32(imm);
          f.op(Op.i32Add);
        } else {
          f.i32(imm & 31);
          f.op(f3 === 1 ? Op.i32Shl : raw >>> 25 === 0 ? Op.i32ShrU : Op.i32ShrS);
        }
        f.op(Op.i64ExtendI32S);
        this.rset(rd);
        return;
      }
      case 0x33:
        if (rd === 0) return;
        this.emitOp(raw, rd, rs1, rs2, f3);
        return;
      case 0x3b:
        if (rd === 0) return;
        this.emitOp32(raw, rd, rs1, rs2, f3);
        return;
      case 0x37:
        if (rd === 0) return;
        this.wbegin(rd);
        f.i64((raw & 0xfffff000) | 0);
        this.rset(rd);
        return;
      case 0x17:
        if (rd === 0) return;
        this.wbegin(rd);
        this.pcAt(insn.off + ((raw & 0xfffff000) | 0));
        this.rset(rd);
        return;
      case 0x03:
        this.emitLoad(insn, k, rd, rs1, f3, imm);
        return;
      case 0x23:
        this.emitStore(insn, k, rs1, rs2, f3, ((raw >> 25) << 5) | ((raw >> 7) & 31));
        return;
      case 0x0f:
        return; // FENCE
      default:
        throw new Error(`jit: unexpected instruction 0x${(raw >>> 0).toString(16)}`);
    }
  }

  private emitOp(raw: number, rd: number, rs1: number, rs2: number, f3: number): void {
    const f = this.f;
    const f7 = raw >>> 25;
    if (f7 === 1 && f3 !== 0) {
      this.rget(rs1);
      f.set(L_TA);
      this.rget(rs2);
      f.set(L_TB);
      this.wbegin(rd);
      this.mulDiv(f3);
      this.rset(rd);
      return;
    }
    this.wbegin(rd);
    this.rget(rs1);
    this.rget(rs2);
    if (f7 === 1) f.op(Op.i64Mul);
    else if (f7 === 0x20) f.op(f3 === 0 ? Op.i64Sub : Op.i64ShrS);
    else {
      switch (f3) {
        case 0:
          f.op(Op.i64Add);
          break;
        case 1:
          f.op(Op.i64Shl);
          break;
        case 2:
          f.op(Op.i64LtS);
          f.op(Op.i64ExtendI32U);
          break;
        case 3:
          f.op(Op.i64LtU);
          f.op(Op.i64ExtendI32U);
          break;
        case 4:
          f.op(Op.i64Xor);
          break;
        case 5:
          f.op(Op.i64ShrU);
          break;
        case 6:
          f.op(Op.i64Or);
          break;
        default:
          f.op(Op.i64And);
          break;
      }
    }
    this.rset(rd);
  }

  /** MULH/MULHSU/MULHU/DIV/DIVU/REM/REMU of L_TA and L_TB, RISC-V results for /0 and overflow. */
  private mulDiv(f3: number): void {
    const f = this.f;
    const a = L_TA;
    const b = L_TB;
    const signTimes = (x: number, y: number) => {
      // (x < 0 ? y : 0)
      f.get(x);
      f.i64(63);
      f.op(Op.i64ShrS);
      f.get(y);
      f.op(Op.i64And);
    };
    switch (f3) {
      case 1: // mulh
        f.get(a);
        f.get(b);
        f.call(MULHU_FN);
        signTimes(a, b);
        f.op(Op.i64Sub);
        signTimes(b, a);
        f.op(Op.i64Sub);
        return;
      case 2: // mulhsu (a signed, b unsigned)
        f.get(a);
        f.get(b);
        f.call(MULHU_FN);
        signTimes(a, b);
        f.op(Op.i64Sub);
        return;
      case 3:
        f.get(a);
        f.get(b);
        f.call(MULHU_FN);
        return;
      default:
        break;
    }
    const signed = f3 === 4 || f3 === 6;
    const isRem = f3 >= 6;
    f.get(b);
    f.op(Op.i64Eqz);
    f.if(null, ValType.i64);
    if (isRem) f.get(a);
    else f.i64(-1);
    f.else();
    if (signed) {
      // x / -1 = -x (wrapping, so MIN / -1 = MIN) and x % -1 = 0, without wasm's overflow trap
      f.get(b);
      f.i64(-1);
      f.op(Op.i64Eq);
      f.if(null, ValType.i64);
      if (isRem) f.i64(0);
      else {
        f.i64(0);
        f.get(a);
        f.op(Op.i64Sub);
      }
      f.else();
      f.get(a);
      f.get(b);
      f.op(isRem ? Op.i64RemS : Op.i64DivS);
      f.end();
    } else {
      f.get(a);
      f.get(b);
      f.op(isRem ? Op.i64RemU : Op.i64DivU);
    }
    f.end();
  }

  private emitOp32(raw: number, rd: number, rs1: number, rs2: number, f3: number): void {
    const f = this.f;
    const f7 = raw >>> 25;
    if (f7 === 1 && f3 >= 4) {
      // divw/divuw/remw/remuw on the low words; L_TA/L_TB hold them sign-extended
      this.rget(rs1);
      f.op(Op.i32WrapI64);
      f.op(Op.i64ExtendI32S);
      f.set(L_TA);
      this.rget(rs2);
      f.op(Op.i32WrapI64);
      f.op(Op.i64ExtendI32S);
      f.set(L_TB);
      this.wbegin(rd);
      const signed = f3 === 4 || f3 === 6;
      const isRem = f3 >= 6;
      const w = (l: number) => {
        f.get(l);
        f.op(Op.i32WrapI64);
      };
      f.get(L_TB);
      f.op(Op.i64Eqz);
      f.if(null, ValType.i32);
      if (isRem) w(L_TA);
      else f.i32(-1);
      f.else();
      if (signed) {
        w(L_TB);
        f.i32(-1);
        f.op(Op.i32Eq);
        f.if(null, ValType.i32);
        if (isRem) f.i32(0);
        else {
          f.i32(0);
          w(L_TA);
          f.op(Op.i32Sub);
        }
        f.else();
        w(L_TA);
        w(L_TB);
        f.op(isRem ? Op.i32RemS : Op.i32DivS);
        f.end();
      } else {
        w(L_TA);
        w(L_TB);
        f.op(isRem ? Op.i32RemU : Op.i32DivU);
      }
      f.end();
      f.op(Op.i64ExtendI32S);
      this.rset(rd);
      return;
    }
    this.wbegin(rd);
    this.rget(rs1);
    f.op(Op.i32WrapI64);
    this.rget(rs2);
    f.op(Op.i32WrapI64);
    if (f7 === 1) f.op(Op.i32Mul);
    else if (f7 === 0x20) f.op(f3 === 0 ? Op.i32Sub : Op.i32ShrS);
    else f.op(f3 === 0 ? Op.i32Add : f3 === 1 ? Op.i32Shl : Op.i32ShrU);
    f.op(Op.i64ExtendI32S);
    this.rset(rd);
  }

  /**
   * Computes the address into L_VA and checks the TLB records at `recBase`: on a miss or a
   * misaligned address (its low bits break the tag match), a side exit before this
   * instruction. Leaves the wasm address of the access on the stack.
   */
  private tlbAddress(
    insn: Insn,
    k: number,
    rs1: number,
    imm: number,
    size: number,
    recBase: number,
  ) {
    const f = this.f;
    const rec = this.env.stateBase + recBase;
    this.sideExitValue(insn.off, k);
    this.rget(rs1);
    if (imm !== 0) {
      f.i64(imm);
      f.op(Op.i64Add);
    }
    f.tee(L_VA);
    emitTlbRecordOffset(f);
    f.tee(L_T32);
    f.mem(Op.i64Load, 3, rec);
    f.get(L_VA);
    f.i64(-4096 | (size - 1));
    f.op(Op.i64And);
    f.get(P_CTX4);
    f.op(Op.i64Or);
    f.op(Op.i64Ne);
    this.sideExitIf();
    f.get(L_T32);
    f.mem(Op.i32Load, 2, rec + 8);
    f.get(L_VA);
    f.op(Op.i32WrapI64);
    f.op(Op.i32Add);
  }

  private emitLoad(insn: Insn, k: number, rd: number, rs1: number, f3: number, imm: number) {
    const size = 1 << (f3 & 3);
    this.wbegin(rd);
    this.tlbAddress(insn, k, rs1, imm, size, ST_LREC);
    const ops = [
      Op.i64Load8S,
      Op.i64Load16S,
      Op.i64Load32S,
      Op.i64Load,
      Op.i64Load8U,
      Op.i64Load16U,
      Op.i64Load32U,
    ];
    this.f.mem(ops[f3]!, f3 & 3, 0);
    this.rset(rd);
  }

  private emitStore(insn: Insn, k: number, rs1: number, rs2: number, f3: number, imm: number) {
    const size = 1 << f3;
    this.tlbAddress(insn, k, rs1, imm, size, ST_SREC);
    this.rget(rs2);
    const ops = [Op.i64Store8, Op.i64Store16, Op.i64Store32, Op.i64Store];
    this.f.mem(ops[f3]!, f3, 0);
  }
}
