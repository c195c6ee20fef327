/*
 * Memory loop: mov load, add, mov store, sub, jnz (5 instructions per iteration: one 8-byte
 * load and one 8-byte store to the same RAM word, on a page of its own away from the code).
 */
#include "../params64.h"
#ifndef ITERS
#define ITERS 30000000
#endif
/* outside the loop: mov 1, lea 1, ret 1 = 3 */
PARAMS(ITERS, 5, 3)

        .section .text
        .code64
        .globl bench_run
bench_run:
        mov     bench_iterations(%rip), %rax
        lea     scratch(%rip), %rsi
1:      mov     (%rsi), %rdx
        add     $1, %rdx
        mov     %rdx, (%rsi)
        sub     $1, %rax
        jnz     1b
        ret

        .section .bss
        .balign 4096
scratch: .space 4096
