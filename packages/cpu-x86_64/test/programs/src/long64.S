/*
 * Long mode: the switch from 32-bit protected mode (PAE, EFER.LME/NXE/SCE, CR0.PG, a far jump
 * to a 64-bit code segment), 64-bit integer results and flags (checksum compared with QEMU's),
 * 4-level paging #PF error codes (not present, write to read-only, NX fetch, user access to a
 * supervisor page) with CR2, a non-canonical #GP, an IST stack, compatibility mode and back,
 * ring 3 through IRETQ, SYSCALL/SYSRET, and INT from ring 3 onto the TSS RSP0 stack.
 */
#include "common.inc"

        .set EXPECTED_SUM, 0xef7b97e1

        .macro CHECK64 cc, n
        j\cc 7f
        mov $\n, %eax
        jmp fail64
7:
        .endm

        MULTIBOOT_HEADER
        .code32
        .globl _start
_start:
        mov $stack_top, %esp
        cmp $0x2badb002, %eax
        CHECK e, 1
        lgdt gdt_desc
        /* Page tables: PML4[0] -> PDPT[0] -> PD: 2 MiB pages, PD[1] -> 4 KiB pages (pt). */
        mov $pdpt, %eax
        or $7, %eax
        mov %eax, pml4
        mov $pd, %eax
        or $7, %eax
        mov %eax, pdpt
        mov $pd, %edi
        mov $0x87, %eax                  /* P, RW, U, PS */
        mov $512, %ecx
1:      mov %eax, (%edi)
        add $0x200000, %eax
        add $8, %edi
        loop 1b
        mov $pt, %eax
        or $7, %eax
        mov %eax, pd + 8
        mov $pt, %edi
        mov $0x200007, %eax
        mov $512, %ecx
1:      mov %eax, (%edi)
        add $0x1000, %eax
        add $8, %edi
        loop 1b
        movl $0, pt + 0x100 * 8                  /* 0x300000: not present */
        movl $0x301005, pt + 0x101 * 8           /* 0x301000: read-only */
        movl $0x80000000, pt + 0x103 * 8 + 4     /* 0x303000: NX */
        movl $0x304003, pt + 0x104 * 8           /* 0x304000: supervisor only */
        mov %cr4, %eax
        or $0x20, %eax                           /* PAE */
        mov %eax, %cr4
        mov $pml4, %eax
        mov %eax, %cr3
        mov $0xc0000080, %ecx
        rdmsr
        or $0x901, %eax                          /* LME, NXE, SCE */
        wrmsr
        mov %cr0, %eax
        or $0x80010000, %eax                     /* PG, WP */
        mov %eax, %cr0
        ljmp $0x08, $long_entry

        HELPERS32

        .code64
long_entry:
        mov $0x10, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        mov $stack_top, %rsp
        /* EFER.LMA must be set now. */
        mov $0xc0000080, %ecx
        rdmsr
        test $0x400, %eax
        CHECK64 nz, 2
        call setup_idt64
        call setup_tss
        lea msg_long(%rip), %rsi
        call puts64

        /* ---- 64-bit ALU checksum ---- */
        xor %r15, %r15
        .macro MIXF m
        pushfq
        pop %rdx
        and $\m, %rdx
        call mix64
        .endm
        .macro B64 op, a, b, m
        mov $\a, %rax
        mov $\b, %rcx
        \op %rcx, %rax
        MIXF \m
        .endm
        .macro ALL64 a, b
        B64 add, \a, \b, 0x8d5
        B64 sub, \a, \b, 0x8d5
        clc
        B64 adc, \a, \b, 0x8d5
        stc
        B64 adc, \a, \b, 0x8d5
        stc
        B64 sbb, \a, \b, 0x8d5
        B64 and, \a, \b, 0x8c4
        B64 xor, \a, \b, 0x8c4
        mov $\a, %rax
        mov $\b, %rcx
        mul %rcx
        MIXF 0x801
        mov %rdx, %rax
        call mix64
        mov $\a, %rax
        mov $\b, %rcx
        imul %rcx
        MIXF 0x801
        mov %rdx, %rax
        call mix64
        mov $\a, %rax
        mov $\b, %rcx
        imul %rcx, %rax
        MIXF 0x801
        mov $\a, %rax
        xor %edx, %edx
        mov $\b, %rcx
        or $1, %rcx
        div %rcx
        call mix64
        mov %rdx, %rax
        call mix64
        mov $\a, %rax
        cqo
        mov $\b, %rcx
        shr $2, %rcx
        or $3, %rcx
        idiv %rcx
        call mix64
        mov %rdx, %rax
        call mix64
        mov $\a, %rax
        mov $\b, %rcx
        shld $13, %rcx, %rax
        MIXF 0x0c5
        mov $\a, %rax
        mov $\b, %rcx
        shrd %cl, %rcx, %rax
        call mix64
        mov $\a, %rax
        mov $\b, %rcx
        shl %cl, %rax
        call mix64
        mov $\a, %rax
        mov $\b, %rcx
        sar %cl, %rax
        call mix64
        mov $\a, %rax
        mov $\b, %rcx
        ror %cl, %rax
        MIXF 0x001
        mov $\a, %rax
        rcl $1, %rax
        MIXF 0x801
        mov $\a, %rax
        rcr $7, %rax
        call mix64
        mov $\a, %rax
        bswap %rax
        call mix64
        mov $\a, %rax
        bsr %rax, %rcx
        MIXF 0x40
        mov %rcx, %rax
        call mix64
        mov $\a, %rax
        bsf %rax, %rcx
        mov %rcx, %rax
        call mix64
        mov $\a, %rax
        popcnt %rax, %rax
        call mix64
        mov $\a, %rax
        lzcnt %rax, %rcx
        MIXF 0x41
        mov %rcx, %rax
        call mix64
        mov $\a, %rax
        movslq %eax, %rcx
        mov %rcx, %rax
        call mix64
        mov $\a, %rax
        mov $\b, %rcx
        btc %rcx, %rax
        MIXF 1
        mov $\a, %rax
        neg %rax
        MIXF 0x8d5
        mov $\a, %rax
        inc %rax
        MIXF 0x8d5
        mov $\a, %rax
        mov $\b, %rcx
        cmp %rcx, %rax
        cmovg %rcx, %rax
        call mix64
        mov $\a, %rax
        add %eax, %eax                   /* 32-bit ops zero the upper half */
        call mix64
        .endm
        ALL64 0, 0
        ALL64 1, -1
        ALL64 0x7fffffffffffffff, 1
        ALL64 0x8000000000000000, -1
        ALL64 0x123456789abcdef0, 0x0fedcba987654321
        ALL64 0xffffffff, 0x100000001
        ALL64 -7, 3
        ALL64 0x0000ffff00000000, 0x41

        /* CMPXCHG16B, XADD 64. */
        lea cx16(%rip), %rdi
        xor %eax, %eax
        xor %edx, %edx
        mov $0x1111, %rbx
        mov $0x2222, %rcx
        cmpxchg16b (%rdi)
        MIXF 0x40
        mov 8(%rdi), %rax
        call mix64
        cmpxchg16b (%rdi)
        MIXF 0x40
        mov %rax, %rcx
        add %rdx, %rax
        call mix64

        lea msg_sum(%rip), %rsi
        call puts64
        mov %r15, %rax
        shr $32, %rax
        xor %r15d, %eax
        mov %eax, %r14d
        call puthex64
        lea msg_nl(%rip), %rsi
        call puts64
        cmp $EXPECTED_SUM, %r14d
        CHECK64 e, 3

        /* ---- paging faults ---- */
        lea 1f(%rip), %rax
        mov %rax, resume(%rip)
        mov 0x300010, %rax
1:      mov $14, %eax
        mov $0, %ecx
        mov $0x10, %edx
        call expect
        cmpq $0x300010, last_cr2(%rip)
        CHECK64 e, 0x11
        lea 1f(%rip), %rax
        mov %rax, resume(%rip)
        movq $1, 0x301008
1:      mov $14, %eax
        mov $3, %ecx
        mov $0x12, %edx
        call expect
        /* Fetch from the NX page: copy a RET there first (the page is writable). */
        movb $0xc3, 0x303000
        lea 1f(%rip), %rax
        mov %rax, resume(%rip)
        mov $0x303000, %rax
        call *%rax
1:      mov $14, %eax
        mov $0x11, %ecx
        mov $0x13, %edx
        call expect
        cmpq $0x303000, last_cr2(%rip)
        CHECK64 e, 0x14
        /* A non-canonical address: #GP(0). */
        lea 1f(%rip), %rax
        mov %rax, resume(%rip)
        mov $0x0000800000000000, %rbx
        mov (%rbx), %rax
1:      mov $13, %eax
        mov $0, %ecx
        mov $0x15, %edx
        call expect

        /* ---- IST: vector 3 runs on the IST1 stack ---- */
        int3
        mov $3, %eax
        mov $0, %ecx
        mov $0x20, %edx
        call expect
        mov last_rsp(%rip), %rax
        lea ist_stack(%rip), %rcx
        cmp %rcx, %rax
        CHECK64 a, 0x21
        lea ist_top(%rip), %rcx
        cmp %rcx, %rax
        CHECK64 b, 0x22

        /* ---- compatibility mode and back ---- */
        ljmp *compat_ptr(%rip)
        .code32
compat:
        mov $0x12345678, %eax
        mov %eax, %ebx
        shl $4, %ebx
        ljmp $0x08, $back64
        .code64
back64:
        cmp $0x23456780, %ebx
        CHECK64 e, 0x30

        /* ---- ring 3 ---- */
        mov $0xc0000081, %ecx                    /* STAR: kernel CS 0x08, user base 0x18 */
        mov $0, %eax
        mov $0x00180008, %edx
        wrmsr
        mov $0xc0000082, %ecx                    /* LSTAR */
        lea syscall_entry(%rip), %rax
        mov %rax, %rdx
        shr $32, %rdx
        wrmsr
        mov $0xc0000084, %ecx                    /* SFMASK: clear IF, TF */
        mov $0x300, %eax
        xor %edx, %edx
        wrmsr
        mov %rsp, saved_rsp(%rip)
        lea user_code(%rip), %rax
        push $0x23                               /* SS: user data, RPL 3 */
        lea user_stack_top(%rip), %rcx
        push %rcx
        push $0x002                              /* IF stays clear: no interrupt sources here */
        push $0x2b                               /* CS: user code 64, RPL 3 */
        push %rax
        iretq

user_code:
        /* CPL 3 now: a supervisor page faults with U=1, P=1. */
        lea 1f(%rip), %rax
        mov %rax, resume(%rip)
        mov 0x304000, %rax
1:      mov %cs, %ax
        cmp $0x2b, %ax
        jne user_fail
        mov $0x5ca11, %rdi
        syscall
        /* Back from SYSRET in ring 3 with RAX from the kernel. */
        cmp $0x5ca11 + 1, %rax
        jne user_fail
        mov %rsp, %rbx
        int $0x80
user_fail:
        ud2
        jmp user_fail

syscall_entry:
        /* CPL 0 on the user stack; RCX = return RIP, R11 = RFLAGS. */
        mov %cs, %ax
        cmp $0x08, %ax
        jne 1f
        lea user_code(%rip), %rax
        cmp %rax, %rcx
        ja 2f
1:      movl $0x40, syscall_bad(%rip)
2:      mov %rdi, %rax
        inc %rax
        sysretq

int80_handler:
        /* From ring 3 through the DPL-3 gate: the TSS RSP0 stack with SS:RSP of ring 3. */
        mov %rsp, %rax
        lea kstack_top(%rip), %rcx
        sub $40, %rcx
        cmp %rcx, %rax
        CHECK64 e, 0x41
        cmpq $0x2b, 8(%rsp)
        CHECK64 e, 0x42
        cmpq $0x23, 32(%rsp)
        CHECK64 e, 0x43
        cmp 24(%rsp), %rbx
        CHECK64 e, 0x44
        cmpl $0, syscall_bad(%rip)
        CHECK64 e, 0x45
        /* The user-mode #PF recorded before the syscall. */
        cmpl $14, pf_user_vec(%rip)
        CHECK64 e, 0x46
        cmpl $5, pf_user_err(%rip)
        CHECK64 e, 0x47
        mov saved_rsp(%rip), %rsp
        mov $0x10, %ax
        mov %ax, %ss

        lea msg_pass(%rip), %rsi
        call puts64
        mov $0, %eax
        mov $DEBUG_EXIT, %dx
        out %eax, %dx
        cli
1:      hlt
        jmp 1b

/* expect: vector eax, error ecx, else fail with test number edx. */
expect:
        cmp %eax, last_vec(%rip)
        jne 1f
        cmp %ecx, last_err(%rip)
        jne 2f
        movl $0xffffffff, last_vec(%rip)
        ret
1:      mov %edx, %eax
        jmp fail64
2:      lea 0x100(%rdx), %eax
        jmp fail64

mix64:
        rol $5, %r15
        add %rax, %r15
        rol $7, %r15
        xor %rdx, %r15
        ret

puts64:
        mov $COM1, %dx
1:      lodsb
        test %al, %al
        jz 2f
        out %al, %dx
        jmp 1b
2:      ret

puthex64:
        mov %eax, %ebx
        mov $8, %ecx
        mov $COM1, %dx
1:      rol $4, %ebx
        mov %ebx, %eax
        and $15, %eax
        cmp $10, %eax
        jb 2f
        add $('a' - 10 - '0'), %eax
2:      add $'0', %eax
        out %al, %dx
        dec %ecx
        jnz 1b
        ret

fail64:
        mov %eax, %r12d
        lea msg_fail64(%rip), %rsi
        call puts64
        mov %r12d, %eax
        call puthex64
        mov $1, %eax
        mov $DEBUG_EXIT, %dx
        out %eax, %dx
        cli
1:      hlt
        jmp 1b

/* 64-bit exception stubs. */
        .macro STUB64 v
stub64_\v:
        .if (\v == 8) || ((\v >= 10) && (\v <= 14)) || (\v == 17)
        .else
        push $0
        .endif
        push $\v
        jmp exc64
        .endm
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        STUB64 \v
        .endr

exc64:
        push %rax
        mov %rsp, %rax
        mov %rax, last_rsp(%rip)
        mov 8(%rsp), %rax
        mov %eax, last_vec(%rip)
        mov 16(%rsp), %rax
        mov %eax, last_err(%rip)
        mov %cr2, %rax
        mov %rax, last_cr2(%rip)
        /* A fault from ring 3 is recorded separately (the user code checks nothing itself). */
        testb $3, 32(%rsp)
        jz 1f
        mov last_vec(%rip), %eax
        mov %eax, pf_user_vec(%rip)
        mov last_err(%rip), %eax
        mov %eax, pf_user_err(%rip)
        movl $0xffffffff, last_vec(%rip)
1:      mov resume(%rip), %rax
        test %rax, %rax
        jz 2f
        mov %rax, 24(%rsp)
        movq $0, resume(%rip)
2:      pop %rax
        add $16, %rsp
        iretq

setup_idt64:
        lea idt64(%rip), %rdi
        lea stub64_table(%rip), %rsi
        xor %ecx, %ecx
1:      mov (%rsi,%rcx,8), %rax
        call set_gate
        inc %ecx
        cmp $32, %ecx
        jne 1b
        /* Vector 3 on IST1; vector 0x80 callable from ring 3. */
        movb $1, idt64 + 3*16 + 4(%rip)
        lea int80_handler(%rip), %rax
        mov $0x80, %ecx
        call set_gate
        movb $0xee, idt64 + 0x80*16 + 5(%rip)
        lidt idt64_desc(%rip)
        ret

/* Gate ecx -> handler rax (interrupt gate, selector 8, DPL 0). */
set_gate:
        mov %rcx, %rdx
        shl $4, %rdx
        add %rdi, %rdx
        mov %ax, (%rdx)
        movw $0x08, 2(%rdx)
        movw $0x8e00, 4(%rdx)
        mov %rax, %r8
        shr $16, %r8
        mov %r8w, 6(%rdx)
        shr $16, %r8
        mov %r8d, 8(%rdx)
        movl $0, 12(%rdx)
        ret

setup_tss:
        lea kstack_top(%rip), %rax
        mov %rax, tss + 4(%rip)
        lea ist_top(%rip), %rax
        mov %rax, tss + 0x24(%rip)
        lea tss(%rip), %rax
        mov %ax, gdt_tss + 2(%rip)
        shr $16, %rax
        mov %al, gdt_tss + 4(%rip)
        mov %ah, gdt_tss + 7(%rip)
        shr $16, %rax
        mov %eax, gdt_tss + 8(%rip)
        mov $0x30, %ax
        ltr %ax
        ret

        .section .rodata
msg_long:   .asciz "long64: in long mode\n"
msg_sum:    .asciz "alu64 checksum "
msg_nl:     .asciz "\n"
msg_pass:   .asciz "long64: PASS\n"
msg_fail64: .asciz "FAIL "
        .align 8
stub64_table:
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad stub64_\v
        .endr
compat_ptr:
        .long compat
        .word 0x40
idt64_desc:
        .word 256*16 - 1
        .quad idt64

        .data
        .align 8
gdt:
        .quad 0
        .quad 0x00af9a000000ffff      /* 0x08 kernel code 64 */
        .quad 0x00cf92000000ffff      /* 0x10 kernel data */
        .quad 0x00cffa000000ffff      /* 0x18 user code 32 */
        .quad 0x00cff2000000ffff      /* 0x20 user data */
        .quad 0x00affa000000ffff      /* 0x28 user code 64 */
gdt_tss:
        .quad 0x0000890000000067      /* 0x30 TSS (base filled in) */
        .quad 0
        .quad 0x00cf9a000000ffff      /* 0x40 kernel code 32 (compatibility mode) */
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .quad gdt
        .align 16
cx16:   .quad 0, 0
last_vec: .long 0xffffffff
last_err: .long 0
last_cr2: .quad 0
last_rsp: .quad 0
resume:   .quad 0
saved_rsp: .quad 0
syscall_bad: .long 0
pf_user_vec: .long 0
pf_user_err: .long 0
        .align 8
tss:    .space 0x68

        .bss
        .align 4096
pml4:   .space 4096
pdpt:   .space 4096
pd:     .space 4096
pt:     .space 4096
idt64:  .space 4096
        .space 4096
ist_stack:
        .space 4096
ist_top:
        .space 4096
kstack_top:
        .space 4096
user_stack_top:
        .space 8192
stack_top:
