/* The demo guests' line shell: reading a line with echo and backspace, splitting it, numbers. */
#ifndef SHELL_H
#define SHELL_H

/* Prints `banner` and `prompt`, then forever reads a line (waiting for an interrupt while no
 * input is there), hands it to `run` and prompts again. */
void shell_run(const char *banner, const char *prompt, void (*run)(char *line));
/* Splits `line` in place at spaces into at most `max` words; returns how many. */
int split_args(char *line, char **argv, int max);
int str_eq(const char *a, const char *b);
/* A decimal or 0x-prefixed hexadecimal number; *ok is 0 when `s` is not one. */
unsigned long parse_num(const char *s, int *ok);

#endif
