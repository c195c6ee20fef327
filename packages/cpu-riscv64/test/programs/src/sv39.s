# Sv39 address translation, page tables built by the program: 4 KiB, 2 MiB and 1 GiB leaves,
# R/W/X permissions (store to read-only, load from execute-only, MXR), U pages and SUM, fetch
# from a U page in S, U-mode access to S pages, invalid and reserved (W without R) PTEs, a
# misaligned superpage, a non-leaf PTE at level 0, non-canonical addresses, hardware A/D
# updates, SFENCE.VMA after a remap, MPRV in M-mode, and page faults delegated to S with
# cause 12/13/15 and stval = the faulting virtual address.
.include "common.inc"
.include "paging.inc"
PROGRAM sv39

# Physical pages the test maps (beyond the program image).
.equ P0, 0x80300000
.equ P1, 0x80301000
.equ P2, 0x80302000
.equ P4, 0x80304000
.equ P5, 0x80305000
.equ P6, 0x80306000
.equ P7, 0x80307000
.equ BIG, 0x80400000
# Virtual addresses.
.equ V0, 0x40000000
.equ V1, 0x40001000
.equ V2, 0x40002000
.equ V3, 0x40003000
.equ V4, 0x40004000
.equ V5, 0x40005000
.equ V6, 0x40006000
.equ V7, 0x40007000
.equ V2M, 0x40200000
.equ VMIS, 0x40400000
.equ VNL, 0x40600000
# The whole image is also mapped for U-mode at ALIAS + (pa - 0x80000000).
.equ ALIAS, 0xC0000000
.equ ALIAS_OFF, ALIAS - 0x80000000

  # root[2]: identity 1 GiB for S (code, data, tables); root[3]: the same memory for U.
  PTE root, 2, 0x80000000, PTE_LEAF | PTE_RWX | PTE_G
  PTE root, 3, 0x80000000, PTE_LEAF | PTE_RWX | PTE_U
  PTE_TO root, 1, l1, PTE_V
  PTE_TO l1, 0, l0, PTE_V
  PTE l1, 1, BIG, PTE_LEAF | PTE_R | PTE_W
  # A 2 MiB leaf whose PPN is not 2 MiB aligned.
  PTE l1, 2, BIG + 0x1000, PTE_LEAF | PTE_R | PTE_W
  PTE_TO l1, 3, l0b, PTE_V
  # At level 0 a PTE without R/W/X is not a leaf either: page fault.
  PTE_TO l0b, 0, l0, PTE_V
  PTE l0, 0, P0, PTE_LEAF | PTE_R | PTE_W
  PTE l0, 1, P1, PTE_LEAF | PTE_R
  PTE l0, 2, P2, PTE_LEAF | PTE_X
  # l0[3] stays invalid.
  PTE l0, 4, P4, PTE_V | PTE_R | PTE_W
  PTE l0, 5, P5, PTE_LEAF | PTE_R | PTE_W | PTE_U
  PTE l0, 6, P6, PTE_LEAF | PTE_W
  POKE P0, 0x1000
  POKE P1, 0x1001
  POKE P4, 0x1004
  POKE P5, 0x1005
  POKE BIG + 0x1238, 0x2000
  # P2: "li a0, 0x77; ret" for execution through an execute-only page.
  li t1, P2
  li t2, 0x07700513
  sw t2, 0(t1)
  li t2, 0x00008067
  sw t2, 4(t1)
  fence.i
  SET_SATP SATP_SV39, root
  la t1, s_trap
  csrw stvec, t1
  li t1, (1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE)
  csrw medeleg, t1
  ENTER MODE_S, s_tests

.macro EXPECT_PF n, cause, va, insn:vararg
  TEST \n
  li a1, \va
  EXPECT_TRAP 8841f
  \insn
  FAIL_NOW
8841:
  CHECK_TRAP \cause, 1
  CHECK_EQ s3, a1
.endm

s_tests:
  TEST 1
  li a1, V0
  ld a0, 0(a1)
  CHECK a0, 0x1000
  li a2, 0x3000
  sd a2, 8(a1)
  li a3, P0
  ld a0, 8(a3)
  CHECK a0, 0x3000
  TEST 2
  li a1, V1
  ld a0, 0(a1)
  CHECK a0, 0x1001
  EXPECT_PF 3, CAUSE_STORE_PAGE, V1, sd a0, 0(a1)
  # Execute-only page: fetch works, loads fault, unless MXR.
  TEST 4
  li a1, V2
  li a0, 0
  jalr ra, 0(a1)
  CHECK a0, 0x77
  EXPECT_PF 5, CAUSE_LOAD_PAGE, V2, lw a0, 0(a1)
  EXPECT_PF 6, CAUSE_STORE_PAGE, V2, sw a0, 0(a1)
  TEST 7
  li a2, MSTATUS_MXR
  csrs sstatus, a2
  li a1, V2
  lw a0, 0(a1)
  CHECK a0, 0x07700513
  csrc sstatus, a2
  # Invalid PTE: every kind of access faults.
  EXPECT_PF 8, CAUSE_LOAD_PAGE, V3, ld a0, 0(a1)
  EXPECT_PF 9, CAUSE_STORE_PAGE, V3 + 8, sd a0, 0(a1)
  TEST 10
  li a1, V3 + 4
  EXPECT_TRAP 1f
  jalr ra, 0(a1)
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_FETCH_PAGE, 1
  CHECK_EQ s3, a1
  CHECK_EQ s4, a1
  # Fetch from a data page (no X).
  TEST 11
  li a1, V0
  EXPECT_TRAP 1f
  jalr ra, 0(a1)
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_FETCH_PAGE, 1
  CHECK_EQ s3, a1

  # Hardware A/D updates.
  TEST 12
  li a1, V4
  ld a0, 0(a1)
  CHECK a0, 0x1004
  PTE_ADDR a2, l0, 4
  ld a3, 0(a2)
  andi a0, a3, PTE_A | PTE_D
  CHECK a0, PTE_A
  TEST 13
  li a1, V4
  sd a1, 16(a1)
  ld a3, 0(a2)
  andi a0, a3, PTE_A | PTE_D
  CHECK a0, PTE_A | PTE_D

  # U pages from S: only with SUM, and never for fetch.
  EXPECT_PF 14, CAUSE_LOAD_PAGE, V5, ld a0, 0(a1)
  EXPECT_PF 15, CAUSE_STORE_PAGE, V5, sd a0, 0(a1)
  TEST 16
  li a2, MSTATUS_SUM
  csrs sstatus, a2
  li a1, V5
  ld a0, 0(a1)
  CHECK a0, 0x1005
  sd a0, 8(a1)
  TEST 17
  EXPECT_TRAP 1f
  jalr ra, 0(a1)
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_FETCH_PAGE, 1
  CHECK_EQ s3, a1
  li a2, MSTATUS_SUM
  csrc sstatus, a2

  # W without R is reserved.
  EXPECT_PF 18, CAUSE_LOAD_PAGE, V6, ld a0, 0(a1)
  EXPECT_PF 19, CAUSE_STORE_PAGE, V6, sd a0, 0(a1)

  # 2 MiB leaf; misaligned 2 MiB leaf; non-leaf at level 0.
  TEST 20
  li a1, V2M + 0x1238
  ld a0, 0(a1)
  CHECK a0, 0x2000
  EXPECT_PF 21, CAUSE_LOAD_PAGE, VMIS + 0x10, ld a0, 0(a1)
  EXPECT_PF 22, CAUSE_LOAD_PAGE, VNL, ld a0, 0(a1)

  # Non-canonical address: bits 63..39 must copy bit 38.
  EXPECT_PF 23, CAUSE_LOAD_PAGE, 0x0000004000000000, ld a0, 0(a1)
  EXPECT_PF 24, CAUSE_STORE_PAGE, 0xffff800000001000, sd a0, 0(a1)
  # Canonical but unmapped upper half.
  EXPECT_PF 25, CAUSE_LOAD_PAGE, 0xffffffc000000000, ld a0, 0(a1)

  # Remap V0 to P1 and flush that address: the new translation is used.
  TEST 26
  PTE l0, 0, P1, PTE_LEAF | PTE_R | PTE_W
  li a1, V0
  sfence.vma a1, zero
  ld a0, 0(a1)
  CHECK a0, 0x1001
  PTE l0, 0, P0, PTE_LEAF | PTE_R | PTE_W
  sfence.vma
  ld a0, 0(a1)
  CHECK a0, 0x1000

  # The 1 GiB alias reaches the same memory (from U).
  GOTO_M m_part

m_part:
  TEST 30
  # U mode, running from the U alias of this image.
  li a0, MODE_U
  la a1, u_tests
  li t1, ALIAS_OFF
  add a1, a1, t1
  j m_enter

u_tests:
  TEST 31
  li a1, V5
  ld a0, 0(a1)
  CHECK a0, 0x1005
  TEST 32
  # This code's own data through the alias: the byte after `alias_probe` was written by M.
  la a1, alias_probe
  li t1, ALIAS
  bltu a1, t1, fail
  ld a0, 0(a1)
  CHECK a0, 0xa11a5
  EXPECT_PF 33, CAUSE_LOAD_PAGE, V0, ld a0, 0(a1)
  EXPECT_PF 34, CAUSE_STORE_PAGE, V1, sd a0, 0(a1)
  TEST 35
  li a1, V2
  EXPECT_TRAP 1f
  jalr ra, 0(a1)
  FAIL_NOW
1:
  # V2 is an S page: U may not execute it.
  CHECK_TRAP CAUSE_FETCH_PAGE, 1
  GOTO_M m_part2

m_part2:
  # MPRV: M-mode loads and stores use the translation and privilege of MPP.
  TEST 40
  csrw medeleg, zero
  li a2, MSTATUS_MPP
  csrc mstatus, a2
  li a2, MSTATUS_MPP_S | MSTATUS_MPRV
  csrs mstatus, a2
  li a1, V0
  ld a0, 0(a1)
  li a2, MSTATUS_MPRV
  csrc mstatus, a2
  CHECK a0, 0x1000
  TEST 41
  # MPP = U: an S page faults, in M (not delegated: the trap is taken in M).
  li a2, MSTATUS_MPP
  csrc mstatus, a2
  li a1, V0
  EXPECT_TRAP 1f
  li a2, MSTATUS_MPRV
  csrs mstatus, a2
  ld a0, 0(a1)
  FAIL_NOW
1:
  li a2, MSTATUS_MPRV
  csrc mstatus, a2
  CHECK_TRAP CAUSE_LOAD_PAGE, 3
  CHECK_EQ s3, a1
  csrw satp, zero
  sfence.vma
  PASS

S_TRAP_HANDLER s_trap, 1, 0

.data
.balign 8
alias_probe: .dword 0xa11a5

.bss
.balign 4096
root: .skip 4096
l1: .skip 4096
l0: .skip 4096
l0b: .skip 4096
