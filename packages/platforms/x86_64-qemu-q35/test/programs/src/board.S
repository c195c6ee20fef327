/*
 * Self-checking test of the q35 board's devices, entered as a multiboot v1 kernel in 32-bit
 * protected mode. Checks the multiboot state, fw_cfg, CMOS, PCI configuration space, PIT
 * interrupts through the 8259, the LAPIC timer, the IOAPIC and HPET registers and the PIT's
 * counter 2 on port 0x61. Prints PASS and writes 0 to isa-debug-exit (status 1), or prints
 * the number of the failing check and writes 1 (status 3).
 */
        .set COM1, 0x3f8
        .set DEBUG_EXIT, 0xf4
        .set LAPIC, 0xfee00000
        .set IOAPIC, 0xfec00000
        .set HPET, 0xfed00000

        .section .multiboot, "a"
        .align 4
        .long 0x1BADB002, 0, -(0x1BADB002)

        /* Fails with check number \n unless the flags say "equal". */
        .macro EXPECT_EQ n
        je 1f
        mov $\n, %eax
        jmp fail
1:
        .endm

        .text
        .code32
        .globl _start
_start:
        mov $stack_top, %esp
        cmp $0x2BADB002, %eax
        EXPECT_EQ 1
        mov %ebx, mbi
        mov $msg_start, %esi
        call puts

        /* 2: multiboot info: memory, command line and memory map present; 3: mem_lower = 639 (below the EBDA) */
        mov mbi, %ebx
        mov (%ebx), %eax
        and $0x45, %eax
        cmp $0x45, %eax
        EXPECT_EQ 2
        cmpl $639, 4(%ebx)
        EXPECT_EQ 3
        cmpl $(64 * 1024), 8(%ebx)
        setae %al
        cmp $1, %al
        EXPECT_EQ 4

        /* 5: fw_cfg signature "QEMU", 6: CPU count 2 */
        mov $0x510, %dx
        xor %eax, %eax
        out %ax, %dx
        mov $0x511, %dx
        call in4
        cmp $0x554d4551, %eax
        EXPECT_EQ 5
        mov $0x510, %dx
        mov $5, %eax
        out %ax, %dx
        mov $0x511, %dx
        in %dx, %al
        cmp $2, %al
        EXPECT_EQ 6

        /* 7: CMOS status D = 0x80 (valid RAM and time), 8: base memory 640 KiB */
        mov $0x0d, %al
        out %al, $0x70
        in $0x71, %al
        cmp $0x80, %al
        EXPECT_EQ 7
        mov $0x15, %al
        out %al, $0x70
        in $0x71, %al
        mov %al, %cl
        mov $0x16, %al
        out %al, $0x70
        in $0x71, %al
        mov %al, %ch
        cmp $640, %cx
        EXPECT_EQ 8

        /* 9: host bridge 8086:29C0 at 00:00.0, 10: LPC 8086:2918 at 00:1F.0 */
        mov $0xcf8, %dx
        mov $0x80000000, %eax
        out %eax, %dx
        mov $0xcfc, %dx
        in %dx, %eax
        cmp $0x29c08086, %eax
        EXPECT_EQ 9
        mov $0xcf8, %dx
        mov $0x8000f800, %eax
        out %eax, %dx
        mov $0xcfc, %dx
        in %dx, %eax
        cmp $0x29188086, %eax
        EXPECT_EQ 10

        /* Interrupt descriptor table: exceptions fail, other vectors just return. */
        mov %cs, %cx
        xor %edi, %edi
2:      mov $ignore_int, %eax
        cmp $32, %edi
        jae 3f
        mov $exception, %eax
3:      cmp $0x20, %edi
        jne 4f
        mov $pit_int, %eax
4:      cmp $0x40, %edi
        jne 5f
        mov $lapic_int, %eax
5:      mov %ax, idt(,%edi,8)
        mov %cx, idt+2(,%edi,8)
        movw $0x8e00, idt+4(,%edi,8)
        shr $16, %eax
        mov %ax, idt+6(,%edi,8)
        inc %edi
        cmp $256, %edi
        jb 2b
        lidt idtr

        /* 11: PIT channel 0 in mode 2 at 1 kHz, through the 8259 (vectors 0x20-0x2F) */
        mov $0x11, %al
        out %al, $0x20
        mov $0x20, %al
        out %al, $0x21
        mov $0x04, %al
        out %al, $0x21
        mov $0x01, %al
        out %al, $0x21
        mov $0x11, %al
        out %al, $0xa0
        mov $0x28, %al
        out %al, $0xa1
        mov $0x02, %al
        out %al, $0xa1
        mov $0x01, %al
        out %al, $0xa1
        mov $0xfe, %al
        out %al, $0x21
        mov $0xff, %al
        out %al, $0xa1
        mov $0x34, %al
        out %al, $0x43
        mov $(1193 & 0xff), %al
        out %al, $0x40
        mov $(1193 >> 8), %al
        out %al, $0x40
        sti
6:      hlt
        cmpl $3, pit_ticks
        jb 6b
        cli
        mov $0xff, %al
        out %al, $0x21

        /* 12: LAPIC timer one-shot, vector 0x40, divide by 1 */
        movl $0x1ff, LAPIC + 0xf0
        movl $0x0b, LAPIC + 0x3e0
        movl $0x40, LAPIC + 0x320
        movl $100000, LAPIC + 0x380
        sti
7:      hlt
        cmpl $1, lapic_ticks
        jb 7b
        cli
        mov LAPIC + 0x390, %eax
        cmp $0, %eax
        EXPECT_EQ 12

        /* 13: IOAPIC version 0x20 with 24 pins */
        movl $1, IOAPIC
        mov IOAPIC + 0x10, %eax
        cmp $0x00170020, %eax
        EXPECT_EQ 13

        /* 14: HPET capabilities and period, 15: the counter advances once enabled */
        mov HPET, %eax
        cmp $0x8086a201, %eax
        EXPECT_EQ 14
        mov HPET + 4, %eax
        cmp $10000000, %eax
        EXPECT_EQ 14
        movl $1, HPET + 0x10
        mov HPET + 0xf0, %ebx
        mov $100000, %ecx
8:      mov HPET + 0xf0, %eax
        cmp %ebx, %eax
        jne 9f
        loop 8b
9:      cmp %ebx, %eax
        setne %al
        cmp $1, %al
        EXPECT_EQ 15

        /* 16: PIT counter 2 in mode 0 raises OUT2 (port 0x61 bit 5) after its count */
        in $0x61, %al
        and $0xfc, %al
        or $0x01, %al
        out %al, $0x61
        mov $0xb0, %al
        out %al, $0x43
        mov $0x00, %al
        out %al, $0x42
        mov $0x10, %al
        out %al, $0x42
        mov $10000000, %ecx
10:     in $0x61, %al
        test $0x20, %al
        jnz 11f
        loop 10b
11:     test $0x20, %al
        setnz %al
        cmp $1, %al
        EXPECT_EQ 16

        mov $msg_pass, %esi
        call puts
        xor %eax, %eax
        mov $DEBUG_EXIT, %dx
        out %eax, %dx
halt:   cli
        hlt
        jmp halt

/* eax = check number */
fail:
        push %eax
        mov $msg_fail, %esi
        call puts
        pop %eax
        call puthex
        mov $msg_nl, %esi
        call puts
        mov $1, %eax
        mov $DEBUG_EXIT, %dx
        out %eax, %dx
        jmp halt

exception:
        mov $99, %eax
        jmp fail

ignore_int:
        iret

pit_int:
        push %eax
        incl pit_ticks
        mov $0x20, %al
        out %al, $0x20
        pop %eax
        iret

lapic_int:
        incl lapic_ticks
        movl $0, LAPIC + 0xb0
        iret

/* Reads 4 bytes from port dx, first byte lowest. */
in4:
        push %ecx
        mov $4, %ecx
1:      in %dx, %al
        ror $8, %eax
        loop 1b
        pop %ecx
        ret

/* Prints the NUL-terminated string at esi. */
puts:
        push %eax
        push %edx
1:      lodsb
        test %al, %al
        jz 3f
        mov %al, %ah
        mov $(COM1 + 5), %dx
2:      in %dx, %al
        test $0x20, %al
        jz 2b
        mov $COM1, %dx
        mov %ah, %al
        out %al, %dx
        jmp 1b
3:      pop %edx
        pop %eax
        ret

/* Prints eax in hex. */
puthex:
        mov %eax, %ebx
        mov $8, %ecx
1:      rol $4, %ebx
        mov %ebx, %eax
        and $15, %eax
        mov hexdigits(%eax), %al
        mov %al, %ah
        mov $(COM1 + 5), %dx
2:      in %dx, %al
        test $0x20, %al
        jz 2b
        mov $COM1, %dx
        mov %ah, %al
        out %al, %dx
        loop 1b
        ret

        .section .rodata
msg_start: .asciz "board: start\n"
msg_pass:  .asciz "board: PASS\n"
msg_fail:  .asciz "board: FAIL check "
msg_nl:    .asciz "\n"
hexdigits: .ascii "0123456789abcdef"

        .data
        .align 8
idtr:   .word 256 * 8 - 1
        .long idt
mbi:        .long 0
pit_ticks:  .long 0
lapic_ticks: .long 0

        .bss
        .align 16
idt:    .skip 256 * 8
        .skip 8192
stack_top:
