import { describe, expect, it } from "vitest";
import { FPU_OK } from "../contract.js";
import { TestCpu } from "../testing.js";
import { crc32c } from "./strings.js";

function setBytes(c: TestCpu, n: number, text: string): void {
  const b = new Uint8Array(16);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
  const v = new DataView(b.buffer);
  for (let w = 0; w < 4; w++) c.fpu.setXmm(n, w, v.getUint32(4 * w, true));
}

describe("SSE4.2 string compares", () => {
  it("PCMPISTRI with ranges finds the first digit", () => {
    const c = new TestCpu();
    setBytes(c, 0, "09");
    setBytes(c, 1, "abc7de");
    expect(c.sse([0x66, 0x0f, 0x3a, 0x63, 0xc1, 0x04])).toBe(FPU_OK); // ranges, unsigned bytes
    expect(c.lo[1]).toBe(3);
    // CF: found; ZF: the string ends in the register; SF: so does the set; OF: bit 0 clear.
    expect(c.rflags & 0x8c1).toBe(0xc1);
  });

  it("PCMPISTRM with equal ordered marks where the needle starts, as a byte mask", () => {
    const c = new TestCpu();
    setBytes(c, 0, "ab");
    setBytes(c, 1, "xabyab");
    expect(c.sse([0x66, 0x0f, 0x3a, 0x62, 0xc1, 0x4c])).toBe(FPU_OK);
    expect([0, 1, 2, 3].map((w) => c.fpu.xmm(0, w).toString(16))).toEqual(["ff00", "ff", "0", "0"]);
  });

  it("PCMPESTRI takes the lengths from EAX and EDX", () => {
    const c = new TestCpu();
    setBytes(c, 0, "zzzz");
    setBytes(c, 1, "aaaaaz");
    c.set(0, 1, 0); // only "z" of the set
    c.set(2, 5, 0); // the string is "aaaaa": no z
    expect(c.sse([0x66, 0x0f, 0x3a, 0x61, 0xc1, 0x00])).toBe(FPU_OK);
    expect(c.lo[1]).toBe(16);
    expect(c.rflags & 1).toBe(0);
  });
});

describe("CRC32C", () => {
  it("gives the standard check value for 123456789 (with the usual inversions)", () => {
    let acc = 0xffffffff;
    for (const ch of "123456789") acc = crc32c(acc, ch.charCodeAt(0), 0, 1);
    expect((acc ^ 0xffffffff) >>> 0).toBe(0xe3069283);
    // Eight bytes at once equal one byte at a time.
    let one = 0x12345678;
    for (let i = 0; i < 8; i++)
      one = crc32c(one, [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88][i]!, 0, 1);
    expect(crc32c(0x12345678, 0x44332211, 0x88776655, 8)).toBe(one);
  });
});
