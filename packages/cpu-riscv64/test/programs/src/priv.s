# Privilege architecture without paging: ECALL from M/S/U (causes 11/9/8, xepc = the ecall),
# MRET/SRET effects on MIE/MPIE/MPP and SIE/SPIE/SPP, trap entry stacking (MPIE <- MIE,
# MIE <- 0, MPP <- previous mode; the S-level equivalents), delegation through medeleg (and
# no delegation of traps taken in M), illegal instructions with xtval = the instruction,
# SRET/MRET from too low a privilege, mstatus.TSR/TW/TVM, EBREAK, and access faults on
# loads, stores and instruction fetch from unmapped physical addresses (xtval = the address).
.include "common.inc"
PROGRAM priv

# ---- ECALL from M
  TEST 1
  li a7, 0
  EXPECT_TRAP 2f
1:
  ecall
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ECALL_M, 3
  la a0, 1b
  CHECK_EQ s4, a0
  li a1, MSTATUS_MPP
  and a0, s7, a1
  CHECK a0, MSTATUS_MPP

# ---- MRET to M: MIE <- MPIE, MPIE <- 1, MPP <- U (the least privileged mode)
  TEST 2
  li a1, MSTATUS_MIE
  csrc mstatus, a1
  li a1, MSTATUS_MPIE | MSTATUS_MPP
  csrs mstatus, a1
  la a1, 1f
  csrw mepc, a1
  mret
  FAIL_NOW
1:
  csrr a0, mstatus
  li a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
  and a0, a0, a1
  CHECK a0, MSTATUS_MIE | MSTATUS_MPIE
  TEST 3
  # Same with MPIE = 0: MIE becomes 0.
  li a1, MSTATUS_MPIE
  csrc mstatus, a1
  li a1, MSTATUS_MPP
  csrs mstatus, a1
  la a1, 1f
  csrw mepc, a1
  mret
1:
  csrr a0, mstatus
  li a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
  and a0, a0, a1
  CHECK a0, MSTATUS_MPIE

# ---- to S and back: stacking on the trap, ECALL from S
  TEST 4
  li a1, MSTATUS_MPIE
  csrs mstatus, a1
  ENTER MODE_S, 1f
1:
  li a7, 0
  EXPECT_TRAP 3f
2:
  ecall
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ECALL_S, 3
  la a0, 2b
  CHECK_EQ s4, a0
  # At the trap: MPP = S, MPIE = MIE of S-mode (1, from MPIE at the mret), MIE = 0.
  li a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP
  and a0, s7, a1
  CHECK a0, MSTATUS_MPIE | MSTATUS_MPP_S
  # The handler resumed us in S: M CSRs are out of reach.
  EXPECT_TRAP 4f
  csrr a0, mscratch
  FAIL_NOW
4:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  GOTO_M 5f
5:

# (Not checked: MRET to a mode below M clears MPRV (priv 1.12); QEMU 7.2 leaves it set.)

# ---- ECALL from U
  TEST 6
  ENTER MODE_U, 1f
1:
  li a7, 0
  EXPECT_TRAP 3f
2:
  ecall
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ECALL_U, 3
  la a0, 2b
  CHECK_EQ s4, a0
  li a1, MSTATUS_MPP
  and a0, s7, a1
  CHECK a0, 0
  GOTO_M 4f
4:

# ---- illegal instructions: mtval = the instruction
.macro T_ILL n, word
  TEST \n
  EXPECT_TRAP 8831f
8830:
  .word \word
  FAIL_NOW
8831:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  la a0, 8830b
  CHECK_EQ s4, a0
  li a0, \word
  CHECK_EQ s3, a0
.endm
  # custom-0 opcode
  T_ILL 10, 0x0000000b
  # all ones
  T_ILL 11, 0xffffffff
  # OP with funct7 = 0x7f
  T_ILL 12, 0xfe0505b3
  # SYSTEM with funct3 = 4 and no defined instruction
  T_ILL 13, 0x00004073
  # a load with funct3 = 7 (no such width)
  T_ILL 14, 0x0000f503

# ---- EBREAK
  TEST 15
  EXPECT_TRAP 2f
.option push
.option norvc
1:
  ebreak
.option pop
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_BREAKPOINT, 3
  la a0, 1b
  CHECK_EQ s4, a0

# ---- delegation: U ecalls and illegal instructions go to S when delegated
  la a1, s_trap
  csrw stvec, a1
  li a1, (1 << CAUSE_ECALL_U) | (1 << CAUSE_ILLEGAL)
  csrw medeleg, a1
  TEST 20
  li a1, MSTATUS_SIE
  csrc mstatus, a1
  li a1, MSTATUS_SPIE
  csrs mstatus, a1
  ENTER MODE_U, 1f
1:
  li a7, 0
  EXPECT_TRAP 3f
2:
  ecall
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ECALL_U, 1
  la a0, 2b
  CHECK_EQ s4, a0
  # sstatus at the S trap: SPP = U, SPIE = SIE (0), SIE = 0.
  li a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
  and a0, s7, a1
  CHECK a0, 0
  TEST 21
  EXPECT_TRAP 3f
2:
  .word 0x0000000b
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ILLEGAL, 1
  CHECK s3, 0x0000000b
  la a0, 2b
  CHECK_EQ s4, a0
  GOTO_M 4f
4:
  TEST 22
  # Traps taken in M are never delegated.
  EXPECT_TRAP 3f
  .word 0x0000000b
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  TEST 23
  # From S, a delegated cause stays in S: SPP = S, and SPIE = the SIE S had (1).
  ENTER MODE_S, 1f
1:
  li a1, MSTATUS_SIE
  csrs sstatus, a1
  EXPECT_TRAP 3f
  .word 0x0000000b
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ILLEGAL, 1
  li a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
  and a0, s7, a1
  CHECK a0, MSTATUS_SPIE | MSTATUS_SPP
  TEST 24
  # An undelegated cause from S goes to M: ECALL from S.
  li a7, 0
  EXPECT_TRAP 3f
  ecall
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ECALL_S, 3

# ---- SRET in S: SIE <- SPIE, SPIE <- 1, SPP <- U
  TEST 25
  li a1, MSTATUS_SPP | MSTATUS_SPIE
  csrs sstatus, a1
  li a1, MSTATUS_SIE
  csrc sstatus, a1
  la a1, 1f
  csrw sepc, a1
  sret
  FAIL_NOW
1:
  csrr a0, sstatus
  li a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP
  and a0, a0, a1
  CHECK a0, MSTATUS_SIE | MSTATUS_SPIE
  # SRET with SPP = U drops to U.
  TEST 26
  li a1, MSTATUS_SIE
  csrc sstatus, a1
  la a1, 2f
  csrw sepc, a1
  sret
2:
  EXPECT_TRAP 3f
  csrr a0, sscratch
  FAIL_NOW
3:
  # Illegal (delegated): we really were in U.
  CHECK_TRAP CAUSE_ILLEGAL, 1

# ---- xRET from too low a privilege
  TEST 27
  EXPECT_TRAP 3f
  sret
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ILLEGAL, 1
  TEST 28
  EXPECT_TRAP 3f
  mret
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ILLEGAL, 1
  GOTO_M 4f
4:
  csrw medeleg, zero
  TEST 29
  ENTER MODE_S, 1f
1:
  EXPECT_TRAP 3f
2:
  mret
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  la a0, 2b
  CHECK_EQ s4, a0
  CHECK s3, 0x30200073
  GOTO_M 4f
4:

# ---- mstatus.TSR / TW / TVM trap S-mode SRET / WFI / satp and SFENCE.VMA
  TEST 30
  li a1, MSTATUS_TSR
  csrs mstatus, a1
  ENTER MODE_S, 1f
1:
  la a1, 2f
  csrw sepc, a1
  EXPECT_TRAP 3f
  sret
2:
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  CHECK s3, 0x10200073
  GOTO_M 4f
4:
  li a1, MSTATUS_TSR
  csrc mstatus, a1
  TEST 31
  li a1, MSTATUS_TW
  csrs mstatus, a1
  ENTER MODE_S, 1f
1:
  EXPECT_TRAP 3f
  wfi
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  CHECK s3, 0x10500073
  GOTO_M 4f
4:
  li a1, MSTATUS_TW
  csrc mstatus, a1
  TEST 32
  li a1, MSTATUS_TVM
  csrs mstatus, a1
  ENTER MODE_S, 1f
1:
  EXPECT_TRAP 3f
  csrr a0, satp
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  EXPECT_TRAP 3f
  sfence.vma
  FAIL_NOW
3:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  GOTO_M 4f
4:
  li a1, MSTATUS_TVM
  csrc mstatus, a1
  TEST 33
  # Without TVM, S may use satp and SFENCE.VMA.
  ENTER MODE_S, 1f
1:
  csrr a0, satp
  sfence.vma
  GOTO_M 4f
4:

# ---- access faults: nothing at these physical addresses
  TEST 40
  li a1, 0x28000000
  EXPECT_TRAP 1f
  ld a0, 0(a1)
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_LOAD_ACCESS, 3
  CHECK_EQ s3, a1
  TEST 41
  li a1, 0x100000000000
  EXPECT_TRAP 1f
  sw a0, 4(a1)
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_STORE_ACCESS, 3
  addi a1, a1, 4
  CHECK_EQ s3, a1
  TEST 42
  li a1, 0x28000000
  EXPECT_TRAP 1f
  jalr ra, 8(a1)
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_FETCH_ACCESS, 3
  addi a1, a1, 8
  CHECK_EQ s3, a1
  CHECK_EQ s4, a1
  TEST 43
  # A fault from S, delegated, lands in S with stval.
  la a1, s_trap
  csrw stvec, a1
  li a1, 1 << CAUSE_LOAD_ACCESS
  csrw medeleg, a1
  ENTER MODE_S, 1f
1:
  li a1, 0x28000010
  EXPECT_TRAP 2f
  lbu a0, 0(a1)
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_LOAD_ACCESS, 1
  CHECK_EQ s3, a1
  GOTO_M 4f
4:
  csrw medeleg, zero
  PASS

S_TRAP_HANDLER s_trap, 1, 0
