# F extension: FADD/FSUB/FMUL/FDIV/FSQRT in every rounding mode with exact expected results and
# flags (NX, UF after rounding, OF, DZ, NV), signed zeros, infinities, canonical NaN results,
# sNaN vs qNaN, FMA with a single rounding, sign injection, FMIN/FMAX (-0 < +0, NaN rules),
# FEQ/FLT/FLE signalling rules, FCLASS, FCVT to and from W/WU/L/LU with saturation, then
# hand-written checks of NaN boxing (FLW, FMV.W.X, improperly boxed inputs, FSW/FMV.X.W
# ignoring the box), dynamic rounding through frm, reserved rounding modes, the fcsr/fflags/frm
# CSRs, and mstatus.FS (Off makes FP illegal; FP writes make it Dirty and set SD).
.include "common.inc"
.include "fp.inc"
PROGRAM rv64f

# ---- add/sub/mul/div, every rounding mode, checked against exact arithmetic
  T_F2 1, fadd.s, rne, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffbfc00000, 0
  T_F2 2, fadd.s, rtz, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffbfc00000, 0
  T_F2 3, fadd.s, rdn, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffbfc00000, 0
  T_F2 4, fadd.s, rup, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffbfc00000, 0
  T_F2 5, fadd.s, rmm, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffbfc00000, 0
  T_F2 6, fadd.s, rne, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3eddddde, 1
  T_F2 7, fadd.s, rtz, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3eddddde, 1
  T_F2 8, fadd.s, rdn, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3eddddde, 1
  T_F2 9, fadd.s, rup, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3edddddf, 1
  T_F2 10, fadd.s, rmm, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3eddddde, 1
  T_F2 11, fadd.s, rne, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3faaaaab, 1
  T_F2 12, fadd.s, rtz, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3faaaaaa, 1
  T_F2 13, fadd.s, rdn, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3faaaaaa, 1
  T_F2 14, fadd.s, rup, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3faaaaab, 1
  T_F2 15, fadd.s, rmm, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3faaaaab, 1
  T_F2 16, fadd.s, rne, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff7f800000, 5
  T_F2 17, fadd.s, rtz, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 5
  T_F2 18, fadd.s, rdn, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 5
  T_F2 19, fadd.s, rup, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff7f800000, 5
  T_F2 20, fadd.s, rmm, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff7f800000, 5
  T_F2 21, fadd.s, rne, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff00800005, 0
  T_F2 22, fadd.s, rtz, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff00800005, 0
  T_F2 23, fadd.s, rdn, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff00800005, 0
  T_F2 24, fadd.s, rup, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff00800005, 0
  T_F2 25, fadd.s, rmm, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff00800005, 0
  T_F2 26, fadd.s, rne, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff0000000a, 0
  T_F2 27, fadd.s, rtz, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff0000000a, 0
  T_F2 28, fadd.s, rdn, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff0000000a, 0
  T_F2 29, fadd.s, rup, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff0000000a, 0
  T_F2 30, fadd.s, rmm, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff0000000a, 0
  T_F2 31, fadd.s, rne, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff40555555, 1
  T_F2 32, fadd.s, rtz, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff40555555, 1
  T_F2 33, fadd.s, rdn, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff40555555, 1
  T_F2 34, fadd.s, rup, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff40555556, 1
  T_F2 35, fadd.s, rmm, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff40555555, 1
  T_F2 36, fadd.s, rne, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff501502f9, 1
  T_F2 37, fadd.s, rtz, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff501502f9, 1
  T_F2 38, fadd.s, rdn, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff501502f9, 1
  T_F2 39, fadd.s, rup, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff501502fa, 1
  T_F2 40, fadd.s, rmm, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff501502f9, 1
  T_F2 41, fadd.s, rne, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0d55555, 1
  T_F2 42, fadd.s, rtz, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0d55555, 1
  T_F2 43, fadd.s, rdn, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0d55556, 1
  T_F2 44, fadd.s, rup, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0d55555, 1
  T_F2 45, fadd.s, rmm, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0d55555, 1
  T_F2 46, fadd.s, rne, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffffc1180000, 0
  T_F2 47, fadd.s, rtz, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffffc1180000, 0
  T_F2 48, fadd.s, rdn, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffffc1180000, 0
  T_F2 49, fadd.s, rup, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffffc1180000, 0
  T_F2 50, fadd.s, rmm, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffffc1180000, 0
  T_F2 51, fadd.s, rne, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3e4ccccd, 0
  T_F2 52, fadd.s, rtz, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3e4ccccd, 0
  T_F2 53, fadd.s, rdn, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3e4ccccd, 0
  T_F2 54, fadd.s, rup, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3e4ccccd, 0
  T_F2 55, fadd.s, rmm, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3e4ccccd, 0
  T_F2 56, fsub.s, rne, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffff40600000, 0
  T_F2 57, fsub.s, rtz, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffff40600000, 0
  T_F2 58, fsub.s, rdn, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffff40600000, 0
  T_F2 59, fsub.s, rup, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffff40600000, 0
  T_F2 60, fsub.s, rmm, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffff40600000, 0
  T_F2 61, fsub.s, rne, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3e6eeef0, 1
  T_F2 62, fsub.s, rtz, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3e6eeeef, 1
  T_F2 63, fsub.s, rdn, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3e6eeeef, 1
  T_F2 64, fsub.s, rup, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3e6eeef0, 1
  T_F2 65, fsub.s, rmm, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3e6eeef0, 1
  T_F2 66, fsub.s, rne, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3f2aaaaa, 1
  T_F2 67, fsub.s, rtz, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3f2aaaaa, 1
  T_F2 68, fsub.s, rdn, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3f2aaaaa, 1
  T_F2 69, fsub.s, rup, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3f2aaaab, 1
  T_F2 70, fsub.s, rmm, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3f2aaaab, 1
  T_F2 71, fsub.s, rne, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff00000000, 0
  T_F2 72, fsub.s, rtz, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff00000000, 0
  T_F2 73, fsub.s, rdn, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff80000000, 0
  T_F2 74, fsub.s, rup, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff00000000, 0
  T_F2 75, fsub.s, rmm, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff00000000, 0
  T_F2 76, fsub.s, rne, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff007ffffb, 0
  T_F2 77, fsub.s, rtz, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff007ffffb, 0
  T_F2 78, fsub.s, rdn, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff007ffffb, 0
  T_F2 79, fsub.s, rup, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff007ffffb, 0
  T_F2 80, fsub.s, rmm, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff007ffffb, 0
  T_F2 81, fsub.s, rne, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff00000000, 0
  T_F2 82, fsub.s, rtz, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff00000000, 0
  T_F2 83, fsub.s, rdn, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff80000000, 0
  T_F2 84, fsub.s, rup, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff00000000, 0
  T_F2 85, fsub.s, rmm, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff00000000, 0
  T_F2 86, fsub.s, rne, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff402aaaab, 1
  T_F2 87, fsub.s, rtz, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff402aaaaa, 1
  T_F2 88, fsub.s, rdn, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff402aaaaa, 1
  T_F2 89, fsub.s, rup, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff402aaaab, 1
  T_F2 90, fsub.s, rmm, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff402aaaab, 1
  T_F2 91, fsub.s, rne, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff501502f9, 1
  T_F2 92, fsub.s, rtz, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff501502f8, 1
  T_F2 93, fsub.s, rdn, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff501502f8, 1
  T_F2 94, fsub.s, rup, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff501502f9, 1
  T_F2 95, fsub.s, rmm, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff501502f9, 1
  T_F2 96, fsub.s, rne, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0eaaaab, 1
  T_F2 97, fsub.s, rtz, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0eaaaaa, 1
  T_F2 98, fsub.s, rdn, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0eaaaab, 1
  T_F2 99, fsub.s, rup, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0eaaaaa, 1
  T_F2 100, fsub.s, rmm, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0eaaaab, 1
  T_F2 101, fsub.s, rne, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff40900000, 0
  T_F2 102, fsub.s, rtz, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff40900000, 0
  T_F2 103, fsub.s, rdn, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff40900000, 0
  T_F2 104, fsub.s, rup, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff40900000, 0
  T_F2 105, fsub.s, rmm, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff40900000, 0
  T_F2 106, fsub.s, rne, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff00000000, 0
  T_F2 107, fsub.s, rtz, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff00000000, 0
  T_F2 108, fsub.s, rdn, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff80000000, 0
  T_F2 109, fsub.s, rup, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff00000000, 0
  T_F2 110, fsub.s, rmm, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff00000000, 0
  T_F2 111, fmul.s, rne, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffc0200000, 0
  T_F2 112, fmul.s, rtz, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffc0200000, 0
  T_F2 113, fmul.s, rdn, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffc0200000, 0
  T_F2 114, fmul.s, rup, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffc0200000, 0
  T_F2 115, fmul.s, rmm, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffc0200000, 0
  T_F2 116, fmul.s, rne, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3d088889, 1
  T_F2 117, fmul.s, rtz, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3d088888, 1
  T_F2 118, fmul.s, rdn, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3d088888, 1
  T_F2 119, fmul.s, rup, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3d088889, 1
  T_F2 120, fmul.s, rmm, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff3d088889, 1
  T_F2 121, fmul.s, rne, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3eaaaaab, 0
  T_F2 122, fmul.s, rtz, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3eaaaaab, 0
  T_F2 123, fmul.s, rdn, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3eaaaaab, 0
  T_F2 124, fmul.s, rup, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3eaaaaab, 0
  T_F2 125, fmul.s, rmm, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff3eaaaaab, 0
  T_F2 126, fmul.s, rne, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff7f800000, 5
  T_F2 127, fmul.s, rtz, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 5
  T_F2 128, fmul.s, rdn, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 5
  T_F2 129, fmul.s, rup, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff7f800000, 5
  T_F2 130, fmul.s, rmm, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff7f800000, 5
  T_F2 131, fmul.s, rne, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff00000000, 3
  T_F2 132, fmul.s, rtz, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff00000000, 3
  T_F2 133, fmul.s, rdn, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff00000000, 3
  T_F2 134, fmul.s, rup, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff00000001, 3
  T_F2 135, fmul.s, rmm, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff00000000, 3
  T_F2 136, fmul.s, rne, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff00000000, 3
  T_F2 137, fmul.s, rtz, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff00000000, 3
  T_F2 138, fmul.s, rdn, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff00000000, 3
  T_F2 139, fmul.s, rup, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff00000001, 3
  T_F2 140, fmul.s, rmm, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff00000000, 3
  T_F2 141, fmul.s, rne, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff3f800000, 1
  T_F2 142, fmul.s, rtz, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff3f800000, 1
  T_F2 143, fmul.s, rdn, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff3f800000, 1
  T_F2 144, fmul.s, rup, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff3f800001, 1
  T_F2 145, fmul.s, rmm, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff3f800000, 1
  T_F2 146, fmul.s, rne, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff4e6e6b28, 1
  T_F2 147, fmul.s, rtz, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff4e6e6b28, 1
  T_F2 148, fmul.s, rdn, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff4e6e6b28, 1
  T_F2 149, fmul.s, rup, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff4e6e6b29, 1
  T_F2 150, fmul.s, rmm, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff4e6e6b28, 1
  T_F2 151, fmul.s, rne, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0155556, 1
  T_F2 152, fmul.s, rtz, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0155555, 1
  T_F2 153, fmul.s, rdn, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0155556, 1
  T_F2 154, fmul.s, rup, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0155555, 1
  T_F2 155, fmul.s, rmm, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc0155556, 1
  T_F2 156, fmul.s, rne, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff418c0000, 0
  T_F2 157, fmul.s, rtz, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff418c0000, 0
  T_F2 158, fmul.s, rdn, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff418c0000, 0
  T_F2 159, fmul.s, rup, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff418c0000, 0
  T_F2 160, fmul.s, rmm, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff418c0000, 0
  T_F2 161, fmul.s, rne, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3c23d70b, 1
  T_F2 162, fmul.s, rtz, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3c23d70a, 1
  T_F2 163, fmul.s, rdn, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3c23d70a, 1
  T_F2 164, fmul.s, rup, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3c23d70b, 1
  T_F2 165, fmul.s, rmm, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3c23d70b, 1
  T_F2 166, fdiv.s, rne, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffbecccccd, 1
  T_F2 167, fdiv.s, rtz, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffbecccccc, 1
  T_F2 168, fdiv.s, rdn, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffbecccccd, 1
  T_F2 169, fdiv.s, rup, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffbecccccc, 1
  T_F2 170, fdiv.s, rmm, 0xffffffff3f800000, 0xffffffffc0200000, 0xffffffffbecccccd, 1
  T_F2 171, fdiv.s, rne, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff40555556, 1
  T_F2 172, fdiv.s, rtz, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff40555555, 1
  T_F2 173, fdiv.s, rdn, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff40555555, 1
  T_F2 174, fdiv.s, rup, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff40555556, 1
  T_F2 175, fdiv.s, rmm, 0xffffffff3eaaaaab, 0xffffffff3dcccccd, 0xffffffff40555556, 1
  T_F2 176, fdiv.s, rne, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff40400000, 1
  T_F2 177, fdiv.s, rtz, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff403fffff, 1
  T_F2 178, fdiv.s, rdn, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff403fffff, 1
  T_F2 179, fdiv.s, rup, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff40400000, 1
  T_F2 180, fdiv.s, rmm, 0xffffffff3f800000, 0xffffffff3eaaaaab, 0xffffffff40400000, 1
  T_F2 181, fdiv.s, rne, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff3f800000, 0
  T_F2 182, fdiv.s, rtz, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff3f800000, 0
  T_F2 183, fdiv.s, rdn, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff3f800000, 0
  T_F2 184, fdiv.s, rup, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff3f800000, 0
  T_F2 185, fdiv.s, rmm, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0xffffffff3f800000, 0
  T_F2 186, fdiv.s, rne, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff49cccccd, 1
  T_F2 187, fdiv.s, rtz, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff49cccccc, 1
  T_F2 188, fdiv.s, rdn, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff49cccccc, 1
  T_F2 189, fdiv.s, rup, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff49cccccd, 1
  T_F2 190, fdiv.s, rmm, 0xffffffff00800000, 0xffffffff00000005, 0xffffffff49cccccd, 1
  T_F2 191, fdiv.s, rne, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff3f800000, 0
  T_F2 192, fdiv.s, rtz, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff3f800000, 0
  T_F2 193, fdiv.s, rdn, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff3f800000, 0
  T_F2 194, fdiv.s, rup, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff3f800000, 0
  T_F2 195, fdiv.s, rmm, 0xffffffff00000005, 0xffffffff00000005, 0xffffffff3f800000, 0
  T_F2 196, fdiv.s, rne, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff41100000, 1
  T_F2 197, fdiv.s, rtz, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff410fffff, 1
  T_F2 198, fdiv.s, rdn, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff410fffff, 1
  T_F2 199, fdiv.s, rup, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff41100000, 1
  T_F2 200, fdiv.s, rmm, 0xffffffff40400000, 0xffffffff3eaaaaab, 0xffffffff41100000, 1
  T_F2 201, fdiv.s, rne, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff51ba43b7, 1
  T_F2 202, fdiv.s, rtz, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff51ba43b7, 1
  T_F2 203, fdiv.s, rdn, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff51ba43b7, 1
  T_F2 204, fdiv.s, rup, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff51ba43b8, 1
  T_F2 205, fdiv.s, rmm, 0xffffffff501502f9, 0xffffffff3dcccccd, 0xffffffff51ba43b7, 1
  T_F2 206, fdiv.s, rne, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc1a80000, 1
  T_F2 207, fdiv.s, rtz, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc1a7ffff, 1
  T_F2 208, fdiv.s, rdn, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc1a80000, 1
  T_F2 209, fdiv.s, rup, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc1a7ffff, 1
  T_F2 210, fdiv.s, rmm, 0xffffffffc0e00000, 0xffffffff3eaaaaab, 0xffffffffc1a80000, 1
  T_F2 211, fdiv.s, rne, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff3eb6db6e, 1
  T_F2 212, fdiv.s, rtz, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff3eb6db6d, 1
  T_F2 213, fdiv.s, rdn, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff3eb6db6d, 1
  T_F2 214, fdiv.s, rup, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff3eb6db6e, 1
  T_F2 215, fdiv.s, rmm, 0xffffffffc0200000, 0xffffffffc0e00000, 0xffffffff3eb6db6e, 1
  T_F2 216, fdiv.s, rne, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3f800000, 0
  T_F2 217, fdiv.s, rtz, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3f800000, 0
  T_F2 218, fdiv.s, rdn, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3f800000, 0
  T_F2 219, fdiv.s, rup, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3f800000, 0
  T_F2 220, fdiv.s, rmm, 0xffffffff3dcccccd, 0xffffffff3dcccccd, 0xffffffff3f800000, 0
# ties: 1 + half an ulp rounds to even (down) in RNE, away in RMM and up in RUP
  T_F2 221, fadd.s, rne, 0xffffffff3f800000, 0xffffffff33800000, 0xffffffff3f800000, 1
  T_F2 222, fadd.s, rne, 0xffffffff3f800000, 0xffffffff34400000, 0xffffffff3f800002, 1
  T_F2 223, fsub.s, rne, 0xffffffffbf800000, 0xffffffff33800000, 0xffffffffbf800000, 1
  T_F2 224, fadd.s, rtz, 0xffffffff3f800000, 0xffffffff33800000, 0xffffffff3f800000, 1
  T_F2 225, fadd.s, rtz, 0xffffffff3f800000, 0xffffffff34400000, 0xffffffff3f800001, 1
  T_F2 226, fsub.s, rtz, 0xffffffffbf800000, 0xffffffff33800000, 0xffffffffbf800000, 1
  T_F2 227, fadd.s, rdn, 0xffffffff3f800000, 0xffffffff33800000, 0xffffffff3f800000, 1
  T_F2 228, fadd.s, rdn, 0xffffffff3f800000, 0xffffffff34400000, 0xffffffff3f800001, 1
  T_F2 229, fsub.s, rdn, 0xffffffffbf800000, 0xffffffff33800000, 0xffffffffbf800001, 1
  T_F2 230, fadd.s, rup, 0xffffffff3f800000, 0xffffffff33800000, 0xffffffff3f800001, 1
  T_F2 231, fadd.s, rup, 0xffffffff3f800000, 0xffffffff34400000, 0xffffffff3f800002, 1
  T_F2 232, fsub.s, rup, 0xffffffffbf800000, 0xffffffff33800000, 0xffffffffbf800000, 1
  T_F2 233, fadd.s, rmm, 0xffffffff3f800000, 0xffffffff33800000, 0xffffffff3f800001, 1
  T_F2 234, fadd.s, rmm, 0xffffffff3f800000, 0xffffffff34400000, 0xffffffff3f800002, 1
  T_F2 235, fsub.s, rmm, 0xffffffffbf800000, 0xffffffff33800000, 0xffffffffbf800001, 1
# signed zeros: x - x is +0 except in RDN; -0 + -0 = -0; 0 * -x = -0
  T_F2 236, fsub.s, rne, 0xffffffff40400000, 0xffffffff40400000, 0xffffffff00000000, 0
  T_F2 237, fadd.s, rne, 0xffffffff40400000, 0xffffffffc0400000, 0xffffffff00000000, 0
  T_F2 238, fsub.s, rdn, 0xffffffff40400000, 0xffffffff40400000, 0xffffffff80000000, 0
  T_F2 239, fadd.s, rdn, 0xffffffff40400000, 0xffffffffc0400000, 0xffffffff80000000, 0
  T_F2 240, fsub.s, rup, 0xffffffff40400000, 0xffffffff40400000, 0xffffffff00000000, 0
  T_F2 241, fadd.s, rup, 0xffffffff40400000, 0xffffffffc0400000, 0xffffffff00000000, 0
  T_F2 242, fadd.s, rne, 0xffffffff80000000, 0xffffffff80000000, 0xffffffff80000000, 0
  T_F2 243, fadd.s, rne, 0xffffffff80000000, 0xffffffff00000000, 0xffffffff00000000, 0
  T_F2 244, fmul.s, rne, 0xffffffff00000000, 0xffffffffc0a00000, 0xffffffff80000000, 0
# special values: invalid operations give the canonical NaN and NV
  T_F2 245, fsub.s, rne, 0xffffffff7f800000, 0xffffffff7f800000, 0xffffffff7fc00000, 16
  T_F2 246, fadd.s, rne, 0xffffffff7f800000, 0xffffffffff800000, 0xffffffff7fc00000, 16
  T_F2 247, fmul.s, rne, 0xffffffff00000000, 0xffffffff7f800000, 0xffffffff7fc00000, 16
  T_F2 248, fdiv.s, rne, 0xffffffff00000000, 0xffffffff00000000, 0xffffffff7fc00000, 16
  T_F2 249, fdiv.s, rne, 0xffffffff7f800000, 0xffffffff7f800000, 0xffffffff7fc00000, 16
  T_F2 250, fdiv.s, rne, 0xffffffff3f800000, 0xffffffff00000000, 0xffffffff7f800000, 8
  T_F2 251, fdiv.s, rne, 0xffffffffbf800000, 0xffffffff00000000, 0xffffffffff800000, 8
  T_F2 252, fdiv.s, rne, 0xffffffff3f800000, 0xffffffff80000000, 0xffffffffff800000, 8
  T_F2 253, fdiv.s, rne, 0xffffffff3f800000, 0xffffffff7f800000, 0xffffffff00000000, 0
  T_F2 254, fadd.s, rne, 0xffffffff7f800000, 0xffffffff7f7fffff, 0xffffffff7f800000, 0
  T_F2 255, fmul.s, rne, 0xffffffffff800000, 0xffffffff40000000, 0xffffffffff800000, 0
# NaN inputs: quiet NaNs propagate as the canonical NaN silently, signalling ones raise NV
  T_F2 256, fadd.s, rne, 0xffffffff7fc01234, 0xffffffff3f800000, 0xffffffff7fc00000, 0
  T_F2 257, fmul.s, rne, 0xffffffff3f800000, 0xffffffffffc00000, 0xffffffff7fc00000, 0
  T_F2 258, fadd.s, rne, 0xffffffff7f800001, 0xffffffff3f800000, 0xffffffff7fc00000, 16
  T_F2 259, fdiv.s, rne, 0xffffffff3f800000, 0xffffffffff800001, 0xffffffff7fc00000, 16
  T_F2 260, fsub.s, rne, 0xffffffff7fc00000, 0xffffffff7f800001, 0xffffffff7fc00000, 16
# overflow and underflow flags, rounding-mode dependent overflow result
  T_F2 261, fmul.s, rne, 0xffffffff7f7fffff, 0xffffffff40000000, 0xffffffff7f800000, 5
  T_F2 262, fmul.s, rne, 0xffffffffff7fffff, 0xffffffff40000000, 0xffffffffff800000, 5
  T_F2 263, fmul.s, rne, 0xffffffff00800000, 0xffffffff3eaaaaab, 0xffffffff002aaaab, 3
  T_F2 264, fdiv.s, rne, 0xffffffff00000001, 0xffffffff40000000, 0xffffffff00000000, 3
  T_F2 265, fmul.s, rtz, 0xffffffff7f7fffff, 0xffffffff40000000, 0xffffffff7f7fffff, 5
  T_F2 266, fmul.s, rtz, 0xffffffffff7fffff, 0xffffffff40000000, 0xffffffffff7fffff, 5
  T_F2 267, fmul.s, rtz, 0xffffffff00800000, 0xffffffff3eaaaaab, 0xffffffff002aaaaa, 3
  T_F2 268, fdiv.s, rtz, 0xffffffff00000001, 0xffffffff40000000, 0xffffffff00000000, 3
  T_F2 269, fmul.s, rdn, 0xffffffff7f7fffff, 0xffffffff40000000, 0xffffffff7f7fffff, 5
  T_F2 270, fmul.s, rdn, 0xffffffffff7fffff, 0xffffffff40000000, 0xffffffffff800000, 5
  T_F2 271, fmul.s, rdn, 0xffffffff00800000, 0xffffffff3eaaaaab, 0xffffffff002aaaaa, 3
  T_F2 272, fdiv.s, rdn, 0xffffffff00000001, 0xffffffff40000000, 0xffffffff00000000, 3
  T_F2 273, fmul.s, rup, 0xffffffff7f7fffff, 0xffffffff40000000, 0xffffffff7f800000, 5
  T_F2 274, fmul.s, rup, 0xffffffffff7fffff, 0xffffffff40000000, 0xffffffffff7fffff, 5
  T_F2 275, fmul.s, rup, 0xffffffff00800000, 0xffffffff3eaaaaab, 0xffffffff002aaaab, 3
  T_F2 276, fdiv.s, rup, 0xffffffff00000001, 0xffffffff40000000, 0xffffffff00000001, 3
  T_F2 277, fmul.s, rmm, 0xffffffff7f7fffff, 0xffffffff40000000, 0xffffffff7f800000, 5
  T_F2 278, fmul.s, rmm, 0xffffffffff7fffff, 0xffffffff40000000, 0xffffffffff800000, 5
  T_F2 279, fmul.s, rmm, 0xffffffff00800000, 0xffffffff3eaaaaab, 0xffffffff002aaaab, 3
  T_F2 280, fdiv.s, rmm, 0xffffffff00000001, 0xffffffff40000000, 0xffffffff00000001, 3
# exact subnormal results raise nothing
  T_F2 281, fdiv.s, rne, 0xffffffff00800000, 0xffffffff40800000, 0xffffffff00200000, 0
  T_F2 282, fsub.s, rne, 0xffffffff00800001, 0xffffffff00800000, 0xffffffff00000001, 0
# ---- square root
  T_F1 283, fsqrt.s, rne, 0xffffffff40800000, 0xffffffff40000000, 0
  T_F1 284, fsqrt.s, rne, 0xffffffff40100000, 0xffffffff3fc00000, 0
  T_F1 285, fsqrt.s, rne, 0xffffffff40000000, 0xffffffff3fb504f3, 1
  T_F1 286, fsqrt.s, rtz, 0xffffffff40000000, 0xffffffff3fb504f3, 1
  T_F1 287, fsqrt.s, rup, 0xffffffff40000000, 0xffffffff3fb504f4, 1
  T_F1 288, fsqrt.s, rne, 0xffffffff80000000, 0xffffffff80000000, 0
  T_F1 289, fsqrt.s, rne, 0xffffffff7f800000, 0xffffffff7f800000, 0
  T_F1 290, fsqrt.s, rne, 0xffffffffbf800000, 0xffffffff7fc00000, 16
  T_F1 291, fsqrt.s, rne, 0xffffffffff800000, 0xffffffff7fc00000, 16
  T_F1 292, fsqrt.s, rne, 0xffffffff7fc00000, 0xffffffff7fc00000, 0
  T_F1 293, fsqrt.s, rne, 0xffffffff7f800001, 0xffffffff7fc00000, 16
# ---- fused multiply-add: one rounding (the product alone would round away the low bits)
  T_F3 294, fmadd.s, rne, 0xffffffff3f800800, 0xffffffff3f800800, 0xffffffffbf800000, 0xffffffff3a000400, 0
  T_F3 295, fmadd.s, rne, 0xffffffff40000000, 0xffffffff40400000, 0xffffffff3f000000, 0xffffffff40d00000, 0
  T_F3 296, fmadd.s, rtz, 0xffffffffbfc00000, 0xffffffff3eaaaaab, 0xffffffff41200000, 0xffffffff4117ffff, 1
  T_F3 297, fmadd.s, rup, 0xffffffffbfc00000, 0xffffffff3eaaaaab, 0xffffffff41200000, 0xffffffff41180000, 1
  T_F3 298, fmsub.s, rne, 0xffffffff3f800800, 0xffffffff3f800800, 0xffffffff3f800000, 0xffffffff3a000400, 0
  T_F3 299, fmsub.s, rne, 0xffffffff40000000, 0xffffffff40400000, 0xffffffff3f000000, 0xffffffff40b00000, 0
  T_F3 300, fmsub.s, rtz, 0xffffffffbfc00000, 0xffffffff3eaaaaab, 0xffffffff41200000, 0xffffffffc1280000, 1
  T_F3 301, fmsub.s, rup, 0xffffffffbfc00000, 0xffffffff3eaaaaab, 0xffffffff41200000, 0xffffffffc1280000, 1
  T_F3 302, fnmsub.s, rne, 0xffffffff3f800800, 0xffffffff3f800800, 0xffffffff3f800000, 0xffffffffba000400, 0
  T_F3 303, fnmsub.s, rne, 0xffffffff40000000, 0xffffffff40400000, 0xffffffff3f000000, 0xffffffffc0b00000, 0
  T_F3 304, fnmsub.s, rtz, 0xffffffffbfc00000, 0xffffffff3eaaaaab, 0xffffffff41200000, 0xffffffff41280000, 1
  T_F3 305, fnmsub.s, rup, 0xffffffffbfc00000, 0xffffffff3eaaaaab, 0xffffffff41200000, 0xffffffff41280001, 1
  T_F3 306, fnmadd.s, rne, 0xffffffff3f800800, 0xffffffff3f800800, 0xffffffffbf800000, 0xffffffffba000400, 0
  T_F3 307, fnmadd.s, rne, 0xffffffff40000000, 0xffffffff40400000, 0xffffffff3f000000, 0xffffffffc0d00000, 0
  T_F3 308, fnmadd.s, rtz, 0xffffffffbfc00000, 0xffffffff3eaaaaab, 0xffffffff41200000, 0xffffffffc117ffff, 1
  T_F3 309, fnmadd.s, rup, 0xffffffffbfc00000, 0xffffffff3eaaaaab, 0xffffffff41200000, 0xffffffffc117ffff, 1
  T_F3 310, fmadd.s, rne, 0xffffffff7f800000, 0xffffffff00000000, 0xffffffff7fc00000, 0xffffffff7fc00000, 16
  T_F3 311, fmadd.s, rne, 0xffffffff7f800000, 0xffffffff00000000, 0xffffffff3f800000, 0xffffffff7fc00000, 16
  T_F3 312, fmadd.s, rne, 0xffffffff7f800000, 0xffffffff3f800000, 0xffffffffff800000, 0xffffffff7fc00000, 16
  T_F3 313, fmadd.s, rne, 0xffffffff7f800001, 0xffffffff3f800000, 0xffffffff3f800000, 0xffffffff7fc00000, 16
  T_F3 314, fmadd.s, rne, 0xffffffff7f7fffff, 0xffffffff40000000, 0xffffffffff7fffff, 0xffffffff7f7fffff, 0
# ---- sign injection (no flags, NaNs are not canonicalised)
  T_F2N 315, fsgnj.s, 0xffffffff40400000, 0xffffffffbf800000, 0xffffffffc0400000, 0
  T_F2N 316, fsgnj.s, 0xffffffffc0400000, 0xffffffff3f800000, 0xffffffff40400000, 0
  T_F2N 317, fsgnjn.s, 0xffffffff40400000, 0xffffffff3f800000, 0xffffffffc0400000, 0
  T_F2N 318, fsgnjn.s, 0xffffffff40400000, 0xffffffffbf800000, 0xffffffff40400000, 0
  T_F2N 319, fsgnjx.s, 0xffffffffc0400000, 0xffffffffbf800000, 0xffffffff40400000, 0
  T_F2N 320, fsgnjx.s, 0xffffffffc0400000, 0xffffffff3f800000, 0xffffffffc0400000, 0
  T_F2N 321, fsgnj.s, 0xffffffff7f800001, 0xffffffff80000000, 0xffffffffff800001, 0
  T_F2N 322, fsgnjx.s, 0xffffffff7fc00005, 0xffffffffffc00000, 0xffffffffffc00005, 0
# ---- min/max: -0 < +0, one NaN returns the other operand, two give the canonical NaN,
# a signalling NaN raises NV
  T_F2N 323, fmin.s, 0xffffffff3f800000, 0xffffffff40000000, 0xffffffff3f800000, 0
  T_F2N 324, fmax.s, 0xffffffff3f800000, 0xffffffff40000000, 0xffffffff40000000, 0
  T_F2N 325, fmin.s, 0xffffffffbf800000, 0xffffffff40000000, 0xffffffffbf800000, 0
  T_F2N 326, fmin.s, 0xffffffff80000000, 0xffffffff00000000, 0xffffffff80000000, 0
  T_F2N 327, fmin.s, 0xffffffff00000000, 0xffffffff80000000, 0xffffffff80000000, 0
  T_F2N 328, fmax.s, 0xffffffff80000000, 0xffffffff00000000, 0xffffffff00000000, 0
  T_F2N 329, fmax.s, 0xffffffff00000000, 0xffffffff80000000, 0xffffffff00000000, 0
  T_F2N 330, fmin.s, 0xffffffff7fc00000, 0xffffffff40000000, 0xffffffff40000000, 0
  T_F2N 331, fmax.s, 0xffffffffc0000000, 0xffffffff7fc00000, 0xffffffffc0000000, 0
  T_F2N 332, fmin.s, 0xffffffff7f800001, 0xffffffff40000000, 0xffffffff40000000, 16
  T_F2N 333, fmax.s, 0xffffffff7fc00000, 0xffffffff7fc00003, 0xffffffff7fc00000, 0
  T_F2N 334, fmin.s, 0xffffffff7f800001, 0xffffffff7fc00000, 0xffffffff7fc00000, 16
  T_F2N 335, fmax.s, 0xffffffffff800000, 0xffffffff7f7fffff, 0xffffffff7f7fffff, 0
# ---- comparisons: feq is quiet (NV only for sNaN), flt/fle signal on any NaN
  T_FCMP 336, feq.s, 0xffffffff3f800000, 0xffffffff40000000, 0, 0
  T_FCMP 337, feq.s, 0xffffffff40000000, 0xffffffff3f800000, 0, 0
  T_FCMP 338, feq.s, 0xffffffff40000000, 0xffffffff40000000, 1, 0
  T_FCMP 339, feq.s, 0xffffffffbf800000, 0xffffffff3f800000, 0, 0
  T_FCMP 340, feq.s, 0xffffffff00000000, 0xffffffff80000000, 1, 0
  T_FCMP 341, feq.s, 0xffffffff7fc00000, 0xffffffff3f800000, 0, 0
  T_FCMP 342, feq.s, 0xffffffff3f800000, 0xffffffff7f800001, 0, 16
  T_FCMP 343, feq.s, 0xffffffffff800000, 0xffffffff7f7fffff, 0, 0
  T_FCMP 344, flt.s, 0xffffffff3f800000, 0xffffffff40000000, 1, 0
  T_FCMP 345, flt.s, 0xffffffff40000000, 0xffffffff3f800000, 0, 0
  T_FCMP 346, flt.s, 0xffffffff40000000, 0xffffffff40000000, 0, 0
  T_FCMP 347, flt.s, 0xffffffffbf800000, 0xffffffff3f800000, 1, 0
  T_FCMP 348, flt.s, 0xffffffff00000000, 0xffffffff80000000, 0, 0
  T_FCMP 349, flt.s, 0xffffffff7fc00000, 0xffffffff3f800000, 0, 16
  T_FCMP 350, flt.s, 0xffffffff3f800000, 0xffffffff7f800001, 0, 16
  T_FCMP 351, flt.s, 0xffffffffff800000, 0xffffffff7f7fffff, 1, 0
  T_FCMP 352, fle.s, 0xffffffff3f800000, 0xffffffff40000000, 1, 0
  T_FCMP 353, fle.s, 0xffffffff40000000, 0xffffffff3f800000, 0, 0
  T_FCMP 354, fle.s, 0xffffffff40000000, 0xffffffff40000000, 1, 0
  T_FCMP 355, fle.s, 0xffffffffbf800000, 0xffffffff3f800000, 1, 0
  T_FCMP 356, fle.s, 0xffffffff00000000, 0xffffffff80000000, 1, 0
  T_FCMP 357, fle.s, 0xffffffff7fc00000, 0xffffffff3f800000, 0, 16
  T_FCMP 358, fle.s, 0xffffffff3f800000, 0xffffffff7f800001, 0, 16
  T_FCMP 359, fle.s, 0xffffffffff800000, 0xffffffff7f7fffff, 1, 0
# ---- classify: one bit per class
  T_FCLASS 360, fclass.s, 0xffffffffff800000, 1
  T_FCLASS 361, fclass.s, 0xffffffffbf800000, 2
  T_FCLASS 362, fclass.s, 0xffffffff80000005, 4
  T_FCLASS 363, fclass.s, 0xffffffff80000000, 8
  T_FCLASS 364, fclass.s, 0xffffffff00000000, 16
  T_FCLASS 365, fclass.s, 0xffffffff00000005, 32
  T_FCLASS 366, fclass.s, 0xffffffff3f800000, 64
  T_FCLASS 367, fclass.s, 0xffffffff7f800000, 128
  T_FCLASS 368, fclass.s, 0xffffffff7f800001, 256
  T_FCLASS 369, fclass.s, 0xffffffff7fc00000, 512
# ---- float -> integer conversions: rounding modes, saturation, NaN, sign extension of W
  T_FCVT_I 370, fcvt.w.s, rne, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 371, fcvt.w.s, rtz, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 372, fcvt.w.s, rdn, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 373, fcvt.w.s, rup, 0xffffffff40200000, 0x3, 1
  T_FCVT_I 374, fcvt.w.s, rmm, 0xffffffff40200000, 0x3, 1
  T_FCVT_I 375, fcvt.w.s, rne, 0xffffffffc0200000, 0xfffffffffffffffe, 1
  T_FCVT_I 376, fcvt.w.s, rtz, 0xffffffffc0200000, 0xfffffffffffffffe, 1
  T_FCVT_I 377, fcvt.w.s, rdn, 0xffffffffc0200000, 0xfffffffffffffffd, 1
  T_FCVT_I 378, fcvt.w.s, rup, 0xffffffffc0200000, 0xfffffffffffffffe, 1
  T_FCVT_I 379, fcvt.w.s, rmm, 0xffffffffc0200000, 0xfffffffffffffffd, 1
  T_FCVT_I 380, fcvt.w.s, rne, 0xffffffff3f000000, 0x0, 1
  T_FCVT_I 381, fcvt.w.s, rtz, 0xffffffff3f000000, 0x0, 1
  T_FCVT_I 382, fcvt.w.s, rne, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 383, fcvt.w.s, rtz, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 384, fcvt.w.s, rdn, 0xffffffffbf000000, 0xffffffffffffffff, 1
  T_FCVT_I 385, fcvt.w.s, rup, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 386, fcvt.w.s, rmm, 0xffffffffbf000000, 0xffffffffffffffff, 1
  T_FCVT_I 387, fcvt.w.s, rne, 0xffffffff3fc00000, 0x2, 1
  T_FCVT_I 388, fcvt.w.s, rtz, 0xffffffff3fc00000, 0x1, 1
  T_FCVT_I 389, fcvt.w.s, rne, 0xffffffffbf800000, 0xffffffffffffffff, 0
  T_FCVT_I 390, fcvt.w.s, rtz, 0xffffffffbf800000, 0xffffffffffffffff, 0
  T_FCVT_I 391, fcvt.w.s, rne, 0xffffffff4f32d05e, 0x7fffffff, 16
  T_FCVT_I 392, fcvt.w.s, rtz, 0xffffffff4f32d05e, 0x7fffffff, 16
  T_FCVT_I 393, fcvt.w.s, rne, 0xffffffffcf32d05e, 0xffffffff80000000, 16
  T_FCVT_I 394, fcvt.w.s, rtz, 0xffffffffcf32d05e, 0xffffffff80000000, 16
  T_FCVT_I 395, fcvt.w.s, rne, 0xffffffff5f0ac723, 0x7fffffff, 16
  T_FCVT_I 396, fcvt.w.s, rtz, 0xffffffff5f0ac723, 0x7fffffff, 16
  T_FCVT_I 397, fcvt.w.s, rne, 0xffffffffdf0ac723, 0xffffffff80000000, 16
  T_FCVT_I 398, fcvt.w.s, rtz, 0xffffffffdf0ac723, 0xffffffff80000000, 16
  T_FCVT_I 399, fcvt.w.s, rne, 0xffffffff600ac723, 0x7fffffff, 16
  T_FCVT_I 400, fcvt.w.s, rtz, 0xffffffff600ac723, 0x7fffffff, 16
  T_FCVT_I 401, fcvt.w.s, rne, 0xffffffff7f800000, 0x7fffffff, 16
  T_FCVT_I 402, fcvt.w.s, rtz, 0xffffffff7f800000, 0x7fffffff, 16
  T_FCVT_I 403, fcvt.w.s, rne, 0xffffffffff800000, 0xffffffff80000000, 16
  T_FCVT_I 404, fcvt.w.s, rtz, 0xffffffffff800000, 0xffffffff80000000, 16
  T_FCVT_I 405, fcvt.w.s, rne, 0xffffffff7fc00000, 0x7fffffff, 16
  T_FCVT_I 406, fcvt.w.s, rtz, 0xffffffff7fc00000, 0x7fffffff, 16
  T_FCVT_I 407, fcvt.w.s, rne, 0xffffffff7f800001, 0x7fffffff, 16
  T_FCVT_I 408, fcvt.w.s, rtz, 0xffffffff7f800001, 0x7fffffff, 16
  T_FCVT_I 409, fcvt.w.s, rne, 0xffffffff4effffff, 0x7fffff80, 0
  T_FCVT_I 410, fcvt.w.s, rtz, 0xffffffff4effffff, 0x7fffff80, 0
  T_FCVT_I 411, fcvt.w.s, rne, 0xffffffffcf000000, 0xffffffff80000000, 0
  T_FCVT_I 412, fcvt.w.s, rtz, 0xffffffffcf000000, 0xffffffff80000000, 0
  T_FCVT_I 413, fcvt.w.s, rne, 0xffffffff4f7fffff, 0x7fffffff, 16
  T_FCVT_I 414, fcvt.w.s, rtz, 0xffffffff4f7fffff, 0x7fffffff, 16
  T_FCVT_I 415, fcvt.w.s, rne, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 416, fcvt.w.s, rtz, 0xffffffff3f7ffffe, 0x0, 1
  T_FCVT_I 417, fcvt.w.s, rdn, 0xffffffff3f7ffffe, 0x0, 1
  T_FCVT_I 418, fcvt.w.s, rup, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 419, fcvt.w.s, rmm, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 420, fcvt.w.s, rne, 0xffffffff80000000, 0x0, 0
  T_FCVT_I 421, fcvt.w.s, rtz, 0xffffffff80000000, 0x0, 0
  T_FCVT_I 422, fcvt.wu.s, rne, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 423, fcvt.wu.s, rtz, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 424, fcvt.wu.s, rdn, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 425, fcvt.wu.s, rup, 0xffffffff40200000, 0x3, 1
  T_FCVT_I 426, fcvt.wu.s, rmm, 0xffffffff40200000, 0x3, 1
  T_FCVT_I 427, fcvt.wu.s, rne, 0xffffffffc0200000, 0x0, 16
  T_FCVT_I 428, fcvt.wu.s, rtz, 0xffffffffc0200000, 0x0, 16
  T_FCVT_I 429, fcvt.wu.s, rdn, 0xffffffffc0200000, 0x0, 16
  T_FCVT_I 430, fcvt.wu.s, rup, 0xffffffffc0200000, 0x0, 16
  T_FCVT_I 431, fcvt.wu.s, rmm, 0xffffffffc0200000, 0x0, 16
  T_FCVT_I 432, fcvt.wu.s, rne, 0xffffffff3f000000, 0x0, 1
  T_FCVT_I 433, fcvt.wu.s, rtz, 0xffffffff3f000000, 0x0, 1
  T_FCVT_I 434, fcvt.wu.s, rne, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 435, fcvt.wu.s, rtz, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 436, fcvt.wu.s, rdn, 0xffffffffbf000000, 0x0, 16
  T_FCVT_I 437, fcvt.wu.s, rup, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 438, fcvt.wu.s, rmm, 0xffffffffbf000000, 0x0, 16
  T_FCVT_I 439, fcvt.wu.s, rne, 0xffffffff3fc00000, 0x2, 1
  T_FCVT_I 440, fcvt.wu.s, rtz, 0xffffffff3fc00000, 0x1, 1
  T_FCVT_I 441, fcvt.wu.s, rne, 0xffffffffbf800000, 0x0, 16
  T_FCVT_I 442, fcvt.wu.s, rtz, 0xffffffffbf800000, 0x0, 16
  T_FCVT_I 443, fcvt.wu.s, rne, 0xffffffff4f32d05e, 0xffffffffb2d05e00, 0
  T_FCVT_I 444, fcvt.wu.s, rtz, 0xffffffff4f32d05e, 0xffffffffb2d05e00, 0
  T_FCVT_I 445, fcvt.wu.s, rne, 0xffffffffcf32d05e, 0x0, 16
  T_FCVT_I 446, fcvt.wu.s, rtz, 0xffffffffcf32d05e, 0x0, 16
  T_FCVT_I 447, fcvt.wu.s, rne, 0xffffffff5f0ac723, 0xffffffffffffffff, 16
  T_FCVT_I 448, fcvt.wu.s, rtz, 0xffffffff5f0ac723, 0xffffffffffffffff, 16
  T_FCVT_I 449, fcvt.wu.s, rne, 0xffffffffdf0ac723, 0x0, 16
  T_FCVT_I 450, fcvt.wu.s, rtz, 0xffffffffdf0ac723, 0x0, 16
  T_FCVT_I 451, fcvt.wu.s, rne, 0xffffffff600ac723, 0xffffffffffffffff, 16
  T_FCVT_I 452, fcvt.wu.s, rtz, 0xffffffff600ac723, 0xffffffffffffffff, 16
  T_FCVT_I 453, fcvt.wu.s, rne, 0xffffffff7f800000, 0xffffffffffffffff, 16
  T_FCVT_I 454, fcvt.wu.s, rtz, 0xffffffff7f800000, 0xffffffffffffffff, 16
  T_FCVT_I 455, fcvt.wu.s, rne, 0xffffffffff800000, 0x0, 16
  T_FCVT_I 456, fcvt.wu.s, rtz, 0xffffffffff800000, 0x0, 16
  T_FCVT_I 457, fcvt.wu.s, rne, 0xffffffff7fc00000, 0xffffffffffffffff, 16
  T_FCVT_I 458, fcvt.wu.s, rtz, 0xffffffff7fc00000, 0xffffffffffffffff, 16
  T_FCVT_I 459, fcvt.wu.s, rne, 0xffffffff7f800001, 0xffffffffffffffff, 16
  T_FCVT_I 460, fcvt.wu.s, rtz, 0xffffffff7f800001, 0xffffffffffffffff, 16
  T_FCVT_I 461, fcvt.wu.s, rne, 0xffffffff4effffff, 0x7fffff80, 0
  T_FCVT_I 462, fcvt.wu.s, rtz, 0xffffffff4effffff, 0x7fffff80, 0
  T_FCVT_I 463, fcvt.wu.s, rne, 0xffffffffcf000000, 0x0, 16
  T_FCVT_I 464, fcvt.wu.s, rtz, 0xffffffffcf000000, 0x0, 16
  T_FCVT_I 465, fcvt.wu.s, rne, 0xffffffff4f7fffff, 0xffffffffffffff00, 0
  T_FCVT_I 466, fcvt.wu.s, rtz, 0xffffffff4f7fffff, 0xffffffffffffff00, 0
  T_FCVT_I 467, fcvt.wu.s, rne, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 468, fcvt.wu.s, rtz, 0xffffffff3f7ffffe, 0x0, 1
  T_FCVT_I 469, fcvt.wu.s, rdn, 0xffffffff3f7ffffe, 0x0, 1
  T_FCVT_I 470, fcvt.wu.s, rup, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 471, fcvt.wu.s, rmm, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 472, fcvt.wu.s, rne, 0xffffffff80000000, 0x0, 0
  T_FCVT_I 473, fcvt.wu.s, rtz, 0xffffffff80000000, 0x0, 0
  T_FCVT_I 474, fcvt.l.s, rne, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 475, fcvt.l.s, rtz, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 476, fcvt.l.s, rdn, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 477, fcvt.l.s, rup, 0xffffffff40200000, 0x3, 1
  T_FCVT_I 478, fcvt.l.s, rmm, 0xffffffff40200000, 0x3, 1
  T_FCVT_I 479, fcvt.l.s, rne, 0xffffffffc0200000, 0xfffffffffffffffe, 1
  T_FCVT_I 480, fcvt.l.s, rtz, 0xffffffffc0200000, 0xfffffffffffffffe, 1
  T_FCVT_I 481, fcvt.l.s, rdn, 0xffffffffc0200000, 0xfffffffffffffffd, 1
  T_FCVT_I 482, fcvt.l.s, rup, 0xffffffffc0200000, 0xfffffffffffffffe, 1
  T_FCVT_I 483, fcvt.l.s, rmm, 0xffffffffc0200000, 0xfffffffffffffffd, 1
  T_FCVT_I 484, fcvt.l.s, rne, 0xffffffff3f000000, 0x0, 1
  T_FCVT_I 485, fcvt.l.s, rtz, 0xffffffff3f000000, 0x0, 1
  T_FCVT_I 486, fcvt.l.s, rne, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 487, fcvt.l.s, rtz, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 488, fcvt.l.s, rdn, 0xffffffffbf000000, 0xffffffffffffffff, 1
  T_FCVT_I 489, fcvt.l.s, rup, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 490, fcvt.l.s, rmm, 0xffffffffbf000000, 0xffffffffffffffff, 1
  T_FCVT_I 491, fcvt.l.s, rne, 0xffffffff3fc00000, 0x2, 1
  T_FCVT_I 492, fcvt.l.s, rtz, 0xffffffff3fc00000, 0x1, 1
  T_FCVT_I 493, fcvt.l.s, rne, 0xffffffffbf800000, 0xffffffffffffffff, 0
  T_FCVT_I 494, fcvt.l.s, rtz, 0xffffffffbf800000, 0xffffffffffffffff, 0
  T_FCVT_I 495, fcvt.l.s, rne, 0xffffffff4f32d05e, 0xb2d05e00, 0
  T_FCVT_I 496, fcvt.l.s, rtz, 0xffffffff4f32d05e, 0xb2d05e00, 0
  T_FCVT_I 497, fcvt.l.s, rne, 0xffffffffcf32d05e, 0xffffffff4d2fa200, 0
  T_FCVT_I 498, fcvt.l.s, rtz, 0xffffffffcf32d05e, 0xffffffff4d2fa200, 0
  T_FCVT_I 499, fcvt.l.s, rne, 0xffffffff5f0ac723, 0x7fffffffffffffff, 16
  T_FCVT_I 500, fcvt.l.s, rtz, 0xffffffff5f0ac723, 0x7fffffffffffffff, 16
  T_FCVT_I 501, fcvt.l.s, rne, 0xffffffffdf0ac723, 0x8000000000000000, 16
  T_FCVT_I 502, fcvt.l.s, rtz, 0xffffffffdf0ac723, 0x8000000000000000, 16
  T_FCVT_I 503, fcvt.l.s, rne, 0xffffffff600ac723, 0x7fffffffffffffff, 16
  T_FCVT_I 504, fcvt.l.s, rtz, 0xffffffff600ac723, 0x7fffffffffffffff, 16
  T_FCVT_I 505, fcvt.l.s, rne, 0xffffffff7f800000, 0x7fffffffffffffff, 16
  T_FCVT_I 506, fcvt.l.s, rtz, 0xffffffff7f800000, 0x7fffffffffffffff, 16
  T_FCVT_I 507, fcvt.l.s, rne, 0xffffffffff800000, 0x8000000000000000, 16
  T_FCVT_I 508, fcvt.l.s, rtz, 0xffffffffff800000, 0x8000000000000000, 16
  T_FCVT_I 509, fcvt.l.s, rne, 0xffffffff7fc00000, 0x7fffffffffffffff, 16
  T_FCVT_I 510, fcvt.l.s, rtz, 0xffffffff7fc00000, 0x7fffffffffffffff, 16
  T_FCVT_I 511, fcvt.l.s, rne, 0xffffffff7f800001, 0x7fffffffffffffff, 16
  T_FCVT_I 512, fcvt.l.s, rtz, 0xffffffff7f800001, 0x7fffffffffffffff, 16
  T_FCVT_I 513, fcvt.l.s, rne, 0xffffffff4effffff, 0x7fffff80, 0
  T_FCVT_I 514, fcvt.l.s, rtz, 0xffffffff4effffff, 0x7fffff80, 0
  T_FCVT_I 515, fcvt.l.s, rne, 0xffffffffcf000000, 0xffffffff80000000, 0
  T_FCVT_I 516, fcvt.l.s, rtz, 0xffffffffcf000000, 0xffffffff80000000, 0
  T_FCVT_I 517, fcvt.l.s, rne, 0xffffffff4f7fffff, 0xffffff00, 0
  T_FCVT_I 518, fcvt.l.s, rtz, 0xffffffff4f7fffff, 0xffffff00, 0
  T_FCVT_I 519, fcvt.l.s, rne, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 520, fcvt.l.s, rtz, 0xffffffff3f7ffffe, 0x0, 1
  T_FCVT_I 521, fcvt.l.s, rdn, 0xffffffff3f7ffffe, 0x0, 1
  T_FCVT_I 522, fcvt.l.s, rup, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 523, fcvt.l.s, rmm, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 524, fcvt.l.s, rne, 0xffffffff80000000, 0x0, 0
  T_FCVT_I 525, fcvt.l.s, rtz, 0xffffffff80000000, 0x0, 0
  T_FCVT_I 526, fcvt.lu.s, rne, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 527, fcvt.lu.s, rtz, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 528, fcvt.lu.s, rdn, 0xffffffff40200000, 0x2, 1
  T_FCVT_I 529, fcvt.lu.s, rup, 0xffffffff40200000, 0x3, 1
  T_FCVT_I 530, fcvt.lu.s, rmm, 0xffffffff40200000, 0x3, 1
  T_FCVT_I 531, fcvt.lu.s, rne, 0xffffffffc0200000, 0x0, 16
  T_FCVT_I 532, fcvt.lu.s, rtz, 0xffffffffc0200000, 0x0, 16
  T_FCVT_I 533, fcvt.lu.s, rdn, 0xffffffffc0200000, 0x0, 16
  T_FCVT_I 534, fcvt.lu.s, rup, 0xffffffffc0200000, 0x0, 16
  T_FCVT_I 535, fcvt.lu.s, rmm, 0xffffffffc0200000, 0x0, 16
  T_FCVT_I 536, fcvt.lu.s, rne, 0xffffffff3f000000, 0x0, 1
  T_FCVT_I 537, fcvt.lu.s, rtz, 0xffffffff3f000000, 0x0, 1
  T_FCVT_I 538, fcvt.lu.s, rne, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 539, fcvt.lu.s, rtz, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 540, fcvt.lu.s, rdn, 0xffffffffbf000000, 0x0, 16
  T_FCVT_I 541, fcvt.lu.s, rup, 0xffffffffbf000000, 0x0, 1
  T_FCVT_I 542, fcvt.lu.s, rmm, 0xffffffffbf000000, 0x0, 16
  T_FCVT_I 543, fcvt.lu.s, rne, 0xffffffff3fc00000, 0x2, 1
  T_FCVT_I 544, fcvt.lu.s, rtz, 0xffffffff3fc00000, 0x1, 1
  T_FCVT_I 545, fcvt.lu.s, rne, 0xffffffffbf800000, 0x0, 16
  T_FCVT_I 546, fcvt.lu.s, rtz, 0xffffffffbf800000, 0x0, 16
  T_FCVT_I 547, fcvt.lu.s, rne, 0xffffffff4f32d05e, 0xb2d05e00, 0
  T_FCVT_I 548, fcvt.lu.s, rtz, 0xffffffff4f32d05e, 0xb2d05e00, 0
  T_FCVT_I 549, fcvt.lu.s, rne, 0xffffffffcf32d05e, 0x0, 16
  T_FCVT_I 550, fcvt.lu.s, rtz, 0xffffffffcf32d05e, 0x0, 16
  T_FCVT_I 551, fcvt.lu.s, rne, 0xffffffff5f0ac723, 0x8ac7230000000000, 0
  T_FCVT_I 552, fcvt.lu.s, rtz, 0xffffffff5f0ac723, 0x8ac7230000000000, 0
  T_FCVT_I 553, fcvt.lu.s, rne, 0xffffffffdf0ac723, 0x0, 16
  T_FCVT_I 554, fcvt.lu.s, rtz, 0xffffffffdf0ac723, 0x0, 16
  T_FCVT_I 555, fcvt.lu.s, rne, 0xffffffff600ac723, 0xffffffffffffffff, 16
  T_FCVT_I 556, fcvt.lu.s, rtz, 0xffffffff600ac723, 0xffffffffffffffff, 16
  T_FCVT_I 557, fcvt.lu.s, rne, 0xffffffff7f800000, 0xffffffffffffffff, 16
  T_FCVT_I 558, fcvt.lu.s, rtz, 0xffffffff7f800000, 0xffffffffffffffff, 16
  T_FCVT_I 559, fcvt.lu.s, rne, 0xffffffffff800000, 0x0, 16
  T_FCVT_I 560, fcvt.lu.s, rtz, 0xffffffffff800000, 0x0, 16
  T_FCVT_I 561, fcvt.lu.s, rne, 0xffffffff7fc00000, 0xffffffffffffffff, 16
  T_FCVT_I 562, fcvt.lu.s, rtz, 0xffffffff7fc00000, 0xffffffffffffffff, 16
  T_FCVT_I 563, fcvt.lu.s, rne, 0xffffffff7f800001, 0xffffffffffffffff, 16
  T_FCVT_I 564, fcvt.lu.s, rtz, 0xffffffff7f800001, 0xffffffffffffffff, 16
  T_FCVT_I 565, fcvt.lu.s, rne, 0xffffffff4effffff, 0x7fffff80, 0
  T_FCVT_I 566, fcvt.lu.s, rtz, 0xffffffff4effffff, 0x7fffff80, 0
  T_FCVT_I 567, fcvt.lu.s, rne, 0xffffffffcf000000, 0x0, 16
  T_FCVT_I 568, fcvt.lu.s, rtz, 0xffffffffcf000000, 0x0, 16
  T_FCVT_I 569, fcvt.lu.s, rne, 0xffffffff4f7fffff, 0xffffff00, 0
  T_FCVT_I 570, fcvt.lu.s, rtz, 0xffffffff4f7fffff, 0xffffff00, 0
  T_FCVT_I 571, fcvt.lu.s, rne, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 572, fcvt.lu.s, rtz, 0xffffffff3f7ffffe, 0x0, 1
  T_FCVT_I 573, fcvt.lu.s, rdn, 0xffffffff3f7ffffe, 0x0, 1
  T_FCVT_I 574, fcvt.lu.s, rup, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 575, fcvt.lu.s, rmm, 0xffffffff3f7ffffe, 0x1, 1
  T_FCVT_I 576, fcvt.lu.s, rne, 0xffffffff80000000, 0x0, 0
  T_FCVT_I 577, fcvt.lu.s, rtz, 0xffffffff80000000, 0x0, 0
# ---- integer -> float conversions
  T_FCVT_F 578, fcvt.s.w, rne, 0x0, 0xffffffff00000000, 0
  T_FCVT_F 579, fcvt.s.w, rne, 0x1, 0xffffffff3f800000, 0
  T_FCVT_F 580, fcvt.s.w, rne, 0xffffffffffffffff, 0xffffffffbf800000, 0
  T_FCVT_F 581, fcvt.s.w, rne, 0x7fffffff, 0xffffffff4f000000, 1
  T_FCVT_F 582, fcvt.s.w, rne, 0x80000000, 0xffffffffcf000000, 0
  T_FCVT_F 583, fcvt.s.w, rne, 0xffffffff, 0xffffffffbf800000, 0
  T_FCVT_F 584, fcvt.s.w, rne, 0x1000001, 0xffffffff4b800000, 1
  T_FCVT_F 585, fcvt.s.w, rtz, 0x1000001, 0xffffffff4b800000, 1
  T_FCVT_F 586, fcvt.s.w, rup, 0x1000001, 0xffffffff4b800001, 1
  T_FCVT_F 587, fcvt.s.w, rne, 0x7fffffffffffffff, 0xffffffffbf800000, 0
  T_FCVT_F 588, fcvt.s.w, rtz, 0x7fffffffffffffff, 0xffffffffbf800000, 0
  T_FCVT_F 589, fcvt.s.w, rup, 0x7fffffffffffffff, 0xffffffffbf800000, 0
  T_FCVT_F 590, fcvt.s.w, rne, 0x8000000000000000, 0xffffffff00000000, 0
  T_FCVT_F 591, fcvt.s.w, rne, 0xffffffffffffffff, 0xffffffffbf800000, 0
  T_FCVT_F 592, fcvt.s.w, rne, 0x123456789abcdef1, 0xffffffffceca8642, 1
  T_FCVT_F 593, fcvt.s.w, rtz, 0x123456789abcdef1, 0xffffffffceca8642, 1
  T_FCVT_F 594, fcvt.s.w, rup, 0x123456789abcdef1, 0xffffffffceca8642, 1
  T_FCVT_F 595, fcvt.s.w, rne, 0xfffffffffffffffd, 0xffffffffc0400000, 0
  T_FCVT_F 596, fcvt.s.w, rne, 0xffffffff00000007, 0xffffffff40e00000, 0
  T_FCVT_F 597, fcvt.s.wu, rne, 0x0, 0xffffffff00000000, 0
  T_FCVT_F 598, fcvt.s.wu, rne, 0x1, 0xffffffff3f800000, 0
  T_FCVT_F 599, fcvt.s.wu, rne, 0xffffffffffffffff, 0xffffffff4f800000, 1
  T_FCVT_F 600, fcvt.s.wu, rne, 0x7fffffff, 0xffffffff4f000000, 1
  T_FCVT_F 601, fcvt.s.wu, rne, 0x80000000, 0xffffffff4f000000, 0
  T_FCVT_F 602, fcvt.s.wu, rne, 0xffffffff, 0xffffffff4f800000, 1
  T_FCVT_F 603, fcvt.s.wu, rne, 0x1000001, 0xffffffff4b800000, 1
  T_FCVT_F 604, fcvt.s.wu, rtz, 0x1000001, 0xffffffff4b800000, 1
  T_FCVT_F 605, fcvt.s.wu, rup, 0x1000001, 0xffffffff4b800001, 1
  T_FCVT_F 606, fcvt.s.wu, rne, 0x7fffffffffffffff, 0xffffffff4f800000, 1
  T_FCVT_F 607, fcvt.s.wu, rtz, 0x7fffffffffffffff, 0xffffffff4f7fffff, 1
  T_FCVT_F 608, fcvt.s.wu, rup, 0x7fffffffffffffff, 0xffffffff4f800000, 1
  T_FCVT_F 609, fcvt.s.wu, rne, 0x8000000000000000, 0xffffffff00000000, 0
  T_FCVT_F 610, fcvt.s.wu, rne, 0xffffffffffffffff, 0xffffffff4f800000, 1
  T_FCVT_F 611, fcvt.s.wu, rne, 0x123456789abcdef1, 0xffffffff4f1abcdf, 1
  T_FCVT_F 612, fcvt.s.wu, rtz, 0x123456789abcdef1, 0xffffffff4f1abcde, 1
  T_FCVT_F 613, fcvt.s.wu, rup, 0x123456789abcdef1, 0xffffffff4f1abcdf, 1
  T_FCVT_F 614, fcvt.s.wu, rne, 0xfffffffffffffffd, 0xffffffff4f800000, 1
  T_FCVT_F 615, fcvt.s.wu, rne, 0xffffffff00000007, 0xffffffff40e00000, 0
  T_FCVT_F 616, fcvt.s.l, rne, 0x0, 0xffffffff00000000, 0
  T_FCVT_F 617, fcvt.s.l, rne, 0x1, 0xffffffff3f800000, 0
  T_FCVT_F 618, fcvt.s.l, rne, 0xffffffffffffffff, 0xffffffffbf800000, 0
  T_FCVT_F 619, fcvt.s.l, rne, 0x7fffffff, 0xffffffff4f000000, 1
  T_FCVT_F 620, fcvt.s.l, rne, 0x80000000, 0xffffffff4f000000, 0
  T_FCVT_F 621, fcvt.s.l, rne, 0xffffffff, 0xffffffff4f800000, 1
  T_FCVT_F 622, fcvt.s.l, rne, 0x1000001, 0xffffffff4b800000, 1
  T_FCVT_F 623, fcvt.s.l, rtz, 0x1000001, 0xffffffff4b800000, 1
  T_FCVT_F 624, fcvt.s.l, rup, 0x1000001, 0xffffffff4b800001, 1
  T_FCVT_F 625, fcvt.s.l, rne, 0x7fffffffffffffff, 0xffffffff5f000000, 1
  T_FCVT_F 626, fcvt.s.l, rtz, 0x7fffffffffffffff, 0xffffffff5effffff, 1
  T_FCVT_F 627, fcvt.s.l, rup, 0x7fffffffffffffff, 0xffffffff5f000000, 1
  T_FCVT_F 628, fcvt.s.l, rne, 0x8000000000000000, 0xffffffffdf000000, 0
  T_FCVT_F 629, fcvt.s.l, rne, 0xffffffffffffffff, 0xffffffffbf800000, 0
  T_FCVT_F 630, fcvt.s.l, rne, 0x123456789abcdef1, 0xffffffff5d91a2b4, 1
  T_FCVT_F 631, fcvt.s.l, rtz, 0x123456789abcdef1, 0xffffffff5d91a2b3, 1
  T_FCVT_F 632, fcvt.s.l, rup, 0x123456789abcdef1, 0xffffffff5d91a2b4, 1
  T_FCVT_F 633, fcvt.s.l, rne, 0xfffffffffffffffd, 0xffffffffc0400000, 0
  T_FCVT_F 634, fcvt.s.l, rne, 0xffffffff00000007, 0xffffffffcf800000, 1
  T_FCVT_F 635, fcvt.s.lu, rne, 0x0, 0xffffffff00000000, 0
  T_FCVT_F 636, fcvt.s.lu, rne, 0x1, 0xffffffff3f800000, 0
  T_FCVT_F 637, fcvt.s.lu, rne, 0xffffffffffffffff, 0xffffffff5f800000, 1
  T_FCVT_F 638, fcvt.s.lu, rne, 0x7fffffff, 0xffffffff4f000000, 1
  T_FCVT_F 639, fcvt.s.lu, rne, 0x80000000, 0xffffffff4f000000, 0
  T_FCVT_F 640, fcvt.s.lu, rne, 0xffffffff, 0xffffffff4f800000, 1
  T_FCVT_F 641, fcvt.s.lu, rne, 0x1000001, 0xffffffff4b800000, 1
  T_FCVT_F 642, fcvt.s.lu, rtz, 0x1000001, 0xffffffff4b800000, 1
  T_FCVT_F 643, fcvt.s.lu, rup, 0x1000001, 0xffffffff4b800001, 1
  T_FCVT_F 644, fcvt.s.lu, rne, 0x7fffffffffffffff, 0xffffffff5f000000, 1
  T_FCVT_F 645, fcvt.s.lu, rtz, 0x7fffffffffffffff, 0xffffffff5effffff, 1
  T_FCVT_F 646, fcvt.s.lu, rup, 0x7fffffffffffffff, 0xffffffff5f000000, 1
  T_FCVT_F 647, fcvt.s.lu, rne, 0x8000000000000000, 0xffffffff5f000000, 0
  T_FCVT_F 648, fcvt.s.lu, rne, 0xffffffffffffffff, 0xffffffff5f800000, 1
  T_FCVT_F 649, fcvt.s.lu, rne, 0x123456789abcdef1, 0xffffffff5d91a2b4, 1
  T_FCVT_F 650, fcvt.s.lu, rtz, 0x123456789abcdef1, 0xffffffff5d91a2b3, 1
  T_FCVT_F 651, fcvt.s.lu, rup, 0x123456789abcdef1, 0xffffffff5d91a2b4, 1
  T_FCVT_F 652, fcvt.s.lu, rne, 0xfffffffffffffffd, 0xffffffff5f800000, 1
  T_FCVT_F 653, fcvt.s.lu, rne, 0xffffffff00000007, 0xffffffff5f800000, 1

# ---- NaN boxing of transfers
  TEST 1000
  la a1, fp_data
  flw f5, 0(a1)
  fmv.x.d a0, f5
  CHECK a0, 0xffffffff3fc00000
  TEST 1001
  li a2, 0x12345678c0490fdb
  fmv.w.x f6, a2
  fmv.x.d a0, f6
  CHECK a0, 0xffffffffc0490fdb
  TEST 1002
  # fmv.x.w sign-extends the low 32 bits and ignores the box.
  LOADF f7, 0x00000000c0000000
  fmv.x.w a0, f7
  CHECK a0, 0xffffffffc0000000
  LOADF f7, 0x123456783f800000
  fmv.x.w a0, f7
  CHECK a0, 0x3f800000
  TEST 1003
  # fsw stores the low 32 bits whatever the box.
  LOADF f7, 0x0000000140400000
  fsw f7, 8(a1)
  lwu a0, 8(a1)
  CHECK a0, 0x40400000
  TEST 1004
  # Improperly boxed inputs read as the canonical NaN (quiet: no flag).
  LOADF f1, 0x000000003f800000
  LOADF f2, 0xffffffff3f800000
  csrwi fflags, 0
  fadd.s f3, f1, f2
  fmv.x.d a0, f3
  CHECK a0, 0xffffffff7fc00000
  CHECK_FFLAGS 0
  TEST 1005
  fsgnjn.s f3, f1, f2
  fmv.x.d a0, f3
  CHECK a0, 0xffffffffffc00000
  TEST 1006
  feq.s a0, f2, f2
  CHECK a0, 1
  feq.s a0, f1, f1
  CHECK a0, 0
  fclass.s a0, f1
  CHECK a0, 1 << 9

# ---- Dynamic rounding: rm = dyn uses frm
.macro T_DYN n, frm, expected
  TEST \n
  li a2, \frm
  fsrm a2
  LOADF f1, 0xffffffff3f800000
  LOADF f2, 0xffffffff33800000
  fadd.s f3, f1, f2
  fmv.x.d a0, f3
  CHECK a0, \expected
.endm
  # 1.0 + 2^-24 is a tie between 1.0 and 1.0 + 2^-23.
  T_DYN 1010, 0, 0xffffffff3f800000
  T_DYN 1011, 1, 0xffffffff3f800000
  T_DYN 1012, 2, 0xffffffff3f800000
  T_DYN 1013, 3, 0xffffffff3f800001
  T_DYN 1014, 4, 0xffffffff3f800001
  TEST 1015
  li a2, 3
  fsrm a2
  LOADF f1, 0xffffffff40200000
  fcvt.w.s a0, f1
  CHECK a0, 3
  fsrmi 1
  fcvt.w.s a0, f1
  CHECK a0, 2
  fsrmi 0

# ---- Reserved rounding modes are illegal: static 5/6, and dyn with frm 5..7
  TEST 1020
  EXPECT_TRAP 1f
2:
  .word 0x0020d1d3   # fadd.s f3, f1, f2 with rm = 5
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  la a0, 2b
  CHECK_EQ s4, a0
  CHECK s3, 0x0020d1d3
  TEST 1021
  EXPECT_TRAP 1f
  .word 0x0020e1d3   # rm = 6
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  TEST 1022
  li a2, 5
  csrw frm, a2
  EXPECT_TRAP 1f
  fadd.s f3, f1, f2
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  TEST 1023
  fsrmi 7
  EXPECT_TRAP 1f
  fmul.s f3, f1, f2, dyn
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  # Instructions without a rounding mode do not care about frm.
  TEST 1024
  fsgnj.s f3, f1, f1
  fmin.s f3, f1, f1
  feq.s a0, f1, f1
  CHECK a0, 1
  fsrmi 0

# ---- fcsr, fflags and frm views
  TEST 1030
  li a2, 0xff
  csrw fcsr, a2
  csrr a0, fcsr
  CHECK a0, 0xff
  csrr a0, fflags
  CHECK a0, 0x1f
  csrr a0, frm
  CHECK a0, 7
  TEST 1031
  li a2, -1
  csrw fcsr, a2
  csrr a0, fcsr
  CHECK a0, 0xff
  csrwi fflags, 0
  csrr a0, fcsr
  CHECK a0, 0xe0
  csrwi frm, 2
  csrr a0, fcsr
  CHECK a0, 0x40
  TEST 1032
  # Flags accumulate.
  csrwi fcsr, 0
  LOADF f1, 0xffffffff3f800000
  LOADF f2, 0xffffffff00000000
  fdiv.s f3, f1, f2
  LOADF f2, 0xffffffff40400000
  fdiv.s f3, f1, f2
  csrr a0, fflags
  CHECK a0, 0x9
  csrrci a0, fflags, 1
  CHECK a0, 0x9
  csrr a0, fflags
  CHECK a0, 0x8
  csrwi fcsr, 0

# ---- mstatus.FS
  TEST 1040
  # An FP write makes FS Dirty and sets SD.
  li a2, MSTATUS_FS
  csrc mstatus, a2
  li a2, MSTATUS_FS_INITIAL
  csrs mstatus, a2
  LOADF f1, 0xffffffff3f800000
  csrr a0, mstatus
  li a2, MSTATUS_FS
  and a1, a0, a2
  CHECK a1, MSTATUS_FS_DIRTY
  bgez a0, fail
  TEST 1041
  # FS = Off: FP loads, arithmetic, moves and the fcsr CSRs are illegal.
  li a2, MSTATUS_FS
  csrc mstatus, a2
  csrr a0, mstatus
  bltz a0, fail
  EXPECT_TRAP 1f
2:
  fadd.s f3, f1, f1
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  la a0, 2b
  CHECK_EQ s4, a0
  TEST 1042
  EXPECT_TRAP 1f
  la a1, fp_data
  flw f3, 0(a1)
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  TEST 1043
  EXPECT_TRAP 1f
  csrr a0, fflags
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  TEST 1044
  EXPECT_TRAP 1f
  fmv.x.w a0, f1
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  TEST 1045
  EXPECT_TRAP 1f
  csrw frm, zero
  FAIL_NOW
1:
  CHECK_TRAP CAUSE_ILLEGAL, 3
  # The register file survives FS = Off.
  TEST 1046
  li a2, MSTATUS_FS_INITIAL
  csrs mstatus, a2
  fmv.x.d a0, f1
  CHECK a0, 0xffffffff3f800000
  PASS

.data
.balign 8
fp_data:
  .word 0x3fc00000, 0
  .dword 0
