/*
 * MSR accesses that survive a #GP: a hypervisor may refuse an MSR (AxVisor injects #GP for
 * ones it filters). cpu.c's #GP handler resumes after the faulting instruction with r8 = 1.
 *   int rdmsr_safe(uint32_t msr, uint64_t *value);  0, or -1 after a #GP
 *   int wrmsr_safe(uint32_t msr, uint64_t value);   0, or -1 after a #GP
 */
    .text
    .code64
    .globl rdmsr_safe, rdmsr_safe_insn, wrmsr_safe, wrmsr_safe_insn
rdmsr_safe:
    movl    %edi, %ecx
    xorl    %r8d, %r8d
rdmsr_safe_insn:
    rdmsr
    movl    %eax, %eax
    shlq    $32, %rdx
    orq     %rdx, %rax
    movq    %rax, (%rsi)
    movl    %r8d, %eax
    negl    %eax
    ret

wrmsr_safe:
    movl    %edi, %ecx
    movq    %rsi, %rax
    movq    %rsi, %rdx
    shrq    $32, %rdx
    xorl    %r8d, %r8d
wrmsr_safe_insn:
    wrmsr
    movl    %r8d, %eax
    negl    %eax
    ret

    .section .note.GNU-stack, "", @progbits
