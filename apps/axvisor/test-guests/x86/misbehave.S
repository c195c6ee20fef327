/*
 * A misbehaving x86 guest for the hypervisor tests, entered at 0x8000 in flat real mode
 * (AxVisor's start state). It prints on COM1 what each forbidden thing gave it:
 *   'A'  started
 *   'P'  a read of a port nobody serves returned 0xFF (open bus)
 *   'M'  a read of guest-physical 0x10000, where the VM has no memory or device, returned 0xFF
 *   'G'  RDMSR of an MSR that does not exist raised #GP (vector 13)
 *   'U'  UD2 raised #UD (vector 6)
 * and then triple-faults (an IDT of limit 0 and INT3): the VM is reset and starts over.
 * A wrong result prints 'x' and powers the VM off instead.
 * Build: ./build.sh (GNU as, objcopy); the binary is committed.
 */
    .code16
    .section .text
    .globl _start
_start:
    cli
    xor %ax, %ax
    mov %ax, %ds
    mov %ax, %ss
    mov $0x7000, %sp
    mov $'A', %al
    call putc

    inb $0x99, %al
    cmp $0xff, %al
    jne fail
    mov $'P', %al
    call putc

    mov $0x1000, %ax
    mov %ax, %es
    movb %es:0, %al
    cmp $0xff, %al
    jne fail
    mov $'M', %al
    call putc

    movw $on_gp, 13*4
    movw $0, 13*4+2
    movw $on_ud, 6*4
    movw $0, 6*4+2
    mov $0x12345, %ecx
    rdmsr
    ud2
    mov $'\n', %al
    call putc

    lidt zero_idt
    int3
    hlt

on_gp:
    mov $'G', %al
    call putc
    jmp skip2
on_ud:
    mov $'U', %al
    call putc
skip2:
    /* Return past the 2-byte instruction that faulted. */
    push %bp
    mov %sp, %bp
    addw $2, 2(%bp)
    pop %bp
    iret

fail:
    mov $'x', %al
    call putc
    mov $0x604, %dx
    mov $0x2000, %ax
    out %ax, %dx
    hlt

putc:
    mov $0x3f8, %dx
    out %al, %dx
    ret

    .balign 8
zero_idt:
    .word 0
    .long 0
