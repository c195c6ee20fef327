/*
 * What the machine is: RAM from the multiboot information, CPUs and the IOAPIC from the ACPI
 * MADT (or fw_cfg, or CPUID), the ACPI PM1a control port for poweroff from the FADT (or the
 * q35 LPC bridge's PMBASE, or q35's usual 0x604).
 */
#include "kernel.h"

struct platform_info platform = {
    .cpu_count = 1,
    .cpu_count_source = "assumed",
    .ioapic_base = 0xFEC00000,
    .pm1a_cnt = 0x604,
    .pm1a_source = "q35 default",
    .boot_loader = "unknown",
};

struct __attribute__((packed)) sdt_header {
  char signature[4];
  uint32_t length;
  uint8_t revision, checksum;
  char oem[6], oem_table[8];
  uint32_t oem_revision, creator, creator_revision;
};

static bool checksum_ok(const void *p, uint32_t len) {
  uint8_t sum = 0;
  for (uint32_t i = 0; i < len; i++) sum += ((const uint8_t *)p)[i];
  return sum == 0;
}

static const uint8_t *find_rsdp_in(uintptr_t start, uintptr_t end) {
  for (uintptr_t a = start; a + 20 <= end; a += 16) {
    if (!strncmp((const char *)a, "RSD PTR ", 8) && checksum_ok((const void *)a, 20)) return (const uint8_t *)a;
  }
  return 0;
}

static void parse_madt(const struct sdt_header *h) {
  const uint8_t *p = (const uint8_t *)h + 44, *end = (const uint8_t *)h + h->length;
  int n = 0;
  while (p + 2 <= end && p[1] >= 2) {
    if (p[0] == 0 && p[1] >= 8) {
      uint32_t flags = p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24;
      if ((flags & 1) && n < MAX_CPUS) platform.apic_ids[n++] = p[3];
    } else if (p[0] == 1 && p[1] >= 12) {
      platform.ioapic_base = p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24;
    }
    p += p[1];
  }
  if (n) {
    platform.cpu_count = n;
    platform.cpu_count_source = "ACPI MADT";
  }
}

static bool parse_acpi(void) {
  const uint8_t *rsdp = 0;
  uintptr_t ebda = (uintptr_t)(*(volatile uint16_t *)0x40E) << 4;
  if (ebda >= 0x80000 && ebda < 0xA0000) rsdp = find_rsdp_in(ebda, ebda + 1024);
  if (!rsdp) rsdp = find_rsdp_in(0xE0000, 0x100000);
  if (!rsdp) return false;
  const struct sdt_header *rsdt = (const struct sdt_header *)(uintptr_t)(*(const uint32_t *)(rsdp + 16));
  if (!rsdt || strncmp(rsdt->signature, "RSDT", 4) || !checksum_ok(rsdt, rsdt->length)) return false;
  const uint32_t *entries = (const uint32_t *)(rsdt + 1);
  uint32_t count = (rsdt->length - sizeof *rsdt) / 4;
  for (uint32_t i = 0; i < count; i++) {
    const struct sdt_header *t = (const struct sdt_header *)(uintptr_t)entries[i];
    if (!checksum_ok(t, t->length)) continue;
    if (!strncmp(t->signature, "APIC", 4)) parse_madt(t);
    if (!strncmp(t->signature, "FACP", 4) && t->length >= 68) {
      uint32_t pm1a = *(const uint32_t *)((const uint8_t *)t + 64);
      if (pm1a && pm1a < 0x10000) {
        platform.pm1a_cnt = (uint16_t)pm1a;
        platform.pm1a_source = "ACPI FADT";
      }
    }
  }
  return true;
}

static uint32_t pci_read(uint32_t dev, uint32_t fn, uint32_t reg) {
  outl(0xCF8, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xFC));
  return inl(0xCFC);
}

static void pci_write(uint32_t dev, uint32_t fn, uint32_t reg, uint32_t v) {
  outl(0xCF8, 0x80000000u | dev << 11 | fn << 8 | (reg & 0xFC));
  outl(0xCFC, v);
}

/* Without ACPI tables nobody may have set up q35's PM block: give it QEMU's usual 0x600. */
static void setup_q35_pm(void) {
  if (pci_read(0x1F, 0, 0) != 0x29188086) return;
  uint32_t pmbase = pci_read(0x1F, 0, 0x40) & 0xFF80;
  if (!pmbase) {
    pmbase = 0x600;
    pci_write(0x1F, 0, 0x40, pmbase | 1);
    pci_write(0x1F, 0, 0x44, pci_read(0x1F, 0, 0x44) | 0x80); /* ACPI_CNTL: ACPI_EN */
    platform.pm1a_source = "q35 LPC PMBASE set to 0x600";
  } else {
    platform.pm1a_source = "q35 LPC PMBASE";
  }
  platform.pm1a_cnt = (uint16_t)(pmbase + 4);
}

static bool fw_cfg_present(void) {
  outw(0x510, 0);
  return inb(0x511) == 'Q' && inb(0x511) == 'E' && inb(0x511) == 'M' && inb(0x511) == 'U';
}

void platform_init(uint32_t mb_magic, uint32_t mb_info) {
  if (mb_magic == 0x2BADB002 && mb_info) {
    const uint32_t *mbi = (const uint32_t *)(uintptr_t)mb_info;
    if (mbi[0] & 1) platform.ram_bytes = (((uint64_t)mbi[2] + 1024) << 10) + (1u << 20) - 1; /* mem_upper may stop short of the last MiB */
    platform.ram_bytes &= ~(uint64_t)((1u << 20) - 1);
    if (mbi[0] & (1u << 9) && mbi[16]) platform.boot_loader = (const char *)(uintptr_t)mbi[16];
  }
  if (!parse_acpi()) setup_q35_pm();
  if (platform.cpu_count_source[0] == 'a' && fw_cfg_present()) {
    outw(0x510, 0x05); /* FW_CFG_NB_CPUS */
    int n = inb(0x511) | inb(0x511) << 8;
    if (n >= 1 && n <= MAX_CPUS) {
      platform.cpu_count = n;
      platform.cpu_count_source = "fw_cfg";
      for (int i = 0; i < n; i++) platform.apic_ids[i] = (uint32_t)i;
    }
  }
  if (platform.cpu_count_source[0] == 'a') {
    uint32_t r[4];
    cpuid(1, 0, r);
    int n = (r[3] & (1u << 28)) ? (int)(r[1] >> 16 & 0xFF) : 1;
    if (n < 1 || n > MAX_CPUS) n = 1;
    platform.cpu_count = n;
    platform.cpu_count_source = "CPUID";
    for (int i = 0; i < n; i++) platform.apic_ids[i] = (uint32_t)i;
  }
}

void poweroff(void) {
  kprintf("NimbOS: powering off (ACPI S5 through PM1a control port %x)\n", platform.pm1a_cnt);
  __asm__ volatile("cli");
  outw(platform.pm1a_cnt, 0x2000); /* SLP_EN with SLP_TYP 0, q35's \_S5 */
  udelay(100000);
  panic_printf("NimbOS: ACPI S5 did not power the machine off; halting\n");
  for (;;) __asm__ volatile("cli; hlt");
}
