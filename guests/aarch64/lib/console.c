#include "console.h"
#include <stdarg.h>

#define UARTDR 0x00
#define UARTFR 0x18
#define UARTCR 0x30
#define UARTIMSC 0x38
#define UARTICR 0x44
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define IM_RX (1u << 4)
#define IM_RT (1u << 6)

static unsigned long uart;
static volatile unsigned char ring[256];
static volatile unsigned head, tail;

#define REG(off) (*(volatile unsigned *)(uart + (off)))

void console_init(unsigned long pl011_base) {
    uart = pl011_base;
    REG(UARTCR) = 0x301; /* UARTEN | TXE | RXE */
    REG(UARTICR) = 0x7ff;
    REG(UARTIMSC) = IM_RX | IM_RT;
}

void console_rx_irq(void) {
    while ((REG(UARTFR) & FR_RXFE) == 0) {
        unsigned char c = (unsigned char)REG(UARTDR);
        if (head - tail < sizeof(ring)) ring[head++ % sizeof(ring)] = c;
    }
    REG(UARTICR) = IM_RX | IM_RT;
}

void putc_(char c) {
    while (REG(UARTFR) & FR_TXFF) {
    }
    REG(UARTDR) = (unsigned char)c;
}

void puts_(const char *s) {
    while (*s) {
        if (*s == '\n') putc_('\r');
        putc_(*s++);
    }
}

int getc_(void) {
    if (tail == head) return -1;
    return ring[tail++ % sizeof(ring)];
}

static void put_num(unsigned long v, unsigned base, int width, char pad, int negative) {
    char buf[24];
    int n = 0;
    do {
        unsigned d = v % base;
        buf[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
        v /= base;
    } while (v != 0);
    if (negative) buf[n++] = '-';
    while (n < width) {
        putc_(pad);
        width--;
    }
    while (n > 0) putc_(buf[--n]);
}

void printf_(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            if (*fmt == '\n') putc_('\r');
            putc_(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0, is_long = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        if (*fmt == 'l') {
            is_long = 1;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            puts_(s ? s : "(null)");
            break;
        }
        case 'c':
            putc_((char)va_arg(ap, int));
            break;
        case 'd': {
            long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
            put_num(v < 0 ? (unsigned long)-v : (unsigned long)v, 10, width, pad, v < 0);
            break;
        }
        case 'u':
            put_num(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width, pad, 0);
            break;
        case 'x':
            put_num(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width, pad, 0);
            break;
        case 'p':
            puts_("0x");
            put_num((unsigned long)va_arg(ap, void *), 16, 16, '0', 0);
            break;
        case '%':
            putc_('%');
            break;
        default:
            putc_('%');
            putc_(*fmt);
        }
    }
    va_end(ap);
}
