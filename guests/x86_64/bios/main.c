/*
 * axvm-bios, 32-bit part: finds out how much RAM there is, looks for the kernel's multiboot
 * header at 0x20_0000, moves the kernel where the header asks if it is not there already,
 * builds a multiboot v1 information structure and returns the entry point to entry16.S.
 *
 * Contract (AxVisor's axvm-bios): the hypervisor copies this image to 0x8000 and the kernel
 * image to 0x20_0000, then starts the vCPU at 0x8000 in flat real mode. We load nothing from
 * disk.
 */
#include <stdbool.h>
#include <stdint.h>

#include "../lib/io.h"

#define KERNEL_IMAGE 0x200000u
#define MB_HEADER_MAGIC 0x1BADB002u
#define MB_HEADER_SEARCH 8192u
#define MB_AOUT_KLUDGE (1u << 16)
/* Requirement bits we honour: 0 (page-aligned modules: we load none) and 1 (memory info). */
#define MB_KNOWN_REQUIREMENTS 0x3u
#define FIXED_RAM (16u << 20)

#define MBI_MEM (1u << 0)
#define MBI_MMAP (1u << 6)
#define MBI_LOADER_NAME (1u << 9)

struct mb_info {
  uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
  uint32_t syms[4];
  uint32_t mmap_length, mmap_addr, drives_length, drives_addr, config_table;
  uint32_t boot_loader_name, apm_table;
};

struct __attribute__((packed)) mb_mmap_entry {
  uint32_t size;
  uint64_t base, length;
  uint32_t type;
};

extern void bios_halt(void) __attribute__((noreturn));

uint32_t boot_info_addr;
static struct mb_info info;
static struct mb_mmap_entry mmap[2];
static const char loader_name[] = "AxVisor.ts axvm-bios";

static void com1_putc(char c) {
  /* Bounded: on a board without COM1 the port reads 0xFF (THRE set) or never becomes ready. */
  for (int i = 0; i < 100000 && !(inb(0x3FD) & 0x20); i++) {
  }
  outb(0x3F8, (uint8_t)c);
}

static void puts_(const char *s) {
  for (; *s; s++) {
    if (*s == '\n') com1_putc('\r');
    com1_putc(*s);
  }
}

static void put_hex(uint32_t v) {
  puts_("0x");
  for (int shift = 28; shift >= 0; shift -= 4) com1_putc("0123456789abcdef"[(v >> shift) & 0xF]);
}

static void put_dec(uint32_t v) {
  char buf[12];
  int n = 0;
  do {
    buf[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) com1_putc(buf[--n]);
}

static void fail(const char *what) __attribute__((noreturn));
static void fail(const char *what) {
  puts_("axvm-bios: ");
  puts_(what);
  puts_("; halting\n");
  bios_halt();
}

/*
 * QEMU's fw_cfg (selector 0x510, data 0x511) tells the RAM size. It is absent under a
 * hypervisor that does not emulate it (the ports read 0xFF, so the "QEMU" signature does not
 * match); then we assume the 16 MiB the RVM-Tutorial / AxVisor NimbOS configs give a guest.
 */
static uint32_t ram_size(const char **source) {
  outw(0x510, 0x0000);
  char sig[4];
  for (int i = 0; i < 4; i++) sig[i] = (char)inb(0x511);
  if (sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U') {
    outw(0x510, 0x0003);
    uint64_t size = 0;
    for (int i = 0; i < 8; i++) size |= (uint64_t)inb(0x511) << (8 * i);
    /* q35 keeps RAM below 2 GiB once it exceeds 2.75 GiB; the rest is above 4 GiB, which a
     * 32-bit multiboot mem_upper cannot describe anyway. */
    if (size >= 0xB0000000ull) size = 0x80000000ull;
    if (size >= (2u << 20)) {
      *source = "fw_cfg";
      return (uint32_t)size;
    }
  }
  *source = "fixed";
  return FIXED_RAM;
}

static void *memmove_(void *dst, const void *src, uint32_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  if (d < s) {
    for (uint32_t i = 0; i < n; i++) d[i] = s[i];
  } else {
    while (n--) d[n] = s[n];
  }
  return dst;
}

/* Returns the entry point: the header's if the kernel has a valid multiboot header with the
 * a.out kludge (moving the image where it asks), else the image's first byte. */
static uint32_t place_kernel(const char **how) {
  const uint32_t *p = (const uint32_t *)KERNEL_IMAGE;
  for (uint32_t off = 0; off < MB_HEADER_SEARCH; off += 4, p++) {
    if (p[0] != MB_HEADER_MAGIC || p[0] + p[1] + p[2] != 0) continue;
    uint32_t flags = p[1];
    if (flags & 0xFFFFu & ~MB_KNOWN_REQUIREMENTS) fail("the kernel's multiboot header requires a feature this BIOS lacks (video mode?)");
    if (!(flags & MB_AOUT_KLUDGE)) {
      *how = "multiboot header without load addresses: entry at the image start";
      return KERNEL_IMAGE;
    }
    uint32_t header_addr = p[3], load_addr = p[4], load_end = p[5], bss_end = p[6], entry = p[7];
    if (header_addr < load_addr || header_addr - load_addr > off) fail("the kernel's multiboot header has a load address after the header");
    uint32_t src = KERNEL_IMAGE + off - (header_addr - load_addr);
    if (load_end != 0 && load_end <= load_addr) fail("the kernel's multiboot load_end_addr is below load_addr");
    if (src != load_addr) {
      if (load_end == 0) fail("the kernel must be moved but its multiboot header gives no load_end_addr");
      memmove_((void *)load_addr, (const void *)src, load_end - load_addr);
    }
    if (bss_end != 0 && load_end != 0 && bss_end > load_end) {
      for (uint8_t *b = (uint8_t *)load_end; b < (uint8_t *)bss_end; b++) *b = 0;
    }
    uint32_t end = bss_end ? bss_end : load_end;
    if (entry < load_addr || (end != 0 && entry >= end)) fail("the kernel's multiboot entry_addr lies outside its image");
    *how = "multiboot";
    return entry;
  }
  *how = "no multiboot header: entry at the image start";
  return KERNEL_IMAGE;
}

/* The stack holds the vector, then (for #DF, #TS, #NP, #SS, #GP, #PF, #AC) an error code,
 * then EIP. */
void bios_exception(uint32_t vector, uint32_t w1, uint32_t w2) __attribute__((noreturn, used));
void bios_exception(uint32_t vector, uint32_t w1, uint32_t w2) {
  bool has_error = vector == 8 || (vector >= 10 && vector <= 14) || vector == 17;
  puts_("axvm-bios: exception ");
  put_dec(vector);
  puts_(" at EIP ");
  put_hex(has_error ? w2 : w1);
  if (has_error) {
    puts_(", error code ");
    put_hex(w1);
  }
  puts_("; halting\n");
  bios_halt();
}

uint32_t bios_main(void) {
  const char *ram_source;
  uint32_t ram = ram_size(&ram_source);
  const char *how;
  uint32_t entry = place_kernel(&how);

  /* Conventional memory up to the EBDA as a PC BIOS reports it, then RAM from 1 MiB. */
  mmap[0] = (struct mb_mmap_entry){20, 0, 0x9FC00, 1};
  mmap[1] = (struct mb_mmap_entry){20, 0x100000, ram - 0x100000, 1};
  info.flags = MBI_MEM | MBI_MMAP | MBI_LOADER_NAME;
  info.mem_lower = 639;
  info.mem_upper = (ram - 0x100000) >> 10;
  info.mmap_length = sizeof mmap;
  info.mmap_addr = (uint32_t)(uintptr_t)mmap;
  info.boot_loader_name = (uint32_t)(uintptr_t)loader_name;
  boot_info_addr = (uint32_t)(uintptr_t)&info;

  puts_("axvm-bios (AxVisor.ts): RAM ");
  put_dec(ram >> 20);
  puts_(" MiB (");
  puts_(ram_source);
  puts_("), kernel at 0x200000, entry ");
  put_hex(entry);
  puts_(" (");
  puts_(how);
  puts_(")\n");
  return entry;
}
