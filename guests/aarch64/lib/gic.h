/* The GIC as the guests use it: GICv2 (GICD + GICC MMIO) or GICv3 (GICD, GICR, ICC registers). */
#ifndef GIC_H
#define GIC_H
#include "fdt.h"

#define GIC_SPURIOUS 1023

/* Distributor setup on the boot CPU (forwarding on, SPIs to the boot CPU). */
void gic_init(const struct board_info *b);
/* This CPU's interface (and GICv3 redistributor): `mpidr` is its affinity, `index` its place. */
void gic_cpu_init(unsigned long mpidr, int index);
/* Enables INTID `intid` (SGI, PPI or SPI) for the calling CPU. */
void gic_enable(unsigned intid);
/* Acknowledges the highest pending interrupt; the value to pass to gic_eoi (INTID in 9:0). */
unsigned gic_ack(void);
void gic_eoi(unsigned iar);
/* Sends SGI `sgi` to the CPU with affinity `mpidr` (its `index` for GICv2). */
void gic_send_sgi(unsigned sgi, unsigned long mpidr, int index);
int gic_version(void);

#endif
