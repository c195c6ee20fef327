/*
 * NimbOS-x86 boot: a multiboot v1 header with load addresses (so QEMU's -kernel, our board's
 * multiboot loader and axvm-bios all place the flat image at 0x20_0000), then the switch from
 * 32-bit protected mode to long mode with our own page tables: the low 4 GiB identity-mapped
 * with 2 MiB pages (RAM, and the IOAPIC/LAPIC MMIO near 4 GiB as uncached).
 */
#define MB_FLAGS 0x00010002   /* bit 1: memory info wanted; bit 16: load addresses below */

    .section .multiboot, "a"
    .balign 4
mb_header:
    .long   0x1BADB002
    .long   MB_FLAGS
    .long   -(0x1BADB002 + MB_FLAGS)
    .long   mb_header
    .long   __image_start
    .long   __load_end
    .long   __bss_end
    .long   entry32

    .section .text.boot, "ax"
    .code32
    .globl entry32
entry32:
    cli
    cld
    movl    %eax, boot_magic
    movl    %ebx, boot_info
    movl    $boot_stack_top, %esp

    /* We fill every table entry ourselves: a loader that copies the image raw need not
     * have zeroed our .bss. */
    movl    $pml4, %edi
    movl    $(6 * 4096 / 4), %ecx
    xorl    %eax, %eax
    rep stosl
    movl    $(pdpt + 0x3), pml4
    movl    $(pd + 0x3), pdpt
    movl    $(pd + 0x1003), pdpt + 8
    movl    $(pd + 0x2003), pdpt + 16
    movl    $(pd + 0x3003), pdpt + 24
    xorl    %ecx, %ecx
1:  movl    %ecx, %eax
    shll    $21, %eax
    orl     $0x83, %eax               /* present, writable, 2 MiB page */
    cmpl    $1536, %ecx               /* 3 GiB and up: device memory, uncached */
    jb      2f
    orl     $0x18, %eax               /* PCD | PWT */
2:  movl    %eax, pd(, %ecx, 8)
    incl    %ecx
    cmpl    $2048, %ecx
    jb      1b

    movl    %cr4, %eax
    orl     $0x20, %eax               /* PAE */
    movl    %eax, %cr4
    movl    $pml4, %eax
    movl    %eax, %cr3
    movl    $0xC0000080, %ecx         /* IA32_EFER */
    rdmsr
    orl     $0x100, %eax              /* LME */
    wrmsr
    movl    %cr0, %eax
    orl     $0x80010001, %eax         /* PG | WP | PE */
    movl    %eax, %cr0
    lgdt    gdt_desc
    ljmp    $0x08, $entry64

    .code64
entry64:
    movw    $0x10, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    xorw    %ax, %ax
    movw    %ax, %fs
    movw    %ax, %gs
    movq    $boot_stack_top, %rsp
    movl    boot_magic, %edi
    movl    boot_info, %esi
    call    kmain
3:  cli
    hlt
    jmp     3b

    .data
    .balign 8
    .globl gdt
/* 0x08 64-bit code, 0x10 data, then one 16-byte TSS descriptor per CPU (cpu.c fills them). */
gdt:
    .quad   0
    .quad   0x00AF9A000000FFFF
    .quad   0x00CF92000000FFFF
    .fill   2 * 8, 8, 0
gdt_end:
    .globl gdt_desc
gdt_desc:
    .word   gdt_end - gdt - 1
    .quad   gdt
boot_magic: .long 0
boot_info:  .long 0

    .section .bss.pagetables, "aw", @nobits
    .balign 4096
    .globl pml4
pml4:   .skip 4096
pdpt:   .skip 4096
pd:     .skip 4 * 4096
    .balign 16
    .skip 16384
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
