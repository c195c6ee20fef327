/*
 * The core's wiring of the x87/MMX/SSE unit: x87 arithmetic with memory operands and FIP,
 * #MF for an unmasked x87 exception (CR0.NE), SSE integer operations with memory operands,
 * FXSAVE/FXRSTOR round trip, #NM with CR0.TS, #UD for SSE with CR4.OSFXSR clear and for
 * a misaligned 16-byte operand #GP.
 */
#include "common.inc"
#include "exceptions.inc"

        MULTIBOOT_HEADER
        .globl _start
_start:
        mov $stack_top, %esp
        lgdt gdt_desc
        ljmp $8, $1f
1:      mov $16, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        call setup_idt
        PUTS msg_start
        mov %cr0, %eax
        and $~0xc, %eax                          /* EM, TS clear */
        or $0x22, %eax                           /* MP, NE */
        mov %eax, %cr0

        /* SSE with OSFXSR clear: #UD. */
        movl $1f, resume
        paddd %xmm1, %xmm0
1:      EXPECT_FAULT 6, -1, 0x10
        mov %cr4, %eax
        or $0x600, %eax                          /* OSFXSR, OSXMMEXCPT */
        mov %eax, %cr4

        /* x87: 3 * 7 + 0.5 rounded to nearest even = 22 (21.5 -> 22). */
        fninit
        fildl three
        fimull seven
        faddl half
        fistpl result
        cmpl $22, result
        CHECK e, 0x20
        /* 1 / 3 in double, times 3, is exactly 1 after rounding to double. */
        fld1
        fdivl dthree
        fmull dthree
        fstpl dresult
        cmpl $0x3ff00000, dresult + 4
        CHECK e, 0x21
        /* Unmasked zero divide: #MF at the next waiting instruction. */
        fninit
        fnstcw cw
        andw $~0x4, cw
        fldcw cw
        fld1
        fldz
        fdivrp %st, %st(1)
        movl $1f, resume
        fwait
1:      EXPECT_FAULT 16, -1, 0x22
        fninit

        /* SSE2 integer with memory operands. */
        movdqa vec_a, %xmm0
        paddd vec_b, %xmm0
        movdqu %xmm0, vec_out
        cmpl $0x11, vec_out
        CHECK e, 0x30
        cmpl $0x44, vec_out + 12
        CHECK e, 0x31
        pxor %xmm1, %xmm1
        pcmpeqd %xmm1, %xmm1
        pmovmskb %xmm1, %eax
        cmp $0xffff, %eax
        CHECK e, 0x32
        /* A misaligned MOVDQA operand: #GP(0). */
        movl $1f, resume
        movdqa vec_a + 4, %xmm2
1:      EXPECT_FAULT 13, 0, 0x33

        /* FXSAVE / FXRSTOR round trip of XMM0. */
        fxsave fxarea
        pxor %xmm0, %xmm0
        fxrstor fxarea
        movdqu %xmm0, vec_out
        cmpl $0x33, vec_out + 8
        CHECK e, 0x40

        /* CR0.TS: #NM for x87 and SSE. */
        mov %cr0, %eax
        or $0x8, %eax
        mov %eax, %cr0
        movl $1f, resume
        fld1
1:      EXPECT_FAULT 7, -1, 0x50
        movl $1f, resume
        paddd %xmm1, %xmm0
1:      EXPECT_FAULT 7, -1, 0x51
        clts

        PUTS msg_pass
        jmp exit_pass32

        HELPERS32
        EXCEPTIONS32

        .section .rodata
msg_start: .asciz "fpu32: start\n"
msg_pass:  .asciz "fpu32: PASS\n"
        .align 8
three:  .long 3
seven:  .long 7
half:   .double 0.5
dthree: .double 3.0
        .align 16
vec_a:  .long 0x10, 0x20, 0x30, 0x40
vec_b:  .long 0x01, 0x02, 0x03, 0x04
        .align 8
gdt:
        .quad 0
        .quad 0x00cf9a000000ffff
        .quad 0x00cf92000000ffff
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .long gdt

        .data
        .align 16
result:  .long 0
cw:      .word 0
        .align 8
dresult: .double 0
        .align 16
vec_out: .space 16
fxarea:  .space 512

        .bss
        .align 16
        .space 8192
stack_top:
