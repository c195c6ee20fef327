/* NimbOS-x86: what the kernel's parts share. */
#ifndef NIMBOS_KERNEL_H
#define NIMBOS_KERNEL_H
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/io.h"

#define NIMBOS_VERSION "0.1"
#define MAX_CPUS 8
#define MAX_TASKS 16
#define TIMER_HZ 100

#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define TSS_SEL(cpu) (0x18 + 16 * (cpu))

#define VEC_TIMER 0x20
#define VEC_SERIAL 0x24
#define VEC_YIELD 0x81
#define VEC_PIC_BASE 0xE0 /* 0xE0-0xEF: the masked 8259s' stray interrupts */
#define VEC_IPI 0xF0
#define VEC_SPURIOUS 0xFF

/* What trap.S pushes, lowest address first. */
struct trap_frame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error;
  uint64_t rip, cs, rflags, rsp, ss;
};

/* console.c */
void console_init(void);
void putc_(char c);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);
void panic_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void serial_enable_irq(void);
void serial_irq(void);
void serial_poll(void);
int getc_nonblock(void);
extern volatile uint64_t serial_irq_bytes, serial_polled_bytes;

/* util */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
size_t strlen(const char *s);

/* cpu.c: GDT, TSS, IDT, per-CPU data */
struct cpu {
  struct cpu *self; /* at %gs:0, so this_cpu() needs no APIC access */
  int index;
  uint32_t apic_id;
  bool online;
  struct task *current;
  struct task *idle;
  volatile uint64_t ipi_count;
  volatile uint64_t timer_ticks;
};
extern struct cpu cpus[MAX_CPUS];
extern int cpus_online;
void cpu_tables_init(int cpu);
void idt_init(void);
static inline struct cpu *this_cpu(void) {
  struct cpu *c;
  __asm__ volatile("movq %%gs:0, %0" : "=r"(c));
  return c;
}
static inline uint64_t irq_save(void) {
  uint64_t f;
  __asm__ volatile("pushfq; popq %0; cli" : "=r"(f)::"memory");
  return f;
}
static inline void irq_restore(uint64_t f) {
  if (f & 0x200) __asm__ volatile("sti" ::: "memory");
}
static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
  __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}
static inline uint64_t rdtsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}
static inline uint64_t rdmsr(uint32_t msr) {
  uint32_t lo, hi;
  __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
  return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v) {
  __asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

/* msr.S: 0, or -1 when the MSR access raised #GP (cpu.c resumes after it). */
int rdmsr_safe(uint32_t msr, uint64_t *value);
int wrmsr_safe(uint32_t msr, uint64_t value);

struct spinlock {
  volatile uint32_t locked;
};
uint64_t spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags);

/* apic.c */
extern uint64_t lapic_base;
extern uint32_t lapic_timer_hz; /* the timer's input clock after its divider */
extern uint64_t tsc_hz;
extern const char *timer_calibration;
void lapic_init_bsp(void);
void lapic_init_ap(void);
void lapic_eoi(void);
uint32_t lapic_id(void);
void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low);
bool lapic_ipi_idle(void);
void lapic_timer_start(void);
void ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id);
void udelay(uint64_t us);

/* platform.c: ACPI, fw_cfg, PCI, power */
struct platform_info {
  int cpu_count;
  const char *cpu_count_source;
  uint32_t apic_ids[MAX_CPUS];
  uint64_t ioapic_base;
  uint16_t pm1a_cnt;
  const char *pm1a_source;
  uint64_t ram_bytes;
  const char *boot_loader;
};
extern struct platform_info platform;
void platform_init(uint32_t mb_magic, uint32_t mb_info);
void poweroff(void) __attribute__((noreturn));

/* sched.c */
enum task_state { TASK_FREE, TASK_READY, TASK_RUNNING, TASK_SLEEPING, TASK_DEAD };
struct task {
  int id;
  const char *name;
  enum task_state state;
  int affinity; /* CPU index, or -1 for any */
  int on_cpu;   /* CPU running it, or -1 */
  bool idle;
  uint64_t wake_tick;
  uint64_t run_ticks;
  volatile uint64_t progress;
  struct trap_frame ctx;
};
extern volatile uint64_t jiffies;
void sched_init_cpu(int cpu);
struct task *task_spawn(const char *name, void (*entry)(uint64_t), uint64_t arg, int affinity);
/* Why the scheduler runs: a timer tick (time slice over), a yield/sleep/exit, or a wakeup
 * (switch only if this CPU is idle). */
enum sched_reason { SCHED_TICK, SCHED_YIELD, SCHED_WAKE };
struct trap_frame *sched_tick(struct trap_frame *frame, enum sched_reason why);
void sleep_ticks(uint64_t ticks);
void yield(void);
void wake_task(struct task *t);
void tasks_print(void);
struct task *current_task(void);

/* smp.c */
int smp_start_cpu(int index);
void ap_main(void) __attribute__((noreturn));

/* shell.c */
void shell_task(uint64_t arg);
extern struct task *shell;

#endif
