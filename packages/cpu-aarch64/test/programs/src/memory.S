/* Loads and stores: every addressing mode, sign extension, pairs, literal, unaligned,
   exclusives (LDXR/STXR, pairs, acquire/release), LDAR/STLR, DC ZVA, PRFM. */
#include "test.h"
.section .text.init
.globl _start
_start:
  ldr x0, =stack_top
  mov sp, x0
  ldr x20, =buf

  TEST 1      /* unsigned offset, all sizes */
  ldr x1, =0x8899aabbccddeeff
  str x1, [x20]
  ldrb w2, [x20]
  EXPECT x2, 0xff
  ldrh w3, [x20, #2]
  EXPECT x3, 0xccdd
  ldr w4, [x20, #4]
  EXPECT x4, 0x8899aabb
  ldr x5, [x20]
  EXPECT x5, 0x8899aabbccddeeff
  TEST 2      /* sign extension */
  ldrsb x6, [x20, #1]
  EXPECT x6, 0xffffffffffffffee
  ldrsb w7, [x20, #1]
  EXPECT x7, 0xffffffee
  ldrsh x8, [x20, #6]
  EXPECT x8, 0xffffffffffff8899
  ldrsh w9, [x20, #6]
  EXPECT x9, 0xffff8899
  ldrsw x10, [x20, #4]
  EXPECT x10, 0xffffffff8899aabb
  TEST 3      /* stores of each size */
  str xzr, [x20, #8]
  mov x1, #0x1122
  strb w1, [x20, #8]
  strh w1, [x20, #10]
  ldr x2, [x20, #8]
  EXPECT x2, 0x11220022
  mov w3, #-1
  str w3, [x20, #12]
  ldr x2, [x20, #8]
  EXPECT x2, 0xffffffff11220022
  TEST 4      /* pre/post index and unscaled */
  add x21, x20, #64
  mov x1, #7
  str x1, [x21, #-8]!
  sub x2, x20, x21
  EXPECT x2, 0xffffffffffffffc8
  ldr x3, [x21], #16
  EXPECT x3, 7
  sub x4, x21, x20
  EXPECT x4, 72
  stur w1, [x21, #-3]
  ldur w5, [x21, #-3]
  EXPECT x5, 7
  TEST 5      /* register offset */
  mov x1, #3
  mov x2, #0x55
  str x2, [x20, x1, lsl #3]
  ldr x3, [x20, #24]
  EXPECT x3, 0x55
  mov w4, #-8
  add x5, x20, #32
  ldr x6, [x5, w4, sxtw]
  EXPECT x6, 0x55
  mov w7, #24
  ldrb w8, [x20, w7, uxtw]
  EXPECT x8, 0x55
  TEST 6      /* pairs */
  ldr x1, =0x1111111122222222
  ldr x2, =0x3333333344444444
  stp x1, x2, [x20, #16]
  ldp w3, w4, [x20, #16]
  EXPECT x3, 0x22222222
  EXPECT x4, 0x11111111
  ldpsw x5, x6, [x20, #20]
  EXPECT x5, 0x11111111
  EXPECT x6, 0x44444444
  add x21, x20, #16
  ldp x7, x8, [x21], #16
  EXPECT x7, 0x1111111122222222
  EXPECT x8, 0x3333333344444444
  sub x9, x21, x20
  EXPECT x9, 32
  stp x2, x1, [x21, #-16]!
  sub x9, x21, x20
  EXPECT x9, 16
  ldnp x10, x11, [x20, #16]
  EXPECT x10, 0x3333333344444444
  EXPECT x11, 0x1111111122222222
  stp x29, x30, [sp, #-16]!
  ldp x12, x13, [sp], #16
  cmp x13, x30
  b.ne fail
  TEST 7      /* literal */
  ldr x1, lit64
  EXPECT x1, 0xdeadbeefcafef00d
  ldr w2, lit64
  EXPECT x2, 0xcafef00d
  ldrsw x3, lit64
  EXPECT x3, 0xffffffffcafef00d
  prfm pldl1keep, lit64
  prfm pstl2strm, [x20, #8]
  TEST 8      /* unaligned accesses to normal memory (MMU off at EL2: QEMU allows) */
  ldr x1, =0x0807060504030201
  str x1, [x20, #128]
  str x1, [x20, #136]
  ldr x2, [x20, #131]
  EXPECT x2, 0x0302010807060504
  ldr w3, [x20, #127]
  EXPECT x3, 0x03020100
  TEST 9      /* exclusives */
  add x22, x20, #256
  str xzr, [x22]
  ldxr x1, [x22]
  add x1, x1, #5
  stxr w2, x1, [x22]
  EXPECT x2, 0
  ldr x3, [x22]
  EXPECT x3, 5
  stxr w2, x1, [x22]        /* no reservation: fails */
  EXPECT x2, 1
  ldaxr w4, [x22]
  clrex
  stlxr w2, w4, [x22]
  EXPECT x2, 1
  ldxr x4, [x22]
  str xzr, [x22]            /* own store to the granule clears the monitor */
  stxr w2, x4, [x22]
  EXPECT x2, 1
  ldxrb w5, [x22]
  mov w5, #0x7f
  stxrb w2, w5, [x22]
  EXPECT x2, 0
  ldxrh w6, [x22]
  EXPECT x6, 0x7f
  TEST 10     /* exclusive pairs */
  add x23, x20, #512
  ldr x1, =0xaaaa
  ldr x2, =0xbbbb
  ldxp x3, x4, [x23]
  stxp w5, x1, x2, [x23]
  EXPECT x5, 0
  ldaxp x6, x7, [x23]
  EXPECT x6, 0xaaaa
  EXPECT x7, 0xbbbb
  stlxp w5, x7, x6, [x23]
  EXPECT x5, 0
  ldxp w8, w9, [x23]
  EXPECT x8, 0xbbbb
  EXPECT x9, 0
  TEST 11     /* acquire/release */
  mov x1, #0x42
  stlr x1, [x22]
  ldar x2, [x22]
  EXPECT x2, 0x42
  stlrb w1, [x22, #0]
  ldarh w3, [x22]
  EXPECT x3, 0x42
  TEST 12     /* DC ZVA zeroes a 64-byte block */
  mrs x1, dczid_el0
  EXPECT x1, 4
  add x24, x20, #1024
  mov x2, #-1
  str x2, [x24]
  str x2, [x24, #56]
  str x2, [x24, #64]
  add x3, x24, #17
  dc zva, x3
  ldr x4, [x24]
  EXPECT x4, 0
  ldr x4, [x24, #56]
  EXPECT x4, 0
  ldr x4, [x24, #64]
  EXPECT x4, 0xffffffffffffffff
  TEST 13     /* LDTR/STTR at EL2 behave as normal accesses */
  mov x1, #0x99
  sttr x1, [x20, #8]
  ldtr x2, [x20, #8]
  EXPECT x2, 0x99
  ldtrsb x3, [x20, #8]
  EXPECT x3, 0xffffffffffffff99
  b pass
.balign 8
lit64: .quad 0xdeadbeefcafef00d
#include "common.S"
.bss
.balign 4096
buf: .skip 4096
stack: .skip 4096
stack_top:
