/**
 * The cryptographic extension against published answers: AES S-box and MixColumns values
 * from FIPS-197, and SHA-256("abc") from FIPS 180-4 computed with SHA256H/H2/SU0/SU1 the way
 * software uses them. The round constants are derived here from the primes, as the standard
 * defines them. Encodings from GNU as (-march=armv8-a+crypto).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { FPSIMD_OK, FPSIMD_UNDEFINED } from "./contract.js";
import { FpSimdMachine } from "./testing.js";

const AESE = 0x4e284820; // aese v0.16b, v1.16b
const AESMC = 0x4e286820; // aesmc v0.16b, v1.16b
const AESIMC = 0x4e287820; // aesimc v0.16b, v1.16b
const SHA1H = 0x5e280820; // sha1h s0, s1
const PMULL = 0x0ee2e020; // pmull v0.1q, v1.1d, v2.1d

const reg3 = (base: number, d: number, n: number, m: number) =>
  (base | (m << 16) | (n << 5) | d) >>> 0;
const SHA256H = (d: number, n: number, m: number) => reg3(0x5e004000, d, n, m);
const SHA256H2 = (d: number, n: number, m: number) => reg3(0x5e005000, d, n, m);
const SHA256SU0 = (d: number, n: number) => reg3(0x5e282800, d, n, 0);
const SHA256SU1 = (d: number, n: number, m: number) => reg3(0x5e006000, d, n, m);

let m: FpSimdMachine;
beforeEach(() => {
  m = new FpSimdMachine();
  m.regs.crypto = true;
});

describe("gating", () => {
  it("is UNDEFINED unless the CPU advertises the extension", () => {
    m.regs.crypto = false;
    expect(m.exec(AESE)).toBe(FPSIMD_UNDEFINED);
    expect(m.exec(PMULL)).toBe(FPSIMD_UNDEFINED);
    expect(m.exec(SHA256H(0, 1, 2))).toBe(FPSIMD_UNDEFINED);
    m.regs.crypto = true;
    expect(m.exec(AESE)).toBe(FPSIMD_OK);
  });
});

describe("AES", () => {
  it("AESE of a zero state and key is SubBytes(0) = 0x63 everywhere", () => {
    m.exec(AESE);
    expect(m.getLanes(0, 8)).toEqual(new Array(16).fill(0x63));
  });

  it("AESE with the key byte 0x53 gives S(0x53) = 0xed (FIPS-197 5.1.1)", () => {
    m.setLanes(1, 8, new Array(16).fill(0x53));
    m.exec(AESE);
    expect(m.getLanes(0, 8)).toEqual(new Array(16).fill(0xed));
  });

  it("AESMC mixes a column as in the standard example; AESIMC undoes it", () => {
    m.setLanes(
      1,
      8,
      [0xdb, 0x13, 0x53, 0x45, 0xf2, 0x0a, 0x22, 0x5c, 1, 1, 1, 1, 0xc6, 0xc6, 0xc6, 0xc6],
    );
    m.exec(AESMC);
    expect(m.getLanes(0, 8)).toEqual([
      0x8e, 0x4d, 0xa1, 0xbc, 0x9f, 0xdc, 0x58, 0x9d, 1, 1, 1, 1, 0xc6, 0xc6, 0xc6, 0xc6,
    ]);
    m.regs.setV(1, m.getLanes(0, 8));
    m.exec(AESIMC);
    expect(m.getLanes(0, 8).slice(0, 8)).toEqual([0xdb, 0x13, 0x53, 0x45, 0xf2, 0x0a, 0x22, 0x5c]);
  });
});

describe("SHA", () => {
  it("SHA1H rotates left by 30", () => {
    m.setS(1, 0x00000004);
    m.exec(SHA1H);
    expect(m.getS(0)).toBe(0x00000001);
  });

  it("computes SHA-256('abc')", () => {
    const primes: number[] = [];
    for (let n = 2; primes.length < 64; n++) if (primes.every((p) => n % p !== 0)) primes.push(n);
    const frac32 = (x: number) => Math.floor((x - Math.floor(x)) * 2 ** 32) >>> 0;
    const K = primes.map((p) => frac32(Math.cbrt(p)));
    const H = primes.slice(0, 8).map((p) => frac32(Math.sqrt(p)));
    // The padded one-block message: "abc", 0x80, zeros, length 24 bits; words big-endian.
    const block = new Uint8Array(64);
    block.set([0x61, 0x62, 0x63, 0x80]);
    block[63] = 24;
    const words = Array.from(
      { length: 16 },
      (_, i) =>
        ((block[4 * i]! << 24) |
          (block[4 * i + 1]! << 16) |
          (block[4 * i + 2]! << 8) |
          block[4 * i + 3]!) >>>
        0,
    );
    // V0 = abcd, V1 = efgh, V4..V7 = message, V2 = W+K, V3 = saved abcd, V8 = K.
    m.setLanes(0, 32, H.slice(0, 4));
    m.setLanes(1, 32, H.slice(4, 8));
    for (let k = 0; k < 4; k++) m.setLanes(4 + k, 32, words.slice(4 * k, 4 * k + 4));
    const ADD_4S = (d: number, n: number, mm: number) => reg3(0x4ea08400, d, n, mm); // add vd.4s
    const ORR_16B = (d: number, n: number) => reg3(0x4ea01c00, d, n, n); // mov vd.16b, vn.16b
    let msg = [4, 5, 6, 7];
    for (let i = 0; i < 16; i++) {
      m.setLanes(8, 32, K.slice(4 * i, 4 * i + 4));
      m.exec(ADD_4S(2, msg[0]!, 8));
      if (i < 12) {
        m.exec(SHA256SU0(msg[0]!, msg[1]!));
        m.exec(SHA256SU1(msg[0]!, msg[2]!, msg[3]!));
      }
      m.exec(ORR_16B(3, 0));
      m.exec(SHA256H(0, 1, 2));
      m.exec(SHA256H2(1, 3, 2));
      msg = [msg[1]!, msg[2]!, msg[3]!, msg[0]!];
    }
    const abcd = m.getLanes(0, 32);
    const efgh = m.getLanes(1, 32);
    const digest = [...abcd, ...efgh].map((v, i) =>
      ((v + H[i]!) >>> 0).toString(16).padStart(8, "0"),
    );
    expect(digest.join("")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });
});

describe("PMULL (64-bit lanes)", () => {
  it("multiplies without carries", () => {
    m.setLane64(1, 0, 0x8000000000000001n);
    m.setLane64(2, 0, 0x3n);
    m.exec(PMULL);
    // (x^63 + 1)(x + 1) = x^64 + x^63 + x + 1
    expect(m.getLane64(0, 0)).toBe(0x8000000000000003n);
    expect(m.getLane64(0, 1)).toBe(1n);
  });
});
