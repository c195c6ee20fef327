/**
 * The architectural state an F/D instruction touches, shared with the hart: register i is
 * lo = arr[2*i], hi = arr[2*i+1]. f must be 8-byte aligned (it is read as a Float64Array).
 */
export interface FpState {
  readonly x: Int32Array;
  readonly f: Int32Array;
  /** Accrued exception flags, fcsr[4:0]: NV=16, DZ=8, OF=4, UF=2, NX=1. */
  fflags: number;
  /** Dynamic rounding mode, fcsr[7:5]. */
  frm: number;
}
