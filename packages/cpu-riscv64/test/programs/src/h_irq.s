# Virtual interrupts: hvip.VSSIP/VSTIP/VSEIP delivered to VS-mode through hideleg with the VS
# cause numbers translated (1, 5, 9), vsstatus.SIE and vsie gating, VS interrupts never taken
# while V=0, undelegated VS interrupts taken in HS with the untranslated causes (2, 6, 10),
# the vsip/vsie views of hip/hie (empty without hideleg), VS clearing its SSIP through sip,
# htimedelta added to the VS view of time, and the Sstc VS timer: vstimecmp (stimecmp seen from
# VS) raising VSTIP, gated by henvcfg.STCE (virtual-instruction exception), with WFI waking in VS.
.include "common.inc"
.include "paging.inc"
.include "hyp.inc"
PROGRAM h_irq

.equ HVIP_VSSIP, 1 << 2
.equ HVIP_VSTIP, 1 << 6
.equ HVIP_VSEIP, 1 << 10
.equ SIP_SSIP, 1 << 1
.equ SIP_STIP, 1 << 5
.equ SIP_SEIP, 1 << 9
.equ WAIT_TICKS, 100000
.equ WAIT_LIMIT, 1000000

# Spin until the expected interrupt arrives; fail after WAIT_TICKS of time.
.macro SPIN
  rdtime a3
  li a4, WAIT_TICKS
  add a3, a3, a4
8851:
  rdtime a4
  bltu a4, a3, 8851b
  FAIL_NOW
.endm

  PTE groot, 2, 0x80000000, PTE_LEAF | PTE_RWX | PTE_U
  SET_HGATP HGATP_SV39X4, groot
  csrw vsatp, zero
  la t1, hs_trap
  csrw stvec, t1
  la t1, vs_trap
  csrw vstvec, t1
  li t1, 2
  csrw mcounteren, t1
  csrw hcounteren, t1
  csrw htimedelta, zero
  li t1, 0x222
  csrw mideleg, t1
  li t1, 0x444
  csrw hideleg, t1

# ---- hvip bits show in mip/hip and, delegated, in vsip
  TEST 1
  li a1, HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP
  csrw hvip, a1
  csrr a0, hvip
  CHECK_EQ a0, a1
  csrr a0, hip
  and a0, a0, a1
  CHECK_EQ a0, a1
  csrr a0, mip
  and a0, a0, a1
  CHECK_EQ a0, a1
  # (Only SSIP is checked in vsip: QEMU 7.2 does not show hvip's VSTIP/VSEIP there.)
  csrr a0, vsip
  andi a0, a0, SIP_SSIP
  CHECK a0, SIP_SSIP
  TEST 2
  csrw hideleg, zero
  csrr a0, vsip
  CHECK a0, 0
  csrw vsie, zero
  li a1, 0x444
  csrw hideleg, a1
  csrw hvip, zero
  csrr a0, vsip
  CHECK a0, 0
  TEST 3
  # vsie is hie's VS bits seen as S bits.
  li a1, SIP_SSIP | SIP_STIP | SIP_SEIP
  csrw vsie, a1
  csrr a0, hie
  andi a0, a0, 0x444
  CHECK a0, 0x444
  csrw vsie, zero
  csrr a0, hie
  andi a0, a0, 0x444
  CHECK a0, 0

# ---- delivered to VS with translated causes
.macro T_VIRQ n, hvip_bit, sie_bit, cause
  TEST \n
  li a1, \sie_bit
  csrw vsie, a1
  li a1, MSTATUS_SIE
  csrc vsstatus, a1
  ENTER MODE_VS, 8891f
8891:
  li a1, \hvip_bit
  EXPECT_TRAP 8892f
  GOTO_M 8893f
8893:
  # from M: raise it; the guest has SIE = 0, so nothing happens until it enables.
  csrs hvip, a1
  ENTER MODE_VS, 8894f
8894:
  nop
  nop
  EXPECT_TRAP 8892f
  csrsi sstatus, MSTATUS_SIE
  SPIN
8892:
  CHECK_TRAP IRQ | \cause, 5
  GOTO_M 8895f
8895:
  csrw hvip, zero
.endm
  T_VIRQ 10, HVIP_VSSIP, SIP_SSIP, 1
  T_VIRQ 11, HVIP_VSTIP, SIP_STIP, 5
  T_VIRQ 12, HVIP_VSEIP, SIP_SEIP, 9

# ---- not taken while V=0, taken on entry to VS
  TEST 15
  li a1, SIP_SSIP
  csrw vsie, a1
  li a1, MSTATUS_SIE
  csrs vsstatus, a1
  li a1, HVIP_VSSIP
  csrs hvip, a1
  ENTER MODE_S, 1f
1:
  # HS with SIE = 1: a VS-level interrupt is not for HS.
  csrsi sstatus, MSTATUS_SIE
  nop
  nop
  csrci sstatus, MSTATUS_SIE
  li a1, HSTATUS_SPV
  csrs hstatus, a1
  li a1, MSTATUS_SPP
  csrs sstatus, a1
  la a1, 2f
  csrw sepc, a1
  EXPECT_TRAP 3f
  sret
2:
  FAIL_NOW
3:
  CHECK_TRAP IRQ | 1, 5
  la a0, 2b
  CHECK_EQ s4, a0
  TEST 16
  # The guest clears its own SSIP through sip: hvip.VSSIP goes away.
  li a1, SIP_SSIP
  csrc sip, a1
  GOTO_M 4f
4:
  csrr a0, hvip
  CHECK a0, 0

# ---- undelegated VS interrupts go to HS, untranslated
  TEST 20
  csrw hideleg, zero
  li a1, HVIP_VSSIP
  csrw hie, a1
  csrs hvip, a1
  EXPECT_TRAP 2f
  ENTER MODE_VS, 1f
1:
  SPIN
2:
  CHECK_TRAP IRQ | 2, 1
  li a1, HSTATUS_SPV
  and a0, s9, a1
  CHECK a0, HSTATUS_SPV
  GOTO_M 3f
3:
  csrw hvip, zero
  csrw hie, zero
  li a1, 0x444
  csrw hideleg, a1

# ---- htimedelta offsets the guest's time
  TEST 25
  li a1, 1 << 40
  csrw htimedelta, a1
  ENTER MODE_VS, 1f
1:
  rdtime a0
  li a1, 1 << 40
  bltu a0, a1, fail
  GOTO_M 2f
2:
  rdtime a0
  li a1, 1 << 40
  bgeu a0, a1, fail
  csrw htimedelta, zero

# ---- Sstc in VS: vstimecmp
  TEST 30
  # menvcfg.STCE = 1 but henvcfg.STCE = 0: the guest's stimecmp is a virtual-instruction trap.
  li a1, MENVCFG_STCE
  csrs menvcfg, a1
  csrw henvcfg, zero
  li a1, -1
  csrw CSR_VSTIMECMP, a1
  ENTER MODE_VS, 1f
1:
  EXPECT_TRAP 2f
  csrr a0, CSR_STIMECMP
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_VIRTUAL_INSTRUCTION, 3
  GOTO_M 3f
3:
  TEST 31
  li a1, HENVCFG_STCE
  csrs henvcfg, a1
  # vstimecmp in the past raises VSTIP (seen in hip), in the future clears it.
  csrw CSR_VSTIMECMP, zero
  csrr a0, hip
  andi a0, a0, HVIP_VSTIP
  CHECK a0, HVIP_VSTIP
  li a1, -1
  csrw CSR_VSTIMECMP, a1
  csrr a0, hip
  andi a0, a0, HVIP_VSTIP
  CHECK a0, 0
  TEST 32
  # The guest programs its timer through stimecmp and takes the interrupt as cause 5.
  li a1, SIP_STIP
  csrw vsie, a1
  ENTER MODE_VS, 1f
1:
  rdtime a1
  addi a1, a1, 300
  csrw CSR_STIMECMP, a1
  csrr a0, CSR_STIMECMP
  CHECK_EQ a0, a1
  EXPECT_TRAP 2f
  csrsi sstatus, MSTATUS_SIE
  SPIN
2:
  CHECK_TRAP IRQ | 5, 5
  GOTO_M 3f
3:
  # What the guest wrote is vstimecmp.
  csrr a0, CSR_VSTIMECMP
  li a1, -1
  beq a0, a1, fail
  TEST 33
  # With htimedelta, the comparison uses the guest's time.
  li a1, 1 << 40
  csrw htimedelta, a1
  li a1, (1 << 40) - 1
  csrw CSR_VSTIMECMP, a1
  csrr a0, hip
  andi a0, a0, HVIP_VSTIP
  CHECK a0, HVIP_VSTIP
  csrw htimedelta, zero
  # (vstimecmp is written again because QEMU 7.2 re-evaluates VSTIP only on vstimecmp writes.)
  li a1, (1 << 40) - 1
  csrw CSR_VSTIMECMP, a1
  csrr a0, hip
  andi a0, a0, HVIP_VSTIP
  CHECK a0, 0
  TEST 34
  # WFI in VS wakes for the VS timer.
  li a1, SIP_STIP
  csrw vsie, a1
  ENTER MODE_VS, 1f
1:
  rdtime a1
  addi a1, a1, 300
  csrw CSR_STIMECMP, a1
  EXPECT_TRAP 2f
  csrsi sstatus, MSTATUS_SIE
  li a3, WAIT_LIMIT
4:
  wfi
  addi a3, a3, -1
  bnez a3, 4b
  FAIL_NOW
2:
  CHECK_TRAP IRQ | 5, 5
  GOTO_M 3f
3:
  li a1, -1
  csrw CSR_VSTIMECMP, a1
  csrw hideleg, zero
  csrw mideleg, zero
  csrw hgatp, zero
  hfence.gvma
  PASS

S_TRAP_HANDLER hs_trap, 1, 1
S_TRAP_HANDLER vs_trap, 5, 0

.bss
.balign 16384
groot: .skip 16384
