/*
 * Memory loop: ldr, add, str, subs, b.ne (5 instructions per iteration: one 8-byte load and
 * one 8-byte store to the same RAM word, on a page of its own away from the code).
 */
#include "../params64.h"
#ifndef ITERS
#define ITERS 30000000
#endif
/* outside the loop: adr 1, ldr 1, adrp + add 2, ret 1 = 5 */
PARAMS(ITERS, 5, 5)

        .section .text
        .globl bench_run
bench_run:
        adr     x0, bench_iterations
        ldr     x0, [x0]
        adrp    x5, scratch
        add     x5, x5, :lo12:scratch
1:      ldr     x1, [x5]
        add     x1, x1, #1
        str     x1, [x5]
        subs    x0, x0, #1
        b.ne    1b
        ret

        .section .bss
        .balign 4096
scratch: .space 4096
