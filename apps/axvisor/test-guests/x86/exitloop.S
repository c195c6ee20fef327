/*
 * VM-exit round trip workload for `pnpm bench` (x86_64 rows), entered at 0x8000 in flat real
 * mode. It switches to 32-bit protected mode, prints BENCH-START on COM1, makes ITERATIONS
 * device accesses that each exit to the VMM and are served by a device model, prints BENCH-END
 * and powers off (ACPI PM1a, port 0x604):
 *   exitloop-mmio.bin: a 32-bit store to the vIOAPIC's IOREGSEL (0xFEC0_0000): EPT violation,
 *                      instruction decode, MMIO write exit;
 *   exitloop-pio.bin:  an `out` to COM1's scratch register (port 0x3FF): I/O exit.
 * ITERATIONS is 20000 (the vm-stats tests count on it); the -2m images make 2000000 (QEMU's count), for the
 * bench rows, whose per-exit figure would otherwise be mostly V8 warming up the exit path.
 * Build: ./build.sh.
 */
    .ifndef ITERATIONS
    .set ITERATIONS, 20000
    .endif
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
    mov $start_msg, %esi
    call puts
    /*
     * The VMM hands console output on when a slice ends (every 1024 exits): one exit the VMM
     * itself answers (a VMCALL with a number no hypercall has; the error it returns is of no
     * interest) ends the slice, so BENCH-START leaves the VMM as the loop begins and the
     * time between the markers is the loop's. BENCH-END is followed by the power-off, which
     * ends its slice too.
     */
    mov $0xffffffff, %eax
    vmcall
    mov $ITERATIONS, %ecx
1:
.ifdef PIO
    mov $0x3ff, %dx
    mov %cl, %al
    out %al, %dx
.else
    mov %ecx, 0xfec00000
.endif
    dec %ecx
    jnz 1b
    mov $end_msg, %esi
    call puts
    mov $0x604, %dx
    mov $0x2000, %ax
    out %ax, %dx
    hlt

puts:
    mov $0x3f8, %dx
2:
    lodsb
    test %al, %al
    jz 3f
    out %al, %dx
    jmp 2b
3:
    ret

start_msg: .asciz "BENCH-START\n"
end_msg:   .asciz "BENCH-END\n"

    .balign 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff
    .quad 0x00cf92000000ffff
gdt_desc:
    .word gdt_desc - gdt - 1
    .long gdt
