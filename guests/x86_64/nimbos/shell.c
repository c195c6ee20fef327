/* The NimbOS-x86 shell: a task reading COM1 lines. */
#include "kernel.h"

#define LINE_MAX 80

struct task *shell;

static void cmd_help(const char *arg);
static void cmd_info(const char *arg);
static void cmd_uptime(const char *arg);
static void cmd_tasks(const char *arg);
static void cmd_ipi(const char *arg);
static void cmd_smp(const char *arg);
static void cmd_fault(const char *arg);
static void cmd_poweroff(const char *arg);

static const struct {
  const char *name, *help;
  void (*run)(const char *arg);
} commands[] = {
    {"help", "list the commands", cmd_help},
    {"info", "CPU and hypervisor vendor, CPUs, RAM, timer", cmd_info},
    {"uptime", "time since boot", cmd_uptime},
    {"tasks", "the kernel tasks and where they run", cmd_tasks},
    {"ipi", "ipi N: send an IPI to CPU N and wait for its answer", cmd_ipi},
    {"smp", "start the other CPUs (INIT-SIPI-SIPI) and a task on each", cmd_smp},
    {"fault", "run a task that executes an invalid opcode (it gets killed)", cmd_fault},
    {"poweroff", "power the machine off (ACPI S5)", cmd_poweroff},
};

static void cmd_help(const char *arg) {
  (void)arg;
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    kprintf("  %-9s %s\n", commands[i].name, commands[i].help);
}

static void vendor_string(uint32_t leaf, int order_bcd, char out[13]) {
  uint32_t r[4];
  cpuid(leaf, 0, r);
  /* leaf 0 spells EBX EDX ECX; the hypervisor leaf EBX ECX EDX */
  uint32_t regs[3] = {r[1], order_bcd ? r[2] : r[3], order_bcd ? r[3] : r[2]};
  memcpy(out, regs, 12);
  out[12] = 0;
}

static void cmd_info(const char *arg) {
  (void)arg;
  char vendor[13], brand[49] = {0};
  uint32_t r[4];
  vendor_string(0, 0, vendor);
  cpuid(0x80000000, 0, r);
  if (r[0] >= 0x80000004) {
    for (uint32_t i = 0; i < 3; i++) {
      cpuid(0x80000002 + i, 0, r);
      memcpy(brand + 16 * i, r, 16);
    }
  }
  const char *b = brand;
  while (*b == ' ') b++;
  kprintf("CPU vendor: %s%s%s%s\n", vendor, *b ? " (" : "", b, *b ? ")" : "");
  cpuid(1, 0, r);
  if (r[2] & (1u << 31)) {
    char hv[13];
    vendor_string(0x40000000, 1, hv);
    kprintf("hypervisor: %s\n", hv[0] ? hv : "present, no vendor leaf");
  } else {
    kprintf("hypervisor: none (CPUID.1:ECX bit 31 clear)\n");
  }
  kprintf("CPUs: %d online of %d (%s)\n", cpus_online, platform.cpu_count, platform.cpu_count_source);
  kprintf("RAM: %lu MiB (from '%s')\n", platform.ram_bytes >> 20, platform.boot_loader);
  kprintf("LAPIC: id %u at %lx, timer %d Hz from a %u Hz clock (%s), TSC %lu MHz\n", lapic_id(),
          lapic_base, TIMER_HZ, lapic_timer_hz, timer_calibration, tsc_hz / 1000000);
  kprintf("serial input: %lu bytes by IRQ 4, %lu polled\n", serial_irq_bytes, serial_polled_bytes);
  kprintf("poweroff: PM1a control port %x (%s)\n", platform.pm1a_cnt, platform.pm1a_source);
}

static void cmd_uptime(const char *arg) {
  (void)arg;
  uint64_t j = jiffies;
  kprintf("up %lu.%02lu s (%lu ticks at %d Hz)\n", j / TIMER_HZ, j % TIMER_HZ, j, TIMER_HZ);
}

static void cmd_tasks(const char *arg) {
  (void)arg;
  tasks_print();
}

static int parse_int(const char *s) {
  if (*s < '0' || *s > '9') return -1;
  int v = 0;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return *s ? -1 : v;
}

static void cmd_ipi(const char *arg) {
  int n = parse_int(arg);
  if (n < 0 || n >= MAX_CPUS) {
    kprintf("usage: ipi N (a CPU number, 0-%d)\n", MAX_CPUS - 1);
    return;
  }
  if (!cpus[n].online) {
    kprintf("ipi: CPU %d is not online (try 'smp')\n", n);
    return;
  }
  uint64_t before = cpus[n].ipi_count, t0 = rdtsc();
  lapic_send_ipi(cpus[n].apic_id, VEC_IPI); /* fixed delivery, physical destination */
  uint64_t deadline = jiffies + TIMER_HZ / 2;
  while (cpus[n].ipi_count == before && jiffies < deadline) {
    if (n == this_cpu()->index) continue; /* a self-IPI is taken as soon as IF allows */
    __asm__ volatile("pause");
  }
  if (cpus[n].ipi_count == before) {
    kprintf("ipi: CPU %d did not answer within 500 ms\n", n);
    return;
  }
  uint64_t us = (rdtsc() - t0) / (tsc_hz / 1000000 ? tsc_hz / 1000000 : 1);
  kprintf("ipi: CPU %d answered (vector %x from CPU %d, %lu us, %lu IPIs taken so far)\n", n,
          VEC_IPI, this_cpu()->index, us, cpus[n].ipi_count);
}

static void cpu_hello_task(uint64_t cpu) {
  kprintf("hello from CPU %lu (APIC ID %u), task '%s'\n", cpu, lapic_id(), current_task()->name);
  for (;;) {
    sleep_ticks(TIMER_HZ);
    current_task()->progress++;
  }
}

static void cmd_smp(const char *arg) {
  (void)arg;
  static const char *const hello_names[MAX_CPUS] = {"hello0", "hello1", "hello2", "hello3",
                                                    "hello4", "hello5", "hello6", "hello7"};
  if (platform.cpu_count < 2) {
    kprintf("smp: this machine has one CPU (%s); nothing to start\n", platform.cpu_count_source);
    return;
  }
  for (int i = 1; i < platform.cpu_count; i++) {
    if (cpus[i].online) {
      kprintf("smp: CPU %d is already online\n", i);
      continue;
    }
    if (smp_start_cpu(i) != 0) {
      kprintf("smp: CPU %d (APIC ID %u) did not start\n", i, platform.apic_ids[i]);
      continue;
    }
    kprintf("smp: CPU %d (APIC ID %u) is online\n", i, cpus[i].apic_id);
    task_spawn(hello_names[i], cpu_hello_task, (uint64_t)i, i);
  }
  sleep_ticks(TIMER_HZ / 10); /* let the hello tasks speak before the prompt */
  kprintf("smp: %d CPUs online\n", cpus_online);
}

static void faulty_task(uint64_t arg) {
  (void)arg;
  __asm__ volatile("ud2");
}

static void cmd_fault(const char *arg) {
  (void)arg;
  task_spawn("faulty", faulty_task, 0, -1);
  sleep_ticks(TIMER_HZ / 10);
}

static void cmd_poweroff(const char *arg) {
  (void)arg;
  poweroff();
}

static void run_line(char *line) {
  while (*line == ' ') line++;
  if (!*line) return;
  char *arg = line;
  while (*arg && *arg != ' ') arg++;
  if (*arg) *arg++ = 0;
  while (*arg == ' ') arg++;
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
    if (!strcmp(line, commands[i].name)) {
      commands[i].run(arg);
      return;
    }
  }
  kprintf("%s: unknown command (try 'help')\n", line);
}

void shell_task(uint64_t arg) {
  (void)arg;
  char line[LINE_MAX + 1];
  size_t len = 0;
  kprintf("Type 'help' for the commands.\nnimbos> ");
  for (;;) {
    int c = getc_nonblock();
    if (c < 0) {
      sleep_ticks(TIMER_HZ); /* the serial interrupt (or the timer's poll) wakes us */
      continue;
    }
    if (c == '\r' || c == '\n') {
      kprintf("\n");
      line[len] = 0;
      run_line(line);
      len = 0;
      kprintf("nimbos> ");
    } else if (c == 0x7F || c == 0x08) {
      if (len) {
        len--;
        kprintf("\b \b");
      }
    } else if (c >= 0x20 && c < 0x7F && len < LINE_MAX) {
      line[len++] = (char)c;
      kprintf("%c", c);
    }
  }
}
