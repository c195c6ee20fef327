/*
 * Page-table heavy: each round rewrites the 512 leaf PTEs of an Sv39 level-0 table (virtual
 * page i -> physical page (i + round) mod 512 of a 2 MiB pool), runs sfence.vma, then loads
 * and stores one word in each of the 512 pages. Every round starts with an empty TLB and
 * remapped pages, so the first access to every page is a TLB miss and a full three-level walk
 * (under the hypervisor: a two-stage walk).
 *
 * Address space (built by bench_setup, identical in both forms):
 *   VA 0x0000_0000 .. 1 GiB   gigapage -> PA 0 (devices: UART, test finisher), RW
 *   VA 0x8000_0000 .. 1 GiB   gigapage -> PA 0x8000_0000 (the image, stack, tables), RWX
 *   VA 0x1_0000_0000 .. 2 MiB 512 pages through pt_l1/pt_l0 -> the pool (remapped per round)
 * Native form: bench_setup runs in M-mode, opens PMP for S-mode, turns on Sv39 and returns
 * to its caller in S-mode (mret), so the rest of the run is S-mode with translation on.
 * Guest form: already S-mode (VS-mode under a hypervisor); it writes satp and returns.
 *
 * One round is 7687 instructions: 2 + 512 * 9 (PTE rewrite) + 3 (sfence.vma, setup)
 * + 512 * 6 (touch) + 2.
 */
#include "bench.h"
#ifndef ITERS
#define ITERS 10000
#endif
#define PAGES 512
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_A 0x40
#define PTE_D 0x80
#define SATP_SV39 (8 << 60)
/* A and D preset: no hardware A/D update (Svadu) or A/D fault (Svade) differences. */
#define LEAF_RW (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define LEAF_RWX (LEAF_RW | PTE_X)

/* outside the loop: 13 before the first round, 1 after (ret) */
PARAMS(ITERS, 7687, 14)

        .section .text
        .globl bench_setup
bench_setup:
        lla     t0, pt_root
        li      t1, LEAF_RW                     /* root[0]: PA 0, 1 GiB, devices */
        sd      t1, 0(t0)
        li      t1, (0x80000 << 10) | LEAF_RWX  /* root[2]: PA 0x8000_0000, 1 GiB */
        sd      t1, 16(t0)
        lla     t1, pt_l1                       /* root[4] -> pt_l1 */
        srli    t1, t1, 12
        slli    t1, t1, 10
        ori     t1, t1, PTE_V
        sd      t1, 32(t0)
        lla     t2, pt_l0                       /* pt_l1[0] -> pt_l0 */
        srli    t2, t2, 12
        slli    t2, t2, 10
        ori     t2, t2, PTE_V
        lla     t1, pt_l1
        sd      t2, 0(t1)
        srli    t0, t0, 12                      /* satp = Sv39 | root PPN */
        li      t1, 8
        slli    t1, t1, 60
        or      t0, t0, t1
#ifdef NATIVE
        li      t1, -1                          /* PMP entry 0: everything, RWX, for S-mode */
        csrw    pmpaddr0, t1
        li      t1, 0x1f                        /* NAPOT | X | W | R */
        csrw    pmpcfg0, t1
        csrw    satp, t0
        sfence.vma
        csrw    mepc, ra                        /* "return" to the caller in S-mode */
        li      t1, 3 << 11
        csrc    mstatus, t1
        li      t1, 1 << 11                     /* MPP = S */
        csrs    mstatus, t1
        mret
#else
        csrw    satp, t0
        sfence.vma
        ret
#endif

        .globl bench_run
bench_run:
        lla     t3, pt_l0
        lla     t4, pool
        srli    t4, t4, 12                      /* pool PPN */
        li      t5, 1                           /* VA window: 0x1_0000_0000 */
        slli    t5, t5, 32
        li      t6, 4096
        li      a2, PAGES
        lla     a3, bench_iterations            /* rounds */
        ld      a3, 0(a3)
        li      a4, 0                           /* round */
round:  mv      t0, zero
        mv      t1, t3
1:      add     t2, t0, a4                      /* remap: page i -> pool page (i + round) % 512 */
        andi    t2, t2, PAGES - 1
        add     t2, t2, t4
        slli    t2, t2, 10
        ori     t2, t2, LEAF_RW
        sd      t2, 0(t1)
        addi    t1, t1, 8
        addi    t0, t0, 1
        bne     t0, a2, 1b
        sfence.vma
        mv      t1, t5
        mv      t0, a2
2:      ld      t2, 0(t1)                       /* first touch after the flush: a miss */
        addi    t2, t2, 1
        sd      t2, 0(t1)
        add     t1, t1, t6
        addi    t0, t0, -1
        bnez    t0, 2b
        addi    a4, a4, 1
        bne     a4, a3, round
        ret

        .section .bss
        .balign 4096
pt_root: .space 4096
pt_l1:   .space 4096
pt_l0:   .space 4096
pool:    .space PAGES * 4096
