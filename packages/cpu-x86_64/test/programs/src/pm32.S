/*
 * 32-bit protected mode: integer ALU results and flags (a checksum over many operand pairs
 * and every flag the SDM defines for each operation, compared with the value QEMU computes),
 * string instructions with REP prefixes, exceptions with their error codes and return
 * addresses (#DE, #UD, #GP, #BP, INT n), a 16-bit protected-mode code segment, and 32-bit
 * paging with 4 KiB and 4 MiB pages (#PF error codes, CR2, accessed/dirty bits, CR0.WP).
 */
#include "common.inc"
#include "exceptions.inc"

        /* The checksum QEMU 7.2 computes for the ALU section (see README.md). */
        .set EXPECTED_SUM, 0xd768e6eb
        .set ARITH, 0x8d5
        .set LOGIC, 0x8c4
        .set SHIFT1, 0x8c5
        .set SHIFTN, 0x0c5

        MULTIBOOT_HEADER
        .globl _start
_start:
        mov $stack_top, %esp
        cmp $0x2badb002, %eax
        CHECK e, 1
        lgdt gdt_desc
        ljmp $8, $1f
1:      mov $16, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        mov %ax, %fs
        mov %ax, %gs
        call setup_idt
        PUTS msg_start

        /* ---- ALU checksum ---- */
        xor %edi, %edi
        .macro MIX
        pushf
        pop %edx
        call mix
        .endm
        .macro BIN op, a, b, mask
        mov $\a, %eax
        mov $\b, %ecx
        \op %ecx, %eax
        pushf
        pop %edx
        and $\mask, %edx
        call mix
        mov $\a, %eax
        mov $\b, %ecx
        \op %cx, %ax
        pushf
        pop %edx
        and $\mask, %edx
        call mix
        mov $\a, %eax
        mov $\b, %ecx
        \op %cl, %al
        pushf
        pop %edx
        and $\mask, %edx
        call mix
        mov $\a, %eax
        mov $\b, %ecx
        \op %cl, %ah
        pushf
        pop %edx
        and $\mask, %edx
        call mix
        .endm
        .macro CARRY op, a, b, mask
        clc
        BIN \op, \a, \b, \mask
        stc
        BIN \op, \a, \b, \mask
        .endm
        .macro ALL a, b
        BIN add, \a, \b, ARITH
        BIN sub, \a, \b, ARITH
        BIN cmp, \a, \b, ARITH
        CARRY adc, \a, \b, ARITH
        CARRY sbb, \a, \b, ARITH
        BIN and, \a, \b, LOGIC
        BIN or, \a, \b, LOGIC
        BIN xor, \a, \b, LOGIC
        BIN test, \a, \b, LOGIC
        .endm
        ALL 0, 0
        ALL 1, 0xffffffff
        ALL 0x7fffffff, 1
        ALL 0x80000000, 0xffffffff
        ALL 0x12345678, 0x9abcdef0
        ALL 0x0000ff7f, 0x00000181
        ALL 0xffff8000, 0x00008000
        ALL 0x00000080, 0x00000080

        .macro UNARY a
        mov $\a, %eax
        inc %eax
        MIX_MASK ARITH
        mov $\a, %eax
        dec %ax
        MIX_MASK ARITH
        mov $\a, %eax
        neg %eax
        MIX_MASK ARITH
        mov $\a, %eax
        neg %al
        MIX_MASK ARITH
        mov $\a, %eax
        not %eax
        call mix
        mov $\a, %eax
        bswap %eax
        call mix
        mov $\a, %eax
        movsbl %al, %ecx
        movswl %ax, %edx
        add %ecx, %eax
        add %edx, %eax
        call mix
        mov $\a, %eax
        movzbl %ah, %ecx
        movzwl %ax, %edx
        add %ecx, %eax
        add %edx, %eax
        call mix
        mov $\a, %eax
        cwde
        cltd
        add %edx, %eax
        call mix
        mov $\a, %eax
        bsf %eax, %ecx
        MIX_MASK 0x40
        mov %ecx, %eax
        call mix
        mov $\a, %eax
        bsr %eax, %ecx
        MIX_MASK 0x40
        mov %ecx, %eax
        call mix
        mov $\a, %eax
        popcnt %eax, %eax
        MIX_MASK ARITH
        .endm
        .macro MIX_MASK m
        pushf
        pop %edx
        and $\m, %edx
        call mix
        .endm
        UNARY 0
        UNARY 1
        UNARY 0x7fffffff
        UNARY 0x80000000
        UNARY 0xfedcba98
        UNARY 0x00010000

        .macro SH op, a, n, mask
        mov $\a, %eax
        mov $\n, %ecx
        \op %cl, %eax
        MIX_MASK \mask
        mov $\a, %eax
        mov $\n, %ecx
        \op %cl, %ax
        MIX_MASK \mask
        mov $\a, %eax
        mov $\n, %ecx
        \op %cl, %al
        MIX_MASK \mask
        .endm
        .macro SHIFTS a
        SH shl, \a, 1, SHIFT1
        SH shr, \a, 1, SHIFT1
        SH sar, \a, 1, SHIFT1
        SH rol, \a, 1, 0x801
        SH ror, \a, 1, 0x801
        SH shl, \a, 4, SHIFTN
        SH shr, \a, 7, SHIFTN
        SH sar, \a, 7, SHIFTN
        SH rol, \a, 5, 0x001
        SH ror, \a, 6, 0x001
        SH rol, \a, 0, 0x8d5
        SH shl, \a, 0, 0x8d5
        clc
        SH rcl, \a, 1, 0x801
        stc
        SH rcr, \a, 1, 0x801
        stc
        SH rcl, \a, 3, 0x001
        clc
        SH rcr, \a, 5, 0x001
        mov $\a, %eax
        mov $0x13579bdf, %edx
        shld $5, %edx, %eax
        MIX_MASK SHIFTN
        mov $\a, %eax
        mov $0x13579bdf, %edx
        mov $9, %ecx
        shrd %cl, %edx, %eax
        MIX_MASK SHIFTN
        mov $\a, %eax
        mov $0x2468ace0, %edx
        shld $1, %dx, %ax
        MIX_MASK SHIFT1
        .endm
        SHIFTS 0x80000001
        SHIFTS 0x12345678
        SHIFTS 0x0000c0ff
        SHIFTS 0

        .macro MULDIV a, b
        mov $\a, %eax
        mov $\b, %ecx
        mul %ecx
        MIX_MASK 0x801
        mov %edx, %eax
        call mix
        mov $\a, %eax
        mov $\b, %ecx
        imul %ecx
        MIX_MASK 0x801
        mov %edx, %eax
        call mix
        mov $\a, %eax
        mov $\b, %ecx
        imul %ecx, %eax
        MIX_MASK 0x801
        mov $\a, %eax
        imul $-3, %eax, %eax
        MIX_MASK 0x801
        mov $\a, %eax
        mov $\b, %ecx
        mul %cx
        MIX_MASK 0x801
        mov %edx, %eax
        call mix
        mov $\a, %eax
        mov $\b, %ecx
        imul %cl
        MIX_MASK 0x801
        mov $\a, %eax
        xor %edx, %edx
        mov $\b, %ecx
        or $1, %ecx
        div %ecx
        call mix
        mov %edx, %eax
        call mix
        mov $\a, %eax
        cltd
        mov $\b, %ecx
        or $1, %ecx
        and $0x7fff, %ecx
        idiv %ecx
        call mix
        mov %edx, %eax
        call mix
        .endm
        MULDIV 0x12345678, 0x9abcdef0
        MULDIV 0xffffffff, 0xffffffff
        MULDIV 0x80000000, 3
        MULDIV 7, 0x10000
        MULDIV 0xfffffff9, 0x7f

        /* BT family, SETcc, CMOVcc, XADD, CMPXCHG, LAHF, XLAT-free. */
        mov $0x5a5a5a5a, %eax
        mov $3, %ecx
        bts %ecx, %eax
        MIX_MASK 1
        btr $6, %eax
        MIX_MASK 1
        btc $31, %eax
        MIX_MASK 1
        bt $1, %eax
        MIX_MASK 1
        mov $100, %ecx
        bts %ecx, bits
        btrl $2, bits
        mov bits, %eax
        call mix
        mov bits+12, %eax
        call mix
        cmp $5, %eax
        setb %al
        setg %ah
        call mix
        mov $1, %eax
        mov $2, %ecx
        cmp %ecx, %eax
        cmovl %ecx, %eax
        call mix
        mov $10, %eax
        mov $20, %ecx
        xadd %ecx, %eax
        MIX_MASK ARITH
        add %ecx, %eax
        call mix
        mov $7, %eax
        mov $7, %ecx
        movl $7, bits
        mov $99, %edx
        cmpxchg %edx, bits
        MIX_MASK ARITH
        mov bits, %eax
        call mix
        cmpxchg %edx, bits
        MIX_MASK ARITH
        call mix
        mov $0x80, %eax
        add $0x80, %al
        lahf
        call mix

        PUTS msg_sum
        mov %edi, %eax
        call puthex32
        PUTS msg_nl
        cmp $EXPECTED_SUM, %edi
        CHECK e, 2

        /* ---- string instructions ---- */
        cld
        mov $src_str, %esi
        mov $buf, %edi
        mov $13, %ecx
        rep movsb
        cmp $0, %ecx
        CHECK e, 0x10
        cmp $(buf + 13), %edi
        CHECK e, 0x11
        mov $buf, %esi
        mov $src_str, %edi
        mov $13, %ecx
        repe cmpsb
        CHECK e, 0x12
        mov $buf + 64, %edi
        mov $0xdeadbeef, %eax
        mov $4, %ecx
        rep stosl
        cmpl $0xdeadbeef, buf + 76
        CHECK e, 0x13
        mov $src_str, %edi
        mov $'W', %al
        mov $20, %ecx
        repne scasb
        CHECK e, 0x14
        cmp $(src_str + 8), %edi
        CHECK e, 0x15
        cmp $12, %ecx
        CHECK e, 0x16
        std
        mov $src_str + 4, %esi
        lodsb
        cld
        cmp $'o', %al
        CHECK e, 0x17
        cmp $src_str + 3, %esi
        CHECK e, 0x18
        /* REPE CMPS stopping at the first difference. */
        movb $'X', buf + 5
        mov $buf, %esi
        mov $src_str, %edi
        mov $13, %ecx
        repe cmpsb
        CHECK ne, 0x19
        cmp $7, %ecx
        CHECK e, 0x1a

        /* ---- exceptions ---- */
        movl $1f, resume
        xor %ecx, %ecx
de_insn:
        div %ecx
1:      EXPECT_FAULT 0, 0, 0x20
        cmpl $de_insn, last_eip
        CHECK e, 0x21
        movl $1f, resume
        ud2
1:      EXPECT_FAULT 6, 0, 0x22
        movl $1f, resume
        mov $0x1230, %ax
        mov %ax, %ds
1:      EXPECT_FAULT 13, 0x1230, 0x23
        int3
bp_next:
        EXPECT_FAULT 3, 0, 0x24
        cmpl $bp_next, last_eip
        CHECK e, 0x25
        int $0x40
        EXPECT_FAULT 0x40, 0, 0x26
        /* A not-present segment: #NP with the selector. */
        movl $1f, resume
        mov $0x28, %ax
        mov %ax, %es
1:      EXPECT_FAULT 11, 0x28, 0x27
        /* BOUND-free: INTO with OF clear does nothing, with OF set is #OF. */
        mov $0x7fffffff, %eax
        add $1, %eax
        into
        EXPECT_FAULT 4, 0, 0x28

        /* ---- 16-bit protected-mode code segment ---- */
        lcall $0x20, $(code16 - 0x100000)
        cmp $0x1234, %eax
        CHECK e, 0x30

        /* ---- 32-bit paging ---- */
        /* Page table for 0-4 MiB (4 KiB pages), 4 MiB pages above. */
        mov $pt0, %edi
        xor %eax, %eax
        mov $1024, %ecx
1:      mov %eax, %edx
        or $3, %edx
        mov %edx, (%edi)
        add $4, %edi
        add $0x1000, %eax
        loop 1b
        movl $0, pt0 + (0x300 * 4)                 /* 0x300000 not present */
        movl $0x301001, pt0 + (0x301 * 4)          /* 0x301000 read-only */
        movl $0x302003, pt0 + (0x302 * 4)          /* 0x302000 writable, A/D clear */
        mov $pt0, %eax
        or $3, %eax
        mov %eax, pd
        movl $0x400083, pd + 4                     /* 4 MiB page at 4 MiB */
        mov %cr4, %eax
        or $0x10, %eax                             /* PSE */
        mov %eax, %cr4
        mov $pd, %eax
        mov %eax, %cr3
        mov %cr0, %eax
        or $0x80010000, %eax                       /* PG, WP */
        mov %eax, %cr0
        PUTS msg_paging
        movl $1f, resume
        mov 0x300010, %eax
1:      EXPECT_FAULT 14, 0, 0x40
        cmpl $0x300010, last_cr2
        CHECK e, 0x41
        movl $1f, resume
        movl $5, 0x301004
1:      EXPECT_FAULT 14, 3, 0x42
        cmpl $0x301004, last_cr2
        CHECK e, 0x43
        mov 0x302000, %eax
        testl $0x20, pt0 + (0x302 * 4)
        CHECK nz, 0x44
        testl $0x40, pt0 + (0x302 * 4)
        CHECK z, 0x45
        movl $1, 0x302008
        testl $0x40, pt0 + (0x302 * 4)
        CHECK nz, 0x46
        /* The 4 MiB page maps 4 MiB linear to 4 MiB physical. */
        movl $0xcafe, 0x400100
        testl $0x60, pd + 4
        CHECK nz, 0x47
        /* Remap the 4 MiB page to 8 MiB: the TLB must be flushed by the CR3 write. */
        movl $0x800083, pd + 4
        mov %cr3, %eax
        mov %eax, %cr3
        cmpl $0xcafe, 0x400100
        CHECK ne, 0x48
        /* INVLPG after making a page read-only, then a write faults. */
        movl $0x302001, pt0 + (0x302 * 4)
        invlpg 0x302000
        movl $1f, resume
        movl $2, 0x302008
1:      EXPECT_FAULT 14, 3, 0x49
        /* With CR0.WP clear, a supervisor write to a read-only page succeeds. */
        mov %cr0, %eax
        and $~0x10000, %eax
        mov %eax, %cr0
        movl $3, 0x302008
        cmpl $3, 0x302008
        CHECK e, 0x4a

        PUTS msg_pass
        jmp exit_pass32

mix:
        rol $5, %edi
        add %eax, %edi
        rol $7, %edi
        xor %edx, %edi
        ret

        HELPERS32
        EXCEPTIONS32

        .code16
code16:
        mov $0x1234, %eax
        mov $0x10, %dx
        add %dx, %dx
        cmp $0x20, %dx
        jne 1f
        lretl
1:      xor %eax, %eax
        lretl
        .code32

        .section .rodata
msg_start:  .asciz "pm32: start\n"
msg_sum:    .asciz "alu checksum "
msg_nl:     .asciz "\n"
msg_paging: .asciz "paging on\n"
msg_pass:   .asciz "pm32: PASS\n"
src_str:    .ascii "Hello, World!"
        .align 8
gdt:
        .quad 0
        .quad 0x00cf9a000000ffff      /* 0x08 code 32 */
        .quad 0x00cf92000000ffff      /* 0x10 data */
        .quad 0
        .quad 0x00009a100000ffff      /* 0x20 code 16, base 1 MiB, limit 64K */
        .quad 0x00cf12000000ffff      /* 0x28 data, not present */
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .long gdt

        .data
        .align 4
bits:   .long 0, 0, 0, 0

        .bss
        .align 4096
pd:     .space 4096
pt0:    .space 4096
buf:    .space 256
        .space 8192
stack_top:
