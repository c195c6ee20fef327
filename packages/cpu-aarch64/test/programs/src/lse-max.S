/* The LSE atomics and PAN of the "max" model (validated on QEMU with -cpu max):
   LD<op> in every size, ST<op> aliases, SWP, CAS (success and failure), CASP, and PSTATE.PAN
   (MSR PAN, set on exception entry to EL1 when SCTLR_EL1.SPAN = 0). */
#include "test.h"
.arch armv8.1-a
.section .text.init
.globl _start
_start:
  ldr x0, =stack_top
  mov sp, x0
  ldr x0, =el2_vectors
  msr vbar_el2, x0
  ldr x0, =el1_vectors
  msr vbar_el1, x0
  mov x15, #1
  ldr x20, =buf

  TEST 1      /* LDADD: returns the old value, stores the sum */
  mov x1, #40
  str x1, [x20]
  mov x2, #2
  ldadd x2, x3, [x20]
  EXPECT x3, 40
  ldr x4, [x20]
  EXPECT x4, 42
  TEST 2      /* LDCLR / LDEOR / LDSET, 32-bit */
  mov w1, #0xff
  str w1, [x20]
  mov w2, #0x0f
  ldclr w2, w3, [x20]
  EXPECT x3, 0xff
  ldr w4, [x20]
  EXPECT x4, 0xf0
  mov w2, #0x3c
  ldeoral w2, w3, [x20]
  ldr w4, [x20]
  EXPECT x4, 0xcc
  mov w2, #0x01
  ldseta w2, w3, [x20]
  ldr w4, [x20]
  EXPECT x4, 0xcd
  TEST 3      /* signed and unsigned max/min in bytes and halfwords */
  mov w1, #0x80
  strb w1, [x20]
  mov w2, #0x7f
  ldsmaxb w2, w3, [x20]
  EXPECT x3, 0x80
  ldrb w4, [x20]
  EXPECT x4, 0x7f
  mov w1, #0x80
  strb w1, [x20]
  ldumaxb w2, w3, [x20]
  ldrb w4, [x20]
  EXPECT x4, 0x80
  mov w1, #0x8000
  strh w1, [x20]
  mov w2, #5
  ldsminh w2, w3, [x20]
  ldrh w4, [x20]
  EXPECT x4, 0x8000
  lduminh w2, w3, [x20]
  ldrh w4, [x20]
  EXPECT x4, 5
  TEST 4      /* 64-bit signed min with negative values; STADD alias */
  mov x1, #-5
  str x1, [x20]
  mov x2, #-7
  ldsmin x2, x3, [x20]
  EXPECT x3, 0xfffffffffffffffb
  ldr x4, [x20]
  EXPECT x4, 0xfffffffffffffff9
  mov x2, #10
  stadd x2, [x20]
  ldr x4, [x20]
  EXPECT x4, 3
  TEST 5      /* SWP */
  mov x2, #0x77
  swpal x2, x3, [x20]
  EXPECT x3, 3
  ldr x4, [x20]
  EXPECT x4, 0x77
  TEST 6      /* CAS: success writes, failure returns the memory value */
  mov x1, #0x77
  mov x2, #0x99
  casal x1, x2, [x20]
  EXPECT x1, 0x77
  ldr x4, [x20]
  EXPECT x4, 0x99
  mov x1, #0x11
  mov x2, #0x22
  cas x1, x2, [x20]
  EXPECT x1, 0x99
  ldr x4, [x20]
  EXPECT x4, 0x99
  mov w1, #0x99
  mov w2, #0x5
  casb w1, w2, [x20]
  ldrb w4, [x20]
  EXPECT x4, 5
  TEST 7      /* CASP on a 16-byte pair */
  mov x4, #1
  mov x5, #2
  stp x4, x5, [x20, #16]
  mov x0, #1
  mov x1, #2
  mov x2, #3
  mov x3, #4
  add x6, x20, #16
  caspal x0, x1, x2, x3, [x6]
  EXPECT x0, 1
  EXPECT x1, 2
  ldp x4, x5, [x20, #16]
  EXPECT x4, 3
  EXPECT x5, 4
  TEST 8      /* PAN: MSR/MRS at EL1, and set on exception entry (SPAN = 0) */
  ldr x0, =0x80000000
  msr hcr_el2, x0
  mrs x0, sctlr_el1
  bic x0, x0, #(1 << 23)      /* SPAN = 0 */
  msr sctlr_el1, x0
  mov x0, #0x3c5
  msr spsr_el2, x0
  adr x0, el1_code
  msr elr_el2, x0
  ldr x0, =stack1_top
  msr sp_el1, x0
  adr x16, back_at_el2
  isb
  eret
el1_code:
  mrs x1, pan
  EXPECT x1, 0
  msr pan, #1
  mrs x1, pan
  EXPECT x1, (1 << 22)
  msr pan, #0
  mov x15, #0
  svc #1
  EXPECT x13, 0x3c5            /* SPSR: PAN was clear before the exception */
  mrs x1, pan                  /* the handler ran with PAN set and ERET restored it */
  EXPECT x1, 0
  hvc #0xff
back_at_el2:
  b pass
#include "vectors.S"
#include "common.S"
.bss
.balign 16
buf: .skip 64
stack: .skip 4096
stack_top:
stack1: .skip 4096
stack1_top:
