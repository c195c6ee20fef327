/* Console on the PL011: polled output, input from a ring the UART's RX interrupt fills. */
#ifndef CONSOLE_H
#define CONSOLE_H
#include "print.h"

void console_init(unsigned long pl011_base);
/* Moves every received byte into the input ring (the UART interrupt's handler). */
void console_rx_irq(void);
/* Returns a character, or -1 when none is waiting. */
int getc_(void);

#endif
