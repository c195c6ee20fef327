/*
 * PARAMS(iterations, per_iteration, fixed) for the aarch64 and x86_64 workloads: the same
 * 40-byte block as bench.h (see there), written with `.quad`, which every 64-bit GNU
 * assembler accepts.
 */
#define PARAMS(iterations, per_iteration, fixed) \
        .section .params, "a";                   \
        .balign 8;                               \
        .ascii "AXBENCH1";                       \
        .globl bench_iterations;                 \
bench_iterations:                                \
        .quad iterations;                        \
        .quad per_iteration;                     \
        .quad fixed;                             \
        .quad 0
