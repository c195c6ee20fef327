#pragma once
/* Orders the driver's memory accesses against a device's (virtqueue memory vs MMIO). */
static inline void io_barrier(void) { asm volatile("dmb sy" ::: "memory"); }
