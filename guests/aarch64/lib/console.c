#include "console.h"

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

int getc_(void) {
    if (tail == head) return -1;
    return ring[tail++ % sizeof(ring)];
}
