/*
 * axvm-bios entry: the hypervisor (or reset-rom.S on QEMU) starts us at 0x8000 in flat real
 * mode (every segment base 0, limit 0xFFFF, paging off). We leave real mode as early as
 * possible: the rest of the BIOS is 32-bit C (main.c), which finds the kernel and hands over.
 */
    .code16
    .section .text.entry, "ax"
    .globl _start
_start:
    cli
    cld
    xorw    %ax, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    movl    $BIOS_STACK_TOP, %esp

    /* Fast A20 (port 0x92 bit 1) in case a real-mode firmware left it off. A missing port
     * reads 0xFF (bit 1 already set), so we never write there; bit 0 would reset the CPU. */
    inb     $0x92, %al
    testb   $0x02, %al
    jnz     1f
    orb     $0x02, %al
    andb    $0xFE, %al
    outb    %al, $0x92
1:
    lgdtl   gdt_desc
    movl    %cr0, %eax
    orl     $1, %eax                  /* CR0.PE */
    movl    %eax, %cr0
    ljmpl   $0x08, $entry32

    .code32
entry32:
    movw    $0x10, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %fs
    movw    %ax, %gs
    movw    %ax, %ss
    movl    $BIOS_STACK_TOP, %esp
    movl    $__bss_start, %edi        /* RAM need not be zero: clear .bss before using it */
    movl    $__bss_end, %ecx
    subl    %edi, %ecx
    xorl    %eax, %eax
    rep stosb

    /* An IDT whose 32 exception gates all report and halt, so a fault in the BIOS (or one a
     * hypervisor injects) prints a line instead of ending in a triple fault. Cleared again
     * before the kernel runs: a multiboot kernel starts without an IDT. */
    movl    $idt, %edi
    xorl    %ecx, %ecx
1:  movl    $exc_stubs, %eax
    leal    (%eax, %ecx, 8), %eax     /* stub n at exc_stubs + 8 * n */
    movw    %ax, (%edi, %ecx, 8)
    movw    $0x08, 2(%edi, %ecx, 8)
    movw    $0x8E00, 4(%edi, %ecx, 8) /* present, DPL 0, 32-bit interrupt gate */
    shrl    $16, %eax
    movw    %ax, 6(%edi, %ecx, 8)
    incl    %ecx
    cmpl    $32, %ecx
    jb      1b
    lidt    idt_desc
    call    bios_main                 /* returns the kernel entry; fills boot_info_addr */
    lidt    no_idt_desc
    movl    %eax, %ecx
    movl    boot_info_addr, %ebx
    movl    $0x2BADB002, %eax         /* the multiboot boot loader magic */
    xorl    %edx, %edx
    xorl    %esi, %esi
    xorl    %edi, %edi
    xorl    %ebp, %ebp
    jmp     *%ecx

    /* 8-byte stubs: push the vector (exceptions with an error code leave it below). */
    .balign 8
exc_stubs:
    .set vec, 0
    .rept 32
    .balign 8
    pushl   $vec
    jmp     exc_common
    .set vec, vec + 1
    .endr
exc_common:
    cld
    call    bios_exception            /* (vector, then what the CPU pushed); never returns */

    .globl bios_halt
bios_halt:
    cli
2:  hlt
    jmp     2b

    .section .rodata.gdt, "a"
    .balign 8
/* null; 0x08 flat 32-bit code; 0x10 flat 32-bit data (the selectors a multiboot kernel may
 * assume until it loads its own GDT). */
gdt:
    .quad   0
    .quad   0x00CF9A000000FFFF
    .quad   0x00CF92000000FFFF
gdt_end:
gdt_desc:
    .word   gdt_end - gdt - 1
    .long   gdt
idt_desc:
    .word   32 * 8 - 1
    .long   idt
no_idt_desc:
    .word   0
    .long   0

    .section .bss
    .balign 8
idt:
    .skip   32 * 8

    .section .note.GNU-stack, "", @progbits
