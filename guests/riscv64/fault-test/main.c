/*
 * Misbehaving-guest test: does what a broken or hostile guest does - stores to and loads from
 * guest-physical addresses with nothing behind them, calls SBI functions that do not exist,
 * executes illegal and hypervisor-only instructions, jumps to an unmapped address - and checks
 * that each ends in the exception (or SBI error) real hardware and firmware would give. The
 * hypervisor must survive all of it, and so must every other VM.
 *
 * Prints one line per check and "FAULT-TEST PASS <n>" or "FAULT-TEST FAIL <k>/<n>", then
 * powers off through SRST with reason 0 (pass) or 1 (failure).
 */
#include "console.h"
#include "sbi.h"

#define CAUSE_FETCH_ACCESS 1
#define CAUSE_ILLEGAL 2
#define CAUSE_LOAD_ACCESS 5
#define CAUSE_STORE_ACCESS 7
#define ERR_NOT_SUPPORTED (-2)

/* Nothing is mapped here: below RAM, above the devices the config gives the guest. */
#define UNMAPPED 0x40000000UL
/* Between the UART (0x1000_0000 + 0x100) and the next device page: a device hole. */
#define DEVICE_HOLE 0x10000800UL
/* Just past the end of the guest's 16 MiB of RAM. */
#define PAST_RAM 0x81000000UL

static volatile unsigned long last_cause, last_tval, traps;
/* Where to continue after a trap the faulting instruction cannot be skipped for (a jump). */
static volatile unsigned long resume_at;
static int checks, failures;

void trap_handler(unsigned long cause, unsigned long tval, unsigned long epc) {
    last_cause = cause;
    last_tval = tval;
    traps++;
    unsigned long next;
    if (resume_at != 0) {
        next = resume_at;
        resume_at = 0;
    } else {
        /* Skip the faulting instruction: 2 bytes if compressed, else 4. */
        unsigned short low = *(volatile unsigned short *)epc;
        next = epc + ((low & 3) == 3 ? 4 : 2);
    }
    asm volatile("csrw sepc, %0" ::"r"(next));
}

static void check(int ok, const char *what, unsigned long got) {
    checks++;
    if (ok) {
        printf_("ok   %s\n", what);
    } else {
        failures++;
        printf_("FAIL %s (got 0x%lx)\n", what, got);
    }
}

static void expect_trap(unsigned long before, unsigned long cause, unsigned long tval, const char *what) {
    int ok = traps == before + 1 && last_cause == cause && (tval == ~0UL || last_tval == tval);
    check(ok, what, traps == before ? ~0UL : last_cause);
}

static void test_memory(void) {
    unsigned long n = traps;
    *(volatile unsigned int *)UNMAPPED = 0x1234;
    expect_trap(n, CAUSE_STORE_ACCESS, UNMAPPED, "store to an unmapped guest address -> store access fault");

    n = traps;
    (void)*(volatile unsigned int *)UNMAPPED;
    expect_trap(n, CAUSE_LOAD_ACCESS, UNMAPPED, "load from an unmapped guest address -> load access fault");

    n = traps;
    (void)*(volatile unsigned char *)DEVICE_HOLE;
    expect_trap(n, CAUSE_LOAD_ACCESS, DEVICE_HOLE, "read of a device hole -> load access fault");

    n = traps;
    *(volatile unsigned long *)DEVICE_HOLE = 1;
    expect_trap(n, CAUSE_STORE_ACCESS, DEVICE_HOLE, "write to a device hole -> store access fault");

    n = traps;
    (void)*(volatile unsigned long *)PAST_RAM;
    expect_trap(n, CAUSE_LOAD_ACCESS, PAST_RAM, "load past the end of RAM -> load access fault");
}

static void test_sbi(void) {
    struct sbiret r = sbi_call(0x0BADC0DE, 0, 0, 0, 0);
    check(r.error == ERR_NOT_SUPPORTED, "unknown SBI extension -> NOT_SUPPORTED", (unsigned long)r.error);
    r = sbi_call(SBI_EXT_BASE, 99, 0, 0, 0);
    check(r.error == ERR_NOT_SUPPORTED, "unknown BASE function -> NOT_SUPPORTED", (unsigned long)r.error);
    r = sbi_call(SBI_EXT_HSM, 42, 0, 0, 0);
    check(r.error == ERR_NOT_SUPPORTED, "unknown HSM function -> NOT_SUPPORTED", (unsigned long)r.error);
    check(sbi_legacy(0x0F, 0) == ERR_NOT_SUPPORTED, "unknown legacy call -> NOT_SUPPORTED", 0);
}

static void test_instructions(void) {
    unsigned long n = traps;
    asm volatile(".4byte 0xc0001073"); /* unimp: csrw cycle, zero (a read-only CSR) */
    expect_trap(n, CAUSE_ILLEGAL, ~0UL, "illegal instruction (write to cycle) -> illegal instruction");

    n = traps;
    asm volatile(".2byte 0x0000"); /* the all-zero compressed instruction is defined illegal */
    expect_trap(n, CAUSE_ILLEGAL, ~0UL, "all-zero instruction -> illegal instruction");

    n = traps;
    unsigned long v;
    asm volatile("csrr %0, 0x600" : "=r"(v)); /* hstatus: a virtual instruction in VS-mode */
    expect_trap(n, CAUSE_ILLEGAL, ~0UL, "read of hstatus (virtual instruction) -> illegal instruction");

    n = traps;
    asm volatile(".4byte 0x62000073"); /* hfence.gvma zero, zero */
    expect_trap(n, CAUSE_ILLEGAL, ~0UL, "hfence.gvma (virtual instruction) -> illegal instruction");

    n = traps;
    asm volatile("csrr %0, 0x300" : "=r"(v)); /* mstatus: M-mode only */
    expect_trap(n, CAUSE_ILLEGAL, ~0UL, "read of mstatus -> illegal instruction");
}

static void test_jump(void) {
    unsigned long n = traps;
    asm volatile(
        "la t0, 1f\n"
        "sd t0, %0\n"
        "li t1, %1\n"
        "jr t1\n"
        "1:\n"
        : "=m"(resume_at)
        : "i"(UNMAPPED)
        : "t0", "t1", "memory");
    expect_trap(n, CAUSE_FETCH_ACCESS, UNMAPPED, "jump to an unmapped address -> instruction access fault");
}

void secondary_main(unsigned long hartid) {
    (void)hartid;
    for (;;) asm volatile("wfi");
}

void boot_main(unsigned long hartid, const void *dtb) {
    (void)hartid;
    (void)dtb;
    console_init();
    puts_("FAULT-TEST start\n");
    test_memory();
    test_sbi();
    test_instructions();
    test_jump();
    if (failures == 0) printf_("FAULT-TEST PASS %d\n", checks);
    else printf_("FAULT-TEST FAIL %d/%d\n", failures, checks);
    sbi_call(SBI_EXT_SRST, 0, 0, failures == 0 ? 0 : 1, 0);
    for (;;) asm volatile("wfi");
}
