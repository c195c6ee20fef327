/* Just enough device-tree reading to find virtio-mmio devices, the timebase and the CPUs. */
#ifndef FDT_H
#define FDT_H

#define FDT_MAX_VIRTIO 8

struct board_info {
    unsigned long virtio_base[FDT_MAX_VIRTIO];
    int virtio_count;
    unsigned long timebase;
    int cpu_count;
    const char *bootargs;
};

/* Returns 0 on success, -1 when the blob is not a device tree. */
int fdt_scan(const void *blob, struct board_info *out);

#endif
