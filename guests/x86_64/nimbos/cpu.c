/*
 * Per-CPU tables (a TSS in the shared GDT, IST stacks, GS pointing at struct cpu), the IDT and
 * the one C entry of every interrupt and exception, trap_dispatch.
 */
#include "kernel.h"

struct __attribute__((packed)) tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3, iomap_base;
};

struct __attribute__((packed)) table_ptr {
  uint16_t limit;
  uint64_t base;
};

extern uint64_t gdt[];
extern struct table_ptr gdt_desc;
extern char trap_stubs[], rdmsr_safe_insn[], wrmsr_safe_insn[];

struct cpu cpus[MAX_CPUS];
int cpus_online;
static struct tss tss[MAX_CPUS];
static uint64_t idt[512];
/* IST1: interrupts (and the task switches done there); IST2: exceptions. */
static uint8_t ist_irq[MAX_CPUS][16384] __attribute__((aligned(16)));
static uint8_t ist_exc[MAX_CPUS][8192] __attribute__((aligned(16)));

static const char *const exception_names[32] = {
    "divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)", "overflow (#OF)",
    "bound range (#BR)", "invalid opcode (#UD)", "device not available (#NM)",
    "double fault (#DF)", "coprocessor segment overrun", "invalid TSS (#TS)",
    "segment not present (#NP)", "stack fault (#SS)", "general protection (#GP)",
    "page fault (#PF)", "reserved 15", "x87 error (#MF)", "alignment check (#AC)",
    "machine check (#MC)", "SIMD error (#XM)", "virtualization (#VE)",
    "control protection (#CP)", "reserved 22", "reserved 23", "reserved 24", "reserved 25",
    "reserved 26", "reserved 27", "hypervisor injection (#HV)", "VMM communication (#VC)",
    "security (#SX)", "reserved 31"};

void cpu_tables_init(int cpu) {
  struct tss *t = &tss[cpu];
  memset(t, 0, sizeof *t);
  t->ist[0] = (uint64_t)&ist_irq[cpu][sizeof ist_irq[cpu]];
  t->ist[1] = (uint64_t)&ist_exc[cpu][sizeof ist_exc[cpu]];
  t->iomap_base = sizeof *t;
  uint64_t base = (uint64_t)t, limit = sizeof *t - 1;
  int slot = TSS_SEL(cpu) / 8;
  gdt[slot] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
              ((limit >> 16 & 0xF) << 48) | ((base >> 24 & 0xFF) << 56);
  gdt[slot + 1] = base >> 32;

  struct table_ptr idtr = {sizeof idt - 1, (uint64_t)idt};
  __asm__ volatile("lgdt %0" ::"m"(gdt_desc));
  __asm__ volatile("lidt %0" ::"m"(idtr));
  /* A far return reloads CS from the new GDT. */
  __asm__ volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:" ::"i"(KERNEL_CS) : "rax", "memory");
  __asm__ volatile("movw %w0, %%ds; movw %w0, %%es; movw %w0, %%ss" ::"r"(KERNEL_DS));
  __asm__ volatile("ltr %w0" ::"r"(TSS_SEL(cpu)));
  gdt[slot] &= ~(0x2ull << 40); /* ltr marked it busy; another CPU's ltr never sees it */

  struct cpu *c = &cpus[cpu];
  c->self = c;
  c->index = cpu;
  wrmsr(0xC0000101, (uint64_t)c); /* IA32_GS_BASE */
}

void idt_init(void) {
  for (int v = 0; v < 256; v++) {
    uint64_t off = (uint64_t)trap_stubs + 16 * (uint64_t)v;
    uint64_t ist = v < 32 ? 2 : 1;
    idt[2 * v] = (off & 0xFFFF) | ((uint64_t)KERNEL_CS << 16) | (ist << 32) | (0x8Eull << 40) |
                 ((off >> 16 & 0xFFFF) << 48);
    idt[2 * v + 1] = off >> 32;
  }
}

static void halt_forever(void) __attribute__((noreturn));
static void halt_forever(void) {
  for (;;) __asm__ volatile("cli; hlt");
}

static struct trap_frame *exception(struct trap_frame *f) {
  struct cpu *c = this_cpu();
  struct task *t = c->current;
  if (f->vector == 3) {
    kprintf("NimbOS: breakpoint (#BP) at rip=%lx on CPU %d, resuming\n", f->rip, c->index);
    return f;
  }
  if (f->vector == 13 && (f->rip == (uint64_t)rdmsr_safe_insn || f->rip == (uint64_t)wrmsr_safe_insn)) {
    f->rip += 2; /* rdmsr and wrmsr are 2 bytes */
    f->rax = f->rdx = 0;
    f->r8 = 1;
    return f;
  }
  uint64_t cr2;
  __asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
  panic_printf("\nNimbOS: EXCEPTION %s on CPU %d in task '%s': rip=%lx error=%lx cr2=%lx rsp=%lx\n",
               exception_names[f->vector & 31], c->index, t ? t->name : "boot", f->rip, f->error,
               cr2, f->rsp);
  /* A faulting kernel task dies and the others go on; a fault in boot code, an idle task or
   * a double fault stops this CPU. */
  if (!t || t->idle || f->vector == 8) {
    panic_printf("NimbOS: cannot recover, CPU %d halted\n", c->index);
    halt_forever();
  }
  panic_printf("NimbOS: task '%s' (id %d) killed\n", t->name, t->id);
  t->state = TASK_DEAD;
  return sched_tick(f, SCHED_YIELD);
}

struct trap_frame *trap_dispatch(struct trap_frame *f) {
  struct cpu *c = this_cpu();
  switch (f->vector) {
  case VEC_TIMER:
    c->timer_ticks++;
    lapic_eoi();
    if (c->index == 0) {
      jiffies++;
      serial_poll();
    }
    return sched_tick(f, SCHED_TICK);
  case VEC_SERIAL:
    serial_irq();
    lapic_eoi();
    return sched_tick(f, SCHED_WAKE);
  case VEC_YIELD:
    return sched_tick(f, SCHED_YIELD);
  case VEC_IPI:
    c->ipi_count++;
    lapic_eoi();
    return f;
  case VEC_SPURIOUS:
    return f;
  default:
    if (f->vector < 32) return exception(f);
    if (f->vector >= VEC_PIC_BASE && f->vector < VEC_PIC_BASE + 16) return f; /* 8259 stray */
    kprintf("NimbOS: unexpected interrupt vector %lu on CPU %d\n", f->vector, c->index);
    lapic_eoi();
    return f;
  }
}
