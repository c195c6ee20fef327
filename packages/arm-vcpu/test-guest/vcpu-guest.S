// The guest of src/vcpu.test.ts: runs at EL1 with the MMU off, loaded at its IPA 0x4000_0000.
// Each step makes one kind of exit the test checks; the EL1 vector records what it is given
// (x20 = ESR_EL1, x21 = ELR_EL1, x22 = FAR_EL1, x23 = count) and resumes after the instruction.
	.text
	.global _start
_start:
	adr	x1, vectors
	msr	vbar_el1, x1
	mov	x3, #0x09000000
	mov	w2, #0x41
	str	w2, [x3]		// MmioWrite (ISV): 4 bytes of w2 at 0x0900_0000
	ldrsb	x4, [x3, #4]		// MmioRead (ISV): 1 byte, sign-extended into x4
	ldr	w5, [x3], #8		// MmioRead without ISV (post-index): x3 += 8
	mov	w0, #0x84000000
	hvc	#0			// PSCI_VERSION
	mov	x6, x0
	mov	w0, #0x84000000
	movk	w0, #0x1f
	hvc	#0			// an unknown PSCI function
	mov	x7, x0
	mov	w0, #0xc2000000
	smc	#0			// an unknown SMC (trapped by HCR_EL2.TSC)
	mov	x8, x0
	mov	x0, #2
	mov	x1, #0x55
	hvc	#0			// AxVisor hypercall 2 (HyperVisorDebug)
	mov	x10, x0
	udf	#0			// UNDEFINED: the guest's own vector sees EC 0
	mov	x9, #0x0a000000
	str	x2, [x9, #16]!		// a store the VMM cannot serve (no ISV: pre-index)
	mov	x11, x9
	msr	cntp_ctl_el0, x2	// physical timer: trapped (CNTHCTL_EL2.EL1PCEN = 0)
	mrs	x12, cntp_ctl_el0
	wfi				// Halt
	mov	w0, #0x84000000
	movk	w0, #0x8
	hvc	#0			// PSCI SYSTEM_OFF
	b	.

	.balign	2048
vectors:
	.skip	0x200
	mrs	x20, esr_el1		// current EL with SP_ELx, synchronous
	mrs	x21, elr_el1
	mrs	x22, far_el1
	add	x21, x21, #4
	msr	elr_el1, x21
	add	x23, x23, #1
	eret
