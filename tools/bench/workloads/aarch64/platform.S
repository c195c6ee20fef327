/*
 * The platform layer of the aarch64 workloads: bare metal on QEMU's arm virt board (and ours)
 * with no firmware, entered at EL1 with the MMU off at 0x4008_0000 (`-kernel X.elf`).
 * Console: the PL011 at 0x0900_0000, polled. Power-off: PSCI SYSTEM_OFF over HVC (the board
 * serves PSCI, as QEMU does without virtualization=on).
 *
 * Flow: the boot CPU prints "BENCH-START\n", calls bench_run, prints "BENCH-END\n" and powers
 * off. Any exception prints "BENCH-FAIL esr=.. elr=.. far=..\n" and powers off, so a harness
 * never mistakes a broken run for a result.
 */
#define UART_BASE 0x09000000
#define UART_FR 0x18
#define FR_TXFF 5
#define PSCI_SYSTEM_OFF_HI 0x8400
#define PSCI_SYSTEM_OFF_LO 0x0008

        .section .text.start, "ax"
        .globl _start
_start:
        b       entry                   /* 4 bytes; the parameter block starts at offset 8 */

        .section .text
entry:
        adrp    x1, stack_top
        add     x1, x1, :lo12:stack_top
        mov     sp, x1
        adr     x1, vectors
        msr     vbar_el1, x1
        isb
        adr     x0, msg_start
        bl      puts
        bl      bench_run
        adr     x0, msg_end
        bl      puts
system_off:
        movz    w0, #PSCI_SYSTEM_OFF_LO
        movk    w0, #PSCI_SYSTEM_OFF_HI, lsl #16
        hvc     #0
park:   wfi
        b       park

/* x1 = character. Uses x2, x3. */
putc:   mov     x2, #UART_BASE
1:      ldr     w3, [x2, #UART_FR]
        tbnz    w3, #FR_TXFF, 1b
        str     w1, [x2]
        ret

/* x0 = NUL-terminated string. Uses x0-x3, x8. */
puts:   mov     x8, x30
1:      ldrb    w1, [x0], #1
        cbz     w1, 2f
        bl      putc
        b       1b
2:      mov     x30, x8
        ret

/* x0 = value, printed as 16 hex digits. Uses x1-x6, x9. */
puthex: mov     x9, x30
        mov     x4, x0
        mov     x5, #60
1:      lsr     x6, x4, x5
        and     x6, x6, #15
        add     x1, x6, #'0'
        cmp     x6, #10
        add     x6, x6, #('a' - 10)
        csel    x1, x6, x1, hs
        bl      putc
        subs    x5, x5, #4
        b.ge    1b
        mov     x30, x9
        ret

/* Every exception is a failure of the workload: report it and power off. */
fail:   adr     x0, msg_fail
        bl      puts
        mrs     x0, esr_el1
        bl      puthex
        adr     x0, msg_elr
        bl      puts
        mrs     x0, elr_el1
        bl      puthex
        adr     x0, msg_far
        bl      puts
        mrs     x0, far_el1
        bl      puthex
        adr     x0, msg_nl
        bl      puts
        b       system_off

        /* 16 vectors of 0x80 bytes (current EL with SP0/SPx, lower EL 64/32; sync/IRQ/FIQ/SError) */
        .balign 2048
vectors:
        .rept   16
        b       fail
        .balign 128
        .endr

        .section .rodata
msg_start: .asciz "BENCH-START\n"
msg_end:   .asciz "BENCH-END\n"
msg_fail:  .asciz "BENCH-FAIL esr="
msg_elr:   .asciz " elr="
msg_far:   .asciz " far="
msg_nl:    .asciz "\n"

        .section .bss
        .balign 16
        .space  4096
stack_top:
