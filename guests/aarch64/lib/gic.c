#include "gic.h"

#define W32(a) (*(volatile unsigned *)(a))
#define W64(a) (*(volatile unsigned long *)(a))

#define GICD_CTLR 0x000
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_SGIR 0xf00
#define GICD_IROUTER 0x6000
#define GICC_CTLR 0x00
#define GICC_PMR 0x04
#define GICC_IAR 0x0c
#define GICC_EOIR 0x10
#define GICR_TYPER 0x08
#define GICR_WAKER 0x14
#define GICR_STRIDE 0x20000
#define GICR_SGI 0x10000

static int version;
static unsigned long gicd, gicc, gicr_base;
/* Each CPU's redistributor (GICv3), by index. */
static unsigned long gicr[FDT_MAX_CPUS];

#define SYSREG_W(name, v) asm volatile("msr " name ", %0" ::"r"((unsigned long)(v)))
#define SYSREG_R(name, v) asm volatile("mrs %0, " name : "=r"(v))
/* ICC_* by encoding, so any assembler takes them. */
#define ICC_PMR_EL1 "S3_0_C4_C6_0"
#define ICC_IAR1_EL1 "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1 "S3_0_C12_C12_1"
#define ICC_BPR1_EL1 "S3_0_C12_C12_3"
#define ICC_SRE_EL1 "S3_0_C12_C12_5"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"
#define ICC_SGI1R_EL1 "S3_0_C12_C11_5"

int gic_version(void) { return version; }

void gic_init(const struct board_info *b) {
    version = b->gic_version;
    gicd = b->gicd;
    gicc = b->gicc;
    gicr_base = b->gicr;
    W32(gicd + GICD_CTLR) = 0;
    /* SPIs 32..63: the ones QEMU virt's devices use (PL011: 33, virtio: 48..79 beyond). */
    if (version == 3) {
        W32(gicd + GICD_IGROUPR + 4) = ~0u;
        for (unsigned i = 32; i < 64; i++) W64(gicd + GICD_IROUTER + 8 * i) = b->cpu_mpidr[0] & 0xff00ffffffUL;
        W32(gicd + GICD_CTLR) = 0x12; /* ARE | EnableGrp1 */
    } else {
        for (unsigned i = 32; i < 64; i += 4) W32(gicd + GICD_ITARGETSR + i) = 0x01010101;
        W32(gicd + GICD_CTLR) = 1; /* forwards group 0, the only group without security */
    }
}

void gic_cpu_init(unsigned long mpidr, int index) {
    if (version == 3) {
        unsigned long aff = ((mpidr >> 8) & 0xff000000UL) | (mpidr & 0xffffffUL);
        unsigned long rd = gicr_base;
        for (int n = 0; n < 64; n++, rd += GICR_STRIDE) {
            unsigned long typer = W64(rd + GICR_TYPER);
            if ((typer >> 32) == aff) break;
            if (typer & (1UL << 4)) { /* Last */
                rd = gicr_base + (unsigned long)index * GICR_STRIDE;
                break;
            }
        }
        gicr[index] = rd;
        W32(rd + GICR_WAKER) = W32(rd + GICR_WAKER) & ~2u; /* clear ProcessorSleep */
        while (W32(rd + GICR_WAKER) & 4u) {
        }
        W32(rd + GICR_SGI + GICD_IGROUPR) = ~0u;
        unsigned long sre;
        SYSREG_R(ICC_SRE_EL1, sre);
        if ((sre & 1) == 0) SYSREG_W(ICC_SRE_EL1, sre | 1);
        asm volatile("isb");
        SYSREG_W(ICC_PMR_EL1, 0xff);
        SYSREG_W(ICC_BPR1_EL1, 0);
        SYSREG_W(ICC_IGRPEN1_EL1, 1);
        asm volatile("isb");
    } else {
        W32(gicc + GICC_PMR) = 0xf0;
        W32(gicc + GICC_CTLR) = 1;
    }
}

void gic_enable(unsigned intid) {
    unsigned long bank = gicd;
    if (version == 3 && intid < 32) {
        unsigned long idx;
        asm volatile("mrs %0, tpidr_el1" : "=r"(idx));
        bank = gicr[idx] + GICR_SGI;
    }
    W32(bank + GICD_ISENABLER + 4 * (intid / 32)) = 1u << (intid % 32);
}

unsigned gic_ack(void) {
    if (version == 3) {
        unsigned long v;
        SYSREG_R(ICC_IAR1_EL1, v);
        return (unsigned)v;
    }
    return W32(gicc + GICC_IAR);
}

void gic_eoi(unsigned iar) {
    if (version == 3) {
        SYSREG_W(ICC_EOIR1_EL1, iar);
        asm volatile("isb");
    } else {
        W32(gicc + GICC_EOIR) = iar;
    }
}

void gic_send_sgi(unsigned sgi, unsigned long mpidr, int index) {
    asm volatile("dsb sy" ::: "memory");
    if (version == 3) {
        unsigned long v = (((mpidr >> 32) & 0xff) << 48) | (((mpidr >> 16) & 0xff) << 32) |
                          ((unsigned long)sgi << 24) | (((mpidr >> 8) & 0xff) << 16) |
                          (1UL << (mpidr & 0xf));
        SYSREG_W(ICC_SGI1R_EL1, v);
        asm volatile("isb");
    } else {
        W32(gicd + GICD_SGIR) = (1u << (16 + index)) | sgi;
    }
}
