# Interrupts: the CLINT machine timer (mtimecmp against mtime) and software interrupt (msip),
# mip.MTIP/MSIP following the CLINT and read-only to CSR writes, global enables (MIE in M,
# ignored for M interrupts while in S/U; SIE in S, ignored in U), S interrupts never taken in
# M, WFI waking on a pending enabled interrupt even with MIE = 0, priority
# (MSI before MTI), vectored mtvec, software SSIP and SEIP, and the Sstc
# supervisor timer (stimecmp gated by menvcfg.STCE and mcounteren.TM, STIP following
# stimecmp, read-only in mip, delegated to S).
.include "common.inc"
PROGRAM interrupts

.equ MIP_SSIP, 1 << 1
.equ MIP_MSIP, 1 << 3
.equ MIP_STIP, 1 << 5
.equ MIP_MTIP, 1 << 7
.equ MIP_SEIP, 1 << 9
.equ CSR_STIMECMP, 0x14d
.equ MENVCFG_STCE, 1 << 63
# Bound on waits for an interrupt, in timer ticks (10 ms at 10 MHz), and in WFI executions.
.equ WAIT_TICKS, 100000
.equ WAIT_LIMIT, 1000000

# mtimecmp = mtime + delta
.macro TIMER_IN delta
  li t1, CLINT_MTIME
  ld t2, 0(t1)
  addi t2, t2, \delta
  li t1, CLINT_MTIMECMP
  sd t2, 0(t1)
.endm
# mtimecmp = 0: MTIP at once.
.macro TIMER_NOW
  li t1, CLINT_MTIMECMP
  sd zero, 0(t1)
.endm
.macro TIMER_OFF
  li t1, CLINT_MTIMECMP
  li t2, -1
  sd t2, 0(t1)
.endm
# Spin until an interrupt arrives at the EXPECT_TRAP label; fail after WAIT_TICKS of time.
.macro SPIN
  rdtime a3
  li a4, WAIT_TICKS
  add a3, a3, a4
8851:
  rdtime a4
  bltu a4, a3, 8851b
  FAIL_NOW
.endm

  TIMER_OFF
  csrw mie, zero
  # S-mode waits read the time CSR.
  li t1, 2
  csrw mcounteren, t1
  la t1, s_trap
  csrw stvec, t1

# ---- machine timer
  TEST 1
  csrr a0, mip
  andi a0, a0, MIP_MTIP
  CHECK a0, 0
  TIMER_IN 200
  li a1, MIP_MTIP
  csrs mie, a1
  EXPECT_TRAP 2f
  csrsi mstatus, MSTATUS_MIE
  SPIN
2:
  CHECK_TRAP IRQ | 7, 3
  # The handler left MIE off and MTIE cleared; MTIP stays pending until mtimecmp moves.
  csrr a0, mstatus
  andi a0, a0, MSTATUS_MIE
  CHECK a0, 0
  csrr a0, mip
  andi a0, a0, MIP_MTIP
  CHECK a0, MIP_MTIP
  TEST 2
  TIMER_OFF
  csrr a0, mip
  andi a0, a0, MIP_MTIP
  CHECK a0, 0
  TEST 3
  # MTIP cannot be set through the CSR.
  li a1, MIP_MTIP | MIP_MSIP
  csrs mip, a1
  csrr a0, mip
  and a0, a0, a1
  CHECK a0, 0

# ---- machine software interrupt through the CLINT
  TEST 4
  li t1, CLINT_MSIP
  li t2, 1
  sw t2, 0(t1)
  csrr a0, mip
  andi a0, a0, MIP_MSIP
  CHECK a0, MIP_MSIP
  li a1, MIP_MSIP
  csrs mie, a1
  EXPECT_TRAP 2f
  csrsi mstatus, MSTATUS_MIE
  SPIN
2:
  CHECK_TRAP IRQ | 3, 3
  li t1, CLINT_MSIP
  sw zero, 0(t1)
  lw a0, 0(t1)
  CHECK a0, 0
  csrr a0, mip
  andi a0, a0, MIP_MSIP
  CHECK a0, 0

# ---- priority: MSI before MTI when both are pending
  TEST 5
  TIMER_NOW
  li t1, CLINT_MSIP
  li t2, 1
  sw t2, 0(t1)
  li a1, MIP_MTIP | MIP_MSIP
  csrs mie, a1
  EXPECT_TRAP 2f
  csrsi mstatus, MSTATUS_MIE
  SPIN
2:
  CHECK_TRAP IRQ | 3, 3
  li t1, CLINT_MSIP
  sw zero, 0(t1)
  EXPECT_TRAP 3f
  csrsi mstatus, MSTATUS_MIE
  SPIN
3:
  CHECK_TRAP IRQ | 7, 3
  TIMER_OFF
  # (Not checked: M-level interrupts before S-level ones, e.g. MTI before a non-delegated SSI.
  # QEMU 7.2 takes the SSI first, so the check could not pass there.)

# ---- WFI wakes up on a pending enabled interrupt even with MIE = 0 (and takes no trap)
  TEST 10
  csrci mstatus, MSTATUS_MIE
  TIMER_IN 300
  li a1, MIP_MTIP
  csrs mie, a1
  li a3, WAIT_LIMIT
1:
  csrr a0, mip
  andi a0, a0, MIP_MTIP
  bnez a0, 2f
  wfi
  addi a3, a3, -1
  bnez a3, 1b
  FAIL_NOW
2:
  csrw mie, zero
  TIMER_OFF
  TEST 11
  # WFI with MIE = 1: the interrupt is taken after the WFI.
  TIMER_IN 300
  li a1, MIP_MTIP
  csrs mie, a1
  EXPECT_TRAP 2f
  csrsi mstatus, MSTATUS_MIE
  li a3, WAIT_LIMIT
1:
  wfi
  addi a3, a3, -1
  bnez a3, 1b
  FAIL_NOW
2:
  CHECK_TRAP IRQ | 7, 3
  TIMER_OFF

# ---- vectored mtvec: interrupt n goes to base + 4n, exceptions to base
  TEST 15
  la a1, vectors
  ori a1, a1, 1
  csrw mtvec, a1
  li tp, 0
  TIMER_NOW
  li a1, MIP_MTIP
  csrs mie, a1
  EXPECT_TRAP 2f
  csrsi mstatus, MSTATUS_MIE
  SPIN
2:
  CHECK_TRAP IRQ | 7, 3
  CHECK tp, 7
  TIMER_OFF
  li tp, 0
  EXPECT_TRAP 3f
  .word 0x0000000b
3:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  CHECK tp, 100
  la a1, m_trap_entry
  csrw mtvec, a1

# ---- M interrupts preempt S regardless of mstatus.MIE
  TEST 20
  TIMER_IN 200
  li a1, MIP_MTIP
  csrs mie, a1
  li a1, MSTATUS_MPIE
  csrc mstatus, a1
  EXPECT_TRAP 2f
  ENTER MODE_S, 1f
1:
  SPIN
2:
  CHECK_TRAP IRQ | 7, 3
  # taken from S
  li a1, MSTATUS_MPP
  and a0, s7, a1
  CHECK a0, MSTATUS_MPP_S
  GOTO_M 3f
3:
  TIMER_OFF

# ---- delegated supervisor software interrupt
  TEST 21
  li a1, MIP_SSIP
  csrw mideleg, a1
  csrs mie, a1
  csrs mip, a1
  # In M with MIE = 1 a delegated S interrupt is never taken.
  csrsi mstatus, MSTATUS_MIE
  nop
  nop
  csrci mstatus, MSTATUS_MIE
  TEST 22
  # In S with SIE = 0 it waits; SIE = 1 takes it in S.
  li a1, MSTATUS_SPIE | MSTATUS_SIE
  csrc mstatus, a1
  ENTER MODE_S, 1f
1:
  nop
  csrr a0, sip
  andi a0, a0, MIP_SSIP
  CHECK a0, MIP_SSIP
  EXPECT_TRAP 2f
  csrsi sstatus, MSTATUS_SIE
  SPIN
2:
  CHECK_TRAP IRQ | 1, 1
  csrr a0, sstatus
  andi a0, a0, MSTATUS_SIE
  CHECK a0, 0
  # S clears its own pending bit.
  li a1, MIP_SSIP
  csrc sip, a1
  csrs sie, a1
  GOTO_M 3f
3:
  TEST 23
  # From U, SIE does not matter: pending SSIP is taken at once.
  li a1, MIP_SSIP
  csrs mip, a1
  li a1, MSTATUS_SIE
  csrc mstatus, a1
  EXPECT_TRAP 2f
  li a0, MODE_U
  la a1, 1f
  j m_enter
1:
  FAIL_NOW
2:
  CHECK_TRAP IRQ | 1, 1
  la a0, 1b
  CHECK_EQ s4, a0
  li a1, MSTATUS_SPP
  and a0, s7, a1
  CHECK a0, 0
  GOTO_M 3f
3:
  li a1, MIP_SSIP
  csrc mip, a1

# ---- software-set SEIP, delegated
  TEST 25
  li a1, MIP_SEIP
  csrw mideleg, a1
  csrs mie, a1
  csrs mip, a1
  csrr a0, mip
  and a0, a0, a1
  CHECK a0, MIP_SEIP
  ENTER MODE_S, 1f
1:
  EXPECT_TRAP 2f
  csrsi sstatus, MSTATUS_SIE
  SPIN
2:
  CHECK_TRAP IRQ | 9, 1
  GOTO_M 3f
3:
  li a1, MIP_SEIP
  csrc mip, a1
  csrr a0, mip
  and a0, a0, a1
  CHECK a0, 0
  csrw mideleg, zero
  csrw mie, zero

# ---- Sstc: stimecmp
  TEST 30
  # Without menvcfg.STCE, S cannot reach stimecmp.
  csrw menvcfg, zero
  li a1, 2
  csrw mcounteren, a1
  ENTER MODE_S, 1f
1:
  EXPECT_TRAP 2f
  csrr a0, CSR_STIMECMP
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  GOTO_M 3f
3:
  TEST 31
  li a1, MENVCFG_STCE
  csrs menvcfg, a1
  li a1, -1
  csrw CSR_STIMECMP, a1
  csrr a0, mip
  andi a0, a0, MIP_STIP
  CHECK a0, 0
  # STIP follows time >= stimecmp, and a CSR write cannot set it.
  li a1, MIP_STIP
  csrs mip, a1
  csrr a0, mip
  andi a0, a0, MIP_STIP
  CHECK a0, 0
  csrw CSR_STIMECMP, zero
  csrr a0, mip
  andi a0, a0, MIP_STIP
  CHECK a0, MIP_STIP
  li a1, -1
  csrw CSR_STIMECMP, a1
  csrr a0, mip
  andi a0, a0, MIP_STIP
  CHECK a0, 0
  TEST 32
  # Not delegated: an M trap with cause 5.
  rdtime a1
  addi a1, a1, 200
  csrw CSR_STIMECMP, a1
  li a1, MIP_STIP
  csrs mie, a1
  EXPECT_TRAP 2f
  csrsi mstatus, MSTATUS_MIE
  SPIN
2:
  CHECK_TRAP IRQ | 5, 3
  li a1, -1
  csrw CSR_STIMECMP, a1
  TEST 33
  # Delegated: S programs its own timer and takes it in S.
  li a1, MIP_STIP
  csrw mideleg, a1
  ENTER MODE_S, 1f
1:
  li a1, MIP_STIP
  csrs sie, a1
  rdtime a1
  addi a1, a1, 300
  csrw CSR_STIMECMP, a1
  csrr a0, CSR_STIMECMP
  CHECK_EQ a0, a1
  EXPECT_TRAP 2f
  csrsi sstatus, MSTATUS_SIE
  SPIN
2:
  CHECK_TRAP IRQ | 5, 1
  csrr a0, sip
  andi a0, a0, MIP_STIP
  CHECK a0, MIP_STIP
  li a1, -1
  csrw CSR_STIMECMP, a1
  csrr a0, sip
  andi a0, a0, MIP_STIP
  CHECK a0, 0
  TEST 34
  # WFI in S (TW = 0) wakes for the S timer.
  rdtime a1
  addi a1, a1, 300
  csrw CSR_STIMECMP, a1
  li a1, MIP_STIP
  csrs sie, a1
  EXPECT_TRAP 2f
  csrsi sstatus, MSTATUS_SIE
  li a3, WAIT_LIMIT
1:
  wfi
  addi a3, a3, -1
  bnez a3, 1b
  FAIL_NOW
2:
  CHECK_TRAP IRQ | 5, 1
  li a1, -1
  csrw CSR_STIMECMP, a1
  GOTO_M 3f
3:
  csrw mideleg, zero
  csrw mie, zero
  PASS

S_TRAP_HANDLER s_trap, 1, 0

# Vector table: entry n records n in tp and joins the common handler.
# (4-byte entries: no compressed jumps here)
.option push
.option norvc
.balign 256
vectors:
  j vec_exception
  j vec_1
  j vec_2
  j vec_3
  j vec_4
  j vec_5
  j vec_6
  j vec_7
.option pop
vec_exception:
  li tp, 100
  j m_trap_entry
vec_1:
  li tp, 1
  j m_trap_entry
vec_2:
  li tp, 2
  j m_trap_entry
vec_3:
  li tp, 3
  j m_trap_entry
vec_4:
  li tp, 4
  j m_trap_entry
vec_5:
  li tp, 5
  j m_trap_entry
vec_6:
  li tp, 6
  j m_trap_entry
vec_7:
  li tp, 7
  j m_trap_entry
