// The guest of src/vgicv3.test.ts (EL1, MMU off, at IPA 0x4000_0000): it programs the virtual
// GICv3 (GICD at 0x0800_0000, its GICR at 0x080A_0000) through MMIO exits, arms the virtual
// timer, and waits in WFI. Its IRQ vector acknowledges through ICC_IAR1_EL1 (the ICV view),
// records the INTID in x20 and the count in x21, stops the timer, and completes the interrupt.
// An SPI (INTID 33) comes next; then PSCI SYSTEM_OFF.
	.text
	.global _start
_start:
	adr	x1, vectors
	msr	vbar_el1, x1
	mov	x0, #0xf0
	msr	S3_0_C4_C6_0, x0	// ICC_PMR_EL1
	mov	x0, #1
	msr	S3_0_C12_C12_7, x0	// ICC_IGRPEN1_EL1
	mov	x2, #0x08000000
	mov	w0, #0x12		// GICD_CTLR: ARE | EnableGrp1
	str	w0, [x2]
	mov	w0, #-1
	str	w0, [x2, #0x84]		// GICD_IGROUPR1: SPIs 32..63 in group 1
	mov	w0, #2
	str	w0, [x2, #0x104]	// GICD_ISENABLER1: INTID 33
	mov	x4, #0x080a0000
	str	wzr, [x4, #0x14]	// GICR_WAKER: awake
	add	x3, x4, #0x10000	// SGI_base
	mov	w0, #-1
	str	w0, [x3, #0x80]		// GICR_IGROUPR0: group 1
	mov	w0, #0x08000000
	str	w0, [x3, #0x100]	// GICR_ISENABLER0: PPI 27
	mrs	x5, cntvct_el0
	add	x5, x5, #100
	msr	cntv_cval_el0, x5
	mov	x0, #1
	msr	cntv_ctl_el0, x0
	msr	daifclr, #2
1:	wfi
	cmp	x21, #2
	b.ne	1b
	mov	w0, #0x84000000
	movk	w0, #0x8
	hvc	#0
	b	.

	.balign	2048
vectors:
	.skip	0x280
	mrs	x20, S3_0_C12_C12_0	// ICC_IAR1_EL1
	add	x21, x21, #1
	lsl	x22, x22, #8
	orr	x22, x22, x20
	msr	cntv_ctl_el0, xzr
	msr	S3_0_C12_C12_1, x20	// ICC_EOIR1_EL1
	eret
