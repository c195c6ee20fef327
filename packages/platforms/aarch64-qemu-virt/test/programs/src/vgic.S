/*
 * Board test: the GIC's virtualization interface. Entered at EL2, the program injects a
 * virtual interrupt (INTID 27, priority 0xa0, EOI maintenance requested) through a list
 * register (GICv2: GICH_LR0; GICv3 with -DGICV3: ICH_LR0_EL2), drops to an EL1 "guest"
 * with HCR_EL2.IMO set, and the guest acknowledges and ends it through the virtual CPU
 * interface (GICv2: the GICV frame; GICv3: ICC_IAR1/EOIR1_EL1, which IMO turns into ICV).
 * Back at EL2 (HVC), the list register must be empty and the EOI maintenance status set.
 * Prints "PASS" or "FAIL <n>" on the PL011, then PSCI SYSTEM_OFF over SMC.
 */
#define UART        0x09000000
#define GICH        0x08030000
#define GICV        0x08040000
#define PSCI_OFF    0x84000008

#define ICC_SRE_EL1     S3_0_C12_C12_5
#define ICC_SRE_EL2     S3_4_C12_C9_5
#define ICC_IAR1_EL1    S3_0_C12_C12_0
#define ICC_EOIR1_EL1   S3_0_C12_C12_1
#define ICH_HCR_EL2     S3_4_C12_C11_0
#define ICH_MISR_EL2    S3_4_C12_C11_2
#define ICH_EISR_EL2    S3_4_C12_C11_3
#define ICH_ELRSR_EL2   S3_4_C12_C11_5
#define ICH_VMCR_EL2    S3_4_C12_C11_7
#define ICH_LR0_EL2     S3_4_C12_C12_0

    .section .text.init
    .global _start
_start:
    ldr     x0, =stack_top
    mov     sp, x0
    adr     x0, msg_start
    bl      puts
    mov     x28, #1
    mrs     x0, CurrentEL
    cmp     x0, #(2 << 2)
    b.ne    fail

    adr     x0, vectors_el2
    msr     vbar_el2, x0
    adr     x0, vectors_el1
    msr     vbar_el1, x0
    ldr     x0, =(1 << 31) | (1 << 4) | (1 << 3)    /* RW, IMO, FMO */
    msr     hcr_el2, x0
    ldr     x0, =guest_stack_top
    msr     sp_el1, x0

#ifdef GICV3
    mov     x0, #0xf
    msr     ICC_SRE_EL2, x0
    isb
    mov     x0, #7
    msr     ICC_SRE_EL1, x0
    ldr     x0, =(0xff << 24) | 2          /* VPMR 0xff, VENG1 */
    msr     ICH_VMCR_EL2, x0
    mov     x0, #1
    msr     ICH_HCR_EL2, x0                /* En */
    /* pending, group 1, priority 0xa0, EOI maintenance, vINTID 27 */
    ldr     x0, =(1 << 62) | (1 << 60) | (0xa0 << 48) | (1 << 41) | 27
    msr     ICH_LR0_EL2, x0
#else
    ldr     x1, =GICH
    ldr     w0, =(0x1f << 27) | 1          /* VPMR 0xf8, VENG0 */
    str     w0, [x1, #0x8]
    mov     w0, #1
    str     w0, [x1]                       /* GICH_HCR.En */
    /* pending, group 0, priority 0xa0, EOI maintenance, vINTID 27 */
    ldr     w0, =(1 << 28) | ((0xa0 >> 3) << 23) | (1 << 19) | 27
    str     w0, [x1, #0x100]
#endif
    isb
    mov     x0, #0x345                     /* EL1h, D A F masked, I clear */
    msr     spsr_el2, x0
    adr     x0, guest
    msr     elr_el2, x0
    eret

/* ---- EL1 guest ---- */
guest:
#ifndef GICV3
    ldr     x1, =GICV
    mov     w0, #1
    str     w0, [x1]                       /* GICV_CTLR: the guest enables its interface */
    mov     w0, #0xf0
    str     w0, [x1, #4]
#endif
    ldr     x27, =1000000
1:  ldr     x0, =taken
    ldr     w0, [x0]
    cbnz    w0, 2f
    subs    x27, x27, #1
    b.ne    1b
    mov     x28, #2
    hvc     #0xbad
2:  hvc     #0

guest_irq:
#ifdef GICV3
    mrs     x0, ICC_IAR1_EL1
#else
    ldr     x1, =GICV
    ldr     w0, [x1, #0xc]                 /* GICV_IAR */
#endif
    cmp     w0, #27
    b.eq    3f
    mov     x28, #3
    hvc     #0xbad
3:
#ifdef GICV3
    msr     ICC_EOIR1_EL1, x0
#else
    str     w0, [x1, #0x10]                /* GICV_EOIR */
#endif
    ldr     x1, =taken
    mov     w0, #1
    str     w0, [x1]
    eret

/* ---- back at EL2 ---- */
el2_sync:
    mrs     x0, esr_el2
    lsr     x1, x0, #26
    cmp     x1, #0x16                      /* HVC from AArch64 */
    b.ne    el2_unexpected
    and     x0, x0, #0xffff
    cbnz    x0, fail                       /* the guest reported a failure in x28 */
    mov     x28, #4
#ifdef GICV3
    mrs     x0, ICH_LR0_EL2
    lsr     x0, x0, #62
    cbnz    x0, fail                       /* state: invalid */
    mov     x28, #5
    mrs     x0, ICH_EISR_EL2
    cmp     x0, #1
    b.ne    fail
    mov     x28, #6
    mrs     x0, ICH_MISR_EL2
    tbz     x0, #0, fail                   /* MISR.EOI */
    mov     x28, #7
    mrs     x0, ICH_ELRSR_EL2
    cmp     x0, #0xe                       /* LR0 still holds the EOI request */
    b.ne    fail
#else
    ldr     x1, =GICH
    ldr     w0, [x1, #0x100]
    ubfx    w0, w0, #28, #2
    cbnz    w0, fail
    mov     x28, #5
    ldr     w0, [x1, #0x20]                /* EISR0 */
    cmp     w0, #1
    b.ne    fail
    mov     x28, #6
    ldr     w0, [x1, #0x10]                /* MISR */
    tbz     w0, #0, fail
    mov     x28, #7
    ldr     w0, [x1, #0x30]                /* ELRSR0 */
    cmp     w0, #0xe
    b.ne    fail
#endif
    adr     x0, msg_pass
    bl      puts
    b       off

el2_unexpected:
    mov     x28, #8
fail:
    adr     x0, msg_fail
    bl      puts
    add     w0, w28, #'0'
    bl      putc
    mov     w0, #'\n'
    bl      putc
off:
    ldr     x0, =PSCI_OFF
    smc     #0
    b       .

unexpected_el1:
    mov     x28, #9
    hvc     #0xbad

putc:
    ldr     x1, =UART
1:  ldr     w2, [x1, #0x18]
    tbnz    w2, #5, 1b
    str     w0, [x1]
    ret

puts:
    mov     x3, x30
    mov     x4, x0
1:  ldrb    w0, [x4], #1
    cbz     w0, 2f
    bl      putc
    b       1b
2:  mov     x30, x3
    ret

    .balign 2048
vectors_el2:
    .rept 8                                /* current EL */
    b       el2_unexpected
    .balign 128
    .endr
    b       el2_sync                       /* lower EL, AArch64: sync */
    .balign 128
    .rept 7
    b       el2_unexpected
    .balign 128
    .endr

    .balign 2048
vectors_el1:
    .rept 5
    b       unexpected_el1
    .balign 128
    .endr
    b       guest_irq                      /* current EL with SP_EL1: IRQ */
    .balign 128
    .rept 10
    b       unexpected_el1
    .balign 128
    .endr

msg_start: .asciz "vgic: start\n"
msg_pass:  .asciz "PASS\n"
msg_fail:  .asciz "FAIL "

    .data
    .balign 4
taken: .word 0

    .bss
    .balign 16
stack: .space 4096
stack_top:
guest_stack: .space 4096
guest_stack_top:
