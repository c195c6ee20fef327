/*
 * VMX: VMXON with the revision from IA32_VMX_BASIC, VMCLEAR/VMPTRLD/VMPTRST, VMWRITE/VMREAD,
 * VMfailValid (VMRESUME of a clear VMCS), a VM-entry failure (invalid VMCS link pointer),
 * then an unrestricted real-mode guest under EPT (4 KiB EPT pages over the first 2 MiB) whose
 * exits are checked one by one: CPUID (exit length), OUT imm8 with the I/O bitmap
 * (qualification), an EPT violation (qualification, guest-physical address) that the host
 * repairs with a new EPT entry and INVEPT, the exception bitmap (#UD, interruption info), an
 * injected external interrupt handled through the guest's IVT, VMCALL and HLT.
 * QEMU's TCG has no VMX: there the program finds CPUID.1:ECX.VMX clear and passes after the
 * long-mode setup only ("no VMX").
 */
#include "common.inc"

        .macro CHECK64 cc, n
        j\cc 7f
        mov $\n, %eax
        jmp fail64
7:
        .endm
        /* VMWRITE field <- value (an immediate or register). */
        .macro VMW field, value
        mov $\field, %rax
        mov \value, %rbx
        vmwrite %rbx, %rax
        CHECK64 nbe, 0x900
        .endm
        .macro VMR field
        mov $\field, %rax
        vmread %rax, %rbx
        .endm
        /* Runs the guest (VMRESUME) and continues at the next line after its VM exit. */
        .macro RESUME
        lea 8f(%rip), %rax
        mov %rax, exit_cont(%rip)
        mov $0x6c14, %eax
        vmwrite %rsp, %rax
        vmresume
        mov $0x901, %eax
        jmp fail64
8:      mov %rax, guest_rax(%rip)
        .endm
        /* Fails with \n unless the exit reason is \reason. */
        .macro EXPECT_EXIT reason, n
        VMR 0x4402
        cmp $\reason, %ebx
        CHECK64 e, \n
        .endm
        /* Advances the guest RIP by the exit instruction length. */
        .macro SKIP_INSN
        VMR 0x440c
        mov %rbx, %rcx
        VMR 0x681e
        add %rcx, %rbx
        mov $0x681e, %eax
        vmwrite %rbx, %rax
        .endm

        MULTIBOOT_HEADER
        .code32
        .globl _start
_start:
        mov $stack_top, %esp
        cmp $0x2badb002, %eax
        CHECK e, 1
        lgdt gdt_desc
        mov $pdpt, %eax
        or $3, %eax
        mov %eax, pml4
        mov $pd, %eax
        or $3, %eax
        mov %eax, pdpt
        mov $pd, %edi
        mov $0x83, %eax
        mov $512, %ecx
1:      mov %eax, (%edi)
        add $0x200000, %eax
        add $8, %edi
        loop 1b
        mov %cr4, %eax
        or $0x20, %eax
        mov %eax, %cr4
        mov $pml4, %eax
        mov %eax, %cr3
        mov $0xc0000080, %ecx
        rdmsr
        or $0x100, %eax
        wrmsr
        mov %cr0, %eax
        or $0x80000020, %eax                     /* PG, NE */
        mov %eax, %cr0
        ljmp $0x08, $long_entry

        HELPERS32

        .code64
long_entry:
        mov $0x10, %ax
        mov %ax, %ds
        mov %ax, %es
        mov %ax, %ss
        mov %ax, %fs
        mov %ax, %gs
        mov $stack_top, %rsp
        lea tss(%rip), %rax
        mov %ax, gdt_tss + 2(%rip)
        shr $16, %rax
        mov %al, gdt_tss + 4(%rip)
        mov %ah, gdt_tss + 7(%rip)
        mov $0x30, %ax
        ltr %ax
        mov $1, %eax
        cpuid
        test $0x20, %ecx
        jnz have_vmx
        lea msg_novmx(%rip), %rsi
        call puts64
        jmp pass

have_vmx:
        lea msg_vmx(%rip), %rsi
        call puts64
        /* Revision id into the VMXON region and the VMCS. */
        mov $0x480, %ecx
        rdmsr
        and $0x7fffffff, %eax
        mov %eax, vmxon_region(%rip)
        mov %eax, vmcs_region(%rip)
        mov %cr4, %rax
        or $0x2000, %rax                         /* VMXE */
        mov %rax, %cr4
        vmxon vmxon_ptr(%rip)
        CHECK64 nbe, 0x10
        vmclear vmcs_ptr(%rip)
        CHECK64 nbe, 0x11
        vmptrld vmcs_ptr(%rip)
        CHECK64 nbe, 0x12
        vmptrst scratch(%rip)
        mov scratch(%rip), %rax
        cmp vmcs_ptr(%rip), %rax
        CHECK64 e, 0x13
        /* VMREAD of an unsupported field: VMfailValid(12). */
        mov $0x7ffe, %eax
        vmread %rax, %rbx
        CHECK64 z, 0x14
        VMR 0x4400
        cmp $12, %rbx
        CHECK64 e, 0x15
        /* VMRESUME of a clear VMCS: VMfailValid(5). */
        vmresume
        CHECK64 z, 0x16
        VMR 0x4400
        cmp $5, %rbx
        CHECK64 e, 0x17

        /* ---- controls (adjusted by the true capability MSRs) ---- */
        mov $0x48d, %ecx
        rdmsr
        or $0, %eax
        and %edx, %eax
        mov %eax, %ebx
        VMW 0x4000, %rbx                         /* pin: defaults */
        mov $0x48e, %ecx
        rdmsr
        or $((1 << 7) | (1 << 25) | (1 << 28) | (1 << 31)), %eax    /* HLT, I/O bitmaps, MSR bitmaps, secondary */
        and %edx, %eax
        mov %eax, %ebx
        VMW 0x4002, %rbx
        mov $0x48b, %ecx
        rdmsr
        mov $((1 << 1) | (1 << 7)), %eax         /* EPT, unrestricted guest */
        and %edx, %eax
        cmp $((1 << 1) | (1 << 7)), %eax
        CHECK64 e, 0x20
        mov %eax, %ebx
        VMW 0x401e, %rbx
        mov $0x48f, %ecx
        rdmsr
        or $((1 << 9) | (1 << 15)), %eax         /* host 64-bit, acknowledge interrupt */
        and %edx, %eax
        mov %eax, %ebx
        VMW 0x400c, %rbx
        mov $0x490, %ecx
        rdmsr
        and %edx, %eax
        mov %eax, %ebx
        VMW 0x4012, %rbx
        VMW 0x4004, $(1 << 6)                    /* exception bitmap: #UD */
        lea io_bitmap_a(%rip), %rbx
        VMW 0x2000, %rbx
        lea io_bitmap_b(%rip), %rbx
        VMW 0x2002, %rbx
        lea msr_bitmap(%rip), %rbx
        VMW 0x2004, %rbx
        orb $1, io_bitmap_a + 0x10(%rip)         /* port 0x80 exits */
        /* EPT: PML4 -> PDPT -> PD -> PT, GPA 0-2 MiB identity (RWX, WB), 0x90000 absent. */
        lea ept_pdpt(%rip), %rax
        or $7, %rax
        mov %rax, ept_pml4(%rip)
        lea ept_pd(%rip), %rax
        or $7, %rax
        mov %rax, ept_pdpt(%rip)
        lea ept_pt(%rip), %rax
        or $7, %rax
        mov %rax, ept_pd(%rip)
        lea ept_pt(%rip), %rdi
        mov $0x37, %eax                          /* RWX, WB */
        mov $512, %ecx
1:      mov %rax, (%rdi)
        add $0x1000, %rax
        add $8, %rdi
        loop 1b
        movq $0, ept_pt + 0x90 * 8(%rip)
        lea ept_pml4(%rip), %rbx
        or $0x1e, %rbx                           /* WB, 4-level walk */
        VMW 0x201a, %rbx

        /* ---- host state ---- */
        mov %cr0, %rbx
        VMW 0x6c00, %rbx
        mov %cr3, %rbx
        VMW 0x6c02, %rbx
        mov %cr4, %rbx
        VMW 0x6c04, %rbx
        VMW 0x0c00, $0x10
        VMW 0x0c02, $0x08
        VMW 0x0c04, $0x10
        VMW 0x0c06, $0x10
        VMW 0x0c08, $0x10
        VMW 0x0c0a, $0x10
        VMW 0x0c0c, $0x30
        lea tss(%rip), %rbx
        VMW 0x6c0a, %rbx
        lea gdt(%rip), %rbx
        VMW 0x6c0c, %rbx
        VMW 0x6c0e, $0
        lea vmexit_entry(%rip), %rbx
        VMW 0x6c16, %rbx

        /* ---- guest state: real mode at 0000:8000 ---- */
        VMW 0x6800, $0x30                        /* CR0: NE, ET (PE = PG = 0) */
        VMW 0x6804, $0x2000                      /* CR4: VMXE */
        VMW 0x6802, $0
        VMW 0x681a, $0x400
        VMW 0x6820, $2
        VMW 0x681e, $0x8000
        VMW 0x681c, $0x7000
        .irp sel, 0x800, 0x802, 0x804, 0x806, 0x808, 0x80a
        VMW \sel, $0
        .endr
        .irp base, 0x6806, 0x6808, 0x680a, 0x680c, 0x680e, 0x6810, 0x6812, 0x6814, 0x6816, 0x6818
        VMW \base, $0
        .endr
        .irp lim, 0x4800, 0x4802, 0x4804, 0x4806, 0x4808, 0x480a, 0x480c, 0x480e, 0x4810, 0x4812
        VMW \lim, $0xffff
        .endr
        VMW 0x4816, $0x9b
        .irp ar, 0x4814, 0x4818, 0x481a, 0x481c, 0x481e
        VMW \ar, $0x93
        .endr
        VMW 0x4820, $0x82
        VMW 0x4822, $0x8b
        VMW 0x4824, $0
        VMW 0x4826, $0
        VMW 0x2800, $0                           /* invalid VMCS link pointer first */

        /* Copy the guest code to GPA 0x8000 and its interrupt vector 0x20. */
        lea guest_code(%rip), %rsi
        mov $0x8000, %rdi
        mov $(guest_end - guest_code), %ecx
        rep movsb
        movl $(0x8000 + (guest_irq - guest_code)), 0x80

        /* ---- VM-entry failure: invalid VMCS link pointer ---- */
        lea 1f(%rip), %rax
        mov %rax, exit_cont(%rip)
        mov $0x6c14, %eax
        vmwrite %rsp, %rax
        vmlaunch
        mov $0x30, %eax
        jmp fail64
1:      EXPECT_EXIT 0x80000021, 0x31
        VMR 0x6400
        cmp $4, %rbx
        CHECK64 e, 0x32
        mov $-1, %rbx
        VMW 0x2800, %rbx

        /* ---- launch: the guest runs CPUID first ---- */
        lea 1f(%rip), %rax
        mov %rax, exit_cont(%rip)
        mov $0x6c14, %eax
        vmwrite %rsp, %rax
        vmlaunch
        mov $0x40, %eax
        jmp fail64
1:      EXPECT_EXIT 10, 0x41
        VMR 0x440c
        cmp $2, %rbx
        CHECK64 e, 0x42
        VMR 0x681e
        cmp $(0x8000 + (guest_cpuid - guest_code)), %rbx
        CHECK64 e, 0x43
        SKIP_INSN
        RESUME
        /* OUT %al, $0x80 */
        EXPECT_EXIT 30, 0x50
        VMR 0x6400
        cmp $0x00800040, %rbx
        CHECK64 e, 0x51
        SKIP_INSN
        RESUME
        /* Read of GPA 0x90000: EPT violation (read, linear address valid, final translation). */
        EXPECT_EXIT 48, 0x60
        VMR 0x6400
        and $0x1bf, %rbx
        cmp $0x181, %rbx
        CHECK64 e, 0x61
        VMR 0x2400
        cmp $0x90000, %rbx
        CHECK64 e, 0x62
        /* Map GPA 0x90000 to HPA 0x300000 holding 0xbeef; INVEPT; the guest retries. */
        movw $0xbeef, 0x300000
        movq $0x300037, ept_pt + 0x90 * 8(%rip)
        lea invept_desc(%rip), %rax
        mov $1, %ecx
        lea ept_pml4(%rip), %rbx
        or $0x1e, %rbx
        mov %rbx, invept_desc(%rip)
        invept (%rax), %rcx
        CHECK64 nbe, 0x63
        RESUME
        /* OUT %ax, $0x80 with the value read through the new mapping. */
        EXPECT_EXIT 30, 0x64
        /* GPRs are not switched by VMX: RAX is the guest's value from the read. */
        cmpw $0xbeef, guest_rax(%rip)
        CHECK64 e, 0x66
        VMR 0x6400
        cmp $0x00800041, %rbx
        CHECK64 e, 0x65
        SKIP_INSN
        RESUME
        /* UD2: the exception bitmap. */
        EXPECT_EXIT 0, 0x70
        VMR 0x4404
        cmp $0x80000306, %ebx
        CHECK64 e, 0x71
        /* A hardware exception leaves the instruction length undefined: UD2 is 2 bytes. */
        VMR 0x681e
        add $2, %rbx
        mov $0x681e, %eax
        vmwrite %rbx, %rax
        /* Inject external interrupt 0x20 on the way back. */
        VMW 0x4016, $0x80000020
        RESUME
        /* The guest's handler for 0x20 does VMCALL. */
        EXPECT_EXIT 18, 0x80
        VMR 0x4016
        test $0x80000000, %ebx
        CHECK64 z, 0x81
        SKIP_INSN
        RESUME
        /* After IRET from the handler: HLT. */
        EXPECT_EXIT 12, 0x90
        VMR 0x681e
        cmp $(0x8000 + (guest_hlt - guest_code)), %rbx
        CHECK64 e, 0x91
        vmxoff
        CHECK64 nbe, 0x93

pass:
        lea msg_pass(%rip), %rsi
        call puts64
        mov $0, %eax
        mov $DEBUG_EXIT, %dx
        out %eax, %dx
        cli
1:      hlt
        jmp 1b

vmexit_entry:
        jmp *exit_cont(%rip)

puts64:
        mov $COM1, %dx
1:      lodsb
        test %al, %al
        jz 2f
        out %al, %dx
        jmp 1b
2:      ret

puthex64:
        mov %eax, %ebx
        mov $8, %ecx
        mov $COM1, %dx
1:      rol $4, %ebx
        mov %ebx, %eax
        and $15, %eax
        cmp $10, %eax
        jb 2f
        add $('a' - 10 - '0'), %eax
2:      add $'0', %eax
        out %al, %dx
        dec %ecx
        jnz 1b
        ret

fail64:
        mov %eax, %r12d
        lea msg_fail64(%rip), %rsi
        call puts64
        mov %r12d, %eax
        call puthex64
        mov $1, %eax
        mov $DEBUG_EXIT, %dx
        out %eax, %dx
        cli
1:      hlt
        jmp 1b

        /* The real-mode guest (copied to 0000:8000). */
        .code16
guest_code:
        xor %eax, %eax
guest_cpuid:
        cpuid
        mov $0x55, %al
        out %al, $0x80
        mov $0x9000, %bx
        mov %bx, %ds
        mov (0), %ax
        out %ax, $0x80
        ud2
        sti
        nop
guest_hlt:
        hlt
        jmp guest_hlt
guest_irq:
        inc %ax
        vmcall
        iret
guest_end:
        .code64

        .section .rodata
msg_vmx:    .asciz "vmx64: VMX advertised\n"
msg_novmx:  .asciz "vmx64: no VMX (QEMU TCG): setup only\n"
msg_pass:   .asciz "vmx64: PASS\n"
msg_fail64: .asciz "FAIL "

        .data
        .align 8
gdt:
        .quad 0
        .quad 0x00af9a000000ffff      /* 0x08 code 64 */
        .quad 0x00cf92000000ffff      /* 0x10 data */
        .quad 0
        .quad 0
        .quad 0
gdt_tss:
        .quad 0x0000890000000067      /* 0x30 TSS */
        .quad 0
gdt_end:
gdt_desc:
        .word gdt_end - gdt - 1
        .quad gdt
vmxon_ptr:  .quad vmxon_region
vmcs_ptr:   .quad vmcs_region
scratch:    .quad 0
guest_rax:  .quad 0
exit_cont:  .quad 0
        .align 16
invept_desc: .quad 0, 0
tss:    .space 0x68

        .bss
        .align 4096
pml4:   .space 4096
pdpt:   .space 4096
pd:     .space 4096
vmxon_region: .space 4096
vmcs_region:  .space 4096
io_bitmap_a:  .space 4096
io_bitmap_b:  .space 4096
msr_bitmap:   .space 4096
ept_pml4:     .space 4096
ept_pdpt:     .space 4096
ept_pd:       .space 4096
ept_pt:       .space 4096
        .space 16384
stack_top:
