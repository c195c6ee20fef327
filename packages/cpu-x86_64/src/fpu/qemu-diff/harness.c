/*
 * Runs one x86-64 instruction per input line on a given x87/MMX/SSE state and prints the state
 * after it, for the differential test of the emulated FPU (qemu-diff.test.ts). Built static,
 * it runs under qemu-x86_64 (the reference: QEMU's TCG) and directly on the host CPU.
 *
 * Input line (hex fields): code fcw fsw ftw mxcsr rflags rax rdx st0..st7 xmm0 xmm1 xmm2 mem
 *   code: instruction bytes; a memory operand is [rbx], which points at the 32 bytes of mem.
 *   ftw: the abridged (FXSAVE) tag byte; st: 20 hex digits, sign/exponent then significand;
 *   xmm: 32 hex digits, most significant first; mem: 64 hex digits in address order.
 * Output line: fsw ftw fcw mxcsr rflags rax rcx st0..st7 xmm0 xmm1 xmm2 mem, the same encodings
 * (rflags masked to OF SF ZF AF PF CF).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static uint8_t area[512] __attribute__((aligned(64)));
static uint8_t out[512] __attribute__((aligned(64)));
static uint8_t mem[64] __attribute__((aligned(64)));

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses n hex digits starting at *p (big-endian) into dst as little-endian bytes. */
static int field(const char **p, uint8_t *dst, int bytes) {
  while (**p == ' ') (*p)++;
  for (int i = bytes - 1; i >= 0; i--) {
    int h = hexval((*p)[0]), l = hexval((*p)[1]);
    if (h < 0 || l < 0) return 0;
    dst[i] = (uint8_t)(h << 4 | l);
    *p += 2;
  }
  return 1;
}

static void put(const uint8_t *src, int bytes) {
  for (int i = bytes - 1; i >= 0; i--) printf("%02x", src[i]);
  putchar(' ');
}

int main(void) {
  uint8_t *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  char line[1024];
  while (fgets(line, sizeof line, stdin)) {
    const char *p = line;
    int n = 0;
    while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0) {
      code[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
      p += 2;
    }
    code[n] = 0xc3; /* ret */
    memset(area, 0, sizeof area);
    uint64_t rflags = 0, rax = 0, rdx = 0;
    uint8_t b8[8];
    if (!field(&p, area + 0, 2) || !field(&p, area + 2, 2) || !field(&p, area + 4, 1) ||
        !field(&p, area + 24, 4) || !field(&p, b8, 8))
      return 1;
    memcpy(&rflags, b8, 8);
    if (!field(&p, b8, 8)) return 1;
    memcpy(&rax, b8, 8);
    if (!field(&p, b8, 8)) return 1;
    memcpy(&rdx, b8, 8);
    for (int i = 0; i < 8; i++)
      if (!field(&p, area + 32 + 16 * i, 10)) return 1;
    for (int i = 0; i < 3; i++)
      if (!field(&p, area + 160 + 16 * i, 16)) return 1;
    while (*p == ' ') p++;
    for (int i = 0; i < 32; i++) {
      mem[i] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
      p += 2;
    }
    *(uint32_t *)(area + 28) = 0xffff; /* MXCSR_MASK */
    uint64_t flags_out, rax_out, rcx_out;
    __asm__ volatile(
        "sub $256, %%rsp\n"
        "fxrstor64 (%[in])\n"
        "xor %%ecx, %%ecx\n"
        "push %[fl]\n"
        "popfq\n"
        "mov %[ax], %%rax\n"
        "mov %[dx], %%rdx\n"
        "call *%[code]\n"
        "mov %%rax, %[axo]\n"
        "mov %%rcx, %[cxo]\n"
        "pushfq\n"
        "pop %[flo]\n"
        "fxsave64 (%[out])\n"
        "fninit\n"
        "add $256, %%rsp\n"
        : [flo] "=&r"(flags_out), [axo] "=&r"(rax_out), [cxo] "=&r"(rcx_out)
        : [in] "r"(area), [out] "r"(out), [fl] "r"(rflags), [ax] "r"(rax), [dx] "r"(rdx), [code] "r"(code), "b"(mem)
        : "rax", "rcx", "rdx", "memory", "cc");
    put(out + 2, 2);
    put(out + 4, 1);
    put(out + 0, 2);
    put(out + 24, 4);
    flags_out &= 0x8d5;
    put((uint8_t *)&flags_out, 8);
    put((uint8_t *)&rax_out, 8);
    put((uint8_t *)&rcx_out, 8);
    for (int i = 0; i < 8; i++) put(out + 32 + 16 * i, 10);
    for (int i = 0; i < 3; i++) put(out + 160 + 16 * i, 16);
    for (int i = 31; i >= 0; i--) printf("%02x", mem[31 - i]);
    putchar('\n');
    fflush(stdout);
  }
  return 0;
}
