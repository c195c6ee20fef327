/*
 * Integer loop: the shared bench.S loop (addi, addi, bnez), 3 instructions per iteration,
 * no memory access. Measures raw instruction dispatch on the hottest possible block.
 */
#include "bench.h"
#ifndef ITERS
#define ITERS 50000000
#endif
/* bench_run outside the loop: lla (auipc+addi) 2, ld 1, li 1, ret 1 = 5 */
PARAMS(ITERS, 3, 5)

        .section .text
        .globl bench_setup
bench_setup:
        ret

        .globl bench_run
bench_run:
        lla     t0, bench_iterations
        ld      t0, 0(t0)
        li      t1, 0
1:      addi    t1, t1, 1
        addi    t0, t0, -1
        bnez    t0, 1b
        ret
