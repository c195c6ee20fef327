/*
 * Board test: the generic timer's virtual PPI (27) and an SGI reach the CPU through the GIC
 * (GICv2 MMIO CPU interface, or GICv3 redistributor + ICC system registers with -DGICV3).
 * Runs at EL1 (PSCI over HVC) or EL2 (PSCI over SMC), whichever it is entered at.
 * Also checks QEMU's ELF boot rule: the device tree sits at the RAM base.
 * Prints "PASS" or "FAIL <n>" on the PL011, then PSCI SYSTEM_OFF.
 */
#define UART        0x09000000
#define GICD        0x08000000
#define GICC        0x08010000
#define GICR        0x080a0000
#define GICR_SGI    (GICR + 0x10000)
#define TICKS       62500           /* 1 ms at 62.5 MHz */
#define PSCI_OFF    0x84000008

/* ICC system registers by encoding (assemblers without GICv3 names accept these). */
#define ICC_SRE_EL1     S3_0_C12_C12_5
#define ICC_SRE_EL2     S3_4_C12_C9_5
#define ICC_PMR_EL1     S3_0_C4_C6_0
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_IAR1_EL1    S3_0_C12_C12_0
#define ICC_EOIR1_EL1   S3_0_C12_C12_1
#define ICC_SGI1R_EL1   S3_0_C12_C11_5

    .section .text.init
    .global _start
_start:
    mrs     x19, CurrentEL
    lsr     x19, x19, #2            /* x19 = EL (1 or 2) */
    ldr     x0, =stack_top
    mov     sp, x0
    adr     x0, msg_start
    bl      puts

    /* The device tree is at the RAM base (big-endian magic 0xd00dfeed). */
    mov     x0, #0x40000000
    ldr     w1, [x0]
    ldr     w2, =0xedfe0dd0
    mov     x28, #1
    cmp     w1, w2
    b.ne    fail

    adr     x0, vectors
    cmp     x19, #2
    b.eq    1f
    msr     vbar_el1, x0
    b       2f
1:  msr     vbar_el2, x0
    ldr     x0, =(1 << 31) | (1 << 4) | (1 << 3)    /* RW, IMO, FMO: take IRQs at EL2 */
    msr     hcr_el2, x0
2:  isb

#ifdef GICV3
    cmp     x19, #2
    b.ne    3f
    mov     x0, #0xf
    msr     ICC_SRE_EL2, x0
3:  mov     x0, #7
    msr     ICC_SRE_EL1, x0
    isb
    /* Wake the redistributor. */
    ldr     x1, =GICR
    str     wzr, [x1, #0x14]
4:  ldr     w0, [x1, #0x14]
    tbnz    w0, #2, 4b
    ldr     x1, =GICD
    mov     w0, #0x13               /* ARE, EnableGrp1, EnableGrp0 */
    str     w0, [x1]
    ldr     x1, =GICR_SGI
    mov     w0, #-1
    str     w0, [x1, #0x80]         /* IGROUPR0: all group 1 */
    ldr     w0, =(1 << 27) | (1 << 1)
    str     w0, [x1, #0x100]        /* ISENABLER0: PPI 27, SGI 1 */
    mov     w0, #0xa0
    strb    w0, [x1, #0x400 + 27]
    strb    w0, [x1, #0x400 + 1]
    mov     x0, #0xf0
    msr     ICC_PMR_EL1, x0
    mov     x0, #1
    msr     ICC_IGRPEN1_EL1, x0
    isb
#else
    ldr     x1, =GICD
    mov     w0, #1
    str     w0, [x1]                /* GICD_CTLR.Enable */
    ldr     w0, =(1 << 27) | (1 << 1)
    str     w0, [x1, #0x100]
    mov     w0, #0xa0
    strb    w0, [x1, #0x400 + 27]
    strb    w0, [x1, #0x400 + 1]
    ldr     x1, =GICC
    mov     w0, #0xf0
    str     w0, [x1, #4]            /* GICC_PMR */
    mov     w0, #1
    str     w0, [x1]                /* GICC_CTLR.EnableGrp0 */
#endif

    /* The virtual timer, 1 ms ahead. */
    ldr     x0, =TICKS
    msr     cntv_tval_el0, x0
    mov     x0, #1
    msr     cntv_ctl_el0, x0
    isb
    msr     daifclr, #2

    /* Wait for three timer interrupts. */
    mov     x28, #2
    ldr     x27, =100000000
5:  wfi
    ldr     x0, =ticks
    ldr     w0, [x0]
    cmp     w0, #3
    b.ge    6f
    subs    x27, x27, #1
    b.eq    fail
    b       5b

    /* An SGI to ourselves. */
6:  mov     x0, #0
    msr     cntv_ctl_el0, x0
#ifdef GICV3
    ldr     x0, =(1 << 24) | 1      /* INTID 1, Aff1/2/3 = 0, target list {0} */
    msr     ICC_SGI1R_EL1, x0
#else
    ldr     x1, =GICD
    ldr     w0, =(2 << 24) | 1      /* TargetListFilter = self, SGI 1 */
    str     w0, [x1, #0xf00]
#endif
    isb
    mov     x28, #3
    ldr     x27, =1000000
7:  ldr     x0, =sgis
    ldr     w0, [x0]
    cbnz    w0, 8f
    subs    x27, x27, #1
    b.eq    fail
    b       7b

8:  adr     x0, msg_pass
    bl      puts
    b       off

fail:
    adr     x0, msg_fail
    bl      puts
    add     w0, w28, #'0'
    bl      putc
    mov     w0, #'\n'
    bl      putc
off:
    ldr     x0, =PSCI_OFF
    cmp     x19, #2
    b.eq    9f
    hvc     #0
    b       .
9:  smc     #0
    b       .

/* IRQ handler: acknowledge, count, re-arm the timer, end of interrupt. */
irq:
    stp     x0, x1, [sp, #-16]!
    stp     x2, x3, [sp, #-16]!
#ifdef GICV3
    mrs     x0, ICC_IAR1_EL1
#else
    ldr     x1, =GICC
    ldr     w0, [x1, #0xc]
#endif
    and     w2, w0, #0x3ff
    cmp     w2, #27
    b.ne    10f
    ldr     x1, =ticks
    ldr     w3, [x1]
    add     w3, w3, #1
    str     w3, [x1]
    ldr     x3, =TICKS
    msr     cntv_tval_el0, x3
    b       11f
10: cmp     w2, #1
    b.ne    11f
    ldr     x1, =sgis
    ldr     w3, [x1]
    add     w3, w3, #1
    str     w3, [x1]
11:
#ifdef GICV3
    msr     ICC_EOIR1_EL1, x0
#else
    ldr     x1, =GICC
    str     w0, [x1, #0x10]
#endif
    ldp     x2, x3, [sp], #16
    ldp     x0, x1, [sp], #16
    eret

unexpected:
    mov     x28, #9
    b       fail

putc:
    ldr     x1, =UART
1:  ldr     w2, [x1, #0x18]
    tbnz    w2, #5, 1b              /* TXFF */
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
vectors:
    .rept 4                         /* current EL with SP_EL0 */
    b       unexpected
    .balign 128
    .endr
    b       unexpected              /* current EL with SP_ELx: sync */
    .balign 128
    b       irq                     /* IRQ */
    .balign 128
    .rept 2
    b       unexpected
    .balign 128
    .endr
    .rept 8                         /* lower ELs */
    b       unexpected
    .balign 128
    .endr

msg_start: .asciz "gic-timer: start\n"
msg_pass:  .asciz "PASS\n"
msg_fail:  .asciz "FAIL "

    .data
    .balign 4
ticks: .word 0
sgis:  .word 0

    .bss
    .balign 16
stack: .space 4096
stack_top:
