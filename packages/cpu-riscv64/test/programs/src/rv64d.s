# D extension: the same coverage as rv64f for double precision (arithmetic in every rounding
# mode with exact expected results and flags, specials, FMA, sign injection, min/max, compares,
# classify, conversions to and from integers), FCVT.S.D / FCVT.D.S (rounding, overflow, NaN
# canonicalisation, an improperly boxed single), FLD/FSD/FMV.X.D/FMV.D.X, and compressed FP
# loads/stores.
.include "common.inc"
.include "fp.inc"
PROGRAM rv64d

# ---- add/sub/mul/div, every rounding mode, checked against exact arithmetic
  T_F2 1, fadd.d, rne, 0x3ff0000000000000, 0xc004000000000000, 0xbff8000000000000, 0
  T_F2 2, fadd.d, rtz, 0x3ff0000000000000, 0xc004000000000000, 0xbff8000000000000, 0
  T_F2 3, fadd.d, rdn, 0x3ff0000000000000, 0xc004000000000000, 0xbff8000000000000, 0
  T_F2 4, fadd.d, rup, 0x3ff0000000000000, 0xc004000000000000, 0xbff8000000000000, 0
  T_F2 5, fadd.d, rmm, 0x3ff0000000000000, 0xc004000000000000, 0xbff8000000000000, 0
  T_F2 6, fadd.d, rne, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fdbbbbbbbbbbbbc, 1
  T_F2 7, fadd.d, rtz, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fdbbbbbbbbbbbbb, 1
  T_F2 8, fadd.d, rdn, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fdbbbbbbbbbbbbb, 1
  T_F2 9, fadd.d, rup, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fdbbbbbbbbbbbbc, 1
  T_F2 10, fadd.d, rmm, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fdbbbbbbbbbbbbc, 1
  T_F2 11, fadd.d, rne, 0x3ff0000000000000, 0x3fd5555555555555, 0x3ff5555555555555, 1
  T_F2 12, fadd.d, rtz, 0x3ff0000000000000, 0x3fd5555555555555, 0x3ff5555555555555, 1
  T_F2 13, fadd.d, rdn, 0x3ff0000000000000, 0x3fd5555555555555, 0x3ff5555555555555, 1
  T_F2 14, fadd.d, rup, 0x3ff0000000000000, 0x3fd5555555555555, 0x3ff5555555555556, 1
  T_F2 15, fadd.d, rmm, 0x3ff0000000000000, 0x3fd5555555555555, 0x3ff5555555555555, 1
  T_F2 16, fadd.d, rne, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000, 5
  T_F2 17, fadd.d, rtz, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7fefffffffffffff, 5
  T_F2 18, fadd.d, rdn, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7fefffffffffffff, 5
  T_F2 19, fadd.d, rup, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000, 5
  T_F2 20, fadd.d, rmm, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000, 5
  T_F2 21, fadd.d, rne, 0x10000000000000, 0x5, 0x10000000000005, 0
  T_F2 22, fadd.d, rtz, 0x10000000000000, 0x5, 0x10000000000005, 0
  T_F2 23, fadd.d, rdn, 0x10000000000000, 0x5, 0x10000000000005, 0
  T_F2 24, fadd.d, rup, 0x10000000000000, 0x5, 0x10000000000005, 0
  T_F2 25, fadd.d, rmm, 0x10000000000000, 0x5, 0x10000000000005, 0
  T_F2 26, fadd.d, rne, 0x5, 0x5, 0xa, 0
  T_F2 27, fadd.d, rtz, 0x5, 0x5, 0xa, 0
  T_F2 28, fadd.d, rdn, 0x5, 0x5, 0xa, 0
  T_F2 29, fadd.d, rup, 0x5, 0x5, 0xa, 0
  T_F2 30, fadd.d, rmm, 0x5, 0x5, 0xa, 0
  T_F2 31, fadd.d, rne, 0x4008000000000000, 0x3fd5555555555555, 0x400aaaaaaaaaaaab, 1
  T_F2 32, fadd.d, rtz, 0x4008000000000000, 0x3fd5555555555555, 0x400aaaaaaaaaaaaa, 1
  T_F2 33, fadd.d, rdn, 0x4008000000000000, 0x3fd5555555555555, 0x400aaaaaaaaaaaaa, 1
  T_F2 34, fadd.d, rup, 0x4008000000000000, 0x3fd5555555555555, 0x400aaaaaaaaaaaab, 1
  T_F2 35, fadd.d, rmm, 0x4008000000000000, 0x3fd5555555555555, 0x400aaaaaaaaaaaab, 1
  T_F2 36, fadd.d, rne, 0x4202a05f20000000, 0x3fb999999999999a, 0x4202a05f2000cccd, 1
  T_F2 37, fadd.d, rtz, 0x4202a05f20000000, 0x3fb999999999999a, 0x4202a05f2000cccc, 1
  T_F2 38, fadd.d, rdn, 0x4202a05f20000000, 0x3fb999999999999a, 0x4202a05f2000cccc, 1
  T_F2 39, fadd.d, rup, 0x4202a05f20000000, 0x3fb999999999999a, 0x4202a05f2000cccd, 1
  T_F2 40, fadd.d, rmm, 0x4202a05f20000000, 0x3fb999999999999a, 0x4202a05f2000cccd, 1
  T_F2 41, fadd.d, rne, 0xc01c000000000000, 0x3fd5555555555555, 0xc01aaaaaaaaaaaab, 1
  T_F2 42, fadd.d, rtz, 0xc01c000000000000, 0x3fd5555555555555, 0xc01aaaaaaaaaaaaa, 1
  T_F2 43, fadd.d, rdn, 0xc01c000000000000, 0x3fd5555555555555, 0xc01aaaaaaaaaaaab, 1
  T_F2 44, fadd.d, rup, 0xc01c000000000000, 0x3fd5555555555555, 0xc01aaaaaaaaaaaaa, 1
  T_F2 45, fadd.d, rmm, 0xc01c000000000000, 0x3fd5555555555555, 0xc01aaaaaaaaaaaab, 1
  T_F2 46, fadd.d, rne, 0xc004000000000000, 0xc01c000000000000, 0xc023000000000000, 0
  T_F2 47, fadd.d, rtz, 0xc004000000000000, 0xc01c000000000000, 0xc023000000000000, 0
  T_F2 48, fadd.d, rdn, 0xc004000000000000, 0xc01c000000000000, 0xc023000000000000, 0
  T_F2 49, fadd.d, rup, 0xc004000000000000, 0xc01c000000000000, 0xc023000000000000, 0
  T_F2 50, fadd.d, rmm, 0xc004000000000000, 0xc01c000000000000, 0xc023000000000000, 0
  T_F2 51, fadd.d, rne, 0x3fb999999999999a, 0x3fb999999999999a, 0x3fc999999999999a, 0
  T_F2 52, fadd.d, rtz, 0x3fb999999999999a, 0x3fb999999999999a, 0x3fc999999999999a, 0
  T_F2 53, fadd.d, rdn, 0x3fb999999999999a, 0x3fb999999999999a, 0x3fc999999999999a, 0
  T_F2 54, fadd.d, rup, 0x3fb999999999999a, 0x3fb999999999999a, 0x3fc999999999999a, 0
  T_F2 55, fadd.d, rmm, 0x3fb999999999999a, 0x3fb999999999999a, 0x3fc999999999999a, 0
  T_F2 56, fsub.d, rne, 0x3ff0000000000000, 0xc004000000000000, 0x400c000000000000, 0
  T_F2 57, fsub.d, rtz, 0x3ff0000000000000, 0xc004000000000000, 0x400c000000000000, 0
  T_F2 58, fsub.d, rdn, 0x3ff0000000000000, 0xc004000000000000, 0x400c000000000000, 0
  T_F2 59, fsub.d, rup, 0x3ff0000000000000, 0xc004000000000000, 0x400c000000000000, 0
  T_F2 60, fsub.d, rmm, 0x3ff0000000000000, 0xc004000000000000, 0x400c000000000000, 0
  T_F2 61, fsub.d, rne, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fcddddddddddddd, 0
  T_F2 62, fsub.d, rtz, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fcddddddddddddd, 0
  T_F2 63, fsub.d, rdn, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fcddddddddddddd, 0
  T_F2 64, fsub.d, rup, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fcddddddddddddd, 0
  T_F2 65, fsub.d, rmm, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fcddddddddddddd, 0
  T_F2 66, fsub.d, rne, 0x3ff0000000000000, 0x3fd5555555555555, 0x3fe5555555555556, 1
  T_F2 67, fsub.d, rtz, 0x3ff0000000000000, 0x3fd5555555555555, 0x3fe5555555555555, 1
  T_F2 68, fsub.d, rdn, 0x3ff0000000000000, 0x3fd5555555555555, 0x3fe5555555555555, 1
  T_F2 69, fsub.d, rup, 0x3ff0000000000000, 0x3fd5555555555555, 0x3fe5555555555556, 1
  T_F2 70, fsub.d, rmm, 0x3ff0000000000000, 0x3fd5555555555555, 0x3fe5555555555556, 1
  T_F2 71, fsub.d, rne, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x0, 0
  T_F2 72, fsub.d, rtz, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x0, 0
  T_F2 73, fsub.d, rdn, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x8000000000000000, 0
  T_F2 74, fsub.d, rup, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x0, 0
  T_F2 75, fsub.d, rmm, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x0, 0
  T_F2 76, fsub.d, rne, 0x10000000000000, 0x5, 0xffffffffffffb, 0
  T_F2 77, fsub.d, rtz, 0x10000000000000, 0x5, 0xffffffffffffb, 0
  T_F2 78, fsub.d, rdn, 0x10000000000000, 0x5, 0xffffffffffffb, 0
  T_F2 79, fsub.d, rup, 0x10000000000000, 0x5, 0xffffffffffffb, 0
  T_F2 80, fsub.d, rmm, 0x10000000000000, 0x5, 0xffffffffffffb, 0
  T_F2 81, fsub.d, rne, 0x5, 0x5, 0x0, 0
  T_F2 82, fsub.d, rtz, 0x5, 0x5, 0x0, 0
  T_F2 83, fsub.d, rdn, 0x5, 0x5, 0x8000000000000000, 0
  T_F2 84, fsub.d, rup, 0x5, 0x5, 0x0, 0
  T_F2 85, fsub.d, rmm, 0x5, 0x5, 0x0, 0
  T_F2 86, fsub.d, rne, 0x4008000000000000, 0x3fd5555555555555, 0x4005555555555555, 1
  T_F2 87, fsub.d, rtz, 0x4008000000000000, 0x3fd5555555555555, 0x4005555555555555, 1
  T_F2 88, fsub.d, rdn, 0x4008000000000000, 0x3fd5555555555555, 0x4005555555555555, 1
  T_F2 89, fsub.d, rup, 0x4008000000000000, 0x3fd5555555555555, 0x4005555555555556, 1
  T_F2 90, fsub.d, rmm, 0x4008000000000000, 0x3fd5555555555555, 0x4005555555555555, 1
  T_F2 91, fsub.d, rne, 0x4202a05f20000000, 0x3fb999999999999a, 0x4202a05f1fff3333, 1
  T_F2 92, fsub.d, rtz, 0x4202a05f20000000, 0x3fb999999999999a, 0x4202a05f1fff3333, 1
  T_F2 93, fsub.d, rdn, 0x4202a05f20000000, 0x3fb999999999999a, 0x4202a05f1fff3333, 1
  T_F2 94, fsub.d, rup, 0x4202a05f20000000, 0x3fb999999999999a, 0x4202a05f1fff3334, 1
  T_F2 95, fsub.d, rmm, 0x4202a05f20000000, 0x3fb999999999999a, 0x4202a05f1fff3333, 1
  T_F2 96, fsub.d, rne, 0xc01c000000000000, 0x3fd5555555555555, 0xc01d555555555555, 1
  T_F2 97, fsub.d, rtz, 0xc01c000000000000, 0x3fd5555555555555, 0xc01d555555555555, 1
  T_F2 98, fsub.d, rdn, 0xc01c000000000000, 0x3fd5555555555555, 0xc01d555555555556, 1
  T_F2 99, fsub.d, rup, 0xc01c000000000000, 0x3fd5555555555555, 0xc01d555555555555, 1
  T_F2 100, fsub.d, rmm, 0xc01c000000000000, 0x3fd5555555555555, 0xc01d555555555555, 1
  T_F2 101, fsub.d, rne, 0xc004000000000000, 0xc01c000000000000, 0x4012000000000000, 0
  T_F2 102, fsub.d, rtz, 0xc004000000000000, 0xc01c000000000000, 0x4012000000000000, 0
  T_F2 103, fsub.d, rdn, 0xc004000000000000, 0xc01c000000000000, 0x4012000000000000, 0
  T_F2 104, fsub.d, rup, 0xc004000000000000, 0xc01c000000000000, 0x4012000000000000, 0
  T_F2 105, fsub.d, rmm, 0xc004000000000000, 0xc01c000000000000, 0x4012000000000000, 0
  T_F2 106, fsub.d, rne, 0x3fb999999999999a, 0x3fb999999999999a, 0x0, 0
  T_F2 107, fsub.d, rtz, 0x3fb999999999999a, 0x3fb999999999999a, 0x0, 0
  T_F2 108, fsub.d, rdn, 0x3fb999999999999a, 0x3fb999999999999a, 0x8000000000000000, 0
  T_F2 109, fsub.d, rup, 0x3fb999999999999a, 0x3fb999999999999a, 0x0, 0
  T_F2 110, fsub.d, rmm, 0x3fb999999999999a, 0x3fb999999999999a, 0x0, 0
  T_F2 111, fmul.d, rne, 0x3ff0000000000000, 0xc004000000000000, 0xc004000000000000, 0
  T_F2 112, fmul.d, rtz, 0x3ff0000000000000, 0xc004000000000000, 0xc004000000000000, 0
  T_F2 113, fmul.d, rdn, 0x3ff0000000000000, 0xc004000000000000, 0xc004000000000000, 0
  T_F2 114, fmul.d, rup, 0x3ff0000000000000, 0xc004000000000000, 0xc004000000000000, 0
  T_F2 115, fmul.d, rmm, 0x3ff0000000000000, 0xc004000000000000, 0xc004000000000000, 0
  T_F2 116, fmul.d, rne, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fa1111111111111, 1
  T_F2 117, fmul.d, rtz, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fa1111111111111, 1
  T_F2 118, fmul.d, rdn, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fa1111111111111, 1
  T_F2 119, fmul.d, rup, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fa1111111111112, 1
  T_F2 120, fmul.d, rmm, 0x3fd5555555555555, 0x3fb999999999999a, 0x3fa1111111111111, 1
  T_F2 121, fmul.d, rne, 0x3ff0000000000000, 0x3fd5555555555555, 0x3fd5555555555555, 0
  T_F2 122, fmul.d, rtz, 0x3ff0000000000000, 0x3fd5555555555555, 0x3fd5555555555555, 0
  T_F2 123, fmul.d, rdn, 0x3ff0000000000000, 0x3fd5555555555555, 0x3fd5555555555555, 0
  T_F2 124, fmul.d, rup, 0x3ff0000000000000, 0x3fd5555555555555, 0x3fd5555555555555, 0
  T_F2 125, fmul.d, rmm, 0x3ff0000000000000, 0x3fd5555555555555, 0x3fd5555555555555, 0
  T_F2 126, fmul.d, rne, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000, 5
  T_F2 127, fmul.d, rtz, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7fefffffffffffff, 5
  T_F2 128, fmul.d, rdn, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7fefffffffffffff, 5
  T_F2 129, fmul.d, rup, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000, 5
  T_F2 130, fmul.d, rmm, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x7ff0000000000000, 5
  T_F2 131, fmul.d, rne, 0x10000000000000, 0x5, 0x0, 3
  T_F2 132, fmul.d, rtz, 0x10000000000000, 0x5, 0x0, 3
  T_F2 133, fmul.d, rdn, 0x10000000000000, 0x5, 0x0, 3
  T_F2 134, fmul.d, rup, 0x10000000000000, 0x5, 0x1, 3
  T_F2 135, fmul.d, rmm, 0x10000000000000, 0x5, 0x0, 3
  T_F2 136, fmul.d, rne, 0x5, 0x5, 0x0, 3
  T_F2 137, fmul.d, rtz, 0x5, 0x5, 0x0, 3
  T_F2 138, fmul.d, rdn, 0x5, 0x5, 0x0, 3
  T_F2 139, fmul.d, rup, 0x5, 0x5, 0x1, 3
  T_F2 140, fmul.d, rmm, 0x5, 0x5, 0x0, 3
  T_F2 141, fmul.d, rne, 0x4008000000000000, 0x3fd5555555555555, 0x3ff0000000000000, 1
  T_F2 142, fmul.d, rtz, 0x4008000000000000, 0x3fd5555555555555, 0x3fefffffffffffff, 1
  T_F2 143, fmul.d, rdn, 0x4008000000000000, 0x3fd5555555555555, 0x3fefffffffffffff, 1
  T_F2 144, fmul.d, rup, 0x4008000000000000, 0x3fd5555555555555, 0x3ff0000000000000, 1
  T_F2 145, fmul.d, rmm, 0x4008000000000000, 0x3fd5555555555555, 0x3ff0000000000000, 1
  T_F2 146, fmul.d, rne, 0x4202a05f20000000, 0x3fb999999999999a, 0x41cdcd6500000000, 1
  T_F2 147, fmul.d, rtz, 0x4202a05f20000000, 0x3fb999999999999a, 0x41cdcd6500000000, 1
  T_F2 148, fmul.d, rdn, 0x4202a05f20000000, 0x3fb999999999999a, 0x41cdcd6500000000, 1
  T_F2 149, fmul.d, rup, 0x4202a05f20000000, 0x3fb999999999999a, 0x41cdcd6500000001, 1
  T_F2 150, fmul.d, rmm, 0x4202a05f20000000, 0x3fb999999999999a, 0x41cdcd6500000000, 1
  T_F2 151, fmul.d, rne, 0xc01c000000000000, 0x3fd5555555555555, 0xc002aaaaaaaaaaaa, 1
  T_F2 152, fmul.d, rtz, 0xc01c000000000000, 0x3fd5555555555555, 0xc002aaaaaaaaaaaa, 1
  T_F2 153, fmul.d, rdn, 0xc01c000000000000, 0x3fd5555555555555, 0xc002aaaaaaaaaaab, 1
  T_F2 154, fmul.d, rup, 0xc01c000000000000, 0x3fd5555555555555, 0xc002aaaaaaaaaaaa, 1
  T_F2 155, fmul.d, rmm, 0xc01c000000000000, 0x3fd5555555555555, 0xc002aaaaaaaaaaaa, 1
  T_F2 156, fmul.d, rne, 0xc004000000000000, 0xc01c000000000000, 0x4031800000000000, 0
  T_F2 157, fmul.d, rtz, 0xc004000000000000, 0xc01c000000000000, 0x4031800000000000, 0
  T_F2 158, fmul.d, rdn, 0xc004000000000000, 0xc01c000000000000, 0x4031800000000000, 0
  T_F2 159, fmul.d, rup, 0xc004000000000000, 0xc01c000000000000, 0x4031800000000000, 0
  T_F2 160, fmul.d, rmm, 0xc004000000000000, 0xc01c000000000000, 0x4031800000000000, 0
  T_F2 161, fmul.d, rne, 0x3fb999999999999a, 0x3fb999999999999a, 0x3f847ae147ae147c, 1
  T_F2 162, fmul.d, rtz, 0x3fb999999999999a, 0x3fb999999999999a, 0x3f847ae147ae147b, 1
  T_F2 163, fmul.d, rdn, 0x3fb999999999999a, 0x3fb999999999999a, 0x3f847ae147ae147b, 1
  T_F2 164, fmul.d, rup, 0x3fb999999999999a, 0x3fb999999999999a, 0x3f847ae147ae147c, 1
  T_F2 165, fmul.d, rmm, 0x3fb999999999999a, 0x3fb999999999999a, 0x3f847ae147ae147c, 1
  T_F2 166, fdiv.d, rne, 0x3ff0000000000000, 0xc004000000000000, 0xbfd999999999999a, 1
  T_F2 167, fdiv.d, rtz, 0x3ff0000000000000, 0xc004000000000000, 0xbfd9999999999999, 1
  T_F2 168, fdiv.d, rdn, 0x3ff0000000000000, 0xc004000000000000, 0xbfd999999999999a, 1
  T_F2 169, fdiv.d, rup, 0x3ff0000000000000, 0xc004000000000000, 0xbfd9999999999999, 1
  T_F2 170, fdiv.d, rmm, 0x3ff0000000000000, 0xc004000000000000, 0xbfd999999999999a, 1
  T_F2 171, fdiv.d, rne, 0x3fd5555555555555, 0x3fb999999999999a, 0x400aaaaaaaaaaaaa, 1
  T_F2 172, fdiv.d, rtz, 0x3fd5555555555555, 0x3fb999999999999a, 0x400aaaaaaaaaaaa9, 1
  T_F2 173, fdiv.d, rdn, 0x3fd5555555555555, 0x3fb999999999999a, 0x400aaaaaaaaaaaa9, 1
  T_F2 174, fdiv.d, rup, 0x3fd5555555555555, 0x3fb999999999999a, 0x400aaaaaaaaaaaaa, 1
  T_F2 175, fdiv.d, rmm, 0x3fd5555555555555, 0x3fb999999999999a, 0x400aaaaaaaaaaaaa, 1
  T_F2 176, fdiv.d, rne, 0x3ff0000000000000, 0x3fd5555555555555, 0x4008000000000000, 1
  T_F2 177, fdiv.d, rtz, 0x3ff0000000000000, 0x3fd5555555555555, 0x4008000000000000, 1
  T_F2 178, fdiv.d, rdn, 0x3ff0000000000000, 0x3fd5555555555555, 0x4008000000000000, 1
  T_F2 179, fdiv.d, rup, 0x3ff0000000000000, 0x3fd5555555555555, 0x4008000000000001, 1
  T_F2 180, fdiv.d, rmm, 0x3ff0000000000000, 0x3fd5555555555555, 0x4008000000000000, 1
  T_F2 181, fdiv.d, rne, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x3ff0000000000000, 0
  T_F2 182, fdiv.d, rtz, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x3ff0000000000000, 0
  T_F2 183, fdiv.d, rdn, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x3ff0000000000000, 0
  T_F2 184, fdiv.d, rup, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x3ff0000000000000, 0
  T_F2 185, fdiv.d, rmm, 0x7fefffffffffffff, 0x7fefffffffffffff, 0x3ff0000000000000, 0
  T_F2 186, fdiv.d, rne, 0x10000000000000, 0x5, 0x430999999999999a, 1
  T_F2 187, fdiv.d, rtz, 0x10000000000000, 0x5, 0x4309999999999999, 1
  T_F2 188, fdiv.d, rdn, 0x10000000000000, 0x5, 0x4309999999999999, 1
  T_F2 189, fdiv.d, rup, 0x10000000000000, 0x5, 0x430999999999999a, 1
  T_F2 190, fdiv.d, rmm, 0x10000000000000, 0x5, 0x430999999999999a, 1
  T_F2 191, fdiv.d, rne, 0x5, 0x5, 0x3ff0000000000000, 0
  T_F2 192, fdiv.d, rtz, 0x5, 0x5, 0x3ff0000000000000, 0
  T_F2 193, fdiv.d, rdn, 0x5, 0x5, 0x3ff0000000000000, 0
  T_F2 194, fdiv.d, rup, 0x5, 0x5, 0x3ff0000000000000, 0
  T_F2 195, fdiv.d, rmm, 0x5, 0x5, 0x3ff0000000000000, 0
  T_F2 196, fdiv.d, rne, 0x4008000000000000, 0x3fd5555555555555, 0x4022000000000000, 1
  T_F2 197, fdiv.d, rtz, 0x4008000000000000, 0x3fd5555555555555, 0x4022000000000000, 1
  T_F2 198, fdiv.d, rdn, 0x4008000000000000, 0x3fd5555555555555, 0x4022000000000000, 1
  T_F2 199, fdiv.d, rup, 0x4008000000000000, 0x3fd5555555555555, 0x4022000000000001, 1
  T_F2 200, fdiv.d, rmm, 0x4008000000000000, 0x3fd5555555555555, 0x4022000000000000, 1
  T_F2 201, fdiv.d, rne, 0x4202a05f20000000, 0x3fb999999999999a, 0x42374876e8000000, 1
  T_F2 202, fdiv.d, rtz, 0x4202a05f20000000, 0x3fb999999999999a, 0x42374876e7ffffff, 1
  T_F2 203, fdiv.d, rdn, 0x4202a05f20000000, 0x3fb999999999999a, 0x42374876e7ffffff, 1
  T_F2 204, fdiv.d, rup, 0x4202a05f20000000, 0x3fb999999999999a, 0x42374876e8000000, 1
  T_F2 205, fdiv.d, rmm, 0x4202a05f20000000, 0x3fb999999999999a, 0x42374876e8000000, 1
  T_F2 206, fdiv.d, rne, 0xc01c000000000000, 0x3fd5555555555555, 0xc035000000000000, 1
  T_F2 207, fdiv.d, rtz, 0xc01c000000000000, 0x3fd5555555555555, 0xc035000000000000, 1
  T_F2 208, fdiv.d, rdn, 0xc01c000000000000, 0x3fd5555555555555, 0xc035000000000001, 1
  T_F2 209, fdiv.d, rup, 0xc01c000000000000, 0x3fd5555555555555, 0xc035000000000000, 1
  T_F2 210, fdiv.d, rmm, 0xc01c000000000000, 0x3fd5555555555555, 0xc035000000000000, 1
  T_F2 211, fdiv.d, rne, 0xc004000000000000, 0xc01c000000000000, 0x3fd6db6db6db6db7, 1
  T_F2 212, fdiv.d, rtz, 0xc004000000000000, 0xc01c000000000000, 0x3fd6db6db6db6db6, 1
  T_F2 213, fdiv.d, rdn, 0xc004000000000000, 0xc01c000000000000, 0x3fd6db6db6db6db6, 1
  T_F2 214, fdiv.d, rup, 0xc004000000000000, 0xc01c000000000000, 0x3fd6db6db6db6db7, 1
  T_F2 215, fdiv.d, rmm, 0xc004000000000000, 0xc01c000000000000, 0x3fd6db6db6db6db7, 1
  T_F2 216, fdiv.d, rne, 0x3fb999999999999a, 0x3fb999999999999a, 0x3ff0000000000000, 0
  T_F2 217, fdiv.d, rtz, 0x3fb999999999999a, 0x3fb999999999999a, 0x3ff0000000000000, 0
  T_F2 218, fdiv.d, rdn, 0x3fb999999999999a, 0x3fb999999999999a, 0x3ff0000000000000, 0
  T_F2 219, fdiv.d, rup, 0x3fb999999999999a, 0x3fb999999999999a, 0x3ff0000000000000, 0
  T_F2 220, fdiv.d, rmm, 0x3fb999999999999a, 0x3fb999999999999a, 0x3ff0000000000000, 0
# ties: 1 + half an ulp rounds to even (down) in RNE, away in RMM and up in RUP
  T_F2 221, fadd.d, rne, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, 1
  T_F2 222, fadd.d, rne, 0x3ff0000000000000, 0x3cb8000000000000, 0x3ff0000000000002, 1
  T_F2 223, fsub.d, rne, 0xbff0000000000000, 0x3ca0000000000000, 0xbff0000000000000, 1
  T_F2 224, fadd.d, rtz, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, 1
  T_F2 225, fadd.d, rtz, 0x3ff0000000000000, 0x3cb8000000000000, 0x3ff0000000000001, 1
  T_F2 226, fsub.d, rtz, 0xbff0000000000000, 0x3ca0000000000000, 0xbff0000000000000, 1
  T_F2 227, fadd.d, rdn, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000000, 1
  T_F2 228, fadd.d, rdn, 0x3ff0000000000000, 0x3cb8000000000000, 0x3ff0000000000001, 1
  T_F2 229, fsub.d, rdn, 0xbff0000000000000, 0x3ca0000000000000, 0xbff0000000000001, 1
  T_F2 230, fadd.d, rup, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000001, 1
  T_F2 231, fadd.d, rup, 0x3ff0000000000000, 0x3cb8000000000000, 0x3ff0000000000002, 1
  T_F2 232, fsub.d, rup, 0xbff0000000000000, 0x3ca0000000000000, 0xbff0000000000000, 1
  T_F2 233, fadd.d, rmm, 0x3ff0000000000000, 0x3ca0000000000000, 0x3ff0000000000001, 1
  T_F2 234, fadd.d, rmm, 0x3ff0000000000000, 0x3cb8000000000000, 0x3ff0000000000002, 1
  T_F2 235, fsub.d, rmm, 0xbff0000000000000, 0x3ca0000000000000, 0xbff0000000000001, 1
# signed zeros: x - x is +0 except in RDN; -0 + -0 = -0; 0 * -x = -0
  T_F2 236, fsub.d, rne, 0x4008000000000000, 0x4008000000000000, 0x0, 0
  T_F2 237, fadd.d, rne, 0x4008000000000000, 0xc008000000000000, 0x0, 0
  T_F2 238, fsub.d, rdn, 0x4008000000000000, 0x4008000000000000, 0x8000000000000000, 0
  T_F2 239, fadd.d, rdn, 0x4008000000000000, 0xc008000000000000, 0x8000000000000000, 0
  T_F2 240, fsub.d, rup, 0x4008000000000000, 0x4008000000000000, 0x0, 0
  T_F2 241, fadd.d, rup, 0x4008000000000000, 0xc008000000000000, 0x0, 0
  T_F2 242, fadd.d, rne, 0x8000000000000000, 0x8000000000000000, 0x8000000000000000, 0
  T_F2 243, fadd.d, rne, 0x8000000000000000, 0x0, 0x0, 0
  T_F2 244, fmul.d, rne, 0x0, 0xc014000000000000, 0x8000000000000000, 0
# special values: invalid operations give the canonical NaN and NV
  T_F2 245, fsub.d, rne, 0x7ff0000000000000, 0x7ff0000000000000, 0x7ff8000000000000, 16
  T_F2 246, fadd.d, rne, 0x7ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 16
  T_F2 247, fmul.d, rne, 0x0, 0x7ff0000000000000, 0x7ff8000000000000, 16
  T_F2 248, fdiv.d, rne, 0x0, 0x0, 0x7ff8000000000000, 16
  T_F2 249, fdiv.d, rne, 0x7ff0000000000000, 0x7ff0000000000000, 0x7ff8000000000000, 16
  T_F2 250, fdiv.d, rne, 0x3ff0000000000000, 0x0, 0x7ff0000000000000, 8
  T_F2 251, fdiv.d, rne, 0xbff0000000000000, 0x0, 0xfff0000000000000, 8
  T_F2 252, fdiv.d, rne, 0x3ff0000000000000, 0x8000000000000000, 0xfff0000000000000, 8
  T_F2 253, fdiv.d, rne, 0x3ff0000000000000, 0x7ff0000000000000, 0x0, 0
  T_F2 254, fadd.d, rne, 0x7ff0000000000000, 0x7fefffffffffffff, 0x7ff0000000000000, 0
  T_F2 255, fmul.d, rne, 0xfff0000000000000, 0x4000000000000000, 0xfff0000000000000, 0
# NaN inputs: quiet NaNs propagate as the canonical NaN silently, signalling ones raise NV
  T_F2 256, fadd.d, rne, 0x7ff8000000001234, 0x3ff0000000000000, 0x7ff8000000000000, 0
  T_F2 257, fmul.d, rne, 0x3ff0000000000000, 0xfff8000000000000, 0x7ff8000000000000, 0
  T_F2 258, fadd.d, rne, 0x7ff0000000000001, 0x3ff0000000000000, 0x7ff8000000000000, 16
  T_F2 259, fdiv.d, rne, 0x3ff0000000000000, 0xfff0000000000001, 0x7ff8000000000000, 16
  T_F2 260, fsub.d, rne, 0x7ff8000000000000, 0x7ff0000000000001, 0x7ff8000000000000, 16
# overflow and underflow flags, rounding-mode dependent overflow result
  T_F2 261, fmul.d, rne, 0x7fefffffffffffff, 0x4000000000000000, 0x7ff0000000000000, 5
  T_F2 262, fmul.d, rne, 0xffefffffffffffff, 0x4000000000000000, 0xfff0000000000000, 5
  T_F2 263, fmul.d, rne, 0x10000000000000, 0x3fd5555555555555, 0x5555555555555, 3
  T_F2 264, fdiv.d, rne, 0x1, 0x4000000000000000, 0x0, 3
  T_F2 265, fmul.d, rtz, 0x7fefffffffffffff, 0x4000000000000000, 0x7fefffffffffffff, 5
  T_F2 266, fmul.d, rtz, 0xffefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, 5
  T_F2 267, fmul.d, rtz, 0x10000000000000, 0x3fd5555555555555, 0x5555555555555, 3
  T_F2 268, fdiv.d, rtz, 0x1, 0x4000000000000000, 0x0, 3
  T_F2 269, fmul.d, rdn, 0x7fefffffffffffff, 0x4000000000000000, 0x7fefffffffffffff, 5
  T_F2 270, fmul.d, rdn, 0xffefffffffffffff, 0x4000000000000000, 0xfff0000000000000, 5
  T_F2 271, fmul.d, rdn, 0x10000000000000, 0x3fd5555555555555, 0x5555555555555, 3
  T_F2 272, fdiv.d, rdn, 0x1, 0x4000000000000000, 0x0, 3
  T_F2 273, fmul.d, rup, 0x7fefffffffffffff, 0x4000000000000000, 0x7ff0000000000000, 5
  T_F2 274, fmul.d, rup, 0xffefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, 5
  T_F2 275, fmul.d, rup, 0x10000000000000, 0x3fd5555555555555, 0x5555555555556, 3
  T_F2 276, fdiv.d, rup, 0x1, 0x4000000000000000, 0x1, 3
  T_F2 277, fmul.d, rmm, 0x7fefffffffffffff, 0x4000000000000000, 0x7ff0000000000000, 5
  T_F2 278, fmul.d, rmm, 0xffefffffffffffff, 0x4000000000000000, 0xfff0000000000000, 5
  T_F2 279, fmul.d, rmm, 0x10000000000000, 0x3fd5555555555555, 0x5555555555555, 3
  T_F2 280, fdiv.d, rmm, 0x1, 0x4000000000000000, 0x1, 3
# exact subnormal results raise nothing
  T_F2 281, fdiv.d, rne, 0x10000000000000, 0x4010000000000000, 0x4000000000000, 0
  T_F2 282, fsub.d, rne, 0x10000000000001, 0x10000000000000, 0x1, 0
# ---- square root
  T_F1 283, fsqrt.d, rne, 0x4010000000000000, 0x4000000000000000, 0
  T_F1 284, fsqrt.d, rne, 0x4002000000000000, 0x3ff8000000000000, 0
  T_F1 285, fsqrt.d, rne, 0x4000000000000000, 0x3ff6a09e667f3bcd, 1
  T_F1 286, fsqrt.d, rtz, 0x4000000000000000, 0x3ff6a09e667f3bcc, 1
  T_F1 287, fsqrt.d, rup, 0x4000000000000000, 0x3ff6a09e667f3bcd, 1
  T_F1 288, fsqrt.d, rne, 0x8000000000000000, 0x8000000000000000, 0
  T_F1 289, fsqrt.d, rne, 0x7ff0000000000000, 0x7ff0000000000000, 0
  T_F1 290, fsqrt.d, rne, 0xbff0000000000000, 0x7ff8000000000000, 16
  T_F1 291, fsqrt.d, rne, 0xfff0000000000000, 0x7ff8000000000000, 16
  T_F1 292, fsqrt.d, rne, 0x7ff8000000000000, 0x7ff8000000000000, 0
  T_F1 293, fsqrt.d, rne, 0x7ff0000000000001, 0x7ff8000000000000, 16
# ---- fused multiply-add: one rounding (the product alone would round away the low bits)
  T_F3 294, fmadd.d, rne, 0x3ff0000002000000, 0x3ff0000002000000, 0xbff0000000000000, 0x3e50000001000000, 0
  T_F3 295, fmadd.d, rne, 0x4000000000000000, 0x4008000000000000, 0x3fe0000000000000, 0x401a000000000000, 0
  T_F3 296, fmadd.d, rtz, 0xbff8000000000000, 0x3fd5555555555555, 0x4024000000000000, 0x4023000000000000, 1
  T_F3 297, fmadd.d, rup, 0xbff8000000000000, 0x3fd5555555555555, 0x4024000000000000, 0x4023000000000001, 1
  T_F3 298, fmsub.d, rne, 0x3ff0000002000000, 0x3ff0000002000000, 0x3ff0000000000000, 0x3e50000001000000, 0
  T_F3 299, fmsub.d, rne, 0x4000000000000000, 0x4008000000000000, 0x3fe0000000000000, 0x4016000000000000, 0
  T_F3 300, fmsub.d, rtz, 0xbff8000000000000, 0x3fd5555555555555, 0x4024000000000000, 0xc024ffffffffffff, 1
  T_F3 301, fmsub.d, rup, 0xbff8000000000000, 0x3fd5555555555555, 0x4024000000000000, 0xc024ffffffffffff, 1
  T_F3 302, fnmsub.d, rne, 0x3ff0000002000000, 0x3ff0000002000000, 0x3ff0000000000000, 0xbe50000001000000, 0
  T_F3 303, fnmsub.d, rne, 0x4000000000000000, 0x4008000000000000, 0x3fe0000000000000, 0xc016000000000000, 0
  T_F3 304, fnmsub.d, rtz, 0xbff8000000000000, 0x3fd5555555555555, 0x4024000000000000, 0x4024ffffffffffff, 1
  T_F3 305, fnmsub.d, rup, 0xbff8000000000000, 0x3fd5555555555555, 0x4024000000000000, 0x4025000000000000, 1
  T_F3 306, fnmadd.d, rne, 0x3ff0000002000000, 0x3ff0000002000000, 0xbff0000000000000, 0xbe50000001000000, 0
  T_F3 307, fnmadd.d, rne, 0x4000000000000000, 0x4008000000000000, 0x3fe0000000000000, 0xc01a000000000000, 0
  T_F3 308, fnmadd.d, rtz, 0xbff8000000000000, 0x3fd5555555555555, 0x4024000000000000, 0xc023000000000000, 1
  T_F3 309, fnmadd.d, rup, 0xbff8000000000000, 0x3fd5555555555555, 0x4024000000000000, 0xc023000000000000, 1
  T_F3 310, fmadd.d, rne, 0x7ff0000000000000, 0x0, 0x7ff8000000000000, 0x7ff8000000000000, 16
  T_F3 311, fmadd.d, rne, 0x7ff0000000000000, 0x0, 0x3ff0000000000000, 0x7ff8000000000000, 16
  T_F3 312, fmadd.d, rne, 0x7ff0000000000000, 0x3ff0000000000000, 0xfff0000000000000, 0x7ff8000000000000, 16
  T_F3 313, fmadd.d, rne, 0x7ff0000000000001, 0x3ff0000000000000, 0x3ff0000000000000, 0x7ff8000000000000, 16
  T_F3 314, fmadd.d, rne, 0x7fefffffffffffff, 0x4000000000000000, 0xffefffffffffffff, 0x7fefffffffffffff, 0
# ---- sign injection (no flags, NaNs are not canonicalised)
  T_F2N 315, fsgnj.d, 0x4008000000000000, 0xbff0000000000000, 0xc008000000000000, 0
  T_F2N 316, fsgnj.d, 0xc008000000000000, 0x3ff0000000000000, 0x4008000000000000, 0
  T_F2N 317, fsgnjn.d, 0x4008000000000000, 0x3ff0000000000000, 0xc008000000000000, 0
  T_F2N 318, fsgnjn.d, 0x4008000000000000, 0xbff0000000000000, 0x4008000000000000, 0
  T_F2N 319, fsgnjx.d, 0xc008000000000000, 0xbff0000000000000, 0x4008000000000000, 0
  T_F2N 320, fsgnjx.d, 0xc008000000000000, 0x3ff0000000000000, 0xc008000000000000, 0
  T_F2N 321, fsgnj.d, 0x7ff0000000000001, 0x8000000000000000, 0xfff0000000000001, 0
  T_F2N 322, fsgnjx.d, 0x7ff8000000000005, 0xfff8000000000000, 0xfff8000000000005, 0
# ---- min/max: -0 < +0, one NaN returns the other operand, two give the canonical NaN,
# a signalling NaN raises NV
  T_F2N 323, fmin.d, 0x3ff0000000000000, 0x4000000000000000, 0x3ff0000000000000, 0
  T_F2N 324, fmax.d, 0x3ff0000000000000, 0x4000000000000000, 0x4000000000000000, 0
  T_F2N 325, fmin.d, 0xbff0000000000000, 0x4000000000000000, 0xbff0000000000000, 0
  T_F2N 326, fmin.d, 0x8000000000000000, 0x0, 0x8000000000000000, 0
  T_F2N 327, fmin.d, 0x0, 0x8000000000000000, 0x8000000000000000, 0
  T_F2N 328, fmax.d, 0x8000000000000000, 0x0, 0x0, 0
  T_F2N 329, fmax.d, 0x0, 0x8000000000000000, 0x0, 0
  T_F2N 330, fmin.d, 0x7ff8000000000000, 0x4000000000000000, 0x4000000000000000, 0
  T_F2N 331, fmax.d, 0xc000000000000000, 0x7ff8000000000000, 0xc000000000000000, 0
  T_F2N 332, fmin.d, 0x7ff0000000000001, 0x4000000000000000, 0x4000000000000000, 16
  T_F2N 333, fmax.d, 0x7ff8000000000000, 0x7ff8000000000003, 0x7ff8000000000000, 0
  T_F2N 334, fmin.d, 0x7ff0000000000001, 0x7ff8000000000000, 0x7ff8000000000000, 16
  T_F2N 335, fmax.d, 0xfff0000000000000, 0x7fefffffffffffff, 0x7fefffffffffffff, 0
# ---- comparisons: feq is quiet (NV only for sNaN), flt/fle signal on any NaN
  T_FCMP 336, feq.d, 0x3ff0000000000000, 0x4000000000000000, 0, 0
  T_FCMP 337, feq.d, 0x4000000000000000, 0x3ff0000000000000, 0, 0
  T_FCMP 338, feq.d, 0x4000000000000000, 0x4000000000000000, 1, 0
  T_FCMP 339, feq.d, 0xbff0000000000000, 0x3ff0000000000000, 0, 0
  T_FCMP 340, feq.d, 0x0, 0x8000000000000000, 1, 0
  T_FCMP 341, feq.d, 0x7ff8000000000000, 0x3ff0000000000000, 0, 0
  T_FCMP 342, feq.d, 0x3ff0000000000000, 0x7ff0000000000001, 0, 16
  T_FCMP 343, feq.d, 0xfff0000000000000, 0x7fefffffffffffff, 0, 0
  T_FCMP 344, flt.d, 0x3ff0000000000000, 0x4000000000000000, 1, 0
  T_FCMP 345, flt.d, 0x4000000000000000, 0x3ff0000000000000, 0, 0
  T_FCMP 346, flt.d, 0x4000000000000000, 0x4000000000000000, 0, 0
  T_FCMP 347, flt.d, 0xbff0000000000000, 0x3ff0000000000000, 1, 0
  T_FCMP 348, flt.d, 0x0, 0x8000000000000000, 0, 0
  T_FCMP 349, flt.d, 0x7ff8000000000000, 0x3ff0000000000000, 0, 16
  T_FCMP 350, flt.d, 0x3ff0000000000000, 0x7ff0000000000001, 0, 16
  T_FCMP 351, flt.d, 0xfff0000000000000, 0x7fefffffffffffff, 1, 0
  T_FCMP 352, fle.d, 0x3ff0000000000000, 0x4000000000000000, 1, 0
  T_FCMP 353, fle.d, 0x4000000000000000, 0x3ff0000000000000, 0, 0
  T_FCMP 354, fle.d, 0x4000000000000000, 0x4000000000000000, 1, 0
  T_FCMP 355, fle.d, 0xbff0000000000000, 0x3ff0000000000000, 1, 0
  T_FCMP 356, fle.d, 0x0, 0x8000000000000000, 1, 0
  T_FCMP 357, fle.d, 0x7ff8000000000000, 0x3ff0000000000000, 0, 16
  T_FCMP 358, fle.d, 0x3ff0000000000000, 0x7ff0000000000001, 0, 16
  T_FCMP 359, fle.d, 0xfff0000000000000, 0x7fefffffffffffff, 1, 0
# ---- classify: one bit per class
  T_FCLASS 360, fclass.d, 0xfff0000000000000, 1
  T_FCLASS 361, fclass.d, 0xbff0000000000000, 2
  T_FCLASS 362, fclass.d, 0x8000000000000005, 4
  T_FCLASS 363, fclass.d, 0x8000000000000000, 8
  T_FCLASS 364, fclass.d, 0x0, 16
  T_FCLASS 365, fclass.d, 0x5, 32
  T_FCLASS 366, fclass.d, 0x3ff0000000000000, 64
  T_FCLASS 367, fclass.d, 0x7ff0000000000000, 128
  T_FCLASS 368, fclass.d, 0x7ff0000000000001, 256
  T_FCLASS 369, fclass.d, 0x7ff8000000000000, 512
# ---- float -> integer conversions: rounding modes, saturation, NaN, sign extension of W
  T_FCVT_I 370, fcvt.w.d, rne, 0x4004000000000000, 0x2, 1
  T_FCVT_I 371, fcvt.w.d, rtz, 0x4004000000000000, 0x2, 1
  T_FCVT_I 372, fcvt.w.d, rdn, 0x4004000000000000, 0x2, 1
  T_FCVT_I 373, fcvt.w.d, rup, 0x4004000000000000, 0x3, 1
  T_FCVT_I 374, fcvt.w.d, rmm, 0x4004000000000000, 0x3, 1
  T_FCVT_I 375, fcvt.w.d, rne, 0xc004000000000000, 0xfffffffffffffffe, 1
  T_FCVT_I 376, fcvt.w.d, rtz, 0xc004000000000000, 0xfffffffffffffffe, 1
  T_FCVT_I 377, fcvt.w.d, rdn, 0xc004000000000000, 0xfffffffffffffffd, 1
  T_FCVT_I 378, fcvt.w.d, rup, 0xc004000000000000, 0xfffffffffffffffe, 1
  T_FCVT_I 379, fcvt.w.d, rmm, 0xc004000000000000, 0xfffffffffffffffd, 1
  T_FCVT_I 380, fcvt.w.d, rne, 0x3fe0000000000000, 0x0, 1
  T_FCVT_I 381, fcvt.w.d, rtz, 0x3fe0000000000000, 0x0, 1
  T_FCVT_I 382, fcvt.w.d, rne, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 383, fcvt.w.d, rtz, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 384, fcvt.w.d, rdn, 0xbfe0000000000000, 0xffffffffffffffff, 1
  T_FCVT_I 385, fcvt.w.d, rup, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 386, fcvt.w.d, rmm, 0xbfe0000000000000, 0xffffffffffffffff, 1
  T_FCVT_I 387, fcvt.w.d, rne, 0x3ff8000000000000, 0x2, 1
  T_FCVT_I 388, fcvt.w.d, rtz, 0x3ff8000000000000, 0x1, 1
  T_FCVT_I 389, fcvt.w.d, rne, 0xbff0000000000000, 0xffffffffffffffff, 0
  T_FCVT_I 390, fcvt.w.d, rtz, 0xbff0000000000000, 0xffffffffffffffff, 0
  T_FCVT_I 391, fcvt.w.d, rne, 0x41e65a0bc0000000, 0x7fffffff, 16
  T_FCVT_I 392, fcvt.w.d, rtz, 0x41e65a0bc0000000, 0x7fffffff, 16
  T_FCVT_I 393, fcvt.w.d, rne, 0xc1e65a0bc0000000, 0xffffffff80000000, 16
  T_FCVT_I 394, fcvt.w.d, rtz, 0xc1e65a0bc0000000, 0xffffffff80000000, 16
  T_FCVT_I 395, fcvt.w.d, rne, 0x43e158e460913d00, 0x7fffffff, 16
  T_FCVT_I 396, fcvt.w.d, rtz, 0x43e158e460913d00, 0x7fffffff, 16
  T_FCVT_I 397, fcvt.w.d, rne, 0xc3e158e460913d00, 0xffffffff80000000, 16
  T_FCVT_I 398, fcvt.w.d, rtz, 0xc3e158e460913d00, 0xffffffff80000000, 16
  T_FCVT_I 399, fcvt.w.d, rne, 0x440158e460913d00, 0x7fffffff, 16
  T_FCVT_I 400, fcvt.w.d, rtz, 0x440158e460913d00, 0x7fffffff, 16
  T_FCVT_I 401, fcvt.w.d, rne, 0x7ff0000000000000, 0x7fffffff, 16
  T_FCVT_I 402, fcvt.w.d, rtz, 0x7ff0000000000000, 0x7fffffff, 16
  T_FCVT_I 403, fcvt.w.d, rne, 0xfff0000000000000, 0xffffffff80000000, 16
  T_FCVT_I 404, fcvt.w.d, rtz, 0xfff0000000000000, 0xffffffff80000000, 16
  T_FCVT_I 405, fcvt.w.d, rne, 0x7ff8000000000000, 0x7fffffff, 16
  T_FCVT_I 406, fcvt.w.d, rtz, 0x7ff8000000000000, 0x7fffffff, 16
  T_FCVT_I 407, fcvt.w.d, rne, 0x7ff0000000000001, 0x7fffffff, 16
  T_FCVT_I 408, fcvt.w.d, rtz, 0x7ff0000000000001, 0x7fffffff, 16
  T_FCVT_I 409, fcvt.w.d, rne, 0x41dfffffffc00000, 0x7fffffff, 0
  T_FCVT_I 410, fcvt.w.d, rtz, 0x41dfffffffc00000, 0x7fffffff, 0
  T_FCVT_I 411, fcvt.w.d, rne, 0xc1e0000000000000, 0xffffffff80000000, 0
  T_FCVT_I 412, fcvt.w.d, rtz, 0xc1e0000000000000, 0xffffffff80000000, 0
  T_FCVT_I 413, fcvt.w.d, rne, 0x41efffffffe00000, 0x7fffffff, 16
  T_FCVT_I 414, fcvt.w.d, rtz, 0x41efffffffe00000, 0x7fffffff, 16
  T_FCVT_I 415, fcvt.w.d, rne, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 416, fcvt.w.d, rtz, 0x3fefffffca501acb, 0x0, 1
  T_FCVT_I 417, fcvt.w.d, rdn, 0x3fefffffca501acb, 0x0, 1
  T_FCVT_I 418, fcvt.w.d, rup, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 419, fcvt.w.d, rmm, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 420, fcvt.w.d, rne, 0x8000000000000000, 0x0, 0
  T_FCVT_I 421, fcvt.w.d, rtz, 0x8000000000000000, 0x0, 0
  T_FCVT_I 422, fcvt.wu.d, rne, 0x4004000000000000, 0x2, 1
  T_FCVT_I 423, fcvt.wu.d, rtz, 0x4004000000000000, 0x2, 1
  T_FCVT_I 424, fcvt.wu.d, rdn, 0x4004000000000000, 0x2, 1
  T_FCVT_I 425, fcvt.wu.d, rup, 0x4004000000000000, 0x3, 1
  T_FCVT_I 426, fcvt.wu.d, rmm, 0x4004000000000000, 0x3, 1
  T_FCVT_I 427, fcvt.wu.d, rne, 0xc004000000000000, 0x0, 16
  T_FCVT_I 428, fcvt.wu.d, rtz, 0xc004000000000000, 0x0, 16
  T_FCVT_I 429, fcvt.wu.d, rdn, 0xc004000000000000, 0x0, 16
  T_FCVT_I 430, fcvt.wu.d, rup, 0xc004000000000000, 0x0, 16
  T_FCVT_I 431, fcvt.wu.d, rmm, 0xc004000000000000, 0x0, 16
  T_FCVT_I 432, fcvt.wu.d, rne, 0x3fe0000000000000, 0x0, 1
  T_FCVT_I 433, fcvt.wu.d, rtz, 0x3fe0000000000000, 0x0, 1
  T_FCVT_I 434, fcvt.wu.d, rne, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 435, fcvt.wu.d, rtz, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 436, fcvt.wu.d, rdn, 0xbfe0000000000000, 0x0, 16
  T_FCVT_I 437, fcvt.wu.d, rup, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 438, fcvt.wu.d, rmm, 0xbfe0000000000000, 0x0, 16
  T_FCVT_I 439, fcvt.wu.d, rne, 0x3ff8000000000000, 0x2, 1
  T_FCVT_I 440, fcvt.wu.d, rtz, 0x3ff8000000000000, 0x1, 1
  T_FCVT_I 441, fcvt.wu.d, rne, 0xbff0000000000000, 0x0, 16
  T_FCVT_I 442, fcvt.wu.d, rtz, 0xbff0000000000000, 0x0, 16
  T_FCVT_I 443, fcvt.wu.d, rne, 0x41e65a0bc0000000, 0xffffffffb2d05e00, 0
  T_FCVT_I 444, fcvt.wu.d, rtz, 0x41e65a0bc0000000, 0xffffffffb2d05e00, 0
  T_FCVT_I 445, fcvt.wu.d, rne, 0xc1e65a0bc0000000, 0x0, 16
  T_FCVT_I 446, fcvt.wu.d, rtz, 0xc1e65a0bc0000000, 0x0, 16
  T_FCVT_I 447, fcvt.wu.d, rne, 0x43e158e460913d00, 0xffffffffffffffff, 16
  T_FCVT_I 448, fcvt.wu.d, rtz, 0x43e158e460913d00, 0xffffffffffffffff, 16
  T_FCVT_I 449, fcvt.wu.d, rne, 0xc3e158e460913d00, 0x0, 16
  T_FCVT_I 450, fcvt.wu.d, rtz, 0xc3e158e460913d00, 0x0, 16
  T_FCVT_I 451, fcvt.wu.d, rne, 0x440158e460913d00, 0xffffffffffffffff, 16
  T_FCVT_I 452, fcvt.wu.d, rtz, 0x440158e460913d00, 0xffffffffffffffff, 16
  T_FCVT_I 453, fcvt.wu.d, rne, 0x7ff0000000000000, 0xffffffffffffffff, 16
  T_FCVT_I 454, fcvt.wu.d, rtz, 0x7ff0000000000000, 0xffffffffffffffff, 16
  T_FCVT_I 455, fcvt.wu.d, rne, 0xfff0000000000000, 0x0, 16
  T_FCVT_I 456, fcvt.wu.d, rtz, 0xfff0000000000000, 0x0, 16
  T_FCVT_I 457, fcvt.wu.d, rne, 0x7ff8000000000000, 0xffffffffffffffff, 16
  T_FCVT_I 458, fcvt.wu.d, rtz, 0x7ff8000000000000, 0xffffffffffffffff, 16
  T_FCVT_I 459, fcvt.wu.d, rne, 0x7ff0000000000001, 0xffffffffffffffff, 16
  T_FCVT_I 460, fcvt.wu.d, rtz, 0x7ff0000000000001, 0xffffffffffffffff, 16
  T_FCVT_I 461, fcvt.wu.d, rne, 0x41dfffffffc00000, 0x7fffffff, 0
  T_FCVT_I 462, fcvt.wu.d, rtz, 0x41dfffffffc00000, 0x7fffffff, 0
  T_FCVT_I 463, fcvt.wu.d, rne, 0xc1e0000000000000, 0x0, 16
  T_FCVT_I 464, fcvt.wu.d, rtz, 0xc1e0000000000000, 0x0, 16
  T_FCVT_I 465, fcvt.wu.d, rne, 0x41efffffffe00000, 0xffffffffffffffff, 0
  T_FCVT_I 466, fcvt.wu.d, rtz, 0x41efffffffe00000, 0xffffffffffffffff, 0
  T_FCVT_I 467, fcvt.wu.d, rne, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 468, fcvt.wu.d, rtz, 0x3fefffffca501acb, 0x0, 1
  T_FCVT_I 469, fcvt.wu.d, rdn, 0x3fefffffca501acb, 0x0, 1
  T_FCVT_I 470, fcvt.wu.d, rup, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 471, fcvt.wu.d, rmm, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 472, fcvt.wu.d, rne, 0x8000000000000000, 0x0, 0
  T_FCVT_I 473, fcvt.wu.d, rtz, 0x8000000000000000, 0x0, 0
  T_FCVT_I 474, fcvt.l.d, rne, 0x4004000000000000, 0x2, 1
  T_FCVT_I 475, fcvt.l.d, rtz, 0x4004000000000000, 0x2, 1
  T_FCVT_I 476, fcvt.l.d, rdn, 0x4004000000000000, 0x2, 1
  T_FCVT_I 477, fcvt.l.d, rup, 0x4004000000000000, 0x3, 1
  T_FCVT_I 478, fcvt.l.d, rmm, 0x4004000000000000, 0x3, 1
  T_FCVT_I 479, fcvt.l.d, rne, 0xc004000000000000, 0xfffffffffffffffe, 1
  T_FCVT_I 480, fcvt.l.d, rtz, 0xc004000000000000, 0xfffffffffffffffe, 1
  T_FCVT_I 481, fcvt.l.d, rdn, 0xc004000000000000, 0xfffffffffffffffd, 1
  T_FCVT_I 482, fcvt.l.d, rup, 0xc004000000000000, 0xfffffffffffffffe, 1
  T_FCVT_I 483, fcvt.l.d, rmm, 0xc004000000000000, 0xfffffffffffffffd, 1
  T_FCVT_I 484, fcvt.l.d, rne, 0x3fe0000000000000, 0x0, 1
  T_FCVT_I 485, fcvt.l.d, rtz, 0x3fe0000000000000, 0x0, 1
  T_FCVT_I 486, fcvt.l.d, rne, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 487, fcvt.l.d, rtz, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 488, fcvt.l.d, rdn, 0xbfe0000000000000, 0xffffffffffffffff, 1
  T_FCVT_I 489, fcvt.l.d, rup, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 490, fcvt.l.d, rmm, 0xbfe0000000000000, 0xffffffffffffffff, 1
  T_FCVT_I 491, fcvt.l.d, rne, 0x3ff8000000000000, 0x2, 1
  T_FCVT_I 492, fcvt.l.d, rtz, 0x3ff8000000000000, 0x1, 1
  T_FCVT_I 493, fcvt.l.d, rne, 0xbff0000000000000, 0xffffffffffffffff, 0
  T_FCVT_I 494, fcvt.l.d, rtz, 0xbff0000000000000, 0xffffffffffffffff, 0
  T_FCVT_I 495, fcvt.l.d, rne, 0x41e65a0bc0000000, 0xb2d05e00, 0
  T_FCVT_I 496, fcvt.l.d, rtz, 0x41e65a0bc0000000, 0xb2d05e00, 0
  T_FCVT_I 497, fcvt.l.d, rne, 0xc1e65a0bc0000000, 0xffffffff4d2fa200, 0
  T_FCVT_I 498, fcvt.l.d, rtz, 0xc1e65a0bc0000000, 0xffffffff4d2fa200, 0
  T_FCVT_I 499, fcvt.l.d, rne, 0x43e158e460913d00, 0x7fffffffffffffff, 16
  T_FCVT_I 500, fcvt.l.d, rtz, 0x43e158e460913d00, 0x7fffffffffffffff, 16
  T_FCVT_I 501, fcvt.l.d, rne, 0xc3e158e460913d00, 0x8000000000000000, 16
  T_FCVT_I 502, fcvt.l.d, rtz, 0xc3e158e460913d00, 0x8000000000000000, 16
  T_FCVT_I 503, fcvt.l.d, rne, 0x440158e460913d00, 0x7fffffffffffffff, 16
  T_FCVT_I 504, fcvt.l.d, rtz, 0x440158e460913d00, 0x7fffffffffffffff, 16
  T_FCVT_I 505, fcvt.l.d, rne, 0x7ff0000000000000, 0x7fffffffffffffff, 16
  T_FCVT_I 506, fcvt.l.d, rtz, 0x7ff0000000000000, 0x7fffffffffffffff, 16
  T_FCVT_I 507, fcvt.l.d, rne, 0xfff0000000000000, 0x8000000000000000, 16
  T_FCVT_I 508, fcvt.l.d, rtz, 0xfff0000000000000, 0x8000000000000000, 16
  T_FCVT_I 509, fcvt.l.d, rne, 0x7ff8000000000000, 0x7fffffffffffffff, 16
  T_FCVT_I 510, fcvt.l.d, rtz, 0x7ff8000000000000, 0x7fffffffffffffff, 16
  T_FCVT_I 511, fcvt.l.d, rne, 0x7ff0000000000001, 0x7fffffffffffffff, 16
  T_FCVT_I 512, fcvt.l.d, rtz, 0x7ff0000000000001, 0x7fffffffffffffff, 16
  T_FCVT_I 513, fcvt.l.d, rne, 0x41dfffffffc00000, 0x7fffffff, 0
  T_FCVT_I 514, fcvt.l.d, rtz, 0x41dfffffffc00000, 0x7fffffff, 0
  T_FCVT_I 515, fcvt.l.d, rne, 0xc1e0000000000000, 0xffffffff80000000, 0
  T_FCVT_I 516, fcvt.l.d, rtz, 0xc1e0000000000000, 0xffffffff80000000, 0
  T_FCVT_I 517, fcvt.l.d, rne, 0x41efffffffe00000, 0xffffffff, 0
  T_FCVT_I 518, fcvt.l.d, rtz, 0x41efffffffe00000, 0xffffffff, 0
  T_FCVT_I 519, fcvt.l.d, rne, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 520, fcvt.l.d, rtz, 0x3fefffffca501acb, 0x0, 1
  T_FCVT_I 521, fcvt.l.d, rdn, 0x3fefffffca501acb, 0x0, 1
  T_FCVT_I 522, fcvt.l.d, rup, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 523, fcvt.l.d, rmm, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 524, fcvt.l.d, rne, 0x8000000000000000, 0x0, 0
  T_FCVT_I 525, fcvt.l.d, rtz, 0x8000000000000000, 0x0, 0
  T_FCVT_I 526, fcvt.lu.d, rne, 0x4004000000000000, 0x2, 1
  T_FCVT_I 527, fcvt.lu.d, rtz, 0x4004000000000000, 0x2, 1
  T_FCVT_I 528, fcvt.lu.d, rdn, 0x4004000000000000, 0x2, 1
  T_FCVT_I 529, fcvt.lu.d, rup, 0x4004000000000000, 0x3, 1
  T_FCVT_I 530, fcvt.lu.d, rmm, 0x4004000000000000, 0x3, 1
  T_FCVT_I 531, fcvt.lu.d, rne, 0xc004000000000000, 0x0, 16
  T_FCVT_I 532, fcvt.lu.d, rtz, 0xc004000000000000, 0x0, 16
  T_FCVT_I 533, fcvt.lu.d, rdn, 0xc004000000000000, 0x0, 16
  T_FCVT_I 534, fcvt.lu.d, rup, 0xc004000000000000, 0x0, 16
  T_FCVT_I 535, fcvt.lu.d, rmm, 0xc004000000000000, 0x0, 16
  T_FCVT_I 536, fcvt.lu.d, rne, 0x3fe0000000000000, 0x0, 1
  T_FCVT_I 537, fcvt.lu.d, rtz, 0x3fe0000000000000, 0x0, 1
  T_FCVT_I 538, fcvt.lu.d, rne, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 539, fcvt.lu.d, rtz, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 540, fcvt.lu.d, rdn, 0xbfe0000000000000, 0x0, 16
  T_FCVT_I 541, fcvt.lu.d, rup, 0xbfe0000000000000, 0x0, 1
  T_FCVT_I 542, fcvt.lu.d, rmm, 0xbfe0000000000000, 0x0, 16
  T_FCVT_I 543, fcvt.lu.d, rne, 0x3ff8000000000000, 0x2, 1
  T_FCVT_I 544, fcvt.lu.d, rtz, 0x3ff8000000000000, 0x1, 1
  T_FCVT_I 545, fcvt.lu.d, rne, 0xbff0000000000000, 0x0, 16
  T_FCVT_I 546, fcvt.lu.d, rtz, 0xbff0000000000000, 0x0, 16
  T_FCVT_I 547, fcvt.lu.d, rne, 0x41e65a0bc0000000, 0xb2d05e00, 0
  T_FCVT_I 548, fcvt.lu.d, rtz, 0x41e65a0bc0000000, 0xb2d05e00, 0
  T_FCVT_I 549, fcvt.lu.d, rne, 0xc1e65a0bc0000000, 0x0, 16
  T_FCVT_I 550, fcvt.lu.d, rtz, 0xc1e65a0bc0000000, 0x0, 16
  T_FCVT_I 551, fcvt.lu.d, rne, 0x43e158e460913d00, 0x8ac7230489e80000, 0
  T_FCVT_I 552, fcvt.lu.d, rtz, 0x43e158e460913d00, 0x8ac7230489e80000, 0
  T_FCVT_I 553, fcvt.lu.d, rne, 0xc3e158e460913d00, 0x0, 16
  T_FCVT_I 554, fcvt.lu.d, rtz, 0xc3e158e460913d00, 0x0, 16
  T_FCVT_I 555, fcvt.lu.d, rne, 0x440158e460913d00, 0xffffffffffffffff, 16
  T_FCVT_I 556, fcvt.lu.d, rtz, 0x440158e460913d00, 0xffffffffffffffff, 16
  T_FCVT_I 557, fcvt.lu.d, rne, 0x7ff0000000000000, 0xffffffffffffffff, 16
  T_FCVT_I 558, fcvt.lu.d, rtz, 0x7ff0000000000000, 0xffffffffffffffff, 16
  T_FCVT_I 559, fcvt.lu.d, rne, 0xfff0000000000000, 0x0, 16
  T_FCVT_I 560, fcvt.lu.d, rtz, 0xfff0000000000000, 0x0, 16
  T_FCVT_I 561, fcvt.lu.d, rne, 0x7ff8000000000000, 0xffffffffffffffff, 16
  T_FCVT_I 562, fcvt.lu.d, rtz, 0x7ff8000000000000, 0xffffffffffffffff, 16
  T_FCVT_I 563, fcvt.lu.d, rne, 0x7ff0000000000001, 0xffffffffffffffff, 16
  T_FCVT_I 564, fcvt.lu.d, rtz, 0x7ff0000000000001, 0xffffffffffffffff, 16
  T_FCVT_I 565, fcvt.lu.d, rne, 0x41dfffffffc00000, 0x7fffffff, 0
  T_FCVT_I 566, fcvt.lu.d, rtz, 0x41dfffffffc00000, 0x7fffffff, 0
  T_FCVT_I 567, fcvt.lu.d, rne, 0xc1e0000000000000, 0x0, 16
  T_FCVT_I 568, fcvt.lu.d, rtz, 0xc1e0000000000000, 0x0, 16
  T_FCVT_I 569, fcvt.lu.d, rne, 0x41efffffffe00000, 0xffffffff, 0
  T_FCVT_I 570, fcvt.lu.d, rtz, 0x41efffffffe00000, 0xffffffff, 0
  T_FCVT_I 571, fcvt.lu.d, rne, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 572, fcvt.lu.d, rtz, 0x3fefffffca501acb, 0x0, 1
  T_FCVT_I 573, fcvt.lu.d, rdn, 0x3fefffffca501acb, 0x0, 1
  T_FCVT_I 574, fcvt.lu.d, rup, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 575, fcvt.lu.d, rmm, 0x3fefffffca501acb, 0x1, 1
  T_FCVT_I 576, fcvt.lu.d, rne, 0x8000000000000000, 0x0, 0
  T_FCVT_I 577, fcvt.lu.d, rtz, 0x8000000000000000, 0x0, 0
# ---- integer -> float conversions
  T_FCVT_F0 578, fcvt.d.w, 0x0, 0x0, 0
  T_FCVT_F0 579, fcvt.d.w, 0x1, 0x3ff0000000000000, 0
  T_FCVT_F0 580, fcvt.d.w, 0xffffffffffffffff, 0xbff0000000000000, 0
  T_FCVT_F0 581, fcvt.d.w, 0x7fffffff, 0x41dfffffffc00000, 0
  T_FCVT_F0 582, fcvt.d.w, 0x80000000, 0xc1e0000000000000, 0
  T_FCVT_F0 583, fcvt.d.w, 0xffffffff, 0xbff0000000000000, 0
  T_FCVT_F0 584, fcvt.d.w, 0x1000001, 0x4170000010000000, 0
  T_FCVT_F0 585, fcvt.d.w, 0x7fffffffffffffff, 0xbff0000000000000, 0
  T_FCVT_F0 586, fcvt.d.w, 0x8000000000000000, 0x0, 0
  T_FCVT_F0 587, fcvt.d.w, 0xffffffffffffffff, 0xbff0000000000000, 0
  T_FCVT_F0 588, fcvt.d.w, 0x123456789abcdef1, 0xc1d950c843c00000, 0
  T_FCVT_F0 589, fcvt.d.w, 0xfffffffffffffffd, 0xc008000000000000, 0
  T_FCVT_F0 590, fcvt.d.w, 0xffffffff00000007, 0x401c000000000000, 0
  T_FCVT_F0 591, fcvt.d.wu, 0x0, 0x0, 0
  T_FCVT_F0 592, fcvt.d.wu, 0x1, 0x3ff0000000000000, 0
  T_FCVT_F0 593, fcvt.d.wu, 0xffffffffffffffff, 0x41efffffffe00000, 0
  T_FCVT_F0 594, fcvt.d.wu, 0x7fffffff, 0x41dfffffffc00000, 0
  T_FCVT_F0 595, fcvt.d.wu, 0x80000000, 0x41e0000000000000, 0
  T_FCVT_F0 596, fcvt.d.wu, 0xffffffff, 0x41efffffffe00000, 0
  T_FCVT_F0 597, fcvt.d.wu, 0x1000001, 0x4170000010000000, 0
  T_FCVT_F0 598, fcvt.d.wu, 0x7fffffffffffffff, 0x41efffffffe00000, 0
  T_FCVT_F0 599, fcvt.d.wu, 0x8000000000000000, 0x0, 0
  T_FCVT_F0 600, fcvt.d.wu, 0xffffffffffffffff, 0x41efffffffe00000, 0
  T_FCVT_F0 601, fcvt.d.wu, 0x123456789abcdef1, 0x41e3579bde200000, 0
  T_FCVT_F0 602, fcvt.d.wu, 0xfffffffffffffffd, 0x41efffffffa00000, 0
  T_FCVT_F0 603, fcvt.d.wu, 0xffffffff00000007, 0x401c000000000000, 0
  T_FCVT_F 604, fcvt.d.l, rne, 0x0, 0x0, 0
  T_FCVT_F 605, fcvt.d.l, rne, 0x1, 0x3ff0000000000000, 0
  T_FCVT_F 606, fcvt.d.l, rne, 0xffffffffffffffff, 0xbff0000000000000, 0
  T_FCVT_F 607, fcvt.d.l, rne, 0x7fffffff, 0x41dfffffffc00000, 0
  T_FCVT_F 608, fcvt.d.l, rne, 0x80000000, 0x41e0000000000000, 0
  T_FCVT_F 609, fcvt.d.l, rne, 0xffffffff, 0x41efffffffe00000, 0
  T_FCVT_F 610, fcvt.d.l, rne, 0x1000001, 0x4170000010000000, 0
  T_FCVT_F 611, fcvt.d.l, rtz, 0x1000001, 0x4170000010000000, 0
  T_FCVT_F 612, fcvt.d.l, rup, 0x1000001, 0x4170000010000000, 0
  T_FCVT_F 613, fcvt.d.l, rne, 0x7fffffffffffffff, 0x43e0000000000000, 1
  T_FCVT_F 614, fcvt.d.l, rtz, 0x7fffffffffffffff, 0x43dfffffffffffff, 1
  T_FCVT_F 615, fcvt.d.l, rup, 0x7fffffffffffffff, 0x43e0000000000000, 1
  T_FCVT_F 616, fcvt.d.l, rne, 0x8000000000000000, 0xc3e0000000000000, 0
  T_FCVT_F 617, fcvt.d.l, rne, 0xffffffffffffffff, 0xbff0000000000000, 0
  T_FCVT_F 618, fcvt.d.l, rne, 0x123456789abcdef1, 0x43b23456789abcdf, 1
  T_FCVT_F 619, fcvt.d.l, rtz, 0x123456789abcdef1, 0x43b23456789abcde, 1
  T_FCVT_F 620, fcvt.d.l, rup, 0x123456789abcdef1, 0x43b23456789abcdf, 1
  T_FCVT_F 621, fcvt.d.l, rne, 0xfffffffffffffffd, 0xc008000000000000, 0
  T_FCVT_F 622, fcvt.d.l, rne, 0xffffffff00000007, 0xc1efffffff200000, 0
  T_FCVT_F 623, fcvt.d.lu, rne, 0x0, 0x0, 0
  T_FCVT_F 624, fcvt.d.lu, rne, 0x1, 0x3ff0000000000000, 0
  T_FCVT_F 625, fcvt.d.lu, rne, 0xffffffffffffffff, 0x43f0000000000000, 1
  T_FCVT_F 626, fcvt.d.lu, rne, 0x7fffffff, 0x41dfffffffc00000, 0
  T_FCVT_F 627, fcvt.d.lu, rne, 0x80000000, 0x41e0000000000000, 0
  T_FCVT_F 628, fcvt.d.lu, rne, 0xffffffff, 0x41efffffffe00000, 0
  T_FCVT_F 629, fcvt.d.lu, rne, 0x1000001, 0x4170000010000000, 0
  T_FCVT_F 630, fcvt.d.lu, rtz, 0x1000001, 0x4170000010000000, 0
  T_FCVT_F 631, fcvt.d.lu, rup, 0x1000001, 0x4170000010000000, 0
  T_FCVT_F 632, fcvt.d.lu, rne, 0x7fffffffffffffff, 0x43e0000000000000, 1
  T_FCVT_F 633, fcvt.d.lu, rtz, 0x7fffffffffffffff, 0x43dfffffffffffff, 1
  T_FCVT_F 634, fcvt.d.lu, rup, 0x7fffffffffffffff, 0x43e0000000000000, 1
  T_FCVT_F 635, fcvt.d.lu, rne, 0x8000000000000000, 0x43e0000000000000, 0
  T_FCVT_F 636, fcvt.d.lu, rne, 0xffffffffffffffff, 0x43f0000000000000, 1
  T_FCVT_F 637, fcvt.d.lu, rne, 0x123456789abcdef1, 0x43b23456789abcdf, 1
  T_FCVT_F 638, fcvt.d.lu, rtz, 0x123456789abcdef1, 0x43b23456789abcde, 1
  T_FCVT_F 639, fcvt.d.lu, rup, 0x123456789abcdef1, 0x43b23456789abcdf, 1
  T_FCVT_F 640, fcvt.d.lu, rne, 0xfffffffffffffffd, 0x43f0000000000000, 1
  T_FCVT_F 641, fcvt.d.lu, rne, 0xffffffff00000007, 0x43efffffffe00000, 1
# ---- fcvt.s.d / fcvt.d.s
  T_F1 642, fcvt.s.d, rne, 0x3fd5555555555555, 0xffffffff3eaaaaab, 1
  T_F1 643, fcvt.s.d, rtz, 0x3fd5555555555555, 0xffffffff3eaaaaaa, 1
  T_F1 644, fcvt.s.d, rup, 0x3fd5555555555555, 0xffffffff3eaaaaab, 1
  T_F1 645, fcvt.s.d, rne, 0x4c70000000000000, 0xffffffff7f800000, 5
  T_F1 646, fcvt.s.d, rtz, 0x4c70000000000000, 0xffffffff7f7fffff, 5
  T_F1 647, fcvt.s.d, rne, 0x3730000000000000, 0xffffffff00000200, 0
  T_F1 648, fcvt.s.d, rne, 0x35f0000000000000, 0xffffffff00000000, 3
  T_F1 649, fcvt.s.d, rup, 0x35f0000000000000, 0xffffffff00000001, 3
  T_F1 650, fcvt.s.d, rne, 0xc004000000000000, 0xffffffffc0200000, 0
  T_F1 651, fcvt.s.d, rne, 0x7ff0000000000001, 0xffffffff7fc00000, 16
  T_F1 652, fcvt.s.d, rne, 0x7ff800000000004d, 0xffffffff7fc00000, 0
  T_F1 653, fcvt.s.d, rne, 0xfff0000000000000, 0xffffffffff800000, 0
  T_F1N 654, fcvt.d.s, 0xffffffff3f800000, 0x3ff0000000000000, 0
  T_F1N 655, fcvt.d.s, 0xffffffffbdcccccd, 0xbfb99999a0000000, 0
  T_F1N 656, fcvt.d.s, 0xffffffff00000001, 0x36a0000000000000, 0
  T_F1N 657, fcvt.d.s, 0xffffffff80000000, 0x8000000000000000, 0
  T_F1N 658, fcvt.d.s, 0xffffffff7f800000, 0x7ff0000000000000, 0
  T_F1N 659, fcvt.d.s, 0xffffffff7f800001, 0x7ff8000000000000, 16
  T_F1N 660, fcvt.d.s, 0xffffffff7fc00009, 0x7ff8000000000000, 0
# an improperly NaN-boxed single reads as the canonical NaN
  T_F1N 661, fcvt.d.s, 0x3f800000, 0x7ff8000000000000, 0

# ---- loads, stores and moves
  TEST 1000
  la a1, fp_data
  fld f5, 0(a1)
  fmv.x.d a0, f5
  CHECK a0, 0x400921fb54442d18
  fsd f5, 8(a1)
  ld a0, 8(a1)
  CHECK a0, 0x400921fb54442d18
  TEST 1001
  # A double load over a single: the whole register is replaced.
  flw f6, 16(a1)
  fld f6, 0(a1)
  fmv.x.d a0, f6
  CHECK a0, 0x400921fb54442d18
  TEST 1002
  # A single computed from a double register that is not a boxed single: canonical NaN.
  fadd.s f7, f5, f5
  fmv.x.d a0, f7
  CHECK a0, 0xffffffff7fc00000
  TEST 1003
  c.fld f8, 0(a1)
  c.fsd f8, 24(a1)
  ld a0, 24(a1)
  CHECK a0, 0x400921fb54442d18
  TEST 1004
  li a2, 0xfff0000000000001
  fmv.d.x f9, a2
  fmv.x.d a0, f9
  CHECK a0, 0xfff0000000000001
  fsd f9, 8(a1)
  ld a0, 8(a1)
  CHECK a0, 0xfff0000000000001
  PASS

.data
.balign 8
fp_data:
  .dword 0x400921fb54442d18
  .dword 0
  .word 0x3f800000, 0
  .dword 0
