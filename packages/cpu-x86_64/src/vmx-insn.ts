/**
 * The VMX instructions (VMXON, VMXOFF, VMPTRLD, VMPTRST, VMCLEAR, VMREAD, VMWRITE, VMLAUNCH,
 * VMRESUME, VMCALL, INVEPT, INVVPID). Until VMX operation is implemented they raise #UD
 * (outside VMX operation that is also what the SDM specifies for all but VMXON).
 */
import type { X86Cpu } from "./cpu.js";

/**
 * `code`: 0x01xx = 0F 01 with ModRM xx; 0x02yy = 0F C7 memory forms (06 VMPTRLD, 66 VMCLEAR,
 * F3 VMXON, 07 VMPTRST). `len` is the instruction length so far, `lin` the memory operand.
 */
export function vmxInstruction(cpu: X86Cpu, code: number, _len: number, _lin = 0): void {
  void code;
  cpu.ud();
}
