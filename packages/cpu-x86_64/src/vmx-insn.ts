/**
 * The VMX instructions (SDM vol. 3 ch. 30): VMXON, VMXOFF, VMPTRLD, VMPTRST, VMCLEAR, VMREAD,
 * VMWRITE, VMLAUNCH, VMRESUME, VMCALL, INVEPT, INVVPID, with their #UD/#GP conditions, the
 * VM exits they cause in VMX non-root operation, and the VMsucceed / VMfailInvalid /
 * VMfailValid(error) outcomes in RFLAGS and the VM-instruction error field.
 */
import type { X86Cpu } from "./cpu.js";
import { AF, CF, CR0_PE, CR4_VMXE, CS, EFER_LMA, OF, PF, SA_L, SF, VM, ZF } from "./regs.js";
import { fieldSlot, fieldWidth, isReadOnly, V } from "./vmcs-fields.js";
import { EXIT, VMCS_REVISION } from "./vmx.js";

export const VMX_VMCALL = 0x01c1;
export const VMX_VMLAUNCH = 0x01c2;
export const VMX_VMRESUME = 0x01c3;
export const VMX_VMXOFF = 0x01c4;
export const VMX_VMPTRLD = 0x0206;
export const VMX_VMCLEAR = 0x0266;
export const VMX_VMXON = 0x02f3;
export const VMX_VMPTRST = 0x0207;
export const VMX_VMREAD = 0x0378;
export const VMX_VMWRITE = 0x0379;
export const VMX_INVEPT = 0x0380;
export const VMX_INVVPID = 0x0381;

const ARITH = CF | PF | AF | ZF | SF | OF;
const TWO32 = 4294967296;

const EXIT_FOR: Record<number, number> = {
  [VMX_VMCALL]: EXIT.VMCALL,
  [VMX_VMLAUNCH]: EXIT.VMLAUNCH,
  [VMX_VMRESUME]: EXIT.VMRESUME,
  [VMX_VMXOFF]: EXIT.VMXOFF,
  [VMX_VMPTRLD]: EXIT.VMPTRLD,
  [VMX_VMCLEAR]: EXIT.VMCLEAR,
  [VMX_VMXON]: EXIT.VMXON,
  [VMX_VMPTRST]: EXIT.VMPTRST,
  [VMX_VMREAD]: EXIT.VMREAD,
  [VMX_VMWRITE]: EXIT.VMWRITE,
  [VMX_INVEPT]: EXIT.INVEPT,
  [VMX_INVVPID]: EXIT.INVVPID,
};

function succeed(cpu: X86Cpu): void {
  cpu.flags &= ~ARITH;
}

function failInvalid(cpu: X86Cpu): void {
  cpu.flags = (cpu.flags & ~ARITH) | CF;
}

function failValid(cpu: X86Cpu, error: number): void {
  if (cpu.vmx.current === null) {
    failInvalid(cpu);
    return;
  }
  cpu.flags = (cpu.flags & ~ARITH) | ZF;
  cpu.vmx.wr(V.VM_INSTRUCTION_ERROR, error);
}

/** Operands of a VMX instruction as exec decoded them. */
export interface VmxOperands {
  /** Instruction length. */
  len: number;
  /** Linear address of the memory operand (VMXON, VMPTRLD, VMCLEAR, VMPTRST, INVEPT...). */
  lin: number;
  /** The displacement (the exit qualification of memory-operand instructions). */
  disp: number;
  /** VM-exit instruction-information word. */
  info: number;
  /** VMREAD/VMWRITE: read the r/m operand (VMWRITE's value) and the register (field). */
  readRm?: () => number;
  writeRm?: (lo: number, hi: number) => void;
  regLo: number;
  regHi: number;
}

/** Reads a 64-bit physical address operand at `lin`. */
function readPtr(cpu: X86Cpu, lin: number): number {
  const lo = cpu.readLin(lin, 4);
  const hi = cpu.readLin(cpu.linAdd(lin, 4), 4);
  return hi * TWO32 + lo;
}

/**
 * Executes VMX instruction `code`. Returns true when the instruction completed normally (exec
 * advances RIP), false when control went elsewhere (a VM exit, or a successful VM entry).
 */
export function vmxInstruction(cpu: X86Cpu, code: number, ops: VmxOperands): boolean {
  const vmx = cpu.vmx;
  // VMCALL exits from a guest in any mode; outside VMX operation it is #UD.
  if (code === VMX_VMCALL && vmx.guestMode) {
    vmx.simpleExit(EXIT.VMCALL, ops.len);
    return false;
  }
  if (code === VMX_VMCALL && !vmx.on) cpu.ud();
  // #UD outside VMX operation (except VMXON), in real/virtual-8086 mode, in compatibility mode.
  if ((cpu.cr0 & CR0_PE) === 0 || cpu.flags & VM) cpu.ud();
  if (cpu.efer & EFER_LMA && (cpu.segAttr[CS]! & SA_L) === 0) cpu.ud();
  if (code === VMX_VMXON) {
    if ((cpu.cr4 & CR4_VMXE) === 0) cpu.ud();
  } else if (!vmx.on && !vmx.guestMode) {
    cpu.ud();
  }
  if (vmx.guestMode) {
    const reason = EXIT_FOR[code];
    if (reason !== undefined) {
      const memForm = code >= 0x0200 && code < 0x0300;
      vmx.simpleExit(
        reason,
        ops.len,
        memForm || code >= 0x0380 ? ops.disp : 0,
        code === VMX_VMCALL ? 0 : ops.info,
      );
      return false;
    }
  }
  if (code === VMX_VMCALL) {
    // VMCALL in VMX root operation without the dual-monitor treatment.
    failValid(cpu, 1);
    return true;
  }
  if (cpu.cpl !== 0) cpu.gp(0);
  switch (code) {
    case VMX_VMXON: {
      if (vmx.on) {
        failValid(cpu, 15);
        return true;
      }
      // CR0/CR4 fixed bits and IA32_FEATURE_CONTROL (locked, VMX outside SMX enabled).
      if ((cpu.cr0 & 0x80000021) >>> 0 !== 0x80000021 || (cpu.featureControl & 5) !== 5) cpu.gp(0);
      const ptr = readPtr(cpu, ops.lin);
      if (ptr % 4096 !== 0 || ptr >= 2 ** 40) {
        failInvalid(cpu);
        return true;
      }
      if ((cpu.physRead32(ptr) & 0x7fffffff) !== VMCS_REVISION) {
        failInvalid(cpu);
        return true;
      }
      vmx.on = true;
      vmx.vmxonPtr = ptr;
      vmx.current = null;
      succeed(cpu);
      return true;
    }
    case VMX_VMXOFF:
      vmx.on = false;
      vmx.current = null;
      vmx.vmxonPtr = -1;
      succeed(cpu);
      return true;
    case VMX_VMPTRLD: {
      const ptr = readPtr(cpu, ops.lin);
      if (ptr % 4096 !== 0 || ptr >= 2 ** 40) {
        failValid(cpu, 9);
        return true;
      }
      if (ptr === vmx.vmxonPtr) {
        failValid(cpu, 10);
        return true;
      }
      if ((cpu.physRead32(ptr) & 0x7fffffff) !== VMCS_REVISION) {
        failValid(cpu, 11);
        return true;
      }
      vmx.current = vmx.loadVmcs(ptr);
      succeed(cpu);
      return true;
    }
    case VMX_VMPTRST: {
      const ptr = vmx.current === null ? -1 : vmx.current.addr;
      const lo = ptr === -1 ? 0xffffffff : ptr >>> 0;
      const hi = ptr === -1 ? 0xffffffff : Math.floor(ptr / TWO32);
      cpu.writeLin(ops.lin, 8, lo, hi);
      succeed(cpu);
      return true;
    }
    case VMX_VMCLEAR: {
      const ptr = readPtr(cpu, ops.lin);
      if (ptr % 4096 !== 0 || ptr >= 2 ** 40) {
        failValid(cpu, 2);
        return true;
      }
      if (ptr === vmx.vmxonPtr) {
        failValid(cpu, 3);
        return true;
      }
      vmx.clearVmcs(ptr);
      succeed(cpu);
      return true;
    }
    case VMX_VMREAD:
    case VMX_VMWRITE: {
      if (vmx.current === null) {
        failInvalid(cpu);
        return true;
      }
      const field = ops.regLo >>> 0;
      const slot = ops.regHi !== 0 ? -1 : fieldSlot(field);
      if (slot < 0) {
        failValid(cpu, 12);
        return true;
      }
      vmx.saveLazy();
      const v = vmx.current;
      if (code === VMX_VMREAD) {
        let lo = v.lo[slot]! >>> 0;
        let hi = v.hi[slot]! >>> 0;
        if (field & 1) {
          lo = hi;
          hi = 0;
        } else if (fieldWidth(field) === 0) lo &= 0xffff;
        ops.writeRm!(lo, hi);
      } else {
        if (isReadOnly(field)) {
          failValid(cpu, 13);
          return true;
        }
        const lo = ops.readRm!();
        const hi = cpu.hi;
        const width = fieldWidth(field);
        if (field & 1) v.hi[slot] = lo;
        else if (width === 0) v.lo[slot] = lo & 0xffff;
        else if (width === 2) v.lo[slot] = lo;
        else {
          v.lo[slot] = lo;
          if (cpu.code64 || width === 3) v.hi[slot] = cpu.code64 ? hi : 0;
        }
      }
      succeed(cpu);
      return true;
    }
    case VMX_VMLAUNCH:
    case VMX_VMRESUME: {
      if (vmx.current === null) {
        failInvalid(cpu);
        return true;
      }
      if (cpu.shadowAt === cpu.icount) {
        failValid(cpu, 26);
        return true;
      }
      // The guest starts from the VMCS; the instruction's own RIP update must not happen.
      const error = vmx.enter(code === VMX_VMLAUNCH);
      if (error !== 0) {
        failValid(cpu, error);
        return true;
      }
      return false;
    }
    case VMX_INVEPT:
    case VMX_INVVPID: {
      const type = ops.regLo >>> 0;
      const allowed = code === VMX_INVEPT ? type === 1 || type === 2 : type <= 3;
      if (!allowed) {
        failValid(cpu, 28);
        return true;
      }
      const vpid = cpu.readLin(ops.lin, 2);
      if (code === VMX_INVEPT) vmx.invalidateEpt();
      else vmx.invalidateVpid(type === 2 ? 0 : vpid);
      succeed(cpu);
      return true;
    }
    default:
      cpu.ud();
  }
}
