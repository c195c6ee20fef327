/*
 * Entry and trap vector of the demo guest. The hypervisor (or OpenSBI) enters in S-mode with
 * a0 = hart id and a1 = device-tree address. Secondary harts arrive through SBI HSM
 * hart_start with a1 = the opaque value, which the boot hart sets to its stack pool.
 */
    .section .text.entry
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    /* Each hart gets a 16 KiB stack from the pool: sp = stack_top - hartid * 16 KiB. */
    la sp, __stack_top
    slli t0, a0, 14
    sub sp, sp, t0
    la t0, trap_entry
    csrw stvec, t0
    csrw sie, zero
    /* Only the first hart to arrive clears .bss; later harts skip straight to C. */
    la t0, boot_claimed
    li t1, 1
    amoswap.w.aq t1, t1, (t0)
    bnez t1, 2f
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 3f
    sd zero, 0(t0)
    addi t0, t0, 8
    j 1b
3:  fence
    call boot_main
    j park
2:  call secondary_main
park:
    wfi
    j park

    .section .data
    .align 3
boot_claimed: .dword 0

/* Saves the caller-saved registers, calls trap_handler(scause, stval), restores, srets. */
    .section .text
    .align 2
    .globl trap_entry
trap_entry:
    addi sp, sp, -144
    sd ra, 0(sp)
    sd t0, 8(sp)
    sd t1, 16(sp)
    sd t2, 24(sp)
    sd a0, 32(sp)
    sd a1, 40(sp)
    sd a2, 48(sp)
    sd a3, 56(sp)
    sd a4, 64(sp)
    sd a5, 72(sp)
    sd a6, 80(sp)
    sd a7, 88(sp)
    sd t3, 96(sp)
    sd t4, 104(sp)
    sd t5, 112(sp)
    sd t6, 120(sp)
    csrr a0, scause
    csrr a1, stval
    csrr a2, sepc
    call trap_handler
    ld ra, 0(sp)
    ld t0, 8(sp)
    ld t1, 16(sp)
    ld t2, 24(sp)
    ld a0, 32(sp)
    ld a1, 40(sp)
    ld a2, 48(sp)
    ld a3, 56(sp)
    ld a4, 64(sp)
    ld a5, 72(sp)
    ld a6, 80(sp)
    ld a7, 88(sp)
    ld t3, 96(sp)
    ld t4, 104(sp)
    ld t5, 112(sp)
    ld t6, 120(sp)
    addi sp, sp, 144
    sret
