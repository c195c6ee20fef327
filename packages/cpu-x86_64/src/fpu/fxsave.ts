/**
 * FXSAVE/FXRSTOR: the 512-byte image (Intel SDM vol. 1, 10.5.1). With REX.W (FXSAVE64) FIP and
 * FDP are 64-bit; without it they are 32-bit offsets followed by FCS/FDS (stored as 0: the unit
 * keeps no selectors). The tag word is stored abridged (one "not empty" bit per physical
 * register) and rebuilt from the register contents on restore. Outside 64-bit mode the core
 * passes xmmRegs = 8: XMM8-15 are neither stored nor loaded there (their area stays as it was);
 * bytes the layout reserves (ST padding, 416..511) are left as they were in memory.
 */
import { FPU_FAULT, FPU_GP, FPU_OK, type FpuResult, type MemPort } from "./contract.js";
import { type FpuState, TAG_EMPTY, tagOf } from "./state.js";

/** MXCSR bits software may set (DAZ included): also the MXCSR_MASK the image reports. */
export const MXCSR_MASK = 0xffff;

const image = new Uint8Array(512);
const view = new DataView(image.buffer);

export function fxsave(
  s: FpuState,
  mem: MemPort,
  eaLo: number,
  eaHi: number,
  rexW: boolean,
  xmmRegs = 16,
): FpuResult {
  if (eaLo & 15) return FPU_GP;
  if (!mem.read(eaLo, eaHi, 416, image, 0)) return FPU_FAULT;
  view.setUint16(0, s.fcw, true);
  view.setUint16(2, s.fsw, true);
  let abridged = 0;
  for (let p = 0; p < 8; p++) if (s.tag(p) !== TAG_EMPTY) abridged |= 1 << p;
  image[4] = abridged;
  image[5] = 0;
  view.setUint16(6, s.fop, true);
  view.setUint32(8, s.fipLo, true);
  view.setUint32(12, rexW ? s.fipHi : 0, true);
  view.setUint32(16, s.fdpLo, true);
  view.setUint32(20, rexW ? s.fdpHi : 0, true);
  view.setUint32(24, s.mxcsr, true);
  view.setUint32(28, MXCSR_MASK, true);
  for (let i = 0; i < 8; i++) {
    const p = s.phys(i);
    view.setUint32(32 + 16 * i, s.regLo(p), true);
    view.setUint32(36 + 16 * i, s.regHi(p), true);
    view.setUint16(40 + 16 * i, s.regSe(p), true);
  }
  for (let n = 0; n < xmmRegs; n++)
    for (let w = 0; w < 4; w++) view.setUint32(160 + 16 * n + 4 * w, s.xmm(n, w), true);
  return mem.write(eaLo, eaHi, 416, image, 0) ? FPU_OK : FPU_FAULT;
}

export function fxrstor(
  s: FpuState,
  mem: MemPort,
  eaLo: number,
  eaHi: number,
  rexW: boolean,
  xmmRegs = 16,
): FpuResult {
  if (eaLo & 15) return FPU_GP;
  if (!mem.read(eaLo, eaHi, 416, image, 0)) return FPU_FAULT;
  const mxcsr = view.getUint32(24, true);
  if (mxcsr & ~MXCSR_MASK) return FPU_GP;
  s.fcw = view.getUint16(0, true);
  s.fsw = view.getUint16(2, true);
  s.fop = view.getUint16(6, true);
  s.setFip(view.getUint32(8, true), rexW ? view.getUint32(12, true) : 0);
  s.setFdp(view.getUint32(16, true), rexW ? view.getUint32(20, true) : 0);
  s.mxcsr = mxcsr;
  const abridged = image[4]!;
  const top = s.top;
  let ftw = 0;
  for (let i = 0; i < 8; i++) {
    const p = (top + i) & 7;
    const lo = view.getUint32(32 + 16 * i, true);
    const hi = view.getUint32(36 + 16 * i, true);
    const se = view.getUint16(40 + 16 * i, true);
    s.setReg(p, se, hi, lo);
    const tag = abridged & (1 << p) ? tagOf(se, hi, lo) : TAG_EMPTY;
    ftw |= tag << (2 * p);
  }
  s.ftw = ftw;
  for (let n = 0; n < xmmRegs; n++)
    for (let w = 0; w < 4; w++) s.setXmm(n, w, view.getUint32(160 + 16 * n + 4 * w, true));
  return FPU_OK;
}
