# H extension basics: misa.H and hstatus.VSXL, the read-only-zero bits of hedeleg/hideleg,
# VS CSRs substituted for S CSRs while V=1, entering VS/VU with MRET (MPV) and SRET (SPV),
# ECALL from VS (cause 10) and VU (8) with mstatus.MPV/MPP, traps from V=1 to HS
# (hstatus.SPV/SPVP, sstatus.SPP) and to VS through hedeleg (vscause/vsepc/vstval), and
# virtual-instruction exceptions (cause 22, xtval = the instruction) for: h/vs CSR access,
# HFENCE and HLV in VS, WFI and h CSRs in VU, WFI with hstatus.VTW, SRET with VTSR,
# satp/SFENCE.VMA with VTVM, and counters blocked by hcounteren; M CSRs from VS stay illegal
# (cause 2), and FP in VS also needs vsstatus.FS.
.include "common.inc"
.include "paging.inc"
.include "hyp.inc"
PROGRAM h_basic

  TEST 1
  csrr a0, misa
  srli a0, a0, 7
  andi a0, a0, 1
  CHECK a0, 1
  TEST 2
  csrr a0, hstatus
  srli a0, a0, 32
  andi a0, a0, 3
  CHECK a0, 2
  TEST 3
  # ecall from HS/VS/M and the guest-page-fault causes can never be delegated to VS.
  li a1, -1
  csrw hedeleg, a1
  csrr a0, hedeleg
  li a2, (1 << 9) | (1 << 10) | (1 << 11) | (0xf << 20)
  and a0, a0, a2
  CHECK a0, 0
  csrw hedeleg, zero
  TEST 4
  # Only VS-level interrupts can be delegated to VS.
  li a1, -1
  csrw hideleg, a1
  csrr a0, hideleg
  li a2, ~0x444
  and a0, a0, a2
  CHECK a0, 0
  csrw hideleg, zero

  # G-stage: the image identically, for VS/VU (G-stage leaves need U).
  PTE groot, 2, 0x80000000, PTE_LEAF | PTE_RWX | PTE_U
  SET_HGATP HGATP_SV39X4, groot
  csrw vsatp, zero
  la t1, hs_trap
  csrw stvec, t1
  la t1, vs_trap
  csrw vstvec, t1

# ---- VS CSRs stand in for S CSRs when V=1
  TEST 10
  li a1, 0x1111
  csrw sscratch, a1
  li a1, 0x2222
  csrw vsscratch, a1
  ENTER MODE_VS, 1f
1:
  csrr a0, sscratch
  CHECK a0, 0x2222
  li a1, 0x3333
  csrw sscratch, a1
  li a7, 0
  EXPECT_TRAP 2f
3:
  ecall
  FAIL_NOW
2:
  # ECALL from VS: cause 10, in M, MPV = 1, MPP = S.
  CHECK_TRAP CAUSE_ECALL_VS, 3
  la a0, 3b
  CHECK_EQ s4, a0
  li a1, MSTATUS_MPV | MSTATUS_MPP | MSTATUS_GVA
  and a0, s7, a1
  CHECK a0, MSTATUS_MPV | MSTATUS_MPP_S
  GOTO_M 4f
4:
  TEST 11
  csrr a0, vsscratch
  CHECK a0, 0x3333
  csrr a0, sscratch
  CHECK a0, 0x1111
  TEST 12
  # ECALL from VU: cause 8 with MPV = 1, MPP = U.
  ENTER MODE_VU, 1f
1:
  li a7, 0
  EXPECT_TRAP 2f
  ecall
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ECALL_U, 3
  li a1, MSTATUS_MPV | MSTATUS_MPP
  and a0, s7, a1
  CHECK a0, MSTATUS_MPV
  GOTO_M 4f
4:

# ---- virtual-instruction exceptions (taken in M here: medeleg = 0)
.macro T_VIRT n, mode, word, check_tval=1
  TEST \n
  ENTER \mode, 8871f
8871:
  EXPECT_TRAP 8873f
8872:
  .word \word
  FAIL_NOW
8873:
  CHECK_TRAP CAUSE_VIRTUAL_INSTRUCTION, 3
  la a0, 8872b
  CHECK_EQ s4, a0
.if \check_tval
  li a0, \word
  CHECK_EQ s3, a0
.endif
  li a1, MSTATUS_MPV
  and a0, s7, a1
  CHECK a0, MSTATUS_MPV
  GOTO_M 8874f
8874:
.endm
  # csrr a0, hstatus
  T_VIRT 20, MODE_VS, 0x60002573
  # csrr a0, vsstatus
  T_VIRT 21, MODE_VS, 0x20002573
  # csrw hgatp, a1
  T_VIRT 22, MODE_VS, 0x68059073
  # hfence.gvma
  T_VIRT 23, MODE_VS, 0x62000073
  # hfence.vvma
  T_VIRT 24, MODE_VS, 0x22000073
  # hlv.d a0, (a1) (mtval not checked: QEMU 7.2 reports a stale instruction there)
  T_VIRT 25, MODE_VS, 0x6c05c573, 0
  # (Not checked: VU reading sstatus is a virtual-instruction exception; QEMU 7.2 raises
  # illegal instruction.)
  # (Not checked: VU executing SRET or SFENCE.VMA is a virtual-instruction exception; QEMU 7.2
  # raises illegal instruction.)
  # VU: wfi (mstatus.TW = 0)
  T_VIRT 28, MODE_VU, 0x10500073
  # VU: csrr a0, hstatus
  T_VIRT 30, MODE_VU, 0x60002573
  TEST 31
  # WFI in VS with hstatus.VTW = 1
  li a1, HSTATUS_VTW
  csrs hstatus, a1
  T_VIRT 32, MODE_VS, 0x10500073
  li a1, HSTATUS_VTW
  csrc hstatus, a1
  TEST 33
  # SRET in VS with hstatus.VTSR = 1
  li a1, HSTATUS_VTSR
  csrs hstatus, a1
  T_VIRT 34, MODE_VS, 0x10200073
  li a1, HSTATUS_VTSR
  csrc hstatus, a1
  TEST 35
  # satp and SFENCE.VMA in VS with hstatus.VTVM = 1
  li a1, HSTATUS_VTVM
  csrs hstatus, a1
  # (Not checked: csrr satp in VS with VTVM = 1 is a virtual-instruction exception; QEMU 7.2
  # does not trap.)
  T_VIRT 37, MODE_VS, 0x12000073
  li a1, HSTATUS_VTVM
  csrc hstatus, a1
  TEST 38
  # Counters: mcounteren allows, hcounteren does not -> virtual instruction in VS.
  li a1, 7
  csrw mcounteren, a1
  csrw hcounteren, zero
  # rdcycle a0
  T_VIRT 39, MODE_VS, 0xc0002573
  TEST 40
  li a1, 7
  csrw hcounteren, a1
  ENTER MODE_VS, 1f
1:
  rdcycle a0
  rdtime a0
  GOTO_M 2f
2:
  csrw mcounteren, zero
  csrw hcounteren, zero
  TEST 41
  # mcounteren = 0 wins: illegal, not virtual.
  ENTER MODE_VS, 1f
1:
  EXPECT_TRAP 2f
  rdcycle a0
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  GOTO_M 3f
3:
  TEST 42
  # An M CSR from VS is illegal, not virtual.
  ENTER MODE_VS, 1f
1:
  EXPECT_TRAP 2f
  csrr a0, mstatus
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  GOTO_M 3f
3:

# ---- FP in VS needs vsstatus.FS as well
  TEST 45
  csrw vsstatus, zero
  ENTER MODE_VS, 1f
1:
  EXPECT_TRAP 2f
  fmv.d.x f1, zero
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  GOTO_M 3f
3:
  li a1, MSTATUS_FS_INITIAL
  csrw vsstatus, a1
  ENTER MODE_VS, 1f
1:
  li a1, 0x1234
  fmv.d.x f1, a1
  fmv.x.d a0, f1
  CHECK a0, 0x1234
  # The write dirtied vsstatus.FS (seen as sstatus.FS here).
  csrr a0, sstatus
  li a1, MSTATUS_FS
  and a0, a0, a1
  CHECK a0, MSTATUS_FS_DIRTY
  GOTO_M 3f
3:
  TEST 46
  # ... and mstatus.FS is dirtied too.
  csrr a0, mstatus
  li a1, MSTATUS_FS
  and a0, a0, a1
  CHECK a0, MSTATUS_FS_DIRTY

# ---- traps from V=1 delegated to HS: hstatus.SPV/SPVP, sstatus.SPP
  TEST 50
  li a1, (1 << CAUSE_ECALL_VS) | (1 << CAUSE_ILLEGAL) | (1 << CAUSE_ECALL_U)
  csrw medeleg, a1
  ENTER MODE_VS, 1f
1:
  li a7, 0
  EXPECT_TRAP 2f
3:
  ecall
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ECALL_VS, 1
  la a0, 3b
  CHECK_EQ s4, a0
  li a1, HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_GVA
  and a0, s9, a1
  CHECK a0, HSTATUS_SPV | HSTATUS_SPVP
  li a1, MSTATUS_SPP
  and a0, s7, a1
  CHECK a0, MSTATUS_SPP
  TEST 51
  # Illegal instruction from VU, delegated to HS: SPV = 1, SPVP = 0, SPP = 0.
  GOTO_M 4f
4:
  ENTER MODE_VU, 1f
1:
  EXPECT_TRAP 2f
  .word 0x0000000b
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 1
  CHECK s3, 0x0000000b
  li a1, HSTATUS_SPV | HSTATUS_SPVP
  and a0, s9, a1
  CHECK a0, HSTATUS_SPV
  li a1, MSTATUS_SPP
  and a0, s7, a1
  CHECK a0, 0
  GOTO_M 4f
4:
  TEST 52
  # A trap from HS itself: SPV = 0 (SPVP untouched).
  ENTER MODE_S, 1f
1:
  EXPECT_TRAP 2f
  .word 0x0000000b
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 1
  li a1, HSTATUS_SPV
  and a0, s9, a1
  CHECK a0, 0

# ---- SRET from HS with hstatus.SPV = 1 enters VS; SPVP/SPP select VS vs VU
  TEST 53
  li a1, HSTATUS_SPV
  csrs hstatus, a1
  li a1, MSTATUS_SPP
  csrs sstatus, a1
  la a1, 3f
  csrw sepc, a1
  sret
3:
  # V=1 now: sscratch is vsscratch.
  li a1, 0x4444
  csrw sscratch, a1
  GOTO_M 4f
4:
  csrr a0, vsscratch
  CHECK a0, 0x4444

# ---- delegation onward to VS through hedeleg
  TEST 60
  # (Breakpoints rather than illegal instructions: QEMU 7.2 turns a delegated exception whose
  # cause number equals a VS interrupt's (2, 6, 10) into that cause minus one.)
  li a1, (1 << CAUSE_BREAKPOINT) | (1 << CAUSE_ECALL_U)
  csrw hedeleg, a1
  li a1, 1 << CAUSE_BREAKPOINT
  csrs medeleg, a1
  ENTER MODE_VU, 1f
1:
  li a7, 0
  EXPECT_TRAP 2f
3:
  ecall
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ECALL_U, 5
  la a0, 3b
  CHECK_EQ s4, a0
  # vsstatus.SPP = 0 (from VU)
  li a1, MSTATUS_SPP
  and a0, s7, a1
  CHECK a0, 0
  TEST 61
  EXPECT_TRAP 2f
.option push
.option norvc
3:
  ebreak
.option pop
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_BREAKPOINT, 5
  la a0, 3b
  CHECK_EQ s4, a0
  GOTO_M 4f
4:
  TEST 63
  # A breakpoint in VS goes to VS too (hedeleg), with vsstatus.SPP = 1.
  ENTER MODE_VS, 1f
1:
  EXPECT_TRAP 2f
  ebreak
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_BREAKPOINT, 5
  li a1, MSTATUS_SPP
  and a0, s7, a1
  CHECK a0, MSTATUS_SPP
  TEST 64
  # A virtual-instruction exception is never delegated to VS: it goes to HS when delegated.
  li a7, ECALL_TO_M
  GOTO_M 4f
4:
  li a1, (1 << CAUSE_VIRTUAL_INSTRUCTION) | (1 << CAUSE_ECALL_VS)
  csrs medeleg, a1
  ENTER MODE_VS, 1f
1:
  EXPECT_TRAP 2f
  csrr a0, hstatus
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_VIRTUAL_INSTRUCTION, 1
  CHECK s3, 0x60002573
  GOTO_M 4f
4:
  csrw medeleg, zero
  csrw hedeleg, zero
  PASS

S_TRAP_HANDLER hs_trap, 1, 1
S_TRAP_HANDLER vs_trap, 5, 0

.bss
.balign 16384
groot: .skip 16384
