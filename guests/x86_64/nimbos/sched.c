/*
 * Kernel tasks and a round-robin scheduler shared by every CPU. A task's context is the trap
 * frame it was interrupted with: switching copies the current frame out and the next task's
 * in (interrupts run on per-CPU IST stacks, so no task's stack is in use while it is switched
 * away). The LAPIC timer's tick ends a time slice; sleeping tasks wake on jiffies.
 */
#include "kernel.h"

#define STACK_SIZE 16384

static struct task tasks[MAX_TASKS];
static uint8_t stacks[MAX_TASKS][STACK_SIZE] __attribute__((aligned(16)));
static struct spinlock sched_lock;
static int next_id = 1;
volatile uint64_t jiffies;

static const char *const state_names[] = {"free", "ready", "running", "sleeping", "dead"};

struct task *current_task(void) { return this_cpu()->current; }

static struct task *alloc_slot(void) {
  for (int i = 0; i < MAX_TASKS; i++) {
    struct task *t = &tasks[i];
    if ((t->state == TASK_FREE || t->state == TASK_DEAD) && t->on_cpu < 0) return t;
  }
  return 0;
}

/* The code running on this CPU now (kmain or ap_main) becomes its idle task. */
void sched_init_cpu(int cpu) {
  if (cpu == 0) {
    for (int i = 0; i < MAX_TASKS; i++) tasks[i].on_cpu = -1;
  }
  uint64_t f = spin_lock_irqsave(&sched_lock);
  struct task *t = alloc_slot();
  static const char *const idle_names[MAX_CPUS] = {"idle0", "idle1", "idle2", "idle3",
                                                   "idle4", "idle5", "idle6", "idle7"};
  memset(t, 0, sizeof *t);
  t->id = next_id++;
  t->name = idle_names[cpu];
  t->state = TASK_RUNNING;
  t->affinity = cpu;
  t->on_cpu = cpu;
  t->idle = true;
  cpus[cpu].idle = t;
  cpus[cpu].current = t;
  spin_unlock_irqrestore(&sched_lock, f);
}

static void task_exit(void) {
  uint64_t f = spin_lock_irqsave(&sched_lock);
  current_task()->state = TASK_DEAD;
  spin_unlock_irqrestore(&sched_lock, f);
  for (;;) yield();
}

struct task *task_spawn(const char *name, void (*entry)(uint64_t), uint64_t arg, int affinity) {
  uint64_t f = spin_lock_irqsave(&sched_lock);
  struct task *t = alloc_slot();
  if (!t) {
    spin_unlock_irqrestore(&sched_lock, f);
    return 0;
  }
  int slot = (int)(t - tasks);
  memset(t, 0, sizeof *t);
  t->id = next_id++;
  t->name = name;
  t->affinity = affinity;
  t->on_cpu = -1;
  uint64_t *top = (uint64_t *)&stacks[slot][STACK_SIZE];
  top[-1] = 0;
  top[-2] = (uint64_t)task_exit; /* where entry returns to */
  t->ctx.rip = (uint64_t)entry;
  t->ctx.rdi = arg;
  t->ctx.cs = KERNEL_CS;
  t->ctx.ss = KERNEL_DS;
  t->ctx.rflags = 0x202; /* IF */
  t->ctx.rsp = (uint64_t)&top[-2];
  t->state = TASK_READY;
  spin_unlock_irqrestore(&sched_lock, f);
  return t;
}

static bool runnable_here(const struct task *t, int cpu) {
  return t->state == TASK_READY && !t->idle && t->on_cpu < 0 && (t->affinity < 0 || t->affinity == cpu);
}

struct trap_frame *sched_tick(struct trap_frame *frame, enum sched_reason why) {
  struct cpu *c = this_cpu();
  struct task *cur = c->current;
  if (!cur) return frame;
  uint64_t f = spin_lock_irqsave(&sched_lock);
  if (why == SCHED_TICK) cur->run_ticks++;
  for (int i = 0; i < MAX_TASKS; i++) {
    struct task *t = &tasks[i];
    if (t->state == TASK_SLEEPING && t->wake_tick <= jiffies) t->state = TASK_READY;
  }
  struct task *next = 0;
  bool keep = why == SCHED_WAKE && !cur->idle && cur->state == TASK_RUNNING;
  if (!keep) {
    int start = (int)(cur - tasks);
    for (int i = 1; i <= MAX_TASKS && !next; i++) {
      struct task *t = &tasks[(start + i) % MAX_TASKS];
      if (t == cur ? (cur->state == TASK_RUNNING || cur->state == TASK_READY) && !cur->idle
                   : runnable_here(t, c->index)) {
        next = t;
      }
    }
  }
  if (!next) next = cur->state == TASK_RUNNING || (cur->state == TASK_READY && cur->idle) ? cur : c->idle;
  if (next != cur) {
    cur->ctx = *frame;
    if (cur->state == TASK_RUNNING) cur->state = TASK_READY;
    cur->on_cpu = -1;
    *frame = next->ctx;
  }
  next->state = TASK_RUNNING;
  next->on_cpu = c->index;
  c->current = next;
  spin_unlock_irqrestore(&sched_lock, f);
  return frame;
}

void yield(void) { __asm__ volatile("int %0" ::"i"(VEC_YIELD) : "memory"); }

void sleep_ticks(uint64_t ticks) {
  uint64_t f = spin_lock_irqsave(&sched_lock);
  struct task *t = current_task();
  t->wake_tick = jiffies + ticks;
  t->state = TASK_SLEEPING;
  spin_unlock_irqrestore(&sched_lock, f);
  yield();
}

void wake_task(struct task *t) {
  uint64_t f = spin_lock_irqsave(&sched_lock);
  if (t->state == TASK_SLEEPING) t->state = TASK_READY;
  spin_unlock_irqrestore(&sched_lock, f);
}

void tasks_print(void) {
  kprintf("  ID  NAME          STATE     CPU  TICKS   PROGRESS\n");
  for (int i = 0; i < MAX_TASKS; i++) {
    struct task t = tasks[i]; /* a snapshot: printing must not hold the scheduler lock */
    if (t.state == TASK_FREE || t.state == TASK_DEAD) continue;
    char cpu[4] = {'-', 0, 0, 0};
    if (t.on_cpu >= 0) cpu[0] = (char)('0' + t.on_cpu);
    kprintf("  %2d  %-12s  %-8s  %-3s  %6lu  %lu\n", t.id, t.name, state_names[t.state], cpu,
            t.run_ticks, t.progress);
  }
}
