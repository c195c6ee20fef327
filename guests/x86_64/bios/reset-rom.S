/*
 * A 64 KiB ROM for QEMU's -bios that does only what a hypervisor does before starting
 * axvm-bios: from the reset vector it jumps to 0x8000 in flat real mode (CS = DS = ES = SS = 0,
 * IP = 0x8000, interrupts off). The BIOS and the kernel are placed in RAM beforehand with
 * `-device loader,...,force-raw=on`. QEMU maps the ROM's last 64 KiB at 0xF0000 and at
 * 0xFFFF0000; the reset vector is its last 16 bytes.
 */
    .code16
    .section .text, "ax"
    .globl _start
_start:
    cli
    cld
    xorw    %ax, %ax
    movw    %ax, %ds
    movw    %ax, %es
    movw    %ax, %ss
    movw    %ax, %fs
    movw    %ax, %gs
    movw    $0x7000, %sp
    ljmpw   $0x0000, $0x8000

    .org    0xFFF0
reset_vector:
    ljmpw   $0xF000, $_start
    .org    0x10000

    .section .note.GNU-stack, "", @progbits
