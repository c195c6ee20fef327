/* The demo guests' line shell, the same on every architecture over its console. */
#include "shell.h"
#include "barrier.h"
#include "print.h"

int getc_(void);

int str_eq(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

unsigned long parse_num(const char *s, int *ok) {
    unsigned long v = 0;
    unsigned base = 10;
    *ok = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else return 0;
        v = v * base + d;
        *ok = 1;
    }
    return v;
}

int split_args(char *line, char **argv, int max) {
    int argc = 0;
    char *p = line;
    while (*p && argc < max) {
        while (*p == ' ') *p++ = 0;
        if (!*p) break;
        argv[argc++] = p;
        while (*p && *p != ' ') p++;
    }
    return argc;
}

void shell_run(const char *banner, const char *prompt, void (*run)(char *line)) {
    char line[80];
    int len = 0;
    puts_(banner);
    puts_(prompt);
    for (;;) {
        int c = getc_();
        if (c < 0) {
            wait_for_interrupt();
            continue;
        }
        if (c == '\r' || c == '\n') {
            puts_("\n");
            line[len] = 0;
            run(line);
            len = 0;
            puts_(prompt);
        } else if ((c == 0x7f || c == 8) && len > 0) {
            len--;
            puts_("\b \b");
        } else if (c >= 32 && c < 127 && len < (int)sizeof(line) - 1) {
            line[len++] = (char)c;
            putc_((char)c);
        }
    }
}
