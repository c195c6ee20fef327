/**
 * Entering and leaving an FP instruction: FPCR into the softfloat policy cells and ./fp.ts's
 * controls, and the softfloat flags raised meanwhile into FPSR's cumulative bits.
 */
import {
  DZ,
  exc,
  FLUSHED,
  INPUT_DENORMAL,
  NAN_ARM,
  NAN_CANONICAL,
  NV,
  NX,
  nanPolicy,
  OF,
  policy,
  RDN,
  RNE,
  RTZ,
  RUP,
  UF,
} from "@axvisor/softfloat";
import { fp } from "./fp.js";
import {
  FPCR_AHP,
  FPCR_DN,
  FPCR_FZ,
  FPCR_RMODE_SHIFT,
  FPSR_DZC,
  FPSR_IDC,
  FPSR_IOC,
  FPSR_IXC,
  FPSR_OFC,
  FPSR_UFC,
  type FpSimdRegs,
} from "./regs.js";

/** FPCR.RMode (RN, RP, RM, RZ) as softfloat rounding directions. */
const RMODE = [RNE, RUP, RDN, RTZ];

/** softfloat flag combinations (7 bits) to FPSR bits. */
const TO_FPSR = new Int32Array(128);
for (let f = 0; f < 128; f++) {
  let r = 0;
  if (f & NV) r |= FPSR_IOC;
  if (f & DZ) r |= FPSR_DZC;
  if (f & OF) r |= FPSR_OFC;
  if (f & (UF | FLUSHED)) r |= FPSR_UFC;
  if (f & NX) r |= FPSR_IXC;
  if (f & INPUT_DENORMAL) r |= FPSR_IDC;
  TO_FPSR[f] = r;
}

/** Loads FPCR into the arithmetic's controls (every call: other CPUs share softfloat). */
export function enterFp(fpcr: number): void {
  fp.rm = RMODE[(fpcr >>> FPCR_RMODE_SHIFT) & 3]!;
  fp.fz = (fpcr & FPCR_FZ) !== 0;
  fp.dn = (fpcr & FPCR_DN) !== 0;
  fp.ahp = (fpcr & FPCR_AHP) !== 0;
  policy.tininessBeforeRounding = true;
  policy.flushToZero = fp.fz;
  nanPolicy.mode = fp.dn ? NAN_CANONICAL : NAN_ARM;
  nanPolicy.defaultNegative = false;
  exc.flags = 0;
}

/** Accumulates the raised flags into FPSR and restores softfloat's defaults. */
export function leaveFp(regs: FpSimdRegs): void {
  if (exc.flags !== 0) {
    regs.fpsr |= TO_FPSR[exc.flags & 127]!;
    exc.flags = 0;
  }
  policy.tininessBeforeRounding = false;
  policy.flushToZero = false;
  nanPolicy.mode = NAN_CANONICAL;
}
