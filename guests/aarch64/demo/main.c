/*
 * The AxVisor.ts demo guest for aarch64: a tiny EL1 operating system that exercises what a
 * hypervisor must provide — PSCI (CPU_ON for the second CPU, SYSTEM_OFF/RESET), the virtual
 * timer, a GIC (v2 or v3, whichever the device tree names) with SGIs between CPUs, the PL011
 * and a virtio-blk disk — and offers a shell to poke at each of them.
 */
#include "console.h"
#include "fdt.h"
#include "gic.h"
#include "psci.h"
#include "shell.h"
#include "virtio_blk.h"

#define TICK_HZ 20
#define SGI_PING 1
#define PPI_VTIMER 27
#define SPI_UART 33
#define EXC_IRQ 1

extern void secondary_entry(void);

static struct board_info board;
static unsigned long timer_hz;
static volatile unsigned long ticks;
static volatile unsigned long ipis[FDT_MAX_CPUS];
static volatile int cpu_online[FDT_MAX_CPUS];
static int disk_ok;
static unsigned char sector_buf[512] __attribute__((aligned(16)));

static inline unsigned long read_counter(void) {
    unsigned long t;
    asm volatile("isb; mrs %0, cntvct_el0" : "=r"(t));
    return t;
}

static inline unsigned long cpu_index(void) {
    unsigned long i;
    asm volatile("mrs %0, tpidr_el1" : "=r"(i));
    return i;
}

static void arm_timer(void) {
    asm volatile("msr cntv_tval_el0, %0" ::"r"(timer_hz / TICK_HZ));
    asm volatile("msr cntv_ctl_el0, %0" ::"r"(1UL));
    asm volatile("isb");
}

static void irq_enable(void) { asm volatile("msr daifclr, #2"); }

static void power_off(void) {
    psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
    for (;;) asm volatile("wfi");
}

static void handle_irq(void) {
    for (;;) {
        unsigned iar = gic_ack();
        unsigned intid = iar & 0x3ff;
        if (intid >= 1020) return;
        if (intid == PPI_VTIMER) {
            if (cpu_index() == 0) ticks++;
            arm_timer();
        } else if (intid == SGI_PING) {
            unsigned long i = cpu_index();
            if (i < FDT_MAX_CPUS) ipis[i]++;
        } else if (intid == SPI_UART) {
            console_rx_irq();
        }
        gic_eoi(iar);
    }
}

void exception_handler(unsigned long kind, unsigned long esr, unsigned long elr, unsigned long far) {
    if (kind == EXC_IRQ) {
        handle_irq();
        return;
    }
    printf_("\nunexpected exception %lu on CPU %lu: ESR=%lx ELR=%lx FAR=%lx\n", kind, cpu_index(),
            esr, elr, far);
    power_off();
}

static void print_psci(void) {
    long v = psci_call(PSCI_VERSION, 0, 0, 0);
    printf_("PSCI v%lu.%lu over %s\n", (unsigned long)v >> 16, (unsigned long)v & 0xffff,
            psci_conduit());
}

static unsigned long uptime_ms(void) { return read_counter() / (timer_hz / 1000); }

static void cmd_ipi(unsigned long target) {
    unsigned long before = ipis[target];
    gic_send_sgi(SGI_PING, board.cpu_mpidr[target], (int)target);
    unsigned long deadline = read_counter() + timer_hz;
    while (ipis[target] == before && read_counter() < deadline) asm volatile("wfi");
    if (ipis[target] != before) {
        printf_("IPI delivered to CPU %lu (count %lu)\n", target, ipis[target]);
    } else {
        printf_("IPI to CPU %lu not delivered within 1 s\n", target);
    }
}

static void cmd_blk(unsigned long sector) {
    if (!disk_ok) {
        puts_("no virtio-blk disk\n");
        return;
    }
    int rc = virtio_blk_read(sector, sector_buf);
    if (rc != 0) {
        printf_("read of sector %lu failed (%d)\n", sector, rc);
        return;
    }
    printf_("sector %lu:\n", sector);
    dump_bytes(sector_buf, 64);
}

static void cmd_help(void) {
    puts_("commands:\n"
          "  help            this list\n"
          "  info            PSCI version, GIC, CPUs, disk\n"
          "  uptime          time since boot and timer ticks\n"
          "  ipi [CPU]       send an SGI to a CPU\n"
          "  blk [SECTOR]    read and dump a disk sector\n"
          "  echo TEXT       print TEXT\n"
          "  poweroff        shut the VM down (PSCI SYSTEM_OFF)\n"
          "  reboot          reboot the VM (PSCI SYSTEM_RESET)\n");
}

static void run_command(char *line) {
    char *argv[4];
    int argc = split_args(line, argv, 4);
    if (argc == 0) return;
    int ok = 0;
    if (str_eq(argv[0], "help")) {
        cmd_help();
    } else if (str_eq(argv[0], "info")) {
        print_psci();
        int online = 0;
        for (int i = 0; i < FDT_MAX_CPUS; i++) online += cpu_online[i];
        printf_("GICv%d, distributor at 0x%lx\n", gic_version(), board.gicd);
        printf_("CPUs: %d in device tree, %d online; timer %lu Hz\n", board.cpu_count, online,
                timer_hz);
        if (disk_ok) printf_("disk: virtio-blk, %lu sectors\n", virtio_blk_capacity());
        else puts_("disk: none\n");
    } else if (str_eq(argv[0], "uptime")) {
        printf_("up %lu ms, %lu timer ticks\n", uptime_ms(), ticks);
    } else if (str_eq(argv[0], "ipi")) {
        unsigned long target = argc > 1 ? parse_num(argv[1], &ok) : cpu_index();
        if ((argc > 1 && !ok) || target >= FDT_MAX_CPUS || !cpu_online[target]) {
            puts_("usage: ipi [CPU] (an online CPU)\n");
        } else {
            cmd_ipi(target);
        }
    } else if (str_eq(argv[0], "blk")) {
        unsigned long sector = argc > 1 ? parse_num(argv[1], &ok) : 0;
        if (argc > 1 && !ok) puts_("usage: blk [SECTOR]\n");
        else cmd_blk(sector);
    } else if (str_eq(argv[0], "echo")) {
        for (int i = 1; i < argc; i++) printf_(i > 1 ? " %s" : "%s", argv[i]);
        puts_("\n");
    } else if (str_eq(argv[0], "poweroff")) {
        puts_("powering off\n");
        power_off();
    } else if (str_eq(argv[0], "reboot")) {
        puts_("rebooting\n");
        psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
    } else {
        printf_("unknown command '%s' (try help)\n", argv[0]);
    }
}

void secondary_main(unsigned long index) {
    gic_cpu_init(board.cpu_mpidr[index], (int)index);
    gic_enable(SGI_PING);
    irq_enable();
    cpu_online[index] = 1;
    for (;;) asm volatile("wfi");
}

static void start_secondaries(void) {
    for (int i = 1; i < board.cpu_count; i++) {
        long r = psci_call(PSCI_CPU_ON, board.cpu_mpidr[i], (unsigned long)secondary_entry,
                           (unsigned long)i);
        if (r != 0) {
            printf_("CPU %d: PSCI CPU_ON failed (%ld)\n", i, r);
            continue;
        }
        unsigned long deadline = read_counter() + timer_hz;
        while (!cpu_online[i] && read_counter() < deadline) asm volatile("nop");
        printf_("CPU %d (MPIDR 0x%lx): %s\n", i, board.cpu_mpidr[i],
                cpu_online[i] ? "online" : "did not come up");
    }
}

static void probe_disk(void) {
    for (int i = 0; i < board.virtio_count; i++) {
        if (virtio_probe(board.virtio_base[i]) != 2) continue;
        int rc = virtio_blk_init(board.virtio_base[i]);
        if (rc != 0) {
            printf_("virtio-blk at 0x%lx: init failed (%d)\n", board.virtio_base[i], rc);
            continue;
        }
        disk_ok = 1;
        printf_("virtio-blk at 0x%lx: %lu sectors\n", board.virtio_base[i], virtio_blk_capacity());
        if (virtio_blk_read(0, sector_buf) == 0) {
            printf_("disk sector 0 read: %02x %02x %02x %02x ... %02x %02x\n", sector_buf[0],
                    sector_buf[1], sector_buf[2], sector_buf[3], sector_buf[510], sector_buf[511]);
        } else {
            puts_("disk sector 0 read failed\n");
        }
        return;
    }
    puts_("no virtio-blk disk found\n");
}

void boot_main(const void *dtb) {
    int scanned = fdt_scan(dtb, &board);
    console_init(board.uart ? board.uart : 0x09000000UL);
    puts_("\n=== AxVisor.ts demo guest (aarch64, EL1) ===\n");
    if (scanned != 0 || board.gic_version == 0 || board.cpu_count == 0) {
        puts_("no usable device tree at x0 (need cpus and a GIC); stopping\n");
        power_off();
    }
    psci_init(board.psci_smc);
    unsigned long mpidr;
    asm volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    printf_("boot CPU MPIDR 0x%lx, device tree at %p\n", mpidr & 0xff00ffffffUL, dtb);
    print_psci();
    asm volatile("mrs %0, cntfrq_el0" : "=r"(timer_hz));
    if (timer_hz == 0) timer_hz = 62500000;

    gic_init(&board);
    gic_cpu_init(board.cpu_mpidr[0], 0);
    printf_("GICv%d: distributor at 0x%lx\n", gic_version(), board.gicd);
    gic_enable(SGI_PING);
    gic_enable(PPI_VTIMER);
    gic_enable(SPI_UART);
    cpu_online[0] = 1;
    irq_enable();

    unsigned long start = read_counter();
    arm_timer();
    while (ticks == 0) asm volatile("wfi");
    printf_("timer interrupt: first tick after %lu us\n", (read_counter() - start) * 1000000 / timer_hz);

    cmd_ipi(0);
    start_secondaries();
    probe_disk();
    shell_run("DEMO-READY\n", "demo> ", run_command);
}
