/*
 * SBI conformance guest: calls every SBI function the hypervisor offers and checks each
 * result, including the error cases. It prints one line per check and ends with
 * "SBI-TEST PASS <n>" or "SBI-TEST FAIL <failed>/<n>", then powers off through SRST with
 * reason 0 (pass) or 1 (system failure), so a VMM reports pass or fail as its exit status.
 */
#include "console.h"
#include "fdt.h"
#include "sbi.h"

#define SIE_SSIE (1UL << 1)
#define SIE_STIE (1UL << 5)
#define SIP_SSIP (1UL << 1)
#define SIP_STIP (1UL << 5)
#define SSTATUS_SIE (1UL << 1)
#define CAUSE_INTERRUPT (1UL << 63)

#define ERR_NOT_SUPPORTED (-2)
#define ERR_INVALID_PARAM (-3)
#define ERR_INVALID_ADDRESS (-5)
#define ERR_ALREADY_AVAILABLE (-6)

#define ERR_DENIED (-4)

#define SBI_EXT_SUSP 0x53555350
#define SBI_EXT_STA 0x535441
#define SUSPEND_NON_RETENTIVE 0x80000000UL

#define AXVISOR_IMPL_ID 0x41585654
#define EID_AXVISOR_HVC 0x485643

static struct board_info board;
extern void trap_entry(void);
static unsigned long hart;
static volatile unsigned long timer_irqs, soft_irqs;
static volatile unsigned long secondary_opaque, secondary_hartid = ~0UL;
static int checks, failures, ours;
static volatile int secondary_spin;

/*
 * Non-retentive suspend (HSM hart_suspend 0x8000_0000, SUSP system_suspend) returns through
 * resume_addr, not after the ecall. nonret_call(eid, fid, type) saves the callee-saved state,
 * makes the call with resume_addr = nonret_resume and opaque = &nonret_ctx, and returns the
 * SBI error if the call returned; nonret_resume records a0, a1, satp and sstatus as the hart
 * resumed, restores the state and returns 1 from nonret_call.
 */
unsigned long nonret_ctx[17];
volatile unsigned long nonret_seen[4];
long nonret_call(unsigned long eid, unsigned long fid, unsigned long type);
asm(".section .text\n"
    ".option push\n"
    ".option norelax\n"
    ".globl nonret_call\n"
    "nonret_call:\n"
    "  lla t0, nonret_ctx\n"
    "  sd ra, 0(t0)\n  sd sp, 8(t0)\n  sd s0, 16(t0)\n  sd s1, 24(t0)\n"
    "  sd s2, 32(t0)\n  sd s3, 40(t0)\n  sd s4, 48(t0)\n  sd s5, 56(t0)\n"
    "  sd s6, 64(t0)\n  sd s7, 72(t0)\n  sd s8, 80(t0)\n  sd s9, 88(t0)\n"
    "  sd s10, 96(t0)\n  sd s11, 104(t0)\n  sd gp, 112(t0)\n  sd tp, 120(t0)\n"
    "  csrr t1, sie\n  sd t1, 128(t0)\n"
    "  mv a7, a0\n  mv a6, a1\n  mv a0, a2\n"
    "  lla a1, nonret_resume\n  mv a2, t0\n"
    "  ecall\n"
    "  ret\n"
    "nonret_resume:\n"
    "  lla t0, nonret_seen\n"
    "  sd a0, 0(t0)\n  sd a1, 8(t0)\n"
    "  csrr t1, satp\n  sd t1, 16(t0)\n  csrr t1, sstatus\n  sd t1, 24(t0)\n"
    "  lla t0, nonret_ctx\n"
    "  ld ra, 0(t0)\n  ld sp, 8(t0)\n  ld s0, 16(t0)\n  ld s1, 24(t0)\n"
    "  ld s2, 32(t0)\n  ld s3, 40(t0)\n  ld s4, 48(t0)\n  ld s5, 56(t0)\n"
    "  ld s6, 64(t0)\n  ld s7, 72(t0)\n  ld s8, 80(t0)\n  ld s9, 88(t0)\n"
    "  ld s10, 96(t0)\n  ld s11, 104(t0)\n  ld gp, 112(t0)\n  ld tp, 120(t0)\n"
    "  ld t1, 128(t0)\n  csrw sie, t1\n"
    "  lla t1, trap_entry\n  csrw stvec, t1\n"
    "  li a0, 1\n"
    "  ret\n"
    ".option pop\n");

static inline unsigned long now(void) {
    unsigned long t;
    asm volatile("rdtime %0" : "=r"(t));
    return t;
}

static inline unsigned long read_sip(void) {
    unsigned long v;
    asm volatile("csrr %0, sip" : "=r"(v));
    return v;
}

void trap_handler(unsigned long cause, unsigned long tval, unsigned long epc) {
    if (cause == (CAUSE_INTERRUPT | 5)) {
        timer_irqs++;
        sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0); /* disarm: the next check arms its own */
        return;
    }
    if (cause == (CAUSE_INTERRUPT | 1)) {
        soft_irqs++;
        asm volatile("csrc sip, %0" ::"r"(SIP_SSIP));
        return;
    }
    printf_("FAIL unexpected trap scause=%lx stval=%lx sepc=%lx\n", cause, tval, epc);
    sbi_call(SBI_EXT_SRST, 0, 0, 1, 0);
    for (;;) asm volatile("wfi");
}

static void check(int ok, const char *what, long got) {
    checks++;
    if (ok) {
        printf_("ok %d %s\n", checks, what);
    } else {
        failures++;
        printf_("FAIL %d %s (got %ld / 0x%lx)\n", checks, what, got, (unsigned long)got);
    }
}

static void expect_ret(struct sbiret r, long error, const char *what) { check(r.error == error, what, r.error); }

/* Waits up to `us` microseconds for a counter to move past `before`. */
static int wait_for(volatile unsigned long *counter, unsigned long before, unsigned long us) {
    unsigned long deadline = now() + us * (board.timebase / 1000000);
    while (*counter == before && now() < deadline) asm volatile("nop");
    return *counter != before;
}

static void test_base(void) {
    struct sbiret r = sbi_call(SBI_EXT_BASE, 1, 0, 0, 0);
    ours = r.error == 0 && r.value == AXVISOR_IMPL_ID;
    check(r.error == 0, "base: get_impl_id", r.error);
    r = sbi_call(SBI_EXT_BASE, 0, 0, 0, 0);
    check(r.error == 0 && (ours ? r.value == 0x02000000 : r.value >= 1), "base: get_spec_version (2.0 from AxVisor.ts)", r.value);
    r = sbi_call(SBI_EXT_BASE, 2, 0, 0, 0);
    check(r.error == 0 && r.value != 0, "base: get_impl_version", r.value);
    static const unsigned long exts[] = {SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST};
    for (unsigned i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        r = sbi_call(SBI_EXT_BASE, 3, exts[i], 0, 0);
        check(r.error == 0 && r.value != 0, "base: probe_extension reports a required extension", (long)exts[i]);
    }
    if (ours) {
        r = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0);
        check(r.error == 0 && r.value == 1, "base: probe_extension(DBCN)", r.value);
        r = sbi_call(SBI_EXT_BASE, 3, EID_AXVISOR_HVC, 0, 0);
        check(r.error == 0 && r.value == 1, "base: probe_extension(AxVisor HVC)", r.value);
    }
    r = sbi_call(SBI_EXT_BASE, 3, 0x0bad0000, 0, 0);
    check(r.error == 0 && r.value == 0, "base: probe_extension(unknown) = 0", r.value);
    for (unsigned long fid = 4; fid <= 6; fid++) {
        r = sbi_call(SBI_EXT_BASE, fid, 0, 0, 0);
        check(r.error == 0, "base: get_mvendorid/marchid/mimpid", r.error);
    }
    expect_ret(sbi_call(SBI_EXT_BASE, 42, 0, 0, 0), ERR_NOT_SUPPORTED, "base: unknown function -> NOT_SUPPORTED");
    expect_ret(sbi_call(0x0bad0000, 0, 0, 0, 0), ERR_NOT_SUPPORTED, "unknown extension -> NOT_SUPPORTED");
}

static void test_time(void) {
    unsigned long before = timer_irqs;
    struct sbiret r = sbi_call(SBI_EXT_TIME, 0, now() + board.timebase / 1000, 0, 0);
    check(r.error == 0 && wait_for(&timer_irqs, before, 500000), "time: set_timer(now + 1 ms) interrupts", r.error);
    before = timer_irqs;
    r = sbi_call(SBI_EXT_TIME, 0, ~0UL, 0, 0);
    check(r.error == 0 && !wait_for(&timer_irqs, before, 20000) && !(read_sip() & SIP_STIP),
          "time: set_timer(-1) never fires", (long)timer_irqs);
    before = timer_irqs;
    r = sbi_call(SBI_EXT_TIME, 0, 0, 0, 0);
    check(r.error == 0 && wait_for(&timer_irqs, before, 500000), "time: set_timer(past) fires at once", r.error);
    before = timer_irqs;
    sbi_legacy(0x00, now() + board.timebase / 1000);
    check(wait_for(&timer_irqs, before, 500000), "legacy: set_timer interrupts", (long)timer_irqs);
}

static void test_ipi(void) {
    unsigned long before = soft_irqs;
    struct sbiret r = sbi_call(SBI_EXT_IPI, 0, 1UL << hart, 0, 0);
    check(r.error == 0 && wait_for(&soft_irqs, before, 500000), "ipi: send_ipi(self)", r.error);
    before = soft_irqs;
    r = sbi_call(SBI_EXT_IPI, 0, 0, ~0UL, 0);
    check(r.error == 0 && wait_for(&soft_irqs, before, 500000), "ipi: send_ipi(all harts, base -1)", r.error);
    expect_ret(sbi_call(SBI_EXT_IPI, 0, 1, 99, 0), ERR_INVALID_PARAM, "ipi: send_ipi(no such hart) -> INVALID_PARAM");
    static unsigned long mask;
    mask = 1UL << hart;
    before = soft_irqs;
    long l = sbi_legacy(0x04, (unsigned long)&mask);
    check(l == 0 && wait_for(&soft_irqs, before, 500000), "legacy: send_ipi(&mask)", l);
    asm volatile("csrc sstatus, %0" ::"r"(SSTATUS_SIE));
    sbi_legacy(0x04, (unsigned long)&mask);
    int pending = (read_sip() & SIP_SSIP) != 0;
    sbi_legacy(0x03, 0);
    check(pending && !(read_sip() & SIP_SSIP), "legacy: clear_ipi clears a pending IPI", (long)read_sip());
    asm volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
}

static void test_rfence(void) {
    unsigned long me = 1UL << hart;
    expect_ret(sbi_call(SBI_EXT_RFENCE, 0, me, 0, 0), 0, "rfence: remote_fence_i(self)");
    expect_ret(sbi_call(SBI_EXT_RFENCE, 1, me, 0, 0), 0, "rfence: remote_sfence_vma(self)");
    struct sbiret r;
    {
        register unsigned long a0 asm("a0") = me, a1 asm("a1") = 0, a2 asm("a2") = 0, a3 asm("a3") = ~0UL, a4 asm("a4") = 0;
        register unsigned long a6 asm("a6") = 2, a7 asm("a7") = SBI_EXT_RFENCE;
        asm volatile("ecall" : "+r"(a0), "+r"(a1) : "r"(a2), "r"(a3), "r"(a4), "r"(a6), "r"(a7) : "memory");
        r.error = (long)a0;
    }
    expect_ret(r, 0, "rfence: remote_sfence_vma_asid(self)");
    expect_ret(sbi_call(SBI_EXT_RFENCE, 0, 1, 99, 0), ERR_INVALID_PARAM, "rfence: no such hart -> INVALID_PARAM");
    if (ours) expect_ret(sbi_call(SBI_EXT_RFENCE, 4, me, 0, 0), ERR_NOT_SUPPORTED, "rfence: hfence in a guest -> NOT_SUPPORTED");
    static unsigned long mask;
    mask = me;
    check(sbi_legacy(0x05, (unsigned long)&mask) == 0, "legacy: remote_fence_i(&mask)", 0);
    check(sbi_legacy(0x06, (unsigned long)&mask) == 0, "legacy: remote_sfence_vma(&mask)", 0);
}

void secondary_main(unsigned long hartid, unsigned long opaque) {
    secondary_opaque = opaque;
    secondary_hartid = hartid;
    asm volatile("fence rw, rw" ::: "memory");
    while (secondary_spin) asm volatile("nop"); /* keeps its vCPU runnable for the STA check */
    sbi_call(SBI_EXT_HSM, 1, 0, 0, 0); /* hart_stop: never returns on success */
    for (;;) asm volatile("wfi");
}

extern void _start(void);

static void test_hsm(void) {
    struct sbiret r = sbi_call(SBI_EXT_HSM, 2, hart, 0, 0);
    check(r.error == 0 && r.value == 0, "hsm: hart_get_status(self) = STARTED", r.value);
    expect_ret(sbi_call(SBI_EXT_HSM, 2, 99, 0, 0), ERR_INVALID_PARAM, "hsm: hart_get_status(no such hart) -> INVALID_PARAM");
    expect_ret(sbi_call(SBI_EXT_HSM, 0, 99, (unsigned long)_start, 0), ERR_INVALID_PARAM, "hsm: hart_start(no such hart) -> INVALID_PARAM");
    expect_ret(sbi_call(SBI_EXT_HSM, 0, hart, (unsigned long)_start, 0), ERR_ALREADY_AVAILABLE, "hsm: hart_start(self) -> ALREADY_AVAILABLE");
    if (board.cpu_count > 1) {
        unsigned long other = hart == 0 ? 1 : 0;
        r = sbi_call(SBI_EXT_HSM, 2, other, 0, 0);
        check(r.error == 0 && r.value == 1, "hsm: secondary hart_get_status = STOPPED", r.value);
        r = sbi_call(SBI_EXT_HSM, 0, other, (unsigned long)_start, 0x5ec0);
        check(r.error == 0, "hsm: hart_start(secondary)", r.error);
        unsigned long deadline = now() + board.timebase;
        while (secondary_hartid == ~0UL && now() < deadline) asm volatile("nop");
        check(secondary_hartid == other && secondary_opaque == 0x5ec0, "hsm: secondary got a0 = hartid, a1 = opaque", (long)secondary_opaque);
        deadline = now() + board.timebase;
        do r = sbi_call(SBI_EXT_HSM, 2, other, 0, 0);
        while (r.value != 1 && now() < deadline);
        check(r.error == 0 && r.value == 1, "hsm: hart_stop -> STOPPED again", r.value);
    } else {
        puts_("hsm: one hart only, secondary checks skipped\n");
    }
    unsigned long before = timer_irqs;
    asm volatile("csrc sstatus, %0" ::"r"(SSTATUS_SIE));
    sbi_call(SBI_EXT_TIME, 0, now() + board.timebase / 1000, 0, 0);
    r = sbi_call(SBI_EXT_HSM, 3, 0, 0, 0); /* retentive suspend: returns once an interrupt is pending */
    int woke = (read_sip() & SIP_STIP) != 0;
    asm volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
    check(r.error == 0 && woke && timer_irqs == before + 1, "hsm: retentive hart_suspend wakes on the timer", r.error);
    expect_ret(sbi_call(SBI_EXT_HSM, 3, 5, 0, 0), ERR_INVALID_PARAM, "hsm: hart_suspend(reserved type) -> INVALID_PARAM");
}

/* Arms the timer 1 ms ahead with interrupts masked in sstatus, so it only wakes the hart. */
static void arm_wakeup(void) {
    asm volatile("csrc sstatus, %0" ::"r"(SSTATUS_SIE));
    sbi_call(SBI_EXT_TIME, 0, now() + board.timebase / 1000, 0, 0);
}

/* After a wake-up: take the pending timer interrupt, which the handler counts and disarms. */
static int take_wakeup(unsigned long before) {
    asm volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
    return wait_for(&timer_irqs, before, 500000);
}

static void check_resumed(const char *what) {
    check(nonret_seen[0] == hart && nonret_seen[1] == (unsigned long)nonret_ctx && nonret_seen[2] == 0 &&
              !(nonret_seen[3] & SSTATUS_SIE),
          what, (long)nonret_seen[1]);
}

static void test_hsm_suspend(void) {
    /* SBI 2.0 suspend_type: 0 and 0x8000_0000 are the defaults; the rest is reserved or
       platform-specific, and a platform that defines none answers INVALID_PARAM. */
    static const unsigned long bad[] = {0x1, 0x0fffffff, 0x10000000, 0x7fffffff,
                                        0x80000001, 0x8fffffff, 0x90000000, 0xffffffff};
    int all = 1;
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sbiret r = sbi_call(SBI_EXT_HSM, 3, bad[i], (unsigned long)_start, 0);
        /* OpenSBI 1.1 (SBI 1.0) answers NOT_SUPPORTED for platform-specific types; SBI 2.0
           says INVALID_PARAM when the platform does not implement them. */
        int platform = (bad[i] & 0x7fffffff) >= 0x10000000;
        if (r.error != ERR_INVALID_PARAM && (ours || !platform || r.error != ERR_NOT_SUPPORTED)) {
            all = 0;
            printf_("  suspend_type %lx -> %ld\n", bad[i], r.error);
        }
    }
    check(all, "hsm: reserved and platform-specific suspend_types -> INVALID_PARAM", 0);
    unsigned long before = timer_irqs;
    arm_wakeup();
    long r = nonret_call(SBI_EXT_HSM, 3, SUSPEND_NON_RETENTIVE);
    if (r == ERR_NOT_SUPPORTED && !ours) {
        take_wakeup(before);
        puts_("hsm: non-retentive suspend not offered, skipped\n");
        return;
    }
    check(r == 1, "hsm: non-retentive hart_suspend resumes at resume_addr", r);
    check_resumed("hsm: resumed with a0 = hartid, a1 = opaque, satp = 0, sstatus.SIE = 0");
    check(take_wakeup(before), "hsm: the wake-up interrupt is still pending after resume", (long)timer_irqs);
    struct sbiret s = sbi_call(SBI_EXT_HSM, 2, hart, 0, 0);
    check(s.error == 0 && s.value == 0, "hsm: STARTED again after resuming", s.value);
}

static void test_susp(void) {
    struct sbiret r = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_SUSP, 0, 0);
    if (r.value == 0) {
        puts_("susp: not offered, skipped\n");
        return;
    }
    expect_ret(sbi_call(SBI_EXT_SUSP, 0, 1, (unsigned long)_start, 0), ERR_INVALID_PARAM, "susp: reserved sleep_type -> INVALID_PARAM");
    expect_ret(sbi_call(SBI_EXT_SUSP, 0, 0x80000000, (unsigned long)_start, 0), ERR_INVALID_PARAM, "susp: platform sleep_type -> INVALID_PARAM");
    unsigned long before = timer_irqs;
    arm_wakeup();
    long l = nonret_call(SBI_EXT_SUSP, 0, 0);
    check(l == 1, "susp: suspend to RAM resumes at resume_addr", l);
    check_resumed("susp: resumed with a0 = hartid, a1 = opaque, satp = 0, sstatus.SIE = 0");
    check(take_wakeup(before), "susp: woken by the timer", (long)timer_irqs);
}

static void test_sta(void) {
    struct sbiret r = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_STA, 0, 0);
    if (r.value == 0) {
        puts_("sta: not offered, skipped\n");
        return;
    }
    static volatile unsigned char rec[128] __attribute__((aligned(64)));
    for (unsigned i = 0; i < sizeof(rec); i++) rec[i] = 0xff;
    expect_ret(sbi_call(SBI_EXT_STA, 0, (unsigned long)rec + 8, 0, 0), ERR_INVALID_PARAM, "sta: misaligned shmem -> INVALID_PARAM");
    expect_ret(sbi_call(SBI_EXT_STA, 0, (unsigned long)rec, 0, 1), ERR_INVALID_PARAM, "sta: flags != 0 -> INVALID_PARAM");
    expect_ret(sbi_call(SBI_EXT_STA, 0, 0x1000, 0, 0), ERR_INVALID_ADDRESS, "sta: shmem outside RAM -> INVALID_ADDRESS");
    r = sbi_call(SBI_EXT_STA, 0, (unsigned long)rec, 0, 0);
    int zeroed = 1;
    for (unsigned i = 0; i < 64; i++) zeroed &= rec[i] == 0;
    check(r.error == 0 && zeroed && rec[64] == 0xff, "sta: set_shmem zeroes exactly the 64-byte record", r.error);
    volatile unsigned *seq = (volatile unsigned *)rec;
    volatile unsigned long *steal = (volatile unsigned long *)(rec + 8);
    if (board.cpu_count > 1) {
        /* A second vCPU that spins: where the VMM has fewer host harts than runnable vCPUs,
           each waits for the other and the record shows it. */
        secondary_spin = 1;
        unsigned long other = hart == 0 ? 1 : 0;
        sbi_call(SBI_EXT_HSM, 0, other, (unsigned long)_start, 0);
        unsigned long deadline = now() + board.timebase / 20;
        while (now() < deadline) asm volatile("nop");
        secondary_spin = 0;
        deadline = now() + board.timebase;
        do r = sbi_call(SBI_EXT_HSM, 2, other, 0, 0);
        while (r.value != 1 && now() < deadline);
    }
    unsigned s1, s2;
    unsigned long value;
    do {
        s1 = *seq;
        asm volatile("fence r, r" ::: "memory");
        value = *steal;
        asm volatile("fence r, r" ::: "memory");
        s2 = *seq;
    } while (s1 != s2 || (s1 & 1));
    check(rec[16] == 0, "sta: preempted = 0 while running", rec[16]);
    printf_("sta: steal %lu ns, sequence %u\n", value, s1);
    struct sbiret off = sbi_call(SBI_EXT_STA, 0, ~0UL, ~0UL, 0);
    check(off.error == 0, "sta: set_shmem(-1, -1) stops reporting", off.error);
    expect_ret(sbi_call(SBI_EXT_STA, 1, 0, 0, 0), ERR_NOT_SUPPORTED, "sta: unknown function -> NOT_SUPPORTED");
}

static void test_dbcn(void) {
    struct sbiret r = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0);
    if (r.value == 0) {
        puts_("dbcn: not offered, skipped\n");
        return;
    }
    static const char msg[] = "dbcn: console_write says hello\n";
    r = sbi_call(SBI_EXT_DBCN, 0, sizeof(msg) - 1, (unsigned long)msg, 0);
    check(r.error == 0 && r.value == (long)sizeof(msg) - 1, "dbcn: console_write returns the byte count", r.value);
    r = sbi_call(SBI_EXT_DBCN, 2, '\n', 0, 0);
    check(r.error == 0, "dbcn: console_write_byte", r.error);
    static char buf[16];
    r = sbi_call(SBI_EXT_DBCN, 1, sizeof(buf), (unsigned long)buf, 0);
    check(r.error == 0 && r.value >= 0, "dbcn: console_read succeeds (possibly with 0 bytes)", r.error);
    r = sbi_call(SBI_EXT_DBCN, 0, 8, 0x1000, 0);
    check(r.error == ERR_INVALID_PARAM || r.error == ERR_INVALID_ADDRESS, "dbcn: console_write from a bad address fails", r.error);
}

static void test_legacy_console(void) {
    check(sbi_legacy(0x01, '\n') == 0, "legacy: console_putchar", 0);
    check(sbi_legacy(0x02, 0) == -1, "legacy: console_getchar with no input = -1", 0);
}

static void test_hypercall(void) {
    if (!ours) return;
    struct sbiret r = sbi_call(EID_AXVISOR_HVC, 0, 0, 0, 0);
    check(r.error == -1, "axvisor: unsupported hypercall 0 returns -1", r.error);
}

static void test_srst_errors(void) {
    expect_ret(sbi_call(SBI_EXT_SRST, 0, 7, 0, 0), ERR_INVALID_PARAM, "srst: reserved reset type -> INVALID_PARAM");
    expect_ret(sbi_call(SBI_EXT_SRST, 0, 0, 5, 0), ERR_INVALID_PARAM, "srst: reserved reason -> INVALID_PARAM");
    expect_ret(sbi_call(SBI_EXT_SRST, 1, 0, 0, 0), ERR_NOT_SUPPORTED, "srst: unknown function -> NOT_SUPPORTED");
}

void boot_main(unsigned long hartid, const void *dtb) {
    hart = hartid;
    console_init();
    puts_("SBI-TEST start\n");
    if (fdt_scan(dtb, &board) != 0) {
        board.timebase = 10000000;
        board.cpu_count = 1;
    }
    asm volatile("csrs sie, %0" ::"r"(SIE_SSIE | SIE_STIE));
    asm volatile("csrs sstatus, %0" ::"r"(SSTATUS_SIE));
    test_base();
    printf_("implementation: %s\n", ours ? "AxVisor.ts" : "other");
    test_time();
    test_ipi();
    test_rfence();
    test_hsm();
    test_hsm_suspend();
    test_susp();
    test_sta();
    test_dbcn();
    test_legacy_console();
    test_hypercall();
    test_srst_errors();
    if (failures == 0) printf_("SBI-TEST PASS %d\n", checks);
    else printf_("SBI-TEST FAIL %d/%d\n", failures, checks);
    sbi_call(SBI_EXT_SRST, 0, 0, failures == 0 ? 0 : 1, 0);
    for (;;) asm volatile("wfi");
}
