/*
 * PARAMS(iterations, per_iteration, fixed): the parameter block of a workload. Layout
 * (little-endian, 8-byte aligned, 40 bytes):
 *   0  "AXBENCH1"        magic the harness searches the file for
 *   8  iterations        the loop count; a harness may overwrite it in the file
 *   16 per_iteration     dynamic instructions per iteration of bench_run's loop
 *   24 fixed             dynamic instructions of bench_run outside the loop (incl. its ret)
 *   32 reserved (0)
 * bench_run reads the count from the block (label bench_iterations) rather than an
 * immediate, so a patched file runs the patched count.
 */
#define PARAMS(iterations, per_iteration, fixed) \
        .section .params, "a";                   \
        .balign 8;                               \
        .ascii "AXBENCH1";                       \
        .globl bench_iterations;                 \
bench_iterations:                                \
        .dword iterations;                       \
        .dword per_iteration;                    \
        .dword fixed;                            \
        .dword 0
