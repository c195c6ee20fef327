/**
 * The differential-test suites: which instruction templates, how many cases, which seed. The
 * recorded QEMU digests live beside this file as <suite>.digests (u32 little-endian per case).
 */
import type { Template } from "./cases.js";

export interface Suite {
  readonly name: string;
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
];

export const SUITES: readonly Suite[] = [
  { name: "scalar-fp", seed: 0x5ca1a7, count: 100_000, templates: SCALAR_FP },
];
