# RV64I integer computation: every register-register and register-immediate operation,
# including the 32-bit W forms, shift amounts taken from rs2[5:0] / rs2[4:0], LUI and AUIPC
# (with sign extension on RV64), writes to x0 being discarded, and rd aliasing its sources.
.include "common.inc"
.include "alu.inc"
PROGRAM rv64i_alu

# add/sub/and/or/xor/slt/sltu
  T_RR 1, add, 0x0, 0x0, 0x0
  T_RR 2, add, 0x2, 0x1, 0x1
  T_RR 3, add, 0x0, 0xffffffffffffffff, 0x1
  T_RR 4, add, 0x8000000000000000, 0x7fffffffffffffff, 0x1
  T_RR 5, add, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
  T_RR 6, add, 0x2222222222222211, 0x123456789abcdef0, 0xfedcba987654321
  T_RR 7, add, 0x80000000, 0x7fffffff, 0x1
  T_RR 8, add, 0xffffffff7fffffff, 0xffffffff80000000, 0xffffffffffffffff
  T_RR 9, add, 0x100000000, 0xffffffff, 0x1
  T_RR 10, add, 0xfffffffffffffffe, 0x5, 0xfffffffffffffff9
  T_RR 11, add, 0xfffffffffffffffe, 0xfffffffffffffff9, 0x5
  T_RR 12, add, 0xffffffffffffffff, 0xffffffff00000000, 0xffffffff
  T_RR 13, sub, 0x0, 0x0, 0x0
  T_RR 14, sub, 0x0, 0x1, 0x1
  T_RR 15, sub, 0xfffffffffffffffe, 0xffffffffffffffff, 0x1
  T_RR 16, sub, 0x7ffffffffffffffe, 0x7fffffffffffffff, 0x1
  T_RR 17, sub, 0x8000000000000001, 0x8000000000000000, 0xffffffffffffffff
  T_RR 18, sub, 0x2468acf13579bcf, 0x123456789abcdef0, 0xfedcba987654321
  T_RR 19, sub, 0x7ffffffe, 0x7fffffff, 0x1
  T_RR 20, sub, 0xffffffff80000001, 0xffffffff80000000, 0xffffffffffffffff
  T_RR 21, sub, 0xfffffffe, 0xffffffff, 0x1
  T_RR 22, sub, 0xc, 0x5, 0xfffffffffffffff9
  T_RR 23, sub, 0xfffffffffffffff4, 0xfffffffffffffff9, 0x5
  T_RR 24, sub, 0xfffffffe00000001, 0xffffffff00000000, 0xffffffff
  T_RR 25, and, 0x0, 0x0, 0x0
  T_RR 26, and, 0x1, 0x1, 0x1
  T_RR 27, and, 0x1, 0xffffffffffffffff, 0x1
  T_RR 28, and, 0x1, 0x7fffffffffffffff, 0x1
  T_RR 29, and, 0x8000000000000000, 0x8000000000000000, 0xffffffffffffffff
  T_RR 30, and, 0x224422882244220, 0x123456789abcdef0, 0xfedcba987654321
  T_RR 31, and, 0x1, 0x7fffffff, 0x1
  T_RR 32, and, 0xffffffff80000000, 0xffffffff80000000, 0xffffffffffffffff
  T_RR 33, and, 0x1, 0xffffffff, 0x1
  T_RR 34, and, 0x1, 0x5, 0xfffffffffffffff9
  T_RR 35, and, 0x1, 0xfffffffffffffff9, 0x5
  T_RR 36, and, 0x0, 0xffffffff00000000, 0xffffffff
  T_RR 37, or, 0x0, 0x0, 0x0
  T_RR 38, or, 0x1, 0x1, 0x1
  T_RR 39, or, 0xffffffffffffffff, 0xffffffffffffffff, 0x1
  T_RR 40, or, 0x7fffffffffffffff, 0x7fffffffffffffff, 0x1
  T_RR 41, or, 0xffffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
  T_RR 42, or, 0x1ffddff99ffddff1, 0x123456789abcdef0, 0xfedcba987654321
  T_RR 43, or, 0x7fffffff, 0x7fffffff, 0x1
  T_RR 44, or, 0xffffffffffffffff, 0xffffffff80000000, 0xffffffffffffffff
  T_RR 45, or, 0xffffffff, 0xffffffff, 0x1
  T_RR 46, or, 0xfffffffffffffffd, 0x5, 0xfffffffffffffff9
  T_RR 47, or, 0xfffffffffffffffd, 0xfffffffffffffff9, 0x5
  T_RR 48, or, 0xffffffffffffffff, 0xffffffff00000000, 0xffffffff
  T_RR 49, xor, 0x0, 0x0, 0x0
  T_RR 50, xor, 0x0, 0x1, 0x1
  T_RR 51, xor, 0xfffffffffffffffe, 0xffffffffffffffff, 0x1
  T_RR 52, xor, 0x7ffffffffffffffe, 0x7fffffffffffffff, 0x1
  T_RR 53, xor, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff
  T_RR 54, xor, 0x1dd99dd11dd99dd1, 0x123456789abcdef0, 0xfedcba987654321
  T_RR 55, xor, 0x7ffffffe, 0x7fffffff, 0x1
  T_RR 56, xor, 0x7fffffff, 0xffffffff80000000, 0xffffffffffffffff
  T_RR 57, xor, 0xfffffffe, 0xffffffff, 0x1
  T_RR 58, xor, 0xfffffffffffffffc, 0x5, 0xfffffffffffffff9
  T_RR 59, xor, 0xfffffffffffffffc, 0xfffffffffffffff9, 0x5
  T_RR 60, xor, 0xffffffffffffffff, 0xffffffff00000000, 0xffffffff
  T_RR 61, slt, 0x0, 0x0, 0x0
  T_RR 62, slt, 0x0, 0x1, 0x1
  T_RR 63, slt, 0x1, 0xffffffffffffffff, 0x1
  T_RR 64, slt, 0x0, 0x7fffffffffffffff, 0x1
  T_RR 65, slt, 0x1, 0x8000000000000000, 0xffffffffffffffff
  T_RR 66, slt, 0x0, 0x123456789abcdef0, 0xfedcba987654321
  T_RR 67, slt, 0x0, 0x7fffffff, 0x1
  T_RR 68, slt, 0x1, 0xffffffff80000000, 0xffffffffffffffff
  T_RR 69, slt, 0x0, 0xffffffff, 0x1
  T_RR 70, slt, 0x0, 0x5, 0xfffffffffffffff9
  T_RR 71, slt, 0x1, 0xfffffffffffffff9, 0x5
  T_RR 72, slt, 0x1, 0xffffffff00000000, 0xffffffff
  T_RR 73, sltu, 0x0, 0x0, 0x0
  T_RR 74, sltu, 0x0, 0x1, 0x1
  T_RR 75, sltu, 0x0, 0xffffffffffffffff, 0x1
  T_RR 76, sltu, 0x0, 0x7fffffffffffffff, 0x1
  T_RR 77, sltu, 0x1, 0x8000000000000000, 0xffffffffffffffff
  T_RR 78, sltu, 0x0, 0x123456789abcdef0, 0xfedcba987654321
  T_RR 79, sltu, 0x0, 0x7fffffff, 0x1
  T_RR 80, sltu, 0x1, 0xffffffff80000000, 0xffffffffffffffff
  T_RR 81, sltu, 0x0, 0xffffffff, 0x1
  T_RR 82, sltu, 0x1, 0x5, 0xfffffffffffffff9
  T_RR 83, sltu, 0x0, 0xfffffffffffffff9, 0x5
  T_RR 84, sltu, 0x0, 0xffffffff00000000, 0xffffffff
# shifts: the amount is rs2[5:0]
  T_RR 85, sll, 0x1, 0x1, 0x0
  T_RR 86, sll, 0x2, 0x1, 0x1
  T_RR 87, sll, 0x8000000000000000, 0x1, 0x3f
  T_RR 88, sll, 0x1, 0x1, 0x40
  T_RR 89, sll, 0x2, 0x1, 0x41
  T_RR 90, sll, 0xfffffffffffffffe, 0xffffffffffffffff, 0x1
  T_RR 91, sll, 0x8000000000000000, 0xffffffffffffffff, 0x3f
  T_RR 92, sll, 0x0, 0x8000000000000000, 0x3f
  T_RR 93, sll, 0x0, 0x8000000000000000, 0x1
  T_RR 94, sll, 0x23456789abcdef00, 0x123456789abcdef0, 0x4
  T_RR 95, sll, 0xabcdef0000000000, 0x123456789abcdef0, 0x24
  T_RR 96, sll, 0x0, 0x123456789abcdef0, 0xffffffffffffffff
  T_RR 97, sll, 0x0, 0x8000000000000000, 0x3f
  T_RR 98, srl, 0x1, 0x1, 0x0
  T_RR 99, srl, 0x0, 0x1, 0x1
  T_RR 100, srl, 0x0, 0x1, 0x3f
  T_RR 101, srl, 0x1, 0x1, 0x40
  T_RR 102, srl, 0x0, 0x1, 0x41
  T_RR 103, srl, 0x7fffffffffffffff, 0xffffffffffffffff, 0x1
  T_RR 104, srl, 0x1, 0xffffffffffffffff, 0x3f
  T_RR 105, srl, 0x1, 0x8000000000000000, 0x3f
  T_RR 106, srl, 0x4000000000000000, 0x8000000000000000, 0x1
  T_RR 107, srl, 0x123456789abcdef, 0x123456789abcdef0, 0x4
  T_RR 108, srl, 0x1234567, 0x123456789abcdef0, 0x24
  T_RR 109, srl, 0x0, 0x123456789abcdef0, 0xffffffffffffffff
  T_RR 110, srl, 0x1, 0x8000000000000000, 0x3f
  T_RR 111, sra, 0x1, 0x1, 0x0
  T_RR 112, sra, 0x0, 0x1, 0x1
  T_RR 113, sra, 0x0, 0x1, 0x3f
  T_RR 114, sra, 0x1, 0x1, 0x40
  T_RR 115, sra, 0x0, 0x1, 0x41
  T_RR 116, sra, 0xffffffffffffffff, 0xffffffffffffffff, 0x1
  T_RR 117, sra, 0xffffffffffffffff, 0xffffffffffffffff, 0x3f
  T_RR 118, sra, 0xffffffffffffffff, 0x8000000000000000, 0x3f
  T_RR 119, sra, 0xc000000000000000, 0x8000000000000000, 0x1
  T_RR 120, sra, 0x123456789abcdef, 0x123456789abcdef0, 0x4
  T_RR 121, sra, 0x1234567, 0x123456789abcdef0, 0x24
  T_RR 122, sra, 0x0, 0x123456789abcdef0, 0xffffffffffffffff
  T_RR 123, sra, 0xffffffffffffffff, 0x8000000000000000, 0x3f
# 32-bit ops: compute on the low word, sign-extend the result
  T_RR 124, addw, 0x0, 0x0, 0x0
  T_RR 125, addw, 0xffffffff80000000, 0x7fffffff, 0x1
  T_RR 126, addw, 0x0, 0xffffffff, 0x1
  T_RR 127, addw, 0x1, 0x100000000, 0x1
  T_RR 128, addw, 0x7fffffff, 0xffffffff80000000, 0xffffffffffffffff
  T_RR 129, addw, 0xffffffffabcdf001, 0x123456789abcdef0, 0x1111111111111111
  T_RR 130, addw, 0xfffffffffffffffe, 0xffffffffffffffff, 0xffffffffffffffff
  T_RR 131, addw, 0xffffffff80000000, 0x80000000, 0x0
  T_RR 132, subw, 0x0, 0x0, 0x0
  T_RR 133, subw, 0x7ffffffe, 0x7fffffff, 0x1
  T_RR 134, subw, 0xfffffffffffffffe, 0xffffffff, 0x1
  T_RR 135, subw, 0xffffffffffffffff, 0x100000000, 0x1
  T_RR 136, subw, 0xffffffff80000001, 0xffffffff80000000, 0xffffffffffffffff
  T_RR 137, subw, 0xffffffff89abcddf, 0x123456789abcdef0, 0x1111111111111111
  T_RR 138, subw, 0x0, 0xffffffffffffffff, 0xffffffffffffffff
  T_RR 139, subw, 0xffffffff80000000, 0x80000000, 0x0
  T_RR 140, sllw, 0xffffffff80000000, 0x1, 0x1f
  T_RR 141, sllw, 0x1, 0x1, 0x20
  T_RR 142, sllw, 0x2, 0x1, 0x21
  T_RR 143, sllw, 0xffffffff80000000, 0x80000000, 0x0
  T_RR 144, sllw, 0x0, 0x80000000, 0x1
  T_RR 145, sllw, 0x0, 0x80000000, 0x1f
  T_RR 146, sllw, 0x10, 0xffffffff00000001, 0x4
  T_RR 147, sllw, 0x0, 0x123456789abcdef0, 0xffffffffffffffff
  T_RR 148, sllw, 0x7fffffff, 0x7fffffff, 0x0
  T_RR 149, sllw, 0x0, 0xfffffffff0000000, 0x4
  T_RR 150, srlw, 0x0, 0x1, 0x1f
  T_RR 151, srlw, 0x1, 0x1, 0x20
  T_RR 152, srlw, 0x0, 0x1, 0x21
  T_RR 153, srlw, 0xffffffff80000000, 0x80000000, 0x0
  T_RR 154, srlw, 0x40000000, 0x80000000, 0x1
  T_RR 155, srlw, 0x1, 0x80000000, 0x1f
  T_RR 156, srlw, 0x0, 0xffffffff00000001, 0x4
  T_RR 157, srlw, 0x1, 0x123456789abcdef0, 0xffffffffffffffff
  T_RR 158, srlw, 0x7fffffff, 0x7fffffff, 0x0
  T_RR 159, srlw, 0xf000000, 0xfffffffff0000000, 0x4
  T_RR 160, sraw, 0x0, 0x1, 0x1f
  T_RR 161, sraw, 0x1, 0x1, 0x20
  T_RR 162, sraw, 0x0, 0x1, 0x21
  T_RR 163, sraw, 0xffffffff80000000, 0x80000000, 0x0
  T_RR 164, sraw, 0xffffffffc0000000, 0x80000000, 0x1
  T_RR 165, sraw, 0xffffffffffffffff, 0x80000000, 0x1f
  T_RR 166, sraw, 0x0, 0xffffffff00000001, 0x4
  T_RR 167, sraw, 0xffffffffffffffff, 0x123456789abcdef0, 0xffffffffffffffff
  T_RR 168, sraw, 0x7fffffff, 0x7fffffff, 0x0
  T_RR 169, sraw, 0xffffffffff000000, 0xfffffffff0000000, 0x4
# immediates: 12-bit, sign-extended
  T_RI 170, addi, 0x0, 0x0, 0
  T_RI 171, addi, 0x1, 0x0, 1
  T_RI 172, addi, 0xffffffffffffffff, 0x0, -1
  T_RI 173, addi, 0x7ff, 0x0, 2047
  T_RI 174, addi, 0xfffffffffffff800, 0x0, -2048
  T_RI 175, addi, 0x1, 0x1, 0
  T_RI 176, addi, 0x2, 0x1, 1
  T_RI 177, addi, 0x0, 0x1, -1
  T_RI 178, addi, 0x800, 0x1, 2047
  T_RI 179, addi, 0xfffffffffffff801, 0x1, -2048
  T_RI 180, addi, 0xffffffffffffffff, 0xffffffffffffffff, 0
  T_RI 181, addi, 0x0, 0xffffffffffffffff, 1
  T_RI 182, addi, 0xfffffffffffffffe, 0xffffffffffffffff, -1
  T_RI 183, addi, 0x7fe, 0xffffffffffffffff, 2047
  T_RI 184, addi, 0xfffffffffffff7ff, 0xffffffffffffffff, -2048
  T_RI 185, addi, 0x7fffffffffffffff, 0x7fffffffffffffff, 0
  T_RI 186, addi, 0x8000000000000000, 0x7fffffffffffffff, 1
  T_RI 187, addi, 0x7ffffffffffffffe, 0x7fffffffffffffff, -1
  T_RI 188, addi, 0x80000000000007fe, 0x7fffffffffffffff, 2047
  T_RI 189, addi, 0x7ffffffffffff7ff, 0x7fffffffffffffff, -2048
  T_RI 190, addi, 0x8000000000000000, 0x8000000000000000, 0
  T_RI 191, addi, 0x8000000000000001, 0x8000000000000000, 1
  T_RI 192, addi, 0x7fffffffffffffff, 0x8000000000000000, -1
  T_RI 193, addi, 0x80000000000007ff, 0x8000000000000000, 2047
  T_RI 194, addi, 0x7ffffffffffff800, 0x8000000000000000, -2048
  T_RI 195, addi, 0x123456789abcdef0, 0x123456789abcdef0, 0
  T_RI 196, addi, 0x123456789abcdef1, 0x123456789abcdef0, 1
  T_RI 197, addi, 0x123456789abcdeef, 0x123456789abcdef0, -1
  T_RI 198, addi, 0x123456789abce6ef, 0x123456789abcdef0, 2047
  T_RI 199, addi, 0x123456789abcd6f0, 0x123456789abcdef0, -2048
  T_RI 200, addi, 0xfff, 0xfff, 0
  T_RI 201, addi, 0x1000, 0xfff, 1
  T_RI 202, addi, 0xffe, 0xfff, -1
  T_RI 203, addi, 0x17fe, 0xfff, 2047
  T_RI 204, addi, 0x7ff, 0xfff, -2048
  T_RI 205, andi, 0x0, 0x0, 0
  T_RI 206, andi, 0x0, 0x0, 1
  T_RI 207, andi, 0x0, 0x0, -1
  T_RI 208, andi, 0x0, 0x0, 2047
  T_RI 209, andi, 0x0, 0x0, -2048
  T_RI 210, andi, 0x0, 0x1, 0
  T_RI 211, andi, 0x1, 0x1, 1
  T_RI 212, andi, 0x1, 0x1, -1
  T_RI 213, andi, 0x1, 0x1, 2047
  T_RI 214, andi, 0x0, 0x1, -2048
  T_RI 215, andi, 0x0, 0xffffffffffffffff, 0
  T_RI 216, andi, 0x1, 0xffffffffffffffff, 1
  T_RI 217, andi, 0xffffffffffffffff, 0xffffffffffffffff, -1
  T_RI 218, andi, 0x7ff, 0xffffffffffffffff, 2047
  T_RI 219, andi, 0xfffffffffffff800, 0xffffffffffffffff, -2048
  T_RI 220, andi, 0x0, 0x7fffffffffffffff, 0
  T_RI 221, andi, 0x1, 0x7fffffffffffffff, 1
  T_RI 222, andi, 0x7fffffffffffffff, 0x7fffffffffffffff, -1
  T_RI 223, andi, 0x7ff, 0x7fffffffffffffff, 2047
  T_RI 224, andi, 0x7ffffffffffff800, 0x7fffffffffffffff, -2048
  T_RI 225, andi, 0x0, 0x8000000000000000, 0
  T_RI 226, andi, 0x0, 0x8000000000000000, 1
  T_RI 227, andi, 0x8000000000000000, 0x8000000000000000, -1
  T_RI 228, andi, 0x0, 0x8000000000000000, 2047
  T_RI 229, andi, 0x8000000000000000, 0x8000000000000000, -2048
  T_RI 230, andi, 0x0, 0x123456789abcdef0, 0
  T_RI 231, andi, 0x0, 0x123456789abcdef0, 1
  T_RI 232, andi, 0x123456789abcdef0, 0x123456789abcdef0, -1
  T_RI 233, andi, 0x6f0, 0x123456789abcdef0, 2047
  T_RI 234, andi, 0x123456789abcd800, 0x123456789abcdef0, -2048
  T_RI 235, andi, 0x0, 0xfff, 0
  T_RI 236, andi, 0x1, 0xfff, 1
  T_RI 237, andi, 0xfff, 0xfff, -1
  T_RI 238, andi, 0x7ff, 0xfff, 2047
  T_RI 239, andi, 0x800, 0xfff, -2048
  T_RI 240, ori, 0x0, 0x0, 0
  T_RI 241, ori, 0x1, 0x0, 1
  T_RI 242, ori, 0xffffffffffffffff, 0x0, -1
  T_RI 243, ori, 0x7ff, 0x0, 2047
  T_RI 244, ori, 0xfffffffffffff800, 0x0, -2048
  T_RI 245, ori, 0x1, 0x1, 0
  T_RI 246, ori, 0x1, 0x1, 1
  T_RI 247, ori, 0xffffffffffffffff, 0x1, -1
  T_RI 248, ori, 0x7ff, 0x1, 2047
  T_RI 249, ori, 0xfffffffffffff801, 0x1, -2048
  T_RI 250, ori, 0xffffffffffffffff, 0xffffffffffffffff, 0
  T_RI 251, ori, 0xffffffffffffffff, 0xffffffffffffffff, 1
  T_RI 252, ori, 0xffffffffffffffff, 0xffffffffffffffff, -1
  T_RI 253, ori, 0xffffffffffffffff, 0xffffffffffffffff, 2047
  T_RI 254, ori, 0xffffffffffffffff, 0xffffffffffffffff, -2048
  T_RI 255, ori, 0x7fffffffffffffff, 0x7fffffffffffffff, 0
  T_RI 256, ori, 0x7fffffffffffffff, 0x7fffffffffffffff, 1
  T_RI 257, ori, 0xffffffffffffffff, 0x7fffffffffffffff, -1
  T_RI 258, ori, 0x7fffffffffffffff, 0x7fffffffffffffff, 2047
  T_RI 259, ori, 0xffffffffffffffff, 0x7fffffffffffffff, -2048
  T_RI 260, ori, 0x8000000000000000, 0x8000000000000000, 0
  T_RI 261, ori, 0x8000000000000001, 0x8000000000000000, 1
  T_RI 262, ori, 0xffffffffffffffff, 0x8000000000000000, -1
  T_RI 263, ori, 0x80000000000007ff, 0x8000000000000000, 2047
  T_RI 264, ori, 0xfffffffffffff800, 0x8000000000000000, -2048
  T_RI 265, ori, 0x123456789abcdef0, 0x123456789abcdef0, 0
  T_RI 266, ori, 0x123456789abcdef1, 0x123456789abcdef0, 1
  T_RI 267, ori, 0xffffffffffffffff, 0x123456789abcdef0, -1
  T_RI 268, ori, 0x123456789abcdfff, 0x123456789abcdef0, 2047
  T_RI 269, ori, 0xfffffffffffffef0, 0x123456789abcdef0, -2048
  T_RI 270, ori, 0xfff, 0xfff, 0
  T_RI 271, ori, 0xfff, 0xfff, 1
  T_RI 272, ori, 0xffffffffffffffff, 0xfff, -1
  T_RI 273, ori, 0xfff, 0xfff, 2047
  T_RI 274, ori, 0xffffffffffffffff, 0xfff, -2048
  T_RI 275, xori, 0x0, 0x0, 0
  T_RI 276, xori, 0x1, 0x0, 1
  T_RI 277, xori, 0xffffffffffffffff, 0x0, -1
  T_RI 278, xori, 0x7ff, 0x0, 2047
  T_RI 279, xori, 0xfffffffffffff800, 0x0, -2048
  T_RI 280, xori, 0x1, 0x1, 0
  T_RI 281, xori, 0x0, 0x1, 1
  T_RI 282, xori, 0xfffffffffffffffe, 0x1, -1
  T_RI 283, xori, 0x7fe, 0x1, 2047
  T_RI 284, xori, 0xfffffffffffff801, 0x1, -2048
  T_RI 285, xori, 0xffffffffffffffff, 0xffffffffffffffff, 0
  T_RI 286, xori, 0xfffffffffffffffe, 0xffffffffffffffff, 1
  T_RI 287, xori, 0x0, 0xffffffffffffffff, -1
  T_RI 288, xori, 0xfffffffffffff800, 0xffffffffffffffff, 2047
  T_RI 289, xori, 0x7ff, 0xffffffffffffffff, -2048
  T_RI 290, xori, 0x7fffffffffffffff, 0x7fffffffffffffff, 0
  T_RI 291, xori, 0x7ffffffffffffffe, 0x7fffffffffffffff, 1
  T_RI 292, xori, 0x8000000000000000, 0x7fffffffffffffff, -1
  T_RI 293, xori, 0x7ffffffffffff800, 0x7fffffffffffffff, 2047
  T_RI 294, xori, 0x80000000000007ff, 0x7fffffffffffffff, -2048
  T_RI 295, xori, 0x8000000000000000, 0x8000000000000000, 0
  T_RI 296, xori, 0x8000000000000001, 0x8000000000000000, 1
  T_RI 297, xori, 0x7fffffffffffffff, 0x8000000000000000, -1
  T_RI 298, xori, 0x80000000000007ff, 0x8000000000000000, 2047
  T_RI 299, xori, 0x7ffffffffffff800, 0x8000000000000000, -2048
  T_RI 300, xori, 0x123456789abcdef0, 0x123456789abcdef0, 0
  T_RI 301, xori, 0x123456789abcdef1, 0x123456789abcdef0, 1
  T_RI 302, xori, 0xedcba9876543210f, 0x123456789abcdef0, -1
  T_RI 303, xori, 0x123456789abcd90f, 0x123456789abcdef0, 2047
  T_RI 304, xori, 0xedcba987654326f0, 0x123456789abcdef0, -2048
  T_RI 305, xori, 0xfff, 0xfff, 0
  T_RI 306, xori, 0xffe, 0xfff, 1
  T_RI 307, xori, 0xfffffffffffff000, 0xfff, -1
  T_RI 308, xori, 0x800, 0xfff, 2047
  T_RI 309, xori, 0xfffffffffffff7ff, 0xfff, -2048
  T_RI 310, slti, 0x0, 0x0, 0
  T_RI 311, slti, 0x1, 0x0, 1
  T_RI 312, slti, 0x0, 0x0, -1
  T_RI 313, slti, 0x1, 0x0, 2047
  T_RI 314, slti, 0x0, 0x0, -2048
  T_RI 315, slti, 0x1, 0x0, 1365
  T_RI 316, slti, 0x0, 0x0, -1366
  T_RI 317, slti, 0x0, 0x1, 0
  T_RI 318, slti, 0x0, 0x1, 1
  T_RI 319, slti, 0x0, 0x1, -1
  T_RI 320, slti, 0x1, 0x1, 2047
  T_RI 321, slti, 0x0, 0x1, -2048
  T_RI 322, slti, 0x1, 0x1, 1365
  T_RI 323, slti, 0x0, 0x1, -1366
  T_RI 324, slti, 0x1, 0xffffffffffffffff, 0
  T_RI 325, slti, 0x1, 0xffffffffffffffff, 1
  T_RI 326, slti, 0x0, 0xffffffffffffffff, -1
  T_RI 327, slti, 0x1, 0xffffffffffffffff, 2047
  T_RI 328, slti, 0x0, 0xffffffffffffffff, -2048
  T_RI 329, slti, 0x1, 0xffffffffffffffff, 1365
  T_RI 330, slti, 0x0, 0xffffffffffffffff, -1366
  T_RI 331, slti, 0x0, 0x7fffffffffffffff, 0
  T_RI 332, slti, 0x0, 0x7fffffffffffffff, 1
  T_RI 333, slti, 0x0, 0x7fffffffffffffff, -1
  T_RI 334, slti, 0x0, 0x7fffffffffffffff, 2047
  T_RI 335, slti, 0x0, 0x7fffffffffffffff, -2048
  T_RI 336, slti, 0x0, 0x7fffffffffffffff, 1365
  T_RI 337, slti, 0x0, 0x7fffffffffffffff, -1366
  T_RI 338, slti, 0x1, 0x8000000000000000, 0
  T_RI 339, slti, 0x1, 0x8000000000000000, 1
  T_RI 340, slti, 0x1, 0x8000000000000000, -1
  T_RI 341, slti, 0x1, 0x8000000000000000, 2047
  T_RI 342, slti, 0x1, 0x8000000000000000, -2048
  T_RI 343, slti, 0x1, 0x8000000000000000, 1365
  T_RI 344, slti, 0x1, 0x8000000000000000, -1366
  T_RI 345, slti, 0x0, 0x123456789abcdef0, 0
  T_RI 346, slti, 0x0, 0x123456789abcdef0, 1
  T_RI 347, slti, 0x0, 0x123456789abcdef0, -1
  T_RI 348, slti, 0x0, 0x123456789abcdef0, 2047
  T_RI 349, slti, 0x0, 0x123456789abcdef0, -2048
  T_RI 350, slti, 0x0, 0x123456789abcdef0, 1365
  T_RI 351, slti, 0x0, 0x123456789abcdef0, -1366
  T_RI 352, slti, 0x0, 0xfff, 0
  T_RI 353, slti, 0x0, 0xfff, 1
  T_RI 354, slti, 0x0, 0xfff, -1
  T_RI 355, slti, 0x0, 0xfff, 2047
  T_RI 356, slti, 0x0, 0xfff, -2048
  T_RI 357, slti, 0x0, 0xfff, 1365
  T_RI 358, slti, 0x0, 0xfff, -1366
  T_RI 359, sltiu, 0x0, 0x0, 0
  T_RI 360, sltiu, 0x1, 0x0, 1
  T_RI 361, sltiu, 0x1, 0x0, -1
  T_RI 362, sltiu, 0x1, 0x0, 2047
  T_RI 363, sltiu, 0x1, 0x0, -2048
  T_RI 364, sltiu, 0x1, 0x0, 1365
  T_RI 365, sltiu, 0x1, 0x0, -1366
  T_RI 366, sltiu, 0x0, 0x1, 0
  T_RI 367, sltiu, 0x0, 0x1, 1
  T_RI 368, sltiu, 0x1, 0x1, -1
  T_RI 369, sltiu, 0x1, 0x1, 2047
  T_RI 370, sltiu, 0x1, 0x1, -2048
  T_RI 371, sltiu, 0x1, 0x1, 1365
  T_RI 372, sltiu, 0x1, 0x1, -1366
  T_RI 373, sltiu, 0x0, 0xffffffffffffffff, 0
  T_RI 374, sltiu, 0x0, 0xffffffffffffffff, 1
  T_RI 375, sltiu, 0x0, 0xffffffffffffffff, -1
  T_RI 376, sltiu, 0x0, 0xffffffffffffffff, 2047
  T_RI 377, sltiu, 0x0, 0xffffffffffffffff, -2048
  T_RI 378, sltiu, 0x0, 0xffffffffffffffff, 1365
  T_RI 379, sltiu, 0x0, 0xffffffffffffffff, -1366
  T_RI 380, sltiu, 0x0, 0x7fffffffffffffff, 0
  T_RI 381, sltiu, 0x0, 0x7fffffffffffffff, 1
  T_RI 382, sltiu, 0x1, 0x7fffffffffffffff, -1
  T_RI 383, sltiu, 0x0, 0x7fffffffffffffff, 2047
  T_RI 384, sltiu, 0x1, 0x7fffffffffffffff, -2048
  T_RI 385, sltiu, 0x0, 0x7fffffffffffffff, 1365
  T_RI 386, sltiu, 0x1, 0x7fffffffffffffff, -1366
  T_RI 387, sltiu, 0x0, 0x8000000000000000, 0
  T_RI 388, sltiu, 0x0, 0x8000000000000000, 1
  T_RI 389, sltiu, 0x1, 0x8000000000000000, -1
  T_RI 390, sltiu, 0x0, 0x8000000000000000, 2047
  T_RI 391, sltiu, 0x1, 0x8000000000000000, -2048
  T_RI 392, sltiu, 0x0, 0x8000000000000000, 1365
  T_RI 393, sltiu, 0x1, 0x8000000000000000, -1366
  T_RI 394, sltiu, 0x0, 0x123456789abcdef0, 0
  T_RI 395, sltiu, 0x0, 0x123456789abcdef0, 1
  T_RI 396, sltiu, 0x1, 0x123456789abcdef0, -1
  T_RI 397, sltiu, 0x0, 0x123456789abcdef0, 2047
  T_RI 398, sltiu, 0x1, 0x123456789abcdef0, -2048
  T_RI 399, sltiu, 0x0, 0x123456789abcdef0, 1365
  T_RI 400, sltiu, 0x1, 0x123456789abcdef0, -1366
  T_RI 401, sltiu, 0x0, 0xfff, 0
  T_RI 402, sltiu, 0x0, 0xfff, 1
  T_RI 403, sltiu, 0x1, 0xfff, -1
  T_RI 404, sltiu, 0x0, 0xfff, 2047
  T_RI 405, sltiu, 0x1, 0xfff, -2048
  T_RI 406, sltiu, 0x0, 0xfff, 1365
  T_RI 407, sltiu, 0x1, 0xfff, -1366
  T_RI 408, slli, 0x1, 0x1, 0
  T_RI 409, slli, 0x2, 0x1, 1
  T_RI 410, slli, 0x80000000, 0x1, 31
  T_RI 411, slli, 0x100000000, 0x1, 32
  T_RI 412, slli, 0x200000000, 0x1, 33
  T_RI 413, slli, 0x8000000000000000, 0x1, 63
  T_RI 414, slli, 0xffffffffffffffff, 0xffffffffffffffff, 0
  T_RI 415, slli, 0xfffffffffffffffe, 0xffffffffffffffff, 1
  T_RI 416, slli, 0xffffffff80000000, 0xffffffffffffffff, 31
  T_RI 417, slli, 0xffffffff00000000, 0xffffffffffffffff, 32
  T_RI 418, slli, 0xfffffffe00000000, 0xffffffffffffffff, 33
  T_RI 419, slli, 0x8000000000000000, 0xffffffffffffffff, 63
  T_RI 420, slli, 0x8000000000000001, 0x8000000000000001, 0
  T_RI 421, slli, 0x2, 0x8000000000000001, 1
  T_RI 422, slli, 0x80000000, 0x8000000000000001, 31
  T_RI 423, slli, 0x100000000, 0x8000000000000001, 32
  T_RI 424, slli, 0x200000000, 0x8000000000000001, 33
  T_RI 425, slli, 0x8000000000000000, 0x8000000000000001, 63
  T_RI 426, slli, 0x123456789abcdef0, 0x123456789abcdef0, 0
  T_RI 427, slli, 0x2468acf13579bde0, 0x123456789abcdef0, 1
  T_RI 428, slli, 0x4d5e6f7800000000, 0x123456789abcdef0, 31
  T_RI 429, slli, 0x9abcdef000000000, 0x123456789abcdef0, 32
  T_RI 430, slli, 0x3579bde000000000, 0x123456789abcdef0, 33
  T_RI 431, slli, 0x0, 0x123456789abcdef0, 63
  T_RI 432, srli, 0x1, 0x1, 0
  T_RI 433, srli, 0x0, 0x1, 1
  T_RI 434, srli, 0x0, 0x1, 31
  T_RI 435, srli, 0x0, 0x1, 32
  T_RI 436, srli, 0x0, 0x1, 33
  T_RI 437, srli, 0x0, 0x1, 63
  T_RI 438, srli, 0xffffffffffffffff, 0xffffffffffffffff, 0
  T_RI 439, srli, 0x7fffffffffffffff, 0xffffffffffffffff, 1
  T_RI 440, srli, 0x1ffffffff, 0xffffffffffffffff, 31
  T_RI 441, srli, 0xffffffff, 0xffffffffffffffff, 32
  T_RI 442, srli, 0x7fffffff, 0xffffffffffffffff, 33
  T_RI 443, srli, 0x1, 0xffffffffffffffff, 63
  T_RI 444, srli, 0x8000000000000001, 0x8000000000000001, 0
  T_RI 445, srli, 0x4000000000000000, 0x8000000000000001, 1
  T_RI 446, srli, 0x100000000, 0x8000000000000001, 31
  T_RI 447, srli, 0x80000000, 0x8000000000000001, 32
  T_RI 448, srli, 0x40000000, 0x8000000000000001, 33
  T_RI 449, srli, 0x1, 0x8000000000000001, 63
  T_RI 450, srli, 0x123456789abcdef0, 0x123456789abcdef0, 0
  T_RI 451, srli, 0x91a2b3c4d5e6f78, 0x123456789abcdef0, 1
  T_RI 452, srli, 0x2468acf1, 0x123456789abcdef0, 31
  T_RI 453, srli, 0x12345678, 0x123456789abcdef0, 32
  T_RI 454, srli, 0x91a2b3c, 0x123456789abcdef0, 33
  T_RI 455, srli, 0x0, 0x123456789abcdef0, 63
  T_RI 456, srai, 0x1, 0x1, 0
  T_RI 457, srai, 0x0, 0x1, 1
  T_RI 458, srai, 0x0, 0x1, 31
  T_RI 459, srai, 0x0, 0x1, 32
  T_RI 460, srai, 0x0, 0x1, 33
  T_RI 461, srai, 0x0, 0x1, 63
  T_RI 462, srai, 0xffffffffffffffff, 0xffffffffffffffff, 0
  T_RI 463, srai, 0xffffffffffffffff, 0xffffffffffffffff, 1
  T_RI 464, srai, 0xffffffffffffffff, 0xffffffffffffffff, 31
  T_RI 465, srai, 0xffffffffffffffff, 0xffffffffffffffff, 32
  T_RI 466, srai, 0xffffffffffffffff, 0xffffffffffffffff, 33
  T_RI 467, srai, 0xffffffffffffffff, 0xffffffffffffffff, 63
  T_RI 468, srai, 0x8000000000000001, 0x8000000000000001, 0
  T_RI 469, srai, 0xc000000000000000, 0x8000000000000001, 1
  T_RI 470, srai, 0xffffffff00000000, 0x8000000000000001, 31
  T_RI 471, srai, 0xffffffff80000000, 0x8000000000000001, 32
  T_RI 472, srai, 0xffffffffc0000000, 0x8000000000000001, 33
  T_RI 473, srai, 0xffffffffffffffff, 0x8000000000000001, 63
  T_RI 474, srai, 0x123456789abcdef0, 0x123456789abcdef0, 0
  T_RI 475, srai, 0x91a2b3c4d5e6f78, 0x123456789abcdef0, 1
  T_RI 476, srai, 0x2468acf1, 0x123456789abcdef0, 31
  T_RI 477, srai, 0x12345678, 0x123456789abcdef0, 32
  T_RI 478, srai, 0x91a2b3c, 0x123456789abcdef0, 33
  T_RI 479, srai, 0x0, 0x123456789abcdef0, 63
  T_RI 480, addiw, 0x0, 0x0, 0
  T_RI 481, addiw, 0x1, 0x0, 1
  T_RI 482, addiw, 0xffffffffffffffff, 0x0, -1
  T_RI 483, addiw, 0x7ff, 0x0, 2047
  T_RI 484, addiw, 0xfffffffffffff800, 0x0, -2048
  T_RI 485, addiw, 0x7fffffff, 0x7fffffff, 0
  T_RI 486, addiw, 0xffffffff80000000, 0x7fffffff, 1
  T_RI 487, addiw, 0x7ffffffe, 0x7fffffff, -1
  T_RI 488, addiw, 0xffffffff800007fe, 0x7fffffff, 2047
  T_RI 489, addiw, 0x7ffff7ff, 0x7fffffff, -2048
  T_RI 490, addiw, 0xffffffffffffffff, 0xffffffff, 0
  T_RI 491, addiw, 0x0, 0xffffffff, 1
  T_RI 492, addiw, 0xfffffffffffffffe, 0xffffffff, -1
  T_RI 493, addiw, 0x7fe, 0xffffffff, 2047
  T_RI 494, addiw, 0xfffffffffffff7ff, 0xffffffff, -2048
  T_RI 495, addiw, 0xffffffff9abcdef0, 0x123456789abcdef0, 0
  T_RI 496, addiw, 0xffffffff9abcdef1, 0x123456789abcdef0, 1
  T_RI 497, addiw, 0xffffffff9abcdeef, 0x123456789abcdef0, -1
  T_RI 498, addiw, 0xffffffff9abce6ef, 0x123456789abcdef0, 2047
  T_RI 499, addiw, 0xffffffff9abcd6f0, 0x123456789abcdef0, -2048
  T_RI 500, addiw, 0xffffffffffffffff, 0xffffffffffffffff, 0
  T_RI 501, addiw, 0x0, 0xffffffffffffffff, 1
  T_RI 502, addiw, 0xfffffffffffffffe, 0xffffffffffffffff, -1
  T_RI 503, addiw, 0x7fe, 0xffffffffffffffff, 2047
  T_RI 504, addiw, 0xfffffffffffff7ff, 0xffffffffffffffff, -2048
  T_RI 505, slliw, 0x1, 0x1, 0
  T_RI 506, slliw, 0x2, 0x1, 1
  T_RI 507, slliw, 0x10000, 0x1, 16
  T_RI 508, slliw, 0xffffffff80000000, 0x1, 31
  T_RI 509, slliw, 0xffffffff80000000, 0x80000000, 0
  T_RI 510, slliw, 0x0, 0x80000000, 1
  T_RI 511, slliw, 0x0, 0x80000000, 16
  T_RI 512, slliw, 0x0, 0x80000000, 31
  T_RI 513, slliw, 0x7fffffff, 0xffffffff7fffffff, 0
  T_RI 514, slliw, 0xfffffffffffffffe, 0xffffffff7fffffff, 1
  T_RI 515, slliw, 0xffffffffffff0000, 0xffffffff7fffffff, 16
  T_RI 516, slliw, 0xffffffff80000000, 0xffffffff7fffffff, 31
  T_RI 517, slliw, 0xffffffff9abcdef0, 0x123456789abcdef0, 0
  T_RI 518, slliw, 0x3579bde0, 0x123456789abcdef0, 1
  T_RI 519, slliw, 0xffffffffdef00000, 0x123456789abcdef0, 16
  T_RI 520, slliw, 0x0, 0x123456789abcdef0, 31
  T_RI 521, srliw, 0x1, 0x1, 0
  T_RI 522, srliw, 0x0, 0x1, 1
  T_RI 523, srliw, 0x0, 0x1, 16
  T_RI 524, srliw, 0x0, 0x1, 31
  T_RI 525, srliw, 0xffffffff80000000, 0x80000000, 0
  T_RI 526, srliw, 0x40000000, 0x80000000, 1
  T_RI 527, srliw, 0x8000, 0x80000000, 16
  T_RI 528, srliw, 0x1, 0x80000000, 31
  T_RI 529, srliw, 0x7fffffff, 0xffffffff7fffffff, 0
  T_RI 530, srliw, 0x3fffffff, 0xffffffff7fffffff, 1
  T_RI 531, srliw, 0x7fff, 0xffffffff7fffffff, 16
  T_RI 532, srliw, 0x0, 0xffffffff7fffffff, 31
  T_RI 533, srliw, 0xffffffff9abcdef0, 0x123456789abcdef0, 0
  T_RI 534, srliw, 0x4d5e6f78, 0x123456789abcdef0, 1
  T_RI 535, srliw, 0x9abc, 0x123456789abcdef0, 16
  T_RI 536, srliw, 0x1, 0x123456789abcdef0, 31
  T_RI 537, sraiw, 0x1, 0x1, 0
  T_RI 538, sraiw, 0x0, 0x1, 1
  T_RI 539, sraiw, 0x0, 0x1, 16
  T_RI 540, sraiw, 0x0, 0x1, 31
  T_RI 541, sraiw, 0xffffffff80000000, 0x80000000, 0
  T_RI 542, sraiw, 0xffffffffc0000000, 0x80000000, 1
  T_RI 543, sraiw, 0xffffffffffff8000, 0x80000000, 16
  T_RI 544, sraiw, 0xffffffffffffffff, 0x80000000, 31
  T_RI 545, sraiw, 0x7fffffff, 0xffffffff7fffffff, 0
  T_RI 546, sraiw, 0x3fffffff, 0xffffffff7fffffff, 1
  T_RI 547, sraiw, 0x7fff, 0xffffffff7fffffff, 16
  T_RI 548, sraiw, 0x0, 0xffffffff7fffffff, 31
  T_RI 549, sraiw, 0xffffffff9abcdef0, 0x123456789abcdef0, 0
  T_RI 550, sraiw, 0xffffffffcd5e6f78, 0x123456789abcdef0, 1
  T_RI 551, sraiw, 0xffffffffffff9abc, 0x123456789abcdef0, 16
  T_RI 552, sraiw, 0xffffffffffffffff, 0x123456789abcdef0, 31

# LUI: imm << 12, sign-extended from bit 31.
  TEST 600
  lui a0, 0x12345
  CHECK a0, 0x12345000
  TEST 601
  lui a0, 0x80000
  CHECK a0, 0xffffffff80000000
  TEST 602
  lui a0, 0xfffff
  CHECK a0, 0xfffffffffffff000
  TEST 603
  lui a0, 0
  CHECK a0, 0

# AUIPC: pc + (imm << 12), sign-extended immediate.
  TEST 610
1:
  auipc a0, 0
  la a1, 1b
  CHECK_EQ a0, a1
  TEST 611
2:
  auipc a0, 1
  la a1, 2b
  li a2, 0x1000
  add a1, a1, a2
  CHECK_EQ a0, a1
  TEST 612
3:
  auipc a0, 0xfffff
  la a1, 3b
  li a2, -0x1000
  add a1, a1, a2
  CHECK_EQ a0, a1
  TEST 613
4:
  auipc a0, 0x80000
  la a1, 4b
  li a2, 0xffffffff80000000
  add a1, a1, a2
  CHECK_EQ a0, a1

# x0 is hard-wired to zero.
  TEST 620
  li a1, 5
  add x0, a1, a1
  CHECK x0, 0
  TEST 621
  addi x0, x0, 7
  mv a0, x0
  CHECK a0, 0
  TEST 622
  lui x0, 0x12345
  CHECK zero, 0
  TEST 623
  li a1, 0x1234
  add a0, a1, x0
  CHECK a0, 0x1234

# rd may equal rs1 and rs2.
  TEST 630
  li a0, 21
  add a0, a0, a0
  CHECK a0, 42
  TEST 631
  li a0, 0x0ff0
  xor a0, a0, a0
  CHECK a0, 0
  TEST 632
  li a0, -1
  srl a0, a0, a0
  CHECK a0, 1
  TEST 633
  li a0, 7
  sub a1, a0, a0
  CHECK a1, 0
  TEST 634
  li a0, 3
  sltu a0, x0, a0
  CHECK a0, 1

  PASS
