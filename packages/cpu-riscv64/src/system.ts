/**
 * SYSTEM instructions other than CSR accesses: ECALL, EBREAK, MRET, SRET, WFI, SFENCE.VMA,
 * HFENCE.VVMA/GVMA, with the privilege, TSR/TW/TVM and H-extension virtual-instruction rules.
 */
import { HS, MS } from "./csr-numbers.js";
import type { HartCore as Hart } from "./hart-core.js";
import { executeHypervisorAccess } from "./hypervisor-access.js";
import { mret, sret, wakeupPending } from "./trap.js";

/**
 * ECALL/EBREAK/xRET/WFI/SFENCE/HFENCE and the hypervisor loads/stores. Returns true when
 * the instruction set the PC itself (xRET).
 */
export function executeSystem(h: Hart, insn: number, rd: number, rs1: number): boolean {
  const priv = h.priv;
  const virt = h.virt;
  if (((insn >> 12) & 7) === 4) {
    executeHypervisorAccess(h, insn, rd, rs1);
    return false;
  }
  const f7 = insn >>> 25;
  if (insn === 0x00000073) {
    const cause = virt ? (priv === 1 ? 10 : 8) : priv === 3 ? 11 : priv === 1 ? 9 : 8;
    h.fault(cause, 0, 0, 0, false);
  }
  if (insn === 0x00100073) h.fault(3, h.pc, 0, 0, virt);
  if (insn === 0x30200073) {
    if (priv !== 3) h.illegal();
    mret(h);
    return true;
  }
  if (insn === 0x10200073) {
    if (priv === 0) return virt ? h.virtualInstruction() : h.illegal();
    if (virt && (h.hstatus & HS.VTSR) !== 0) h.virtualInstruction();
    if (!virt && priv === 1 && (h.mstatus & MS.TSR) !== 0) h.illegal();
    sret(h);
    return true;
  }
  if (insn === 0x10500073) {
    if (priv < 3 && (h.mstatus & MS.TW) !== 0) h.illegal();
    if (virt && (priv === 0 || (h.hstatus & HS.VTW) !== 0)) h.virtualInstruction();
    if (!virt && priv === 0) h.illegal();
    if (!wakeupPending(h)) h.wfiExit = true;
    return false;
  }
  if (rd !== 0) h.illegal();
  if (f7 === 0x09) {
    // SFENCE.VMA (from VU: virtual instruction unless mstatus.TVM would forbid it in HS)
    if (priv === 0) {
      return virt && (h.mstatus & MS.TVM) === 0 ? h.virtualInstruction() : h.illegal();
    }
    if (virt && (h.hstatus & HS.VTVM) !== 0) h.virtualInstruction();
    if (!virt && priv === 1 && (h.mstatus & MS.TVM) !== 0) h.illegal();
    if (rs1 === 0) h.flushTlb(false);
    else h.flushTlbPage(h.x[rs1 * 2 + 1]! * 4294967296 + (h.x[rs1 * 2]! >>> 0));
    return false;
  }
  if ((f7 === 0x11 || f7 === 0x31) && h.hasH) {
    // HFENCE.VVMA / HFENCE.GVMA
    if (virt) h.virtualInstruction();
    if (priv === 0) h.illegal();
    if (f7 === 0x31 && priv === 1 && (h.mstatus & MS.TVM) !== 0) h.illegal();
    if (f7 === 0x11 && rs1 !== 0) {
      h.flushTlbPage(h.x[rs1 * 2 + 1]! * 4294967296 + (h.x[rs1 * 2]! >>> 0));
    } else h.flushTlb(f7 === 0x31);
    return false;
  }
  return h.illegal();
}
