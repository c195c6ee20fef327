/*
 * Real mode and the switches to and from it: from 32-bit protected mode through a 16-bit
 * protected-mode segment to real mode (CR0.PE cleared, far jump), then in real mode: segment
 * arithmetic (DS:offset = DS * 16 + offset), 16-bit addressing forms, INT n through the IVT
 * with IRET, far CALL/RETF, LES, REP MOVSW, 16-bit MUL/DIV, and back to protected mode.
 * The real-mode code runs from a copy at 0000:8000 (it must live below 1 MiB).
 */
#include "common.inc"

        .set RM_BASE, 0x8000
        .set RESULT, 0x7000          /* real-mode code leaves its result word here */

        MULTIBOOT_HEADER
        .code32
        .globl _start
_start:
        mov $stack_top, %esp
        lgdt gdt_desc
        ljmp $0x08, $1f
1:      mov $0x10, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        PUTS msg_start
        /* Copy the real-mode code below 1 MiB. */
        mov $rm_start, %esi
        mov $RM_BASE, %edi
        mov $(rm_end - rm_start), %ecx
        rep movsb
        movw $0, RESULT
        mov %esp, saved_esp
        lidt rm_idt
        /* To 16-bit protected mode (code at base 0), then real mode. */
        ljmp $0x18, $RM_BASE + (pm16 - rm_start)
back32:
        mov $0x10, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        mov saved_esp, %esp
        cmpw $0x600d, RESULT
        CHECK e, 0x10
        cmpw $0x1234, 0x10000 + 0x20
        CHECK e, 0x11
        PUTS msg_pass
        jmp exit_pass32

        HELPERS32

        .code16
rm_start:
pm16:
        mov $0x20, %ax                 /* 16-bit data segment */
        mov %ax, %ds
        mov %ax, %ss
        mov %cr0, %eax
        and $~1, %eax
        mov %eax, %cr0
        ljmp $0, $RM_BASE + (real - rm_start)
real:
        xor %ax, %ax
        mov %ax, %ds
        mov %ax, %ss
        mov $0x7c00, %sp
        /* IVT[0x30] -> 0000:handler */
        movw $RM_BASE + (int30 - rm_start), 0x30 * 4
        movw $0, 0x30 * 4 + 2
        mov $0x1111, %bx
        int $0x30
        cmp $0x2222, %bx
        jne rm_fail
        /* DS = 0x1000: [0x20] is linear 0x10020. */
        mov $0x1000, %ax
        mov %ax, %ds
        movw $0x1234, 0x20
        xor %ax, %ax
        mov %ax, %ds
        mov $0x10, %si
        mov $0x1000, %ax
        mov %ax, %es
        cmpw $0x1234, %es:0x10(%si)
        jne rm_fail
        /* [bx+si+disp] and [bp] (SS-relative) forms. */
        mov $0x7000, %bx
        mov $0x10, %si
        movw $0xbeef, 0x10(%bx,%si)
        cmpw $0xbeef, 0x7020
        jne rm_fail
        mov %sp, %bp
        push $0x5555
        cmpw $0x5555, -2(%bp)
        jne rm_fail
        pop %ax
        /* Far call and RETF. */
        lcall $0, $RM_BASE + (farproc - rm_start)
        cmp $0x77, %cl
        jne rm_fail
        /* LES from a far pointer. */
        movw $0x1234, 0x7010
        movw $0x5678, 0x7012
        les 0x7010, %di
        mov %es, %ax
        cmp $0x5678, %ax
        jne rm_fail
        cmp $0x1234, %di
        jne rm_fail
        /* REP MOVSW from 1000:0020 to 0000:7040. */
        mov $0x1000, %ax
        mov %ax, %ds
        xor %ax, %ax
        mov %ax, %es
        mov $0x20, %si
        mov $0x7040, %di
        mov $1, %cx
        cld
        rep movsw
        xor %ax, %ax
        mov %ax, %ds
        cmpw $0x1234, 0x7040
        jne rm_fail
        /* 16-bit MUL and DIV. */
        mov $300, %ax
        mov $300, %cx
        mul %cx
        cmp $0x0001, %dx
        jne rm_fail
        cmp $0x5f90, %ax
        jne rm_fail
        div %cx
        cmp $300, %ax
        jne rm_fail
        movw $0x600d, RESULT
        jmp rm_back
rm_fail:
        movw $0xbad, RESULT
rm_back:
        cli
        mov %cr0, %eax
        or $1, %eax
        mov %eax, %cr0
        ljmpl $0x08, $back32
int30:
        add %bx, %bx
        iret
farproc:
        mov $0x77, %cl
        lret
rm_end:
        .code32

        .section .rodata
msg_start: .asciz "real16: start\n"
msg_pass:  .asciz "real16: PASS\n"
        .align 8
gdt:
        .quad 0
        .quad 0x00cf9a000000ffff      /* 0x08 code 32 */
        .quad 0x00cf92000000ffff      /* 0x10 data 32 */
        .quad 0x00009a000000ffff      /* 0x18 code 16, base 0 */
        .quad 0x000092000000ffff      /* 0x20 data 16, base 0 */
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .long gdt
rm_idt:
        .word 0x3ff
        .long 0

        .data
saved_esp: .long 0

        .bss
        .align 16
        .space 8192
stack_top:
