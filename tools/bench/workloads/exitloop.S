/*
 * MMIO store loop: N byte stores to the ns16550a scratch register (offset 7), sb, addi, bnez
 * (3 instructions per iteration). Under the hypervisor every store is a guest-physical access
 * to an emulated device, so each iteration is one full VM exit round trip (G-stage fault,
 * VMM device dispatch, resume). On the bare board it is the cost of one device store.
 */
#include "bench.h"
#ifndef ITERS
#define ITERS 200000
#endif
/* outside the loop: lla (auipc+addi) 2, ld 1, li (lui) 1, li 1, ret 1 = 6 */
PARAMS(ITERS, 3, 6)

        .section .text
        .globl bench_setup
bench_setup:
        ret

        .globl bench_run
bench_run:
        lla     t0, bench_iterations
        ld      t0, 0(t0)
        li      t2, 0x10000000          /* UART base */
        li      t1, 0x5a
1:      sb      t1, 7(t2)               /* SCR: no side effect, always an emulated access */
        addi    t0, t0, -1
        bnez    t0, 1b
        ret
