/**
 * RISC-V F and D extensions: OP-FP (0x53) and the fused multiply-add family
 * (0x43/0x47/0x4B/0x4F). Work in progress: this skeleton only fixes the contract the
 * core compiles against; every instruction is still reported as illegal.
 */

/** Register file view shared with the hart: register i is lo = arr[2*i], hi = arr[2*i+1]. */
export interface FpState {
  readonly x: Int32Array;
  readonly f: Int32Array;
  /** Accrued exception flags (NV=16, DZ=8, OF=4, UF=2, NX=1). */
  fflags: number;
  /** Dynamic rounding mode (0..7; 5..7 are invalid when an instruction selects dynamic). */
  frm: number;
}

/** Executes one F/D arithmetic instruction. Returns false when the encoding is illegal. */
export function executeFp(_s: FpState, _insn: number): boolean {
  return false;
}
