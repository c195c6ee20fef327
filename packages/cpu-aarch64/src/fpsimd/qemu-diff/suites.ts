/**
 * The differential-test suites: which instruction templates, how many cases, which seed. The
 * recorded QEMU digests live beside this file as <suite>.digests (u32 little-endian per case).
 */
import type { Template } from "./cases.js";

export interface Suite {
  readonly name: string;
  /** Loads and stores: X0, X1 point into the harness's data page, X2, X3 are small offsets. */
  readonly memory?: boolean;
  readonly seed: number;
  readonly count: number;
  readonly templates: readonly Template[];
}

const SCALAR_FP: Template[] = [
  { name: "fp-dp2", pattern: "000 11110 0t 1 mmmmm oooo 10 nnnnn ddddd", weight: 8 },
  { name: "fp-dp1", pattern: "000 11110 tt 1 0ooooo 10000 nnnnn ddddd", weight: 6 },
  { name: "fp-dp3", pattern: "000 11111 0t o mmmmm o aaaaa nnnnn ddddd", weight: 6 },
  { name: "fp-cmp", pattern: "000 11110 0t 1 mmmmm 00 1000 nnnnn ez000", weight: 2 },
  { name: "fp-ccmp", pattern: "000 11110 0t 1 mmmmm cccc 01 nnnnn effff", weight: 2 },
  { name: "fp-csel", pattern: "000 11110 0t 1 mmmmm cccc 11 nnnnn ddddd", weight: 1 },
  { name: "fp-imm", pattern: "000 11110 0t 1 iiiiiiii 100 00000 ddddd", weight: 1 },
  { name: "fp-int", pattern: "s00 11110 tt 1 rr ooo 000000 nnnnn ddddd", weight: 6 },
  { name: "fp-fixed", pattern: "s00 11110 0t 0 rr 0oo 1kkkkk nnnnn ddddd", weight: 3 },
  // Focused on valid encodings of the groups above.
  { name: "fp-cvt-int", pattern: "s00 11110 0t 1 rr 00o 000000 nnnnn ddddd", weight: 5 },
  { name: "fp-cvta", pattern: "s00 11110 0t 1 00 10o 000000 nnnnn ddddd", weight: 2 },
  { name: "fp-scvtf", pattern: "s00 11110 0t 1 00 01o 000000 nnnnn ddddd", weight: 3 },
  { name: "fp-fcvtz-fixed", pattern: "s00 11110 0t 0 11 00o 1kkkkk nnnnn ddddd", weight: 2 },
  { name: "fp-scvtf-fixed", pattern: "s00 11110 0t 0 00 01o 1kkkkk nnnnn ddddd", weight: 2 },
  { name: "fp-dp1-valid", pattern: "000 11110 0t 1 00oooo 10000 nnnnn ddddd", weight: 5 },
  { name: "fp-fcvt", pattern: "000 11110 tt 1 0001oo 10000 nnnnn ddddd", weight: 3 },
];

const ADVSIMD_VECTOR: Template[] = [
  { name: "v-three-same", pattern: "0qu 01110 ss 1 mmmmm ooooo 1 nnnnn ddddd", weight: 10 },
  {
    name: "v-three-diff",
    pattern: "0qu 01110 ss 1 mmmmm oooo 00 nnnnn ddddd",
    weight: 5,
  },
  { name: "v-misc", pattern: "0qu 01110 ss 10000 ooooo 10 nnnnn ddddd", weight: 10 },
  { name: "v-across", pattern: "0qu 01110 ss 11000 ooooo 10 nnnnn ddddd", weight: 3 },
  { name: "v-copy", pattern: "0qo 01110000 iiiii 0 jjjj 1 nnnnn ddddd", weight: 3 },
  { name: "v-modimm", pattern: "0qo 0111100000 iii cccc x 1 jjjjj ddddd", weight: 2 },
  { name: "v-shift", pattern: "0qu 011110 hhhh bbb ooooo 1 nnnnn ddddd", weight: 8 },
  { name: "v-indexed", pattern: "0qu 01111 ss l mmmmm oooo h 0 nnnnn ddddd", weight: 6 },
  { name: "v-tbl", pattern: "0q0 01110 00 0 mmmmm 0 ll o 00 nnnnn ddddd", weight: 1 },
  { name: "v-perm", pattern: "0q0 01110 ss 0 mmmmm 0 ooo 10 nnnnn ddddd", weight: 2 },
  { name: "v-ext", pattern: "0q1 01110 00 0 mmmmm 0 iiii 0 nnnnn ddddd", weight: 1 },
  // Focused on valid encodings.
  { name: "v-fp-three-same", pattern: "0qu 01110 ss 1 mmmmm 11ooo 1 nnnnn ddddd", weight: 6 },
  { name: "v-fp-misc", pattern: "0qu 01110 ss 10000 11ooo 10 nnnnn ddddd", weight: 6 },
  { name: "v-fp-misc-a", pattern: "0qu 01110 1s 10000 011oo 10 nnnnn ddddd", weight: 2 },
  { name: "v-shift-narrow", pattern: "0qu 011110 0hhh bbb 100oo 1 nnnnn ddddd", weight: 3 },
  { name: "v-shift-32", pattern: "0qu 011110 0hhh bbb ooooo 1 nnnnn ddddd", weight: 4 },
  { name: "v-across-int", pattern: "0qu 01110 0s 11000 oo01o 10 nnnnn ddddd", weight: 2 },
  { name: "v-across-fp", pattern: "011 01110 s0 11000 011oo 10 nnnnn ddddd", weight: 1 },
  { name: "v-indexed-fp", pattern: "0qu 01111 1s l mmmmm oo01 h 0 nnnnn ddddd", weight: 3 },
  { name: "v-narrow", pattern: "0qu 01110 ss 10000 1oo10 10 nnnnn ddddd", weight: 2 },
];

const ADVSIMD_SCALAR: Template[] = [
  { name: "s-three-same", pattern: "01u 11110 ss 1 mmmmm ooooo 1 nnnnn ddddd", weight: 6 },
  { name: "s-three-diff", pattern: "01u 11110 ss 1 mmmmm oooo 00 nnnnn ddddd", weight: 2 },
  { name: "s-misc", pattern: "01u 11110 ss 10000 ooooo 10 nnnnn ddddd", weight: 6 },
  { name: "s-pairwise", pattern: "01u 11110 ss 11000 ooooo 10 nnnnn ddddd", weight: 2 },
  { name: "s-copy", pattern: "010 11110000 iiiii 0 0000 1 nnnnn ddddd", weight: 1 },
  { name: "s-shift", pattern: "01u 111110 hhhh bbb ooooo 1 nnnnn ddddd", weight: 4 },
  { name: "s-indexed", pattern: "01u 11111 ss l mmmmm oooo h 0 nnnnn ddddd", weight: 3 },
  { name: "s-pairwise-fp", pattern: "011 11110 ss 11000 011oo 10 nnnnn ddddd", weight: 2 },
  { name: "s-addp", pattern: "010 11110 11 11000 11011 10 nnnnn ddddd", weight: 1 },
  { name: "s-doubling", pattern: "010 11110 ss 1 mmmmm 1oo1 00 nnnnn ddddd", weight: 2 },
  { name: "s-fp-misc", pattern: "01u 11110 ss 10000 11ooo 10 nnnnn ddddd", weight: 4 },
  { name: "s-fp-three-same", pattern: "01u 11110 ss 1 mmmmm 11ooo 1 nnnnn ddddd", weight: 3 },
];

/** Register fields N (base X0/X1), M (offset X2/X3), d (V0..V3); offsets kept inside the page. */
const LOAD_STORE: Template[] = [
  { name: "ls-uimm", pattern: "ss 111 1 01 oo 00000000iiii NNNNN ddddd", weight: 4 },
  { name: "ls-imm9", pattern: "ss 111 1 00 oo 0 iiiiiiiii xx NNNNN ddddd", weight: 4 },
  { name: "ls-reg", pattern: "ss 111 1 00 oo 1 MMMMM ooo s 10 NNNNN ddddd", weight: 3 },
  { name: "ls-pair", pattern: "oo 101 1 0 pp l 0iiiiii ddddd NNNNN ddddd", weight: 3 },
  { name: "ls-pair-neg", pattern: "oo 101 1 0 pp l 1111iii ddddd NNNNN ddddd", weight: 1 },
  { name: "ls-multi", pattern: "0q 0011000 l 000000 oooo ss NNNNN ddddd", weight: 4 },
  { name: "ls-multi-post", pattern: "0q 0011001 l 0 MMMMM oooo ss NNNNN ddddd", weight: 2 },
  { name: "ls-multi-post-imm", pattern: "0q 0011001 l 0 11111 oooo ss NNNNN ddddd", weight: 2 },
  { name: "ls-single", pattern: "0q 0011010 l r 00000 ooo s ss NNNNN ddddd", weight: 4 },
  { name: "ls-single-post", pattern: "0q 0011011 l r MMMMM ooo s ss NNNNN ddddd", weight: 2 },
  { name: "ls-single-post-imm", pattern: "0q 0011011 l r 11111 ooo s ss NNNNN ddddd", weight: 2 },
];

/** The cryptographic extension (FpSimdRegs.crypto = true, as QEMU's cortex-a57 advertises it). */
const CRYPTO: Template[] = [
  { name: "aes", pattern: "01001110 00 10100 001oo 10 nnnnn ddddd", weight: 4 },
  { name: "sha-3reg", pattern: "01011110 00 0 mmmmm 0 ooo 00 nnnnn ddddd", weight: 6 },
  { name: "sha-2reg", pattern: "01011110 00 10100 000oo 10 nnnnn ddddd", weight: 3 },
  { name: "crypto-fuzz", pattern: "010u1110 ss 10100 ooooo 10 nnnnn ddddd", weight: 1 },
  { name: "pmull", pattern: "0q0 01110 s1 1 mmmmm 1110 00 nnnnn ddddd", weight: 3 },
];

export const SUITES: readonly Suite[] = [
  { name: "scalar-fp", seed: 0x5ca1a7, count: 200_000, templates: SCALAR_FP },
  { name: "advsimd-vector", seed: 0x51d0, count: 200_000, templates: ADVSIMD_VECTOR },
  { name: "advsimd-scalar", seed: 0x5ca1, count: 100_000, templates: ADVSIMD_SCALAR },
  { name: "load-store", seed: 0x10ad, count: 30_000, templates: LOAD_STORE, memory: true },
  { name: "crypto", seed: 0xae5, count: 30_000, templates: CRYPTO },
];
