/* The generic timer: CNTFRQ, the counters and CNTVOFF_EL2, the CNTV/CNTP/CNTHP timers
   (CVAL, TVAL, CTL.ISTATUS/IMASK, polled: no interrupt controller), and the EL2 controls of
   EL1 access (CNTHCTL_EL2.EL1PCTEN/EL1PCEN) and the EL0 controls (CNTKCTL_EL1). */
#include "test.h"

/* Polls CTL register \reg until ISTATUS (bit 2) is set, at most 10^6 times. */
.macro WAIT_ISTATUS reg
  ldr x6, =1000000
1: mrs x5, \reg
  tbnz x5, #2, 2f
  subs x6, x6, #1
  b.ne 1b
  b fail
2:
.endm

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

  TEST 1      /* CNTFRQ_EL0 = 62.5 MHz */
  mrs x1, cntfrq_el0
  EXPECT x1, 62500000
  TEST 2      /* the physical count goes up */
  mrs x1, cntpct_el0
  mov x2, #2000
1: subs x2, x2, #1
  b.ne 1b
  isb
  mrs x3, cntpct_el0
  cmp x3, x1
  b.ls fail
  TEST 3      /* CNTVCT = CNTPCT - CNTVOFF_EL2 */
  msr cntvoff_el2, xzr
  isb
  mrs x1, cntpct_el0
  mrs x2, cntvct_el0
  cmp x2, x1
  b.lo fail
  ldr x4, =0x10000000000
  msr cntvoff_el2, x4
  isb
  mrs x1, cntpct_el0
  mrs x2, cntvct_el0
  sub x3, x1, x2          /* = CNTVOFF - (time between the reads) */
  sub x3, x4, x3
  ldr x5, =1000000
  cmp x3, x5
  b.hi fail
  TEST 4      /* CNTV: not met before CVAL, met after */
  mrs x1, cntvct_el0
  ldr x2, =0x10000000
  add x2, x1, x2
  msr cntv_cval_el0, x2
  mov x0, #1
  msr cntv_ctl_el0, x0
  isb
  mrs x3, cntv_ctl_el0
  EXPECT x3, 1
  mrs x4, cntv_tval_el0
  tbnz w4, #31, fail      /* positive: not yet */
  mrs x1, cntvct_el0
  add x2, x1, #500
  msr cntv_cval_el0, x2
  isb
  WAIT_ISTATUS cntv_ctl_el0
  mrs x4, cntv_tval_el0
  sxtw x4, w4
  tbz x4, #63, fail       /* negative: past the compare value */
  mrs x1, cntvct_el0
  cmp x1, x2
  b.lo fail
  TEST 5      /* IMASK keeps ISTATUS */
  mov x0, #3
  msr cntv_ctl_el0, x0
  isb
  mrs x3, cntv_ctl_el0
  EXPECT x3, 7
  msr cntv_ctl_el0, xzr
  isb
  mrs x3, cntv_ctl_el0
  EXPECT x3, 0
  TEST 6      /* CNTHP (EL2 physical timer) through TVAL */
  mov x0, #800
  msr cnthp_tval_el2, x0
  mov x0, #1
  msr cnthp_ctl_el2, x0
  isb
  WAIT_ISTATUS cnthp_ctl_el2
  msr cnthp_ctl_el2, xzr
  TEST 7      /* CNTP (EL1 physical timer) through CVAL */
  mrs x1, cntpct_el0
  add x1, x1, #300
  msr cntp_cval_el0, x1
  mov x0, #1
  msr cntp_ctl_el0, x0
  isb
  WAIT_ISTATUS cntp_ctl_el0
  mrs x2, cntp_cval_el0
  cmp x2, x1
  b.ne fail
  msr cntp_ctl_el0, xzr

  TEST 8      /* EL1: physical counter and timer trapped by CNTHCTL_EL2 */
  msr cnthctl_el2, xzr
  msr cntvoff_el2, xzr
  ldr x0, =0x80000000
  msr hcr_el2, x0
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
  mov x10, #0
  mrs x1, cntvct_el0      /* the virtual counter is never trapped by CNTHCTL */
  EXPECT x10, 0
  mrs x1, cntpct_el0
  EXPECT x10, 0x62000000 | (3 << 20) | (1 << 17) | (3 << 14) | (14 << 10) | (1 << 5) | 1
  mrs x1, cntp_ctl_el0
  EXPECT x10, 0x62000000 | (3 << 20) | (1 << 17) | (3 << 14) | (14 << 10) | (1 << 5) | (2 << 1) | 1
  mov x10, #0
  mrs x1, cntv_ctl_el0
  EXPECT x10, 0
  hvc #0xff
back_at_el2:
  TEST 9      /* with EL1PCTEN and EL1PCEN set, EL1 reaches them */
  mov x0, #3
  msr cnthctl_el2, x0
  adr x0, el1_code2
  msr elr_el2, x0
  mov x0, #0x3c5
  msr spsr_el2, x0
  adr x16, back_at_el2_again
  isb
  eret
el1_code2:
  mov x10, #0
  mrs x1, cntpct_el0
  mrs x2, cntp_ctl_el0
  EXPECT x10, 0
  TEST 10     /* EL0: CNTKCTL_EL1.EL0VCTEN lets it read CNTVCT, not CNTPCT */
  mov x0, #2
  msr cntkctl_el1, x0
  msr spsr_el1, xzr
  adr x0, el0_code
  msr elr_el1, x0
  ldr x0, =stack0_top
  msr sp_el0, x0
  adr x17, back_at_el1
  isb
  eret
el0_code:
  mov x10, #0
  mrs x1, cntvct_el0
  mrs x2, cntfrq_el0
  EXPECT x10, 0
  mrs x3, cntpct_el0
  EXPECT x10, 0x62000000 | (3 << 20) | (1 << 17) | (3 << 14) | (14 << 10) | (3 << 5) | 1
  svc #0xff
back_at_el1:
  hvc #0xff
back_at_el2_again:
  b pass
#include "vectors.S"
#include "common.S"
.bss
.balign 16
stack: .skip 4096
stack_top:
stack1: .skip 4096
stack1_top:
stack0: .skip 4096
stack0_top:
