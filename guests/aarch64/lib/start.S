// Entry of the aarch64 guests: an arm64 Image header (so loaders place it as they place Linux),
// the boot CPU's path (x0 = device tree), the secondary path PSCI CPU_ON starts (x0 = the
// CPU's index, passed as the context id), per-CPU stacks, and the EL1 vector table.
#define STACK_SIZE 16384
#define FRAME 176

	.section .text.head, "ax"
	.global _start
_start:
	b	primary_entry
	.long	0
	.quad	0				// text_offset
	.quad	__image_size			// image_size (the linker script)
	.quad	2				// flags: little endian, 4 KiB pages
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

primary_entry:
	mov	x19, x0
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x0, #0
	bl	cpu_setup
	mov	x0, x19
	bl	boot_main
	b	.

	.global secondary_entry
secondary_entry:
	mov	x19, x0
	bl	cpu_setup
	mov	x0, x19
	bl	secondary_main
	b	.

// x0 = CPU index: its stack, TPIDR_EL1 = index, the vector table. Keeps x19.
cpu_setup:
	ldr	x1, =__stacks_end
	mov	x2, #STACK_SIZE
	msub	x1, x0, x2, x1
	mov	sp, x1
	msr	tpidr_el1, x0
	ldr	x1, =vectors
	msr	vbar_el1, x1
	isb
	ret

	.macro	vector kind
	.balign	0x80
	sub	sp, sp, #FRAME
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	exception_common
	.endm

	.balign	2048
vectors:
	vector	0	// current EL, SP0: sync
	vector	1	// IRQ
	vector	2	// FIQ
	vector	3	// SError
	vector	0	// current EL, SPx
	vector	1
	vector	2
	vector	3
	vector	4	// lower EL, AArch64
	vector	4
	vector	4
	vector	4
	vector	4	// lower EL, AArch32
	vector	4
	vector	4
	vector	4

exception_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x29, [sp, #144]
	str	x30, [sp, #160]
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	bl	exception_handler
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x29, [sp, #144]
	ldr	x30, [sp, #160]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #FRAME
	eret
