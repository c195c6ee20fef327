/*
 * Inter-VM communication test: AxVisor's IVC hypercalls (ecall with a7 = 0x485643, a6 = the
 * call, a0..a3 arguments, result in a0). Two VMs run this guest; the kernel command line picks
 * the role:
 *
 *   ivc.role=pub   publishes channel key 0x42 (HIVCPublishChannel), writes a message into the
 *                  shared page, waits for the subscriber's acknowledgement, then unpublishes.
 *   ivc.role=sub   subscribes to VM 1's channel 0x42 (HIVCSubscribChannel, retrying until the
 *                  publisher has published), checks the header the hypervisor wrote
 *                  ({publisher VM id, key}) and the message, acknowledges it, unsubscribes.
 *
 * Prints "IVC-TEST PASS <n>" or "IVC-TEST FAIL <k>/<n>" and powers off through SRST with
 * reason 0 or 1.
 */
#include "console.h"
#include "fdt.h"
#include "sbi.h"

#define EID_AXVISOR_HVC 0x485643
#define HVC_PUBLISH 3
#define HVC_SUBSCRIBE 4
#define HVC_UNPUBLISH 5
#define HVC_UNSUBSCRIBE 6
#define KEY 0x42UL
#define PUBLISHER_VM 1UL
#define READY 0x1111UL
#define ACK 0x2222UL

static const char message[] = "hello from the publisher";
static struct board_info board;
static int checks, failures;

static long hvc(unsigned long code, unsigned long a0, unsigned long a1, unsigned long a2, unsigned long a3) {
    register unsigned long r0 asm("a0") = a0;
    register unsigned long r1 asm("a1") = a1;
    register unsigned long r2 asm("a2") = a2;
    register unsigned long r3 asm("a3") = a3;
    register unsigned long r6 asm("a6") = code;
    register unsigned long r7 asm("a7") = EID_AXVISOR_HVC;
    asm volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r3), "r"(r6), "r"(r7) : "memory");
    return (long)r0;
}

static inline unsigned long now(void) {
    unsigned long t;
    asm volatile("rdtime %0" : "=r"(t));
    return t;
}

static void check(int ok, const char *what, long got) {
    checks++;
    if (ok) {
        printf_("ok   %s\n", what);
    } else {
        failures++;
        printf_("FAIL %s (got %ld)\n", what, got);
    }
}

static int has_word(const char *args, const char *word) {
    if (!args) return 0;
    for (const char *p = args; *p; p++) {
        if (p != args && p[-1] != ' ') continue;
        const char *a = p, *b = word;
        while (*b && *a == *b) a++, b++;
        if (!*b && (*a == 0 || *a == ' ')) return 1;
    }
    return 0;
}

static int same(const volatile char *a, const char *b) {
    while (*b && *a == *b) a++, b++;
    return *a == *b;
}

static void publisher(void) {
    unsigned long base = 0, size = 4096;
    long r = hvc(HVC_PUBLISH, KEY, (unsigned long)&base, (unsigned long)&size, 0);
    check(r == 0 && base != 0 && size >= 4096, "publish channel 0x42", r);
    if (r != 0) return;
    volatile unsigned long *words = (volatile unsigned long *)base;
    check(words[0] == PUBLISHER_VM && words[1] == KEY, "the channel header is {publisher VM id, key}", (long)words[0]);
    r = hvc(HVC_PUBLISH, KEY, (unsigned long)&base, (unsigned long)&size, 0);
    check(r == -1, "publishing the same key twice fails with -1", r);
    volatile char *text = (volatile char *)(base + 16);
    for (unsigned i = 0; i < sizeof(message); i++) text[i] = message[i];
    asm volatile("fence rw, rw" ::: "memory");
    words[8] = READY;
    printf_("IVC-PUBLISHED at 0x%lx, %lu bytes\n", base, size);
    unsigned long deadline = now() + 30 * board.timebase;
    while (words[9] != ACK && now() < deadline) asm volatile("nop");
    check(words[9] == ACK, "the subscriber acknowledged through the shared page", (long)words[9]);
    r = hvc(HVC_UNPUBLISH, KEY, 0, 0, 0);
    check(r == 0, "unpublish", r);
    r = hvc(HVC_UNPUBLISH, KEY, 0, 0, 0);
    check(r == -1, "unpublishing again fails with -1", r);
}

static void subscriber(void) {
    unsigned long base = 0, size = 0;
    long r = hvc(HVC_SUBSCRIBE, PUBLISHER_VM, 0x99, (unsigned long)&base, (unsigned long)&size);
    check(r == -1, "subscribing to a key nobody published fails with -1", r);
    unsigned long deadline = now() + 30 * board.timebase;
    do r = hvc(HVC_SUBSCRIBE, PUBLISHER_VM, KEY, (unsigned long)&base, (unsigned long)&size);
    while (r != 0 && now() < deadline);
    check(r == 0 && base != 0 && size >= 4096, "subscribe to VM 1's channel 0x42", r);
    if (r != 0) return;
    volatile unsigned long *words = (volatile unsigned long *)base;
    deadline = now() + 30 * board.timebase;
    while (words[8] != READY && now() < deadline) asm volatile("nop");
    check(words[0] == PUBLISHER_VM && words[1] == KEY, "the header names the publisher and the key", (long)words[0]);
    check(same((volatile char *)(base + 16), message), "the publisher's message is in the shared page", 0);
    printf_("IVC-SUBSCRIBED at 0x%lx, %lu bytes\n", base, size);
    words[9] = ACK;
    asm volatile("fence rw, rw" ::: "memory");
    r = hvc(HVC_UNSUBSCRIBE, PUBLISHER_VM, KEY, 0, 0);
    check(r == 0, "unsubscribe", r);
}

void trap_handler(unsigned long cause, unsigned long tval, unsigned long epc) {
    printf_("FAIL unexpected trap scause=%lx stval=%lx sepc=%lx\n", cause, tval, epc);
    sbi_call(SBI_EXT_SRST, 0, 0, 1, 0);
    for (;;) asm volatile("wfi");
}

void secondary_main(unsigned long hartid) {
    (void)hartid;
    for (;;) asm volatile("wfi");
}

void boot_main(unsigned long hartid, const void *dtb) {
    (void)hartid;
    console_init();
    if (fdt_scan(dtb, &board) != 0) {
        board.timebase = 10000000;
        board.bootargs = 0;
    }
    if (has_word(board.bootargs, "ivc.role=pub")) {
        puts_("IVC-TEST publisher\n");
        publisher();
    } else if (has_word(board.bootargs, "ivc.role=sub")) {
        puts_("IVC-TEST subscriber\n");
        subscriber();
    } else {
        puts_("IVC-TEST: no ivc.role=pub|sub on the command line\n");
        failures++;
    }
    if (failures == 0) printf_("IVC-TEST PASS %d\n", checks);
    else printf_("IVC-TEST FAIL %d/%d\n", failures, checks);
    sbi_call(SBI_EXT_SRST, 0, 0, failures == 0 ? 0 : 1, 0);
    for (;;) asm volatile("wfi");
}
