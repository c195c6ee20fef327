import { allocateRam, type PhysBus } from "@axvisor/machine";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { X86Cpu } from "../cpu.js";
import { CS, SS } from "../regs.js";
import { X86Jit } from "./jit.js";

const CODE = 0x1000;
const DATA = 0x200000;
const RAM = 4 << 20;

/** A 64-bit machine: RAM at 0 identity-mapped by one 1 GiB page, CPL 0, long mode. */
function machine(jit: boolean): { cpu: X86Cpu; ram: Uint8Array; mmio: number[] } {
  const ram = allocateRam(RAM);
  const mmio: number[] = [];
  const bus: PhysBus = {
    ram,
    ramBase: 0,
    load: () => null,
    store: (pa) => {
      mmio.push(pa);
      return false;
    },
  };
  const cpu = new X86Cpu({
    cpuId: 0,
    apicId: 0,
    bus,
    io: { in: () => 0xffffffff, out: () => {} },
    time: { now: () => 0 },
    jit,
  });
  const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  dv.setUint32(0x10000, 0x11003, true);
  dv.setUint32(0x11000, 0x83, true);
  cpu.setReg("cr4", 0x20n);
  cpu.setReg("cr3", 0x10000n);
  cpu.setReg("efer", 0x500n);
  cpu.setReg("cr0", 0x80000011n);
  cpu.setSegment(CS, { selector: 8, base: 0n, limit: 0xffffffff, attributes: 0xa09b });
  cpu.setSegment(SS, { selector: 0x10, base: 0n, limit: 0xffffffff, attributes: 0xc093 });
  return { cpu, ram, mmio };
}

/** A machine whose JIT compiles its regions on a worker thread. */
function offThreadMachine(): ReturnType<typeof machine> {
  X86Jit.offThread = true;
  try {
    return machine(true);
  } finally {
    X86Jit.offThread = false;
  }
}

/** xorshift32: the same random programs on every run. */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s % n;
  };
}

// Registers random instructions may write: not RBX (data pointer), RSP, R14 (index), R15 (count).
const DEST = [0, 1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13];
const ANY = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
const INIT = [...ANY, 4];

/**
 * One random instruction of the integer subset the JIT compiles, or one it does not (ADC,
 * SHL by CL, IMUL: the block ends there and the interpreter runs it), as bytes; DIV comes
 * with the register setup that keeps it from faulting.
 */
function randomInsn(r: (n: number) => number, kinds?: readonly number[]): number[] {
  const size = [1, 2, 4, 8][r(4)]!;
  const w = size === 8;
  /** An immediate of the operand size (imm32 for 64-bit operands). */
  const immV = () => Array.from({ length: size === 2 ? 2 : 4 }, () => r(256));
  /** A ModRM (+SIB/disp) for register `reg` and, when mem, a memory operand off RBX/R14. */
  const operands = (reg: number, dstIsRm: boolean, mem: boolean, sz: number) => {
    let rex = (w ? 8 : 0) | (reg >= 8 ? 4 : 0);
    const bytes: number[] = [];
    if (mem) {
      const form = r(4);
      if (form === 0)
        bytes.push(0x40 | ((reg & 7) << 3) | 3, r(0xf8)); // [rbx + d8]
      else if (form === 1) {
        // [rbx + r14 * s + d8]
        rex |= 2;
        bytes.push(0x44 | ((reg & 7) << 3), (r(4) << 6) | (6 << 3) | 3, r(0x80));
      } else if (form === 2) {
        // [rip + d32] into the data page: filled in by the caller (needs the final length).
        bytes.push(0x05 | ((reg & 7) << 3), 0xaa, 0xaa, 0xaa, 0xaa);
      } else bytes.push(0x80 | ((reg & 7) << 3) | 3, r(0xf00) & 0xff, r(0xf), 0, 0); // [rbx + d32]
    } else {
      let rm: number;
      if (sz === 1 && rex === 0 && r(2) === 0) {
        // The legacy byte registers AL..DH (4-6 = AH, CH, DH; never BL/BH: RBX is the pointer).
        rm = dstIsRm ? [0, 1, 2, 4, 5, 6][r(6)]! : r(8);
        if (!dstIsRm && reg >= 4) reg = [0, 1, 2, 4, 5, 6][r(6)]!;
        bytes.push(0xc0 | ((reg & 7) << 3) | rm);
        return { rex: 0, bytes, legacy: true };
      }
      rm = dstIsRm ? DEST[r(DEST.length)]! : ANY[r(ANY.length)]!;
      if (rm >= 8) rex |= 1;
      bytes.push(0xc0 | ((reg & 7) << 3) | (rm & 7));
    }
    return { rex, bytes, legacy: false };
  };
  const emit = (prefix: number[], ops: { rex: number; bytes: number[] }, tail: number[] = []) => {
    const out = size === 2 ? [0x66] : [];
    if (ops.rex !== 0) out.push(0x40 | ops.rex);
    out.push(...prefix, ...ops.bytes, ...tail);
    return out;
  };
  const kind = kinds === undefined ? r(30) : kinds[r(kinds.length)]!;
  const mem = r(3) === 0;
  const op = r(8);
  const ob = size === 1 ? 0 : 1;
  switch (kind) {
    case 0: {
      // op E, G (CMP writes nothing, so any E; others need a writable E)
      const reg = ANY[r(ANY.length)]!;
      return emit([(op << 3) | ob], operands(reg, op !== 7, mem, size));
    }
    case 1: {
      const reg = DEST[r(DEST.length)]!;
      return emit([(op << 3) | 2 | ob], operands(reg, false, mem, size));
    }
    case 2: {
      const o = operands(op, true, mem, size);
      if (size === 1) return emit([0x80], o, [r(256)]);
      if (r(2)) return emit([0x83], o, [r(256)]);
      return emit([0x81], o, immV());
    }
    case 3: {
      const reg = ANY[r(ANY.length)]!;
      return emit([size === 1 ? 0x84 : 0x85], operands(reg, false, mem, size));
    }
    case 4: {
      const reg = ANY[r(ANY.length)]!;
      return emit([size === 1 ? 0x88 : 0x89], operands(reg, true, mem, size));
    }
    case 5: {
      const reg = DEST[r(DEST.length)]!;
      return emit([size === 1 ? 0x8a : 0x8b], operands(reg, false, mem, size));
    }
    case 6: {
      const reg = DEST[r(DEST.length)]!;
      const rex = (w ? 8 : 0) | (reg >= 8 ? 1 : 0);
      const imm = w && r(2) ? 8 : 4;
      const out = rex ? [0x40 | rex] : [];
      out.push(0xb8 | (reg & 7));
      for (let k = 0; k < (size === 2 ? 2 : imm); k++) out.push(r(256));
      return size === 2 ? [0x66, ...out] : out;
    }
    case 7: {
      const reg = DEST[r(DEST.length)]!;
      return emit([0x8d], operands(reg, false, true, size === 1 ? 4 : size));
    }
    case 8: {
      const reg = DEST[r(DEST.length)]!;
      const form = [0xb6, 0xb7, 0xbe, 0xbf][r(4)]!;
      return emit([0x0f, form], operands(reg, false, mem, form & 1 ? 2 : 1));
    }
    case 9:
      return emit([size === 1 ? 0xfe : 0xff], operands(r(2), true, mem, size));
    case 10: {
      const reg = DEST[r(DEST.length)]!;
      return emit([0x0f, 0x40 | r(16)], operands(reg, false, mem, size === 1 ? 4 : size));
    }
    case 11:
      return emit([0x0f, 0x90 | r(16)], operands(0, true, mem, 1));
    case 12: {
      if (size === 1) return [0x48, 0x63, 0xc0 | (DEST[r(3)]! << 3) | r(8)]; // movsxd
      const o = operands([4, 5, 7][r(3)]!, true, mem, size);
      return emit([0xc1], o, [size === 2 ? r(16) : r(70)]);
    }
    case 13:
      return emit(
        [size === 1 ? 0xf6 : 0xf7],
        operands(0, false, mem, size),
        size === 1 ? [r(256)] : immV(),
      );
    case 14: {
      // Not compiled: ROL by imm, BSF, XCHG, PUSHFQ + POP (every RFLAGS bit into a register).
      const which = r(4);
      const reg = DEST[r(DEST.length)]!;
      const sz = size === 1 ? 4 : size;
      if (which === 3) return reg >= 8 ? [0x9c, 0x41, 0x58 | (reg & 7)] : [0x9c, 0x58 | reg];
      if (which === 0) return emit([0xc1], operands(0, true, mem, sz), [r(64)]);
      if (which === 1) return emit([0x0f, 0xbc], operands(reg, false, mem, sz));
      return emit([0x87], operands(reg, true, false, sz));
    }
    case 15: {
      // PUSHFQ ; POP reg: RFLAGS (every bit, AF and PF too) into a compared register.
      const reg = DEST[r(DEST.length)]!;
      return reg >= 8 ? [0x9c, 0x41, 0x58 | (reg & 7)] : [0x9c, 0x58 | reg];
    }
    case 16: {
      // IMUL G, E / G, E, imm8 / G, E, imm (16/32/64-bit)
      const sz = size === 1 ? 4 : size;
      const reg = DEST[r(DEST.length)]!;
      const form = r(3);
      const o = operands(reg, false, mem, sz);
      const pre = sz === 2 ? [0x66] : [];
      const rex = o.rex !== 0 ? [0x40 | o.rex] : [];
      if (form === 0) return [...pre, ...rex, 0x0f, 0xaf, ...o.bytes];
      if (form === 1) return [...pre, ...rex, 0x6b, ...o.bytes, r(256)];
      const imm = sz === 2 ? [r(256), r(256)] : [r(256), r(256), r(256), r(256)];
      return [...pre, ...rex, 0x69, ...o.bytes, ...imm];
    }
    case 17:
      // NOT / NEG E
      return emit([size === 1 ? 0xf6 : 0xf7], operands(2 + r(2), true, mem, size));
    case 18: {
      // SHL/SHR/SAR E, 1 and E, CL (CL may be zero or above the operand width)
      const o = operands([4, 5, 7][r(3)]!, true, mem, size === 1 ? 4 : size);
      const pre = size === 2 ? [0x66] : [];
      const rex = o.rex !== 0 ? [0x40 | o.rex] : [];
      return [...pre, ...rex, r(2) ? 0xd1 : 0xd3, ...o.bytes];
    }
    case 19: {
      // PUSH any ; POP a writable register
      const a = INIT[r(INIT.length)]!;
      const d = DEST[r(DEST.length)]!;
      return [...(a >= 8 ? [0x41] : []), 0x50 | (a & 7), ...(d >= 8 ? [0x41] : []), 0x58 | (d & 7)];
    }
    case 20:
      // call L ; jmp over ; L: ret ; over:
      return [0xe8, 0x02, 0x00, 0x00, 0x00, 0xeb, 0x01, 0xc3];
    case 21:
      // MOV CL, imm8: shift counts of every size, zero and above the operand width included
      return [0xb1, r(80)];
    case 22: {
      // ROL/ROR E, imm8 or 1 (32/64-bit)
      const sz = size === 8 ? 8 : 4;
      const o = operands(r(2), true, mem, sz);
      const rex = o.rex !== 0 ? [0x40 | o.rex] : [];
      const rot = r(2) ? [...rex, 0xc1, ...o.bytes, r(70)] : [...rex, 0xd1, ...o.bytes];
      // Rotates change CF and OF only: look at them right away.
      return r(2) ? [...rot, 0x9c, 0x58 | [0, 1, 2, 5, 6, 7][r(6)]!] : rot;
    }
    case 23: {
      // A GS/FS-relative memory operand (GS base 0x800), PUSH imm + POP, 66 NOP, PREFETCH
      const which = r(4);
      if (which === 0) {
        const reg = DEST[r(DEST.length)]!;
        return [
          r(2) ? 0x65 : 0x64,
          ...emit([size === 1 ? 0x8a : 0x8b], operands(reg, false, true, size)),
        ];
      }
      if (which === 1) {
        const reg = ANY[r(ANY.length)]!;
        return [
          0x65,
          ...emit([(r(8) << 3) | (size === 1 ? 0 : 1)], operands(reg, true, true, size)),
        ];
      }
      if (which === 2)
        return [0x68, r(256), r(256), r(256), r(256), 0x58 | [0, 1, 2, 5, 6, 7][r(6)]!];
      return [
        [0x66, 0x90],
        [0x0f, 0x18, 0x43, r(128)],
        [0xf3, 0x90],
      ][r(3)]!;
    }
    case 24: {
      // DIV r10 or [rbx + d8] (32/64-bit) by a divisor >= 4 with EDX/RDX = 0..3: compiled
      // when RDX = 0 (64-bit) or EDX < divisor, else left to the interpreter; never #DE.
      const w64 = r(2) === 1;
      const d8 = r(0xf8);
      const setup = [0xba, r(4), 0, 0, 0, 0x41, 0xba, r(256) | 4, r(256), r(256), r(128)];
      if (r(2)) return [...setup, w64 ? 0x49 : 0x41, 0xf7, 0xf2];
      const store = [w64 ? 0x4c : 0x44, 0x89, 0x53, d8];
      return [...setup, ...store, ...(w64 ? [0x48] : []), 0xf7, 0x73, d8];
    }
    case 25: {
      // CLI/STI, CBW..CDQE, CWD..CQO, BSWAP, LEAVE, BT/BTS/BTR/BTC by imm8 or register
      const which = r(8);
      const reg = DEST[r(DEST.length)]!;
      const sz = size === 1 ? 4 : size;
      const pre = sz === 2 ? [0x66] : [];
      if (which === 0) return [[0xfa, 0xfb][r(2)]!];
      if (which === 1) return [...pre, ...(sz === 8 ? [0x48] : []), 0x98 + r(2)];
      if (which === 2) {
        const rex = (r(2) ? 8 : 0) | (reg >= 8 ? 1 : 0);
        return [...(rex ? [0x40 | rex] : []), 0x0f, 0xc8 | (reg & 7)];
      }
      // push rbp ; mov rbp, rsp ; push imm8 ; leave   or   MOV E, Sreg (CS and SS differ)
      if (which === 3) {
        if (r(2)) return [0x55, 0x48, 0x89, 0xe5, 0x6a, r(256), 0xc9];
        const o = operands([1, 2][r(2)]!, true, mem, sz);
        return [...pre, ...(o.rex ? [0x40 | o.rex] : []), 0x8c, ...o.bytes];
      }
      if (which === 4) {
        const o = operands(4 + r(4), true, false, sz);
        return [...pre, ...(o.rex ? [0x40 | o.rex] : []), 0x0f, 0xba, ...o.bytes, r(256)];
      }
      if (which === 5) {
        const lock = r(2) ? [0xf0] : [];
        const o = operands(4 + r(4), true, true, sz);
        return [...lock, ...pre, ...(o.rex ? [0x40 | o.rex] : []), 0x0f, 0xba, ...o.bytes, r(256)];
      }
      if (which === 6) {
        // mov reg, offset ; [lock] BT* [mem], reg: the signed bit offset reaches words before
        // and after the addressed one (a few bytes under RBX to a few hundred above).
        const bit = r(2048) - 64;
        const o = operands(reg, true, true, sz);
        const setup = [0x48 | (reg >= 8 ? 1 : 0), 0xc7, 0xc0 | (reg & 7), ...le32(bit)];
        const op2 = [0xa3, 0xab, 0xb3, 0xbb][r(4)]!;
        const lock = op2 !== 0xa3 && r(2) ? [0xf0] : [];
        return [...setup, ...lock, ...pre, ...(o.rex ? [0x40 | o.rex] : []), 0x0f, op2, ...o.bytes];
      }
      const o = operands(ANY[r(ANY.length)]!, true, false, sz);
      const op2 = [0xa3, 0xab, 0xb3, 0xbb][r(4)]!;
      return [...pre, ...(o.rex ? [0x40 | o.rex] : []), 0x0f, op2, ...o.bytes];
    }
    case 26: {
      // CMPXCHG (sometimes after storing the accumulator into E: the equal case), XADD,
      // XCHG E,G and XCHG rAX,r; LOCK on some memory forms
      const which = r(4);
      const reg = DEST[r(DEST.length)]!;
      const o = operands(reg, true, mem, size);
      const lock = mem && r(2) ? [0xf0] : [];
      if (which === 0) {
        const main = [...lock, ...emit([0x0f, size === 1 ? 0xb0 : 0xb1], o)];
        if (r(2) || o.legacy) return main;
        // MOV E, accumulator first (ModRM reg field and REX.R = 0): the compare succeeds.
        const acc = { rex: o.rex & ~4, bytes: [o.bytes[0]! & ~0x38, ...o.bytes.slice(1)] };
        return [...emit([size === 1 ? 0x88 : 0x89], acc), ...main];
      }
      if (which === 1) {
        if (r(3) === 0) {
          // CMPXCHG8B/16B [rbx + d8] (16-byte aligned), half the time after storing the
          // accumulator pair there (the equal case)
          const d = 16 * r(7);
          const wide = r(2) === 1;
          const ins = [...lock, ...(wide ? [0x48] : []), 0x0f, 0xc7, 0x4b, d];
          if (r(2)) return ins;
          const st = wide
            ? [0x48, 0x89, 0x43, d, 0x48, 0x89, 0x53, d + 8]
            : [0x89, 0x43, d, 0x89, 0x53, d + 4];
          return [...st, ...ins];
        }
        return [...lock, ...emit([0x0f, size === 1 ? 0xc0 : 0xc1], o)];
      }
      if (which === 2) return [...lock, ...emit([size === 1 ? 0x86 : 0x87], o)];
      const rex = (size === 8 ? 8 : 0) | (reg >= 8 ? 1 : 0);
      return [...(size === 2 ? [0x66] : []), ...(rex ? [0x40 | rex] : []), 0x90 | (reg & 7)];
    }
    case 27: {
      // JMP/CALL through a register or [rbx + d8] to the next instruction (CALL: to a RET)
      const reg = DEST[r(DEST.length)]!;
      const call = r(2) === 1;
      const viaMem = r(2) === 1;
      const d8 = r(0xf8);
      const rexB = reg >= 8 ? [0x41] : [];
      const branch = viaMem
        ? [0x48, 0x89, 0x43 | ((reg & 7) << 3), d8, 0xff, call ? 0x53 : 0x63, d8]
        : [...rexB, 0xff, (call ? 0xd0 : 0xe0) | (reg & 7)];
      // The mov to memory needs REX.R for r8..r15.
      if (viaMem && reg >= 8) branch[0] = 0x4c;
      // Target: after the branch (JMP), or after a "jmp +1" to a RET (CALL).
      const tail = call ? [0xeb, 0x01, 0xc3] : [];
      const dist = branch.length + (call ? 2 : 0);
      const lea = [reg >= 8 ? 0x4c : 0x48, 0x8d, 0x05 | ((reg & 7) << 3), dist, 0, 0, 0];
      return [...lea, ...branch, ...tail];
    }
    case 28:
      // MUL / IMUL E into rDX:rAX (the byte and word forms are interpreted)
      return emit([size === 1 ? 0xf6 : 0xf7], operands(4 + r(2), true, mem, size));
    case 29: {
      // SHLD / SHRD E, G by imm8 (any value: masked, zero, above the width) or CL; now and
      // then LFENCE/MFENCE/SFENCE instead
      if (r(6) === 0) return [0x0f, 0xae, 0xc0 | ((5 + r(3)) << 3) | r(8)];
      const sz = size === 1 ? 4 : size;
      const o = operands(ANY[r(ANY.length)]!, true, mem, sz);
      const pre = sz === 2 ? [0x66] : [];
      const rex = o.rex !== 0 ? [0x40 | o.rex] : [];
      const op2 = [0xa4, 0xa5, 0xac, 0xad][r(4)]!;
      return [...pre, ...rex, 0x0f, op2, ...o.bytes, ...(op2 & 1 ? [] : [r(256)])];
    }
    default:
      return [0x90];
  }
}

/** A loop of `n` random instructions (with forward Jcc skips), run `iters` times, then HLT. */
function program(seed: number, n: number, iters: number, kinds?: readonly number[]): number[] {
  const r = rng(seed);
  const code: number[] = [];
  const init: number[] = [];
  for (const reg of INIT) {
    const rex = 0x48 | (reg >= 8 ? 1 : 0);
    let v: number[];
    if (reg === 3)
      v = [0x00, 0x00, 0x20, 0, 0, 0, 0, 0]; // RBX = DATA
    else if (reg === 14) v = [r(32), 0, 0, 0, 0, 0, 0, 0];
    else if (reg === 15) v = [iters & 0xff, iters >> 8, 0, 0, 0, 0, 0, 0];
    else if (reg === 4)
      v = [0, 0, 0x30, 0, 0, 0, 0, 0]; // RSP: a stack page
    else v = Array.from({ length: 8 }, () => r(256));
    init.push(rex, 0xb8 | (reg & 7), ...v);
  }
  const loopStart = CODE + init.length;
  for (let k = 0; k < n; k++) {
    let insn = randomInsn(r, kinds);
    if (r(8) === 0) {
      // A forward conditional skip over the next instruction.
      const next = randomInsn(r, kinds);
      insn = [0x70 | r(16), next.length, ...next];
    }
    // Resolve a RIP-relative placeholder to an address in the data page.
    const at = insn.indexOf(0xaa);
    if (at >= 0 && insn[at + 1] === 0xaa) {
      const end = CODE + init.length + code.length + insn.length;
      const disp = DATA + r(0xf0) - end;
      insn.splice(
        at,
        4,
        disp & 0xff,
        (disp >> 8) & 0xff,
        (disp >> 16) & 0xff,
        (disp >>> 24) & 0xff,
      );
    }
    code.push(...insn);
  }
  // dec r15 ; jnz loop ; hlt
  code.push(0x49, 0xff, 0xcf);
  const rel = loopStart - (CODE + init.length + code.length + 6);
  code.push(
    0x0f,
    0x85,
    rel & 0xff,
    (rel >> 8) & 0xff,
    (rel >> 16) & 0xff,
    (rel >>> 24) & 0xff,
    0xf4,
  );
  return [...init, ...code];
}

function runToHalt(cpu: X86Cpu): string {
  for (let k = 0; k < 1000; k++) {
    const r = cpu.run(1000);
    if (r !== "budget") return r;
  }
  return "limit";
}

function snapshot(cpu: X86Cpu, ram: Uint8Array) {
  return {
    rip: cpu.rip,
    flags: cpu.flags,
    icount: cpu.icount,
    rlo: [...cpu.rlo],
    rhi: [...cpu.rhi],
    data: [...ram.subarray(DATA, DATA + 0x2000)],
  };
}

/**
 * Runs `bytes` from CODE to HLT with and without the JIT, DATA's first `dataLen` bytes set to
 * k * step + seed, and returns both end states and how much the JIT compiled and retired.
 */
function runBothWays(
  bytes: readonly number[],
  seed: number,
  dataLen: number,
  step: number,
  setup?: (cpu: X86Cpu) => void,
) {
  let compiled = 0;
  let retired = 0;
  const [jit, interp] = [true, false].map((on) => {
    const m = machine(on);
    m.ram.set(bytes, CODE);
    for (let k = 0; k < dataLen; k++) m.ram[DATA + k] = (k * step + seed) & 0xff;
    m.cpu.setReg("rip", BigInt(CODE));
    setup?.(m.cpu);
    const exit = runToHalt(m.cpu);
    compiled += m.cpu.jit?.compiled ?? 0;
    retired += m.cpu.jit?.retired ?? 0;
    return { exit, ...snapshot(m.cpu, m.ram) };
  });
  return { jit, interp, compiled, retired };
}

/** mov r64, imm (a value below 2^32) as bytes. */
function movImm(reg: number, v: number): number[] {
  return [0x48 | (reg >= 8 ? 1 : 0), 0xb8 | (reg & 7), ...le32(v), 0, 0, 0, 0];
}

function le32(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
}

/**
 * A loop of REP STOS/MOVS of every element size over the two data pages (any alignment,
 * elements crossing the page boundary, overlapping copies both ways, RCX = 0, DF = 1 now
 * and then), each followed by ALU work on RCX/RDI/RSI so their results are used.
 */
function repProgram(seed: number, n: number, iters: number): number[] {
  const r = rng(seed);
  const code: number[] = [...movImm(15, iters), ...movImm(0, r(0xffffffff))];
  const loopStart = CODE + code.length;
  for (let k = 0; k < n; k++) {
    const movs = r(2) === 0;
    const size = [1, 2, 4, 8][r(4)]!;
    const count = r(6) === 0 ? 0 : r(3) === 0 ? r(1200) : r(40);
    const dst = DATA + r(0x2000 - Math.min(count * size, 0x1ff8) - 8);
    code.push(...movImm(7, dst), ...movImm(1, count));
    if (movs) {
      // Source near the destination (overlap forwards or backwards) or anywhere.
      const near = dst + r(64) - 32;
      const src = r(2) === 0 ? near : DATA + r(0x2000 - Math.min(count * size, 0x1ff8) - 8);
      code.push(...movImm(6, Math.max(DATA, Math.min(src, DATA + 0x2000 - count * size - 8))));
    }
    const backwards = r(10) === 0;
    if (backwards) {
      // DF = 1 walks down from the end of the range.
      code.push(0xfd, 0x48, 0x81, 0xc7, ...le32(count * size));
      if (movs) code.push(0x48, 0x81, 0xc6, ...le32(count * size));
    }
    const pre = size === 2 ? [0x66] : [];
    const rex = size === 8 ? [0x48] : [];
    const op = (movs ? 0xa4 : 0xaa) | (size === 1 ? 0 : 1);
    code.push(...pre, 0xf3, ...rex, op);
    if (backwards) code.push(0xfc);
    // add rax, rdi ; xor rax, rcx ; add eax, esi
    code.push(0x48, 0x01, 0xf8, 0x48, 0x31, 0xc8, 0x01, 0xf0);
  }
  code.push(0x49, 0xff, 0xcf);
  const rel = loopStart - (CODE + code.length + 6);
  code.push(0x0f, 0x85, ...le32(rel), 0xf4);
  return code;
}

describe("x86-64 JIT", () => {
  // The test programs are short: compile their regions after a few entries.
  // Compiles are synchronous (a region runs compiled from its hot entry on) except where a
  // test says otherwise.
  const hot = X86Jit.hotThreshold;
  const offThread = X86Jit.offThread;
  beforeAll(() => {
    X86Jit.hotThreshold = 8;
    X86Jit.offThread = false;
  });
  afterAll(() => {
    X86Jit.hotThreshold = hot;
    X86Jit.offThread = offThread;
  });

  it("gives the interpreter's results on random integer code (registers, RFLAGS, memory, counts)", () => {
    let compiled = 0;
    let jitRetired = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const bytes = program(seed * 7919, 12, 100);
      const r = runBothWays(bytes, seed, 0x1000, 37, (cpu) => {
        cpu.segBase[5] = 0x800;
      });
      compiled += r.compiled;
      jitRetired += r.retired;
      expect(r.jit, `seed ${seed * 7919}`).toEqual(r.interp);
    }
    // Most of the work ran compiled (not only the interpreter compared with itself).
    expect(compiled).toBeGreaterThan(50);
    expect(jitRetired).toBeGreaterThan(30_000);
  });

  it("gives the interpreter's results on the system, bit, exchange and indirect-branch classes", () => {
    // Mostly the classes of kinds 25-27 (with ALU ops, MOVs and PUSHF to vary and show state).
    const kinds = [25, 25, 26, 26, 27, 0, 2, 4, 15];
    let jitRetired = 0;
    for (let seed = 1; seed <= 50; seed++) {
      const bytes = program(seed * 104729, 16, 60, kinds);
      const r = runBothWays(bytes, seed, 0x1000, 53);
      jitRetired += r.retired;
      expect(r.jit, `seed ${seed * 104729}`).toEqual(r.interp);
    }
    expect(jitRetired).toBeGreaterThan(30_000);
  });

  it("gives the interpreter's results on MUL/IMUL rDX:rAX, SHLD/SHRD and the fences", () => {
    // The one-operand multiplies and double shifts, with ALU ops (flags to fold) and PUSHF.
    const kinds = [28, 28, 29, 29, 0, 2, 18, 15];
    let jitRetired = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const bytes = program(seed * 15485863, 16, 60, kinds);
      const r = runBothWays(bytes, seed, 0x1000, 91);
      jitRetired += r.retired;
      expect(r.jit, `seed ${seed * 15485863}`).toEqual(r.interp);
    }
    expect(jitRetired).toBeGreaterThan(20_000);
  });

  it("sign-extends through CWD/CDQ/CQO and CBW/CWDE/CDQE compiled as interpreted", () => {
    // rax = 0x00000000_80008000 (bits 15 and 31 set, 63 clear), then rotated by 16 each pass:
    // l: cqo ; mov [rbx], rdx ; cdq ; mov [rbx+8], rdx ; o16 cwd ; mov [rbx+16], rdx ;
    //    cdqe ; mov [rbx+24], rax ; cwde ; o16 cbw ; mov [rbx+32], rax ; rol rcx, 16 ;
    //    mov rax, rcx ; add rbx, 40 ; dec r15 ; jnz l ; hlt
    const body = [
      [0x48, 0x99],
      [0x48, 0x89, 0x13],
      [0x99],
      [0x48, 0x89, 0x53, 0x08],
      [0x66, 0x99],
      [0x48, 0x89, 0x53, 0x10],
      [0x48, 0x98],
      [0x48, 0x89, 0x43, 0x18],
      [0x98],
      [0x66, 0x98],
      [0x48, 0x89, 0x43, 0x20],
      [0x48, 0xc1, 0xc1, 0x10],
      [0x48, 0x89, 0xc8],
      [0x48, 0x83, 0xc3, 0x28],
      [0x49, 0xff, 0xcf],
    ].flat();
    const init = [
      [0xbb, 0x00, 0x00, 0x20, 0x00], // mov ebx, DATA
      [0x48, 0xb9, 0x00, 0x80, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00], // mov rcx, 0x80008000
      [0x48, 0x89, 0xc8], // mov rax, rcx
      [0x41, 0xbf, 0x40, 0, 0, 0], // mov r15d, 64
    ].flat();
    const rel = -(body.length + 6);
    const code = [...init, ...body, 0x0f, 0x85, rel & 0xff, (rel >> 8) & 0xff, 0xff, 0xff, 0xf4];
    const results = [true, false].map((jit) => {
      const m = machine(jit);
      m.ram.set(code, CODE);
      m.cpu.setReg("rip", BigInt(CODE));
      expect(runToHalt(m.cpu)).toBe("hlt");
      return { retired: m.cpu.jit?.retired ?? 0, ...snapshot(m.cpu, m.ram) };
    });
    expect(results[0]!.retired).toBeGreaterThan(500);
    expect({ ...results[0], retired: 0 }).toEqual({ ...results[1], retired: 0 });
  });

  it("compiles a block at its hotThreshold-th entry, entered from the interpreter and from compiled code", () => {
    // A loop calling T (on the next page: its own region) every 4th iteration: T's first
    // entries come from the interpreter, the later ones from the compiled loop (a chain
    // miss), and the lukewarm filter in front of the JIT must count both kinds once.
    const T = CODE + 0x1000;
    for (const entries of [X86Jit.hotThreshold - 1, X86Jit.hotThreshold]) {
      const m = machine(true);
      // mov ecx, 4 * entries; L: test ecx, 3; jnz S; call T; S: dec ecx; jnz L; hlt / T: ret
      m.ram.set(
        [
          ...[0xb9, ...le32(4 * entries)],
          ...[0xf7, 0xc1, 3, 0, 0, 0, 0x75, 0x05],
          ...[0xe8, ...le32(T - (CODE + 18))],
          ...[0xff, 0xc9, 0x75, 0xef, 0xf4],
        ],
        CODE,
      );
      m.ram[T] = 0xc3;
      m.cpu.setReg("rip", BigInt(CODE));
      m.cpu.setReg("rsp", BigInt(DATA + 0x1000));
      expect(runToHalt(m.cpu)).toBe("hlt");
      expect(m.cpu.jit!.compiledAt(CODE + 18), `loop, ${entries} entries`).toBe(true);
      expect(m.cpu.jit!.compiledAt(T), `T, ${entries} entries`).toBe(
        entries >= X86Jit.hotThreshold,
      );
    }
  });

  it("drops a region compiled off-thread when its code page is written before it arrives", () => {
    // mov ecx, 1000; L: add eax, 1; dec ecx; jnz L; hlt. While L's module compiles, a DMA
    // write turns the add's immediate into 3: the module made from the old bytes must never
    // run, and the registers end as the interpreter leaves them with the same write.
    const code = [0xb9, ...le32(1000), 0x83, 0xc0, 0x01, 0xff, 0xc9, 0x75, 0xf9, 0xf4];
    const IMM = CODE + 7;
    const jitMachine = offThreadMachine();
    const j = jitMachine.cpu.jit!;
    jitMachine.ram.set(code, CODE);
    jitMachine.cpu.setReg("rip", BigInt(CODE));
    for (let k = 0; k < 1000 && j.pendingCompiles === 0; k++) jitMachine.cpu.run(1);
    expect(j.pendingCompiles).toBe(1);
    const at = jitMachine.cpu.icount;
    jitMachine.ram[IMM] = 3;
    jitMachine.cpu.notifyExternalWrite(IMM, 1);
    j.finishCompiles();
    expect(j.dropped).toBe(1);
    expect(j.compiled).toBe(0);
    expect(runToHalt(jitMachine.cpu)).toBe("hlt");

    const ref = machine(false);
    ref.ram.set(code, CODE);
    ref.cpu.setReg("rip", BigInt(CODE));
    expect(ref.cpu.run(at)).toBe("budget");
    ref.ram[IMM] = 3;
    ref.cpu.notifyExternalWrite(IMM, 1);
    expect(runToHalt(ref.cpu)).toBe("hlt");
    expect(snapshot(jitMachine.cpu, jitMachine.ram)).toEqual(snapshot(ref.cpu, ref.ram));
    // The loop ran 3 per iteration after the write, not 1 from the stale module.
    expect(ref.cpu.rlo[0]).toBeGreaterThan(2000);
  });

  it("gives the interpreter's results with regions compiled off-thread (they arrive while the guest runs)", () => {
    const bytes = program(4242, 12, 3000);
    const m = offThreadMachine();
    const results = [m, machine(false)].map((mm) => {
      mm.ram.set(bytes, CODE);
      for (let k = 0; k < 0x1000; k++) mm.ram[DATA + k] = (k * 37) & 0xff;
      mm.cpu.setReg("rip", BigInt(CODE));
      return { exit: runToHalt(mm.cpu), ...snapshot(mm.cpu, mm.ram) };
    });
    expect(results[0]).toEqual(results[1]);
    const j = m.cpu.jit!;
    expect(j.compiled + j.pendingCompiles + j.dropped).toBeGreaterThan(0);
  });

  it("runs the 64-bit ALU/memory loop compiled, with exact counts", () => {
    const m = machine(true);
    // mov ecx, 1000 ; l: add rax, rcx ; mov [rbx], rax ; mov rsi, [rbx] ; dec rcx ; jnz l ; hlt
    m.ram.set([0xbb, 0x00, 0x00, 0x20, 0x00, 0xb9, 0xe8, 0x03, 0, 0], CODE);
    m.ram.set(
      [0x48, 0x01, 0xc8, 0x48, 0x89, 0x03, 0x48, 0x8b, 0x33, 0x48, 0xff, 0xc9, 0x75, 0xf2, 0xf4],
      CODE + 10,
    );
    m.cpu.setReg("rip", BigInt(CODE));
    expect(runToHalt(m.cpu)).toBe("hlt");
    expect(m.cpu.getReg("rax")).toBe(500500n);
    expect(m.cpu.getReg("rsi")).toBe(500500n);
    expect(m.cpu.icount).toBe(2 + 5 * 1000 + 1);
    expect(m.cpu.jit!.compiled).toBe(1);
  });

  it("refills the TLB from compiled code: a loop over 200 pages never leaves to the interpreter", () => {
    const m = machine(true);
    // mov ebx, DATA ; mov ecx, 200 ; l: add [rbx], ecx ; mov rax, [rbx + 8] ; add rbx, 4096 ;
    // dec ecx ; jnz l ; hlt   (200 new pages: each is a TLB miss for the read and write sets)
    m.ram.set([0xbb, 0x00, 0x00, 0x20, 0x00, 0xb9, 0xc8, 0x00, 0x00, 0x00], CODE);
    m.ram.set(
      [0x01, 0x0b, 0x48, 0x8b, 0x43, 0x08, 0x48, 0x81, 0xc3, 0x00, 0x10, 0x00, 0x00],
      CODE + 10,
    );
    m.ram.set([0xff, 0xc9, 0x75, 0xef, 0xf4], CODE + 23);
    m.cpu.setReg("rip", BigInt(CODE));
    expect(runToHalt(m.cpu)).toBe("hlt");
    expect(m.cpu.icount).toBe(2 + 5 * 200 + 1);
    const view = new DataView(m.ram.buffer, m.ram.byteOffset);
    for (let k = 0; k < 200; k++) expect(view.getUint32(DATA + k * 4096, true)).toBe(200 - k);
    // After the first entries (interpreted while the region gets hot), every miss is refilled.
    expect(m.cpu.jit!.filled).toBeGreaterThan(2 * (200 - 10));
    expect(m.cpu.jit!.retired).toBeGreaterThan(5 * (200 - 10));
  });

  it("translates each access on its own page: one base register over pages mapped apart", () => {
    const L = 0x40000000;
    // Linear pages L + 0..3 on physical DATA + 3, 0, 2, 1 pages: a translation reused for the
    // next page lands on the wrong physical page.
    const phys = [3, 0, 2, 1].map((p) => DATA + p * 4096);
    const runs = [true, false].map((jit) => {
      const m = machine(jit);
      const dv = new DataView(m.ram.buffer, m.ram.byteOffset, m.ram.byteLength);
      dv.setUint32(0x11008, 0x12003, true);
      dv.setUint32(0x12000, 0x13003, true);
      for (const [k, pa] of phys.entries()) dv.setUint32(0x13000 + k * 8, pa | 3, true);
      dv.setUint32(phys[3]!, 5, true);
      dv.setUint32(phys[0]! + 8, 7, true);
      // mov rbx, L ; mov ecx, 300 ; l: mov [rbx+0xff8], rcx ; mov [rbx+0x1000], rcx ;
      // add [rbx+0x2ff8], rcx ; mov rax, [rbx+0x3000] ; add rax, [rbx+8] ; mov [rbx+0x10], rax ;
      // dec ecx ; jnz l ; hlt
      m.ram.set([0x48, 0xc7, 0xc3, ...le32(L), 0xb9, ...le32(300)], CODE);
      const loop = [
        ...[0x48, 0x89, 0x8b, ...le32(0xff8)],
        ...[0x48, 0x89, 0x8b, ...le32(0x1000)],
        ...[0x48, 0x01, 0x8b, ...le32(0x2ff8)],
        ...[0x48, 0x8b, 0x83, ...le32(0x3000)],
        ...[0x48, 0x03, 0x43, 0x08],
        ...[0x48, 0x89, 0x43, 0x10],
        ...[0xff, 0xc9],
      ];
      m.ram.set([...loop, 0x75, -(loop.length + 2) & 0xff, 0xf4], CODE + 12);
      m.cpu.setReg("rip", BigInt(CODE));
      const exit = runToHalt(m.cpu);
      const at = (k: number, off: number) => dv.getUint32(phys[k]! + off, true);
      return {
        exit,
        icount: m.cpu.icount,
        words: [at(0, 0xff8), at(1, 0), at(2, 0xff8), at(0, 0x10), at(3, 0)],
        rax: m.cpu.getReg("rax"),
        retired: m.cpu.jit?.retired ?? 0,
      };
    });
    expect(runs[0]!.retired).toBeGreaterThan(7 * 250);
    expect(runs[0]!.words).toEqual([1, 1, 45150, 12, 5]);
    expect({ ...runs[0], retired: 0 }).toEqual({ ...runs[1], retired: 0 });
  });

  it("keeps STI's interrupt shadow when STI runs compiled: the interrupt comes one instruction later", () => {
    const results = [true, false].map((jit) => {
      const m = machine(jit);
      const dv = new DataView(m.ram.buffer, m.ram.byteOffset);
      // GDT entries 1, 2: 64-bit code, data (IRETQ reloads CS, SS); IDT vector 0x20 -> 0x2000.
      dv.setBigUint64(8, 0x00af9b000000ffffn, true);
      dv.setBigUint64(16, 0x00cf93000000ffffn, true);
      m.cpu.idtBase = 0x3000;
      dv.setUint32(0x3200, 0x2000 | (8 << 16), true);
      dv.setUint32(0x3204, 0x8e00, true);
      // handler: mov r10, r11 ; inc r8 ; iretq
      m.ram.set([0x4d, 0x89, 0xda, 0x49, 0xff, 0xc0, 0x48, 0xcf], 0x2000);
      // mov ecx, 100 ; l: cli ; sti ; inc r11 ; cli ; dec ecx ; jnz l ; hlt
      m.ram.set([0xb9, 0x64, 0, 0, 0, 0xfa, 0xfb, 0x49, 0xff, 0xc3, 0xfa, 0xff, 0xc9], CODE);
      m.ram.set([0x75, 0xf6, 0xf4], CODE + 13);
      let armed = true;
      m.cpu.lapic = {
        hasInterrupt: () => armed && m.cpu.icount > 300,
        acknowledge: () => {
          armed = false;
          return 0x20;
        },
      };
      m.cpu.setReg("rsp", 0x8000n);
      m.cpu.setReg("rip", BigInt(CODE));
      expect(runToHalt(m.cpu)).toBe("hlt");
      return {
        r8: m.cpu.getReg("r8"),
        r10: m.cpu.getReg("r10"),
        icount: m.cpu.icount,
        retired: m.cpu.jit?.retired ?? 0,
      };
    });
    expect(results[0]!.retired).toBeGreaterThan(200);
    expect(results[0]!.r8).toBe(1n);
    // The handler saw the INC after STI done, in the same iteration as the interpreter's.
    expect({ ...results[0], retired: 0 }).toEqual({ ...results[1], retired: 0 });
  });

  it("chains regions through RET and indirect CALL in wasm, with the interpreter's state at every budget end", () => {
    // mov r15d, n ; l: call f ; mov edx, 0x4000 ; call rdx ; dec r15 ; jnz l ; hlt
    // f (0x3000): add rax, r15 ; ret     g (0x4000): xor rax, 0x5a5a ; add rbx, rax ; ret
    const load = (m: ReturnType<typeof machine>, n: number) => {
      const main = [0x41, 0xbf, ...le32(n)];
      const l = CODE + main.length;
      main.push(0xe8, ...le32(0x3000 - (l + 5)), 0xba, ...le32(0x4000), 0xff, 0xd2);
      main.push(0x49, 0xff, 0xcf);
      main.push(0x0f, 0x85, ...le32(l - (CODE + main.length + 6)), 0xf4);
      m.ram.set(main, CODE);
      m.ram.set([0x4c, 0x01, 0xf8, 0xc3], 0x3000);
      m.ram.set([0x48, 0x35, 0x5a, 0x5a, 0, 0, 0x48, 0x01, 0xc3, 0xc3], 0x4000);
      m.cpu.setReg("rsp", 0x8000n);
      m.cpu.setReg("rip", BigInt(CODE));
    };
    // Budgets that end inside chains at many different points, and a large one.
    for (const chunk of [7, 13, 333, 1000]) {
      const n = chunk === 1000 ? 3000 : 150;
      const on = machine(true);
      const off = machine(false);
      load(on, n);
      load(off, n);
      let r = "budget";
      while (r === "budget") {
        r = on.cpu.run(chunk);
        expect(off.cpu.run(chunk)).toBe(r);
        expect(on.cpu.rip).toBe(off.cpu.rip);
        expect(on.cpu.icount).toBe(off.cpu.icount);
        expect([...on.cpu.rlo, ...on.cpu.rhi, on.cpu.flags]).toEqual([
          ...off.cpu.rlo,
          ...off.cpu.rhi,
          off.cpu.flags,
        ]);
      }
      expect(r).toBe("hlt");
      expect(on.cpu.icount).toBe(1 + n * 10 + 1);
      expect([...on.ram.subarray(0x7f00, 0x8000)]).toEqual([...off.ram.subarray(0x7f00, 0x8000)]);
      const jit = on.cpu.jit!;
      // Each iteration crosses three region boundaries (two RETs, the indirect CALL): with
      // chaining most of them stay inside the dispatcher.
      if (chunk === 1000) {
        expect(jit.retired).toBeGreaterThan(n * 10 * 0.9);
        expect(jit.entries).toBeLessThan(n);
      }
    }
  });

  it("never chains into stale code: a store patching a chained region is seen at the next call", () => {
    // mov r15d, 200 ; l: test r15b, 63 ; jnz s ; mov [0x4102], r15b ; s: mov edx, 0x4100 ;
    // call rdx ; dec r15 ; jnz l ; hlt      g (0x4100): add eax, imm8 ; ret
    const main = [0x41, 0xbf, ...le32(200)];
    const l = CODE + main.length;
    main.push(0x41, 0xf6, 0xc7, 0x3f, 0x75, 0x08, 0x44, 0x88, 0x3c, 0x25, ...le32(0x4102));
    main.push(0xba, ...le32(0x4100), 0xff, 0xd2);
    main.push(0x49, 0xff, 0xcf);
    main.push(0x0f, 0x85, ...le32(l - (CODE + main.length + 6)), 0xf4);
    const results = [true, false].map((jit) => {
      const m = machine(jit);
      m.ram.set(main, CODE);
      m.ram.set([0x83, 0xc0, 0x01, 0xc3], 0x4100);
      m.cpu.setReg("rsp", 0x8000n);
      m.cpu.setReg("rip", BigInt(CODE));
      const why = runToHalt(m.cpu);
      expect(why).toBe("hlt");
      return { rax: m.cpu.getReg("rax"), icount: m.cpu.icount, compiled: m.cpu.jit?.compiled };
    });
    // The immediate is 1 until r15 = 192, then 192 (as imm8: -64), 128 (-128), 64.
    let want = 0;
    let imm = 1;
    for (let k = 200; k >= 1; k--) {
      if ((k & 63) === 0) imm = (k << 24) >> 24;
      want = (want + imm) | 0;
    }
    expect(results[0]!.rax).toBe(BigInt(want >>> 0));
    expect(results[0]!.icount).toBe(results[1]!.icount);
    expect(results[0]!.rax).toBe(results[1]!.rax);
    // g was compiled again after each patch (it became hot again in between).
    expect(results[0]!.compiled).toBeGreaterThanOrEqual(4);
  });

  it("takes an interrupt while regions chain: within one JIT slice of the line rising", () => {
    const m = machine(true);
    const dv = new DataView(m.ram.buffer, m.ram.byteOffset);
    dv.setBigUint64(8, 0x00af9b000000ffffn, true);
    dv.setBigUint64(16, 0x00cf93000000ffffn, true);
    m.cpu.idtBase = 0x3000;
    dv.setUint32(0x3200, 0x2000 | (8 << 16), true);
    dv.setUint32(0x3204, 0x8e00, true);
    // handler: inc r8 ; iretq
    m.ram.set([0x49, 0xff, 0xc0, 0x48, 0xcf], 0x2000);
    // sti ; mov r15d, 20000 ; l: mov edx, 0x5000 ; call rdx ; dec r15 ; jnz l ; hlt
    // g (0x5000): add rax, r15 ; ret
    const main = [0xfb, 0x41, 0xbf, ...le32(20000)];
    const l = CODE + main.length;
    main.push(0xba, ...le32(0x5000), 0xff, 0xd2);
    main.push(0x49, 0xff, 0xcf);
    main.push(0x0f, 0x85, ...le32(l - (CODE + main.length + 6)), 0xf4);
    m.ram.set(main, CODE);
    m.ram.set([0x4c, 0x01, 0xf8, 0xc3], 0x5000);
    let raisedAt = -1;
    let takenAt = -1;
    m.cpu.lapic = {
      hasInterrupt: () => {
        if (takenAt >= 0 || m.cpu.icount < 30000) return false;
        if (raisedAt < 0) raisedAt = m.cpu.icount;
        return true;
      },
      acknowledge: () => {
        takenAt = m.cpu.icount;
        return 0x20;
      },
    };
    m.cpu.setReg("rsp", 0x8000n);
    m.cpu.setReg("rip", BigInt(CODE));
    expect(m.cpu.run(200_000)).toBe("hlt");
    expect(m.cpu.getReg("r8")).toBe(1n);
    expect(m.cpu.getReg("rax")).toBe(BigInt((20000 * 20001) / 2));
    expect(takenAt).toBeGreaterThanOrEqual(30000);
    expect(takenAt - 30000).toBeLessThanOrEqual(4096 + 64);
    expect(m.cpu.jit!.entries).toBeLessThan(20000);
  });

  it("sees a store into a compiled block's page and runs the new code", () => {
    const m = machine(true);
    // l: add eax, 1 ; dec ecx ; jnz l ; hlt -- run hot, then patch the immediate and rerun.
    const loop = [0x83, 0xc0, 0x01, 0xff, 0xc9, 0x75, 0xf9, 0xf4];
    m.ram.set(loop, CODE);
    m.cpu.setReg("rcx", 100n);
    m.cpu.setReg("rip", BigInt(CODE));
    expect(runToHalt(m.cpu)).toBe("hlt");
    expect(m.cpu.getReg("rax")).toBe(100n);
    expect(m.cpu.jit!.compiled).toBe(1);
    // The guest patches its own code: mov byte [CODE + 2], 5 ; jmp CODE
    m.ram.set(
      [0xc6, 0x04, 0x25, 0x02, 0x10, 0x00, 0x00, 0x05, 0xe9, 0xf3, 0xef, 0xff, 0xff],
      0x2000,
    );
    m.cpu.halted = false;
    m.cpu.setReg("rcx", 100n);
    m.cpu.setReg("rip", 0x2000n);
    expect(runToHalt(m.cpu)).toBe("hlt");
    expect(m.cpu.getReg("rax")).toBe(600n);
  });

  it("sees DMA into a compiled block's page (notifyExternalWrite)", () => {
    const m = machine(true);
    m.ram.set([0x83, 0xc0, 0x01, 0xff, 0xc9, 0x75, 0xf9, 0xf4], CODE);
    m.cpu.setReg("rcx", 100n);
    m.cpu.setReg("rip", BigInt(CODE));
    runToHalt(m.cpu);
    m.ram[CODE + 2] = 3;
    m.cpu.notifyExternalWrite(CODE + 2, 1);
    m.cpu.halted = false;
    m.cpu.setReg("rcx", 100n);
    m.cpu.setReg("rip", BigInt(CODE));
    runToHalt(m.cpu);
    expect(m.cpu.getReg("rax")).toBe(400n);
  });

  it("gives the interpreter's results on REP STOS/MOVS (sizes, overlaps, DF, budget ends)", () => {
    let jitRetired = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const bytes = repProgram(seed * 2654435761, 10, 40);
      const r = runBothWays(bytes, seed, 0x2000, 29);
      jitRetired += r.retired;
      expect(r.jit, `seed ${seed * 2654435761}`).toEqual(r.interp);
    }
    // The elements ran compiled (each counts as an instruction), not in the interpreter.
    expect(jitRetired).toBeGreaterThan(200_000);
  });

  it("leaves a REP STOS that faults midway to the interpreter: progress and #PF as without the JIT", () => {
    const runs = [true, false].map((jit) => {
      const m = machine(jit);
      const dv = new DataView(m.ram.buffer, m.ram.byteOffset, m.ram.byteLength);
      // 2 MiB pages: 0-4 MiB mapped, 4-6 MiB not present.
      dv.setUint32(0x11000, 0x12003, true);
      dv.setUint32(0x12000, 0x83, true);
      dv.setUint32(0x12008, 0x200083, true);
      dv.setUint32(0x5008, 0, true);
      dv.setUint32(0x500c, 0x00209a00, true);
      m.cpu.gdtBase = 0x5000;
      m.cpu.gdtLimit = 0xff;
      const gate = 0x3000 + 14 * 16;
      dv.setUint16(gate, 0x4000, true);
      dv.setUint16(gate + 2, 8, true);
      dv.setUint16(gate + 4, 0x8e00, true);
      m.cpu.idtBase = 0x3000;
      m.cpu.idtLimit = 0xfff;
      m.ram[0x4000] = 0xf4;
      m.cpu.setReg("rsp", 0x8000n);
      // 20 passes of 300 qwords from 0x3fd000, each 8 bytes further on (compiled from the
      // 9th), then a REP STOSQ from there that runs into the hole at 4 MiB: #PF with RCX and
      // RDI at the faulting element.
      // l: mov rcx, 300 ; rep stosq ; sub rdi, 300 * 8 - 8 ; dec r15 ; jnz l
      //    mov rcx, 0x10000 ; rep stosq ; hlt
      const code = [
        ...movImm(15, 20),
        ...movImm(7, 0x3fd000),
        ...movImm(0, 0x5a5a5a5a),
        ...movImm(1, 300),
        0xf3,
        0x48,
        0xab,
        0x48,
        0x81,
        0xef,
        ...le32(300 * 8 - 8),
        0x49,
        0xff,
        0xcf,
        0x75,
        0x100 - 25,
        ...movImm(1, 0x10000),
        0xf3,
        0x48,
        0xab,
        0xf4,
      ];
      m.ram.set(code, CODE);
      m.cpu.setReg("rip", BigInt(CODE));
      const exit = runToHalt(m.cpu);
      return {
        exit,
        cr2: m.cpu.cr2,
        rcx: m.cpu.getReg("rcx"),
        rdi: m.cpu.getReg("rdi"),
        icount: m.cpu.icount,
        compiled: (m.cpu.jit?.retired ?? 0) > 0,
        mem: [...m.ram.subarray(0x3fc000, 0x400000)],
      };
    });
    expect(runs[0]!.compiled).toBe(true);
    expect(runs[0]!.exit).toBe("hlt");
    expect(runs[0]!.cr2).toBe(0x400000);
    expect({ ...runs[0], compiled: false }).toEqual(runs[1]);
  });

  it("leaves faults to the interpreter: a #PF inside a hot loop is delivered as without the JIT", () => {
    const runs = [true, false].map((jit) => {
      const m = machine(jit);
      // GDT at 0x5000 (entry 1: 64-bit code), IDT at 0x3000 with a #PF handler at 0x4000: hlt.
      const dv = new DataView(m.ram.buffer, m.ram.byteOffset, m.ram.byteLength);
      dv.setUint32(0x5008, 0, true);
      dv.setUint32(0x500c, 0x00209a00, true);
      m.cpu.gdtBase = 0x5000;
      m.cpu.gdtLimit = 0xff;
      const gate = 0x3000 + 14 * 16;
      dv.setUint16(gate, 0x4000, true);
      dv.setUint16(gate + 2, 8, true);
      dv.setUint16(gate + 4, 0x8e00, true);
      m.cpu.idtBase = 0x3000;
      m.cpu.idtLimit = 0xfff;
      m.ram[0x4000] = 0xf4;
      m.cpu.setReg("rsp", 0x8000n);
      // Loads walk up to the end of the 1 GiB page (open bus beyond RAM), then fault at 1 GiB.
      m.cpu.setReg("rbx", BigInt(0x40000000 - 8 * 200));
      // l: mov rax, [rbx] ; add rbx, 8 ; jmp l
      m.ram.set([0x48, 0x8b, 0x03, 0x48, 0x83, 0xc3, 0x08, 0xeb, 0xf7], CODE);
      m.cpu.setReg("rip", BigInt(CODE));
      const exit = runToHalt(m.cpu);
      return {
        exit,
        cr2: m.cpu.cr2,
        pushedRip: dv.getUint32(0x8000 - 40, true),
        rax: m.cpu.getReg("rax"),
        compiled: (m.cpu.jit?.compiled ?? 0) > 0,
        ...snapshot(m.cpu, m.ram),
      };
    });
    expect(runs[0]!.compiled).toBe(true);
    expect(runs[0]!.exit).toBe("hlt");
    expect(runs[0]!.cr2).toBe(0x40000000);
    expect(runs[0]!.pushedRip).toBe(CODE);
    expect({ ...runs[0], compiled: false }).toEqual(runs[1]);
  });

  it("is off with jit: false (or AXVISOR_JIT=0) and with RAM that is not wasm memory", () => {
    expect(machine(false).cpu.jit).toBeUndefined();
    const ram = new Uint8Array(1 << 20);
    const cpu = new X86Cpu({
      cpuId: 0,
      apicId: 0,
      bus: { ram, ramBase: 0, load: () => null, store: () => false },
      io: { in: () => 0, out: () => {} },
      time: { now: () => 0 },
      jit: true,
    });
    expect(cpu.jit).toBeUndefined();
  });
});
