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

static unsigned long be64(const void *p) {
    return ((unsigned long)be32(p) << 32) | be32((const char *)p + 4);
}

static int str_eq(const char *a, const char *b) {
    while (*a && *a == *b) a++, b++;
    return *a == *b;
}

static int starts_with(const char *s, const char *prefix) {
    while (*prefix && *s == *prefix) s++, prefix++;
    return *prefix == 0;
}

/* Whether a stringlist property holds `want`. */
static int list_has(const char *list, unsigned len, const char *want) {
    unsigned i = 0;
    while (i < len) {
        if (str_eq(list + i, want)) return 1;
        while (i < len && list[i]) i++;
        i++;
    }
    return 0;
}

#define MAX_DEPTH 16

enum kind { K_OTHER, K_CPU, K_GIC2, K_GIC3, K_UART, K_VIRTIO, K_PSCI };

int fdt_scan(const void *blob, struct board_info *out) {
    const unsigned char *base = blob;
    if (!blob || be32(base) != FDT_MAGIC) return -1;
    const unsigned char *p = base + be32(base + 8);
    const char *strings = (const char *)base + be32(base + 12);
    int depth = 0, in_cpus = 0;
    /* Per open node: what it is and its reg (a node's properties come before its children). */
    enum kind kind[MAX_DEPTH];
    const unsigned char *reg[MAX_DEPTH];
    unsigned reg_len[MAX_DEPTH];
    const char *method[MAX_DEPTH];
    for (;;) {
        unsigned tok = be32(p);
        p += 4;
        if (tok == FDT_BEGIN_NODE) {
            const char *name = (const char *)p;
            unsigned n = 0;
            while (name[n]) n++;
            p += (n + 4) & ~3u;
            if (++depth >= MAX_DEPTH) return -1;
            if (depth == 2 && str_eq(name, "cpus")) in_cpus = 1;
            kind[depth] = (in_cpus && depth == 3 && starts_with(name, "cpu@")) ? K_CPU
                          : (depth == 2 && str_eq(name, "psci"))              ? K_PSCI
                                                                              : K_OTHER;
            reg[depth] = 0;
            reg_len[depth] = 0;
            method[depth] = 0;
        } else if (tok == FDT_PROP) {
            unsigned len = be32(p);
            const char *pname = strings + be32(p + 4);
            const unsigned char *val = p + 8;
            p += 8 + ((len + 3) & ~3u);
            if (depth < 1) continue;
            if (str_eq(pname, "reg")) {
                reg[depth] = val;
                reg_len[depth] = len;
            } else if (str_eq(pname, "method")) {
                method[depth] = (const char *)val;
            } else if (str_eq(pname, "compatible") && kind[depth] == K_OTHER) {
                const char *c = (const char *)val;
                enum kind *k = &kind[depth];
                if (list_has(c, len, "arm,gic-v3")) *k = K_GIC3;
                else if (list_has(c, len, "arm,cortex-a15-gic") || list_has(c, len, "arm,gic-400"))
                    *k = K_GIC2;
                else if (list_has(c, len, "arm,pl011")) *k = K_UART;
                else if (list_has(c, len, "virtio,mmio")) *k = K_VIRTIO;
                else if (list_has(c, len, "arm,psci-1.0") || list_has(c, len, "arm,psci-0.2"))
                    *k = K_PSCI;
            }
        } else if (tok == FDT_END_NODE) {
            if (depth < 1) return -1;
            /* The node is complete: record it (root children use 2 address + 2 size cells). */
            enum kind k = kind[depth];
            const unsigned char *r = reg[depth];
            unsigned rl = reg_len[depth];
            if (k == K_CPU && r && out->cpu_count < FDT_MAX_CPUS) {
                out->cpu_mpidr[out->cpu_count++] = rl >= 8 ? be64(r) : be32(r);
            } else if ((k == K_GIC2 || k == K_GIC3) && r && rl >= 32) {
                out->gic_version = k == K_GIC3 ? 3 : 2;
                out->gicd = be64(r);
                if (k == K_GIC3) out->gicr = be64(r + 16);
                else out->gicc = be64(r + 16);
            } else if (k == K_UART && r && !out->uart) {
                out->uart = be64(r);
            } else if (k == K_VIRTIO && r && out->virtio_count < FDT_MAX_VIRTIO) {
                out->virtio_base[out->virtio_count++] = be64(r);
            } else if (k == K_PSCI && method[depth]) {
                out->psci_smc = str_eq(method[depth], "smc");
            }
            if (depth == 2) in_cpus = 0;
            depth--;
        } else if (tok == FDT_NOP) {
            continue;
        } else {
            break;
        }
    }
    return 0;
}
