# Sv48 address translation: a four-level walk to 4 KiB pages, 2 MiB / 1 GiB / 512 GiB leaves,
# addresses that only Sv48 can reach (bits 47..39 non-zero), the Sv48 canonical-address rule
# (bits 63..48 copy bit 47), switching between Sv39 and Sv48 roots with SFENCE.VMA, hardware
# A/D updates at level 0, and permission faults through the deeper walk.
.include "common.inc"
.include "paging.inc"
PROGRAM sv48

.equ P0, 0x80300000
.equ P1, 0x80301000
.equ BIG2M, 0x80400000
# Virtual addresses (Sv48: VPN[3] = bits 47..39).
.equ V4K, 0x0000008040000000
.equ V2M, 0x0000008040200000
.equ V1G, 0x0000008080000000
.equ V512G, 0x0000010000000000
.equ VHIGH, 0xffff800000000000

  # root[0] -> l2a: identity 1 GiB for the image (VA 0x80000000 = VPN[3] 0, VPN[2] 2).
  PTE_TO root, 0, l2a, PTE_V
  PTE l2a, 2, 0x80000000, PTE_LEAF | PTE_RWX
  # root[1] -> l2b -> l1 -> l0 : VA 0x80_4000_0000 is a 4 KiB page.
  PTE_TO root, 1, l2b, PTE_V
  PTE_TO l2b, 1, l1, PTE_V
  PTE_TO l1, 0, l0, PTE_V
  PTE l0, 0, P0, PTE_LEAF | PTE_R | PTE_W
  PTE l0, 1, P1, PTE_V | PTE_R
  # VA 0x80_4020_0000: 2 MiB leaf.
  PTE l1, 1, BIG2M, PTE_LEAF | PTE_R | PTE_W
  # VA 0x80_8000_0000: 1 GiB leaf onto the image.
  PTE l2b, 2, 0x80000000, PTE_LEAF | PTE_R
  # root[2]: VA 0x100_0000_0000 is a 512 GiB leaf onto physical 0.
  PTE root, 2, 0, PTE_LEAF | PTE_R | PTE_W
  # root[256]: the bottom of the upper half, a 512 GiB leaf onto physical 0 as well.
  PTE root, 256, 0, PTE_LEAF | PTE_R
  # An Sv39 root for the switch test: its root[2] maps the image too.
  PTE sv39_root, 2, 0x80000000, PTE_LEAF | PTE_RWX
  PTE_TO sv39_root, 1, l1, PTE_V
  POKE P0, 0x4800
  POKE P1, 0x4801
  POKE BIG2M + 0x10, 0x4802
  SET_SATP SATP_SV48, root
  la t1, s_trap
  csrw stvec, t1
  li t1, (1 << CAUSE_FETCH_PAGE) | (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE)
  csrw medeleg, t1
  TEST 1
  csrr a0, satp
  srli a0, a0, 60
  CHECK a0, 9
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
  TEST 2
  li a1, V4K
  ld a0, 0(a1)
  CHECK a0, 0x4800
  sd a0, 8(a1)
  PTE_ADDR a2, l0, 0
  ld a3, 0(a2)
  andi a3, a3, PTE_A | PTE_D
  CHECK a3, PTE_A | PTE_D
  TEST 3
  # Level-0 A update on a page mapped with A = 0.
  li a1, V4K + 0x1000
  ld a0, 0(a1)
  CHECK a0, 0x4801
  PTE_ADDR a2, l0, 1
  ld a3, 0(a2)
  andi a3, a3, PTE_A | PTE_D
  CHECK a3, PTE_A
  EXPECT_PF 4, CAUSE_STORE_PAGE, V4K + 0x1008, sd a0, 0(a1)
  TEST 5
  li a1, V2M + 0x10
  ld a0, 0(a1)
  CHECK a0, 0x4802
  TEST 6
  # 1 GiB leaf: the image's own data through VA 0x80_8000_0000 + offset.
  la a2, probe
  li a1, V1G - 0x80000000
  add a1, a1, a2
  ld a0, 0(a1)
  CHECK a0, 0x5a5a48
  EXPECT_PF 7, CAUSE_STORE_PAGE, V1G, sd a0, 0(a1)
  TEST 8
  # 512 GiB leaf onto physical 0: physical P0 is at V512G + P0.
  li a1, V512G + P0
  ld a0, 0(a1)
  CHECK a0, 0x4800
  TEST 9
  li a1, VHIGH + P1
  ld a0, 0(a1)
  CHECK a0, 0x4801
  # Unmapped Sv48-only address, and non-canonical ones.
  EXPECT_PF 10, CAUSE_LOAD_PAGE, 0x0000018000000000, ld a0, 0(a1)
  EXPECT_PF 11, CAUSE_LOAD_PAGE, 0x0000800000000000, ld a0, 0(a1)
  EXPECT_PF 12, CAUSE_STORE_PAGE, 0xfff7800000000000, sd a0, 0(a1)
  TEST 13
  # Switch to the Sv39 root: VA 0x4000_0000 now walks Sv39 (root[1] -> l1 -> l0).
  SET_SATP SATP_SV39, sv39_root
  li a1, 0x40000000
  ld a0, 0(a1)
  CHECK a0, 0x4800
  # and the Sv48-only address is non-canonical under Sv39.
  EXPECT_PF 14, CAUSE_LOAD_PAGE, V4K, ld a0, 0(a1)
  TEST 15
  SET_SATP SATP_SV48, root
  li a1, V4K
  ld a0, 0(a1)
  CHECK a0, 0x4800
  GOTO_M done
done:
  csrw satp, zero
  sfence.vma
  PASS

S_TRAP_HANDLER s_trap, 1, 0

.data
.balign 8
probe: .dword 0x5a5a48

.bss
.balign 4096
root: .skip 4096
l2a: .skip 4096
l2b: .skip 4096
l1: .skip 4096
l0: .skip 4096
sv39_root: .skip 4096
