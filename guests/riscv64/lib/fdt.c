#include "fdt.h"

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static unsigned be32(const void *p) {
    const unsigned char *b = p;
    return ((unsigned)b[0] << 24) | ((unsigned)b[1] << 16) | ((unsigned)b[2] << 8) | b[3];
}

static int str_eq(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

static int starts_with(const char *s, const char *prefix) {
    while (*prefix) {
        if (*s++ != *prefix++) return 0;
    }
    return 1;
}

/* True when the NUL-separated string list contains `want`. */
static int list_has(const char *list, unsigned len, const char *want) {
    unsigned i = 0;
    while (i < len) {
        if (str_eq(list + i, want)) return 1;
        while (i < len && list[i]) i++;
        i++;
    }
    return 0;
}

int fdt_scan(const void *blob, struct board_info *out) {
    const unsigned char *base = blob;
    if (!blob || be32(base) != FDT_MAGIC) return -1;
    const unsigned char *p = base + be32(base + 8);
    const char *strings = (const char *)base + be32(base + 12);
    int depth = 0, in_cpus = 0, in_chosen = 0;
    int is_virtio = 0;
    unsigned long reg = 0;
    out->virtio_count = 0;
    out->timebase = 10000000;
    out->cpu_count = 0;
    out->bootargs = 0;
    for (;;) {
        unsigned token = be32(p);
        p += 4;
        if (token == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            unsigned len = 0;
            while (name[len]) len++;
            p += (len + 4) & ~3u;
            depth++;
            if (depth == 2) {
                in_cpus = str_eq(name, "cpus");
                in_chosen = str_eq(name, "chosen");
            }
            if (in_cpus && depth == 3 && starts_with(name, "cpu@")) out->cpu_count++;
            is_virtio = 0;
            reg = 0;
        } else if (token == FDT_END_NODE) {
            if (is_virtio && out->virtio_count < FDT_MAX_VIRTIO) {
                out->virtio_base[out->virtio_count++] = reg;
            }
            is_virtio = 0;
            depth--;
            if (depth < 2) in_cpus = in_chosen = 0;
        } else if (token == FDT_PROP) {
            unsigned len = be32(p);
            const char *pname = strings + be32(p + 4);
            const unsigned char *val = p + 8;
            if (str_eq(pname, "compatible") && list_has((const char *)val, len, "virtio,mmio")) {
                is_virtio = 1;
            } else if (str_eq(pname, "reg") && len >= 8) {
                /* The board uses #address-cells = 2: the first two cells are the base. */
                reg = ((unsigned long)be32(val) << 32) | be32(val + 4);
            } else if (in_cpus && depth == 2 && str_eq(pname, "timebase-frequency") && len >= 4) {
                out->timebase = be32(val);
            } else if (in_chosen && str_eq(pname, "bootargs")) {
                out->bootargs = (const char *)val;
            }
            p += 8 + ((len + 3) & ~3u);
        } else if (token == FDT_NOP) {
            continue;
        } else {
            break;
        }
    }
    return 0;
}
