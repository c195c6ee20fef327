#include "psci.h"

static int smc;

void psci_init(int use_smc) { smc = use_smc; }

const char *psci_conduit(void) { return smc ? "smc" : "hvc"; }

long psci_call(unsigned long fn, unsigned long a1, unsigned long a2, unsigned long a3) {
    register unsigned long x0 asm("x0") = fn;
    register unsigned long x1 asm("x1") = a1;
    register unsigned long x2 asm("x2") = a2;
    register unsigned long x3 asm("x3") = a3;
    if (smc) {
        asm volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
    } else {
        asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)::"memory");
    }
    return (long)x0;
}
