/*
 * The serial console on COM1 (a 16550 at port 0x3F8): output polled, input interrupt-driven
 * (IRQ 4 through the IOAPIC to the BSP's LAPIC) into a ring buffer. The timer also drains the
 * receiver, so input keeps working where the interrupt never arrives.
 */
#include "kernel.h"

#define COM1 0x3F8
#define RX_SIZE 256

static struct spinlock console_lock;
static volatile uint8_t rx_buf[RX_SIZE];
static volatile uint32_t rx_head, rx_tail;
volatile uint64_t serial_irq_bytes, serial_polled_bytes;

void console_init(void) {
  outb(COM1 + 1, 0x00); /* no interrupts yet */
  outb(COM1 + 3, 0x80); /* DLAB */
  outb(COM1 + 0, 0x01); /* 115200 baud */
  outb(COM1 + 1, 0x00);
  outb(COM1 + 3, 0x03); /* 8N1 */
  outb(COM1 + 2, 0x07); /* FIFOs on and cleared, receive trigger at 1 byte */
  outb(COM1 + 4, 0x0B); /* DTR, RTS, OUT2 (gates the IRQ line on a PC) */
}

void serial_enable_irq(void) { outb(COM1 + 1, 0x01); /* received-data interrupt */ }

static void raw_putc(char c) {
  for (int i = 0; i < 1000000 && !(inb(COM1 + 5) & 0x20); i++) {
  }
  outb(COM1, (uint8_t)c);
}

void putc_(char c) {
  if (c == '\n') raw_putc('\r');
  raw_putc(c);
}

/* Drains the receiver into the ring; returns how many bytes it took. */
static uint32_t drain(void) {
  uint32_t n = 0;
  while (inb(COM1 + 5) & 0x01) {
    uint8_t c = inb(COM1);
    uint32_t next = (rx_head + 1) % RX_SIZE;
    if (next != rx_tail) {
      rx_buf[rx_head] = c;
      rx_head = next;
    }
    if (++n == 64) break;
  }
  if (n && shell) wake_task(shell);
  return n;
}

void serial_irq(void) { serial_irq_bytes += drain(); }
void serial_poll(void) { serial_polled_bytes += drain(); }

int getc_nonblock(void) {
  if (rx_tail == rx_head) return -1;
  int c = rx_buf[rx_tail];
  rx_tail = (rx_tail + 1) % RX_SIZE;
  return c;
}

static void put_uint(uint64_t v, unsigned base, int width, char pad, bool upper) {
  char buf[24];
  int n = 0;
  const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    buf[n++] = digits[v % base];
    v /= base;
  } while (v);
  while (n < width) buf[n++] = pad;
  while (n) putc_(buf[--n]);
}

/* %d %u %x %X %s %c %p %%, with an optional '0' flag, width and 'l'/'ll' length. */
void kvprintf(const char *fmt, va_list ap) {
  for (; *fmt; fmt++) {
    if (*fmt != '%') {
      putc_(*fmt);
      continue;
    }
    fmt++;
    char pad = ' ';
    int width = 0, longs = 0;
    bool left = false;
    if (*fmt == '-') {
      left = true;
      fmt++;
    }
    if (*fmt == '0') {
      pad = '0';
      fmt++;
    }
    while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
    while (*fmt == 'l') {
      longs++;
      fmt++;
    }
    switch (*fmt) {
    case 'd': {
      int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
      if (v < 0) {
        putc_('-');
        v = -v;
      }
      put_uint((uint64_t)v, 10, width, pad, false);
      break;
    }
    case 'u':
      put_uint(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, width, pad, false);
      break;
    case 'x':
    case 'X':
      put_uint(longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, width, pad, *fmt == 'X');
      break;
    case 'p':
      putc_('0');
      putc_('x');
      put_uint((uint64_t)va_arg(ap, void *), 16, 1, '0', false);
      break;
    case 'c':
      putc_((char)va_arg(ap, int));
      break;
    case 's': {
      const char *s = va_arg(ap, const char *);
      if (!s) s = "(null)";
      int len = (int)strlen(s);
      if (!left)
        for (int i = len; i < width; i++) putc_(' ');
      while (*s) putc_(*s++);
      if (left)
        for (int i = len; i < width; i++) putc_(' ');
      break;
    }
    case '%':
      putc_('%');
      break;
    default:
      putc_('%');
      putc_(*fmt);
      break;
    }
  }
}

void kprintf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  uint64_t f = spin_lock_irqsave(&console_lock);
  kvprintf(fmt, ap);
  spin_unlock_irqrestore(&console_lock, f);
  va_end(ap);
}

/* For fatal paths: ignores the lock, which the failing CPU may hold. */
void panic_printf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  kvprintf(fmt, ap);
  va_end(ap);
}
