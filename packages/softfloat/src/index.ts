/**
 * @axvisor/softfloat: exact IEEE 754 binary16/32/64 arithmetic in plain JavaScript numbers
 * (error-free transformations, BigInt only for rare out-of-range cases), with the policies
 * that differ between architectures as parameters (./policy.ts, ./nan.ts).
 */
export {
  f32Bits,
  f32FromBits,
  f64FromWords,
  f64HiWord,
  f64LoWord,
  MAX_F32,
  MIN_NORMAL_F32,
  MIN_NORMAL_F64,
  nextDownD,
  nextUpD,
  pow2,
} from "./bits.js";
export { compare, FEQ, FLE, FLT, minMax, PICK_A, PICK_B, PICK_NAN } from "./compare.js";
export {
  floatToInt,
  I32,
  I64,
  intOut,
  intToD,
  intToS,
  roundToIntegral,
  SATURATE_INDEFINITE,
  SATURATE_NAN_MAX,
  SATURATE_NAN_ZERO,
  U32,
  U64,
} from "./convert.js";
export { addD, divD, mulD, sqrtD } from "./double.js";
export { DZ, exc, FLUSHED, INPUT_DENORMAL, NV, NX, OF, UF } from "./flags.js";
export { flushInput, flushOutput } from "./flush.js";
export { fmaD, fmaS } from "./fma.js";
export { halfBits, halfToNumber, numberToHalf } from "./half.js";
export {
  DEFAULT_NAN_D_HI,
  DEFAULT_NAN_H,
  DEFAULT_NAN_S,
  defaultNanD,
  defaultNanH,
  defaultNanS,
  isNanD,
  isNanH,
  isNanS,
  isSnanD,
  isSnanH,
  isSnanS,
  NAN_ARM,
  NAN_CANONICAL,
  NAN_X86,
  nanDFromH,
  nanDFromS,
  nanHFromD,
  nanHFromS,
  nanOut,
  nanPolicy,
  nanSFromD,
  nanSFromH,
  pickNanD,
  pickNanH,
  pickNanS,
} from "./nan.js";
export { policy } from "./policy.js";
export {
  BINARY16,
  BINARY32,
  BINARY64,
  type Format,
  RDN,
  RMM,
  RNE,
  RTZ,
  RUP,
  roundPack,
} from "./rounding.js";
export { addS, divS, mulS, roundS, roundToFormat, sqrtS } from "./single.js";
