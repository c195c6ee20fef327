/* Console over SBI: the debug console extension when present, else the legacy calls. */
#ifndef CONSOLE_H
#define CONSOLE_H
#include "sbi.h"

void console_init(void);
void putc_(char c);
void puts_(const char *s);
/* Returns a character, or -1 when none is waiting. */
int getc_(void);
/* A small printf: %s %c %d %u %x %lx %lu %ld %p and widths like %08x. */
void printf_(const char *fmt, ...);
int console_uses_dbcn(void);

#endif
