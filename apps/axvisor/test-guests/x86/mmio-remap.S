/*
 * A guest that remaps the linear page of a device register, for the CPU's cache of guest
 * walks to pages EPT does not map (cpu-x86_64 X86Cpu.mmioLinTag), entered at 0x8000 in flat
 * real mode. It enters long mode with 2 MiB pages (identity below 2 MiB) and maps linear
 * 0x200000 to the vIOAPIC (0xFEC00000), then prints on COM1:
 *   'A'  IOREGSEL written with 'A' and read back through 0x200000, twice ('AA');
 *   'H'  after pointing 0x200000 at guest-physical 1 GiB (no memory, no device) and INVLPG,
 *        a read gives all ones (the open bus), not the vIOAPIC's register;
 *   'A'  after pointing it back and reloading CR3, the vIOAPIC again;
 * and powers off (ACPI PM1a, port 0x604). A stale translation prints 'x' instead of 'H' (or
 * 'H' instead of the last 'A').
 * Build: ./build.sh (GNU as, objcopy); the binary is committed.
 */
    .code16
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    /* Page tables at 0x1000-0x4fff: PML4, PDPT, PD for 0-1 GiB, PD for 3-4 GiB. */
    cld
    mov $0x1000, %di
    xor %eax, %eax
    mov $0x1000, %cx
    rep stosl
    movl $0x2003, 0x1000
    movl $0x3003, 0x2000
    movl $0x4003, 0x2018
    movl $0x00000083, 0x3000
    movl $0xfec00083, 0x3008
    movl $0xfec00083, 0x4000 + 0x1f6 * 8
    mov $0x1000, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x20, %eax
    mov %eax, %cr4
    mov $0xc0000080, %ecx
    rdmsr
    or $0x100, %eax
    wrmsr
    lgdt gdt_desc
    mov %cr0, %eax
    or $0x80000001, %eax
    mov %eax, %cr0
    ljmp $0x08, $lm64

    .code64
lm64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $0x7000, %rsp
    mov $0x3f8, %dx
    mov $'A', %ecx
    mov %ecx, 0x200000
    mov 0x200000, %eax
    out %al, %dx
    mov 0x200000, %eax
    out %al, %dx
    /* 0x200000 -> guest-physical 1 GiB, where the VM has nothing. */
    movl $0x40000083, 0x3008
    invlpg 0x200000
    mov 0x200000, %eax
    cmp $0xff, %al
    mov $'H', %al
    je 1f
    mov $'x', %al
1:
    out %al, %dx
    /* Back to the vIOAPIC; the CR3 reload flushes the TLB. */
    movl $0xfec00083, 0x3008
    mov %cr3, %rax
    mov %rax, %cr3
    mov 0x200000, %eax
    out %al, %dx
    mov $0x604, %dx
    mov $0x2000, %ax
    out %ax, %dx
    hlt

    .balign 8
gdt:
    .quad 0
    .quad 0x00af9a000000ffff
    .quad 0x00cf92000000ffff
gdt_desc:
    .word gdt_desc - gdt - 1
    .long gdt
