/* Integer data processing: arithmetic and NZCV, logical immediates, bitfields, EXTR,
   multiply/divide, bit operations, CRC32, conditional select/compare, shifts, ADR/ADRP. */
#include "test.h"
.section .text.init
.globl _start
_start:
  ldr x0, =stack_top
  mov sp, x0

  TEST 1      /* ADDS carry and zero */
  mov x1, #-1
  adds x2, x1, #1
  EXPECT_NZCV 0x6
  EXPECT x2, 0
  TEST 2      /* signed overflow */
  ldr x1, =0x7fffffffffffffff
  adds x2, x1, #1
  EXPECT_NZCV 0x9
  TEST 3      /* 32-bit overflow, upper half zeroed */
  ldr x1, =0xffffffff7fffffff
  adds w2, w1, #1
  EXPECT_NZCV 0x9
  EXPECT x2, 0x80000000
  TEST 4      /* SUBS borrow: C clear when a < b */
  mov x1, #3
  subs x2, x1, #5
  EXPECT_NZCV 0x8
  EXPECT x2, 0xfffffffffffffffe
  TEST 5
  subs x2, x1, #3
  EXPECT_NZCV 0x6
  TEST 6      /* ADC / SBC with carry */
  mov x1, #-1
  adds x3, x1, x1       /* C=1 */
  mov x4, #10
  adc x5, x4, xzr
  EXPECT x5, 11
  sbc x6, x4, xzr       /* C still 1: 10 - 0 - 0 */
  EXPECT x6, 10
  mov x9, #0
  cmp x9, #1            /* C=0 */
  sbc x6, x4, xzr
  EXPECT x6, 9
  TEST 7      /* logical immediates */
  mov x1, #0
  orr x1, x1, #0x5555555555555555
  EXPECT x1, 0x5555555555555555
  and x2, x1, #0xff00ff00ff00ff00
  EXPECT x2, 0x5500550055005500
  eor w3, w1, #0xf0f0f0f0
  EXPECT x3, 0xa5a5a5a5
  mov x4, #0x3ffff0
  EXPECT x4, 0x3ffff0
  ands x5, x1, #0x8000000000000000
  EXPECT_NZCV 0x4
  TEST 8      /* shifted register and BIC/ORN/EON */
  ldr x1, =0x123456789abcdef0
  add x2, x1, x1, lsl #4
  EXPECT x2, 0x3579be02468acdf0
  bic x3, x1, x1, lsr #8
  EXPECT x3, 0x1224422882244220
  orn w4, wzr, w1, ror #8
  EXPECT x4, 0x0f654321
  eon x5, x1, xzr
  EXPECT x5, 0xedcba9876543210f
  sub w6, w1, w1, asr #31
  EXPECT x6, 0x9abcdef1
  TEST 9      /* extended register */
  mov x1, #0x1000
  mov x2, #-2
  add x3, x1, w2, sxtw #2
  EXPECT x3, 0xff8
  add x4, x1, w2, uxtb
  EXPECT x4, 0x10fe
  sub x5, x1, x2, sxth #1
  EXPECT x5, 0x1004
  mov x6, sp
  add x7, sp, #16
  sub sp, x7, #16
  mov x7, sp
  cmp x6, x7
  b.ne fail
  TEST 10     /* bitfields */
  ldr x1, =0x123456789abcdef0
  ubfx x2, x1, #8, #12
  EXPECT x2, 0xcde
  sbfx x3, x1, #4, #8
  EXPECT x3, 0xffffffffffffffef
  sbfiz x4, x1, #60, #3
  EXPECT x4, 0x0000000000000000
  ubfiz w5, w1, #4, #8
  EXPECT x5, 0xf00
  bfi x6, x1, #16, #8
  mov x6, #0
  bfi x6, x1, #16, #8
  EXPECT x6, 0xf00000
  bfxil x7, x1, #60, #4
  mov x7, #0xff
  bfxil x7, x1, #60, #4
  EXPECT x7, 0xf1
  sxtb x8, w1
  EXPECT x8, 0xfffffffffffffff0
  uxth w9, w1
  EXPECT x9, 0xdef0
  sxtw x10, w1
  EXPECT x10, 0xffffffff9abcdef0
  lsl w11, w1, #28
  EXPECT x11, 0
  asr x12, x1, #60
  EXPECT x12, 1
  TEST 11     /* EXTR / ROR */
  ldr x1, =0x0123456789abcdef
  ldr x2, =0xfedcba9876543210
  extr x3, x1, x2, #16
  EXPECT x3, 0xcdeffedcba987654
  ror w4, w1, #4
  EXPECT x4, 0xf89abcde
  extr w5, w1, w2, #0
  EXPECT x5, 0x76543210
  TEST 12     /* multiply */
  ldr x1, =0x123456789
  ldr x2, =0xfedcba987
  mul x3, x1, x2
  EXPECT x3, 0x1fa00acc59960a3f
  umulh x4, x1, x2
  EXPECT x4, 0x12
  mov x5, #-3
  smulh x6, x5, x1
  EXPECT x6, 0xffffffffffffffff
  umulh x7, x5, x5
  EXPECT x7, 0xfffffffffffffffa
  smaddl x8, w5, w5, x1
  EXPECT x8, 0x123456792
  umaddl x9, w5, w5, xzr
  EXPECT x9, 0xfffffffa00000009
  msub x10, x1, x2, x3
  EXPECT x10, 0
  mneg w11, w1, w2
  TEST 13     /* divide */
  mov x1, #100
  mov x2, #7
  udiv x3, x1, x2
  EXPECT x3, 14
  mov x4, #-100
  sdiv x5, x4, x2
  EXPECT x5, 0xfffffffffffffff2
  udiv x6, x1, xzr
  EXPECT x6, 0
  ldr x7, =0x8000000000000000
  mov x8, #-1
  sdiv x9, x7, x8
  EXPECT x9, 0x8000000000000000
  udiv x10, x8, x2
  EXPECT x10, 0x2492492492492492
  ldr x11, =0xfedcba9876543210
  ldr x12, =0x123456789
  udiv x13, x11, x12
  EXPECT x13, 0xe0000000
  sdiv w14, w4, w2
  EXPECT x14, 0xfffffff2
  TEST 14     /* bit operations */
  ldr x1, =0x00000000000f0f00
  clz x2, x1
  EXPECT x2, 44
  clz w3, wzr
  EXPECT x3, 32
  mov x4, #-1
  cls x5, x4
  EXPECT x5, 63
  cls x6, x1
  EXPECT x6, 43
  rbit x7, x1
  EXPECT x7, 0x00f0f00000000000
  ldr x8, =0x0102030405060708
  rev x9, x8
  EXPECT x9, 0x0807060504030201
  rev32 x10, x8
  EXPECT x10, 0x0403020108070605
  rev16 w11, w8
  EXPECT x11, 0x06050807
  rbit w12, w8
  EXPECT x12, 0x10e060a0
  TEST 15     /* CRC32 */
  ldr x1, =0x3837363534333231
  mov w2, #-1
  crc32x w3, w2, x1
  EXPECT x3, 0x651f2550
  mov w2, #0
  crc32cb w4, w2, w1
  crc32h w5, w2, w1
  crc32cw w6, w2, w1
  TEST 16     /* conditional select and compare (EXPECT clobbers the flags: check last) */
  mov x1, #5
  mov x2, #9
  cmp x1, x2
  csel x3, x1, x2, lt
  csinc x4, x1, x2, ge
  csinv x5, x1, x2, hi
  csneg x6, x1, x2, eq
  cset x7, ne
  csetm w8, ls
  EXPECT x3, 5
  EXPECT x4, 10
  EXPECT x5, 0xfffffffffffffff6
  EXPECT x6, 0xfffffffffffffff7
  EXPECT x7, 1
  EXPECT x8, 0xffffffff
  cmp x1, x2
  ccmp x1, #5, #0xf, lt
  EXPECT_NZCV 0x6
  cmp x1, x1
  ccmp x1, #5, #0x3, gt
  EXPECT_NZCV 0x3
  ccmn x1, x2, #0, al
  EXPECT_NZCV 0x0
  TEST 17     /* variable shifts */
  ldr x1, =0x8000000000000001
  mov x2, #65
  lsl x3, x1, x2
  EXPECT x3, 2
  lsr x4, x1, x2
  EXPECT x4, 0x4000000000000000
  asr x5, x1, x2
  EXPECT x5, 0xc000000000000000
  ror x6, x1, x2
  EXPECT x6, 0xc000000000000000
  mov w7, #33
  lsl w8, w1, w7
  EXPECT x8, 2
  TEST 18     /* move wide */
  movz x1, #0x1234, lsl #48
  movk x1, #0x5678, lsl #16
  EXPECT x1, 0x1234000056780000
  movn w2, #0
  EXPECT x2, 0xffffffff
  movn x3, #0xffff, lsl #32
  EXPECT x3, 0xffff0000ffffffff
  TEST 19     /* ADR / ADRP */
  adr x1, here
here:
  adrp x2, here
  and x3, x1, #~0xfff
  cmp x2, x3
  b.ne fail
  adr x4, _start
  ldr x5, =0x40000000
  cmp x4, x5
  b.ne fail
  TEST 20     /* TBZ/TBNZ/CBZ/CBNZ */
  ldr x1, =0x8000000000000000
  tbz x1, #63, fail
  tbnz x1, #62, fail
  tbnz w1, #0, fail
  cbz x1, fail
  cbnz xzr, fail
  mov w2, #0
  movk x2, #1, lsl #32
  cbnz w2, fail
  b pass
#include "common.S"
.bss
.balign 16
stack: .skip 4096
stack_top:
