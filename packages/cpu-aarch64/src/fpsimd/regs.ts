/**
 * The SIMD&FP register file: V0..V31 (128 bits each, 512 bytes, element 0 of a vector at the
 * lowest address, little-endian as on the host) over a caller-supplied buffer so that the CPU
 * can keep them in its wasm state block, plus FPCR and FPSR.
 */

/** FPCR fields (AArch64). */
export const FPCR_AHP = 1 << 26;
export const FPCR_DN = 1 << 25;
export const FPCR_FZ = 1 << 24;
export const FPCR_RMODE_SHIFT = 22;
export const FPCR_FZ16 = 1 << 19;
/** The FPCR bits a write keeps on a CPU without FP16 arithmetic (QEMU's cortex-a57). */
export const FPCR_WRITABLE = FPCR_AHP | FPCR_DN | FPCR_FZ | (3 << FPCR_RMODE_SHIFT);

/** FPSR cumulative flags. */
export const FPSR_IOC = 1 << 0;
export const FPSR_DZC = 1 << 1;
export const FPSR_OFC = 1 << 2;
export const FPSR_UFC = 1 << 3;
export const FPSR_IXC = 1 << 4;
export const FPSR_IDC = 1 << 7;
export const FPSR_QC = 1 << 27;

export class FpSimdRegs {
  readonly u8: Uint8Array;
  readonly i8: Int8Array;
  readonly u16: Uint16Array;
  readonly i16: Int16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
  /** FPCR: AHP, DN, FZ, RMode (FZ16 reads as written but has no effect without FP16). */
  fpcr = 0;
  /** FPSR: IOC, DZC, OFC, UFC, IXC, IDC cumulative exception flags and QC (saturation). */
  fpsr = 0;
  /**
   * The cryptographic extension (AES, PMULL 64-bit, SHA1, SHA256) executes; otherwise it is
   * UNDEFINED. Set it exactly when the CPU's ID_AA64ISAR0_EL1 advertises AES = 2, SHA1 = 1,
   * SHA2 = 1 (as QEMU's cortex-a57 does).
   */
  crypto = false;

  /** 512 bytes at byteOffset (a multiple of 8) hold V0..V31. */
  constructor(buffer: ArrayBufferLike = new ArrayBuffer(512), byteOffset = 0) {
    if (byteOffset % 8 !== 0) throw new Error("FpSimdRegs: byteOffset must be 8-byte aligned");
    this.u8 = new Uint8Array(buffer, byteOffset, 512);
    this.i8 = new Int8Array(buffer, byteOffset, 512);
    this.u16 = new Uint16Array(buffer, byteOffset, 256);
    this.i16 = new Int16Array(buffer, byteOffset, 256);
    this.u32 = new Uint32Array(buffer, byteOffset, 128);
    this.i32 = new Int32Array(buffer, byteOffset, 128);
    this.f32 = new Float32Array(buffer, byteOffset, 128);
    this.f64 = new Float64Array(buffer, byteOffset, 64);
  }

  /** Vn as 16 bytes (a copy), for debuggers and tests. */
  getV(n: number): Uint8Array {
    return this.u8.slice(n * 16, n * 16 + 16);
  }

  /** Sets Vn from up to 16 bytes; the rest of the register becomes zero. */
  setV(n: number, bytes: ArrayLike<number>): void {
    this.u8.fill(0, n * 16, n * 16 + 16);
    for (let i = 0; i < bytes.length && i < 16; i++) this.u8[n * 16 + i] = bytes[i]!;
  }

  /** Clears all registers and FPCR/FPSR (reset). */
  reset(): void {
    this.u8.fill(0);
    this.fpcr = 0;
    this.fpsr = 0;
  }
}
