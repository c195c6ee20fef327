/* Formatted console output shared by the guests; each architecture's console provides putc_. */
#ifndef PRINT_H
#define PRINT_H

/* Writes one byte to the console (the architecture's console.c). */
void putc_(char c);
/* Writes a string, turning "\n" into "\r\n". */
void puts_(const char *s);
/* A small printf: %s %c %d %u %x %lx %lu %ld %p and widths like %08x. */
void printf_(const char *fmt, ...);
/* Prints `len` bytes as rows of 16: offset, hex bytes, printable characters. */
void dump_bytes(const unsigned char *buf, int len);

#endif
