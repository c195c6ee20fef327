/*
 * A guest that rewrites its own MMIO instruction, for the hypervisor's decode cache (x86-vcpu
 * mmio-decode-cache.ts), entered at 0x8000 in flat real mode. In 32-bit protected mode it
 * stores a register to the vIOAPIC's IOREGSEL, reads IOREGSEL back and prints the byte on
 * COM1: twice with the store taking ECX ('A'), then, after patching the store's ModRM byte
 * so that it takes EBX, once more ('B'), and powers off (ACPI PM1a, port 0x604).
 * A VMM that reused the first decode for the rewritten bytes would print "AAA".
 * Build: ./build.sh (GNU as, objcopy); the binary is committed.
 */
    .code16
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    lgdt gdt_desc
    mov %cr0, %eax
    or $1, %al
    mov %eax, %cr0
    ljmp $0x08, $pm32

    .code32
pm32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7000, %esp
    mov $'A', %ecx
    mov $'B', %ebx
    call poke
    call poke
    /* ModRM 0x0d (ECX, disp32) becomes 0x1d (EBX, disp32). */
    movb $0x1d, store + 1
    call poke
    mov $0x604, %dx
    mov $0x2000, %ax
    out %ax, %dx
    hlt

poke:
store:
    mov %ecx, 0xfec00000
    mov 0xfec00000, %eax
    mov $0x3f8, %dx
    out %al, %dx
    ret

    .balign 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff
    .quad 0x00cf92000000ffff
gdt_desc:
    .word gdt_desc - gdt - 1
    .long gdt
