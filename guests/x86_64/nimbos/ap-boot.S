/*
 * The real-mode trampoline an application processor runs after INIT-SIPI-SIPI. smp.c copies
 * it to AP_TRAMPOLINE (below 1 MiB, page-aligned: the SIPI vector is its page number) and
 * fills ap_cr3 / ap_stack / ap_entry. Real mode -> 32-bit protected mode -> long mode, then a
 * jump to ap_main on the stack smp.c gave it.
 */
#define AP_TRAMPOLINE 0x6000
#define REL(sym) (AP_TRAMPOLINE + (sym - ap_trampoline))

    .text
    .code16
    .globl ap_trampoline, ap_trampoline_end, ap_cr3, ap_stack, ap_entry
ap_trampoline:
    cli
    cld
    xorw    %ax, %ax
    movw    %ax, %ds
    lgdtl   REL(ap_gdt_desc)
    movl    %cr0, %eax
    orl     $1, %eax
    movl    %eax, %cr0
    ljmpl   $0x18, $REL(ap32)

    .code32
ap32:
    movw    $0x10, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    movl    %cr4, %eax
    orl     $0x20, %eax
    movl    %eax, %cr4
    movl    REL(ap_cr3), %eax
    movl    %eax, %cr3
    movl    $0xC0000080, %ecx
    rdmsr
    orl     $0x100, %eax
    wrmsr
    movl    %cr0, %eax
    orl     $0x80010000, %eax
    movl    %eax, %cr0
    ljmp    $0x08, $REL(ap64)

    .code64
ap64:
    movw    $0x10, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    movq    REL(ap_stack), %rsp
    movq    REL(ap_entry), %rax
    jmp     *%rax

    .balign 8
ap_gdt:
    .quad   0
    .quad   0x00AF9A000000FFFF        /* 0x08 64-bit code */
    .quad   0x00CF92000000FFFF        /* 0x10 data */
    .quad   0x00CF9A000000FFFF        /* 0x18 32-bit code */
ap_gdt_end:
ap_gdt_desc:
    .word   ap_gdt_end - ap_gdt - 1
    .long   REL(ap_gdt)
    .balign 8
ap_cr3:   .quad 0
ap_stack: .quad 0
ap_entry: .quad 0
ap_trampoline_end:

    .section .note.GNU-stack, "", @progbits
