/*
 * The AxVisor.ts demo guest: a tiny S-mode operating system that exercises what a hypervisor
 * must provide — the SBI console, timer interrupts, IPIs, HSM for secondary harts, and a
 * virtio-blk disk — and offers a shell to poke at each of them.
 */
#include "console.h"
#include "fdt.h"
#include "sbi.h"
#include "shell.h"
#include "virtio_blk.h"

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SSTATUS_SIE (1UL << 1)
#define CAUSE_INTERRUPT (1UL << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define TICK_HZ 20
#define MAX_HARTS 8

extern void _start(void);

static struct board_info board;
static unsigned long boot_hart;
static volatile unsigned long ticks;
static volatile unsigned long ipis[MAX_HARTS];
static volatile int hart_online[MAX_HARTS];
static unsigned long tick_interval;
static int disk_ok;
static unsigned char sector_buf[512] __attribute__((aligned(16)));

static inline unsigned long read_time(void) {
    unsigned long t;
    asm volatile("rdtime %0" : "=r"(t));
    return t;
}

static inline unsigned long hart_id(void) {
    unsigned long id;
    asm volatile("mv %0, tp" : "=r"(id));
    return id;
}

static void set_timer(unsigned long when) { sbi_call(SBI_EXT_TIME, 0, when, 0, 0); }

void trap_handler(unsigned long cause, unsigned long tval, unsigned long epc) {
    if (cause & CAUSE_INTERRUPT) {
        unsigned long irq = cause & ~CAUSE_INTERRUPT;
        if (irq == IRQ_S_TIMER) {
            ticks++;
            set_timer(read_time() + tick_interval);
            return;
        }
        if (irq == IRQ_S_SOFT) {
            asm volatile("csrc sip, %0" ::"r"(SIE_SSIE));
            unsigned long id = hart_id();
            if (id < MAX_HARTS) ipis[id]++;
            return;
        }
    }
    printf_("\nunexpected trap: scause=%lx stval=%lx sepc=%lx\n", cause, tval, epc);
    sbi_call(SBI_EXT_SRST, 0, 0, 1, 0);
    for (;;) asm volatile("wfi");
}

static void enable_interrupts(unsigned long mask) {
    asm volatile("csrs sie, %0" ::"r"(mask));
    asm volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
}

static void print_sbi_info(void) {
    struct sbiret spec = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);
    struct sbiret impl = sbi_call(SBI_EXT_BASE, 1, 0, 0, 0);
    struct sbiret ver = sbi_call(SBI_EXT_BASE, 2, 0, 0, 0);
    printf_("SBI v%lu.%lu, implementation %lu version 0x%lx, console %s\n",
            (unsigned long)spec.value >> 24, (unsigned long)spec.value & 0xffffff, impl.value,
            ver.value, console_uses_dbcn() ? "DBCN" : "legacy");
}

static unsigned long uptime_ms(void) { return read_time() / (board.timebase / 1000); }

static void cmd_ipi(unsigned long target) {
    unsigned long before = ipis[target];
    struct sbiret r = sbi_call(SBI_EXT_IPI, 0, 1UL << target, 0, 0);
    if (r.error != 0) {
        printf_("send_ipi failed: error %ld\n", r.error);
        return;
    }
    unsigned long deadline = read_time() + board.timebase;
    while (ipis[target] == before && read_time() < deadline) asm volatile("wfi");
    if (ipis[target] != before) {
        printf_("IPI delivered to hart %lu (count %lu)\n", target, ipis[target]);
    } else {
        printf_("IPI to hart %lu not delivered within 1 s\n", target);
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
          "  info            SBI version, harts, disk\n"
          "  uptime          time since boot and timer ticks\n"
          "  ipi [HART]      send an inter-processor interrupt\n"
          "  blk [SECTOR]    read and dump a disk sector\n"
          "  echo TEXT       print TEXT\n"
          "  poweroff        shut the VM down (SBI SRST)\n"
          "  reboot          reboot the VM (SBI SRST)\n");
}

static void run_command(char *line) {
    char *argv[4];
    int argc = split_args(line, argv, 4);
    if (argc == 0) return;
    int ok = 0;
    if (str_eq(argv[0], "help")) {
        cmd_help();
    } else if (str_eq(argv[0], "info")) {
        print_sbi_info();
        int online = 0;
        for (int i = 0; i < MAX_HARTS; i++) online += hart_online[i];
        printf_("harts: %d in device tree, %d online; timebase %lu Hz\n", board.cpu_count, online,
                board.timebase);
        if (disk_ok) printf_("disk: virtio-blk, %lu sectors\n", virtio_blk_capacity());
        else puts_("disk: none\n");
    } else if (str_eq(argv[0], "uptime")) {
        printf_("up %lu ms, %lu timer ticks\n", uptime_ms(), ticks);
    } else if (str_eq(argv[0], "ipi")) {
        unsigned long target = argc > 1 ? parse_num(argv[1], &ok) : boot_hart;
        if ((argc > 1 && !ok) || target >= MAX_HARTS || !hart_online[target]) {
            puts_("usage: ipi [HART] (an online hart)\n");
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
        sbi_call(SBI_EXT_SRST, 0, 0, 0, 0);
        sbi_legacy(0x08, 0);
    } else if (str_eq(argv[0], "reboot")) {
        puts_("rebooting\n");
        sbi_call(SBI_EXT_SRST, 0, 1, 0, 0);
    } else {
        printf_("unknown command '%s' (try help)\n", argv[0]);
    }
}

void secondary_main(unsigned long hartid) {
    asm volatile("mv tp, %0" ::"r"(hartid));
    if (hartid < MAX_HARTS) hart_online[hartid] = 1;
    enable_interrupts(SIE_SSIE);
    for (;;) asm volatile("wfi");
}

static void start_secondaries(void) {
    for (unsigned long h = 0; h < (unsigned long)board.cpu_count && h < MAX_HARTS; h++) {
        if (h == boot_hart) continue;
        struct sbiret r = sbi_call(SBI_EXT_HSM, 0, h, (unsigned long)_start, 0);
        if (r.error != 0) {
            printf_("hart %lu: hart_start failed (%ld)\n", h, r.error);
            continue;
        }
        unsigned long deadline = read_time() + board.timebase;
        while (!hart_online[h] && read_time() < deadline) asm volatile("nop");
        printf_("hart %lu: %s\n", h, hart_online[h] ? "online" : "did not come up");
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

void boot_main(unsigned long hartid, const void *dtb) {
    asm volatile("mv tp, %0" ::"r"(hartid));
    boot_hart = hartid;
    console_init();
    puts_("\n=== AxVisor.ts demo guest (riscv64, S-mode) ===\n");
    if (fdt_scan(dtb, &board) != 0) {
        puts_("no device tree at a1; assuming one hart, 10 MHz timebase\n");
        board.timebase = 10000000;
        board.cpu_count = 1;
        board.virtio_count = 0;
    }
    printf_("boot hart %lu, device tree at %p\n", hartid, dtb);
    print_sbi_info();
    if (hartid < MAX_HARTS) hart_online[hartid] = 1;

    tick_interval = board.timebase / TICK_HZ;
    enable_interrupts(SIE_STIE | SIE_SSIE);
    unsigned long start = read_time();
    set_timer(start + tick_interval);
    while (ticks == 0) asm volatile("wfi");
    printf_("timer interrupt: first tick after %lu us\n", (read_time() - start) * 1000000 / board.timebase);

    cmd_ipi(hartid);
    start_secondaries();
    probe_disk();
    shell_run("DEMO-READY\n", "demo> ", run_command);
}
