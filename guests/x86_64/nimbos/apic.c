/*
 * The local APIC in xAPIC mode (MMIO at IA32_APIC_BASE, normally 0xFEE0_0000), its timer
 * calibrated once against the PIT, and the IOAPIC routing for device interrupts.
 */
#include "kernel.h"

#define LAPIC_ID 0x020
#define LAPIC_EOI 0x0B0
#define LAPIC_SVR 0x0F0
#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_LVT_LINT1 0x360
#define LAPIC_LVT_ERROR 0x370
#define LAPIC_TIMER_INIT 0x380
#define LAPIC_TIMER_CUR 0x390
#define LAPIC_TIMER_DIV 0x3E0
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define CALIBRATE_MS 10

uint64_t lapic_base = 0xFEE00000;
uint32_t lapic_timer_hz;
uint64_t tsc_hz;
const char *timer_calibration = "none";

static uint32_t rd(uint32_t reg) { return mmio_read32(lapic_base + reg); }
static void wr(uint32_t reg, uint32_t v) { mmio_write32(lapic_base + reg, v); }

uint32_t lapic_id(void) { return rd(LAPIC_ID) >> 24; }
void lapic_eoi(void) { wr(LAPIC_EOI, 0); }

static void lapic_enable(void) {
  /* The APIC is globally enabled from reset; set the bit anyway in case firmware cleared it
   * (a hypervisor that refuses the MSR leaves it as it is). */
  uint64_t base;
  if (rdmsr_safe(0x1B, &base) == 0 && !(base & (1u << 11))) wrmsr_safe(0x1B, base | (1u << 11));
  wr(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
  wr(LAPIC_LVT_LINT0, LVT_MASKED);
  wr(LAPIC_LVT_LINT1, LVT_MASKED);
  wr(LAPIC_LVT_ERROR, LVT_MASKED);
  wr(LAPIC_TIMER_DIV, 0x3); /* divide by 16 */
}

/*
 * Counts LAPIC timer and TSC ticks over 10 ms of PIT channel 2 (gated through port 0x61, no
 * interrupt needed). Returns false where the PIT does not answer (a hypervisor that does not
 * emulate it): port 0x61 bit 5 never rises.
 */
static bool pit_window(uint32_t *apic_ticks, uint64_t *tsc_ticks) {
  uint32_t pit_count = 1193182u * CALIBRATE_MS / 1000;
  uint8_t b = inb(0x61);
  if (b == 0xFF) return false;
  outb(0x61, (b & ~0x02) | 0x01); /* gate on, speaker off */
  outb(0x43, 0xB0);               /* channel 2, lobyte/hibyte, mode 0 */
  outb(0x42, pit_count & 0xFF);
  outb(0x42, pit_count >> 8);
  wr(LAPIC_LVT_TIMER, LVT_MASKED);
  wr(LAPIC_TIMER_INIT, 0xFFFFFFFF);
  uint64_t t0 = rdtsc();
  bool done = false;
  /* Bounded twice over: a port that never changes (a hypervisor answering 0) must not hang
   * the boot, whether reading it is cheap or a slow VM exit. */
  for (uint64_t i = 0; i < 10000000ull && rdtsc() - t0 < 4000000000ull; i++) {
    if (inb(0x61) & 0x20) {
      done = true;
      break;
    }
  }
  uint32_t left = rd(LAPIC_TIMER_CUR);
  uint64_t t1 = rdtsc();
  wr(LAPIC_TIMER_INIT, 0);
  *apic_ticks = 0xFFFFFFFFu - left;
  *tsc_ticks = t1 - t0;
  return done && *apic_ticks != 0;
}

/* A host that deschedules us (an emulator or a VM on a busy machine) only makes a window look
 * longer, so the shortest of a few is the best estimate. */
static bool calibrate_with_pit(void) {
  uint32_t best_apic = 0xFFFFFFFFu;
  uint64_t best_tsc = ~0ull;
  for (int i = 0; i < 5; i++) {
    uint32_t a;
    uint64_t t;
    if (!pit_window(&a, &t)) return false;
    if (a < best_apic) {
      best_apic = a;
      best_tsc = t;
    }
  }
  /* A timer whose current count does not run (reads 0 or stays put) gives nonsense. */
  uint64_t hz = (uint64_t)best_apic * (1000 / CALIBRATE_MS);
  if (hz < 1000000 || hz > 4000000000ull) return false;
  lapic_timer_hz = (uint32_t)hz;
  tsc_hz = best_tsc * (1000 / CALIBRATE_MS);
  return true;
}

void lapic_init_bsp(void) {
  uint64_t msr;
  if (rdmsr_safe(0x1B, &msr) == 0 && (msr & 0xFFFFFF000ull)) lapic_base = msr & 0xFFFFFF000ull;
  lapic_enable();
  if (calibrate_with_pit()) {
    timer_calibration = "PIT";
    return;
  }
  /* No PIT: the hypervisor timing leaf (0x4000_0010: TSC and APIC bus kHz) if offered, else
   * the 1 GHz APIC clock QEMU and AxVisor.ts's board use. */
  uint32_t r[4];
  cpuid(0x40000000, 0, r);
  if (r[0] >= 0x40000010 && r[0] < 0x40000100) {
    cpuid(0x40000010, 0, r);
    if (r[1]) {
      lapic_timer_hz = r[1] * 1000u / 16;
      tsc_hz = (uint64_t)r[0] * 1000;
      timer_calibration = "CPUID 0x40000010";
      return;
    }
  }
  lapic_timer_hz = 1000000000u / 16;
  tsc_hz = 1000000000u;
  timer_calibration = "assumed 1 GHz";
}

void lapic_init_ap(void) {
  lapic_enable();
}

void lapic_timer_start(void) {
  wr(LAPIC_LVT_TIMER, LVT_PERIODIC | VEC_TIMER);
  wr(LAPIC_TIMER_INIT, lapic_timer_hz / TIMER_HZ);
}

bool lapic_ipi_idle(void) { return !(rd(LAPIC_ICR_LOW) & (1u << 12)); }

void lapic_send_ipi(uint32_t apic_id, uint32_t icr_low) {
  for (int i = 0; i < 1000000 && !lapic_ipi_idle(); i++) __asm__ volatile("pause");
  wr(LAPIC_ICR_HIGH, apic_id << 24);
  wr(LAPIC_ICR_LOW, icr_low);
}

void udelay(uint64_t us) {
  uint64_t end = rdtsc() + tsc_hz / 1000000 * us;
  while (rdtsc() < end) __asm__ volatile("pause");
}

/* IOAPIC: IOREGSEL at +0, IOWIN at +0x10; redirection entry n at registers 0x10 + 2n. */
void ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id) {
  uint64_t base = platform.ioapic_base;
  mmio_write32(base, 0x10 + 2 * gsi + 1);
  mmio_write32(base + 0x10, apic_id << 24);
  mmio_write32(base, 0x10 + 2 * gsi);
  mmio_write32(base + 0x10, vector); /* fixed, physical, active high, edge, unmasked */
}
