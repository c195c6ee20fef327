/*
 * Parallel compute guest: every hart of the VM counts through the integer loop (addi, addi,
 * bnez: three instructions per iteration) `par.n=<iterations>` times (bootargs; 20 000 000 by
 * default), prints its own line, adds 1 to a join counter with AMOADD and, on the boot hart,
 * waits for every hart to join, prints "PARALLEL-TEST PASS <harts> <iterations>" and powers
 * off through SRST with reason 0 ("PARALLEL-TEST FAIL ..." and reason 1 if a hart miscounted
 * or did not arrive). The time from start to power-off is what 2 host threads should halve.
 *
 * Test switches (bootargs): par.lines=<n> makes every hart print n more numbered lines, all
 * harts at once, each line under a spinlock (as a kernel's console lock would), so a console
 * that drops or splits lines shows it; par.fault=1 makes the last hart load from a
 * guest-physical address with no memory (the access fault ends the run through the trap
 * handler: FAIL, reason 1); par.reboot=1 asks SRST for a warm reboot instead of a shutdown;
 * par.uart=1 prints the numbered lines through the 16550 UART at 0x1000_0000 instead of the
 * SBI console (a device both harts use at once).
 */
#include "console.h"
#include "fdt.h"
#include "sbi.h"

#define DEFAULT_ITERATIONS 20000000UL
#define MAX_HARTS 8

static struct board_info board;
static unsigned long iterations = DEFAULT_ITERATIONS;
static volatile int joined;
static volatile unsigned long counted[MAX_HARTS];

extern void _start(void);

static volatile int print_lock;
static unsigned long lines, fault, reboot, uart;

#define UART_BASE 0x10000000UL
#define UART_LSR_THRE 0x20

static void uart_putc(char c) {
    volatile unsigned char *u = (volatile unsigned char *)UART_BASE;
    while ((u[5] & UART_LSR_THRE) == 0) asm volatile("nop");
    u[0] = (unsigned char)c;
}

static void uart_puts(const char *s) {
    for (; *s; s++) {
        if (*s == '\n') uart_putc('\r');
        uart_putc(*s);
    }
}

static void uart_putu(unsigned long n) {
    char buf[24];
    int i = 0;
    do buf[i++] = (char)('0' + n % 10), n /= 10;
    while (n);
    while (i) uart_putc(buf[--i]);
}

/* The value of `key` (e.g. "par.n=") in the bootargs, or `fallback`. */
static unsigned long arg_value(const char *args, const char *key, unsigned long fallback) {
    if (!args) return fallback;
    for (const char *p = args; *p; p++) {
        if (p != args && p[-1] != ' ') continue;
        const char *a = p;
        const char *k = key;
        while (*k && *a == *k) a++, k++;
        if (*k) continue;
        unsigned long n = 0;
        while (*a >= '0' && *a <= '9') n = n * 10 + (unsigned long)(*a++ - '0');
        return n;
    }
    return fallback;
}

static void lock(void) {
    while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE)) asm volatile("nop");
}

static void unlock(void) { __atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE); }

/* The loop in assembly so its shape (and instruction count) does not depend on the compiler. */
static unsigned long count_to(unsigned long n) {
    unsigned long done = 0;
    asm volatile("1: addi %0, %0, -1\n"
                 "   addi %1, %1, 1\n"
                 "   bnez %0, 1b\n"
                 : "+r"(n), "+r"(done));
    return done;
}

static void work(unsigned long hartid) {
    unsigned long n = count_to(iterations);
    if (hartid < MAX_HARTS) counted[hartid] = n;
    /* One line per hart, written by that hart: the console must keep each line whole. */
    lock();
    printf_("hart %lu counted %lu\n", hartid, n);
    unlock();
    for (unsigned long i = 0; i < lines; i++) {
        lock();
        if (uart) {
            uart_puts("hart ");
            uart_putu(hartid);
            uart_puts(" line ");
            uart_putu(i + 1);
            uart_puts(" of ");
            uart_putu(lines);
            uart_puts(": the quick brown fox jumps over the lazy dog\n");
            unlock();
            continue;
        }
        printf_("hart %lu line %lu of %lu: the quick brown fox jumps over the lazy dog\n", hartid, i + 1, lines);
        unlock();
    }
    if (fault && hartid + 1 == (unsigned long)board.cpu_count) {
        /* Below the guest's RAM and devices: nothing is there. */
        (void)*(volatile unsigned long *)0x100000UL;
    }
    __atomic_fetch_add(&joined, 1, __ATOMIC_SEQ_CST);
}

/* No interrupts are enabled: any trap is a fault, which fails the run. */
void trap_handler(unsigned long cause, unsigned long tval, unsigned long epc) {
    lock();
    printf_("PARALLEL-TEST FAIL trap scause=%lx stval=%lx sepc=%lx\n", cause, tval, epc);
    sbi_call(SBI_EXT_SRST, 0, 0, 1, 0);
    for (;;) asm volatile("wfi");
}

void secondary_main(unsigned long hartid, unsigned long opaque) {
    (void)opaque;
    work(hartid);
    sbi_call(SBI_EXT_HSM, 1, 0, 0, 0); /* hart_stop: never returns on success */
    for (;;) asm volatile("wfi");
}

void boot_main(unsigned long hartid, const void *dtb) {
    console_init();
    if (fdt_scan(dtb, &board) != 0) {
        board.cpu_count = 1;
        board.bootargs = 0;
    }
    iterations = arg_value(board.bootargs, "par.n=", DEFAULT_ITERATIONS);
    if (iterations == 0) iterations = DEFAULT_ITERATIONS;
    lines = arg_value(board.bootargs, "par.lines=", 0);
    fault = arg_value(board.bootargs, "par.fault=", 0);
    reboot = arg_value(board.bootargs, "par.reboot=", 0);
    uart = arg_value(board.bootargs, "par.uart=", 0);
    int harts = board.cpu_count > MAX_HARTS ? MAX_HARTS : board.cpu_count;
    printf_("PARALLEL-TEST start: %d harts, %lu iterations each\n", harts, iterations);
    int started = 1;
    for (int h = 0; h < harts; h++) {
        if ((unsigned long)h == hartid) continue;
        struct sbiret r = sbi_call(SBI_EXT_HSM, 0, (unsigned long)h, (unsigned long)_start, 0);
        if (r.error == 0) started++;
        else printf_("hart %d did not start: error %ld\n", h, r.error);
    }
    work(hartid);
    while (__atomic_load_n(&joined, __ATOMIC_SEQ_CST) != started) asm volatile("nop");
    int bad = started != harts;
    for (int h = 0; h < harts; h++) bad |= counted[h] != iterations;
    if (bad) printf_("PARALLEL-TEST FAIL %d/%d harts joined\n", started, harts);
    else printf_("PARALLEL-TEST PASS %d %lu\n", harts, iterations);
    sbi_call(SBI_EXT_SRST, 0, reboot ? 2 : 0, bad ? 1 : 0, 0);
    for (;;) asm volatile("wfi");
}
