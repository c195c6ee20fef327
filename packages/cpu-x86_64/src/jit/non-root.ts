/**
 * Compiled code in VMX non-root operation (a guest under EPT): which instructions of the
 * compiled subset may run there without a VM-exit check.
 *
 * The compiled memory path is already exact under a guest: loads and stores hit only the
 * software TLB, whose entries are tagged with the translation context (VPID and EPT root, see
 * X86Cpu.tlbCtx) and hold guest-linear -> host-physical pages that passed both the guest's
 * page walk and the EPT walk with the access's permissions. A TLB miss, a page outside RAM
 * (MMIO) or a store to a code page side-exits before the instruction, and the interpreter then
 * runs it: its walk raises the EPT violation or misconfiguration with the exact RIP,
 * qualification, guest-physical and linear address, as it does for interpreted code.
 *
 * What remains is the instruction itself: CPUID, HLT, I/O, RDMSR/WRMSR, MOV CR/DR, INVLPG,
 * RDTSC(P), PAUSE, MWAIT, VMCALL and the VMX instructions may exit depending on the VMCS
 * controls. Of these only PAUSE is compiled (as a NOP, outside non-root operation); this list
 * names the kinds that never exit, so
 * an instruction kind added to the compiler later is left to the interpreter in non-root
 * operation until it is added here (with the control checks it needs, if any).
 */
import { type Insn, K, NOP_PAUSE } from "./decode.js";

const NEVER_EXITS: ReadonlySet<number> = new Set<number>([
  K.ALU_EG,
  K.ALU_GE,
  K.ALU_EI,
  K.TEST_EG,
  K.TEST_EI,
  K.MOV_EG,
  K.MOV_GE,
  K.MOV_EI,
  K.MOV_RI,
  K.LEA,
  K.MOVZX,
  K.MOVSX,
  K.INCDEC,
  K.CMOV,
  K.SETCC,
  K.SHIFT_EI,
  K.NOP,
  K.JCC,
  K.JMP,
  K.IMUL_GE,
  K.IMUL_GEI,
  K.NOT,
  K.NEG,
  K.SHIFT_ECL,
  K.PUSH,
  K.POP,
  K.CALL,
  K.RET,
  K.ROT_EI,
  K.PUSH_I,
  // #DE is never raised by compiled code (it side-exits first); no exit without a fault.
  K.DIV,
  // None of these VM-exits under any control. CLI only clears IF; STI is left out: the
  // interrupt shadow it opens decides when an interrupt-window exit happens, which the
  // interpreter keeps exact.
  K.PUSHF,
  K.CLI,
  K.LEAVE,
  K.CONV_A,
  K.CONV_D,
  K.BSWAP,
  K.BT_I,
  K.BT_R,
  K.CMPXCHG,
  K.XADD,
  K.XCHG,
  K.JMP_IND,
  K.CALL_IND,
  K.CMPXCHG8B,
  K.MOV_SREG,
  K.MUL,
  K.SHD_I,
  K.SHD_CL,
  // Plain memory stores and loads: an EPT violation makes the TLB refill fail, so the
  // interpreter runs the rest and takes the exit.
  K.REP_STR,
]);

/**
 * True when the instruction can run in VMX non-root operation unchecked (PAUSE exits under
 * "PAUSE exiting": the interpreter runs it there).
 */
export function neverExits(i: Insn): boolean {
  if (i.kind === K.NOP && i.op === NOP_PAUSE) return false;
  return NEVER_EXITS.has(i.kind);
}

/**
 * The region cut for non-root operation: each block ends before its first instruction that
 * may exit (compiled code then leaves at that instruction and the interpreter runs it); a
 * block whose first instruction may exit is dropped, and none is left when the region's first
 * block is dropped.
 */
export function nonRootRegion(blocks: readonly Insn[][]): Insn[][] {
  const out: Insn[][] = [];
  for (const b of blocks) {
    const cut = b.findIndex((i) => !neverExits(i));
    if (cut === 0) {
      if (out.length === 0) return [];
      continue;
    }
    out.push(cut < 0 ? b : b.slice(0, cut));
  }
  return out;
}
