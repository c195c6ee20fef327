/**
 * WebAssembly opcodes the A64 code generator needs beyond machine's `Op` table (kept here so
 * the shared writer stays as other CPUs' JITs expect it).
 */
export const X = {
  i32Load8S: 0x2c,
  i32Load16S: 0x2e,
  i32Clz: 0x67,
  i32Rotr: 0x78,
  i64Clz: 0x79,
  i64Rotr: 0x8a,
  i64Extend8S: 0xc2,
  i64Extend16S: 0xc3,
  i64Extend32S: 0xc4,
  f64ConvertI64S: 0xb9,
  f64ConvertI32U: 0xb8,
  f64Ne: 0x62,
  i32LeU: 0x4d,
  i64Store8: 0x3c,
  i64Store16: 0x3d,
  i64Store32: 0x3e,
  i32Store: 0x36,
  f64Store: 0x39,
} as const;
