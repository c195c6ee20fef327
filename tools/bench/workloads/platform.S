/*
 * The platform layer every benchmark workload links with. One source, two forms:
 *
 *   -DNATIVE  bare metal in M-mode, loaded at 0x8000_0000 (`qemu -bios none`, `axvisor emu`).
 *             Console: polled ns16550a at 0x1000_0000. Power-off: sifive,test at 0x10_0000.
 *   -DGUEST   an S-mode kernel at 0x8020_0000, entered by an SBI implementation (OpenSBI, or
 *             the hypervisor) with a0 = hartid. Console: SBI legacy putchar. Power-off: SBI
 *             SRST (legacy shutdown as a fallback).
 *
 * Flow: hart 0 prints "BENCH-START\n" after bench_setup, calls bench_run, prints
 * "BENCH-END\n" and powers off with success. Any trap prints "BENCH-FAIL cause=.. epc=..
 * tval=..\n" and powers off with failure, so a harness never mistakes a broken run for a
 * result. Other harts park.
 *
 * The parameter block (section .params, right after the entry jump) carries the iteration
 * count, which a harness may patch in the file (it finds the block by its magic), plus the
 * workload's dynamic instruction count per iteration and outside the loop, so the image says
 * itself how many instructions run between the markers.
 */
#define UART_BASE 0x10000000
#define UART_LSR 5
#define LSR_THRE 0x20
#define TEST_BASE 0x00100000
#define FINISHER_PASS 0x5555
#define FINISHER_FAIL 0x3333
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_SRST 0x53525354

        .section .text.start, "ax"
        .globl _start
_start:
        .option push
        .option norvc
        j       entry                   /* 4 bytes, then the parameter block at offset 8 */
        .option pop

        .section .text
entry:
        bnez    a0, park                /* a0 = hartid: only hart 0 benchmarks */
        lla     sp, stack_top
#ifdef NATIVE
        lla     t0, trap_entry
        csrw    mtvec, t0
#else
        lla     t0, trap_entry
        csrw    stvec, t0
        csrw    sie, zero
#endif
        call    bench_setup
        lla     a0, msg_start
        call    puts
        call    bench_run
        lla     a0, msg_end
        call    puts
        call    exit_pass
park:   wfi
        j       park

/* a0 = NUL-terminated string. Uses a0, t0-t2 and a6/a7 only. */
        .globl puts
puts:   mv      t2, a0
1:      lbu     t1, 0(t2)
        beqz    t1, 3f
#ifdef NATIVE
        li      t0, UART_BASE
2:      lbu     a0, UART_LSR(t0)
        andi    a0, a0, LSR_THRE
        beqz    a0, 2b
        sb      t1, 0(t0)
#else
        mv      a0, t1
        li      a7, SBI_EXT_LEGACY_PUTCHAR
        ecall
#endif
        addi    t2, t2, 1
        j       1b
3:      ret

/* a0 = value: prints it as 16 hex digits. */
puthex: addi    sp, sp, -32
        sd      ra, 24(sp)
        li      t3, 60
1:      srl     t4, a0, t3
        andi    t4, t4, 15
        li      t5, 10
        blt     t4, t5, 2f
        addi    t4, t4, 'a' - '0' - 10
2:      addi    t4, t4, '0'
        sb      t4, 0(sp)
        sb      zero, 1(sp)
        sd      a0, 8(sp)
        mv      a0, sp
        call    puts
        ld      a0, 8(sp)
        addi    t3, t3, -4
        bgez    t3, 1b
        ld      ra, 24(sp)
        addi    sp, sp, 32
        ret

        .globl exit_pass
exit_pass:
#ifdef NATIVE
        li      t0, TEST_BASE
        li      t1, FINISHER_PASS
        sw      t1, 0(t0)
#else
        li      a0, 0                   /* shutdown */
        li      a1, 0                   /* no reason */
        li      a6, 0
        li      a7, SBI_EXT_SRST
        ecall
        li      a7, SBI_EXT_LEGACY_SHUTDOWN
        ecall
#endif
        j       park

exit_fail:
#ifdef NATIVE
        li      t0, TEST_BASE
        li      t1, (1 << 16) | FINISHER_FAIL
        sw      t1, 0(t0)
#else
        li      a0, 0                   /* shutdown */
        li      a1, 1                   /* system failure */
        li      a6, 0
        li      a7, SBI_EXT_SRST
        ecall
        li      a7, SBI_EXT_LEGACY_SHUTDOWN
        ecall
#endif
        j       park

/* Every trap is a failure of the workload: report it and power off. */
        .balign 4
trap_entry:
        lla     sp, stack_top
        lla     a0, msg_fail
        call    puts
#ifdef NATIVE
        csrr    a0, mcause
#else
        csrr    a0, scause
#endif
        call    puthex
        lla     a0, msg_epc
        call    puts
#ifdef NATIVE
        csrr    a0, mepc
#else
        csrr    a0, sepc
#endif
        call    puthex
        lla     a0, msg_tval
        call    puts
#ifdef NATIVE
        csrr    a0, mtval
#else
        csrr    a0, stval
#endif
        call    puthex
        lla     a0, msg_nl
        call    puts
        j       exit_fail

        .section .rodata
msg_start: .asciz "BENCH-START\n"
msg_end:   .asciz "BENCH-END\n"
msg_fail:  .asciz "BENCH-FAIL cause="
msg_epc:   .asciz " epc="
msg_tval:  .asciz " tval="
msg_nl:    .asciz "\n"

        .section .bss
        .balign 16
        .space  4096
stack_top:
