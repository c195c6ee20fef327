/* SBI calls (RISC-V SBI v2.0 calling convention: a7 = EID, a6 = FID, result in a0/a1). */
#ifndef SBI_H
#define SBI_H

typedef unsigned long u64;
typedef long i64;

struct sbiret {
    i64 error;
    i64 value;
};

#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434E
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02

struct sbiret sbi_call(u64 ext, u64 fid, u64 a0, u64 a1, u64 a2);
i64 sbi_legacy(u64 ext, u64 a0);

#endif
