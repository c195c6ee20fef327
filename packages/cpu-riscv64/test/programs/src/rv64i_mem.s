# RV64I loads and stores: every width (LB/LBU/LH/LHU/LW/LWU/LD, SB/SH/SW/SD), sign and zero
# extension, positive and negative offsets, partial stores leaving neighbouring bytes alone,
# store-to-load forwarding through the same address, FENCE, and FENCE.I making freshly
# written instructions visible to instruction fetch (self-modifying code).
.include "common.inc"
PROGRAM rv64i_mem

.macro T_LD n, op, offset, expected
  TEST \n
  la a1, pattern
  \op a0, \offset(a1)
  CHECK a0, \expected
.endm

# pattern (little-endian bytes): 81 82 83 84 85 86 87 88 | 01 02 03 04 05 06 07 08 |
#                                ff ff ff ff ff ff ff ff | 7f 00 80 ff 00 00 00 80
  T_LD 1, lb, 0, 0xffffffffffffff81
  T_LD 2, lbu, 0, 0x81
  T_LD 3, lb, 8, 0x01
  T_LD 4, lbu, 9, 0x02
  T_LD 5, lb, 24, 0x7f
  T_LD 6, lb, 26, 0xffffffffffffff80
  T_LD 7, lbu, 26, 0x80
  T_LD 8, lh, 0, 0xffffffffffff8281
  T_LD 9, lhu, 0, 0x8281
  T_LD 10, lh, 8, 0x0201
  T_LD 11, lhu, 6, 0x8887
  T_LD 12, lh, 24, 0x007f
  T_LD 13, lh, 26, 0xffffffffffffff80
  T_LD 14, lw, 0, 0xffffffff84838281
  T_LD 15, lwu, 0, 0x84838281
  T_LD 16, lw, 8, 0x04030201
  T_LD 17, lwu, 12, 0x08070605
  T_LD 18, lw, 4, 0xffffffff88878685
  T_LD 19, lw, 28, 0xffffffff80000000
  T_LD 20, lwu, 28, 0x80000000
  T_LD 21, ld, 0, 0x8887868584838281
  T_LD 22, ld, 8, 0x0807060504030201
  T_LD 23, ld, 16, 0xffffffffffffffff
  T_LD 24, ld, 24, 0x80000000ff80007f
  T_LD 25, lwu, 16, 0xffffffff
  T_LD 26, lhu, 18, 0xffff
  T_LD 27, lbu, 23, 0xff

# Negative offsets.
  TEST 30
  la a1, pattern + 16
  lb a0, -16(a1)
  CHECK a0, 0xffffffffffffff81
  TEST 31
  ld a0, -8(a1)
  CHECK a0, 0x0807060504030201
  TEST 32
  la a1, pattern + 2048
  lhu a0, -2048(a1)
  CHECK a0, 0x8281

# Stores of each width change exactly their bytes.
.macro FILL_SCRATCH
  la a1, scratch
  li a2, 0x1111111111111111
  sd a2, 0(a1)
  sd a2, 8(a1)
.endm
  TEST 40
  FILL_SCRATCH
  li a3, 0xabcdef0123456789
  sb a3, 3(a1)
  ld a0, 0(a1)
  CHECK a0, 0x1111111189111111
  ld a0, 8(a1)
  CHECK a0, 0x1111111111111111
  TEST 41
  FILL_SCRATCH
  sh a3, 6(a1)
  ld a0, 0(a1)
  CHECK a0, 0x6789111111111111
  TEST 42
  FILL_SCRATCH
  sw a3, 4(a1)
  ld a0, 0(a1)
  CHECK a0, 0x2345678911111111
  ld a0, 8(a1)
  CHECK a0, 0x1111111111111111
  TEST 43
  FILL_SCRATCH
  sd a3, 8(a1)
  ld a0, 8(a1)
  CHECK a0, 0xabcdef0123456789
  ld a0, 0(a1)
  CHECK a0, 0x1111111111111111
  TEST 44
  FILL_SCRATCH
  li a3, 0x80
  sb a3, 15(a1)
  lb a0, 15(a1)
  CHECK a0, 0xffffffffffffff80
  lbu a0, 15(a1)
  CHECK a0, 0x80
  TEST 45
  la a1, scratch + 16
  li a3, 0x5a5a
  sh a3, -16(a1)
  lhu a0, -16(a1)
  CHECK a0, 0x5a5a
  TEST 46
  la a1, scratch
  sd zero, 0(a1)
  ld a0, 0(a1)
  CHECK a0, 0

# A load into x0 still happens but writes nothing.
  TEST 50
  la a1, pattern
  ld x0, 0(a1)
  CHECK zero, 0

# Loads and stores through the same base register as the destination.
  TEST 51
  la a0, pointer_slot
  ld a0, 0(a0)
  la a1, pattern
  CHECK_EQ a0, a1

# FENCE orders nothing visible on one hart but must execute as a no-op.
  TEST 55
  li a0, 3
  fence
  fence rw, rw
  fence.tso
  CHECK a0, 3

# FENCE.I: patch the immediate of an instruction, then execute it. The first run executes the
# old instruction (which also warms any decoded-instruction cache).
  TEST 60
  call patch_site
  CHECK a0, 1
  la a1, patch_site
  lw a2, 0(a1)
  li a3, 0x000fffff
  and a2, a2, a3
  li a3, 0x7ff00000
  or a2, a2, a3
  sw a2, 0(a1)
  fence.i
  TEST 61
  call patch_site
  CHECK a0, 2047
# Replace a whole instruction with a different one.
  TEST 62
  la a1, patch_site
  la a2, patch_template
  lw a3, 0(a2)
  sw a3, 0(a1)
  fence.i
  call patch_site
  CHECK a0, 0x123
# Code written into the data area and executed there.
  TEST 63
  la a1, code_buffer
  la a2, code_template
  li a4, 3
1:
  lw a3, 0(a2)
  sw a3, 0(a1)
  addi a1, a1, 4
  addi a2, a2, 4
  addi a4, a4, -1
  bnez a4, 1b
  fence.i
  la a1, code_buffer
  jalr a1
  CHECK a0, 0x77
  la a1, code_buffer
  li a3, 0x0000f537
  sw a3, 0(a1)
  fence.i
  la a1, code_buffer
  jalr a1
  CHECK a0, 0xf000
  PASS

# Uncompressed, so each instruction is one 32-bit word to patch.
.option push
.option norvc
.balign 4
patch_site:
  addi a0, zero, 1
  ret
patch_template:
  addi a0, zero, 0x123
code_template:
  addi a0, zero, 0x77
  nop
  ret
.option pop

.data
.balign 8
pattern:
  .byte 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88
  .byte 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08
  .byte 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
  .byte 0x7f, 0x00, 0x80, 0xff, 0x00, 0x00, 0x00, 0x80
  .skip 2048
pointer_slot: .dword pattern
scratch: .dword 0, 0
.balign 4
code_buffer: .skip 16
