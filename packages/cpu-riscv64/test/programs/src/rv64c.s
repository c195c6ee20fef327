# C extension: every RV64C instruction (quadrants 0, 1 and 2, including the FP loads/stores),
# written with explicit c.* mnemonics so each is really the 16-bit form, link values of
# c.jal(r) (pc + 2), signed immediates at their extremes, and the reserved encodings that must
# raise illegal-instruction with mtval = the 16-bit instruction.
.include "common.inc"
PROGRAM rv64c

# ---- Quadrant 1: integer computation
  TEST 1
  li a0, 0x55
  c.nop
  c.addi a0, 31
  CHECK a0, 0x74
  TEST 2
  c.addi a0, -32
  CHECK a0, 0x54
  TEST 3
  c.li a1, -32
  CHECK a1, 0xffffffffffffffe0
  c.li a1, 31
  CHECK a1, 31
  TEST 4
  li a2, 0x7fffffff
  c.addiw a2, 1
  CHECK a2, 0xffffffff80000000
  li a2, 0x100000005
  c.addiw a2, 0
  CHECK a2, 5
  TEST 5
  c.lui a3, 0x1f
  CHECK a3, 0x1f000
  c.lui a3, 0xfffe0
  CHECK a3, 0xfffffffffffe0000
  c.lui a3, 1
  CHECK a3, 0x1000
  TEST 6
  li a0, -1
  c.srli a0, 60
  CHECK a0, 0xf
  li a0, 0x8000000000000000
  c.srai a0, 63
  CHECK a0, 0xffffffffffffffff
  li a0, 0x8000000000000010
  c.srai a0, 4
  CHECK a0, 0xf800000000000001
  TEST 7
  li a0, 0x1234
  c.andi a0, -16
  CHECK a0, 0x1230
  c.andi a0, 0x1f
  CHECK a0, 0x10
  TEST 8
  li a0, 10
  li a1, 25
  c.sub a0, a1
  CHECK a0, 0xfffffffffffffff1
  li a0, 0xff00
  li a1, 0x0ff0
  c.xor a0, a1
  CHECK a0, 0xf0f0
  li a0, 0xff00
  c.or a0, a1
  CHECK a0, 0xfff0
  li a0, 0xff00
  c.and a0, a1
  CHECK a0, 0x0f00
  TEST 9
  li a0, 0x80000000
  li a1, 1
  c.subw a0, a1
  CHECK a0, 0x7fffffff
  li a0, 0x7fffffff
  c.addw a0, a1
  CHECK a0, 0xffffffff80000000
  li a0, 0x123456700000000
  li a1, 0x100000003
  c.addw a0, a1
  CHECK a0, 3

# ---- Quadrant 2: computation
  TEST 10
  li a0, 1
  c.slli a0, 63
  CHECK a0, 0x8000000000000000
  li a4, 0x12345
  c.slli a4, 4
  CHECK a4, 0x123450
  TEST 11
  li a5, 0x77
  c.mv a0, a5
  CHECK a0, 0x77
  li t1, 5
  li t2, 0xfffffffffffffffe
  c.add t1, t2
  CHECK t1, 3

# ---- Stack-relative loads and stores (quadrant 2) and c.addi16sp / c.addi4spn
  TEST 20
  mv s10, sp
  c.addi16sp sp, -64
  addi a0, s10, -64
  CHECK_EQ sp, a0
  c.addi4spn a0, sp, 8
  addi a1, sp, 8
  CHECK_EQ a0, a1
  c.addi4spn a0, sp, 1020
  addi a1, sp, 1020
  CHECK_EQ a0, a1
  TEST 21
  li a2, 0x1122334455667788
  c.sdsp a2, 8(sp)
  c.ldsp a3, 8(sp)
  CHECK_EQ a3, a2
  li a2, 0x80000001
  c.swsp a2, 16(sp)
  c.lwsp a3, 16(sp)
  CHECK a3, 0xffffffff80000001
  ld a3, 8(sp)
  CHECK a3, 0x1122334455667788
  TEST 22
  li a2, 0x400921fb54442d18
  sd a2, 24(sp)
  c.fldsp f8, 24(sp)
  c.fsdsp f8, 32(sp)
  ld a3, 32(sp)
  CHECK_EQ a3, a2
  fmv.x.d a3, f8
  CHECK_EQ a3, a2
  c.addi16sp sp, 64
  CHECK_EQ sp, s10
  c.addi16sp sp, -512
  addi a0, s10, -512
  CHECK_EQ sp, a0
  c.addi16sp sp, 496
  c.addi16sp sp, 16
  CHECK_EQ sp, s10

# ---- Register-relative loads and stores (quadrant 0)
  TEST 30
  la s0, cdata
  c.ld a0, 0(s0)
  CHECK a0, 0x8877665544332211
  c.lw a1, 8(s0)
  CHECK a1, 0xfffffffff0e0d0c0
  c.lw a1, 12(s0)
  CHECK a1, 0x7
  TEST 31
  li a2, 0x0102030405060708
  c.sd a2, 16(s0)
  li a3, 0xcafef00d
  c.sw a3, 24(s0)
  ld a0, 16(s0)
  CHECK a0, 0x0102030405060708
  lwu a0, 24(s0)
  CHECK a0, 0xcafef00d
  TEST 32
  c.fld f9, 32(s0)
  c.fsd f9, 40(s0)
  ld a0, 40(s0)
  CHECK a0, 0x3ff0000000000000
  TEST 33
  la a5, cdata + 248
  c.ld a0, 0(a5)
  CHECK a0, 0xabcdef
  c.ld a1, 248(s0)
  CHECK a1, 0xabcdef

# ---- Control transfer
  TEST 40
  li a0, 0
  c.j 1f
  li a0, 1
1:
  CHECK a0, 0
  TEST 41
  li a0, 0
  c.beqz a0, 2f
  FAIL_NOW
2:
  li a0, 3
  c.beqz a0, fail_c
  c.bnez a0, 3f
  FAIL_NOW
3:
  li a0, 0
  c.bnez a0, fail_c
  TEST 42
  la a1, ctarget
  li a0, 0
  c.jalr a1
4:
  CHECK a0, 0x42
  la a2, 4b
  CHECK_EQ ra, a2
  TEST 43
  la a1, 5f
  c.jr a1
  FAIL_NOW
5:
  TEST 44
  li a0, 0
  la a1, loopback
  c.jr a1
back_here:
  CHECK a0, 5

# ---- c.ebreak raises a breakpoint at its own address
  TEST 50
  EXPECT_TRAP 6f
7:
  c.ebreak
  FAIL_NOW
6:
  CHECK_TRAP CAUSE_BREAKPOINT, 3
  la a0, 7b
  CHECK_EQ s4, a0

# ---- Reserved encodings: illegal instruction with mtval = the 16-bit instruction
.macro T_ILLEGAL16 n, half
  TEST \n
  EXPECT_TRAP 8802f
8801:
  .half \half
  FAIL_NOW
8802:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  la a0, 8801b
  CHECK_EQ s4, a0
  CHECK s3, \half
.endm
  # The all-zero halfword.
  T_ILLEGAL16 60, 0x0000
  # c.addi4spn with a zero immediate.
  T_ILLEGAL16 61, 0x0004
  # c.lui with a zero immediate (rd = a0).
  T_ILLEGAL16 62, 0x6501
  # c.addiw with rd = x0.
  T_ILLEGAL16 63, 0x2005
  # c.jr with rs1 = x0.
  T_ILLEGAL16 64, 0x8002
  # c.addi16sp with a zero immediate.
  T_ILLEGAL16 65, 0x6101
  # c.lwsp with rd = x0.
  T_ILLEGAL16 66, 0x4002
  # c.ldsp with rd = x0.
  T_ILLEGAL16 67, 0x6002
  PASS

fail_c:
  j fail

.balign 2
ctarget:
  li a0, 0x42
  c.jr ra

loopback:
  addi a0, a0, 5
  la a1, back_here
  c.jr a1

.data
.balign 8
cdata:
  .dword 0x8877665544332211
  .word 0xf0e0d0c0, 7
  .dword 0, 0
  .dword 0x3ff0000000000000, 0
  .skip 248 - 48
  .dword 0xabcdef
