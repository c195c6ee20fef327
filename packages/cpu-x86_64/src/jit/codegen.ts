/**
 * Compiles a decoded block (decode.ts) to a WebAssembly module over the shared memory that
 * holds RAM and this CPU's state block (layout.ts).
 *
 * The compiled function `run(budget, tlbCtx, rflags) -> (retired << 1) | stepNext` keeps the
 * registers it uses in i64 locals and RFLAGS lazily: the last flag-setting operation's kind,
 * operands and result (fk, fa, fb, fr), turned into RFLAGS bits only where an instruction
 * needs a flag the operands do not give directly and once at the exit. A block that branches
 * back to its own start loops inside the function while the instruction budget lasts.
 *
 * Exits are exact: every check that can fail (a non-canonical or page-crossing address, a
 * translation the host's TLB refill cannot cache, memory outside RAM, a store to a page
 * holding compiled code) happens before the instruction changes anything, and leaves with RIP
 * at that instruction and "step next" set, so the interpreter then runs it (and raises the
 * fault or does the MMIO). Registers, RFLAGS and RIP are stored back on every exit.
 */
import { type FnBody, ModuleWriter, Op, ValType } from "@axvisor/machine";
import { type Insn, K } from "./decode.js";
import {
  ST_FLAGS,
  ST_FS_BASE,
  ST_RHI,
  ST_RIP,
  ST_RLO,
  ST_SEL,
  ST_STI,
  ST_TLB_TAG,
  TLB_ENTRIES,
} from "./layout.js";
import { emitTlbRamOffset } from "./tlb-ram-offset.js";

/** Flag kinds (fk = kind * 4 + size code; size code 0: byte, 1: dword, 2: qword, 3: word). */
const FK_ADD = 1;
const FK_SUB = 2;
const FK_LOGIC = 3;
const FK_INC = 4;
const FK_DEC = 5;
const FK_SHL = 6;
const FK_SHR = 7;
const FK_SAR = 8;
/** IMUL: fr = the truncated product, fb = 1 when it overflowed. */
const FK_MUL = 9;
/** ADC/SBB: like ADD/SUB with the carry-in in CF of f. */
const FK_ADC = 10;
const FK_SBB = 11;

// Opcodes the shared writer does not name.
const I32_LOAD8_U = 0x2d;
const I32_POPCNT = 0x69;
const I32_LE_U = 0x4d;
const I64_LOAD8_S = 0x30;
const I64_LOAD16_S = 0x32;
const I64_LOAD32_S = 0x34;
const I64_EXTEND8_S = 0xc2;
const I64_EXTEND16_S = 0xc3;
const I64_EXTEND32_S = 0xc4;
const I32_ROTL = 0x77;
const I32_ROTR = 0x78;
const I64_ROTL = 0x89;
const I64_ROTR = 0x8a;

// Locals of run(): parameters, then i64, then i32.
const P_BUDGET = 0;
const P_CTX = 1;
const P_FLAGS = 2;
const L_REG = 3; // 16 registers
const L_FA = 19;
const L_FB = 20;
const L_FR = 21;
const L_EA = 22;
const L_T1 = 23;
const L_T2 = 24;
const L_EXIT_RIP = 25;
const L_F = 26;
const L_FK = 27;
const L_LEFT = 28;
const L_NK = 29;
const L_SIDE = 30;
const L_ADDR = 31;
const L_TI = 32;
/** The region's block to run next (0 = the entry, the locals' initial value). */
const L_BLK = 33;
/** REP MOVS: the source's RAM offset; REP STOS/MOVS: elements left in the chunk. */
const L_SRC = 34;
const L_CNT = 35;
const I64_LOCALS = L_F - L_REG;
const I32_LOCALS = L_CNT - L_F + 1;

const RUN_TYPE = 0;
const MAT_TYPE = 1;
/** The TLB refill in table slot 0 (jit.ts): fill(linear address, write) -> cached. */
const FILL_TYPE = 2;
/**
 * The flags materialize function lives once per JIT in table slot 1 (materializeModule):
 * compiled into every region it was a fifth of the bytes V8 compiled for each.
 */
const MAT_SLOT = 1;

const TYPES = [
  { params: [ValType.i32, ValType.i32, ValType.i32], results: [ValType.i32] },
  {
    params: [ValType.i32, ValType.i32, ValType.i64, ValType.i64, ValType.i64],
    results: [ValType.i32],
  },
  { params: [ValType.f64, ValType.i32], results: [ValType.i32] },
];

/** Where things are in the memory, fixed for one CPU. */
export interface JitTarget {
  readonly pages: number;
  /** Byte offset of this CPU's state block. */
  readonly state: number;
  /** Byte offset of RAM byte 0 and the RAM size. */
  readonly ramOffset: number;
  readonly ramSize: number;
  /** Guest-physical address of RAM byte 0. */
  readonly ramBase: number;
  /** Byte offset of the shared code-page map. */
  readonly codeMap: number;
}

/**
 * The page memo of accesses through segment override `seg` (-1: none) and base register `base`
 * (negative: none), reads or writes apart (the write set only holds writable dirty pages).
 */
function memoKey(seg: number, base: number, write: boolean): string {
  return `${seg}:${base}:${write ? "w" : "r"}`;
}

/** Page memos one region keeps at most (each costs two locals and an entry store). */
const MAX_MEMOS = 8;
const STACK_R = memoKey(-1, 4, false);
const STACK_W = memoKey(-1, 4, true);

/**
 * Chooses the region's page memos: none unless it loops (a branch back in the region), as a
 * memo costs code (which V8 compiles for every region) and pays from its second use on; else
 * the bases its memory operands use and the stack, busiest first, reads and writes apart.
 */
function planMemos(blocks: readonly (readonly Insn[])[]): string[] {
  const uses = new Map<string, number>();
  const starts = new Set(blocks.map((blk) => blk[0]!.rip));
  let loops = false;
  const count = (key: string) => uses.set(key, (uses.get(key) ?? 0) + 1);
  for (const blk of blocks) {
    for (const i of blk) {
      if ((i.kind === K.JCC || i.kind === K.JMP) && i.target <= i.rip && starts.has(i.target))
        loops = true;
      if (i.kind === K.REP_STR) continue;
      if (i.isMem) count(`${i.seg}:${i.base}`);
      switch (i.kind) {
        case K.PUSH:
        case K.POP:
        case K.CALL:
        case K.RET:
        case K.PUSH_I:
        case K.PUSHF:
        case K.CALL_IND:
          count("-1:4");
          break;
        case K.LEAVE:
          count("-1:5");
          break;
      }
    }
  }
  const keys: string[] = [];
  if (!loops) return keys;
  for (const [base] of [...uses].sort((x, y) => y[1] - x[1])) {
    if (keys.length + 2 > MAX_MEMOS) break;
    keys.push(`${base}:r`, `${base}:w`);
  }
  return keys;
}

const sizeCode = (size: number) => (size === 1 ? 0 : size === 4 ? 1 : size === 8 ? 2 : 3);
/** Operand size of a size code. */
const CODE_SIZE = [1, 4, 8, 2] as const;
const maskOf = (size: number) => (size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff);

class Gen {
  /** The flag kind known at compile time at this point, or -1 (held in the fk local). */
  kind = -1;
  readonly used = new Set<number>();
  readonly written = new Set<number>();
  /** Index of the instruction being compiled (instructions retired before it in a pass). */
  k = 0;
  /** Instructions in the block being compiled (what its budget check reserved). */
  blockLen = 0;
  /** Page memos (translate) by memoKey: slot index; their i64 page and i32 offset locals. */
  readonly memo = new Map<string, number>();
  memoPage = 0;
  memoOff = 0;

  constructor(
    readonly b: FnBody,
    readonly t: JitTarget,
    readonly user: boolean,
  ) {}

  // ---------------------------------------------------------------- plumbing

  /** Leaves the function: `retired` instructions of this pass done, RIP = `rip`. */
  exit(retired: number, rip: number, stepNext: boolean): void {
    const b = this.b;
    b.i32(retired);
    b.set(L_NK);
    b.i64(rip);
    b.set(L_EXIT_RIP);
    b.i32(stepNext ? 1 : 0);
    b.set(L_SIDE);
    b.br("out");
  }

  /** Leaves the function after this instruction with RIP = the i64 in local `from`. */
  exitTo(retired: number, from: number): void {
    const b = this.b;
    b.i32(retired);
    b.set(L_NK);
    b.get(from);
    b.set(L_EXIT_RIP);
    b.i32(0);
    b.set(L_SIDE);
    b.br("out");
  }

  /** Side exit at the current instruction when the i32 on the stack is non-zero. */
  exitIf(i: Insn): void {
    this.b.if();
    this.exit(this.k, i.rip, true);
    this.b.end();
  }

  reg(n: number): number {
    this.used.add(n);
    return L_REG + n;
  }

  /** Pushes register n at `size` (1: the legacy high-byte registers without REX), i64. */
  getReg(n: number, size: number, rex: boolean): void {
    const b = this.b;
    if (size === 1 && !rex && n >= 4 && n < 8) {
      b.get(this.reg(n - 4));
      b.i64(8);
      b.op(Op.i64ShrU);
      b.i64(0xff);
      b.op(Op.i64And);
      return;
    }
    b.get(this.reg(n));
    if (size !== 8) {
      b.i64(maskOf(size));
      b.op(Op.i64And);
    }
  }

  /** Writes the i64 in local `from` (already masked to `size`) to register n. */
  setReg(n: number, size: number, rex: boolean, from: number): void {
    const b = this.b;
    if (size === 1) {
      const high = !rex && n >= 4 && n < 8;
      const r = this.reg(high ? n - 4 : n);
      this.written.add(high ? n - 4 : n);
      b.get(r);
      b.i64(high ? ~0xff00 : ~0xff);
      b.op(Op.i64And);
      b.get(from);
      if (high) {
        b.i64(8);
        b.op(Op.i64Shl);
      }
      b.op(Op.i64Or);
      b.set(r);
      return;
    }
    this.written.add(n);
    if (size === 2) {
      const r = this.reg(n);
      b.get(r);
      b.i64(~0xffff);
      b.op(Op.i64And);
      b.get(from);
      b.op(Op.i64Or);
      b.set(r);
      return;
    }
    b.get(from);
    b.set(this.reg(n));
  }

  /** The memory operand's effective address into L_EA. */
  ea(i: Insn): void {
    const b = this.b;
    b.i64(i.disp);
    if (i.base >= 0) {
      b.get(this.reg(i.base));
      b.op(Op.i64Add);
    }
    if (i.index >= 0) {
      b.get(this.reg(i.index));
      if (i.scale > 0) {
        b.i64(i.scale);
        b.op(Op.i64Shl);
      }
      b.op(Op.i64Add);
    }
    if (i.seg >= 0) {
      b.i32(0);
      b.mem(Op.f64Load, 3, this.t.state + ST_FS_BASE + (i.seg - 4) * 8);
      b.op(Op.i64TruncF64S);
      b.op(Op.i64Add);
    }
    b.set(L_EA);
  }

  /** Pushes the offset of L_EA in its 4 KiB page (i32). */
  eaPageOffset(): void {
    const b = this.b;
    b.get(L_EA);
    b.op(Op.i32WrapI64);
    b.i32(0xfff);
    b.op(Op.i32And);
  }

  /**
   * Translates L_EA for an access of `size` bytes (write: through the write set, which only
   * holds writable dirty pages) into L_ADDR (the RAM offset), or side-exits. `memo` names the
   * page memo to try first and to update (memoKey; default: the operand's segment and base,
   * null: none): accesses through one base register mostly stay on one page, and the memo
   * turns the TLB lookup into a compare. A memo lives in locals for one call of the region,
   * in which nothing compiled flushes the TLB or marks a page as code (those exit), so the
   * translation it holds is the one the TLB would give; it only ever holds RAM pages.
   */
  translate(i: Insn, size: number, write: boolean, memo?: string | null): void {
    const b = this.b;
    const t = this.t;
    const key = memo === undefined ? (i.isMem ? memoKey(i.seg, i.base, write) : null) : memo;
    const slot = key === null ? undefined : this.memo.get(key);
    // Every failing check branches to one side exit at this instruction.
    b.block("tok");
    b.block("tside");
    if (size > 1) {
      this.eaPageOffset();
      b.i32(0x1000 - size);
      b.op(Op.i32GtU);
      b.brIf("tside");
    }
    if (slot !== undefined) {
      b.block("tmiss");
      b.get(L_EA);
      b.i64(12);
      b.op(Op.i64ShrS);
      b.get(this.memoPage + slot);
      b.op(Op.i64Ne);
      b.brIf("tmiss");
      b.get(this.memoOff + slot);
      this.eaPageOffset();
      b.op(Op.i32Add);
      b.set(L_ADDR);
      b.br("tok");
      b.end();
    }
    // slot address = tags + (set * TLB_ENTRIES + (page & (TLB_ENTRIES - 1))) * 8. A non-canonical address never
    // matches a tag (only canonical pages are entered), so the interpreter raises its #GP/#SS.
    const set = (write ? 1 : 0) * 2 + (this.user ? 1 : 0);
    b.get(L_EA);
    b.i64(12);
    b.op(Op.i64ShrS);
    b.tee(L_T1);
    b.op(Op.i32WrapI64);
    b.i32(TLB_ENTRIES - 1);
    b.op(Op.i32And);
    b.i32(3);
    b.op(Op.i32Shl);
    b.i32(t.state + ST_TLB_TAG + set * TLB_ENTRIES * 8);
    b.op(Op.i32Add);
    b.tee(L_TI);
    b.mem(Op.f64Load, 3, 0);
    b.get(L_T1);
    b.i64(6);
    b.op(Op.i64Shl);
    b.get(P_CTX);
    b.op(Op.i64ExtendI32U);
    b.op(Op.i64Add);
    b.op(Op.f64ConvertI64S);
    b.op(Op.f64Ne);
    b.if();
    // A miss: the host walks the page tables and caches the entry in this slot (faults and
    // uncacheable writes answer 0: the interpreter runs the instruction).
    b.get(L_EA);
    b.op(Op.f64ConvertI64S);
    b.i32(write ? 1 : 0);
    b.i32(0);
    b.callIndirect(FILL_TYPE);
    b.op(Op.i32Eqz);
    b.brIf("tside");
    b.end();
    // RAM offset = physical page + page offset - RAM base; outside RAM: MMIO, interpreter.
    emitTlbRamOffset(b, L_TI, L_EA, t.ramBase);
    b.tee(L_T1);
    b.i64(t.ramSize - size);
    b.op(Op.i64GtU);
    b.brIf("tside");
    b.get(L_T1);
    b.op(Op.i32WrapI64);
    b.tee(L_ADDR);
    if (write) {
      // A store to a page compiled code came from: the interpreter does it and invalidates.
      b.i32(12);
      b.op(Op.i32ShrU);
      b.mem(I32_LOAD8_U, 0, t.codeMap);
      b.brIf("tside");
    } else b.op(Op.drop);
    if (slot !== undefined) {
      b.get(L_EA);
      b.i64(12);
      b.op(Op.i64ShrS);
      b.set(this.memoPage + slot);
      b.get(L_ADDR);
      this.eaPageOffset();
      b.op(Op.i32Sub);
      b.set(this.memoOff + slot);
    }
    b.br("tok");
    b.end();
    this.exit(this.k, i.rip, true);
    b.end();
  }

  /** Pushes the memory value at L_ADDR (zero-extended; sign-extended when `signed`). */
  load(size: number, signed = false): void {
    const b = this.b;
    b.get(L_ADDR);
    const o = this.t.ramOffset;
    if (size === 8) b.mem(Op.i64Load, 0, o);
    else if (size === 4) b.mem(signed ? I64_LOAD32_S : Op.i64Load32U, 0, o);
    else if (size === 2) b.mem(signed ? I64_LOAD16_S : Op.i64Load16U, 0, o);
    else b.mem(signed ? I64_LOAD8_S : Op.i64Load8U, 0, o);
  }

  /** Stores local `from` at L_ADDR. */
  store(size: number, from: number): void {
    const b = this.b;
    b.get(L_ADDR);
    b.get(from);
    const o = this.t.ramOffset;
    if (size === 8) b.mem(Op.i64Store, 0, o);
    else if (size === 4) b.mem(Op.i64Store32, 0, o);
    else if (size === 2) b.mem(Op.i64Store16, 0, o);
    else b.mem(Op.i64Store8, 0, o);
  }

  /**
   * REP STOS / REP MOVS: chunks that end at a page boundary of the destination (and source),
   * each translated once (a miss, MMIO, a code page or an element crossing a page leaves
   * for the interpreter, which continues from the registers as they are), then a tight
   * element loop. Each element counts as one instruction, as in the interpreter, and a
   * chunk takes no more than the budget left beyond the block's other instructions: out
   * of budget the run loop comes back to the instruction with the progress kept.
   */
  repString(i: Insn): void {
    const b = this.b;
    const size = i.size;
    const shift = size === 8 ? 3 : size === 4 ? 2 : size === 2 ? 1 : 0;
    const movs = i.op === 1;
    const rcx = this.reg(1);
    const rdi = this.reg(7);
    const rsi = this.reg(6);
    const rax = this.reg(0);
    this.written.add(1);
    this.written.add(7);
    if (movs) this.written.add(6);
    b.block("rdone");
    b.get(rcx);
    b.op(Op.i64Eqz);
    b.brIf("rdone");
    // DF = 1 (backwards): the interpreter.
    b.get(L_F);
    b.i32(0x400);
    b.op(Op.i32And);
    this.exitIf(i);
    b.loop("rchunk");
    b.get(L_LEFT);
    b.i32(this.blockLen);
    b.op(Op.i32LeS);
    b.if();
    this.exit(this.k, i.rip, false);
    b.end();
    if (movs) {
      b.get(rsi);
      b.set(L_EA);
      this.translate(i, size, false, null);
      b.get(L_ADDR);
      b.set(L_SRC);
    }
    b.get(rdi);
    b.set(L_EA);
    this.translate(i, size, true, null);
    // Elements wholly inside the destination's page (at least one: translate checked it).
    const room = (from: number) => {
      b.i32(4096);
      b.get(from);
      b.op(Op.i32WrapI64);
      b.i32(0xfff);
      b.op(Op.i32And);
      b.op(Op.i32Sub);
      if (shift > 0) {
        b.i32(shift);
        b.op(Op.i32ShrU);
      }
    };
    /** L_CNT = min(L_CNT, the i32 on the stack). */
    const atMost = () => {
      b.tee(L_TI);
      b.get(L_CNT);
      b.op(Op.i32LtU);
      b.if();
      b.get(L_TI);
      b.set(L_CNT);
      b.end();
    };
    room(rdi);
    b.set(L_CNT);
    if (movs) {
      room(rsi);
      atMost();
    }
    b.get(L_LEFT);
    b.i32(this.blockLen);
    b.op(Op.i32Sub);
    atMost();
    b.get(rcx);
    b.get(L_CNT);
    b.op(Op.i64ExtendI32U);
    b.op(Op.i64LtU);
    b.if();
    b.get(rcx);
    b.op(Op.i32WrapI64);
    b.set(L_CNT);
    b.end();
    // Nothing in the chunk can fault: the registers and the budget move first.
    b.get(L_CNT);
    b.op(Op.i64ExtendI32U);
    b.set(L_T2);
    b.get(rcx);
    b.get(L_T2);
    b.op(Op.i64Sub);
    b.set(rcx);
    b.get(L_LEFT);
    b.get(L_CNT);
    b.op(Op.i32Sub);
    b.set(L_LEFT);
    b.get(L_T2);
    if (shift > 0) {
      b.i64(shift);
      b.op(Op.i64Shl);
    }
    b.set(L_T2);
    b.get(rdi);
    b.get(L_T2);
    b.op(Op.i64Add);
    b.set(rdi);
    if (movs) {
      b.get(rsi);
      b.get(L_T2);
      b.op(Op.i64Add);
      b.set(rsi);
    }
    // In order, element by element: an overlapping MOVS repeats the pattern as the CPU does.
    const o = this.t.ramOffset;
    b.loop("relem");
    b.get(L_ADDR);
    if (movs) {
      b.get(L_SRC);
      if (size === 8) b.mem(Op.i64Load, 0, o);
      else if (size === 4) b.mem(Op.i64Load32U, 0, o);
      else if (size === 2) b.mem(Op.i64Load16U, 0, o);
      else b.mem(Op.i64Load8U, 0, o);
    } else b.get(rax);
    if (size === 8) b.mem(Op.i64Store, 0, o);
    else if (size === 4) b.mem(Op.i64Store32, 0, o);
    else if (size === 2) b.mem(Op.i64Store16, 0, o);
    else b.mem(Op.i64Store8, 0, o);
    b.get(L_ADDR);
    b.i32(size);
    b.op(Op.i32Add);
    b.set(L_ADDR);
    if (movs) {
      b.get(L_SRC);
      b.i32(size);
      b.op(Op.i32Add);
      b.set(L_SRC);
    }
    b.get(L_CNT);
    b.i32(1);
    b.op(Op.i32Sub);
    b.tee(L_CNT);
    b.brIf("relem");
    b.end();
    b.get(rcx);
    b.op(Op.i64Eqz);
    b.op(Op.i32Eqz);
    b.brIf("rchunk");
    b.end();
    // Done: the first element was the instruction the block's count already holds.
    b.get(L_LEFT);
    b.i32(1);
    b.op(Op.i32Add);
    b.set(L_LEFT);
    b.end();
  }

  /** Translates the memory operand of `i` (if any) before anything of it is done. */
  prepareE(i: Insn, size: number, write: boolean): void {
    if (!i.isMem) return;
    this.ea(i);
    this.translate(i, size, write);
  }

  /** Pushes operand E (prepareE done), zero-extended from `size`. */
  readE(i: Insn, size: number): void {
    if (i.isMem) this.load(size);
    else this.getReg(i.rm, size, i.rex);
  }

  writeE(i: Insn, size: number, from: number): void {
    if (i.isMem) this.store(size, from);
    else this.setReg(i.rm, size, i.rex, from);
  }

  // ---------------------------------------------------------------- flags

  /** Folds the lazy flags into L_F (the kind becomes "none"). */
  materialize(): void {
    if (this.kind === 0) return;
    const b = this.b;
    b.get(L_F);
    b.get(L_FK);
    b.get(L_FA);
    b.get(L_FB);
    b.get(L_FR);
    b.i32(MAT_SLOT);
    b.callIndirect(MAT_TYPE);
    b.set(L_F);
    b.i32(0);
    b.set(L_FK);
    this.kind = 0;
  }

  setKind(kind: number, size: number): void {
    const fk = kind * 4 + sizeCode(size);
    this.b.i32(fk);
    this.b.set(L_FK);
    this.kind = fk;
  }

  /** Pushes the sign bit of L_FR at the current kind's size (i32 0/1). */
  private signOfResult(size: number): void {
    const b = this.b;
    b.get(L_FR);
    b.i64(size * 8 - 1);
    b.op(Op.i64ShrU);
    b.op(Op.i32WrapI64);
    b.i32(1);
    b.op(Op.i32And);
  }

  /** Pushes local `l` as a signed value of `size` for a signed compare (i32 or i64). */
  private signed(l: number, size: number): void {
    const b = this.b;
    b.get(l);
    if (size === 8) return;
    b.op(Op.i32WrapI64);
    if (size === 1 || size === 2) {
      b.i32(size === 1 ? 24 : 16);
      b.op(Op.i32Shl);
    }
  }

  /** Pushes condition `cc` (i32 0/1). */
  cond(cc: number): void {
    const b = this.b;
    const kind = this.kind >= 0 ? this.kind >> 2 : -1;
    const size = this.kind >= 0 ? CODE_SIZE[this.kind & 3]! : 0;
    const c = cc >> 1;
    let done = true;
    if (kind === FK_SUB && c !== 0 && c !== 5) {
      switch (c) {
        case 1: // B
        case 3: // BE
          b.get(L_FA);
          b.get(L_FB);
          b.op(c === 1 ? Op.i64LtU : Op.i64LeU);
          break;
        case 2:
          b.get(L_FR);
          b.op(Op.i64Eqz);
          break;
        case 4:
          this.signOfResult(size);
          break;
        default: {
          // L / LE: a signed compare at the operand size.
          this.signed(L_FA, size);
          this.signed(L_FB, size);
          if (size === 8) b.op(c === 6 ? Op.i64LtS : Op.i64LeS);
          else b.op(c === 6 ? Op.i32LtS : Op.i32LeS);
        }
      }
    } else if (kind === FK_LOGIC && c !== 5) {
      switch (c) {
        case 0: // O
        case 1: // B
          b.i32(0);
          break;
        case 2: // E
        case 3: // BE
          b.get(L_FR);
          b.op(Op.i64Eqz);
          break;
        case 4: // S
        case 6: // L
          this.signOfResult(size);
          break;
        default: // LE
          b.get(L_FR);
          b.op(Op.i64Eqz);
          this.signOfResult(size);
          b.op(Op.i32Or);
      }
    } else if ((kind === FK_ADD || kind === FK_INC || kind === FK_DEC) && (c === 2 || c === 4)) {
      if (c === 2) {
        b.get(L_FR);
        b.op(Op.i64Eqz);
      } else this.signOfResult(size);
    } else done = false;
    if (!done) {
      this.materialize();
      const bit = (n: number) => {
        b.get(L_F);
        b.i32(n);
        b.op(Op.i32ShrU);
        b.i32(1);
        b.op(Op.i32And);
      };
      switch (c) {
        case 0:
          bit(11);
          break;
        case 1:
          bit(0);
          break;
        case 2:
          bit(6);
          break;
        case 3:
          b.get(L_F);
          b.i32(0x41);
          b.op(Op.i32And);
          b.i32(0);
          b.op(Op.i32Ne);
          break;
        case 4:
          bit(7);
          break;
        case 5:
          bit(2);
          break;
        case 6:
          bit(7);
          bit(11);
          b.op(Op.i32Xor);
          break;
        default:
          bit(7);
          bit(11);
          b.op(Op.i32Xor);
          bit(6);
          b.op(Op.i32Or);
      }
    }
    if (cc & 1) b.op(Op.i32Eqz);
  }

  // ---------------------------------------------------------------- instructions

  /** Sign-extends the i64 on the stack from `size` bytes. */
  signExtend(size: number): void {
    const b = this.b;
    if (size === 4) b.op(I64_EXTEND32_S);
    else if (size === 2) b.op(I64_EXTEND16_S);
    else if (size === 1) b.op(I64_EXTEND8_S);
  }

  /** Operand E again, sign-extended (its translation is still in L_ADDR). */
  readEAgain(i: Insn, size: number): void {
    this.readE(i, size);
    this.signExtend(size);
  }

  /** Byte-reverses the i32 on the stack (uses L_TI). */
  bswap32(): void {
    const b = this.b;
    b.set(L_TI);
    b.get(L_TI);
    b.i32(24);
    b.op(Op.i32Shl);
    b.get(L_TI);
    b.i32(0xff00);
    b.op(Op.i32And);
    b.i32(8);
    b.op(Op.i32Shl);
    b.op(Op.i32Or);
    b.get(L_TI);
    b.i32(8);
    b.op(Op.i32ShrU);
    b.i32(0xff00);
    b.op(Op.i32And);
    b.op(Op.i32Or);
    b.get(L_TI);
    b.i32(24);
    b.op(Op.i32ShrU);
    b.op(Op.i32Or);
  }

  /**
   * JMP E / CALL E: the target into L_T2, a non-canonical one left to the interpreter's #GP
   * (before anything changes), then CALL pushes the return address.
   */
  indirect(i: Insn): void {
    const b = this.b;
    this.prepareE(i, 8, false);
    this.readE(i, 8);
    b.tee(L_T2);
    b.i64(16);
    b.op(Op.i64Shl);
    b.i64(16);
    b.op(Op.i64ShrS);
    b.get(L_T2);
    b.op(Op.i64Ne);
    this.exitIf(i);
    if (i.kind !== K.CALL_IND) return;
    b.get(this.reg(4));
    b.i64(8);
    b.op(Op.i64Sub);
    b.set(L_EA);
    this.translate(i, 8, true, STACK_W);
    b.i64(i.next);
    b.set(L_T1);
    this.store(8, L_T1);
    b.get(L_EA);
    b.set(this.reg(4));
    this.written.add(4);
  }

  /** CALL rel32: pushes the return address (side exit before anything changes). */
  call(i: Insn): void {
    const b = this.b;
    b.get(this.reg(4));
    b.i64(8);
    b.op(Op.i64Sub);
    b.set(L_EA);
    this.translate(i, 8, true, STACK_W);
    b.i64(i.next);
    b.set(L_T2);
    this.store(8, L_T2);
    b.get(L_EA);
    b.set(this.reg(4));
    this.written.add(4);
  }

  /** RET: pops the target into L_T2 (a non-canonical one is left to the interpreter's #GP). */
  ret(i: Insn): void {
    const b = this.b;
    b.get(this.reg(4));
    b.set(L_EA);
    this.translate(i, 8, false, STACK_R);
    this.load(8);
    b.tee(L_T2);
    b.i64(16);
    b.op(Op.i64Shl);
    b.i64(16);
    b.op(Op.i64ShrS);
    b.get(L_T2);
    b.op(Op.i64Ne);
    this.exitIf(i);
    b.get(this.reg(4));
    b.i64(8);
    b.op(Op.i64Add);
    b.set(this.reg(4));
    this.written.add(4);
  }

  /**
   * Sets the six status flags eagerly (alu.ts semantics): CF and OF from what `cf`/`of` push
   * (i32 0/1), ZF, SF and PF from the i64 in local `res` at `size`, AF cleared; the lazy
   * state is dropped, as every status flag is now known.
   */
  private eagerFlags(size: number, res: number, cf: () => void, of: () => void, zf: boolean): void {
    const b = this.b;
    b.get(L_F);
    b.i32(~0x8d5);
    b.op(Op.i32And);
    cf();
    b.op(Op.i32Or);
    of();
    b.i32(11);
    b.op(Op.i32Shl);
    b.op(Op.i32Or);
    orParityFlag(b, res);
    b.get(res);
    b.i64(size * 8 - 1);
    b.op(Op.i64ShrU);
    b.op(Op.i32WrapI64);
    b.i32(1);
    b.op(Op.i32And);
    b.i32(7);
    b.op(Op.i32Shl);
    b.op(Op.i32Or);
    if (zf) {
      b.get(res);
      b.op(Op.i64Eqz);
      b.i32(6);
      b.op(Op.i32Shl);
      b.op(Op.i32Or);
    }
    b.set(L_F);
    b.i32(0);
    b.set(L_FK);
  }

  /**
   * MUL / IMUL E (one operand, 32/64-bit): rDX:rAX = rAX * E. Flags as the interpreter's
   * setMulFlags: CF = OF = the high half is significant, PF of the low byte, SF = the low
   * half's sign, ZF and AF clear.
   */
  private mulAcc(i: Insn): void {
    const b = this.b;
    const size = i.size;
    const signed = i.op === 1;
    this.prepareE(i, size, false);
    this.readE(i, size);
    if (size === 4) {
      if (signed) b.op(I64_EXTEND32_S);
      this.getReg(0, 4, true);
      if (signed) b.op(I64_EXTEND32_S);
      b.op(Op.i64Mul);
      b.tee(L_T2);
      b.i64(0xffffffff);
      b.op(Op.i64And);
      b.set(L_FR);
      b.get(L_T2);
      b.i64(32);
      b.op(Op.i64ShrU);
      b.i64(0xffffffff);
      b.op(Op.i64And);
      b.set(L_T1);
      // Overflow: the product differs from its low half extended back.
      b.get(L_T2);
      if (signed) {
        b.get(L_FR);
        b.op(I64_EXTEND32_S);
        b.op(Op.i64Ne);
      } else {
        b.i64(32);
        b.op(Op.i64ShrU);
        b.i64(0);
        b.op(Op.i64Ne);
      }
      b.op(Op.i64ExtendI32U);
      b.set(L_FB);
      b.i64(0);
      b.set(L_FA);
      this.setKind(FK_MUL, 4);
      this.setReg(0, 4, true, L_FR);
      this.setReg(2, 4, true, L_T1);
      return;
    }
    b.set(L_T2);
    b.get(this.reg(0));
    b.set(L_T1);
    this.mulHigh64(signed);
    // L_FR = low half, L_FB = high half.
    this.setReg(0, 8, true, L_FR);
    this.setReg(2, 8, true, L_FB);
    const ov = () => {
      b.get(L_FB);
      if (signed) {
        b.get(L_FR);
        b.i64(63);
        b.op(Op.i64ShrS);
      } else b.i64(0);
      b.op(Op.i64Ne);
    };
    // The 64-bit SF is bit 63 of the low half (exec.ts), which FK_MUL's bit 31 is not.
    this.eagerFlags(8, L_FR, ov, ov, false);
    this.kind = 0;
  }

  /**
   * The 128-bit product of L_T1 and L_T2: low half into L_FR, high half into L_FB (signed when
   * `signed`); uses L_EA and L_FA.
   */
  private mulHigh64(signed: boolean): void {
    const b = this.b;
    const lo = (l: number) => {
      b.get(l);
      b.i64(0xffffffff);
      b.op(Op.i64And);
    };
    const hi = (l: number) => {
      b.get(l);
      b.i64(32);
      b.op(Op.i64ShrU);
    };
    // Partial products of the 32-bit halves; `mid` gathers the carries into bit 64.
    lo(L_T1);
    lo(L_T2);
    b.op(Op.i64Mul);
    b.i64(32);
    b.op(Op.i64ShrU);
    b.set(L_EA);
    lo(L_T1);
    hi(L_T2);
    b.op(Op.i64Mul);
    b.set(L_FA);
    hi(L_T1);
    lo(L_T2);
    b.op(Op.i64Mul);
    b.set(L_FB);
    b.get(L_EA);
    lo(L_FA);
    b.op(Op.i64Add);
    lo(L_FB);
    b.op(Op.i64Add);
    b.set(L_EA);
    hi(L_T1);
    hi(L_T2);
    b.op(Op.i64Mul);
    hi(L_FA);
    b.op(Op.i64Add);
    hi(L_FB);
    b.op(Op.i64Add);
    hi(L_EA);
    b.op(Op.i64Add);
    if (signed) {
      // Two's complement correction: minus b when a < 0, minus a when b < 0.
      b.get(L_T1);
      b.i64(63);
      b.op(Op.i64ShrS);
      b.get(L_T2);
      b.op(Op.i64And);
      b.op(Op.i64Sub);
      b.get(L_T2);
      b.i64(63);
      b.op(Op.i64ShrS);
      b.get(L_T1);
      b.op(Op.i64And);
      b.op(Op.i64Sub);
    }
    b.set(L_FB);
    b.get(L_T1);
    b.get(L_T2);
    b.op(Op.i64Mul);
    b.set(L_FR);
  }

  /**
   * SHLD / SHRD E, G (32/64-bit) by an immediate or CL, masked to 31/63: a zero count writes
   * E back unchanged and keeps every flag; otherwise CF is the last bit shifted out, OF the
   * change of E's sign, ZF/SF/PF from the result and AF clear (alu.ts doubleShift).
   */
  private doubleShift(i: Insn): void {
    const b = this.b;
    const size = i.size;
    const bits = size * 8;
    const left = i.op === 0;
    this.prepareE(i, size, true);
    this.readE(i, size);
    b.set(L_T1);
    this.getReg(i.reg, size, i.rex);
    b.set(L_T2);
    const count = (): void => {
      if (i.kind === K.SHD_I) b.i64(i.imm & (bits - 1));
      else b.get(L_EA);
    };
    const shifted = (): void => {
      // r = (d << n | s >> (bits - n)) or (d >> n | s << (bits - n)), masked.
      b.get(L_T1);
      count();
      b.op(left ? Op.i64Shl : Op.i64ShrU);
      b.get(L_T2);
      b.i64(bits);
      count();
      b.op(Op.i64Sub);
      b.op(left ? Op.i64ShrU : Op.i64Shl);
      b.op(Op.i64Or);
      if (size !== 8) {
        b.i64(maskOf(size));
        b.op(Op.i64And);
      }
      b.set(L_FR);
      this.writeE(i, size, L_FR);
      const cf = () => {
        b.get(L_T1);
        if (left) {
          b.i64(bits);
          count();
          b.op(Op.i64Sub);
        } else {
          count();
          b.i64(1);
          b.op(Op.i64Sub);
        }
        b.op(Op.i64ShrU);
        b.op(Op.i32WrapI64);
        b.i32(1);
        b.op(Op.i32And);
      };
      const of = () => {
        b.get(L_FR);
        b.get(L_T1);
        b.op(Op.i64Xor);
        b.i64(bits - 1);
        b.op(Op.i64ShrU);
        b.op(Op.i32WrapI64);
        b.i32(1);
        b.op(Op.i32And);
      };
      this.eagerFlags(size, L_FR, cf, of, true);
    };
    if (i.kind === K.SHD_I) {
      if ((i.imm & (bits - 1)) === 0) {
        this.writeE(i, size, L_T1);
        return;
      }
      shifted();
      this.kind = 0;
      return;
    }
    b.get(this.reg(1));
    b.i64(bits - 1);
    b.op(Op.i64And);
    b.tee(L_EA);
    b.op(Op.i64Eqz);
    b.if();
    this.writeE(i, size, L_T1);
    b.else();
    shifted();
    b.end();
    // Which flags are pending is known only at run time now.
    this.kind = -1;
  }

  /** fr = fa op fb at `size`, setting the lazy kind; ADC/SBB need the flags materialized. */
  private aluCompute(op: number, size: number): void {
    const b = this.b;
    b.get(L_FA);
    b.get(L_FB);
    let kind: number;
    switch (op) {
      case 0:
        b.op(Op.i64Add);
        kind = FK_ADD;
        break;
      case 2:
      case 3:
        b.op(op === 2 ? Op.i64Add : Op.i64Sub);
        b.get(L_F);
        b.i32(1);
        b.op(Op.i32And);
        b.op(Op.i64ExtendI32U);
        b.op(op === 2 ? Op.i64Add : Op.i64Sub);
        kind = op === 2 ? FK_ADC : FK_SBB;
        break;
      case 1:
        b.op(Op.i64Or);
        kind = FK_LOGIC;
        break;
      case 4:
        b.op(Op.i64And);
        kind = FK_LOGIC;
        break;
      case 6:
        b.op(Op.i64Xor);
        kind = FK_LOGIC;
        break;
      default:
        b.op(Op.i64Sub);
        kind = FK_SUB;
    }
    if (size !== 8) {
      b.i64(maskOf(size));
      b.op(Op.i64And);
    }
    b.set(L_FR);
    this.setKind(kind, size);
  }

  /** Pushes the immediate of `i` at `size` (sign-extended imm, masked). */
  private imm(i: Insn, size: number): void {
    const b = this.b;
    b.i64(size === 8 ? i.imm : (i.imm & maskOf(size)) >>> 0);
  }

  insn(i: Insn): void {
    const b = this.b;
    const size = i.size;
    switch (i.kind) {
      case K.ALU_EG:
      case K.ALU_EI:
      case K.TEST_EG:
      case K.TEST_EI: {
        const test = i.kind === K.TEST_EG || i.kind === K.TEST_EI;
        const writes = !test && i.op !== 7;
        this.prepareE(i, size, writes);
        // ADC/SBB read CF: fold the pending flags before their operands replace fa/fb.
        if (!test && (i.op === 2 || i.op === 3)) this.materialize();
        this.readE(i, size);
        b.set(L_FA);
        if (i.kind === K.ALU_EG || i.kind === K.TEST_EG) this.getReg(i.reg, size, i.rex);
        else this.imm(i, size);
        b.set(L_FB);
        this.aluCompute(test ? 4 : i.op, size);
        if (writes) this.writeE(i, size, L_FR);
        return;
      }
      case K.ALU_GE: {
        this.prepareE(i, size, false);
        if (i.op === 2 || i.op === 3) this.materialize();
        this.getReg(i.reg, size, i.rex);
        b.set(L_FA);
        this.readE(i, size);
        b.set(L_FB);
        this.aluCompute(i.op, size);
        if (i.op !== 7) this.setReg(i.reg, size, i.rex, L_FR);
        return;
      }
      case K.MOV_EG:
        this.prepareE(i, size, true);
        this.getReg(i.reg, size, i.rex);
        b.set(L_T2);
        this.writeE(i, size, L_T2);
        return;
      case K.MOV_GE:
        this.prepareE(i, size, false);
        this.readE(i, size);
        b.set(L_T2);
        this.setReg(i.reg, size, i.rex, L_T2);
        return;
      case K.MOV_EI:
        this.prepareE(i, size, true);
        this.imm(i, size);
        b.set(L_T2);
        this.writeE(i, size, L_T2);
        return;
      case K.MOV_RI:
        if (size === 8) {
          b.i64(i.immHi);
          b.i64(32);
          b.op(Op.i64Shl);
          b.i64(i.imm >>> 0);
          b.op(Op.i64Or);
        } else b.i64((i.imm & maskOf(size)) >>> 0);
        b.set(L_T2);
        this.setReg(i.rm, size, i.rex, L_T2);
        return;
      case K.LEA:
        this.ea(i);
        b.get(L_EA);
        if (size !== 8) {
          b.i64(0xffffffff);
          b.op(Op.i64And);
        }
        b.set(L_T2);
        this.setReg(i.reg, size, i.rex, L_T2);
        return;
      case K.MOVZX:
      case K.MOVSX: {
        const signed = i.kind === K.MOVSX;
        this.prepareE(i, i.msize, false);
        if (i.isMem) this.load(i.msize, signed);
        else {
          this.getReg(i.rm, i.msize === 4 ? 4 : i.msize === 2 ? 8 : 1, i.rex);
          if (i.msize === 2) {
            b.i64(0xffff);
            b.op(Op.i64And);
          }
          if (signed)
            b.op(i.msize === 1 ? I64_EXTEND8_S : i.msize === 2 ? I64_EXTEND16_S : I64_EXTEND32_S);
        }
        if (size !== 8) {
          b.i64(0xffffffff);
          b.op(Op.i64And);
        }
        b.set(L_T2);
        this.setReg(i.reg, size, i.rex, L_T2);
        return;
      }
      case K.INCDEC:
        this.prepareE(i, size, true);
        this.materialize();
        this.readE(i, size);
        b.set(L_FA);
        b.i64(1);
        b.set(L_FB);
        b.get(L_FA);
        b.get(L_FB);
        b.op(i.op === 0 ? Op.i64Add : Op.i64Sub);
        if (size !== 8) {
          b.i64(maskOf(size));
          b.op(Op.i64And);
        }
        b.set(L_FR);
        this.setKind(i.op === 0 ? FK_INC : FK_DEC, size);
        this.writeE(i, size, L_FR);
        return;
      case K.CMOV:
        // The source is read (and may fault) whatever the condition; a 32-bit destination
        // is zero-extended even when the condition is false.
        this.prepareE(i, size, false);
        this.readE(i, size);
        b.set(L_T2);
        this.cond(i.cc);
        b.if();
        b.get(L_T2);
        b.set(L_T1);
        b.else();
        this.getReg(i.reg, size, i.rex);
        b.set(L_T1);
        b.end();
        this.setReg(i.reg, size, i.rex, L_T1);
        return;
      case K.SETCC:
        this.prepareE(i, 1, true);
        this.cond(i.cc);
        b.op(Op.i64ExtendI32U);
        b.set(L_T2);
        this.writeE(i, 1, L_T2);
        return;
      case K.SHIFT_EI: {
        const count = i.imm & (size === 8 ? 63 : 31);
        this.prepareE(i, size, true);
        this.readE(i, size);
        if (count === 0) {
          // No flags change; the (zero-extending) write still happens.
          b.set(L_T2);
          this.writeE(i, size, L_T2);
          return;
        }
        b.set(L_FA);
        b.i64(count);
        b.set(L_FB);
        b.get(L_FA);
        if (i.op === 7 && size === 4) b.op(I64_EXTEND32_S);
        if (i.op === 7 && size === 2) b.op(I64_EXTEND16_S);
        b.get(L_FB);
        b.op(i.op === 4 ? Op.i64Shl : i.op === 5 ? Op.i64ShrU : Op.i64ShrS);
        if (size !== 8) {
          b.i64(maskOf(size));
          b.op(Op.i64And);
        }
        b.set(L_FR);
        this.setKind(i.op === 4 ? FK_SHL : i.op === 5 ? FK_SHR : FK_SAR, size);
        this.writeE(i, size, L_FR);
        return;
      }
      case K.SHIFT_ECL: {
        const mask = size === 8 ? 63 : 31;
        this.prepareE(i, size, true);
        this.readE(i, size);
        b.set(L_T2);
        b.get(this.reg(1));
        b.i64(mask);
        b.op(Op.i64And);
        b.tee(L_EA);
        b.op(Op.i64Eqz);
        b.if();
        // A zero count changes no flag; the (zero-extending) write still happens.
        this.writeE(i, size, L_T2);
        b.else();
        b.get(L_T2);
        b.set(L_FA);
        b.get(L_EA);
        b.set(L_FB);
        b.get(L_FA);
        if (i.op === 7 && size === 4) b.op(I64_EXTEND32_S);
        b.get(L_FB);
        b.op(i.op === 4 ? Op.i64Shl : i.op === 5 ? Op.i64ShrU : Op.i64ShrS);
        if (size !== 8) {
          b.i64(maskOf(size));
          b.op(Op.i64And);
        }
        b.set(L_FR);
        this.setKind(i.op === 4 ? FK_SHL : i.op === 5 ? FK_SHR : FK_SAR, size);
        this.writeE(i, size, L_FR);
        b.end();
        // Which flags are pending is known only at run time now.
        this.kind = -1;
        return;
      }
      case K.NOT:
        this.prepareE(i, size, true);
        this.readE(i, size);
        b.i64(size === 8 ? -1 : maskOf(size));
        b.op(Op.i64Xor);
        b.set(L_T2);
        this.writeE(i, size, L_T2);
        return;
      case K.NEG:
        this.prepareE(i, size, true);
        this.readE(i, size);
        b.set(L_FB);
        b.i64(0);
        b.set(L_FA);
        this.aluCompute(5, size);
        this.writeE(i, size, L_FR);
        return;
      case K.DIV: {
        this.prepareE(i, size, false);
        this.readE(i, size);
        b.set(L_T1);
        if (size === 8) {
          // RDX != 0 (a 128-bit dividend) or a zero divisor: the interpreter's exact DIV.
          b.get(this.reg(2));
          b.i64(0);
          b.op(Op.i64Ne);
          b.get(L_T1);
          b.op(Op.i64Eqz);
          b.op(Op.i32Or);
          this.exitIf(i);
          b.get(this.reg(0));
          b.set(L_T2);
        } else {
          // The quotient fits in 32 bits exactly when EDX < divisor (which excludes 0).
          this.getReg(2, 4, true);
          b.get(L_T1);
          b.op(Op.i64GeU);
          this.exitIf(i);
          this.getReg(2, 4, true);
          b.i64(32);
          b.op(Op.i64Shl);
          this.getReg(0, 4, true);
          b.op(Op.i64Or);
          b.set(L_T2);
        }
        b.get(L_T2);
        b.get(L_T1);
        b.op(Op.i64DivU);
        b.set(L_EA);
        b.get(L_T2);
        b.get(L_T1);
        b.op(Op.i64RemU);
        b.set(L_T2);
        // Flags are left as they were, as the interpreter leaves them (undefined after DIV).
        this.setReg(0, size, true, L_EA);
        this.setReg(2, size, true, L_T2);
        return;
      }
      case K.MUL:
        this.mulAcc(i);
        return;
      case K.SHD_I:
      case K.SHD_CL:
        this.doubleShift(i);
        return;
      case K.IMUL_GE:
      case K.IMUL_GEI: {
        this.prepareE(i, size, false);
        this.readE(i, size);
        this.signExtend(size);
        if (i.kind === K.IMUL_GE) {
          this.getReg(i.reg, size, i.rex);
          this.signExtend(size);
        } else b.i64(i.imm);
        b.op(Op.i64Mul);
        b.set(L_T2);
        if (size === 8) {
          // Overflow of the 128-bit product: a != 0 and (a == -1 ? b == MIN : r / a != b).
          this.readEAgain(i, size);
          b.set(L_T1);
          if (i.kind === K.IMUL_GE) this.getReg(i.reg, size, i.rex);
          else b.i64(i.imm);
          b.set(L_EA);
          b.get(L_T1);
          b.op(Op.i64Eqz);
          b.if(null, ValType.i64);
          b.i64(0);
          b.else();
          b.get(L_T1);
          b.i64(-1);
          b.op(Op.i64Eq);
          b.if(null, ValType.i64);
          b.get(L_EA);
          b.i64(1);
          b.i64(63);
          b.op(Op.i64Shl);
          b.op(Op.i64Eq);
          b.op(Op.i64ExtendI32U);
          b.else();
          b.get(L_T2);
          b.get(L_T1);
          b.op(Op.i64DivS);
          b.get(L_EA);
          b.op(Op.i64Ne);
          b.op(Op.i64ExtendI32U);
          b.end();
          b.end();
          b.set(L_FB);
          b.get(L_T2);
          b.set(L_FR);
        } else {
          // Overflow: the product differs from its truncation sign-extended back.
          b.get(L_T2);
          b.i64(maskOf(size));
          b.op(Op.i64And);
          b.tee(L_FR);
          this.signExtend(size);
          b.get(L_T2);
          b.op(Op.i64Ne);
          b.op(Op.i64ExtendI32U);
          b.set(L_FB);
        }
        b.i64(0);
        b.set(L_FA);
        this.setKind(FK_MUL, size);
        this.setReg(i.reg, size, i.rex, L_FR);
        return;
      }
      case K.PUSH:
        b.get(this.reg(4));
        b.i64(8);
        b.op(Op.i64Sub);
        b.set(L_EA);
        this.translate(i, 8, true, STACK_W);
        this.getReg(i.rm, 8, true);
        b.set(L_T2);
        this.store(8, L_T2);
        b.get(L_EA);
        b.set(this.reg(4));
        this.written.add(4);
        return;
      case K.POP:
        b.get(this.reg(4));
        b.set(L_EA);
        this.translate(i, 8, false, STACK_R);
        this.load(8);
        b.set(L_T2);
        b.get(this.reg(4));
        b.i64(8);
        b.op(Op.i64Add);
        b.set(this.reg(4));
        this.written.add(4);
        this.setReg(i.rm, 8, true, L_T2);
        return;
      case K.ROT_EI: {
        const count = i.imm & (size === 8 ? 63 : 31);
        this.prepareE(i, size, true);
        if (count !== 0) this.materialize();
        this.readE(i, size);
        if (count !== 0) {
          if (size === 8) {
            b.i64(count);
            b.op(i.op === 0 ? I64_ROTL : I64_ROTR);
          } else {
            b.op(Op.i32WrapI64);
            b.i32(count);
            b.op(i.op === 0 ? I32_ROTL : I32_ROTR);
            b.op(Op.i64ExtendI32U);
          }
        }
        b.set(L_T2);
        this.writeE(i, size, L_T2);
        if (count === 0) return;
        // CF and OF only (alu.ts): ROL: CF = bit 0, OF = MSB ^ CF; ROR: CF = MSB, OF = MSB ^ MSB-1.
        const msb = size * 8 - 1;
        const bit = (n: number) => {
          b.get(L_T2);
          b.i64(n);
          b.op(Op.i64ShrU);
          b.op(Op.i32WrapI64);
          b.i32(1);
          b.op(Op.i32And);
        };
        b.get(L_F);
        b.i32(~0x801);
        b.op(Op.i32And);
        bit(i.op === 0 ? 0 : msb);
        b.op(Op.i32Or);
        bit(msb);
        bit(i.op === 0 ? 0 : msb - 1);
        b.op(Op.i32Xor);
        b.i32(11);
        b.op(Op.i32Shl);
        b.op(Op.i32Or);
        b.set(L_F);
        return;
      }
      case K.PUSH_I:
        b.get(this.reg(4));
        b.i64(8);
        b.op(Op.i64Sub);
        b.set(L_EA);
        this.translate(i, 8, true, STACK_W);
        b.i64(i.imm);
        b.set(L_T2);
        this.store(8, L_T2);
        b.get(L_EA);
        b.set(this.reg(4));
        this.written.add(4);
        return;
      case K.PUSHF:
        // RFLAGS as the interpreter pushes it: VM and RF read as 0.
        this.materialize();
        b.get(this.reg(4));
        b.i64(8);
        b.op(Op.i64Sub);
        b.set(L_EA);
        this.translate(i, 8, true, STACK_W);
        b.get(L_F);
        b.i32(~0x30000);
        b.op(Op.i32And);
        b.op(Op.i64ExtendI32U);
        b.set(L_T2);
        this.store(8, L_T2);
        b.get(L_EA);
        b.set(this.reg(4));
        this.written.add(4);
        return;
      case K.CLI:
      case K.STI:
        // CPL 3 (IOPL checks) is left to the interpreter. An STI that sets IF leaves right
        // after itself with the next instruction for the interpreter, flagged in ST_STI:
        // jit.ts opens the interrupt shadow, so interrupts come after that instruction.
        if (this.user) {
          this.exit(this.k, i.rip, true);
          return;
        }
        if (i.kind === K.CLI) {
          b.get(L_F);
          b.i32(~0x200);
          b.op(Op.i32And);
          b.set(L_F);
        } else {
          b.get(L_F);
          b.i32(0x200);
          b.op(Op.i32And);
          b.op(Op.i32Eqz);
          b.if();
          b.get(L_F);
          b.i32(0x200);
          b.op(Op.i32Or);
          b.set(L_F);
          b.i32(0);
          b.i32(1);
          b.mem(Op.i32Store, 2, this.t.state + ST_STI);
          this.exit(this.k + 1, i.next, true);
          b.end();
        }
        return;
      case K.REP_STR:
        this.repString(i);
        return;
      case K.LEAVE:
        b.get(this.reg(5));
        b.set(L_EA);
        this.translate(i, 8, false, memoKey(-1, 5, false));
        this.load(8);
        b.set(L_T2);
        b.get(this.reg(5));
        b.i64(8);
        b.op(Op.i64Add);
        b.set(this.reg(4));
        this.written.add(4);
        b.get(L_T2);
        b.set(this.reg(5));
        this.written.add(5);
        return;
      case K.CONV_A: {
        // AX = AL, EAX = AX, RAX = EAX, sign-extended.
        const half = size === 2 ? 1 : size === 4 ? 2 : 4;
        this.getReg(0, half === 4 ? 4 : 8, true);
        if (half === 2) {
          b.i64(0xffff);
          b.op(Op.i64And);
        }
        this.signExtend(half);
        if (size !== 8) {
          b.i64(maskOf(size));
          b.op(Op.i64And);
        }
        b.set(L_T2);
        this.setReg(0, size, true, L_T2);
        return;
      }
      case K.CONV_D:
        this.getReg(0, 8, true);
        b.i64(64 - size * 8);
        b.op(Op.i64Shl);
        b.i64(63);
        b.op(Op.i64ShrS);
        if (size !== 8) {
          b.i64(maskOf(size));
          b.op(Op.i64And);
        }
        b.set(L_T2);
        this.setReg(2, size, true, L_T2);
        return;
      case K.BSWAP:
        if (size === 8) {
          this.getReg(i.rm, 8, true);
          b.op(Op.i32WrapI64);
          this.bswap32();
          b.op(Op.i64ExtendI32U);
          b.i64(32);
          b.op(Op.i64Shl);
          this.getReg(i.rm, 8, true);
          b.i64(32);
          b.op(Op.i64ShrU);
          b.op(Op.i32WrapI64);
          this.bswap32();
          b.op(Op.i64ExtendI32U);
          b.op(Op.i64Or);
        } else {
          this.getReg(i.rm, 8, true);
          b.op(Op.i32WrapI64);
          this.bswap32();
          b.op(Op.i64ExtendI32U);
        }
        b.set(L_T2);
        this.setReg(i.rm, size, true, L_T2);
        return;
      case K.BT_I:
      case K.BT_R: {
        // CF = the bit; the other flags keep their values (as the interpreter leaves them).
        const bits = size * 8;
        if (i.kind === K.BT_R && i.isMem) {
          // The register offset is signed and picks the word at E + (offset >> log2(bits))
          // operand sizes away (before or after E); the bit is its low bits.
          this.ea(i);
          b.get(L_EA);
          this.getReg(i.reg, size, i.rex);
          this.signExtend(size);
          b.i64(Math.log2(bits));
          b.op(Op.i64ShrS);
          b.i64(Math.log2(size));
          b.op(Op.i64Shl);
          b.op(Op.i64Add);
          b.set(L_EA);
          this.translate(i, size, i.op !== 0);
        } else this.prepareE(i, size, i.op !== 0);
        this.materialize();
        // The bit offset into L_T1.
        if (i.kind === K.BT_I) b.i64(i.imm & (bits - 1));
        else {
          this.getReg(i.reg, size, i.rex);
          b.i64(bits - 1);
          b.op(Op.i64And);
        }
        b.set(L_T1);
        this.readE(i, size);
        b.set(L_T2);
        b.get(L_F);
        b.i32(~1);
        b.op(Op.i32And);
        b.get(L_T2);
        b.get(L_T1);
        b.op(Op.i64ShrU);
        b.op(Op.i32WrapI64);
        b.i32(1);
        b.op(Op.i32And);
        b.op(Op.i32Or);
        b.set(L_F);
        if (i.op === 0) return;
        b.get(L_T2);
        b.i64(1);
        b.get(L_T1);
        b.op(Op.i64Shl);
        if (i.op === 1) b.op(Op.i64Or);
        else if (i.op === 3) b.op(Op.i64Xor);
        else {
          b.i64(-1);
          b.op(Op.i64Xor);
          b.op(Op.i64And);
        }
        b.set(L_T2);
        this.writeE(i, size, L_T2);
        return;
      }
      case K.CMPXCHG:
        // Flags of CMP accumulator, E; equal: E = G, else the accumulator = E (a memory E
        // is checked writable first, as the locked write-back of the same value needs).
        this.prepareE(i, size, true);
        this.getReg(0, size, true);
        b.set(L_FA);
        this.readE(i, size);
        b.set(L_FB);
        this.aluCompute(7, size);
        b.get(L_FR);
        b.op(Op.i64Eqz);
        b.if();
        this.getReg(i.reg, size, i.rex);
        b.set(L_T2);
        this.writeE(i, size, L_T2);
        b.else();
        this.setReg(0, size, true, L_FB);
        b.end();
        return;
      case K.MOV_SREG: {
        // The selector, zero-extended into a register of the operand size; 16 bits to memory.
        const sz = i.isMem ? 2 : size;
        this.prepareE(i, sz, true);
        b.i32(0);
        b.mem(Op.i32Load, 2, this.t.state + ST_SEL + i.op * 4);
        b.i32(0xffff);
        b.op(Op.i32And);
        b.op(Op.i64ExtendI32U);
        b.set(L_T2);
        this.writeE(i, sz, L_T2);
        return;
      }
      case K.CMPXCHG8B: {
        // Compare EDX:EAX (RDX:RAX) with the memory operand: equal, ZF = 1 and it becomes
        // ECX:EBX (RCX:RBX); else ZF = 0 and the accumulator pair gets it. Only ZF changes.
        // CMPXCHG16B needs 16-byte alignment (#GP: the interpreter raises it).
        const wide = size === 16;
        this.ea(i);
        if (wide) {
          b.get(L_EA);
          b.op(Op.i32WrapI64);
          b.i32(15);
          b.op(Op.i32And);
          this.exitIf(i);
        }
        this.translate(i, size, true);
        this.materialize();
        const o = this.t.ramOffset;
        b.get(L_ADDR);
        b.mem(Op.i64Load, 0, o);
        b.set(L_T1);
        if (wide) {
          b.get(L_ADDR);
          b.mem(Op.i64Load, 0, o + 8);
          b.set(L_T2);
          b.get(L_T1);
          b.get(this.reg(0));
          b.op(Op.i64Eq);
          b.get(L_T2);
          b.get(this.reg(2));
          b.op(Op.i64Eq);
          b.op(Op.i32And);
        } else {
          b.get(L_T1);
          this.getReg(2, 4, true);
          b.i64(32);
          b.op(Op.i64Shl);
          this.getReg(0, 4, true);
          b.op(Op.i64Or);
          b.op(Op.i64Eq);
        }
        b.if();
        b.get(L_ADDR);
        if (wide) {
          b.get(this.reg(3));
          b.mem(Op.i64Store, 0, o);
          b.get(L_ADDR);
          b.get(this.reg(1));
          b.mem(Op.i64Store, 0, o + 8);
        } else {
          this.getReg(1, 4, true);
          b.i64(32);
          b.op(Op.i64Shl);
          this.getReg(3, 4, true);
          b.op(Op.i64Or);
          b.mem(Op.i64Store, 0, o);
        }
        b.get(L_F);
        b.i32(0x40);
        b.op(Op.i32Or);
        b.set(L_F);
        b.else();
        if (wide) {
          b.get(L_T1);
          b.set(this.reg(0));
          b.get(L_T2);
          b.set(this.reg(2));
        } else {
          b.get(L_T1);
          b.i64(0xffffffff);
          b.op(Op.i64And);
          b.set(this.reg(0));
          b.get(L_T1);
          b.i64(32);
          b.op(Op.i64ShrU);
          b.set(this.reg(2));
        }
        this.written.add(0);
        this.written.add(2);
        b.get(L_F);
        b.i32(~0x40);
        b.op(Op.i32And);
        b.set(L_F);
        b.end();
        return;
      }
      case K.XADD:
        this.prepareE(i, size, true);
        this.readE(i, size);
        b.set(L_FA);
        this.getReg(i.reg, size, i.rex);
        b.set(L_FB);
        this.aluCompute(0, size);
        // G = old E, E = the sum (with G and E one register, the sum stays).
        if (i.isMem) {
          this.writeE(i, size, L_FR);
          this.setReg(i.reg, size, i.rex, L_FA);
        } else {
          this.setReg(i.reg, size, i.rex, L_FA);
          this.writeE(i, size, L_FR);
        }
        return;
      case K.XCHG:
        this.prepareE(i, size, true);
        this.readE(i, size);
        b.set(L_T1);
        this.getReg(i.reg, size, i.rex);
        b.set(L_T2);
        this.writeE(i, size, L_T2);
        this.setReg(i.reg, size, i.rex, L_T1);
        return;
      case K.NOP:
        return;
      default:
        throw new Error(`jit: kind ${i.kind} is not a straight-line instruction`);
    }
  }
}

/** ORs PF (bit 2: even parity of the i64 local `result`'s low byte) into the i32 on the stack. */
function orParityFlag(b: FnBody, result: number): void {
  b.get(result);
  b.op(Op.i32WrapI64);
  b.i32(0xff);
  b.op(Op.i32And);
  b.op(I32_POPCNT);
  b.i32(1);
  b.op(Op.i32And);
  b.i32(1);
  b.op(Op.i32Xor);
  b.i32(2);
  b.op(Op.i32Shl);
  b.op(Op.i32Or);
}

/** Emits materialize(f, fk, fa, fb, fr) -> RFLAGS. */
function emitMaterialize(b: FnBody): void {
  const F = 0;
  const FK = 1;
  const FA = 2;
  const FB = 3;
  const FR = 4;
  const SB = 5; // i64
  const RES = 6; // i32
  const OPK = 7;
  const CF = 8;
  b.get(FK);
  b.op(Op.i32Eqz);
  b.if();
  b.get(F);
  b.op(Op.return);
  b.end();
  b.get(FK);
  b.i32(2);
  b.op(Op.i32ShrU);
  b.set(OPK);
  // sign bit position by size code: 7, 31, 63, 15
  const sizeIs = (code: number) => {
    b.get(FK);
    b.i32(3);
    b.op(Op.i32And);
    b.i32(code);
    b.op(Op.i32Eq);
  };
  b.i64(63);
  b.i64(15);
  sizeIs(2);
  b.op(Op.select);
  b.set(SB);
  b.i64(31);
  b.get(SB);
  sizeIs(1);
  b.op(Op.select);
  b.set(SB);
  b.i64(7);
  b.get(SB);
  sizeIs(0);
  b.op(Op.select);
  b.set(SB);
  // IMUL (alu.ts setMulFlags): CF = OF = overflow, ZF = AF = 0, PF of the low byte, SF = bit
  // 31 of the product (bit 15 for 16-bit operands, bit 31 of the low half for 64-bit ones).
  b.get(OPK);
  b.i32(FK_MUL);
  b.op(Op.i32Eq);
  b.if();
  b.get(F);
  b.i32(~0x8d5);
  b.op(Op.i32And);
  orParityFlag(b, FR);
  b.get(FR);
  b.i64(31);
  b.get(SB);
  b.get(SB);
  b.i64(63);
  b.op(Op.i64Eq);
  b.op(Op.select);
  b.op(Op.i64ShrU);
  b.op(Op.i32WrapI64);
  b.i32(1);
  b.op(Op.i32And);
  b.i32(7);
  b.op(Op.i32Shl);
  b.op(Op.i32Or);
  b.i32(0x801);
  b.i32(0);
  b.get(FB);
  b.op(Op.i64Eqz);
  b.op(Op.i32Eqz);
  b.op(Op.select);
  b.op(Op.i32Or);
  b.op(Op.return);
  b.end();
  // ZF, SF, PF from the result; everything else of f kept.
  b.get(F);
  b.i32(~0x8d5);
  b.op(Op.i32And);
  b.get(FR);
  b.op(Op.i64Eqz);
  b.i32(6);
  b.op(Op.i32Shl);
  b.op(Op.i32Or);
  b.get(FR);
  b.get(SB);
  b.op(Op.i64ShrU);
  b.op(Op.i32WrapI64);
  b.i32(1);
  b.op(Op.i32And);
  b.i32(7);
  b.op(Op.i32Shl);
  b.op(Op.i32Or);
  orParityFlag(b, FR);
  b.set(RES);
  b.get(OPK);
  b.i32(FK_LOGIC);
  b.op(Op.i32Eq);
  b.if();
  b.get(RES);
  b.op(Op.return);
  b.end();
  const sbit = (local: number) => {
    b.get(local);
    b.get(SB);
    b.op(Op.i64ShrU);
    b.op(Op.i32WrapI64);
    b.i32(1);
    b.op(Op.i32And);
  };
  b.get(OPK);
  b.i32(FK_SHL);
  b.op(Op.i32GeU);
  b.get(OPK);
  b.i32(FK_SAR);
  b.op(I32_LE_U);
  b.op(Op.i32And);
  b.if();
  // Shifts: AF cleared; CF the last bit shifted out; OF per the interpreter (alu.ts).
  b.get(OPK);
  b.i32(FK_SHL);
  b.op(Op.i32Eq);
  b.if();
  // CF = fa >> (bits - count) & 1; OF = MSB(r) ^ CF
  b.get(FA);
  b.get(SB);
  b.i64(1);
  b.op(Op.i64Add);
  b.get(FB);
  b.op(Op.i64Sub);
  b.op(Op.i64ShrU);
  b.op(Op.i32WrapI64);
  b.i32(1);
  b.op(Op.i32And);
  b.tee(CF);
  b.get(RES);
  b.op(Op.i32Or);
  sbit(FR);
  b.get(CF);
  b.op(Op.i32Xor);
  b.i32(11);
  b.op(Op.i32Shl);
  b.op(Op.i32Or);
  b.op(Op.return);
  b.end();
  b.get(OPK);
  b.i32(FK_SHR);
  b.op(Op.i32Eq);
  b.if();
  b.get(FA);
  b.get(FB);
  b.i64(1);
  b.op(Op.i64Sub);
  b.op(Op.i64ShrU);
  b.op(Op.i32WrapI64);
  b.i32(1);
  b.op(Op.i32And);
  b.get(RES);
  b.op(Op.i32Or);
  sbit(FA);
  b.i32(11);
  b.op(Op.i32Shl);
  b.op(Op.i32Or);
  b.op(Op.return);
  b.end();
  // SAR: the operand sign-extended from its size, shifted by count - 1.
  b.get(FA);
  b.i64(63);
  b.get(SB);
  b.op(Op.i64Sub);
  b.op(Op.i64Shl);
  b.i64(63);
  b.get(SB);
  b.op(Op.i64Sub);
  b.op(Op.i64ShrS);
  b.get(FB);
  b.i64(1);
  b.op(Op.i64Sub);
  b.op(Op.i64ShrS);
  b.op(Op.i32WrapI64);
  b.i32(1);
  b.op(Op.i32And);
  b.get(RES);
  b.op(Op.i32Or);
  b.op(Op.return);
  b.end();
  // AF
  b.get(RES);
  b.get(FA);
  b.get(FB);
  b.op(Op.i64Xor);
  b.get(FR);
  b.op(Op.i64Xor);
  b.op(Op.i32WrapI64);
  b.i32(0x10);
  b.op(Op.i32And);
  b.op(Op.i32Or);
  b.set(RES);
  // ADD/INC: CF = r < a, OF = sign((a ^ r) & (b ^ r)); SUB/DEC: CF = a < b, OF = sign((a ^ b) & (a ^ r)).
  const opIs = (k: number) => {
    b.get(OPK);
    b.i32(k);
    b.op(Op.i32Eq);
  };
  /** The carry-in of ADC/SBB (0 for the other kinds), i32. */
  const carryIn = () => {
    opIs(FK_ADC);
    opIs(FK_SBB);
    b.op(Op.i32Or);
    b.get(F);
    b.op(Op.i32And);
    b.i32(1);
    b.op(Op.i32And);
  };
  opIs(FK_ADD);
  opIs(FK_INC);
  b.op(Op.i32Or);
  opIs(FK_ADC);
  b.op(Op.i32Or);
  b.if();
  // carry out: r < a, or r == a with a carry-in (b + 1 wrapped all the way round)
  b.get(FR);
  b.get(FA);
  b.op(Op.i64LtU);
  b.get(FR);
  b.get(FA);
  b.op(Op.i64Eq);
  carryIn();
  b.op(Op.i32And);
  b.op(Op.i32Or);
  b.set(CF);
  b.get(FA);
  b.get(FR);
  b.op(Op.i64Xor);
  b.get(FB);
  b.get(FR);
  b.op(Op.i64Xor);
  b.op(Op.i64And);
  b.set(FA); // reuse: the OF word
  b.else();
  // borrow: a < b, or a == b with a borrow-in
  b.get(FA);
  b.get(FB);
  b.op(Op.i64LtU);
  b.get(FA);
  b.get(FB);
  b.op(Op.i64Eq);
  carryIn();
  b.op(Op.i32And);
  b.op(Op.i32Or);
  b.set(CF);
  b.get(FA);
  b.get(FB);
  b.op(Op.i64Xor);
  b.get(FA);
  b.get(FR);
  b.op(Op.i64Xor);
  b.op(Op.i64And);
  b.set(FA);
  b.end();
  // INC/DEC keep CF.
  opIs(FK_INC);
  opIs(FK_DEC);
  b.op(Op.i32Or);
  b.if();
  b.get(F);
  b.i32(1);
  b.op(Op.i32And);
  b.set(CF);
  b.end();
  b.get(RES);
  b.get(CF);
  b.op(Op.i32Or);
  sbit(FA);
  b.i32(11);
  b.op(Op.i32Shl);
  b.op(Op.i32Or);
}

/**
 * Compiles a region (decode.ts decodeRegion: block 0 is the entry) for CPL 3 when `user` into
 * module bytes whose export `run` runs it. Blocks branch to each other through a br_table
 * dispatch inside the function; a branch out of the region leaves it.
 */
export function compileRegion(
  blocks: readonly (readonly Insn[])[],
  user: boolean,
  t: JitTarget,
  pageMemos = true,
): Uint8Array {
  const w = new ModuleWriter(TYPES, [RUN_TYPE], ["run"], t.pages, true);
  // A memo hit stands for the whole page: only when RAM ends at a page boundary.
  const memos =
    pageMemos && t.ramSize % 4096 === 0 && t.ramBase % 4096 === 0 ? planMemos(blocks) : [];
  const b = w.beginFunction([
    [I64_LOCALS, ValType.i64],
    [I32_LOCALS, ValType.i32],
    ...(memos.length > 0
      ? ([
          [memos.length, ValType.i64],
          [memos.length, ValType.i32],
        ] as const)
      : []),
  ]);
  const g = new Gen(b, t, user);
  g.memoPage = L_CNT + 1;
  g.memoOff = L_CNT + 1 + memos.length;
  memos.forEach((key, k) => {
    g.memo.set(key, k);
    // No canonical address's page number (EA >> 12 lies in [-2^35, 2^35)).
    b.i64(2 ** 52);
    b.set(g.memoPage + k);
  });
  const index = new Map<number, number>();
  blocks.forEach((blk, k) => {
    index.set(blk[0]!.rip, k);
  });
  // Every register the region names is loaded once at entry.
  for (const blk of blocks) {
    for (const i of blk) {
      if (i.isMem) {
        if (i.base >= 0) g.used.add(i.base);
        if (i.index >= 0) g.used.add(i.index);
      }
      if (
        i.kind === K.PUSH ||
        i.kind === K.POP ||
        i.kind === K.CALL ||
        i.kind === K.RET ||
        i.kind === K.PUSH_I ||
        i.kind === K.PUSHF ||
        i.kind === K.LEAVE ||
        i.kind === K.CALL_IND
      ) {
        g.used.add(4);
        if (i.kind === K.PUSH || i.kind === K.POP || i.kind === K.CALL_IND) g.used.add(i.rm);
        if (i.kind === K.LEAVE) g.used.add(5);
      } else if (i.kind === K.CMPXCHG8B) {
        for (const r of [0, 1, 2, 3]) g.used.add(r);
      } else if (i.kind === K.CONV_A || i.kind === K.CONV_D || i.kind === K.MUL) {
        g.used.add(0);
        g.used.add(2);
        if (i.kind === K.MUL) g.used.add(i.rm);
      } else if (i.kind === K.CMPXCHG) {
        g.used.add(0);
        g.used.add(i.reg);
        g.used.add(i.rm);
        if (i.size === 1 && !i.rex) {
          if (i.reg >= 4 && i.reg < 8) g.used.add(i.reg - 4);
          if (i.rm >= 4 && i.rm < 8) g.used.add(i.rm - 4);
        }
      } else if (i.kind === K.REP_STR) {
        for (const r of [0, 1, 6, 7]) g.used.add(r);
      } else if (i.kind === K.SHIFT_ECL) {
        g.used.add(1);
        g.used.add(i.rm);
      } else if (i.kind === K.SHD_CL) {
        g.used.add(1);
        g.used.add(i.reg);
        g.used.add(i.rm);
      } else if (i.kind !== K.JCC && i.kind !== K.JMP && i.kind !== K.NOP) {
        g.used.add(i.reg);
        g.used.add(i.rm);
        if (i.size === 1 && !i.rex) {
          if (i.reg >= 4 && i.reg < 8) g.used.add(i.reg - 4);
          if (i.rm >= 4 && i.rm < 8) g.used.add(i.rm - 4);
        }
      }
    }
  }
  const regs = [...g.used].sort((x, y) => x - y);
  b.block("out");
  for (const r of regs) {
    b.i32(0);
    b.mem(Op.i64Load32U, 2, t.state + ST_RLO + r * 4);
    b.i32(0);
    b.mem(Op.i64Load32U, 2, t.state + ST_RHI + r * 4);
    b.i64(32);
    b.op(Op.i64Shl);
    b.op(Op.i64Or);
    b.set(L_REG + r);
  }
  b.get(P_FLAGS);
  b.set(L_F);
  b.get(P_BUDGET);
  b.set(L_LEFT);
  b.loop("dispatch");
  const nb = blocks.length;
  for (let k = nb - 1; k >= 0; k--) b.block(`b${k}`);
  b.get(L_BLK);
  b.brTable(
    blocks.map((_, k) => `b${k}`),
    "b0",
  );
  for (let k = 0; k < nb; k++) {
    b.end(); // b{k}: its code follows
    const insns = blocks[k]!;
    const n = insns.length;
    const start = insns[0]!.rip;
    // A branch back to the block's own start loops here, without the dispatch.
    b.loop(`self${k}`);
    g.kind = -1;
    g.k = 0;
    g.blockLen = n;
    b.get(L_LEFT);
    b.i32(n);
    b.op(Op.i32LtS);
    b.if();
    // Out of budget: the run loop polls for interrupts and comes back (no interpreter step).
    g.exit(0, start, false);
    b.end();
    /** Leaves block k for `target`: the next block in the region, or the function. */
    const goTo = (target: number) => {
      const j = index.get(target);
      if (j === undefined) {
        g.exit(n, target, false);
        return;
      }
      b.get(L_LEFT);
      b.i32(n);
      b.op(Op.i32Sub);
      b.set(L_LEFT);
      if (j === k) {
        b.br(`self${k}`);
        return;
      }
      b.i32(j);
      b.set(L_BLK);
      b.br("dispatch");
    };
    for (let q = 0; q < n; q++) {
      const i = insns[q]!;
      g.k = q;
      if (i.kind === K.JCC || i.kind === K.JMP) {
        if (i.kind === K.JCC) {
          g.cond(i.cc);
          b.if();
          goTo(i.target);
          b.end();
          goTo(i.next);
        } else goTo(i.target);
      } else if (i.kind === K.CALL) {
        g.call(i);
        goTo(i.target);
      } else if (i.kind === K.RET) {
        g.ret(i);
        g.exitTo(n, L_T2);
      } else if (i.kind === K.JMP_IND || i.kind === K.CALL_IND) {
        g.indirect(i);
        g.exitTo(n, L_T2);
      } else {
        g.insn(i);
        if (q === n - 1) goTo(i.next);
      }
    }
    b.end(); // self{k}
  }
  b.end(); // dispatch loop
  b.end(); // out
  // Epilogue: registers, RFLAGS, RIP back to the state block.
  for (const r of regs) {
    if (!g.written.has(r)) continue;
    b.i32(0);
    b.get(L_REG + r);
    b.mem(Op.i64Store32, 2, t.state + ST_RLO + r * 4);
    b.i32(0);
    b.get(L_REG + r);
    b.i64(32);
    b.op(Op.i64ShrU);
    b.mem(Op.i64Store32, 2, t.state + ST_RHI + r * 4);
  }
  b.i32(0);
  b.get(L_F);
  b.get(L_FK);
  b.get(L_FA);
  b.get(L_FB);
  b.get(L_FR);
  b.i32(MAT_SLOT);
  b.callIndirect(MAT_TYPE);
  b.mem(Op.i32Store, 2, t.state + ST_FLAGS);
  b.i32(0);
  b.get(L_EXIT_RIP);
  b.op(Op.f64ConvertI64S);
  b.mem(Op.f64Store, 3, t.state + ST_RIP);
  // (budget - left + nk) << 1 | side
  b.get(P_BUDGET);
  b.get(L_LEFT);
  b.op(Op.i32Sub);
  b.get(L_NK);
  b.op(Op.i32Add);
  b.i32(1);
  b.op(Op.i32Shl);
  b.get(L_SIDE);
  b.op(Op.i32Or);
  w.endFunction();
  return w.finish();
}

/**
 * The module of materialize(f, fk, fa, fb, fr) -> RFLAGS (export "mat"), which the JIT puts
 * in table slot 1 for the regions (imports env.mem of `pages` pages, unused).
 */
export function materializeModule(pages: number): Uint8Array {
  const w = new ModuleWriter(TYPES, [MAT_TYPE], ["mat"], pages, false);
  const m = w.beginFunction([
    [1, ValType.i64],
    [3, ValType.i32],
  ]);
  emitMaterialize(m);
  w.endFunction();
  return w.finish();
}
