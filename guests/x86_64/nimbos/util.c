/* The few libc functions the kernel uses (gcc may also emit calls to memset/memcpy). */
#include "kernel.h"

void *memset(void *dst, int c, size_t n) {
  uint8_t *d = dst;
  while (n--) *d++ = (uint8_t)c;
  return dst;
}

void *memcpy(void *dst, const void *src, size_t n) {
  uint8_t *d = dst;
  const uint8_t *s = src;
  while (n--) *d++ = *s++;
  return dst;
}

int strcmp(const char *a, const char *b) {
  while (*a && *a == *b) a++, b++;
  return (uint8_t)*a - (uint8_t)*b;
}

int strncmp(const char *a, const char *b, size_t n) {
  for (; n; n--, a++, b++) {
    if (*a != *b || !*a) return (uint8_t)*a - (uint8_t)*b;
  }
  return 0;
}

size_t strlen(const char *s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}

uint64_t spin_lock_irqsave(struct spinlock *l) {
  uint64_t f = irq_save();
  while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
    while (l->locked) __asm__ volatile("pause");
  }
  return f;
}

void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags) {
  __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
  irq_restore(flags);
}
