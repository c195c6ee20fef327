/*
 * The platform layer of the x86_64 workloads: a multiboot v1 kernel (ELF32, loaded at
 * 1 MiB) that QEMU's `-kernel` and our PC board enter in 32-bit protected mode. It builds
 * identity-mapped page tables for the first 1 GiB (2 MiB pages), enters long mode and runs the
 * workload in 64-bit code. Console: COM1 (0x3F8), polled. Power-off: isa-debug-exit at 0xF4
 * (`-device isa-debug-exit,iobase=0xf4,iosize=0x4`): 0 on success (QEMU exits with status 1),
 * 1 on failure (status 3); then ACPI-less halt if the device is absent.
 *
 * Flow: prints "BENCH-START\n", calls bench_run, prints "BENCH-END\n" and exits. Any exception
 * prints "BENCH-FAIL vector=.. frame=.. ..\n" and exits with failure.
 */
        .set COM1, 0x3f8
        .set COM1_LSR, 0x3fd
        .set LSR_THRE, 0x20
        .set DEBUG_EXIT, 0xf4
        .set MSR_EFER, 0xc0000080
        .set EFER_LME, 0x100
        .set CR4_PAE, 0x20
        .set CR0_PG_PE, 0x80000001
        .set MB_MAGIC, 0x1badb002

        .section .text.start, "ax"
        .code32
        .globl _start
_start:
        jmp     entry32                 /* 5 bytes, padded: the multiboot header is at 8 */
        .balign 8
        .long   MB_MAGIC, 0, -MB_MAGIC
        .long   0                       /* the parameter block follows, 8-aligned */

        .section .text
        .code32
entry32:
        mov     $stack_top, %esp
        /* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB, present + writable + large */
        mov     $pdpt, %eax
        or      $3, %eax
        mov     %eax, pml4
        mov     $pd, %eax
        or      $3, %eax
        mov     %eax, pdpt
        xor     %ecx, %ecx
1:      mov     %ecx, %eax
        shl     $21, %eax
        or      $0x83, %eax
        mov     %eax, pd(, %ecx, 8)
        inc     %ecx
        cmp     $512, %ecx
        jne     1b
        mov     %cr4, %eax
        or      $CR4_PAE, %eax
        mov     %eax, %cr4
        mov     $pml4, %eax
        mov     %eax, %cr3
        mov     $MSR_EFER, %ecx
        rdmsr
        or      $EFER_LME, %eax
        wrmsr
        mov     %cr0, %eax
        or      $CR0_PG_PE, %eax
        mov     %eax, %cr0
        lgdt    gdt_ptr
        ljmp    $0x08, $entry64

        .code64
entry64:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     $stack_top, %esp
        call    setup_idt
        lidt    idt_ptr(%rip)
        lea     msg_start(%rip), %rsi
        call    puts
        call    bench_run
        lea     msg_end(%rip), %rsi
        call    puts
        xor     %eax, %eax
exit:   out     %eax, $DEBUG_EXIT
park:   cli
        hlt
        jmp     park

/* %al = character. Uses %dx, %ah. */
putc:   mov     %al, %ah
        mov     $COM1_LSR, %dx
1:      in      %dx, %al
        test    $LSR_THRE, %al
        jz      1b
        mov     $COM1, %dx
        mov     %ah, %al
        out     %al, %dx
        ret

/* %rsi = NUL-terminated string. Uses %rax, %rdx, %rsi. */
puts:   lodsb
        test    %al, %al
        jz      1f
        call    putc
        jmp     puts
1:      ret

/* %rdi = value, printed as 16 hex digits. Uses %rax, %rcx, %rdx. */
puthex: mov     $16, %ecx
1:      rol     $4, %rdi
        mov     %edi, %eax
        and     $15, %eax
        cmp     $10, %eax
        jb      2f
        add     $('a' - '0' - 10), %eax
2:      add     $'0', %eax
        call    putc
        dec     %ecx
        jnz     1b
        ret

/* IDT entries 0-31: interrupt gates to the stubs below (stub i at exc_stubs + 16 * i). */
setup_idt:
        lea     idt(%rip), %rdi
        lea     exc_stubs(%rip), %rax
        xor     %ecx, %ecx
1:      mov     %ax, (%rdi)             /* offset 15:0 */
        movw    $0x08, 2(%rdi)          /* code selector */
        movw    $0x8e00, 4(%rdi)        /* present, DPL 0, 64-bit interrupt gate */
        mov     %rax, %rdx
        shr     $16, %rdx
        mov     %dx, 6(%rdi)            /* offset 31:16; 63:32 are zero below 4 GiB */
        movl    $0, 8(%rdi)
        movl    $0, 12(%rdi)
        add     $16, %rax
        add     $16, %rdi
        inc     %ecx
        cmp     $32, %ecx
        jne     1b
        ret

        .balign 16
exc_stubs:
        .set    vec, 0
        .rept   32
        push    $vec
        jmp     exc_common
        .balign 16
        .set    vec, vec + 1
        .endr

/* Every exception is a failure: vector, then the next three words of the frame (error code
 * and/or RIP, CS...). */
exc_common:
        lea     msg_fail(%rip), %rsi
        call    puts
        pop     %rdi
        call    puthex
        lea     msg_frame(%rip), %rsi
        call    puts
        pop     %rdi
        call    puthex
        mov     $' ', %al
        call    putc
        pop     %rdi
        call    puthex
        mov     $' ', %al
        call    putc
        pop     %rdi
        call    puthex
        lea     msg_nl(%rip), %rsi
        call    puts
        mov     $1, %eax
        jmp     exit

        .section .rodata
        .balign 8
gdt:    .quad   0
        .quad   0x00af9a000000ffff      /* 0x08: 64-bit code */
        .quad   0x00cf92000000ffff      /* 0x10: data */
gdt_ptr:
        .word   gdt_ptr - gdt - 1
        .long   gdt
        .balign 8
idt_ptr:
        .word   32 * 16 - 1
        .long   idt, 0
msg_start: .asciz "BENCH-START\n"
msg_end:   .asciz "BENCH-END\n"
msg_fail:  .asciz "BENCH-FAIL vector="
msg_frame: .asciz " frame="
msg_nl:    .asciz "\n"

        .section .bss
        .balign 4096
pml4:   .space  4096
pdpt:   .space  4096
pd:     .space  4096
idt:    .space  32 * 16
        .balign 16
        .space  4096
stack_top:
