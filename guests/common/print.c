/* The guests' formatted output, written once for every architecture over its putc_. */
#include "print.h"
#include <stdarg.h>

void puts_(const char *s) {
    while (*s) {
        if (*s == '\n') putc_('\r');
        putc_(*s++);
    }
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

void dump_bytes(const unsigned char *buf, int len) {
    for (int row = 0; row < len; row += 16) {
        printf_("  %04x:", row);
        for (int i = row; i < row + 16 && i < len; i++) printf_(" %02x", buf[i]);
        puts_("  ");
        for (int i = row; i < row + 16 && i < len; i++) {
            unsigned char c = buf[i];
            putc_(c >= 32 && c < 127 ? (char)c : '.');
        }
        puts_("\n");
    }
}
