/*
 * Branchy, call-heavy code: per iteration an LCG step, a data-dependent conditional branch
 * (taken about half the time, unpredictable), an indirect jump through a 4-entry table
 * picked by the data, a two-deep direct call chain (call/ret with a stack frame) and an
 * indirect call through a function pointer. Both sides of the branch and every jump-table
 * target execute the same number of instructions, so the dynamic count per iteration is
 * fixed (37) however the data falls:
 *
 *   loop head: mul, add, srli, andi, beqz                        5
 *   either branch side: 2 ALU + (j | nop)                        3
 *   jump table: andi, add, ld, jr                                4
 *   handler: 1 ALU + j                                           2
 *   mv, jal outer                                                2
 *   outer: addi, sd, srli, jal inner, ld, addi, ret              7
 *   inner: xori, andi, ret                                       3
 *   add, andi, add, ld, mv, jalr (indirect call)                 6
 *   leaf: addi, ret                                              2
 *   add, addi, bnez                                              3
 *   total                                                       37
 */
#include "bench.h"
#ifndef ITERS
#define ITERS 4000000
#endif
/* outside the loop: 22 instructions before it, 10 after (counted in the comments) */
PARAMS(ITERS, 37, 32)

        .section .text
        .globl bench_setup
bench_setup:
        ret

        .globl bench_run
bench_run:
        addi    sp, sp, -64             /* fixed part: 1 */
        sd      ra, 0(sp)               /* 1 */
        sd      s0, 8(sp)               /* 1 */
        sd      s1, 16(sp)              /* 1 */
        sd      s2, 24(sp)              /* 1 */
        sd      s3, 32(sp)              /* 1 */
        sd      s4, 40(sp)              /* 1 */
        sd      s5, 48(sp)              /* 1 */
        sd      s6, 56(sp)              /* 1 (9 so far) */
        lla     s0, bench_iterations    /* 2 */
        ld      s0, 0(s0)               /* 1 */
        li      s1, 12345               /* x: lui+addi 2 */
        lla     s2, lcg                 /* 2 */
        ld      s3, 8(s2)               /* C: 1 */
        ld      s2, 0(s2)               /* A: 1 */
        lla     s6, targets             /* 2 */
        li      s4, 0                   /* 1 */
        li      s5, 0                   /* 1 (22 so far) */
loop:
        mul     s1, s1, s2              /* x = x * A + C (Knuth's MMIX LCG) */
        add     s1, s1, s3
        srli    t0, s1, 33              /* the high bits: the low ones of an LCG cycle fast */
        andi    t1, t0, 1
        beqz    t1, 2f
        add     s4, s4, t0              /* not taken */
        xor     s5, s5, s4
        j       3f
2:      xor     s4, s4, t0              /* taken */
        add     s5, s5, s4
        nop
3:      andi    t1, t0, 0x18            /* bits 3..4 pick one of 4 targets (8-byte entries) */
        add     t1, t1, s6
        ld      t1, 0(t1)
        jr      t1
h0:     addi    s4, s4, 1
        j       4f
h1:     addi    s4, s4, 3
        j       4f
h2:     xori    s4, s4, 5
        j       4f
h3:     slli    s4, s4, 1
        j       4f
4:      mv      a0, s1
        jal     outer
        add     s5, s5, a0
        andi    t1, t0, 0x20            /* bit 5 picks one of 2 leaf functions */
        add     t1, t1, s6
        ld      t1, 32(t1)              /* leaves[0] at targets+32, leaves[1] at targets+64 */
        mv      a0, s4
        jalr    t1                      /* indirect call */
        add     s4, s4, a0
        addi    s0, s0, -1
        bnez    s0, loop

        ld      ra, 0(sp)               /* 1 */
        ld      s0, 8(sp)               /* 1 */
        ld      s1, 16(sp)              /* 1 */
        ld      s2, 24(sp)              /* 1 */
        ld      s3, 32(sp)              /* 1 */
        ld      s4, 40(sp)              /* 1 */
        ld      s5, 48(sp)              /* 1 */
        ld      s6, 56(sp)              /* 1 */
        addi    sp, sp, 64              /* 1 */
        ret                             /* 1 (10 after the loop) */

outer:  addi    sp, sp, -16
        sd      ra, 0(sp)
        srli    a0, a0, 7
        jal     inner
        ld      ra, 0(sp)
        addi    sp, sp, 16
        ret

inner:  xori    a0, a0, 0x55
        andi    a0, a0, 0xff
        ret

leaf0:  addi    a0, a0, 7
        ret
leaf1:  addi    a0, a0, -3
        ret

        .section .rodata
        .balign 8
lcg:    .dword  6364136223846793005, 1442695040888963407
targets:
        .dword  h0, h1, h2, h3
        .dword  leaf0, 0, 0, 0, leaf1
