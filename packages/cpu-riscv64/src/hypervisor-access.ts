/**
 * HLV/HLVX/HSV: loads and stores executed from HS-mode (or U-mode with hstatus.HU) as if
 * V=1 at privilege hstatus.SPVP, translated through both stages. They bypass the TLBs.
 */
import { HS, MS } from "./csr-numbers.js";
import type { HartCore as Hart } from "./hart-core.js";
import {
  ACC_LOAD,
  ACC_STORE,
  CTX_HLVX,
  CTX_MXR_M,
  CTX_MXR_VS,
  CTX_SUM,
  CTX_V,
  xlate,
} from "./mmu.js";

const TWO32 = 4294967296;

/** HLV/HLVX/HSV: explicit accesses with V=1 translation at privilege hstatus.SPVP. */
export function executeHypervisorAccess(h: Hart, insn: number, rd: number, rs1: number): void {
  if (!h.hasH) h.illegal();
  const f7 = insn >>> 25;
  const rs2 = (insn >> 20) & 31;
  const store = (f7 & 1) === 1;
  if (f7 < 0x30 || f7 > 0x37) h.illegal();
  if (store ? rd !== 0 : rs2 !== 0 && rs2 !== 1 && rs2 !== 3) h.illegal();
  const size = 1 << ((f7 >> 1) & 3);
  const hlvx = !store && rs2 === 3;
  if (hlvx && size < 2) h.illegal();
  if (!store && rs2 === 1 && size === 8) h.illegal();
  if (h.virt) h.virtualInstruction();
  if (h.priv === 0 && (h.hstatus & HS.HU) === 0) h.illegal();
  // The G-stage cache may hold translations of another hgatp.
  h.checkGuestTranslations();
  let ctx = ((h.hstatus & HS.SPVP) !== 0 ? 1 : 0) | CTX_V;
  if (h.vsstatus & MS.SUM) ctx |= CTX_SUM;
  if (h.vsstatus & MS.MXR) ctx |= CTX_MXR_VS;
  if (h.mstatus & MS.MXR) ctx |= CTX_MXR_M;
  if (hlvx) ctx |= CTX_HLVX;
  const x = h.x;
  const va = x[rs1 * 2 + 1]! * TWO32 + (x[rs1 * 2]! >>> 0);
  if (store) {
    const lo = x[rs2 * 2]!;
    const hi = x[rs2 * 2 + 1]!;
    if ((va & (size - 1)) === 0) {
      h.physStore(xlate(h, va, ACC_STORE, ctx), size, lo, hi, va);
    } else {
      for (let k = 0; k < size; k++) xlate(h, va + k, ACC_STORE, ctx);
      for (let k = 0; k < size; k++) {
        const b = k < 4 ? (lo >>> (8 * k)) & 0xff : (hi >>> (8 * (k - 4))) & 0xff;
        h.physStore(xlate(h, va + k, ACC_STORE, ctx), 1, b, 0, va + k);
      }
    }
    return;
  }
  let lo = 0;
  let hi = 0;
  if ((va & (size - 1)) === 0) {
    lo = h.physLoad(xlate(h, va, ACC_LOAD, ctx), size, va, 5);
    if (size === 8) hi = h.hi;
  } else {
    for (let k = 0; k < size; k++) {
      const b = h.physLoad(xlate(h, va + k, ACC_LOAD, ctx), 1, va + k, 5) & 0xff;
      if (k < 4) lo |= b << (8 * k);
      else hi |= b << (8 * (k - 4));
    }
  }
  if (size < 8) {
    const unsigned = rs2 !== 0;
    if (size === 1) lo = unsigned ? lo & 0xff : (lo << 24) >> 24;
    else if (size === 2) lo = unsigned ? lo & 0xffff : (lo << 16) >> 16;
    hi = unsigned ? 0 : lo >> 31;
  }
  if (rd !== 0) {
    x[rd * 2] = lo;
    x[rd * 2 + 1] = hi;
  }
}
