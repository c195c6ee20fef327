/* Exceptions and EL changes EL2 -> EL1 -> EL0 and back: BRK, UDF, HVC, SVC, SMC trapped by
   HCR_EL2.TSC, WFI trapped by TWI, MSR trapped by TVM, MRS trapped by TID3, FP access trap
   (CPACR and CPTR_EL2), illegal exception return, external data abort, PC alignment
   fault, with ESR/ELR/FAR/SPSR checked. */
#include "test.h"
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

  TEST 1      /* BRK at EL2: current EL, SPx vector */
  mov x14, #-1
brk1: brk #0x123
  EXPECT x10, 0xf2000123
  EXPECT x14, 0x200
  adr x0, brk1
  cmp x11, x0
  b.ne fail
  EXPECT x13, 0x3c9
  TEST 2      /* UDF */
udf1: .word 0x0000abcd
  EXPECT x10, 0x02000000
  adr x0, udf1
  cmp x11, x0
  b.ne fail
  TEST 3      /* HVC at EL2: ELR is the next instruction */
  mov x15, #0
  hvc #0x42
hvc1:
  EXPECT x10, 0x5a000042
  adr x0, hvc1
  cmp x11, x0
  b.ne fail
  mov x15, #1
  TEST 4      /* CurrentEL, SPSel at EL2 */
  mrs x0, currentel
  EXPECT x0, 8
  mrs x0, spsel
  EXPECT x0, 1

  TEST 5      /* ERET to EL1h */
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
  mrs x0, currentel
  EXPECT x0, 4
  TEST 6      /* SVC at EL1 */
  mov x15, #0
  svc #0x77
svc1:
  EXPECT x10, 0x56000077
  EXPECT x14, 0x200
  adr x0, svc1
  cmp x11, x0
  b.ne fail
  EXPECT x13, 0x3c5
  TEST 7      /* HVC from EL1: lower EL vector of EL2 */
  mov x14, #-1
  hvc #0x55
hvc2:
  EXPECT x10, 0x5a000055
  EXPECT x14, 0x400
  adr x0, hvc2
  cmp x11, x0
  b.ne fail
  TEST 8      /* MSR trapped by HCR_EL2.TVM, MRS by TID3 */
  mov x15, #1
  ldr x1, =(1 << 31) | (1 << 26) | (1 << 18)
  hvc #0x10
  mrs x2, sctlr_el1
tvm1: msr sctlr_el1, x2
  EXPECT x10, 0x62000000 | (3 << 20) | (1 << 10) | (2 << 5)
  adr x0, tvm1
  cmp x11, x0
  b.ne fail
  mov x10, #0
  mrs x3, ttbr0_el1          /* TRVM is clear: not trapped */
  EXPECT x10, 0
tid3: mrs x4, id_aa64mmfr0_el1
  EXPECT x10, 0x62000000 | (3 << 20) | (4 << 5) | (7 << 1) | 1
  TEST 9      /* WFI trapped by TWI; SMC trapped by TSC (ELR = the SMC) */
  ldr x1, =(1 << 31) | (1 << 13) | (1 << 19)
  mov x15, #0
  hvc #0x10
  mov x15, #1
wfi1: wfi
  EXPECT x10, 0x07e00000
  adr x0, wfi1
  cmp x11, x0
  b.ne fail
smc1: smc #0x33
  EXPECT x10, 0x5e000033
  adr x0, smc1
  cmp x11, x0
  b.ne fail
  ldr x1, =(1 << 31)
  mov x15, #0
  hvc #0x10
  mov x15, #1
  TEST 10     /* FP access trap: CPACR_EL1.FPEN = 0 -> EL1; CPTR_EL2.TFP -> EL2 */
  msr cpacr_el1, xzr
  isb
  mov x10, #0
fp1: fmov d0, x1
  EXPECT x10, 0x1fe00000
  EXPECT x14, 0x200
  mov x0, #(3 << 20)
  msr cpacr_el1, x0
  isb
  ldr x1, =0x33ff | (1 << 10)
  mov x15, #0
  hvc #0x11
  mov x15, #1
  mov x14, #-1
fp2: fmov d0, x1
  EXPECT x10, 0x1fe00000
  EXPECT x14, 0x400
  ldr x1, =0x33ff
  mov x15, #0
  hvc #0x11
  mov x15, #1
  fmov d0, x1
  TEST 11     /* external data abort (nothing at 0x5000_0000) */
  ldr x5, =0x50000008
  mov x14, #-1
da1: ldr x6, [x5]
  EXPECT x10, 0x96000010
  EXPECT x12, 0x50000008
  EXPECT x14, 0x200
da2: str x6, [x5]
  EXPECT x10, 0x96000050
  TEST 12     /* PC alignment fault */
  adr x0, pcal
  add x0, x0, #2
  mov x15, #0
  adr x18, pcal
  br x0
pcal:
  EXPECT x10, 0x8a000000
  cmp x11, x0
  b.ne fail
  cmp x12, x0
  b.ne fail
  b 1f
1: mov x15, #1
  /* (No SP alignment test: QEMU 7.2 does not implement SCTLR_ELx.SA checks; a unit test
     covers the CPU's architectural SP alignment fault.) */
  TEST 14     /* EL0: SVC, UNDEFINED MRS */
  mov x0, #0
  msr spsr_el1, x0
  adr x0, el0_code
  msr elr_el1, x0
  ldr x0, =stack0_top
  msr sp_el0, x0
  adr x17, back_at_el1
  mov x15, #0
  isb
  eret
el0_code:
  svc #0x5
  EXPECT x10, 0x56000005
  EXPECT x14, 0x400
  mov x15, #1
  mrs x0, currentel
  EXPECT x10, 0x02000000
  mrs x0, cntvct_el0          /* CNTKCTL_EL1.EL0VCTEN = 0: trapped to EL1 */
  EXPECT x10, 0x62000000 | (3 << 20) | (2 << 17) | (3 << 14) | (14 << 10) | (0 << 1) | 1
  svc #0xff
back_at_el1:
  mrs x0, currentel
  EXPECT x0, 4
  TEST 15     /* illegal exception return: EL1 -> EL2 target */
  mov x0, #0x3c9
  msr spsr_el1, x0
  adr x0, ill1
  msr elr_el1, x0
  mov x15, #0
  isb
  eret
ill1:
  EXPECT x10, 0x3a000000
  adr x0, ill1
  cmp x11, x0
  b.ne fail
  EXPECT x13, 0x3c5 | (1 << 20)
  mrs x0, currentel
  EXPECT x0, 4
  hvc #0xff
back_at_el2:
  mrs x0, currentel
  EXPECT x0, 8
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
