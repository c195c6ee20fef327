# H extension two-stage translation (hgatp Sv39x4), page tables built by the program.
# VS-stage off: G-stage 4 KiB / 2 MiB / 1 GiB leaves, a root index above 511 (the x4 widening),
# G-stage permissions (U required, read-only, execute-only), G-stage A/D updates, guest physical
# addresses beyond 41 bits, HFENCE.GVMA after a remap. (GPAs with bit 40 set are not used:
# QEMU 7.2 rejects them although Sv39x4 allows 41-bit GPAs.) VS-stage on (vsatp Sv39, tables in guest
# memory): both stages combined, VS-stage page faults (13, xtval = GVA, htval = 0), guest-page
# faults on the final GPA and on the implicit VS page-table reads (htval = the PTE's GPA >> 2,
# htinst = the 0x3000 pseudo-instruction), HFENCE.VVMA after a VS remap, VS A/D updates.
# Guest-page faults 20/21/23 are checked with exact xtval (GVA), htval/mtval2 (GPA >> 2),
# mstatus.GVA / hstatus.GVA and MPV/SPV, and htinst/mtinst (the transformed load/store, or 0).
.include "common.inc"
.include "paging.inc"
.include "hyp.inc"
PROGRAM h_gstage
HTINST_FLAG

# Host pages behind the guest-physical test pages.
.equ P0, 0x80300000
.equ P1, 0x80301000
.equ P3, 0x80303000
.equ P4, 0x80304000
.equ P5, 0x80305000
.equ BIG, 0x80400000
# Guest-physical addresses.
.equ G0, 0x40000000
.equ G1, 0x40001000
.equ G2, 0x40002000
.equ G3, 0x40003000
.equ G4, 0x40004000
.equ G5, 0x40005000
.equ G2M, 0x40200000
.equ GWIDE, 0x8000000000
.equ GTOOBIG, 0x20000000000

  # G-stage (guest physical -> host physical).
  PTE groot, 2, 0x80000000, PTE_LEAF | PTE_RWX | PTE_U
  PTE groot, 512, 0x80000000, PTE_LEAF | PTE_R | PTE_W | PTE_U
  PTE_TO groot, 1, gl1, PTE_V
  PTE_TO gl1, 0, gl0, PTE_V
  PTE gl1, 1, BIG, PTE_LEAF | PTE_R | PTE_W | PTE_U
  PTE gl0, 0, P0, PTE_LEAF | PTE_R | PTE_W | PTE_U
  PTE gl0, 1, P1, PTE_LEAF | PTE_R | PTE_U
  # gl0[2] (G2) stays invalid.
  PTE gl0, 3, P3, PTE_LEAF | PTE_X | PTE_U
  PTE gl0, 4, P4, PTE_V | PTE_R | PTE_W | PTE_U
  PTE gl0, 5, P5, PTE_LEAF | PTE_R | PTE_W
  POKE P0, 0x6000
  POKE P1, 0x6001
  POKE P4, 0x6004
  POKE P5, 0x6005
  POKE BIG + 0x10, 0x6200
  # P3: "li a0, 0x55; ret"
  li t1, P3
  li t2, 0x05500513
  sw t2, 0(t1)
  li t2, 0x00008067
  sw t2, 4(t1)
  fence.i
  SET_HGATP HGATP_SV39X4, groot
  csrw vsatp, zero
  la t1, hs_trap
  csrw stvec, t1
  la t1, vs_trap
  csrw vstvec, t1

# Expect a guest-page fault taken in M: cause, GVA (mtval), GPA (mtval2 = GPA >> 2).
.macro EXPECT_GPF_M n, cause, base, gva, gpa, insn:vararg
  TEST \n
  li a1, \base
  EXPECT_TRAP 8881f
8880:
  # uncompressed, so the transformed instruction is the 32-bit form
.option push
.option norvc
  \insn
.option pop
  FAIL_NOW
8881:
  CHECK_TRAP \cause, 3
  CHECK s3, \gva
  CHECK s5, (\gpa) >> 2
  li t1, MSTATUS_GVA | MSTATUS_MPV
  and a0, s7, t1
  CHECK_EQ a0, t1
.endm

  ENTER MODE_VS, vs_off
vs_off:
  TEST 1
  li a1, G0
  ld a0, 0(a1)
  CHECK a0, 0x6000
  sd a1, 8(a1)
  EXPECT_GPF_M 2, CAUSE_STORE_GUEST_PAGE, G1, G1 + 8, G1 + 8, sd a0, 8(a1)
  # sd a0, 8(a1) = 0x00a5b423 -> transformed: imm and rs1 cleared = 0x00a03023
  CHECK_TINST 0x00a03023
  EXPECT_GPF_M 3, CAUSE_LOAD_GUEST_PAGE, G2, G2 + 0x28, G2 + 0x28, ld a0, 0x28(a1)
  # ld a0, 0x28(a1) = 0x0285b503 -> 0x00003503
  CHECK_TINST 0x00003503
  TEST 4
  li a1, G1
  lw a0, 0(a1)
  CHECK a0, 0x6001
  # fetch from an invalid guest page: cause 20, htinst 0
  TEST 5
  li a1, G2 + 0x40
  EXPECT_TRAP 1f
  jalr ra, 0(a1)
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_FETCH_GUEST_PAGE, 3
  CHECK_EQ s3, a1
  CHECK_EQ s4, a1
  CHECK s5, (G2 + 0x40) >> 2
  CHECK s6, 0
  TEST 6
  # execute-only guest page: fetch works, loads fault
  li a1, G3
  li a0, 0
  jalr ra, 0(a1)
  CHECK a0, 0x55
  EXPECT_GPF_M 7, CAUSE_LOAD_GUEST_PAGE, G3, G3 + 4, G3 + 4, lw a0, 4(a1)
  # lw a0, 4(a1) = 0x0045a503 -> 0x00002503
  CHECK_TINST 0x00002503
  # a G-stage leaf without U
  EXPECT_GPF_M 8, CAUSE_LOAD_GUEST_PAGE, G5, G5, G5, ld a0, 0(a1)
  # a 2 MiB G-stage leaf, and a root index above 511
  TEST 9
  li a1, G2M + 0x10
  ld a0, 0(a1)
  CHECK a0, 0x6200
  TEST 10
  li a1, GWIDE + (P1 - 0x80000000)
  ld a0, 0(a1)
  CHECK a0, 0x6001
  # guest physical addresses need bits 63..41 clear
  EXPECT_GPF_M 11, CAUSE_LOAD_GUEST_PAGE, GTOOBIG + 0x100, GTOOBIG + 0x100, GTOOBIG + 0x100, ld a0, 0(a1)
  TEST 12
  # G-stage A and D updates
  li a1, G4
  ld a0, 0(a1)
  CHECK a0, 0x6004
  PTE_ADDR a2, gl0, 4
  ld a3, 0(a2)
  andi a3, a3, PTE_A | PTE_D
  CHECK a3, PTE_A
  sd a0, 8(a1)
  ld a3, 0(a2)
  andi a3, a3, PTE_A | PTE_D
  CHECK a3, PTE_A | PTE_D
  # a compressed load: the transformed instruction has bit 1 clear
  EXPECT_GPF_M 13, CAUSE_LOAD_GUEST_PAGE, G2, G2 + 4, G2 + 4, .half 0x41c8  # c.lw a0, 4(a1)
  # c.lw a0, 4(a1) -> lw a0, 0(x0) form 0x00002503 with bit 1 cleared
  CHECK_TINST 0x00002501
  GOTO_M m1

m1:
  # ---- guest-page faults delegated to HS
  li a1, (1 << CAUSE_FETCH_GUEST_PAGE) | (1 << CAUSE_LOAD_GUEST_PAGE) | (1 << CAUSE_STORE_GUEST_PAGE)
  csrw medeleg, a1
  ENTER MODE_VS, 1f
1:
  TEST 20
  li a1, G1
  EXPECT_TRAP 2f
.option push
.option norvc
  sw a0, 0x10(a1)
.option pop
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_STORE_GUEST_PAGE, 1
  CHECK s3, G1 + 0x10
  CHECK s5, (G1 + 0x10) >> 2
  li t1, HSTATUS_GVA | HSTATUS_SPV
  and a0, s9, t1
  CHECK_EQ a0, t1
  # sw a0, 16(a1) = 0x00a5a823 -> 0x00a02023
  CHECK_TINST 0x00a02023
  TEST 21
  li a1, G2
  EXPECT_TRAP 2f
  lhu a0, 6(a1)
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_LOAD_GUEST_PAGE, 1
  CHECK s3, G2 + 6
  CHECK s5, (G2 + 6) >> 2
  # lhu a0, 6(a1) = 0x0065d503 -> 0x00005503
  CHECK_TINST 0x00005503
  GOTO_M m2

m2:
  csrw medeleg, zero
  TEST 25
  # HFENCE.GVMA: remap G0 to P1, flush, and the guest sees the new page.
  PTE gl0, 0, P1, PTE_LEAF | PTE_R | PTE_W | PTE_U
  hfence.gvma
  ENTER MODE_VS, 1f
1:
  li a1, G0
  ld a0, 0(a1)
  CHECK a0, 0x6001
  GOTO_M m3
m3:
  PTE gl0, 0, P0, PTE_LEAF | PTE_R | PTE_W | PTE_U
  li a1, G0 >> 2
  hfence.gvma a1, zero

  # ---- VS-stage on. Guest page tables at their own (identity-mapped) guest addresses.
  # vroot[2]: identity 1 GiB for the guest's code and data.
  PTE vroot, 2, 0x80000000, PTE_LEAF | PTE_RWX
  PTE_TO vroot, 1, vl1, PTE_V
  PTE_TO vl1, 0, vl0, PTE_V
  # GVA 0x40200000..: a level-0 table at G2, whose G-stage mapping is invalid.
  PTE vl1, 1, G2, PTE_V
  # GVA 0x40000000 -> G0 (A clear: the VS stage sets it)
  PTE vl0, 0, G0, PTE_V | PTE_R | PTE_W
  # GVA 0x40001000 -> G2 (G-stage invalid)
  PTE vl0, 1, G2, PTE_LEAF | PTE_R | PTE_W
  # GVA 0x40002000: VS-stage invalid
  # GVA 0x40003000 -> G1 (read-only in the G-stage)
  PTE vl0, 3, G1, PTE_LEAF | PTE_R | PTE_W
  SET_VSATP SATP_SV39, vroot
  ENTER MODE_VS, vs_on

vs_on:
  TEST 30
  li a1, 0x40000000
  ld a0, 0(a1)
  CHECK a0, 0x6000
  TEST 31
  # The VS PTE's A bit was set (in guest memory).
  PTE_ADDR a2, vl0, 0
  ld a3, 0(a2)
  andi a3, a3, PTE_A
  CHECK a3, PTE_A
  EXPECT_GPF_M 32, CAUSE_LOAD_GUEST_PAGE, 0x40001000, 0x40001010, G2 + 0x10, ld a0, 0x10(a1)
  CHECK_TINST 0x00003503
  TEST 33
  # VS-stage fault: an ordinary page fault, xtval = GVA, no GPA.
  li a1, 0x40002000
  EXPECT_TRAP 2f
  ld a0, 0(a1)
  FAIL_NOW
2:
  CHECK_TRAP CAUSE_LOAD_PAGE, 3
  CHECK_EQ s3, a1
  CHECK s5, 0
  li t1, MSTATUS_GVA | MSTATUS_MPV
  and a0, s7, t1
  CHECK_EQ a0, t1
  EXPECT_GPF_M 34, CAUSE_STORE_GUEST_PAGE, 0x40003000, 0x40003008, G1 + 8, sd a0, 8(a1)
  CHECK_TINST 0x00a03023
  # Implicit access: the level-0 VS table at G2 is not mapped in the G-stage.
  EXPECT_GPF_M 35, CAUSE_LOAD_GUEST_PAGE, 0x40201000, 0x40201008, G2 + 8, ld a0, 8(a1)
  # the implicit 64-bit PTE read is reported as the pseudo-instruction 0x3000
  CHECK_TINST 0x00003000
  # (Not checked: the same implicit fault for a store is a store guest-page fault (23), the
  # original access type; QEMU 7.2 reports a load guest-page fault (21).)
  GOTO_M m4

m4:
  TEST 40
  # HFENCE.VVMA after a VS-stage remap: GVA 0x40000000 -> G4.
  PTE vl0, 0, G4, PTE_LEAF | PTE_R | PTE_W
  hfence.vvma
  ENTER MODE_VS, 1f
1:
  li a1, 0x40000000
  ld a0, 0(a1)
  CHECK a0, 0x6004
  GOTO_M m5
m5:
  csrw vsatp, zero
  csrw hgatp, zero
  hfence.gvma
  hfence.vvma
  PASS

S_TRAP_HANDLER hs_trap, 1, 1
S_TRAP_HANDLER vs_trap, 5, 0

.bss
.balign 16384
groot: .skip 16384
gl1: .skip 4096
gl0: .skip 4096
vroot: .skip 4096
vl1: .skip 4096
vl0: .skip 4096
