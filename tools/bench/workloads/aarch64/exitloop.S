/*
 * MMIO store loop: each iteration stores to the PL011's interrupt-clear register (UARTICR,
 * no side effect with nothing pending), the A64 form of the riscv64 exitloop. Under the
 * hypervisor every store is a VM exit to the emulated UART and back; on a bare machine or
 * QEMU it is a device store.
 */
#include "../params64.h"
#ifndef ITERS
#define ITERS 200000
#endif
/* bench_run outside the loop: adr 1, ldr 1, mov 1, mov 1, ret 1 = 5 */
PARAMS(ITERS, 3, 5)

        .section .text
        .globl bench_run
bench_run:
        adr     x0, bench_iterations
        ldr     x0, [x0]
        mov     x2, #0x09000000         /* PL011 */
        mov     w1, #0x7ff
1:      str     w1, [x2, #0x44]         /* UARTICR */
        subs    x0, x0, #1
        b.ne    1b
        ret
