/* Console on the PL011: polled output, input from a ring the UART's RX interrupt fills. */
#ifndef CONSOLE_H
#define CONSOLE_H

void console_init(unsigned long pl011_base);
/* Moves every received byte into the input ring (the UART interrupt's handler). */
void console_rx_irq(void);
void putc_(char c);
void puts_(const char *s);
/* Returns a character, or -1 when none is waiting. */
int getc_(void);
/* A small printf: %s %c %d %u %x %lx %lu %ld %p and widths like %08x. */
void printf_(const char *fmt, ...);

#endif
