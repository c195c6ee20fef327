/**
 * The architectural state of the x87/MMX/SSE unit as one flat block of bytes, so the core can
 * later place it inside its WebAssembly state block: construct it over any `(buffer,
 * byteOffset)` with at least `FPU_STATE_BYTES` bytes (16-byte aligned offset). A fresh block of
 * zeros is not a reset state: call `resetFpu` (FNINIT + MXCSR 0x1F80).
 *
 * The x87 registers are kept in physical order R0..R7 (ST(i) is R[(TOP + i) & 7]), 16 bytes each:
 * significand low word, significand high word, sign/exponent halfword. MMX register MMi is the
 * significand of Ri, as on hardware.
 */

export const FPU_STATE_BYTES = 416;

/** Byte offsets inside the block. */
export const OFF_FCW = 0;
export const OFF_FSW = 2;
/** The full two-bit-per-register tag word (00 valid, 01 zero, 10 special, 11 empty). */
export const OFF_FTW = 4;
export const OFF_FOP = 6;
export const OFF_FIP = 8;
export const OFF_FDP = 16;
export const OFF_MXCSR = 24;
export const OFF_ST = 32;
export const OFF_XMM = 160;

/** Status word bits. */
export const SW_IE = 0x1;
export const SW_DE = 0x2;
export const SW_ZE = 0x4;
export const SW_OE = 0x8;
export const SW_UE = 0x10;
export const SW_PE = 0x20;
export const SW_SF = 0x40;
export const SW_ES = 0x80;
export const SW_C0 = 0x100;
export const SW_C1 = 0x200;
export const SW_C2 = 0x400;
export const SW_C3 = 0x4000;
export const SW_B = 0x8000;

export const TAG_VALID = 0;
export const TAG_ZERO = 1;
export const TAG_SPECIAL = 2;
export const TAG_EMPTY = 3;

export class FpuState {
  readonly bytes: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;

  constructor(buffer: ArrayBufferLike = new ArrayBuffer(FPU_STATE_BYTES), byteOffset = 0) {
    if (byteOffset % 16 !== 0) throw new RangeError("FpuState: byteOffset must be 16-byte aligned");
    this.bytes = new Uint8Array(buffer, byteOffset, FPU_STATE_BYTES);
    this.u16 = new Uint16Array(buffer, byteOffset, FPU_STATE_BYTES / 2);
    this.u32 = new Uint32Array(buffer, byteOffset, FPU_STATE_BYTES / 4);
    this.i32 = new Int32Array(buffer, byteOffset, FPU_STATE_BYTES / 4);
    this.f32 = new Float32Array(buffer, byteOffset, FPU_STATE_BYTES / 4);
    this.f64 = new Float64Array(buffer, byteOffset, FPU_STATE_BYTES / 8);
  }

  get fcw(): number {
    return this.u16[OFF_FCW >> 1]!;
  }
  set fcw(v: number) {
    this.u16[OFF_FCW >> 1] = v;
  }
  /** The status word including TOP (bits 11..13). */
  get fsw(): number {
    return this.u16[OFF_FSW >> 1]!;
  }
  set fsw(v: number) {
    this.u16[OFF_FSW >> 1] = v;
  }
  get ftw(): number {
    return this.u16[OFF_FTW >> 1]!;
  }
  set ftw(v: number) {
    this.u16[OFF_FTW >> 1] = v;
  }
  get fop(): number {
    return this.u16[OFF_FOP >> 1]!;
  }
  set fop(v: number) {
    this.u16[OFF_FOP >> 1] = v & 0x7ff;
  }
  get mxcsr(): number {
    return this.u32[OFF_MXCSR >> 2]!;
  }
  set mxcsr(v: number) {
    this.u32[OFF_MXCSR >> 2] = v;
  }
  /** The last x87 data pointer (the effective address of the last memory operand). */
  get fdpLo(): number {
    return this.u32[OFF_FDP >> 2]!;
  }
  get fdpHi(): number {
    return this.u32[(OFF_FDP >> 2) + 1]!;
  }
  setFdp(lo: number, hi: number): void {
    this.u32[OFF_FDP >> 2] = lo;
    this.u32[(OFF_FDP >> 2) + 1] = hi;
  }
  get fipLo(): number {
    return this.u32[OFF_FIP >> 2]!;
  }
  get fipHi(): number {
    return this.u32[(OFF_FIP >> 2) + 1]!;
  }
  setFip(lo: number, hi: number): void {
    this.u32[OFF_FIP >> 2] = lo;
    this.u32[(OFF_FIP >> 2) + 1] = hi;
  }

  get top(): number {
    return (this.fsw >> 11) & 7;
  }
  set top(t: number) {
    this.fsw = (this.fsw & ~0x3800) | ((t & 7) << 11);
  }

  tag(phys: number): number {
    return (this.ftw >> (phys * 2)) & 3;
  }
  setTag(phys: number, tag: number): void {
    this.ftw = (this.ftw & ~(3 << (phys * 2))) | (tag << (phys * 2));
  }

  /** Physical register of ST(i). */
  phys(i: number): number {
    return (this.top + i) & 7;
  }

  regLo(phys: number): number {
    return this.u32[(OFF_ST >> 2) + phys * 4]!;
  }
  regHi(phys: number): number {
    return this.u32[(OFF_ST >> 2) + phys * 4 + 1]!;
  }
  regSe(phys: number): number {
    return this.u16[(OFF_ST >> 1) + phys * 8 + 4]!;
  }
  setReg(phys: number, se: number, hi: number, lo: number): void {
    this.u32[(OFF_ST >> 2) + phys * 4] = lo;
    this.u32[(OFF_ST >> 2) + phys * 4 + 1] = hi;
    this.u16[(OFF_ST >> 1) + phys * 8 + 4] = se;
  }

  /** Word `w` (0..3, little-endian) of XMM register `n`. */
  xmm(n: number, w: number): number {
    return this.u32[(OFF_XMM >> 2) + n * 4 + w]!;
  }
  setXmm(n: number, w: number, v: number): void {
    this.u32[(OFF_XMM >> 2) + n * 4 + w] = v;
  }
}

/** The tag an x87 register value deserves (what FXRSTOR and stores into the stack compute). */
export function tagOf(se: number, hi: number, lo: number): number {
  const exp = se & 0x7fff;
  if (exp === 0x7fff) return TAG_SPECIAL;
  if (exp === 0) return (hi | lo) === 0 ? TAG_ZERO : TAG_SPECIAL;
  return hi & 0x80000000 ? TAG_VALID : TAG_SPECIAL;
}
