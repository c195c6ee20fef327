/* Console over SBI: the debug console extension when present, else the legacy calls. */
#ifndef CONSOLE_H
#define CONSOLE_H
#include "print.h"
#include "sbi.h"

void console_init(void);
/* Returns a character, or -1 when none is waiting. */
int getc_(void);
int console_uses_dbcn(void);

#endif
