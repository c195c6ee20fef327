/* Just enough device-tree reading to find the CPUs, the GIC, the PL011, PSCI and virtio-mmio. */
#ifndef FDT_H
#define FDT_H

#define FDT_MAX_VIRTIO 32
#define FDT_MAX_CPUS 8

struct board_info {
    unsigned long cpu_mpidr[FDT_MAX_CPUS];
    int cpu_count;
    int gic_version;        /* 2 or 3; 0 when none was found */
    unsigned long gicd;     /* distributor */
    unsigned long gicr;     /* GICv3: first redistributor */
    unsigned long gicc;     /* GICv2: CPU interface */
    unsigned long uart;     /* PL011 */
    int psci_smc;           /* PSCI conduit: 1 = SMC, 0 = HVC */
    unsigned long virtio_base[FDT_MAX_VIRTIO];
    int virtio_count;
};

/* Returns 0 on success, -1 when the blob is not a device tree. */
int fdt_scan(const void *blob, struct board_info *out);

#endif
