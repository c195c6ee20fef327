/* Stage 1 (EL1&0 regime, 4 KiB granule, 39-bit VA, TTBR0 and TTBR1) and stage 2 (VTTBR,
   39-bit IPA): translation, permission and access flag faults with their levels, AT into
   PAR_EL1, stage-2 faults with HPFAR_EL2 and the ISS (ISV, SAS, SRT, SF, WnR), and a stage-2
   fault on a stage-1 table walk (S1PTW). */
#include "test.h"

#define S1_PAGE   0x707      /* page, AttrIndx 1 (normal), inner shareable, AF */
#define S1_TABLE  0x3
#define S1_DEVBLK 0x401      /* block, AttrIndx 0 (device), AF */
#define S1_NBLK   0x705      /* block, normal, AF */
#define S2_PAGE   0x7ff      /* page, MemAttr normal WB, S2AP RW, AF */
#define S2_DEVBLK 0x4c5      /* block, MemAttr device nGnRE, S2AP RW, AF */

.macro PATCH table, page, attrs
  ldr x0, =\page
  ubfx x1, x0, #12, #9
  ldr x2, =\table
  ldr x4, =\attrs
  orr x3, x0, x4
  str x3, [x2, x1, lsl #3]
.endm
.macro UNMAP table, page
  ldr x0, =\page
  ubfx x1, x0, #12, #9
  ldr x2, =\table
  str xzr, [x2, x1, lsl #3]
.endm
.macro SET table, index, value
  ldr x0, =\table
  ldr x1, =\value
  str x1, [x0, #(\index * 8)]
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

  /* Stage 1: identity pages for 0x4000_0000..0x401f_ffff, then the special pages. */
  ldr x0, =s1_l3
  ldr x1, =0x40000000
  ldr x2, =S1_PAGE
  mov x3, #512
  bl fill
  PATCH s1_l3, page_ro, S1_PAGE | (2 << 6)
  UNMAP s1_l3, page_none
  PATCH s1_l3, page_noaf, S1_PAGE & ~(1 << 10)
  PATCH s1_l3, page_xn, S1_PAGE | (1 << 53)
  SET s1_l1, 0, S1_DEVBLK
  SET s1_l1, 1, s1_l2 + S1_TABLE
  SET s1_l2, 0, s1_l3 + S1_TABLE
  SET s1_l2, 1, s1_l3_walk + S1_TABLE
  SET s1_l1_hi, 0, 0x40000000 + S1_NBLK
  /* Stage 2: identity, one read-only page, one hole, and the page of s1_l3_walk unmapped. */
  ldr x0, =s2_l3
  ldr x1, =0x40000000
  ldr x2, =S2_PAGE
  mov x3, #512
  bl fill
  PATCH s2_l3, s2_ro, S2_PAGE & ~(2 << 6)
  UNMAP s2_l3, s2_hole
  UNMAP s2_l3, s1_l3_walk
  SET s2_l1, 0, S2_DEVBLK
  SET s2_l1, 1, s2_l2 + S1_TABLE
  SET s2_l2, 0, s2_l3 + S1_TABLE
  ldr x0, =s2_l1
  msr vttbr_el2, x0
  /* VTCR: T0SZ 25, SL0 1 (level 1), inner/outer WB, inner shareable, 4K, PS 40-bit. */
  ldr x0, =(1 << 31) | 25 | (1 << 6) | (1 << 8) | (1 << 10) | (3 << 12) | (2 << 16)
  msr vtcr_el2, x0
  /* EL1: MAIR attr0 device nGnRnE, attr1 normal WB; TCR T0SZ/T1SZ 25, 4K granules, 40-bit IPS. */
  ldr x0, =0xff00
  msr mair_el1, x0
  ldr x0, =25 | (1 << 8) | (1 << 10) | (3 << 12) | (25 << 16) | (1 << 24) | (1 << 26) | (3 << 28) | (2 << 30) | (2 << 32)
  msr tcr_el1, x0
  ldr x0, =s1_l1
  msr ttbr0_el1, x0
  ldr x0, =s1_l1_hi
  msr ttbr1_el1, x0
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
  mrs x0, sctlr_el1
  orr x0, x0, #1
  orr x0, x0, #(1 << 2)
  orr x0, x0, #(1 << 12)
  msr sctlr_el1, x0
  isb
  TEST 1      /* mapped, writable */
  ldr x2, =data
  mov x1, #0x5a
  str x1, [x2]
  ldr x3, [x2]
  EXPECT x3, 0x5a
  TEST 2      /* write to a read-only page: permission fault, level 3 */
  ldr x2, =page_ro
  mov x10, #0
  ldr x3, [x2]
  EXPECT x10, 0
  str x1, [x2, #8]
  EXPECT x10, 0x9600004f
  ldr x0, =page_ro + 8
  cmp x12, x0
  b.ne fail
  TEST 3      /* translation fault, level 3 */
  ldr x2, =page_none
  ldr x3, [x2, #16]
  EXPECT x10, 0x96000007
  TEST 4      /* access flag fault, level 3 */
  ldr x2, =page_noaf
  ldrb w3, [x2]
  EXPECT x10, 0x9600000b
  TEST 5      /* TTBR1 range aliases RAM */
  ldr x2, =data
  ldr x0, =0x40000000
  sub x2, x2, x0
  ldr x0, =0xffffff8000000000
  add x2, x2, x0
  ldr x3, [x2]
  EXPECT x3, 0x5a
  TEST 6      /* translation fault, level 1 (L1 entry 2 is invalid) */
  ldr x2, =0x80001000
  ldr x3, [x2]
  EXPECT x10, 0x96000005
  TEST 7      /* VA outside both ranges: translation fault, level 0 */
  ldr x2, =0x0000800000000000
  ldr x3, [x2]
  EXPECT x10, 0x96000004
  ldr x0, =0x0000800000000000
  cmp x12, x0
  b.ne fail
  TEST 8      /* AT S1E1R / S1E1W into PAR_EL1 */
  ldr x2, =data
  at s1e1r, x2
  isb
  mrs x3, par_el1
  mov x10, x3
  ldr x0, =0xff00000000000fff
  bic x4, x3, x0
  ldr x0, =data
  cmp x4, x0
  b.ne fail
  lsr x4, x3, #56
  EXPECT x4, 0xff
  tbnz x3, #0, fail
  ldr x2, =page_ro
  at s1e1w, x2
  isb
  mrs x3, par_el1
  mov x10, x3
  and x4, x3, #0x7f
  EXPECT x4, (0x0f << 1) | 1
  TEST 9      /* instruction fetch from a PXN page: instruction abort, level 3 */
  ldr x2, =page_xn
  mov x15, #0
  adr x18, after_xn
  adr x17, after_xn
  mov x14, #-1
  blr x2
after_xn:
  EXPECT x10, 0x8600000f
  EXPECT x14, 0x200
  ldr x0, =page_xn
  cmp x11, x0
  b.ne fail
  cmp x12, x0
  b.ne fail
  mov x15, #1

  TEST 10     /* stage 2 on: identity for RAM */
  ldr x1, =(1 << 31) | 1
  mov x15, #0
  hvc #0x10
  mov x15, #1
  ldr x2, =data
  ldr x3, [x2]
  EXPECT x3, 0x5a
  TEST 11     /* stage-2 permission fault on a write: EL2, ISV/SAS/SRT/SF/WnR, HPFAR */
  ldr x2, =s2_ro
  ldr x3, [x2]
  mov x14, #-1
  str x1, [x2, #8]
  EXPECT x14, 0x400
  EXPECT x10, 0x92000000 | (1 << 24) | (3 << 22) | (1 << 16) | (1 << 15) | (1 << 6) | 0x0f
  ldr x0, =s2_ro + 8
  cmp x12, x0
  b.ne fail
  ldr x0, =s2_ro
  lsr x0, x0, #8
  cmp x8, x0
  b.ne fail
  TEST 12     /* stage-2 translation fault on a 32-bit load */
  ldr x2, =s2_hole
  ldr w3, [x2, #4]
  EXPECT x10, 0x92000000 | (1 << 24) | (2 << 22) | (3 << 16) | 0x07
  ldr x0, =s2_hole
  lsr x0, x0, #8
  cmp x8, x0
  b.ne fail
  TEST 13     /* writeback forms have no instruction syndrome (ISV = 0) */
  mov x4, x2
  ldr x3, [x4], #8
  EXPECT x10, 0x92000007
  TEST 14     /* stage-2 fault on the stage-1 table walk: S1PTW, HPFAR = the table's IPA */
  ldr x2, =0x40200010
  ldr x3, [x2]
  EXPECT x10, 0x92000000 | (1 << 7) | 0x07
  ldr x0, =0x40200010
  cmp x12, x0
  b.ne fail
  ldr x0, =s1_l3_walk
  lsr x0, x0, #8
  cmp x8, x0
  b.ne fail
  hvc #0xff
back_at_el2:
  TEST 15     /* AT S12E1R from EL2 */
  ldr x2, =data
  at s12e1r, x2
  isb
  mrs x3, par_el1
  mov x10, x3
  tbnz x3, #0, fail
  ldr x2, =s2_hole
  at s12e1r, x2
  isb
  mrs x3, par_el1
  mov x10, x3
  tbz x3, #0, fail
  b pass

/* fill(x0 table, x1 first PA, x2 attributes, x3 count) */
fill:
1: orr x4, x1, x2
  str x4, [x0], #8
  add x1, x1, #4096
  subs x3, x3, #1
  b.ne 1b
  ret

#include "vectors.S"
#include "common.S"
.bss
.balign 4096
s1_l1: .skip 4096
s1_l2: .skip 4096
s1_l3: .skip 4096
s1_l3_walk: .skip 4096
s1_l1_hi: .skip 4096
s2_l1: .skip 4096
s2_l2: .skip 4096
s2_l3: .skip 4096
data: .skip 4096
page_ro: .skip 4096
page_none: .skip 4096
page_noaf: .skip 4096
page_xn: .skip 4096
s2_ro: .skip 4096
s2_hole: .skip 4096
stack: .skip 4096
stack_top:
stack1: .skip 4096
stack1_top:
