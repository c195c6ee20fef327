#include "sbi.h"

struct sbiret sbi_call(u64 ext, u64 fid, u64 a0, u64 a1, u64 a2) {
    register u64 r_a0 asm("a0") = a0;
    register u64 r_a1 asm("a1") = a1;
    register u64 r_a2 asm("a2") = a2;
    register u64 r_a6 asm("a6") = fid;
    register u64 r_a7 asm("a7") = ext;
    asm volatile("ecall" : "+r"(r_a0), "+r"(r_a1) : "r"(r_a2), "r"(r_a6), "r"(r_a7) : "memory");
    struct sbiret ret = {(i64)r_a0, (i64)r_a1};
    return ret;
}

i64 sbi_legacy(u64 ext, u64 a0) {
    register u64 r_a0 asm("a0") = a0;
    register u64 r_a7 asm("a7") = ext;
    asm volatile("ecall" : "+r"(r_a0) : "r"(r_a7) : "memory", "a1");
    return (i64)r_a0;
}
