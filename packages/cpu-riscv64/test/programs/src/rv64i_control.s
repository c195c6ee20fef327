# RV64I control transfer: every conditional branch (taken and not taken, signed and unsigned
# edge cases, forward and backward), JAL and JALR link values, JALR's offset and cleared bit 0,
# JALR with rd == rs1, and far jumps across more than the 4 KiB branch range.
.include "common.inc"
PROGRAM rv64i_control

# taken = 1 when the branch must be taken. Checks both a forward branch and a backward one.
.macro T_BR n, op, taken, a, b
  TEST \n
  li a1, \a
  li a2, \b
  li a0, 0
  \op a1, a2, 8801f
  li a0, 1
8801:
  CHECK a0, 1 - \taken
  li a0, 0
  j 8803f
8802:
  li a0, 1
  j 8804f
8803:
  \op a1, a2, 8802b
8804:
  CHECK a0, \taken
.endm

  T_BR 1, beq, 1, 0x0, 0x0
  T_BR 2, beq, 0, 0x1, 0x0
  T_BR 3, beq, 0, 0x0, 0x1
  T_BR 4, beq, 0, 0xffffffffffffffff, 0x0
  T_BR 5, beq, 0, 0x0, 0xffffffffffffffff
  T_BR 6, beq, 1, 0xffffffffffffffff, 0xffffffffffffffff
  T_BR 7, beq, 0, 0x7fffffffffffffff, 0x8000000000000000
  T_BR 8, beq, 0, 0x8000000000000000, 0x7fffffffffffffff
  T_BR 9, beq, 1, 0x5, 0x5
  T_BR 10, beq, 0, 0x100000000, 0xffffffff
  T_BR 11, beq, 0, 0xfffffffffffffffe, 0xffffffffffffffff
  T_BR 12, bne, 0, 0x0, 0x0
  T_BR 13, bne, 1, 0x1, 0x0
  T_BR 14, bne, 1, 0x0, 0x1
  T_BR 15, bne, 1, 0xffffffffffffffff, 0x0
  T_BR 16, bne, 1, 0x0, 0xffffffffffffffff
  T_BR 17, bne, 0, 0xffffffffffffffff, 0xffffffffffffffff
  T_BR 18, bne, 1, 0x7fffffffffffffff, 0x8000000000000000
  T_BR 19, bne, 1, 0x8000000000000000, 0x7fffffffffffffff
  T_BR 20, bne, 0, 0x5, 0x5
  T_BR 21, bne, 1, 0x100000000, 0xffffffff
  T_BR 22, bne, 1, 0xfffffffffffffffe, 0xffffffffffffffff
  T_BR 23, blt, 0, 0x0, 0x0
  T_BR 24, blt, 0, 0x1, 0x0
  T_BR 25, blt, 1, 0x0, 0x1
  T_BR 26, blt, 1, 0xffffffffffffffff, 0x0
  T_BR 27, blt, 0, 0x0, 0xffffffffffffffff
  T_BR 28, blt, 0, 0xffffffffffffffff, 0xffffffffffffffff
  T_BR 29, blt, 0, 0x7fffffffffffffff, 0x8000000000000000
  T_BR 30, blt, 1, 0x8000000000000000, 0x7fffffffffffffff
  T_BR 31, blt, 0, 0x5, 0x5
  T_BR 32, blt, 0, 0x100000000, 0xffffffff
  T_BR 33, blt, 1, 0xfffffffffffffffe, 0xffffffffffffffff
  T_BR 34, bge, 1, 0x0, 0x0
  T_BR 35, bge, 1, 0x1, 0x0
  T_BR 36, bge, 0, 0x0, 0x1
  T_BR 37, bge, 0, 0xffffffffffffffff, 0x0
  T_BR 38, bge, 1, 0x0, 0xffffffffffffffff
  T_BR 39, bge, 1, 0xffffffffffffffff, 0xffffffffffffffff
  T_BR 40, bge, 1, 0x7fffffffffffffff, 0x8000000000000000
  T_BR 41, bge, 0, 0x8000000000000000, 0x7fffffffffffffff
  T_BR 42, bge, 1, 0x5, 0x5
  T_BR 43, bge, 1, 0x100000000, 0xffffffff
  T_BR 44, bge, 0, 0xfffffffffffffffe, 0xffffffffffffffff
  T_BR 45, bltu, 0, 0x0, 0x0
  T_BR 46, bltu, 0, 0x1, 0x0
  T_BR 47, bltu, 1, 0x0, 0x1
  T_BR 48, bltu, 0, 0xffffffffffffffff, 0x0
  T_BR 49, bltu, 1, 0x0, 0xffffffffffffffff
  T_BR 50, bltu, 0, 0xffffffffffffffff, 0xffffffffffffffff
  T_BR 51, bltu, 1, 0x7fffffffffffffff, 0x8000000000000000
  T_BR 52, bltu, 0, 0x8000000000000000, 0x7fffffffffffffff
  T_BR 53, bltu, 0, 0x5, 0x5
  T_BR 54, bltu, 0, 0x100000000, 0xffffffff
  T_BR 55, bltu, 1, 0xfffffffffffffffe, 0xffffffffffffffff
  T_BR 56, bgeu, 1, 0x0, 0x0
  T_BR 57, bgeu, 1, 0x1, 0x0
  T_BR 58, bgeu, 0, 0x0, 0x1
  T_BR 59, bgeu, 1, 0xffffffffffffffff, 0x0
  T_BR 60, bgeu, 0, 0x0, 0xffffffffffffffff
  T_BR 61, bgeu, 1, 0xffffffffffffffff, 0xffffffffffffffff
  T_BR 62, bgeu, 0, 0x7fffffffffffffff, 0x8000000000000000
  T_BR 63, bgeu, 1, 0x8000000000000000, 0x7fffffffffffffff
  T_BR 64, bgeu, 1, 0x5, 0x5
  T_BR 65, bgeu, 1, 0x100000000, 0xffffffff
  T_BR 66, bgeu, 0, 0xfffffffffffffffe, 0xffffffffffffffff

# JAL links pc + 4 (or pc + 4 of the 32-bit form even when the next instruction is compressed).
  TEST 100
.option push
.option norvc
1:
  jal ra, 2f
3:
  FAIL_NOW
2:
.option pop
  la a1, 3b
  CHECK_EQ ra, a1
  TEST 101
  jal x0, 4f
  FAIL_NOW
4:
  TEST 102
  la a1, 5f
  li a0, 0
  jal t1, far_target
5:
  CHECK a0, 0x99
  CHECK_EQ t1, a1

# JALR: target = (rs1 + imm) & ~1, link = pc + 4.
  TEST 110
  la a1, jalr_target - 4
  li a0, 0
.option push
.option norvc
  jalr ra, 4(a1)
6:
.option pop
  CHECK a0, 0x55
  la a2, 6b
  CHECK_EQ ra, a2
  TEST 111
  la a1, jalr_target + 1
  li a0, 0
  jalr ra, 0(a1)
  CHECK a0, 0x55
  TEST 112
  la a1, jalr_target + 9
  li a0, 0
  jalr ra, -8(a1)
  CHECK a0, 0x55
  # rd == rs1: the target comes from the old value.
  TEST 113
  la t1, jalr_target_t1
  li a0, 0
.option push
.option norvc
  jalr t1, 0(t1)
7:
.option pop
  CHECK a0, 0x55
  la a2, 7b
  CHECK_EQ t1, a2
  # jalr x0 is a plain jump (ret).
  TEST 114
  la a1, 8f
  jalr x0, 0(a1)
  FAIL_NOW
8:
  # A loop: backward branch counting down.
  TEST 120
  li a1, 100
  li a0, 0
9:
  addi a0, a0, 3
  addi a1, a1, -1
  bnez a1, 9b
  CHECK a0, 300
  PASS

jalr_target:
  li a0, 0x55
  ret
jalr_target_t1:
  li a0, 0x55
  jr t1

.section .text.far, "ax", @progbits
# More than 4 KiB away, beyond any branch offset.
.skip 8192
far_target:
  li a0, 0x99
  jalr x0, 0(t1)
