/*
 * Integer loop: add, sub, jnz (3 instructions per iteration, no memory access), the x86-64
 * form of the riscv64 intloop.
 */
#include "../params64.h"
#ifndef ITERS
#define ITERS 50000000
#endif
/* bench_run outside the loop: mov 1, xor 1, ret 1 = 3 */
PARAMS(ITERS, 3, 3)

        .section .text
        .code64
        .globl bench_run
bench_run:
        mov     bench_iterations(%rip), %rax
        xor     %ecx, %ecx
1:      add     $1, %rcx
        sub     $1, %rax
        jnz     1b
        ret
