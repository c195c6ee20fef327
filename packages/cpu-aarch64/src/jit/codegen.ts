/**
 * Code generation: one WebAssembly function per region. A region is the straight line of A64
 * instructions from a hot entry point to the first unconditional control transfer, inside one
 * 4 KiB page; a conditional branch forward within that straight line skips inside the
 * function (its blocks nest: the common if-then shapes), other conditional branches leave it
 * when taken, and any branch back to the entry loops inside the function (so a hot loop runs
 * without returning to JavaScript). A branch back to a later instruction of the straight line
 * loops too, when a wasm loop opened at that instruction nests with the open skips (an inner
 * loop after some setup instructions); each pass round it checks the budget.
 *
 * Guest registers are read and written in the CPU's state block at every use, so every exit
 * leaves exact architectural state. Loads and stores look their address up in the CPU's
 * software TLB inline; a miss, an access crossing a page, an unaligned access under
 * SCTLR.A, a misaligned SP under SCTLR.SA, a store while the exclusive monitor is armed (a
 * store-exclusive excepted: it checks and clears the monitor, which LDXR/LDAXR arm), or a store to a page holding
 * compiled code (never in the store TLB) leaves the function before that instruction
 * (EXIT_STOP), and the interpreter performs it with all its checks. Anything not compiled
 * (most system instructions, atomics, FP/SIMD, ...) ends the region the same
 * way.
 *
 * Signature: (base: i64, budget: i32, ctx: i32, flags: i32) -> retired: i32, with the exit PC
 * (i64) and EXIT_* kind stored in the state block. `base` is the virtual address of the
 * region's page, `ctx` the data translation context (as in the TLB tags), `flags` F_* bits,
 * `budget` the most instructions it may retire.
 */

import { Bytes, FnBody, type Locals, Op, ValType } from "@axvisor/machine";
import { bitMask } from "../execute.js";
import { out } from "../int64.js";
import {
  EXIT_BRANCH,
  EXIT_STOP,
  EXIT_UNMASK,
  F_CTR,
  F_DC_CMO,
  F_DC_ZVA,
  F_EXCLUSIVE,
  F_IC_LOCAL,
  F_PRIV,
  F_SP_ALIGN,
  F_SP_EL0,
  F_STRICT_ALIGN,
  ST_C,
  ST_CTR,
  ST_DAIF,
  ST_DCZID,
  ST_EXCL,
  ST_EXCL_SIZE,
  ST_EXIT_KIND,
  ST_EXIT_PC,
  ST_FLAGS,
  ST_N,
  ST_SP_BANK,
  ST_TLB_OFF,
  ST_TLB_TAG,
  ST_TPIDR,
  ST_V,
  ST_X,
  ST_Z,
} from "./state.js";
import { X } from "./wasm-ops.js";

/** Where the CPU's state and RAM are inside the wasm memory. */
export interface CodegenEnv {
  readonly stateBase: number;
  /** Byte offset of RAM byte 0 (guest physical ramBase) in the memory. */
  readonly ramOffset: number;
}

// Parameters and locals of a region function.
const P_BASE = 0;
const P_BUDGET = 1;
const P_CTX = 2;
const P_FLAGS = 3;
const L_N = 4;
const L_A = 5;
const L_W1 = 7;
const L_W2 = 8;
const L_W3 = 9;
const L_KIND = 10;
const L_RET = 11;
/** NZCV, four i32 0/1 locals. */
const L_F0 = 12;
const REGION_I32 = 12;
const L_PB = 16;
const L_VA = 17;
const L_X = 18;
const L_Y = 19;
const L_R = 20;
const L_CTX = 21;
const L_EPC = 22;
const REGION_I64 = 7;
/** The guest registers a region uses, one i64 local each. */
const L_REG0 = 23;

/** How an instruction ends the straight line (or not). */
const FLOW_NEXT = 0;
/** An unconditional transfer: nothing after it in this pass. */
const FLOW_END = 1;
/** B or BL to an instruction of the page the region follows: the straight line goes on there. */
const FLOW_GOTO = 2;

/**
 * An open forward branch of the region being compiled, or an open inner loop (a wasm loop
 * from its header to just after its last back edge).
 */
interface ForwardBranch {
  /** Page offset of the target (of a loop: the instruction after its last back edge). */
  readonly target: number;
  readonly label: string;
  /**
   * Instructions retired on the way to the target along the straight line (from the entry);
   * of a loop, those before its header.
   */
  readonly kTarget: number;
  /** Page offset of a loop's header; -1 for a forward branch. */
  readonly head: number;
}

/** A region compiled once into its function body (without the prologue and epilogue). */
export interface RegionCode {
  /** Page offset of the entry. */
  readonly entry: number;
  /** Instructions from the entry, all compiled. */
  readonly count: number;
  /** Page offset where the straight line goes on after its last instruction (end "stop", "limit"). */
  readonly resume: number;
  /** Why it ends after the last instruction: "end" (a transfer), "stop" (unsupported), "limit". */
  readonly end: "end" | "stop" | "limit";
  /** Guest registers (31 = SP) it reads or writes, in the order of their locals from L_REG0. */
  readonly used: readonly number[];
  /** Those it writes. */
  readonly written: readonly number[];
  /** Whether it writes NZCV. */
  readonly flags: boolean;
  /** The instructions' code, written inside the function's "exit" block and "top" loop. */
  readonly body: Uint8Array;
}

const scratch = new Bytes(1 << 14);

/**
 * Compiles the region at page offset `entry` (`word(off)` reads the page) in one pass:
 * undefined when its first instruction is not compiled.
 */
export function compileRegion(
  word: (off: number) => number,
  entry: number,
  maxInsns: number,
  env: CodegenEnv,
): RegionCode | undefined {
  return new RegionEmitter(env).compile(word, entry, maxInsns);
}

/** Writes region functions. */
export class RegionEmitter {
  private f: FnBody = new FnBody(scratch);
  private entry = 0;
  /** The local holding each guest register (-1: not used so far); locals are given on first use. */
  private readonly regLocal = new Int32Array(32).fill(-1);
  private readonly used: number[] = [];
  private readonly writes = new Uint8Array(32);
  private readonly written: number[] = [];
  private flagsWritten = false;
  /**
   * Forward conditional branches taken inside the region, innermost last: each is a wasm
   * block around the straight line from the branch to its target, which ends where the
   * straight line reaches the target (or, if the region ends first, exits to it).
   */
  private readonly forward: ForwardBranch[] = [];
  /** Page offsets of the instructions emitted so far (a B or BL never goes back to them). */
  private readonly emitted = new Uint8Array(1024);
  private readonly emittedList: number[] = [];
  /** The target of the last FLOW_GOTO. */
  private gotoTarget = 0;
  /**
   * By page offset / 4 of a loop header in the straight line from the entry: the page offset
   * after its last back edge (0: none), found by a scan before compiling.
   */
  private readonly loopEnd = new Int32Array(1024);
  private readonly loopHeads: number[] = [];
  /**
   * Where the budget checks of inner loops hold the pass length (unknown until the region
   * ends): five-byte i32.const operands written once it is.
   */
  private readonly passLength: number[] = [];

  constructor(private readonly env: CodegenEnv) {}

  /**
   * The body of the region at `entry`, each instruction emitted once: an instruction that does
   * not compile is rolled back (code, register locals, writes) and ends the region before it.
   */
  compile(word: (off: number) => number, entry: number, maxInsns: number): RegionCode | undefined {
    this.entry = entry;
    this.regLocal.fill(-1);
    this.used.length = 0;
    this.writes.fill(0);
    this.written.length = 0;
    this.flagsWritten = false;
    this.forward.length = 0;
    for (const o of this.emittedList) this.emitted[o >> 2] = 0;
    this.emittedList.length = 0;
    this.passLength.length = 0;
    this.findLoops(word, entry, maxInsns);
    this.openBody(0);
    let count = 0;
    let end: RegionCode["end"] = "limit";
    let off = entry;
    for (; off < 4096 && count < maxInsns; off += 4) {
      // The straight line reaches the targets of forward branches: their blocks end here.
      const fw = this.forward;
      while (fw.length > 0 && fw[fw.length - 1]!.target === off) {
        fw.pop();
        this.f.end();
      }
      // An inner loop starts here when its end nests inside the open skips and loops.
      const loopEnd = this.loopEnd[off >> 2]!;
      if (
        loopEnd !== 0 &&
        off !== entry &&
        (fw.length === 0 || loopEnd <= fw[fw.length - 1]!.target)
      ) {
        const label = `l${off}`;
        this.f.loop(label);
        fw.push({ target: loopEnd, label, kTarget: count, head: off });
      }
      const mark = scratch.length;
      const nUsed = this.used.length;
      const nWritten = this.written.length;
      const flags = this.flagsWritten;
      const flow = this.insn(word(off), off, count);
      if (flow < 0) {
        while (this.used.length > nUsed) this.regLocal[this.used.pop()!] = -1;
        while (this.written.length > nWritten) this.writes[this.written.pop()!] = 0;
        this.flagsWritten = flags;
        while (this.passLength.length > 0 && this.passLength[this.passLength.length - 1]! >= mark)
          this.passLength.pop();
        // A failed instruction may leave blocks open: restart the label stack at the mark.
        this.openBody(mark);
        end = "stop";
        break;
      }
      count++;
      this.emitted[off >> 2] = 1;
      this.emittedList.push(off);
      if (flow === FLOW_END) {
        end = "end";
        break;
      }
      if (flow === FLOW_GOTO) off = this.gotoTarget - 4;
    }
    if (count === 0) return undefined;
    // A round of an inner loop, as a pass from the entry, must fit in the budget.
    for (const at of this.passLength) {
      const v = -count;
      for (let i = 0; i < 5; i++)
        scratch.buf[at + i] = ((v >> (7 * i)) & 0x7f) | (i < 4 ? 0x80 : 0);
    }
    if (this.forward.length > 0) {
      // The straight line ends before some targets: its own exit first, then each taken
      // forward branch leaves its block and exits to its target.
      if (end !== "end") {
        this.exit(off, count, end === "stop" ? EXIT_STOP : EXIT_BRANCH);
        end = "end";
      }
      while (this.forward.length > 0) {
        const b = this.forward.pop()!;
        this.f.end();
        // Only a branch back reaches a loop's header; nothing falls out of it here.
        if (b.head < 0) this.exit(b.target, b.kTarget, EXIT_BRANCH);
      }
    }
    return {
      entry,
      count,
      resume: off,
      end,
      used: this.used.slice(),
      written: this.written.slice(),
      flags: this.flagsWritten,
      body: scratch.buf.slice(0, scratch.length),
    };
  }

  /**
   * Points the emitter at the scratch body with the labels "exit" and "top" open, as they are
   * around the body in the final function (`wrap` writes their opcodes), keeping `length` bytes.
   */
  private openBody(length: number): void {
    this.f = new FnBody(scratch);
    this.f.block("exit");
    this.f.loop("top");
    for (const b of this.forward) {
      if (b.head < 0) this.f.block(b.label);
      else this.f.loop(b.label);
    }
    scratch.length = length;
  }

  /**
   * Marks the loop headers of the straight line from `entry` (up to its first unconditional
   * transfer): targets of conditional branches or B back to an instruction after the entry.
   */
  private findLoops(word: (off: number) => number, entry: number, maxInsns: number): void {
    for (const h of this.loopHeads) this.loopEnd[h >> 2] = 0;
    this.loopHeads.length = 0;
    const last = Math.min(4096, entry + 4 * maxInsns);
    for (let off = entry; off < last; off += 4) {
      const insn = word(off);
      let target = -1;
      let stop = false;
      if ((insn & 0x7c000000) === 0x14000000) {
        // B, BL: the straight line goes on elsewhere (or ends).
        if (insn >= 0) target = off + ((insn << 6) >> 6) * 4;
        stop = true;
      } else if ((insn & 0x7c000000) === 0x34000000) {
        // CBZ/CBNZ, TBZ/TBNZ
        target = off + ((insn & 0x02000000) === 0 ? (insn << 8) >> 13 : (insn << 13) >> 18) * 4;
      } else if ((insn & 0xff000010) >>> 0 === 0x54000000) {
        target = off + ((insn << 8) >> 13) * 4;
        stop = (insn & 14) === 14;
      } else if ((insn & 0xfe000000) >>> 0 === 0xd6000000) {
        stop = true; // BR, BLR, RET, ERET, ...
      }
      if (target > entry && target <= off) {
        if (this.loopEnd[target >> 2] === 0) this.loopHeads.push(target);
        this.loopEnd[target >> 2] = off + 4;
      }
      if (stop) break;
    }
  }

  /** Locals of the function `wrap` writes for `code`. */
  static locals(code: RegionCode): Locals {
    return [
      [REGION_I32, ValType.i32],
      [REGION_I64 + code.used.length, ValType.i64],
    ];
  }

  /** Writes the whole function of `code` into `f` (declared with `locals(code)`). */
  wrap(f: FnBody, code: RegionCode): void {
    this.f = f;
    this.entry = code.entry;
    const n = code.count;
    f.get(P_BASE);
    f.set(L_PB);
    f.get(P_CTX);
    f.op(Op.i64ExtendI32U);
    f.set(L_CTX);
    // Guest registers and NZCV live in locals while the function runs.
    code.used.forEach((r, i) => {
      f.i32(0);
      f.mem(Op.i64Load, 3, this.s(ST_X + 8 * r));
      f.set(L_REG0 + i);
    });
    for (let i = 0; i < 4; i++) {
      f.i32(0);
      f.mem(Op.i32Load, 2, this.s(ST_N + 4 * i));
      f.set(L_F0 + i);
    }
    f.block("exit");
    f.loop("top");
    // A whole pass must fit in the budget.
    f.get(P_BUDGET);
    f.get(L_N);
    f.op(Op.i32Sub);
    f.i32(n);
    f.op(Op.i32LtS);
    f.if();
    this.exit(code.entry, 0, EXIT_BRANCH);
    f.end();
    const out = f.code;
    out.ensure(code.body.length);
    out.buf.set(code.body, out.length);
    out.length += code.body.length;
    if (code.end !== "end") {
      this.exit(code.resume, n, code.end === "stop" ? EXIT_STOP : EXIT_BRANCH);
    }
    f.end(); // top
    f.end(); // exit
    // Every exit comes here: registers and NZCV back to the state block.
    for (const r of code.written) {
      f.i32(0);
      f.get(L_REG0 + code.used.indexOf(r));
      f.mem(Op.i64Store, 3, this.s(ST_X + 8 * r));
    }
    if (code.flags) {
      for (let i = 0; i < 4; i++) {
        f.i32(0);
        f.get(L_F0 + i);
        f.mem(X.i32Store, 2, this.s(ST_N + 4 * i));
      }
    }
    f.i32(0);
    f.get(L_EPC);
    f.mem(Op.i64Store, 3, this.s(ST_EXIT_PC));
    f.i32(0);
    f.get(L_KIND);
    f.mem(X.i32Store, 2, this.s(ST_EXIT_KIND));
    f.get(L_RET);
  }

  // ------------------------------------------------------------------ helpers

  private s(off: number): number {
    return this.env.stateBase + off;
  }

  /** Leaves the function: PC = page base + `off`, `k` more instructions retired this pass. */
  private exit(off: number, k: number, kind: number): void {
    const f = this.f;
    f.get(L_PB);
    if (off !== 0) {
      f.i64(off);
      f.op(Op.i64Add);
    }
    f.set(L_EPC);
    this.exitTail(k, kind);
  }

  /** Leaves with the PC in L_R. */
  private exitDynamic(k: number): void {
    const f = this.f;
    f.get(L_R);
    f.set(L_EPC);
    this.exitTail(k, EXIT_BRANCH);
  }

  private exitTail(k: number, kind: number): void {
    const f = this.f;
    f.i32(kind);
    f.set(L_KIND);
    f.get(L_N);
    if (k !== 0) {
      f.i32(k);
      f.op(Op.i32Add);
    }
    f.set(L_RET);
    f.br("exit");
  }

  /**
   * A conditional branch at page offset `off` (the `k`th instruction of the pass) to `target`,
   * taken when `test` leaves a non-zero i32. A forward target in the page whose block nests
   * inside the open ones stays in the region: the taken path leaves the block around the
   * instructions it skips, with the pass count lowered by those it did not retire; any other
   * target is a jump.
   */
  private branchIf(target: number, off: number, k: number, test: () => void): void {
    const f = this.f;
    const fw = this.forward;
    const nests =
      target !== this.entry &&
      target > off &&
      target < 4096 &&
      (fw.length === 0 || target <= fw[fw.length - 1]!.target);
    if (!nests) {
      test();
      f.if();
      this.jump(target, k);
      f.end();
      return;
    }
    const label = `f${off}`;
    const skipped = (target - off) / 4 - 1;
    f.block(label);
    test();
    f.if();
    if (skipped !== 0) {
      f.get(L_N);
      f.i32(skipped);
      f.op(Op.i32Sub);
      f.set(L_N);
    }
    f.br(label);
    f.end();
    fw.push({ target, label, kTarget: k + 1 + skipped, head: -1 });
  }

  /** A taken branch to page offset `target` after `k` instructions of this pass. */
  private jump(target: number, k: number): void {
    const f = this.f;
    if (target === this.entry) {
      f.get(L_N);
      f.i32(k + 1);
      f.op(Op.i32Add);
      f.set(L_N);
      f.br("top");
      return;
    }
    const loop = this.forward.find((b) => b.head === target);
    if (loop === undefined) {
      this.exit(target, k + 1, EXIT_BRANCH);
      return;
    }
    // Back to an inner loop's header: the pass count restarts there (L_N + kTarget retired),
    // and the rest of a pass must fit in the budget, as at the entry.
    f.get(L_N);
    f.i32(k + 1 - loop.kTarget);
    f.op(Op.i32Add);
    f.tee(L_N);
    f.get(P_BUDGET);
    f.op(Op.i32Sub);
    f.op(Op.i32Const);
    this.passLength.push(scratch.length);
    for (let i = 0; i < 5; i++) scratch.byte(0);
    f.op(Op.i32GtS);
    f.if();
    this.exit(target, loop.kTarget, EXIT_BRANCH);
    f.end();
    f.br(loop.label);
  }

  /** 64-bit constant from its halves. */
  private k64(lo: number, hi: number): void {
    const f = this.f;
    if (hi >= -0x200000 && hi < 0x200000) {
      f.i64(hi * 4294967296 + (lo >>> 0));
      return;
    }
    f.i64(hi);
    f.i64(32);
    f.op(Op.i64Shl);
    f.i64(lo >>> 0);
    f.op(Op.i64Or);
  }

  /** The local of guest register n (31: SP), given on its first use; notes writes. */
  private reg(n: number, write: boolean): number {
    if (write && this.writes[n] === 0) {
      this.writes[n] = 1;
      this.written.push(n);
    }
    let l = this.regLocal[n]!;
    if (l < 0) {
      l = L_REG0 + this.used.length;
      this.regLocal[n] = l;
      this.used.push(n);
    }
    return l;
  }

  /** X[n] (n = 31: XZR, or SP when `sp`). */
  private x64(n: number, sp = false): void {
    const f = this.f;
    if (n === 31 && !sp) {
      f.i64(0);
      return;
    }
    f.get(this.reg(n, false));
  }

  /** W[n]. */
  private w32(n: number, sp = false): void {
    const f = this.f;
    if (n === 31 && !sp) {
      f.i32(0);
      return;
    }
    f.get(this.reg(n, false));
    f.op(Op.i32WrapI64);
  }

  /** Pops the value on the stack into X[n] (n = 31: XZR discards it, or SP when `sp`). */
  private set64(n: number, sp = false): void {
    const f = this.f;
    if (n === 31 && !sp) f.op(Op.drop);
    else f.set(this.reg(n, true));
  }
  /** Writes a 32-bit value zero-extended. */
  private set32(n: number, sp = false): void {
    const f = this.f;
    if (n === 31 && !sp) {
      f.op(Op.drop);
      return;
    }
    f.op(Op.i64ExtendI32U);
    f.set(this.reg(n, true));
  }

  private flag(off: number): void {
    this.f.get(L_F0 + ((off - ST_N) >> 2));
  }
  private setFlag(off: number, value: () => void): void {
    this.flagsWritten = true;
    value();
    this.f.set(L_F0 + ((off - ST_N) >> 2));
  }

  /** Pushes whether condition `cond` holds (i32 0/1). */
  private cond(cond: number): void {
    const f = this.f;
    switch (cond >>> 1) {
      case 0:
        this.flag(ST_Z);
        break;
      case 1:
        this.flag(ST_C);
        break;
      case 2:
        this.flag(ST_N);
        break;
      case 3:
        this.flag(ST_V);
        break;
      case 4:
        this.flag(ST_C);
        this.flag(ST_Z);
        f.op(Op.i32Eqz);
        f.op(Op.i32And);
        break;
      case 5:
        this.flag(ST_N);
        this.flag(ST_V);
        f.op(Op.i32Eq);
        break;
      case 6:
        this.flag(ST_N);
        this.flag(ST_V);
        f.op(Op.i32Eq);
        this.flag(ST_Z);
        f.op(Op.i32Eqz);
        f.op(Op.i32And);
        break;
      default:
        f.i32(1);
        return;
    }
    if ((cond & 1) !== 0) f.op(Op.i32Eqz);
  }

  /** R = X +/- Y (64-bit), NZCV from it when `flags`. */
  private addSub64(sub: boolean, flags: boolean): void {
    const f = this.f;
    f.get(L_X);
    f.get(L_Y);
    f.op(sub ? Op.i64Sub : Op.i64Add);
    f.set(L_R);
    if (!flags) return;
    this.setFlag(ST_N, () => {
      f.get(L_R);
      f.i64(63);
      f.op(Op.i64ShrU);
      f.op(Op.i32WrapI64);
    });
    this.setFlag(ST_Z, () => {
      f.get(L_R);
      f.op(Op.i64Eqz);
    });
    this.setFlag(ST_C, () => {
      if (sub) {
        f.get(L_X);
        f.get(L_Y);
        f.op(Op.i64GeU);
      } else {
        f.get(L_R);
        f.get(L_X);
        f.op(Op.i64LtU);
      }
    });
    this.setFlag(ST_V, () => {
      f.get(L_X);
      f.get(sub ? L_Y : L_R);
      f.op(Op.i64Xor);
      f.get(sub ? L_X : L_Y);
      f.get(L_R);
      f.op(Op.i64Xor);
      f.op(Op.i64And);
      f.i64(63);
      f.op(Op.i64ShrU);
      f.op(Op.i32WrapI64);
    });
  }

  /** W3 = W1 +/- W2 (32-bit), NZCV when `flags`. */
  private addSub32(sub: boolean, flags: boolean): void {
    const f = this.f;
    f.get(L_W1);
    f.get(L_W2);
    f.op(sub ? Op.i32Sub : Op.i32Add);
    f.set(L_W3);
    if (!flags) return;
    this.setFlag(ST_N, () => {
      f.get(L_W3);
      f.i32(31);
      f.op(Op.i32ShrU);
    });
    this.setFlag(ST_Z, () => {
      f.get(L_W3);
      f.op(Op.i32Eqz);
    });
    this.setFlag(ST_C, () => {
      if (sub) {
        f.get(L_W1);
        f.get(L_W2);
        f.op(Op.i32GeU);
      } else {
        f.get(L_W3);
        f.get(L_W1);
        f.op(Op.i32LtU);
      }
    });
    this.setFlag(ST_V, () => {
      f.get(L_W1);
      f.get(sub ? L_W2 : L_W3);
      f.op(Op.i32Xor);
      f.get(sub ? L_W1 : L_W2);
      f.get(L_W3);
      f.op(Op.i32Xor);
      f.op(Op.i32And);
      f.i32(31);
      f.op(Op.i32ShrU);
    });
  }

  /** NZ from the result local, C = V = 0 (logical operations that set flags). */
  private logicFlags(sf: boolean): void {
    const f = this.f;
    this.setFlag(ST_N, () => {
      if (sf) {
        f.get(L_R);
        f.i64(63);
        f.op(Op.i64ShrU);
        f.op(Op.i32WrapI64);
      } else {
        f.get(L_W3);
        f.i32(31);
        f.op(Op.i32ShrU);
      }
    });
    this.setFlag(ST_Z, () => {
      f.get(sf ? L_R : L_W3);
      f.op(sf ? Op.i64Eqz : Op.i32Eqz);
    });
    this.setFlag(ST_C, () => f.i32(0));
    this.setFlag(ST_V, () => f.i32(0));
  }

  /** Shifts the value on the stack by a constant (type LSL, LSR, ASR, ROR). */
  private shiftConst(sf: boolean, type: number, amt: number): void {
    if (amt === 0) return;
    const f = this.f;
    if (sf) {
      f.i64(amt);
      f.op([Op.i64Shl, Op.i64ShrU, Op.i64ShrS, X.i64Rotr][type]!);
    } else {
      f.i32(amt);
      f.op([Op.i32Shl, Op.i32ShrU, Op.i32ShrS, X.i32Rotr][type]!);
    }
  }

  /** Rm extended (option) and shifted left by sh, as i64. */
  private extended(rm: number, option: number, sh: number): void {
    const f = this.f;
    switch (option) {
      case 0:
      case 1:
        this.w32(rm);
        f.i32(option === 0 ? 0xff : 0xffff);
        f.op(Op.i32And);
        f.op(Op.i64ExtendI32U);
        break;
      case 2:
        this.w32(rm);
        f.op(Op.i64ExtendI32U);
        break;
      case 4:
        this.x64(rm);
        f.op(X.i64Extend8S);
        break;
      case 5:
        this.x64(rm);
        f.op(X.i64Extend16S);
        break;
      case 6:
        this.w32(rm);
        f.op(Op.i64ExtendI32S);
        break;
      default:
        this.x64(rm);
    }
    if (sh !== 0) {
      f.i64(sh);
      f.op(Op.i64Shl);
    }
  }

  // ------------------------------------------------------------------ instructions

  /** Emits one instruction (k-th of the pass, at page offset off): FLOW_* or -1. */
  private insn(insn: number, off: number, k: number): number {
    switch ((insn >>> 25) & 0xf) {
      case 0x8:
      case 0x9:
        return this.dpImmediate(insn, off);
      case 0x5:
      case 0xd:
        return this.dpRegister(insn);
      case 0xa:
      case 0xb:
        return this.branch(insn, off, k);
      case 0x4:
      case 0x6:
      case 0xc:
      case 0xe:
        return this.loadStore(insn, off, k);
      default:
        return -1;
    }
  }

  private dpImmediate(insn: number, off: number): number {
    const f = this.f;
    const sf = insn < 0;
    const rd = insn & 31;
    const rn = (insn >>> 5) & 31;
    switch ((insn >>> 23) & 7) {
      case 0:
      case 1: {
        // ADR, ADRP
        const imm = (((insn << 8) >> 13) << 2) | ((insn >>> 29) & 3);
        f.get(L_PB);
        f.i64(insn < 0 ? imm * 4096 : off + imm);
        f.op(Op.i64Add);
        this.set64(rd);
        return FLOW_NEXT;
      }
      case 2: {
        // ADD/SUB (immediate)
        if ((insn & (1 << 23)) !== 0) return -1;
        const sub = (insn & (1 << 30)) !== 0;
        const s = (insn & (1 << 29)) !== 0;
        let imm = (insn >>> 10) & 0xfff;
        if ((insn & (1 << 22)) !== 0) imm *= 4096;
        if (sf) {
          this.x64(rn, true);
          f.set(L_X);
          f.i64(imm);
          f.set(L_Y);
          this.addSub64(sub, s);
          f.get(L_R);
          this.set64(rd, !s);
        } else {
          this.w32(rn, true);
          f.set(L_W1);
          f.i32(imm);
          f.set(L_W2);
          this.addSub32(sub, s);
          f.get(L_W3);
          this.set32(rd, !s);
        }
        return FLOW_NEXT;
      }
      case 4: {
        // Logical (immediate)
        const n = (insn >>> 22) & 1;
        if (!bitMask(n, (insn >>> 16) & 63, (insn >>> 10) & 63, sf)) return -1;
        const lo = out[0]!;
        const hi = out[1]!;
        const opc = (insn >>> 29) & 3;
        const s = opc === 3;
        const op = [Op.i64And, Op.i64Or, Op.i64Xor, Op.i64And][opc]!;
        if (sf) {
          this.x64(rn);
          this.k64(lo, hi);
          f.op(op);
          f.set(L_R);
          if (s) this.logicFlags(true);
          f.get(L_R);
          this.set64(rd, !s);
        } else {
          this.w32(rn);
          f.i32(lo);
          f.op([Op.i32And, Op.i32Or, Op.i32Xor, Op.i32And][opc]!);
          f.set(L_W3);
          if (s) this.logicFlags(false);
          f.get(L_W3);
          this.set32(rd, !s);
        }
        return FLOW_NEXT;
      }
      case 5: {
        // Move wide: MOVN, MOVZ, MOVK
        const opc = (insn >>> 29) & 3;
        const hw = (insn >>> 21) & 3;
        if (opc === 1 || (!sf && hw >= 2)) return -1;
        const imm = (insn >>> 5) & 0xffff;
        const sh = hw * 16;
        const vlo = sh === 0 ? imm : sh === 16 ? imm << 16 : 0;
        const vhi = sh === 32 ? imm : sh === 48 ? imm << 16 : 0;
        if (opc === 3) {
          if (sf) {
            this.x64(rd);
            this.k64(~(sh < 32 ? 0xffff << sh : 0), ~(sh >= 32 ? 0xffff << (sh - 32) : 0));
            f.op(Op.i64And);
            this.k64(vlo, vhi);
            f.op(Op.i64Or);
            this.set64(rd);
          } else {
            this.w32(rd);
            f.i32(~(0xffff << sh));
            f.op(Op.i32And);
            f.i32(vlo);
            f.op(Op.i32Or);
            this.set32(rd);
          }
        } else if (sf) {
          this.k64(opc === 0 ? ~vlo : vlo, opc === 0 ? ~vhi : vhi);
          this.set64(rd);
        } else {
          f.i32(opc === 0 ? ~vlo : vlo);
          this.set32(rd);
        }
        return FLOW_NEXT;
      }
      case 6:
        return this.bitfield(insn);
      case 7: {
        // EXTR
        if ((insn & 0x60200000) !== 0 || ((insn >>> 22) & 1) !== (sf ? 1 : 0)) return -1;
        const rm = (insn >>> 16) & 31;
        const lsb = (insn >>> 10) & 63;
        if (!sf && lsb >= 32) return -1;
        if (sf) {
          this.x64(rm);
          if (lsb !== 0) {
            f.i64(lsb);
            f.op(Op.i64ShrU);
            this.x64(rn);
            f.i64(64 - lsb);
            f.op(Op.i64Shl);
            f.op(Op.i64Or);
          }
          this.set64(rd);
        } else {
          this.w32(rm);
          if (lsb !== 0) {
            f.i32(lsb);
            f.op(Op.i32ShrU);
            this.w32(rn);
            f.i32(32 - lsb);
            f.op(Op.i32Shl);
            f.op(Op.i32Or);
          }
          this.set32(rd);
        }
        return FLOW_NEXT;
      }
      default:
        return -1;
    }
  }

  /** SBFM, BFM, UBFM. */
  private bitfield(insn: number): number {
    const f = this.f;
    const sf = insn < 0;
    const opc = (insn >>> 29) & 3;
    const n = (insn >>> 22) & 1;
    const immr = (insn >>> 16) & 63;
    const imms = (insn >>> 10) & 63;
    const rd = insn & 31;
    const rn = (insn >>> 5) & 31;
    const size = sf ? 64 : 32;
    if (opc === 3 || n !== (sf ? 1 : 0) || immr >= size || imms >= size) return -1;
    const top = size - 1;
    if (opc !== 1) {
      const shr = opc === 0 ? (sf ? Op.i64ShrS : Op.i32ShrS) : sf ? Op.i64ShrU : Op.i32ShrU;
      const shl = sf ? Op.i64Shl : Op.i32Shl;
      const c = (v: number) => (sf ? f.i64(v) : f.i32(v));
      if (sf) this.x64(rn);
      else this.w32(rn);
      if (imms >= immr) {
        c(top - imms);
        f.op(shl);
        c(top - imms + immr);
        f.op(shr);
      } else {
        c(top - imms);
        f.op(shl);
        c(top - imms);
        f.op(shr);
        c(size - immr);
        f.op(shl);
      }
    } else {
      // BFM: insert the field, keep the other bits of Rd.
      const width = imms >= immr ? imms - immr + 1 : imms + 1;
      const pos = imms >= immr ? 0 : size - immr;
      const [mlo, mhi] = ones(width, pos);
      if (sf) {
        this.x64(rd);
        this.k64(~mlo, ~mhi);
        f.op(Op.i64And);
        this.x64(rn);
        if (imms >= immr) {
          f.i64(immr);
          f.op(Op.i64ShrU);
        } else {
          f.i64(pos);
          f.op(Op.i64Shl);
        }
        this.k64(mlo, mhi);
        f.op(Op.i64And);
        f.op(Op.i64Or);
      } else {
        this.w32(rd);
        f.i32(~mlo);
        f.op(Op.i32And);
        this.w32(rn);
        if (imms >= immr) {
          f.i32(immr);
          f.op(Op.i32ShrU);
        } else {
          f.i32(pos);
          f.op(Op.i32Shl);
        }
        f.i32(mlo);
        f.op(Op.i32And);
        f.op(Op.i32Or);
      }
    }
    if (sf) this.set64(rd);
    else this.set32(rd);
    return FLOW_NEXT;
  }

  private dpRegister(insn: number): number {
    const f = this.f;
    const sf = insn < 0;
    const rd = insn & 31;
    const rn = (insn >>> 5) & 31;
    const rm = (insn >>> 16) & 31;
    if ((insn & 0x1f000000) === 0x0a000000) {
      // Logical (shifted register)
      const imm6 = (insn >>> 10) & 63;
      if (!sf && imm6 >= 32) return -1;
      const opc = (insn >>> 29) & 3;
      const invert = (insn & (1 << 21)) !== 0;
      const type = (insn >>> 22) & 3;
      const s = opc === 3;
      if (sf) {
        this.x64(rn);
        this.x64(rm);
        this.shiftConst(true, type, imm6);
        if (invert) {
          f.i64(-1);
          f.op(Op.i64Xor);
        }
        f.op([Op.i64And, Op.i64Or, Op.i64Xor, Op.i64And][opc]!);
        f.set(L_R);
        if (s) this.logicFlags(true);
        f.get(L_R);
        this.set64(rd);
      } else {
        this.w32(rn);
        this.w32(rm);
        this.shiftConst(false, type, imm6);
        if (invert) {
          f.i32(-1);
          f.op(Op.i32Xor);
        }
        f.op([Op.i32And, Op.i32Or, Op.i32Xor, Op.i32And][opc]!);
        f.set(L_W3);
        if (s) this.logicFlags(false);
        f.get(L_W3);
        this.set32(rd);
      }
      return FLOW_NEXT;
    }
    if ((insn & 0x1f200000) === 0x0b000000) {
      // ADD/SUB (shifted register)
      const imm6 = (insn >>> 10) & 63;
      const type = (insn >>> 22) & 3;
      if (type === 3 || (!sf && imm6 >= 32)) return -1;
      return this.addSubReg(insn, () => {
        if (sf) this.x64(rm);
        else this.w32(rm);
        this.shiftConst(sf, type, imm6);
      });
    }
    if ((insn & 0x1f200000) === 0x0b200000) {
      // ADD/SUB (extended register)
      const imm3 = (insn >>> 10) & 7;
      if ((insn & 0x00c00000) !== 0 || imm3 > 4) return -1;
      const option = (insn >>> 13) & 7;
      return this.addSubReg(
        insn,
        () => {
          this.extended(rm, option, imm3);
          if (!sf) f.op(Op.i32WrapI64);
        },
        true,
      );
    }
    if ((insn & 0x1fe0fc00) === 0x1a000000) return this.addCarry(insn);
    if ((insn & 0x1fe00000) === 0x1a400000) return this.condCompare(insn);
    if ((insn & 0x1fe00000) === 0x1a800000) {
      // CSEL, CSINC, CSINV, CSNEG
      const op2 = (insn >>> 10) & 3;
      if ((insn & (1 << 29)) !== 0 || op2 >= 2) return -1;
      const inv = (insn & (1 << 30)) !== 0;
      if (sf) {
        this.x64(rn);
        this.x64(rm);
        if (inv) {
          f.i64(-1);
          f.op(Op.i64Xor);
        }
        if (op2 === 1) {
          f.i64(1);
          f.op(Op.i64Add);
        }
      } else {
        this.w32(rn);
        this.w32(rm);
        if (inv) {
          f.i32(-1);
          f.op(Op.i32Xor);
        }
        if (op2 === 1) {
          f.i32(1);
          f.op(Op.i32Add);
        }
      }
      this.cond((insn >>> 12) & 15);
      f.op(Op.select);
      if (sf) this.set64(rd);
      else this.set32(rd);
      return FLOW_NEXT;
    }
    if ((insn & 0x7fe00000) === 0x1ac00000) return this.dp2(insn);
    if ((insn & 0x7fe00000) === 0x5ac00000) return this.dp1(insn);
    if ((insn & 0x1f000000) === 0x1b000000) return this.dp3(insn);
    return -1;
  }

  /** ADD/SUB with the second operand pushed by `operand` (sp: Rn/Rd may be SP). */
  private addSubReg(insn: number, operand: () => void, sp = false): number {
    const f = this.f;
    const sf = insn < 0;
    const sub = (insn & (1 << 30)) !== 0;
    const s = (insn & (1 << 29)) !== 0;
    const rd = insn & 31;
    const rn = (insn >>> 5) & 31;
    if (sf) {
      this.x64(rn, sp);
      f.set(L_X);
      operand();
      f.set(L_Y);
      this.addSub64(sub, s);
      f.get(L_R);
      this.set64(rd, sp && !s);
    } else {
      this.w32(rn, sp);
      f.set(L_W1);
      operand();
      f.set(L_W2);
      this.addSub32(sub, s);
      f.get(L_W3);
      this.set32(rd, sp && !s);
    }
    return FLOW_NEXT;
  }

  /** ADC, ADCS, SBC, SBCS (SBC adds NOT Rm). */
  private addCarry(insn: number): number {
    const f = this.f;
    const sf = insn < 0;
    const sub = (insn & (1 << 30)) !== 0;
    const s = (insn & (1 << 29)) !== 0;
    const rd = insn & 31;
    const rn = (insn >>> 5) & 31;
    const rm = (insn >>> 16) & 31;
    if (sf) {
      this.x64(rn);
      f.set(L_X);
      this.x64(rm);
      if (sub) {
        f.i64(-1);
        f.op(Op.i64Xor);
      }
      f.set(L_Y);
      // R = X + Y + C; the carry out is set when either addition wrapped.
      f.get(L_X);
      f.get(L_Y);
      f.op(Op.i64Add);
      f.tee(L_VA);
      this.flag(ST_C);
      f.op(Op.i64ExtendI32U);
      f.op(Op.i64Add);
      f.set(L_R);
      if (s) {
        this.setFlag(ST_C, () => {
          f.get(L_VA);
          f.get(L_X);
          f.op(Op.i64LtU);
          f.get(L_R);
          f.get(L_VA);
          f.op(Op.i64LtU);
          f.op(Op.i32Or);
        });
        this.setFlag(ST_N, () => {
          f.get(L_R);
          f.i64(63);
          f.op(Op.i64ShrU);
          f.op(Op.i32WrapI64);
        });
        this.setFlag(ST_Z, () => {
          f.get(L_R);
          f.op(Op.i64Eqz);
        });
        this.setFlag(ST_V, () => {
          f.get(L_X);
          f.get(L_R);
          f.op(Op.i64Xor);
          f.get(L_Y);
          f.get(L_R);
          f.op(Op.i64Xor);
          f.op(Op.i64And);
          f.i64(63);
          f.op(Op.i64ShrU);
          f.op(Op.i32WrapI64);
        });
      }
      f.get(L_R);
      this.set64(rd);
    } else {
      // 32-bit: the sum of the zero-extended operands and the carry, in 64 bits.
      this.w32(rn);
      f.set(L_W1);
      this.w32(rm);
      if (sub) {
        f.i32(-1);
        f.op(Op.i32Xor);
      }
      f.set(L_W2);
      f.get(L_W1);
      f.op(Op.i64ExtendI32U);
      f.get(L_W2);
      f.op(Op.i64ExtendI32U);
      f.op(Op.i64Add);
      this.flag(ST_C);
      f.op(Op.i64ExtendI32U);
      f.op(Op.i64Add);
      f.tee(L_R);
      f.op(Op.i32WrapI64);
      f.set(L_W3);
      if (s) {
        this.setFlag(ST_C, () => {
          f.get(L_R);
          f.i64(32);
          f.op(Op.i64ShrU);
          f.op(Op.i32WrapI64);
        });
        this.setFlag(ST_N, () => {
          f.get(L_W3);
          f.i32(31);
          f.op(Op.i32ShrU);
        });
        this.setFlag(ST_Z, () => {
          f.get(L_W3);
          f.op(Op.i32Eqz);
        });
        this.setFlag(ST_V, () => {
          f.get(L_W1);
          f.get(L_W3);
          f.op(Op.i32Xor);
          f.get(L_W2);
          f.get(L_W3);
          f.op(Op.i32Xor);
          f.op(Op.i32And);
          f.i32(31);
          f.op(Op.i32ShrU);
        });
      }
      f.get(L_W3);
      this.set32(rd);
    }
    return FLOW_NEXT;
  }

  /** CCMN, CCMP (register and immediate). */
  private condCompare(insn: number): number {
    const f = this.f;
    if ((insn & (1 << 29)) === 0 || (insn & (1 << 10)) !== 0 || (insn & (1 << 4)) !== 0) return -1;
    const sf = insn < 0;
    const sub = (insn & (1 << 30)) !== 0;
    const imm = (insn & (1 << 11)) !== 0;
    const rn = (insn >>> 5) & 31;
    const rm = (insn >>> 16) & 31;
    const nzcv = insn & 15;
    this.cond((insn >>> 12) & 15);
    f.if();
    if (sf) {
      this.x64(rn);
      f.set(L_X);
      if (imm) f.i64(rm);
      else this.x64(rm);
      f.set(L_Y);
      this.addSub64(sub, true);
    } else {
      this.w32(rn);
      f.set(L_W1);
      if (imm) f.i32(rm);
      else this.w32(rm);
      f.set(L_W2);
      this.addSub32(sub, true);
    }
    f.else();
    this.setFlag(ST_N, () => f.i32((nzcv >>> 3) & 1));
    this.setFlag(ST_Z, () => f.i32((nzcv >>> 2) & 1));
    this.setFlag(ST_C, () => f.i32((nzcv >>> 1) & 1));
    this.setFlag(ST_V, () => f.i32(nzcv & 1));
    f.end();
    return FLOW_NEXT;
  }

  /** UDIV, SDIV, LSLV, LSRV, ASRV, RORV. */
  private dp2(insn: number): number {
    const f = this.f;
    const sf = insn < 0;
    const rd = insn & 31;
    const rn = (insn >>> 5) & 31;
    const rm = (insn >>> 16) & 31;
    const opcode = (insn >>> 10) & 63;
    const get = (r: number) => (sf ? this.x64(r) : this.w32(r));
    if (opcode === 2 || opcode === 3) {
      // Division by zero gives 0; INT_MIN / -1 gives INT_MIN (wasm would trap on both).
      get(rn);
      f.set(sf ? L_X : L_W1);
      get(rm);
      f.set(sf ? L_Y : L_W2);
      f.get(sf ? L_Y : L_W2);
      f.op(sf ? Op.i64Eqz : Op.i32Eqz);
      f.if(null, sf ? ValType.i64 : ValType.i32);
      if (sf) f.i64(0);
      else f.i32(0);
      f.else();
      if (opcode === 3) {
        f.get(sf ? L_Y : L_W2);
        if (sf) f.i64(-1);
        else f.i32(-1);
        f.op(sf ? Op.i64Eq : Op.i32Eq);
        f.if(null, sf ? ValType.i64 : ValType.i32);
        if (sf) f.i64(0);
        else f.i32(0);
        f.get(sf ? L_X : L_W1);
        f.op(sf ? Op.i64Sub : Op.i32Sub);
        f.else();
        f.get(sf ? L_X : L_W1);
        f.get(sf ? L_Y : L_W2);
        f.op(sf ? Op.i64DivS : Op.i32DivS);
        f.end();
      } else {
        f.get(sf ? L_X : L_W1);
        f.get(sf ? L_Y : L_W2);
        f.op(sf ? Op.i64DivU : Op.i32DivU);
      }
      f.end();
      if (sf) this.set64(rd);
      else this.set32(rd);
      return FLOW_NEXT;
    }
    if (opcode >= 16 && opcode <= 23) {
      // CRC32{B,H,W,X} / CRC32C{B,H,W,X}: the reflected CRC, one bit per step: the value
      // XORed into the accumulator, then each bit shifted out with the polynomial.
      const sz = opcode & 3;
      if ((sz === 3) !== sf) return -1;
      const poly = (opcode & 4) !== 0 ? 0x82f63b78 : 0xedb88320;
      this.w32(rn);
      f.op(Op.i64ExtendI32U);
      if (sf) this.x64(rm);
      else {
        this.w32(rm);
        if (sz < 2) {
          f.i32(sz === 0 ? 0xff : 0xffff);
          f.op(Op.i32And);
        }
        f.op(Op.i64ExtendI32U);
      }
      f.op(Op.i64Xor);
      f.set(L_X);
      f.i32(8 << sz);
      f.set(L_W2);
      f.loop("crc");
      f.get(L_X);
      f.i64(1);
      f.op(Op.i64ShrU);
      f.i64(poly);
      f.i64(0);
      f.get(L_X);
      f.i64(1);
      f.op(Op.i64And);
      f.op(Op.i64Sub);
      f.op(Op.i64And);
      f.op(Op.i64Xor);
      f.set(L_X);
      f.get(L_W2);
      f.i32(1);
      f.op(Op.i32Sub);
      f.set(L_W2);
      f.get(L_W2);
      f.brIf("crc");
      f.end();
      f.get(L_X);
      f.op(Op.i32WrapI64);
      this.set32(rd);
      return FLOW_NEXT;
    }
    if (opcode < 8 || opcode > 11) return -1;
    const type = opcode - 8;
    get(rn);
    get(rm);
    if (sf) f.op([Op.i64Shl, Op.i64ShrU, Op.i64ShrS, X.i64Rotr][type]!);
    else f.op([Op.i32Shl, Op.i32ShrU, Op.i32ShrS, X.i32Rotr][type]!);
    if (sf) this.set64(rd);
    else this.set32(rd);
    return FLOW_NEXT;
  }

  /** CLZ, REV (32 and 64 bit). */
  private dp1(insn: number): number {
    const f = this.f;
    const sf = insn < 0;
    const rd = insn & 31;
    const rn = (insn >>> 5) & 31;
    if (((insn >>> 16) & 31) !== 0) return -1;
    const opcode = (insn >>> 10) & 63;
    if (opcode === 4) {
      if (sf) {
        this.x64(rn);
        f.op(X.i64Clz);
        this.set64(rd);
      } else {
        this.w32(rn);
        f.op(X.i32Clz);
        this.set32(rd);
      }
      return FLOW_NEXT;
    }
    if (opcode === 0) {
      // RBIT: each word reversed; the two words of X swap places.
      this.reverseWords(rd, rn, sf, () => this.rbit32());
      return FLOW_NEXT;
    }
    if (opcode === 1) {
      // REV16: the bytes of each halfword swapped.
      if (sf) {
        this.x64(rn);
        f.set(L_X);
        f.get(L_X);
        f.i64(8);
        f.op(Op.i64ShrU);
        this.k64(0x00ff00ff, 0x00ff00ff);
        f.op(Op.i64And);
        f.get(L_X);
        this.k64(0x00ff00ff, 0x00ff00ff);
        f.op(Op.i64And);
        f.i64(8);
        f.op(Op.i64Shl);
        f.op(Op.i64Or);
        this.set64(rd);
      } else {
        this.w32(rn);
        f.set(L_W1);
        f.get(L_W1);
        f.i32(8);
        f.op(Op.i32ShrU);
        f.i32(0x00ff00ff);
        f.op(Op.i32And);
        f.get(L_W1);
        f.i32(0x00ff00ff);
        f.op(Op.i32And);
        f.i32(8);
        f.op(Op.i32Shl);
        f.op(Op.i32Or);
        this.set32(rd);
      }
      return FLOW_NEXT;
    }
    if (opcode === 2 && sf) {
      // REV32: the bytes of each word reversed, the words in place.
      this.w32(rn);
      this.bswap32();
      f.op(Op.i64ExtendI32U);
      this.x64(rn);
      f.i64(32);
      f.op(Op.i64ShrU);
      f.op(Op.i32WrapI64);
      this.bswap32();
      f.op(Op.i64ExtendI32U);
      f.i64(32);
      f.op(Op.i64Shl);
      f.op(Op.i64Or);
      this.set64(rd);
      return FLOW_NEXT;
    }
    if (opcode === 5) {
      // CLS: leading zeros of x ^ (x >> 1) (arithmetic), minus one.
      if (sf) {
        this.x64(rn);
        f.set(L_X);
        f.get(L_X);
        f.get(L_X);
        f.i64(1);
        f.op(Op.i64ShrS);
        f.op(Op.i64Xor);
        f.op(X.i64Clz);
        f.i64(1);
        f.op(Op.i64Sub);
        this.set64(rd);
      } else {
        this.w32(rn);
        f.set(L_W1);
        f.get(L_W1);
        f.get(L_W1);
        f.i32(1);
        f.op(Op.i32ShrS);
        f.op(Op.i32Xor);
        f.op(X.i32Clz);
        f.i32(1);
        f.op(Op.i32Sub);
        this.set32(rd);
      }
      return FLOW_NEXT;
    }
    if ((opcode === 2 && !sf) || (opcode === 3 && sf)) {
      this.reverseWords(rd, rn, sf, () => this.bswap32());
      return FLOW_NEXT;
    }
    return -1;
  }

  /** Bit-reverses the i32 on the stack (uses W1). */
  /**
   * Rd = `word` (an i32 → i32 reversal) applied to Wn, or for X registers to each word of Xn
   * with the two words swapping places: RBIT and REV of 64 bits are their 32-bit forms so.
   */
  private reverseWords(rd: number, rn: number, sf: boolean, word: () => void): void {
    const f = this.f;
    this.w32(rn);
    word();
    if (!sf) {
      this.set32(rd);
      return;
    }
    f.op(Op.i64ExtendI32U);
    f.i64(32);
    f.op(Op.i64Shl);
    this.x64(rn);
    f.i64(32);
    f.op(Op.i64ShrU);
    f.op(Op.i32WrapI64);
    word();
    f.op(Op.i64ExtendI32U);
    f.op(Op.i64Or);
    this.set64(rd);
  }

  private rbit32(): void {
    const f = this.f;
    // Swap adjacent bits, then pairs, then nibbles; the byte swap does the rest.
    for (const [sh, mask] of [
      [1, 0x55555555],
      [2, 0x33333333],
      [4, 0x0f0f0f0f],
    ] as const) {
      f.set(L_W1);
      f.get(L_W1);
      f.i32(sh);
      f.op(Op.i32ShrU);
      f.i32(mask);
      f.op(Op.i32And);
      f.get(L_W1);
      f.i32(mask);
      f.op(Op.i32And);
      f.i32(sh);
      f.op(Op.i32Shl);
      f.op(Op.i32Or);
    }
    this.bswap32();
  }

  /** Byte-reverses the i32 on the stack (uses W1). */
  private bswap32(): void {
    const f = this.f;
    f.set(L_W1);
    f.get(L_W1);
    f.i32(24);
    f.op(Op.i32ShrU);
    f.get(L_W1);
    f.i32(8);
    f.op(Op.i32ShrU);
    f.i32(0xff00);
    f.op(Op.i32And);
    f.op(Op.i32Or);
    f.get(L_W1);
    f.i32(0xff00);
    f.op(Op.i32And);
    f.i32(8);
    f.op(Op.i32Shl);
    f.op(Op.i32Or);
    f.get(L_W1);
    f.i32(24);
    f.op(Op.i32Shl);
    f.op(Op.i32Or);
  }

  /** MADD, MSUB, SMADDL, SMSUBL, UMADDL, UMSUBL, SMULH, UMULH. */
  /**
   * Pushes the high 64 bits of the unsigned product L_X * L_Y from 32-bit halves, inline (a
   * call per UMULH cost more than the multiply in the kernel's bignum loops). With x = x1:x0,
   * y = y1:y0: t = x1*y0 + hi(x0*y0) cannot overflow, and the result is
   * x1*y1 + hi(t) + hi(x0*y1 + lo(t)). Uses L_R.
   */
  private mulhu(): void {
    const f = this.f;
    const half = (l: number, high: boolean) => {
      f.get(l);
      if (high) {
        f.i64(32);
        f.op(Op.i64ShrU);
      } else {
        f.i64(0xffffffff);
        f.op(Op.i64And);
      }
    };
    half(L_X, true);
    half(L_Y, false);
    f.op(Op.i64Mul);
    half(L_X, false);
    half(L_Y, false);
    f.op(Op.i64Mul);
    f.i64(32);
    f.op(Op.i64ShrU);
    f.op(Op.i64Add);
    f.set(L_R);
    half(L_X, true);
    half(L_Y, true);
    f.op(Op.i64Mul);
    half(L_R, true);
    f.op(Op.i64Add);
    half(L_X, false);
    half(L_Y, true);
    f.op(Op.i64Mul);
    half(L_R, false);
    f.op(Op.i64Add);
    f.i64(32);
    f.op(Op.i64ShrU);
    f.op(Op.i64Add);
  }

  private dp3(insn: number): number {
    const f = this.f;
    const sf = insn < 0;
    const rd = insn & 31;
    const rn = (insn >>> 5) & 31;
    const rm = (insn >>> 16) & 31;
    const ra = (insn >>> 10) & 31;
    const op31 = (insn >>> 21) & 7;
    const o0 = (insn >>> 15) & 1;
    if (((insn >>> 29) & 3) !== 0) return -1;
    if (op31 === 0) {
      if (sf) {
        this.x64(ra);
        this.x64(rn);
        this.x64(rm);
        f.op(Op.i64Mul);
        f.op(o0 ? Op.i64Sub : Op.i64Add);
        this.set64(rd);
      } else {
        this.w32(ra);
        this.w32(rn);
        this.w32(rm);
        f.op(Op.i32Mul);
        f.op(o0 ? Op.i32Sub : Op.i32Add);
        this.set32(rd);
      }
      return FLOW_NEXT;
    }
    if (!sf) return -1;
    if (op31 === 1 || op31 === 5) {
      const ext = op31 === 1 ? Op.i64ExtendI32S : Op.i64ExtendI32U;
      this.x64(ra);
      this.w32(rn);
      f.op(ext);
      this.w32(rm);
      f.op(ext);
      f.op(Op.i64Mul);
      f.op(o0 ? Op.i64Sub : Op.i64Add);
      this.set64(rd);
      return FLOW_NEXT;
    }
    if ((op31 === 2 || op31 === 6) && o0 === 0) {
      this.x64(rn);
      f.set(L_X);
      this.x64(rm);
      f.set(L_Y);
      this.mulhu();
      if (op31 === 2) {
        // signed = unsigned - (a < 0 ? b : 0) - (b < 0 ? a : 0)
        f.get(L_Y);
        f.get(L_X);
        f.i64(63);
        f.op(Op.i64ShrS);
        f.op(Op.i64And);
        f.op(Op.i64Sub);
        f.get(L_X);
        f.get(L_Y);
        f.i64(63);
        f.op(Op.i64ShrS);
        f.op(Op.i64And);
        f.op(Op.i64Sub);
      }
      this.set64(rd);
      return FLOW_NEXT;
    }
    return -1;
  }

  private branch(insn: number, off: number, k: number): number {
    const f = this.f;
    if ((insn & 0x7c000000) === 0x14000000) {
      // B, BL
      const target = off + ((insn << 6) >> 6) * 4;
      if (insn < 0) {
        f.get(L_PB);
        f.i64(off + 4);
        f.op(Op.i64Add);
        this.set64(30);
      }
      // A target further in the page, not yet in the region, and no skip still open: the
      // region goes on there (one dispatch fewer per pass); the entry itself loops.
      if (
        target !== this.entry &&
        target !== off &&
        target >= 0 &&
        target < 4096 &&
        this.emitted[target >> 2] === 0 &&
        this.forward.length === 0
      ) {
        this.gotoTarget = target;
        return FLOW_GOTO;
      }
      if (insn < 0) {
        this.exit(target, k + 1, EXIT_BRANCH);
      } else {
        this.jump(target, k);
      }
      return FLOW_END;
    }
    if ((insn & 0x7e000000) === 0x34000000) {
      // CBZ, CBNZ
      const rt = insn & 31;
      this.branchIf(off + ((insn << 8) >> 13) * 4, off, k, () => {
        if (insn < 0) {
          this.x64(rt);
          f.op(Op.i64Eqz);
        } else {
          this.w32(rt);
          f.op(Op.i32Eqz);
        }
        if ((insn & (1 << 24)) !== 0) f.op(Op.i32Eqz);
      });
      return FLOW_NEXT;
    }
    if ((insn & 0x7e000000) === 0x36000000) {
      // TBZ, TBNZ
      const rt = insn & 31;
      const bit = ((insn >>> 26) & 32) | ((insn >>> 19) & 31);
      this.branchIf(off + ((insn << 13) >> 18) * 4, off, k, () => {
        this.x64(rt);
        f.i64(bit);
        f.op(Op.i64ShrU);
        f.op(Op.i32WrapI64);
        f.i32(1);
        f.op(Op.i32And);
        if ((insn & (1 << 24)) === 0) f.op(Op.i32Eqz);
      });
      return FLOW_NEXT;
    }
    if ((insn & 0xff000010) >>> 0 === 0x54000000) {
      // B.cond
      const cond = insn & 15;
      const target = off + ((insn << 8) >> 13) * 4;
      if (cond >= 14) {
        this.jump(target, k);
        return FLOW_END;
      }
      this.branchIf(target, off, k, () => this.cond(cond));
      return FLOW_NEXT;
    }
    const br = (insn & 0xfffffc1f) >>> 0;
    if (br === 0xd61f0000 || br === 0xd63f0000 || br === 0xd65f0000) {
      // BR, BLR, RET: the target must need no top-byte-ignore treatment (else the
      // interpreter takes the instruction).
      const rn = (insn >>> 5) & 31;
      this.x64(rn);
      f.tee(L_R);
      f.i64(55);
      f.op(Op.i64ShrS);
      f.op(Op.i32WrapI64);
      f.i32(1);
      f.op(Op.i32Add);
      f.i32(1);
      f.op(Op.i32GtU);
      f.if();
      this.exit(off, k, EXIT_STOP);
      f.end();
      if ((insn & 0x00200000) !== 0) {
        f.get(L_PB);
        f.i64(off + 4);
        f.op(Op.i64Add);
        this.set64(30);
      }
      this.exitDynamic(k + 1);
      return FLOW_END;
    }
    if ((insn & 0xfffff01f) >>> 0 === 0xd503201f) {
      // Hints: WFE, WFI, SEV, SEVL act (interpreter); the others (NOP, YIELD, ...) do nothing.
      const op = (insn >>> 5) & 0x7f;
      return op >= 2 && op <= 5 ? -1 : FLOW_NEXT;
    }
    if ((insn & 0xfffff0ff) >>> 0 === 0xd503309f || (insn & 0xfffff0ff) >>> 0 === 0xd50330bf) {
      // DSB, DMB: accesses are performed in order, one CPU at a time.
      return FLOW_NEXT;
    }
    if ((insn & 0xfffff0ff) >>> 0 === 0xd50330df) {
      // ISB: compiled code keeps no context that a context synchronization would refresh
      // (anything that changes it ends the region).
      return FLOW_NEXT;
    }
    if ((insn & 0xffffffe0) >>> 0 === 0xd50b7420) {
      // DC ZVA (64-byte blocks, as DCZID_EL0 says): a 64-byte store of zeros through the
      // store TLB (which never maps a page holding compiled code), where it is permitted.
      const rt = insn & 31;
      this.stopUnless(F_DC_ZVA, off, k);
      this.x64(rt);
      f.i64(-64);
      f.op(Op.i64And);
      f.set(L_VA);
      this.tlb(2, 64, 1, off, k);
      for (let i = 0; i < 64; i += 8) {
        f.get(L_A);
        f.i64(0);
        f.mem(Op.i64Store, 0, this.env.ramOffset + i);
      }
      return FLOW_NEXT;
    }
    if ((insn & 0xffdfffe0) >>> 0 === 0xd5184100) {
      // MRS Xt, SP_EL0 / MSR SP_EL0, Xt (Linux keeps `current` there): the banked SP_EL0
      // at EL1/EL2 with SPSel = 1, no EL2 trap applies; otherwise the interpreter.
      const rt = insn & 31;
      this.stopUnless(F_SP_EL0, off, k);
      if ((insn & (1 << 21)) !== 0) {
        f.i32(0);
        f.mem(Op.i64Load, 3, this.s(ST_SP_BANK));
        this.set64(rt);
      } else {
        f.i32(0);
        this.x64(rt);
        f.mem(Op.i64Store, 3, this.s(ST_SP_BANK));
      }
      return FLOW_NEXT;
    }
    if ((insn & 0xffffffe0) >>> 0 === 0xd53b0020) {
      // MRS Xt, CTR_EL0 (cache maintenance loops read it each time) where no trap applies.
      this.stopUnless(F_CTR, off, k);
      f.i32(0);
      f.mem(Op.i32Load, 2, this.s(ST_CTR));
      this.set32(insn & 31);
      return FLOW_NEXT;
    }
    if ((insn & 0xffffffe0) >>> 0 === 0xd53b4220) {
      // MRS Xt, DAIF at EL1/EL2 (Linux saves the mask around critical sections; MSR DAIF,
      // which may unmask a pending interrupt, stays with the interpreter); EL0 needs
      // SCTLR_EL1.UMA: the interpreter.
      this.stopUnless(F_PRIV, off, k);
      f.i32(0);
      f.mem(Op.i32Load, 2, this.s(ST_DAIF));
      this.set32(insn & 31);
      return FLOW_NEXT;
    }
    const cmo = (insn & 0xffffffe0) >>> 0;
    if (cmo === 0xd50b7a20 || cmo === 0xd50b7b20 || cmo === 0xd50b7e20) {
      // DC CVAC / CVAU / CIVAC (cache maintenance loops before IC IVAU): no effect where
      // nothing traps them, as in the interpreter.
      this.stopUnless(F_DC_CMO, off, k);
      return FLOW_NEXT;
    }
    if (cmo === 0xd50b7520) {
      // IC IVAU (Linux's loops after writing code: module loading, alternatives, jump labels):
      // nothing to do on a lone CPU where nothing traps it, as in the interpreter.
      this.stopUnless(F_IC_LOCAL, off, k);
      return FLOW_NEXT;
    }
    if ((insn & 0xfffff0df) >>> 0 === 0xd50340df) {
      // MSR DAIFSet / DAIFClr, #imm at EL1/EL2 (EL0 needs SCTLR_EL1.UMA: the interpreter).
      const bits = ((insn >>> 8) & 15) << 6;
      this.privOnly(off, k);
      if ((insn & 0x20) === 0) {
        f.i32(0);
        f.i32(0);
        f.mem(Op.i32Load, 2, this.s(ST_DAIF));
        f.i32(bits);
        f.op(Op.i32Or);
        f.mem(X.i32Store, 2, this.s(ST_DAIF));
      } else {
        f.i32(0);
        f.mem(Op.i32Load, 2, this.s(ST_DAIF));
        f.i32(~bits);
        f.op(Op.i32And);
        this.daifWrite(off, k);
      }
      return FLOW_NEXT;
    }
    if ((insn & 0xffffffe0) >>> 0 === 0xd51b4220) {
      // MSR DAIF, Xt at EL1/EL2 (Linux restores the saved mask with it).
      this.privOnly(off, k);
      this.w32(insn & 31);
      f.i32(0x3c0);
      f.op(Op.i32And);
      this.daifWrite(off, k);
      return FLOW_NEXT;
    }
    if ((insn & 0xffffffe0) >>> 0 === 0xd53b00e0) {
      // MRS Xt, DCZID_EL0 (memset and clear_page read it each call): no trap applies.
      f.i32(0);
      f.mem(Op.i32Load, 2, this.s(ST_DCZID));
      this.set32(insn & 31);
      return FLOW_NEXT;
    }
    const tpidr = this.tpidrSlot(insn);
    if (tpidr >= 0) {
      // MRS Xt, TPIDR_EL0 / TPIDRRO_EL0 (readable at every EL, no trap applies) / TPIDR_EL1
      // (EL1 and EL2; Linux keeps the per-CPU offset there): the copy made at entry.
      if (tpidr === 2) {
        this.stopUnless(F_PRIV, off, k);
      }
      f.i32(0);
      f.mem(Op.i64Load, 3, this.s(ST_TPIDR + 8 * tpidr));
      this.set64(insn & 31);
      return FLOW_NEXT;
    }
    return -1;
  }

  /** Leaves before the instruction at EL0 (where it needs checks the interpreter makes). */
  private privOnly(off: number, k: number): void {
    this.stopUnless(F_PRIV, off, k);
  }

  /** Leaves for the interpreter (before the instruction at `off`) unless `flag` is set in P_FLAGS. */
  private stopUnless(flag: number, off: number, k: number): void {
    const f = this.f;
    f.get(P_FLAGS);
    f.i32(flag);
    f.op(Op.i32And);
    f.op(Op.i32Eqz);
    f.if();
    this.exit(off, k, EXIT_STOP);
    f.end();
  }

  /**
   * Writes the DAIF value on the stack; when it clears a mask bit that was set, leaves after
   * the instruction so that an interrupt it unmasks is taken before the next one.
   */
  private daifWrite(off: number, k: number): void {
    const f = this.f;
    f.set(L_W1);
    f.i32(0);
    f.mem(Op.i32Load, 2, this.s(ST_DAIF));
    f.get(L_W1);
    f.i32(-1);
    f.op(Op.i32Xor);
    f.op(Op.i32And);
    f.set(L_W2);
    f.i32(0);
    f.get(L_W1);
    f.mem(X.i32Store, 2, this.s(ST_DAIF));
    f.get(L_W2);
    f.if();
    this.exit(off + 4, k + 1, EXIT_UNMASK);
    f.end();
  }

  /** Which ST_TPIDR copy an MRS reads (0 TPIDR_EL0, 1 TPIDRRO_EL0, 2 TPIDR_EL1), or -1. */
  private tpidrSlot(insn: number): number {
    switch ((insn & 0xffffffe0) >>> 0) {
      case 0xd53bd040:
        return 0;
      case 0xd53bd060:
        return 1;
      case 0xd538d080:
        return 2;
      default:
        return -1;
    }
  }

  // ------------------------------------------------------------------ loads and stores

  /**
   * With the virtual address in L_VA: leaves (before instruction k at off) unless the TLB of
   * `acc` (1 load, 2 store) maps `bytes` bytes there; then L_A holds the RAM offset.
   */
  private tlb(
    acc: number,
    bytes: number,
    align: number,
    off: number,
    k: number,
    leaveIfExclusive = true,
  ): void {
    const f = this.f;
    // Inline (the hot path of loops), every reason to leave folded into one test: the tag,
    // then a page crossing, an unaligned access under SCTLR.A, the exclusive monitor.
    f.get(L_VA);
    f.i64(12);
    f.op(Op.i64ShrU);
    f.op(Op.i32WrapI64);
    f.i32(1023);
    f.op(Op.i32And);
    f.tee(L_W3);
    f.i32(3);
    f.op(Op.i32Shl);
    f.mem(Op.f64Load, 3, this.s(ST_TLB_TAG + acc * 8192));
    f.get(L_VA);
    f.i64(12);
    f.op(Op.i64ShrS);
    f.i64(10);
    f.op(Op.i64Shl);
    f.get(L_CTX);
    f.op(Op.i64Add);
    f.op(X.f64ConvertI64S);
    f.op(X.f64Ne);
    f.get(L_VA);
    f.op(Op.i32WrapI64);
    f.i32(4095);
    f.op(Op.i32And);
    f.tee(L_A);
    if (bytes > 1) {
      f.i32(4096 - bytes);
      f.op(Op.i32GtU);
      f.op(Op.i32Or);
      f.get(L_A);
      f.i32(align - 1);
      f.op(Op.i32And);
      f.get(P_FLAGS);
      f.i32(F_STRICT_ALIGN);
      f.op(Op.i32And);
      f.op(Op.i32Mul);
      f.op(Op.i32Or);
    } else {
      f.op(Op.drop);
    }
    if (acc === 2 && leaveIfExclusive) {
      f.get(P_FLAGS);
      f.i32(F_EXCLUSIVE);
      f.op(Op.i32And);
      f.op(Op.i32Or);
    }
    f.if();
    this.exit(off, k, EXIT_STOP);
    f.end();
    f.get(L_W3);
    f.i32(2);
    f.op(Op.i32Shl);
    f.mem(Op.i32Load, 2, this.s(ST_TLB_OFF + acc * 4096));
    f.get(L_A);
    f.op(Op.i32Add);
    f.set(L_A);
  }

  /** Leaves before instruction k unless SP (the base register) is 16-byte aligned or SA off. */
  private spCheck(off: number, k: number): void {
    const f = this.f;
    this.w32(31, true);
    f.i32(15);
    f.op(Op.i32And);
    f.get(P_FLAGS);
    f.i32(F_SP_ALIGN);
    f.op(Op.i32And);
    f.op(Op.i32Mul);
    f.if();
    this.exit(off, k, EXIT_STOP);
    f.end();
  }

  /** Loads `size` bytes at RAM offset L_A + disp into register rt (kind: 0 zero, 1 sx64, 2 sx32). */
  private loadReg(rt: number, size: number, kind: number, disp: number): void {
    const f = this.f;
    const o = this.env.ramOffset + disp;
    f.get(L_A);
    if (kind === 2) {
      f.mem(size === 1 ? X.i32Load8S : X.i32Load16S, 0, o);
      this.set32(rt);
      return;
    }
    switch (size) {
      case 1:
        f.mem(kind === 1 ? Op.i64Load8S : Op.i64Load8U, 0, o);
        break;
      case 2:
        f.mem(kind === 1 ? Op.i64Load16S : Op.i64Load16U, 0, o);
        break;
      case 4:
        f.mem(kind === 1 ? Op.i64Load32S : Op.i64Load32U, 0, o);
        break;
      default:
        f.mem(Op.i64Load, 0, o);
    }
    this.set64(rt);
  }

  private storeReg(rt: number, size: number, disp: number): void {
    const f = this.f;
    f.get(L_A);
    this.x64(rt);
    const op =
      size === 1
        ? X.i64Store8
        : size === 2
          ? X.i64Store16
          : size === 4
            ? X.i64Store32
            : Op.i64Store;
    f.mem(op, 0, this.env.ramOffset + disp);
  }

  /**
   * LDXR, LDAXR, LDXP, LDAXP (base Xn): the load, and the reservation of its RAM address
   * and size in the state block, F_EXCLUSIVE set for the rest of the run (run() hands the
   * reservation back to the CPU). A misaligned address, a load TLB miss or a page crossing:
   * the interpreter.
   */
  private loadExclusive(insn: number, off: number, k: number): number {
    const f = this.f;
    const size = 1 << (insn >>> 30);
    const pair = (insn & (1 << 21)) !== 0;
    const total = pair ? 2 * size : size;
    this.x64((insn >>> 5) & 31);
    f.set(L_VA);
    this.alignedOrStop(total, off, k);
    this.tlb(1, total, total, off, k);
    f.i32(0);
    f.get(L_A);
    f.op(X.f64ConvertI32U);
    f.mem(X.f64Store, 3, this.s(ST_EXCL));
    f.i32(0);
    f.i32(total);
    f.mem(X.i32Store, 2, this.s(ST_EXCL_SIZE));
    this.loadReg(insn & 31, size, 0, 0);
    if (pair) this.loadReg((insn >>> 10) & 31, size, 0, size);
    f.get(P_FLAGS);
    f.i32(F_EXCLUSIVE);
    f.op(Op.i32Or);
    f.set(P_FLAGS);
    f.i32(0);
    f.get(P_FLAGS);
    f.mem(X.i32Store, 2, this.s(ST_FLAGS));
    return FLOW_NEXT;
  }

  /** Leaves before instruction k unless L_VA is a multiple of `size` (exclusives fault). */
  private alignedOrStop(size: number, off: number, k: number): void {
    if (size === 1) return;
    const f = this.f;
    f.get(L_VA);
    f.op(Op.i32WrapI64);
    f.i32(size - 1);
    f.op(Op.i32And);
    f.if();
    this.exit(off, k, EXIT_STOP);
    f.end();
  }

  /**
   * STXR, STLXR, STXP, STLXP (base Xn): stores and writes status 0 when the reservation
   * (F_EXCLUSIVE and the state block's copy) is for this RAM address and size, else writes
   * status 1; either way the reservation is gone. A misaligned address (an alignment fault),
   * a store TLB miss or a page crossing: the interpreter.
   */
  private storeExclusive(insn: number, off: number, k: number): number {
    const f = this.f;
    const size = 1 << (insn >>> 30);
    const pair = (insn & (1 << 21)) !== 0;
    const total = pair ? 2 * size : size;
    const rs = (insn >>> 16) & 31;
    const rt = insn & 31;
    this.x64((insn >>> 5) & 31);
    f.set(L_VA);
    this.alignedOrStop(total, off, k);
    this.tlb(2, total, total, off, k, false);
    f.i32(1);
    f.set(L_W1);
    f.get(P_FLAGS);
    f.i32(F_EXCLUSIVE);
    f.op(Op.i32And);
    f.if();
    f.i32(0);
    f.mem(Op.f64Load, 3, this.s(ST_EXCL));
    f.get(L_A);
    f.op(X.f64ConvertI32U);
    f.op(Op.f64Eq);
    f.i32(0);
    f.mem(Op.i32Load, 2, this.s(ST_EXCL_SIZE));
    f.i32(total);
    f.op(Op.i32Eq);
    f.op(Op.i32And);
    f.if();
    this.storeReg(rt, size, 0);
    if (pair) this.storeReg((insn >>> 10) & 31, size, size);
    f.i32(0);
    f.set(L_W1);
    f.end();
    // The reservation is gone: later stores need not leave any more.
    f.get(P_FLAGS);
    f.i32(~F_EXCLUSIVE);
    f.op(Op.i32And);
    f.set(P_FLAGS);
    f.i32(0);
    f.get(P_FLAGS);
    f.mem(X.i32Store, 2, this.s(ST_FLAGS));
    f.end();
    f.get(L_W1);
    this.set32(rs);
    return FLOW_NEXT;
  }

  private loadStore(insn: number, off: number, k: number): number {
    const f = this.f;
    if ((insn & (1 << 26)) !== 0) return -1; // SIMD&FP
    const rt = insn & 31;
    const rn = (insn >>> 5) & 31;
    if ((insn & 0x3fa08000) >>> 0 === 0x08808000 && (insn & 0x001f7c00) === 0x001f7c00) {
      // LDAR, STLR (o2 = 1, o1 = 0, o0 = 1, Rs = Rt2 = 31): an ordinary access at [Xn], as
      // the interpreter performs it (accesses are in order, one CPU at a time). CAS and
      // LSE atomics stay with the interpreter.
      const sl = insn >>> 30;
      const load = (insn & (1 << 22)) !== 0;
      if (rn === 31) this.spCheck(off, k);
      this.x64(rn, true);
      f.set(L_VA);
      this.access(sl, load ? 1 : 0, load ? 0 : 3, rt, off, k);
      return FLOW_NEXT;
    }
    if ((insn & 0x3fe07c00) >>> 0 === 0x08007c00 && rn !== 31) {
      return this.storeExclusive(insn, off, k);
    }
    if ((insn & 0x3fff7c00) >>> 0 === 0x085f7c00 && rn !== 31) {
      return this.loadExclusive(insn, off, k);
    }
    // STXP/STLXP and LDXP/LDAXP of W or X pairs (sz = bit 30), base Xn.
    if ((insn & 0xbfe00000) >>> 0 === 0x88200000 && rn !== 31) {
      return this.storeExclusive(insn, off, k);
    }
    if ((insn & 0xbfff0000) >>> 0 === 0x887f0000 && rn !== 31) {
      return this.loadExclusive(insn, off, k);
    }
    if ((insn & 0x3b000000) === 0x18000000) {
      // LDR (literal), LDRSW (literal); PRFM (literal) is a hint that does nothing here.
      const opc = insn >>> 30;
      if (opc === 3) return FLOW_NEXT;
      const size = opc === 1 ? 8 : 4;
      f.get(L_PB);
      f.i64(off + ((insn << 8) >> 13) * 4);
      f.op(Op.i64Add);
      f.set(L_VA);
      this.tlb(1, size, size, off, k);
      this.loadReg(rt, size, opc === 2 ? 1 : 0, 0);
      return FLOW_NEXT;
    }
    if ((insn & 0x3a000000) === 0x28000000) return this.pair(insn, off, k);
    if ((insn & 0x3b000000) === 0x39000000) {
      // Unsigned offset.
      const sl = insn >>> 30;
      const opc = (insn >>> 22) & 3;
      if (isPrefetch(sl, opc)) return FLOW_NEXT;
      const kind = this.loadKind(sl, opc);
      if (kind < 0) return -1;
      if (rn === 31) this.spCheck(off, k);
      this.x64(rn, true);
      f.i64(((insn >>> 10) & 0xfff) << sl);
      f.op(Op.i64Add);
      f.set(L_VA);
      this.access(sl, opc, kind, rt, off, k);
      return FLOW_NEXT;
    }
    if ((insn & 0x3b200000) === 0x38000000) {
      // Unscaled, post-index, pre-index (unprivileged: interpreter).
      const mode = (insn >>> 10) & 3;
      if (mode === 2) return -1;
      const sl = insn >>> 30;
      const opc = (insn >>> 22) & 3;
      if (mode === 0 && isPrefetch(sl, opc)) return FLOW_NEXT; // PRFUM
      const kind = this.loadKind(sl, opc);
      if (kind < 0) return -1;
      const wb = mode !== 0;
      if (wb && rn === rt && rn !== 31) return -1;
      const imm = (insn << 11) >> 23;
      if (rn === 31) this.spCheck(off, k);
      this.x64(rn, true);
      if (mode !== 1) {
        f.i64(imm);
        f.op(Op.i64Add);
      }
      f.set(L_VA);
      this.access(sl, opc, kind, rt, off, k);
      if (wb) {
        f.get(L_VA);
        if (mode === 1) {
          f.i64(imm);
          f.op(Op.i64Add);
        }
        this.set64(rn, true);
      }
      return FLOW_NEXT;
    }
    if ((insn & 0x3b200c00) === 0x38200800) {
      // Register offset.
      const sl = insn >>> 30;
      const opc = (insn >>> 22) & 3;
      const option = (insn >>> 13) & 7;
      if ((option & 2) === 0) return -1;
      if (isPrefetch(sl, opc)) return FLOW_NEXT;
      const kind = this.loadKind(sl, opc);
      if (kind < 0) return -1;
      const rm = (insn >>> 16) & 31;
      if (rn === 31) this.spCheck(off, k);
      this.x64(rn, true);
      this.extended(rm, option, (insn & (1 << 12)) !== 0 ? sl : 0);
      f.op(Op.i64Add);
      f.set(L_VA);
      this.access(sl, opc, kind, rt, off, k);
      return FLOW_NEXT;
    }
    return -1;
  }

  /** -1: not compiled (PRFM, unallocated); 3: store; else the load kind of loadReg. */
  private loadKind(sl: number, opc: number): number {
    if (opc === 0) return 3;
    if (opc === 1) return 0;
    if (opc === 2) return sl === 3 ? -1 : 1;
    return sl >= 2 ? -1 : 2;
  }

  private access(sl: number, _opc: number, kind: number, rt: number, off: number, k: number): void {
    const size = 1 << sl;
    if (kind === 3) {
      this.tlb(2, size, size, off, k);
      this.storeReg(rt, size, 0);
    } else {
      this.tlb(1, size, size, off, k);
      this.loadReg(rt, size, kind, 0);
    }
  }

  /** LDP, STP, LDPSW, LDNP, STNP (all index modes). */
  private pair(insn: number, off: number, k: number): number {
    const f = this.f;
    const opc = insn >>> 30;
    const load = (insn & (1 << 22)) !== 0;
    const mode = (insn >>> 23) & 3;
    const rt = insn & 31;
    const rn = (insn >>> 5) & 31;
    const rt2 = (insn >>> 10) & 31;
    if (opc === 3 || (opc === 1 && (!load || mode === 0))) return -1;
    const size = opc === 2 ? 8 : 4;
    const wb = mode === 1 || mode === 3;
    if (load && rt === rt2) return -1;
    if (wb && rn !== 31 && (rn === rt || rn === rt2)) return -1;
    const imm = ((insn << 10) >> 25) * size;
    if (rn === 31) this.spCheck(off, k);
    this.x64(rn, true);
    if (mode !== 1) {
      f.i64(imm);
      f.op(Op.i64Add);
    }
    f.set(L_VA);
    if (load) {
      this.tlb(1, 2 * size, size, off, k);
      const kind = opc === 1 ? 1 : 0;
      this.loadReg(rt, size, kind, 0);
      this.loadReg(rt2, size, kind, size);
    } else {
      this.tlb(2, 2 * size, size, off, k);
      this.storeReg(rt, size, 0);
      this.storeReg(rt2, size, size);
    }
    if (wb) {
      f.get(L_VA);
      if (mode === 1) {
        f.i64(imm);
        f.op(Op.i64Add);
      }
      this.set64(rn, true);
    }
    return FLOW_NEXT;
  }
}

/**
 * PRFM/PRFUM: size 3 with opc 2. A prefetch never faults and changes no state (the
 * interpreter does nothing either, not even the SP alignment check), so it compiles to nothing.
 */
function isPrefetch(sl: number, opc: number): boolean {
  return sl === 3 && opc === 2;
}

/** (lo, hi) of `width` one bits shifted left by `pos` (width + pos <= 64). */
function ones(width: number, pos: number): [number, number] {
  let lo = 0;
  let hi = 0;
  for (let b = pos; b < pos + width; b++) {
    if (b < 32) lo |= 1 << b;
    else hi |= 1 << (b - 32);
  }
  return [lo, hi];
}
