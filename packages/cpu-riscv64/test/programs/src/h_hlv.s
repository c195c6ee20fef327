# Hypervisor virtual-machine loads and stores and fences: HLV.B/BU/H/HU/W/WU/D and
# HSV.B/H/W/D through both translation stages from HS-mode and M-mode, hstatus.SPVP selecting
# VS or VU permissions (U pages, vsstatus.SUM for VS), HLVX.HU/WU,
# HLV on execute-only pages only with MXR, faults of these accesses taken in HS with
# SPV = 0 but GVA = 1 (page fault 13, guest-page faults 21/23 with htval and the transformed HLV/HSV in
# htinst), U-mode use gated by hstatus.HU, HFENCE.VVMA / HFENCE.GVMA after remapping, and
# M-mode loads through two-stage translation with mstatus.MPRV and MPV.
.include "common.inc"
.include "paging.inc"
.include "hyp.inc"
PROGRAM h_hlv
HTINST_FLAG

.equ P0, 0x80300000
.equ P1, 0x80301000
.equ P3, 0x80303000
.equ P4, 0x80304000
.equ G0, 0x40000000
.equ G1, 0x40001000
.equ G2, 0x40002000
.equ G3, 0x40003000
.equ G4, 0x40004000
# Guest virtual addresses.
.equ V_S, 0x40000000
.equ V_U, 0x40001000
.equ V_X, 0x40002000
.equ V_XO, 0x40006000
.equ V_GBAD, 0x40003000
.equ V_GRO, 0x40004000
# A second U page, first touched with SPVP = 1.
.equ V_U2, 0x40005000

  PTE groot, 2, 0x80000000, PTE_LEAF | PTE_RWX | PTE_U
  PTE_TO groot, 1, gl1, PTE_V
  PTE_TO gl1, 0, gl0, PTE_V
  PTE gl0, 0, P0, PTE_LEAF | PTE_R | PTE_W | PTE_U
  PTE gl0, 1, P1, PTE_LEAF | PTE_R | PTE_U
  PTE gl0, 3, P3, PTE_LEAF | PTE_R | PTE_X | PTE_U
  PTE gl0, 4, P4, PTE_LEAF | PTE_R | PTE_W | PTE_U
  PTE vroot, 2, 0x80000000, PTE_LEAF | PTE_RWX
  PTE_TO vroot, 1, vl1, PTE_V
  PTE_TO vl1, 0, vl0, PTE_V
  PTE vl0, 0, G0, PTE_LEAF | PTE_R | PTE_W
  PTE vl0, 1, G0, PTE_LEAF | PTE_R | PTE_W | PTE_U
  PTE vl0, 2, G3, PTE_LEAF | PTE_R | PTE_X
  PTE vl0, 6, G3, PTE_LEAF | PTE_X
  PTE vl0, 3, G2, PTE_LEAF | PTE_R | PTE_W
  PTE vl0, 4, G1, PTE_LEAF | PTE_R | PTE_W
  PTE vl0, 5, G0, PTE_LEAF | PTE_R | PTE_W | PTE_U
  POKE P0, 0x8182838485868788
  POKE P1, 0x7001
  POKE P3, 0xfedcba9876543210
  POKE P4, 0x7004
  SET_HGATP HGATP_SV39X4, groot
  SET_VSATP SATP_SV39, vroot
  # HS runs with paging on (identity). (QEMU 7.2 reports VS-stage faults of HLV/HSV as access
  # faults when HS's own satp is Bare.)
  PTE hsroot, 2, 0x80000000, PTE_LEAF | PTE_RWX
  SET_SATP SATP_SV39, hsroot
  csrw vsstatus, zero
  la t1, hs_trap
  csrw stvec, t1
  li t1, (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE) | (1 << CAUSE_LOAD_GUEST_PAGE) | (1 << CAUSE_STORE_GUEST_PAGE) | (1 << CAUSE_ILLEGAL)
  csrw medeleg, t1
  li t1, HSTATUS_SPVP
  csrs hstatus, t1
  ENTER MODE_S, hs_tests

.macro T_HLV n, op, offset, expected
  TEST \n
  li a1, V_S + \offset
  \op a0, (a1)
  CHECK a0, \expected
.endm

hs_tests:
  T_HLV 1, hlv.d, 0, 0x8182838485868788
  T_HLV 2, hlv.b, 0, 0xffffffffffffff88
  T_HLV 3, hlv.bu, 0, 0x88
  T_HLV 4, hlv.b, 7, 0xffffffffffffff81
  T_HLV 5, hlv.h, 0, 0xffffffffffff8788
  T_HLV 6, hlv.hu, 2, 0x8586
  T_HLV 7, hlv.w, 0, 0xffffffff85868788
  T_HLV 8, hlv.wu, 4, 0x81828384
  TEST 9
  li a1, V_S + 0x100
  li a2, 0x1122334455667788
  hsv.d a2, (a1)
  li a3, P0 + 0x100
  ld a0, 0(a3)
  CHECK a0, 0x1122334455667788
  li a2, 0xaa
  hsv.b a2, (a1)
  li a2, 0xbbcc
  addi a4, a1, 2
  hsv.h a2, (a4)
  li a2, 0xddeeff00
  addi a4, a1, 4
  hsv.w a2, (a4)
  ld a0, 0(a3)
  CHECK a0, 0xddeeff00bbcc77aa

  # SPVP = 0: VU permissions.
  TEST 10
  li a1, HSTATUS_SPVP
  csrc hstatus, a1
  # (The architecture needs no fence after an SPVP change; QEMU 7.2 keeps translations cached
  # across it, so flush to stay portable.)
  hfence.vvma
  li a1, V_U
  hlv.d a0, (a1)
  CHECK a0, 0x8182838485868788
  TEST 11
  li a1, V_S
  EXPECT_TRAP 2f
  hlv.d a0, (a1)
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_LOAD_PAGE, 1
  CHECK_EQ s3, a1
  CHECK s5, 0
  # taken in HS from HS: SPV = 0, but stval holds a guest virtual address: GVA = 1
  li t1, HSTATUS_GVA | HSTATUS_SPV
  and a0, s9, t1
  CHECK a0, HSTATUS_GVA
  TEST 12
  EXPECT_TRAP 2f
  hsv.w a0, (a1)
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_STORE_PAGE, 1
  CHECK_EQ s3, a1

  # SPVP = 1: VS permissions; U pages with vsstatus.SUM. (Not checked: without SUM the access
  # faults; QEMU 7.2 behaves as if SUM were always set for HLV/HSV.)
  li a1, HSTATUS_SPVP
  csrs hstatus, a1
  hfence.vvma
  li a1, V_U2
  TEST 14
  li a2, MSTATUS_SUM
  csrs vsstatus, a2
  hlv.d a0, (a1)
  CHECK a0, 0x8182838485868788
  csrc vsstatus, a2

  # HLVX reads an R+X page. (Not checked: HLVX needs X and not R, so it reads execute-only
  # pages and faults on pages without X; QEMU 7.2 treats HLVX as a plain load.)
  TEST 15
  li a1, V_X
  hlvx.wu a0, (a1)
  CHECK a0, 0x76543210
  hlvx.hu a0, (a1)
  CHECK a0, 0x3210
  addi a1, a1, 6
  hlvx.hu a0, (a1)
  CHECK a0, 0xfedc
  # HLV on an execute-only page faults unless MXR.
  TEST 17
  li a1, V_XO
  EXPECT_TRAP 2f
  hlv.w a0, (a1)
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_LOAD_PAGE, 1
  TEST 18
  # HS's sstatus.MXR makes execute-only pages readable in both stages. (Not checked:
  # vsstatus.MXR alone does it for the VS stage; QEMU 7.2 ignores it for HLV.)
  li a2, MSTATUS_MXR
  csrs sstatus, a2
  hfence.vvma
  hlv.wu a0, (a1)
  CHECK a0, 0x76543210
  csrc sstatus, a2

  # Guest-page faults of HLV/HSV: htval = GPA >> 2, htinst = the instruction with rs1 = 0.
  TEST 22
  li a1, V_GBAD + 0x18
  EXPECT_TRAP 2f
.option push
.option norvc
  hlv.d a0, (a1)
.option pop
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_LOAD_GUEST_PAGE, 1
  CHECK_EQ s3, a1
  CHECK s5, (G2 + 0x18) >> 2
  li t1, HSTATUS_GVA | HSTATUS_SPV
  and a0, s9, t1
  CHECK a0, HSTATUS_GVA
  # hlv.d a0, (a1) = 0x6c05c573 -> 0x6c004573
  CHECK_TINST 0x6c004573
  TEST 23
  li a1, V_GRO + 8
  EXPECT_TRAP 2f
  hsv.d a0, (a1)
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_STORE_GUEST_PAGE, 1
  CHECK_EQ s3, a1
  CHECK s5, (G1 + 8) >> 2
  # hsv.d a0, (a1) = 0x6ea5c073 -> 0x6ea04073
  CHECK_TINST 0x6ea04073

  # U-mode: only with hstatus.HU.
  GOTO_M 1f
1:
  csrw satp, zero
  sfence.vma
  TEST 20
  ENTER MODE_U, 1f
1:
  li a1, V_S
  EXPECT_TRAP 2f
  hlv.d a0, (a1)
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_ILLEGAL, 1
  GOTO_M 3f
3:
  li a1, HSTATUS_HU
  csrs hstatus, a1
  ENTER MODE_U, 1f
1:
  TEST 21
  li a1, V_S
  hlv.d a0, (a1)
  CHECK a0, 0x8182838485868788
  GOTO_M m_tests

m_tests:
  li a1, HSTATUS_HU
  csrc hstatus, a1
  # M-mode may use HLV too.
  TEST 30
  li a1, V_S + 0x100
  hlv.d a0, (a1)
  CHECK a0, 0xddeeff00bbcc77aa
  # HFENCE.VVMA after a VS-stage remap (V_S -> G4)
  TEST 31
  PTE vl0, 0, G4, PTE_LEAF | PTE_R | PTE_W
  hfence.vvma
  li a1, V_S
  hlv.d a0, (a1)
  CHECK a0, 0x7004
  # HFENCE.GVMA after a G-stage remap (G4 -> P1)
  TEST 32
  PTE gl0, 4, P1, PTE_LEAF | PTE_R | PTE_W | PTE_U
  hfence.gvma
  li a1, V_S
  hlv.d a0, (a1)
  CHECK a0, 0x7001
  # MPRV with MPV = 1: M-mode loads and stores go through both stages as VS.
  TEST 33
  li a2, MSTATUS_MPP
  csrc mstatus, a2
  li a2, MSTATUS_MPP_S | MSTATUS_MPV | MSTATUS_MPRV
  csrs mstatus, a2
  li a1, V_GRO
  ld a0, 0(a1)
  li a2, MSTATUS_MPRV | MSTATUS_MPV
  csrc mstatus, a2
  CHECK a0, 0x7001
  csrw medeleg, zero
  csrw hgatp, zero
  csrw vsatp, zero
  hfence.gvma
  hfence.vvma
  PASS

S_TRAP_HANDLER hs_trap, 1, 1

.bss
.balign 16384
groot: .skip 16384
gl1: .skip 4096
gl0: .skip 4096
vroot: .skip 4096
vl1: .skip 4096
vl0: .skip 4096
hsroot: .skip 4096
