/*
 * Executes A64 SIMD&FP instructions for the differential test (../qemu-diff.test.ts), meant to
 * run under qemu-aarch64 -cpu cortex-a57. stdin: records of
 *   u32 insn, u32 fpcr, u32 nzcv (bits 31:28), u32 pad, 4 x 16 bytes V0..V3, 4 x u64 X0..X3
 * (112 bytes). For each record the instruction runs once with those registers, V4..V7 = 0
 * (table lookups may reach them), FPSR = 0, and
 * stdout gets
 *   4 x 16 bytes V0..V3, 4 x u64 X0..X3, u32 fpsr, u32 nzcv, u32 outcome (0 ran, 1 SIGILL,
 *   2 memory fault), u32 FNV-1a digest of the data page
 * (112 bytes). The data page (4 KiB at 0x10000000, byte i = i * 37 + 11) is reset before every
 * record so that loads and stores can be tested with X0..X3 pointing into it.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct ctx {
  uint8_t v[4][16];
  uint64_t x[4];
  uint64_t fpcr, nzcv, fpsr_out, nzcv_out;
};

void run_insn(struct ctx *c, void *code);
__asm__(
    ".text\n.global run_insn\nrun_insn:\n"
    "stp x29, x30, [sp, -32]!\n"
    "stp x19, x20, [sp, 16]\n"
    "mov x19, x0\n mov x20, x1\n"
    "ldr x9, [x19, 96]\n msr fpcr, x9\n msr fpsr, xzr\n"
    "ldr x9, [x19, 104]\n msr nzcv, x9\n"
    "ldp q0, q1, [x19]\n ldp q2, q3, [x19, 32]\n"
    "ldp x0, x1, [x19, 64]\n ldp x2, x3, [x19, 80]\n"
    "movi v4.2d, #0\n movi v5.2d, #0\n movi v6.2d, #0\n movi v7.2d, #0\n"
    "blr x20\n"
    "mrs x9, nzcv\n str x9, [x19, 120]\n"
    "mrs x9, fpsr\n str x9, [x19, 112]\n"
    "stp q0, q1, [x19]\n stp q2, q3, [x19, 32]\n"
    "stp x0, x1, [x19, 64]\n stp x2, x3, [x19, 80]\n"
    "msr fpcr, xzr\n"
    "ldp x19, x20, [sp, 16]\n ldp x29, x30, [sp], 32\n ret\n");

static int read_full(void *buf, size_t n) {
  uint8_t *p = buf;
  while (n > 0) {
    ssize_t r = read(0, p, n);
    if (r <= 0) return 0;
    p += r;
    n -= (size_t)r;
  }
  return 1;
}

static void write_full(const void *buf, size_t n) {
  const uint8_t *p = buf;
  while (n > 0) {
    ssize_t r = write(1, p, n);
    if (r <= 0) _exit(2);
    p += r;
    n -= (size_t)r;
  }
}

#define DATA_BASE 0x10000000UL
#define DATA_SIZE 4096

static sigjmp_buf undefined_insn;
static volatile int fault_kind;
static void on_signal(int sig) {
  fault_kind = sig == SIGILL ? 1 : 2;
  siglongjmp(undefined_insn, 1);
}

/* FNV-1a over the data page, so stores are compared too. */
static uint32_t data_digest(const uint8_t *p) {
  uint32_t h = 0x811c9dc5u;
  for (int i = 0; i < DATA_SIZE; i++) h = (h ^ p[i]) * 0x01000193u;
  return h;
}

int main(void) {
  uint8_t *data = mmap((void *)DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  static uint8_t pattern[DATA_SIZE];
  for (int i = 0; i < DATA_SIZE; i++) pattern[i] = (uint8_t)(i * 37 + 11);
  uint32_t *code = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGILL, &sa, 0);
  sigaction(SIGSEGV, &sa, 0);
  sigaction(SIGBUS, &sa, 0);
  uint8_t in[112], out[112];
  static uint8_t obuf[112 * 256];
  size_t used = 0;
  while (read_full(in, sizeof in)) {
    struct ctx c;
    uint32_t insn, fpcr, nzcv, undef = 0;
    memcpy(&insn, in, 4);
    memcpy(&fpcr, in + 4, 4);
    memcpy(&nzcv, in + 8, 4);
    memcpy(c.v, in + 16, 64);
    memcpy(c.x, in + 80, 32);
    c.fpcr = fpcr;
    c.nzcv = nzcv;
    c.fpsr_out = 0;
    c.nzcv_out = nzcv;
    memcpy(data, pattern, DATA_SIZE);
    code[0] = insn;
    code[1] = 0xd65f03c0; /* ret */
    __builtin___clear_cache((char *)code, (char *)(code + 2));
    if (sigsetjmp(undefined_insn, 1) == 0) {
      run_insn(&c, code);
    } else {
      __asm__ volatile("msr fpcr, xzr");
      memcpy(c.v, in + 16, 64);
      memcpy(c.x, in + 80, 32);
      c.fpsr_out = 0;
      c.nzcv_out = nzcv;
      undef = (uint32_t)fault_kind;
    }
    uint32_t fpsr = (uint32_t)c.fpsr_out, nz = (uint32_t)c.nzcv_out, zero = data_digest(data);
    memcpy(out, c.v, 64);
    memcpy(out + 64, c.x, 32);
    memcpy(out + 96, &fpsr, 4);
    memcpy(out + 100, &nz, 4);
    memcpy(out + 104, &undef, 4);
    memcpy(out + 108, &zero, 4);
    memcpy(obuf + used, out, 112);
    used += 112;
    if (used == sizeof obuf) {
      write_full(obuf, used);
      used = 0;
    }
  }
  write_full(obuf, used);
  return 0;
}
