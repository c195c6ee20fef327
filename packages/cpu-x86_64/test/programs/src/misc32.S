/*
 * Less common integer instructions, checked against QEMU with a checksum over their results
 * and defined flags: ENTER/LEAVE with nesting levels, CMPXCHG8B, XLAT, BT/BTS with memory
 * bit offsets beyond the operand (negative too), BCD adjusts, RCL/RCR on 8/16-bit operands
 * with long counts, 16-bit SHLD/SHRD, SETcc for all 16 conditions, LOOPE/LOOPNE/JECXZ,
 * 16-bit address-size string instructions with DF set, XCHG with memory, 8/16-bit MUL/IMUL/
 * DIV/IDIV, PUSH imm8 sign extension, LAHF/SAHF, POPF of the arithmetic flags.
 */
#include "common.inc"

        .set EXPECTED_SUM, 0x16b30e75

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
        PUTS msg_start
        xor %edi, %edi

        .macro MIXF m
        pushf
        pop %edx
        and $\m, %edx
        call mix
        .endm

        /* ENTER/LEAVE */
        mov $0x1000, %ebp
        mov %esp, %esi
        enter $16, $0
        mov %esp, %eax
        sub %esi, %eax
        call mix
        mov %ebp, %eax
        sub %esi, %eax
        call mix
        leave
        cmp %esp, %esi
        sete %al
        call mix
        mov %esp, %ebp
        sub $64, %ebp
        mov %esp, %esi
        movl $0x11111111, -4(%ebp)
        movl $0x22222222, -8(%ebp)
        enter $8, $3
        mov (%esp), %eax
        call mix
        mov 4(%esp), %eax
        call mix
        mov 8(%esp), %eax
        call mix
        mov 12(%esp), %eax
        sub %esi, %eax
        call mix
        mov %esi, %eax
        sub %esp, %eax
        call mix
        leave
        mov %esi, %esp

        /* CMPXCHG8B */
        movl $1, q8
        movl $2, q8 + 4
        mov $1, %eax
        mov $2, %edx
        mov $0xaaaa, %ebx
        mov $0xbbbb, %ecx
        cmpxchg8b q8
        MIXF 0x40
        mov q8, %eax
        call mix
        mov q8 + 4, %eax
        call mix
        xor %eax, %eax
        cmpxchg8b q8
        MIXF 0x40
        call mix
        mov %edx, %eax
        call mix

        /* XLAT */
        mov $table, %ebx
        mov $5, %eax
        xlat
        call mix

        /* BT/BTS/BTR/BTC with memory operands beyond the dword */
        mov $bits + 16, %ebx
        mov $37, %ecx
        bts %ecx, (%ebx)
        MIXF 1
        mov $-9, %ecx
        bts %ecx, (%ebx)
        MIXF 1
        mov $-9, %ecx
        btc %ecx, (%ebx)
        MIXF 1
        mov $200, %ecx
        bt %ecx, (%ebx)
        MIXF 1
        mov $-1, %cx
        btsw %cx, (%ebx)
        MIXF 1
        mov bits, %eax
        call mix
        mov bits + 12, %eax
        call mix
        mov bits + 20, %eax
        call mix

        /* BCD */
        .irp a, 0x09, 0x0f, 0x99, 0x9a, 0x00, 0x45
        mov $\a, %eax
        add $0x27, %al
        daa
        MIXF 0x0d5
        mov $\a, %eax
        sub $0x38, %al
        das
        MIXF 0x0d5
        mov $\a, %eax
        add $0x08, %al
        aaa
        MIXF 0x011
        mov $\a, %eax
        sub $0x08, %al
        aas
        MIXF 0x011
        mov $\a, %eax
        aam
        MIXF 0x0c4
        mov $\a, %eax
        mov $3, %ah
        aad
        MIXF 0x0c4
        .endr

        /* RCL/RCR 8 and 16 bit with long counts */
        .irp n, 1, 3, 8, 9, 17, 31
        stc
        mov $0x81, %eax
        mov $\n, %ecx
        rcl %cl, %al
        MIXF 0x001
        clc
        mov $0x81, %eax
        mov $\n, %ecx
        rcr %cl, %al
        MIXF 0x001
        stc
        mov $0x8001, %eax
        mov $\n, %ecx
        rcl %cl, %ax
        MIXF 0x001
        stc
        mov $0x8001, %eax
        mov $\n, %ecx
        rcr %cl, %ax
        MIXF 0x001
        .endr

        /* 16-bit SHLD/SHRD */
        .irp n, 1, 4, 15, 16
        mov $0x1234, %eax
        mov $0xabcd, %edx
        shld $\n, %dx, %ax
        MIXF 0x0c5
        mov $0x1234, %eax
        mov $0xabcd, %edx
        shrd $\n, %dx, %ax
        MIXF 0x0c5
        .endr

        /* SETcc over a few flag states */
        .irp v, 0, 0x1, 0x40, 0x80, 0x800, 0x880, 0x841, 0x4
        push $\v
        popf
        setc %al
        setnc %ah
        call mix
        seto %al
        setno %ah
        call mix
        setz %al
        setnz %ah
        call mix
        setbe %al
        seta %ah
        call mix
        sets %al
        setns %ah
        call mix
        setp %al
        setnp %ah
        call mix
        setl %al
        setge %ah
        call mix
        setle %al
        setg %ah
        call mix
        .endr

        /* LOOPE/LOOPNE/JECXZ */
        mov $10, %ecx
        xor %eax, %eax
1:      inc %eax
        cmp $4, %eax
        loopne 1b
        call mix
        mov %ecx, %eax
        call mix
        mov $10, %ecx
        xor %eax, %eax
1:      inc %eax
        cmp %eax, %eax
        loope 1b
        call mix
        xor %ecx, %ecx
        mov $7, %eax
        jecxz 1f
        mov $8, %eax
1:      call mix

        /* 16-bit address size strings with DF set */
        /* (16-bit addresses reach the first 64 KiB only: work at 0x7000.) */
        mov src16, %eax
        mov %eax, 0x7000
        mov src16 + 4, %eax
        mov %eax, 0x7004
        movl $0, 0x7100
        movl $0, 0x7104
        mov $0x7006, %esi
        mov $0x7106, %edi
        mov $4, %ecx
        std
        addr16 rep movsw
        cld
        mov 0x7100, %eax
        call mix
        mov 0x7104, %eax
        call mix
        mov %ecx, %eax
        call mix
        mov $src16, %edi
        mov $0x44, %al
        mov $8, %ecx
        repne scasb
        mov %ecx, %eax
        call mix

        /* XCHG with memory, 8/16-bit MUL/IMUL/DIV/IDIV, PUSH imm8 */
        movl $0x12345678, q8
        mov $0x9abc, %eax
        xchg %ax, q8
        call mix
        mov q8, %eax
        call mix
        mov $0xf0, %eax
        mov $0x10, %ecx
        mul %cl
        MIXF 0x801
        mov $0xf0, %eax
        mov $0x10, %ecx
        imul %cl
        MIXF 0x801
        mov $0x1234, %eax
        mov $0x56, %ecx
        div %cl
        call mix
        mov $0xfedc, %eax
        mov $0x12, %ecx
        idiv %cl
        call mix
        mov $0x1234, %eax
        mov $0xff, %edx
        mov $0x3456, %ecx
        idiv %cx
        call mix
        mov %edx, %eax
        call mix
        mov $0x7fff, %eax
        imul $3, %ax, %ax
        MIXF 0x801
        push $-5
        pop %eax
        call mix
        pushw $-5
        popw %ax
        call mix

        /* LAHF/SAHF, POPF arithmetic flags */
        mov $0xd5, %ah
        sahf
        MIXF 0x8d5
        lahf
        call mix
        push $0x8d5
        popf
        MIXF 0x8d5

        PUTS msg_sum
        mov %edi, %eax
        call puthex32
        PUTS msg_nl
        cmp $EXPECTED_SUM, %edi
        CHECK e, 2
        PUTS msg_pass
        jmp exit_pass32

mix:
        rol $5, %edi
        add %eax, %edi
        rol $7, %edi
        xor %edx, %edi
        xor %edx, %edx
        ret

        HELPERS32

        .section .rodata
msg_start: .asciz "misc32: start\n"
msg_sum:   .asciz "checksum "
msg_nl:    .asciz "\n"
msg_pass:  .asciz "misc32: PASS\n"
table:     .byte 10, 11, 12, 13, 14, 15, 16, 17
src16:     .word 0x1111, 0x2222, 0x3333, 0x4444
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
        .align 8
q8:     .quad 0
bits:   .space 64
dst16:  .space 16

        .bss
        .align 16
        .space 8192
stack_top:
