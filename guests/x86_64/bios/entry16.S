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
    call    bios_main                 /* returns the kernel entry; fills boot_info_addr */
    movl    %eax, %ecx
    movl    boot_info_addr, %ebx
    movl    $0x2BADB002, %eax         /* the multiboot boot loader magic */
    xorl    %edx, %edx
    xorl    %esi, %esi
    xorl    %edi, %edi
    xorl    %ebp, %ebp
    jmp     *%ecx

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

    .section .note.GNU-stack, "", @progbits
