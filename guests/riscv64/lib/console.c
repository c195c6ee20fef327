#include "console.h"

static int have_dbcn;

void console_init(void) {
    struct sbiret r = sbi_call(SBI_EXT_BASE, 3, SBI_EXT_DBCN, 0, 0);
    have_dbcn = r.error == 0 && r.value != 0;
}

int console_uses_dbcn(void) { return have_dbcn; }

void putc_(char c) {
    if (have_dbcn) {
        sbi_call(SBI_EXT_DBCN, 2, (unsigned char)c, 0, 0);
    } else {
        sbi_legacy(SBI_EXT_LEGACY_PUTCHAR, (unsigned char)c);
    }
}

int getc_(void) {
    if (have_dbcn) {
        static volatile char byte;
        struct sbiret r = sbi_call(SBI_EXT_DBCN, 1, 1, (u64)&byte, 0);
        if (r.error != 0 || r.value == 0) return -1;
        return (unsigned char)byte;
    }
    i64 c = sbi_legacy(SBI_EXT_LEGACY_GETCHAR, 0);
    return c < 0 ? -1 : (int)c;
}
