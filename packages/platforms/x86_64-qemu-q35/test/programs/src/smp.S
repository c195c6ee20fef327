/*
 * Self-checking SMP start-up on the q35 board (run with 2 CPUs): the BSP copies a real-mode
 * trampoline to 0x8000 and wakes the AP with INIT-SIPI-SIPI through its local APIC's ICR.
 * The AP, starting at 0800:0000 in real mode, stores its initial APIC id (CPUID.1:EBX[31:24])
 * and a marker in low memory and halts. The BSP checks both and also that it is the BSP
 * (IA32_APIC_BASE bit 8). Prints PASS and writes 0 to isa-debug-exit (status 1).
 */
        .set COM1, 0x3f8
        .set DEBUG_EXIT, 0xf4
        .set LAPIC, 0xfee00000
        .set TRAMPOLINE, 0x8000
        .set MARK, 0x8100

        .section .multiboot, "a"
        .align 4
        .long 0x1BADB002, 0, -(0x1BADB002)

        .text
        .code32
        .globl _start
_start:
        mov $stack_top, %esp
        mov $msg_start, %esi
        call puts

        /* 1: this CPU is the BSP */
        mov $0x1b, %ecx
        rdmsr
        test $0x100, %eax
        jnz 1f
        mov $1, %eax
        jmp fail
1:
        /* Copy the trampoline, clear the marks. */
        mov $ap_start, %esi
        mov $TRAMPOLINE, %edi
        mov $(ap_end - ap_start), %ecx
        rep movsb
        movl $0, MARK
        movl $0xffffffff, MARK + 4

        /* INIT, then two STARTUPs with vector 0x08 (0x8000), to APIC id 1. */
        movl $0x1ff, LAPIC + 0xf0
        movl $0x01000000, LAPIC + 0x310
        movl $0x00004500, LAPIC + 0x300
        call delay
        movl $0x01000000, LAPIC + 0x310
        movl $0x00004608, LAPIC + 0x300
        call delay
        movl $0x01000000, LAPIC + 0x310
        movl $0x00004608, LAPIC + 0x300

        /* 2: the AP ran (marker), 3: it saw APIC id 1 */
        mov $50000000, %ecx
2:      cmpl $0x600d, MARK
        je 3f
        pause
        loop 2b
        mov $2, %eax
        jmp fail
3:      mov MARK + 4, %eax
        cmp $1, %eax
        je 4f
        mov $3, %eax
        jmp fail
4:
        mov $msg_pass, %esi
        call puts
        xor %eax, %eax
        mov $DEBUG_EXIT, %dx
        out %eax, %dx
halt:   cli
        hlt
        jmp halt

fail:
        push %eax
        mov $msg_fail, %esi
        call puts
        pop %eax
        add $'0', %al
        mov $COM1, %dx
        out %al, %dx
        mov $1, %eax
        mov $DEBUG_EXIT, %dx
        out %eax, %dx
        jmp halt

/* About 10 ms of PIT counter 2 (mode 0, 11932 counts), polled through port 0x61. */
delay:
        in $0x61, %al
        and $0xfc, %al
        or $0x01, %al
        out %al, $0x61
        mov $0xb0, %al
        out %al, $0x43
        mov $(11932 & 0xff), %al
        out %al, $0x42
        mov $(11932 >> 8), %al
        out %al, $0x42
1:      in $0x61, %al
        test $0x20, %al
        jz 1b
        ret

puts:
        mov $COM1, %dx
1:      lodsb
        test %al, %al
        jz 2f
        out %al, %dx
        jmp 1b
2:      ret

/* Real-mode code the AP runs at 0800:0000 (copied to 0x8000). */
        .code16
ap_start:
        cli
        xor %ax, %ax
        mov %ax, %ds
        /* Real mode cannot reach the xAPIC page: the initial APIC id comes from CPUID. */
        mov $1, %eax
        cpuid
        shr $24, %ebx
        movl %ebx, MARK + 4
        movl $0x600d, MARK
1:      cli
        hlt
        jmp 1b
ap_end:
        .code32

        .section .rodata
msg_start: .asciz "smp: start\n"
msg_pass:  .asciz "smp: PASS\n"
msg_fail:  .asciz "smp: FAIL check "

        .bss
        .align 16
        .skip 8192
stack_top:
