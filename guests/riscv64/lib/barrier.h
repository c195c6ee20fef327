#pragma once
/* Orders the driver's memory accesses against a device's (virtqueue memory vs MMIO). */
static inline void io_barrier(void) { asm volatile("fence rw, rw" ::: "memory"); }
/* Waits for an interrupt (or returns at once if one is pending). */
static inline void wait_for_interrupt(void) { asm volatile("wfi" ::: "memory"); }
