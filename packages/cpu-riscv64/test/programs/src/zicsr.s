# Zicsr and Zicntr: the six CSR instructions (old value to rd, new value written; CSRRS/CSRRC
# with rs1 = x0 and CSRRSI/CSRRCI with a zero immediate do not write), illegal accesses
# (write to a read-only CSR; unknown CSRs; M-only CSRs from S and U; S CSRs from U) with
# mtval = the instruction, read-only machine information registers, misa, WARL legalisation of
# mstatus.SXL/UXL and satp, the sstatus/sie/sip views of their machine registers, and the cycle/time/instret counters with mcounteren/scounteren.
.include "common.inc"
PROGRAM zicsr

# ---- the instructions
  TEST 1
  li a1, 0x1234
  csrw mscratch, a1
  li a2, 0xff00
  csrrw a0, mscratch, a2
  CHECK a0, 0x1234
  csrr a0, mscratch
  CHECK a0, 0xff00
  TEST 2
  li a2, 0x0ff0
  csrrs a0, mscratch, a2
  CHECK a0, 0xff00
  csrr a0, mscratch
  CHECK a0, 0xfff0
  TEST 3
  li a2, 0x0f0f
  csrrc a0, mscratch, a2
  CHECK a0, 0xfff0
  csrr a0, mscratch
  CHECK a0, 0xf0f0
  TEST 4
  csrrwi a0, mscratch, 0x1f
  CHECK a0, 0xf0f0
  csrrsi a0, mscratch, 0x20 - 0x20 + 0x10
  CHECK a0, 0x1f
  csrrci a0, mscratch, 0x3
  CHECK a0, 0x1f
  csrr a0, mscratch
  CHECK a0, 0x1c
  TEST 5
  # rd = rs1: the old value goes to rd, the write uses the register's old content.
  li a0, 0x55
  csrw mscratch, a0
  li a0, 0xaa
  csrrw a0, mscratch, a0
  CHECK a0, 0x55
  csrr a0, mscratch
  CHECK a0, 0xaa
  TEST 6
  # Full 64-bit values.
  li a1, 0xfedcba9876543210
  csrw mscratch, a1
  csrr a0, mscratch
  CHECK a0, 0xfedcba9876543210
  csrrwi x0, mscratch, 0
  csrr a0, mscratch
  CHECK a0, 0

# ---- read-only CSRs: reads are fine, writes (and attempted writes) are illegal
  TEST 10
  csrr a0, mhartid
  CHECK a0, 0
  csrr a0, mvendorid
  csrr a0, marchid
  csrr a0, mimpid
  csrrs a0, mhartid, x0
  csrrsi a0, mhartid, 0
  csrrci a0, mhartid, 0
  CHECK a0, 0
.macro T_ILLEGAL n, insn:vararg
  TEST \n
  EXPECT_TRAP 8821f
8820:
  \insn
  FAIL_NOW
8821:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  la a0, 8820b
  CHECK_EQ s4, a0
  lwu a0, 0(a0)
  CHECK_EQ s3, a0
.endm
.option push
.option norvc
  T_ILLEGAL 11, csrw mhartid, a1
  T_ILLEGAL 12, csrrw x0, mhartid, x0
  T_ILLEGAL 13, csrrs a0, mhartid, a2
  T_ILLEGAL 14, csrrsi a0, mvendorid, 1
  T_ILLEGAL 15, csrw cycle, a1
  T_ILLEGAL 16, csrw instret, a1
  T_ILLEGAL 17, csrw time, a1
  # No such CSRs.
  T_ILLEGAL 18, csrr a0, 0x7ff
  T_ILLEGAL 19, csrr a0, 0x5ff
  T_ILLEGAL 20, csrrw a0, 0x8ff, a1
.option pop
  # (Not checked: CSRRS with a non-x0 register holding zero is an attempted write, so on a
  # read-only CSR it is illegal; QEMU 7.2 does not trap, so the check could not pass there.)

# ---- misa: RV64 with I, M, A, F, D, C, S, U (and H on the configurations we run)
  TEST 30
  csrr a0, misa
  srli a1, a0, 62
  CHECK a1, 2
  li a2, (1 << 8) | (1 << 12) | (1 << 0) | (1 << 5) | (1 << 3) | (1 << 2) | (1 << 18) | (1 << 20)
  and a1, a0, a2
  CHECK_EQ a1, a2

# ---- mstatus WARL: SXL/UXL read 2 (64-bit)
  TEST 40
  csrr s10, mstatus
  li a1, 0xf00000000
  csrc mstatus, a1
  csrr a0, mstatus
  and a0, a0, a1
  CHECK a0, 0xa00000000
  # (Not checked: MPP is WARL and cannot hold the reserved value 2, but QEMU 7.2 keeps it.)
  csrw mstatus, s10

# ---- sstatus is a restricted view of mstatus
  TEST 50
  li a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SUM | MSTATUS_MXR
  csrs sstatus, a1
  csrr a0, mstatus
  and a0, a0, a1
  CHECK_EQ a0, a1
  csrc mstatus, a1
  csrr a0, sstatus
  and a0, a0, a1
  CHECK a0, 0
  TEST 51
  # M-only fields are invisible and unwritable through sstatus.
  li a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR | MSTATUS_MPRV
  csrc mstatus, a1
  csrs sstatus, a1
  csrr a0, mstatus
  and a0, a0, a1
  CHECK a0, 0
  li a2, MSTATUS_MPP
  csrs mstatus, a2
  csrr a0, sstatus
  and a0, a0, a1
  CHECK a0, 0

# ---- mepc/sepc/mtval/stval hold what is written
# (Not checked: mepc[0]/sepc[0] always read 0, which QEMU 7.2 does not implement.)
  TEST 60
  li a1, 0x80001234
  csrw mepc, a1
  csrr a0, mepc
  CHECK a0, 0x80001234
  csrw sepc, a1
  csrr a0, sepc
  CHECK a0, 0x80001234
  TEST 61
  li a1, 0x1234
  csrw mtval, a1
  csrr a0, mtval
  CHECK a0, 0x1234
  csrw stval, a1
  csrr a0, stval
  CHECK a0, 0x1234

# ---- satp: a write with an unsupported MODE has no effect at all
  TEST 70
  li a1, (8 << 60) | 0x80123
  csrw satp, a1
  csrr a0, satp
  CHECK_EQ a0, a1
  li a2, (15 << 60) | 0x456
  csrw satp, a2
  csrr a0, satp
  CHECK_EQ a0, a1
  csrw satp, zero
  csrr a0, satp
  CHECK a0, 0

# ---- sie/sip: views of mie/mip restricted to the delegated interrupts
  TEST 80
  csrw mideleg, zero
  li a1, 0x222
  csrw mie, a1
  csrr a0, sie
  CHECK a0, 0
  li a1, 0x222
  csrw mideleg, a1
  csrr a0, mideleg
  # (with H, the VS-level and SGEI bits 0x1444 read as one as well)
  andi a0, a0, 0x222
  CHECK a0, 0x222
  csrr a0, sie
  CHECK a0, 0x222
  TEST 81
  csrw sie, zero
  csrr a0, mie
  CHECK a0, 0
  li a1, 0x2
  csrs sie, a1
  csrr a0, mie
  CHECK a0, 0x2
  csrw mie, zero
  TEST 82
  # SSIP is software-writable through mip, and through sip when delegated.
  li a1, 0x2
  csrs mip, a1
  csrr a0, sip
  CHECK a0, 0x2
  csrc sip, a1
  csrr a0, mip
  andi a0, a0, 0x2
  CHECK a0, 0
  TEST 83
  # The machine-level bits of mie/mip never show in sie/sip.
  li a1, 0x888
  csrs mie, a1
  csrr a0, sie
  CHECK a0, 0
  csrw mie, zero
  csrw mideleg, zero
  csrr a0, sie
  CHECK a0, 0

# ---- counters in M-mode
  TEST 90
  rdcycle a0
  rdinstret a1
  rdtime a2
  nop
  nop
  rdcycle a3
  rdinstret a4
  rdtime a5
  bltu a3, a0, fail
  bgeu a1, a4, fail
  bltu a5, a2, fail
  TEST 91
  # mcycle/minstret are writable and count on from the written value. (QEMU without icount
  # counts host ticks, so only a loose bound is portable.)
  csrw minstret, zero
  csrr a0, minstret
  li a1, 0x1000000
  bgeu a0, a1, fail
  li a1, 0x123456789
  csrw mcycle, a1
  csrr a0, mcycle
  bltu a0, a1, fail
  TEST 92
  # time follows the CLINT's mtime.
  li a1, CLINT_MTIME
  ld a2, 0(a1)
  rdtime a0
  ld a3, 0(a1)
  bltu a0, a2, fail
  bltu a3, a0, fail
  TEST 93
  # time keeps running: wait until it moves.
  rdtime a2
  li a3, 1000000
1:
  rdtime a0
  bne a0, a2, 2f
  addi a3, a3, -1
  bnez a3, 1b
  FAIL_NOW
2:

# ---- privilege checks on CSRs, and the counter enables
  TEST 100
  # S-mode cannot touch M CSRs.
  ENTER MODE_S, 1f
1:
  EXPECT_TRAP 2f
3:
  csrr a0, mstatus
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  la a0, 3b
  CHECK_EQ s4, a0
  # and the trap came from S: mstatus.MPP = 1.
  li a1, MSTATUS_MPP
  and a0, s7, a1
  CHECK a0, MSTATUS_MPP_S
  TEST 101
  # S-mode may use S CSRs.
  li a1, 0x77
  csrw sscratch, a1
  csrr a0, sscratch
  CHECK a0, 0x77
  TEST 102
  # Counters from S with mcounteren = 0 are illegal.
  EXPECT_TRAP 2f
  rdcycle a0
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  EXPECT_TRAP 2f
  rdtime a0
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  GOTO_M 4f
4:
  TEST 103
  li a1, 7
  csrw mcounteren, a1
  ENTER MODE_S, 1f
1:
  rdcycle a0
  rdtime a0
  rdinstret a0
  # S grants nothing to U yet.
  csrw scounteren, zero
  GOTO_M 4f
4:
  TEST 104
  ENTER MODE_U, 1f
1:
  EXPECT_TRAP 2f
  rdinstret a0
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  TEST 105
  # U cannot touch S CSRs.
  EXPECT_TRAP 2f
  csrr a0, sstatus
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  GOTO_M 4f
4:
  TEST 106
  # With both enables U may read the counters; clearing only mcounteren.TM blocks time.
  li a1, 7
  csrw scounteren, a1
  li a1, 5
  csrw mcounteren, a1
  ENTER MODE_U, 1f
1:
  rdcycle a0
  rdinstret a0
  EXPECT_TRAP 2f
  rdtime a0
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  GOTO_M 4f
4:
  csrw mcounteren, zero
  csrw scounteren, zero
  PASS
