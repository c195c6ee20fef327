/**
 * XSAVE/XRSTOR (standard, non-compacted form) for the state components this unit owns: 0 (x87)
 * and 1 (SSE: XMM0-15 and MXCSR). The core passes RFBM = XCR0 AND EDX:EAX (it rejects XCR0
 * values with other bits, since no other component exists). The legacy region has FXSAVE's
 * 64-bit layout; the header's XSTATE_BV is at 512. XSAVE reports both components as in use
 * (the SDM allows 1 for a component in its initial configuration). Outside 64-bit mode the core
 * passes xmmRegs = 8.
 */
import { FPU_FAULT, FPU_GP, FPU_OK, type FpuResult, type MemPort } from "./contract.js";
import { MXCSR_MASK } from "./fxsave.js";
import { type FpuState, TAG_EMPTY, tagOf } from "./state.js";

/** Bytes of the standard-format area for components 0 and 1 (legacy region + header). */
export const XSAVE_AREA_BYTES = 576;

const area = new Uint8Array(XSAVE_AREA_BYTES);
const view = new DataView(area.buffer);

export function xsave(
  s: FpuState,
  mem: MemPort,
  eaLo: number,
  eaHi: number,
  rfbm: number,
  xmmRegs = 16,
): FpuResult {
  if (eaLo & 63) return FPU_GP;
  if (!mem.read(eaLo, eaHi, XSAVE_AREA_BYTES, area, 0)) return FPU_FAULT;
  if (rfbm & 1) {
    view.setUint16(0, s.fcw, true);
    view.setUint16(2, s.fsw, true);
    let abridged = 0;
    for (let p = 0; p < 8; p++) if (s.tag(p) !== TAG_EMPTY) abridged |= 1 << p;
    area[4] = abridged;
    view.setUint16(6, s.fop, true);
    view.setUint32(8, s.fipLo, true);
    view.setUint32(12, s.fipHi, true);
    view.setUint32(16, s.fdpLo, true);
    view.setUint32(20, s.fdpHi, true);
    for (let i = 0; i < 8; i++) {
      const p = s.phys(i);
      view.setUint32(32 + 16 * i, s.regLo(p), true);
      view.setUint32(36 + 16 * i, s.regHi(p), true);
      view.setUint16(40 + 16 * i, s.regSe(p), true);
    }
  }
  if (rfbm & 2) {
    view.setUint32(24, s.mxcsr, true);
    view.setUint32(28, MXCSR_MASK, true);
    for (let n = 0; n < xmmRegs; n++)
      for (let w = 0; w < 4; w++) view.setUint32(160 + 16 * n + 4 * w, s.xmm(n, w), true);
  }
  const bv = view.getUint32(512, true);
  view.setUint32(512, (bv & ~rfbm & 3) | (bv & ~3) | (rfbm & 3), true);
  return mem.write(eaLo, eaHi, XSAVE_AREA_BYTES, area, 0) ? FPU_OK : FPU_FAULT;
}

export function xrstor(
  s: FpuState,
  mem: MemPort,
  eaLo: number,
  eaHi: number,
  rfbm: number,
  xcr0: number,
  xmmRegs = 16,
): FpuResult {
  if (eaLo & 63) return FPU_GP;
  if (!mem.read(eaLo, eaHi, XSAVE_AREA_BYTES, area, 0)) return FPU_FAULT;
  const bvLo = view.getUint32(512, true);
  const bvHi = view.getUint32(516, true);
  // XCOMP_BV must be 0 (no compacted form), the rest of the header reserved, XSTATE_BV within XCR0.
  if (bvHi !== 0 || bvLo & ~xcr0) return FPU_GP;
  for (let k = 520; k < 576; k++) if (area[k] !== 0) return FPU_GP;
  const mxcsr = view.getUint32(24, true);
  if (rfbm & 2 && mxcsr & ~MXCSR_MASK) return FPU_GP;
  if (rfbm & 1) {
    if (bvLo & 1) {
      s.fcw = view.getUint16(0, true);
      s.fsw = view.getUint16(2, true);
      s.fop = view.getUint16(6, true);
      s.setFip(view.getUint32(8, true), view.getUint32(12, true));
      s.setFdp(view.getUint32(16, true), view.getUint32(20, true));
      const abridged = area[4]!;
      const top = s.top;
      let ftw = 0;
      for (let i = 0; i < 8; i++) {
        const p = (top + i) & 7;
        const lo = view.getUint32(32 + 16 * i, true);
        const hi = view.getUint32(36 + 16 * i, true);
        const se = view.getUint16(40 + 16 * i, true);
        s.setReg(p, se, hi, lo);
        ftw |= (abridged & (1 << p) ? tagOf(se, hi, lo) : TAG_EMPTY) << (2 * p);
      }
      s.ftw = ftw;
    } else {
      // The initial configuration: FINIT's control words and eight zero registers.
      s.fcw = 0x037f;
      s.fsw = 0;
      s.ftw = 0xffff;
      s.fop = 0;
      s.setFip(0, 0);
      s.setFdp(0, 0);
      for (let p = 0; p < 8; p++) s.setReg(p, 0, 0, 0);
    }
  }
  if (rfbm & 2) {
    s.mxcsr = mxcsr;
    for (let n = 0; n < xmmRegs; n++)
      for (let w = 0; w < 4; w++)
        s.setXmm(n, w, bvLo & 2 ? view.getUint32(160 + 16 * n + 4 * w, true) : 0);
  }
  return FPU_OK;
}
