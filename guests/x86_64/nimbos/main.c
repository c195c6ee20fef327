/* NimbOS-x86: boot on the BSP, then the demo tasks. */
#include "kernel.h"

static void heartbeat_task(uint64_t arg) {
  (void)arg;
  for (;;) {
    sleep_ticks(TIMER_HZ);
    current_task()->progress++;
  }
}

/* CPU work in short bursts: counts primes, sleeping a tick after every 2000 candidates. */
static void primes_task(uint64_t arg) {
  (void)arg;
  for (uint64_t n = 2;; n++) {
    bool prime = true;
    for (uint64_t d = 2; d * d <= n; d++) {
      if (n % d == 0) {
        prime = false;
        break;
      }
    }
    if (prime) current_task()->progress++;
    if (n % 2000 == 0) sleep_ticks(1);
  }
}

/*
 * Firmware may leave the 8259s programmed with vectors 0x08-0x0F (SeaBIOS does) and a timer
 * interrupt pending: moved to 0xE0-0xEF and masked, a stray one cannot pose as an exception.
 */
static void pic_disable(void) {
  outb(0x20, 0x11); /* ICW1: edge, cascade, ICW4 follows */
  outb(0xA0, 0x11);
  outb(0x21, VEC_PIC_BASE);
  outb(0xA1, VEC_PIC_BASE + 8);
  outb(0x21, 0x04); /* slave on IRQ 2 */
  outb(0xA1, 0x02);
  outb(0x21, 0x01); /* 8086 mode */
  outb(0xA1, 0x01);
  outb(0x21, 0xFF); /* all masked: the IOAPIC delivers device interrupts */
  outb(0xA1, 0xFF);
}

void kmain(uint32_t mb_magic, uint32_t mb_info) {
  pic_disable();
  console_init();
  idt_init();
  cpu_tables_init(0);
  platform_init(mb_magic, mb_info);
  lapic_init_bsp();
  cpus[0].apic_id = lapic_id();
  cpus[0].online = true;
  cpus_online = 1;

  ioapic_route(4, VEC_SERIAL, cpus[0].apic_id);
  serial_enable_irq();

  kprintf("\nNimbOS-x86 %s: x86_64 long mode, %d CPU%s (%s), RAM %lu MiB, booted by '%s'\n",
          NIMBOS_VERSION, platform.cpu_count, platform.cpu_count == 1 ? "" : "s",
          platform.cpu_count_source, platform.ram_bytes >> 20, platform.boot_loader);
  if (mb_magic != 0x2BADB002) kprintf("NimbOS-x86: warning: not started by a multiboot loader (EAX=%x)\n", mb_magic);
  kprintf("NimbOS-x86: LAPIC timer %d Hz (clock %u Hz, %s), COM1 input on IRQ 4 via the IOAPIC\n",
          TIMER_HZ, lapic_timer_hz, timer_calibration);

  sched_init_cpu(0);
  shell = task_spawn("shell", shell_task, 0, -1);
  task_spawn("heartbeat", heartbeat_task, 0, -1);
  task_spawn("primes", primes_task, 0, -1);
  lapic_timer_start();
  __asm__ volatile("sti");
  for (;;) __asm__ volatile("hlt");
}
