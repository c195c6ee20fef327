/*
 * Memory loop: ld, addi, sd, addi, bnez (5 instructions per iteration: one 8-byte load and
 * one 8-byte store to the same RAM word). The word sits in .bss, on a page of its own, away
 * from the code, so stores never hit a page the emulator has decoded code from.
 */
#include "bench.h"
#ifndef ITERS
#define ITERS 30000000
#endif
/* outside the loop: lla (auipc+addi) 2, ld 1, lla 2, ret 1 = 6 */
PARAMS(ITERS, 5, 6)

        .section .text
        .globl bench_setup
bench_setup:
        ret

        .globl bench_run
bench_run:
        lla     t0, bench_iterations
        ld      t0, 0(t0)
        lla     t5, scratch
1:      ld      t1, 0(t5)
        addi    t1, t1, 1
        sd      t1, 0(t5)
        addi    t0, t0, -1
        bnez    t0, 1b
        ret

        .section .bss
        .balign 4096
scratch: .space 4096
