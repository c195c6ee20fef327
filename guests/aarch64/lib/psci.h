/* PSCI calls over HVC or SMC (the device tree's psci `method`). */
#ifndef PSCI_H
#define PSCI_H

#define PSCI_VERSION 0x84000000UL
#define PSCI_CPU_ON 0xc4000003UL
#define PSCI_SYSTEM_OFF 0x84000008UL
#define PSCI_SYSTEM_RESET 0x84000009UL

void psci_init(int use_smc);
long psci_call(unsigned long fn, unsigned long a1, unsigned long a2, unsigned long a3);
const char *psci_conduit(void);

#endif
