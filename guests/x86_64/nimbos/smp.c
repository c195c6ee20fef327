/*
 * Starting application processors: the real-mode trampoline goes below 1 MiB, then
 * INIT-SIPI-SIPI through the LAPIC's ICR (Intel SDM's universal start-up algorithm).
 */
#include "kernel.h"

#define AP_TRAMPOLINE 0x6000
#define AP_STACK 16384

extern char ap_trampoline[], ap_trampoline_end[], ap_cr3[], ap_stack[], ap_entry[];
static uint8_t ap_stacks[MAX_CPUS][AP_STACK] __attribute__((aligned(16)));
static volatile int starting_cpu;

static void *in_copy(char *sym) { return (void *)(uintptr_t)(AP_TRAMPOLINE + (sym - ap_trampoline)); }

void ap_main(void) {
  int index = starting_cpu;
  cpu_tables_init(index);
  lapic_init_ap();
  cpus[index].apic_id = lapic_id();
  sched_init_cpu(index);
  __atomic_fetch_add(&cpus_online, 1, __ATOMIC_SEQ_CST);
  cpus[index].online = true;
  lapic_timer_start();
  __asm__ volatile("sti");
  for (;;) __asm__ volatile("hlt");
}

/* Returns 0 when the CPU came up, -1 when it did not answer within a second. */
int smp_start_cpu(int index) {
  uint32_t apic = platform.apic_ids[index];
  memcpy((void *)AP_TRAMPOLINE, ap_trampoline, (size_t)(ap_trampoline_end - ap_trampoline));
  uint64_t cr3;
  __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
  *(volatile uint64_t *)in_copy(ap_cr3) = cr3;
  *(volatile uint64_t *)in_copy(ap_stack) = (uint64_t)&ap_stacks[index][AP_STACK];
  *(volatile uint64_t *)in_copy(ap_entry) = (uint64_t)ap_main;
  starting_cpu = index;
  __atomic_thread_fence(__ATOMIC_SEQ_CST);

  lapic_send_ipi(apic, 0x4500); /* INIT, level assert */
  udelay(10000);
  for (int sipi = 0; sipi < 2 && !cpus[index].online; sipi++) {
    lapic_send_ipi(apic, 0x4600 | (AP_TRAMPOLINE >> 12)); /* STARTUP, vector = page */
    udelay(200);
  }
  uint64_t deadline = jiffies + TIMER_HZ;
  while (!cpus[index].online && jiffies < deadline) sleep_ticks(1);
  return cpus[index].online ? 0 : -1;
}
