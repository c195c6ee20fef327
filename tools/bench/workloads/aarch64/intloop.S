/*
 * Integer loop: add, subs, b.ne (3 instructions per iteration, no memory access), the A64
 * form of the riscv64 intloop.
 */
#include "../params64.h"
#ifndef ITERS
#define ITERS 50000000
#endif
/* bench_run outside the loop: adr 1, ldr 1, mov 1, ret 1 = 4 */
PARAMS(ITERS, 3, 4)

        .section .text
        .globl bench_run
bench_run:
        adr     x0, bench_iterations
        ldr     x0, [x0]
        mov     x1, #0
1:      add     x1, x1, #1
        subs    x0, x0, #1
        b.ne    1b
        ret
