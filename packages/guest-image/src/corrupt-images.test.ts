/**
 * Truncated and corrupt image headers, systematically: every ELF in the repository cut at every
 * length through its headers, and thousands of random byte changes in its ELF, program and
 * section headers; RISC-V and arm64 Image headers likewise. Identifying, parsing and symbol
 * lookup give a result or an ImageFormatError (AxError) with a one-line message: never another
 * exception, and segments never claim more bytes than the file has.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { AxError } from "@axvisor/axerrno";
import { describe, expect, it } from "vitest";
import { findSymbol } from "./elf.js";
import { identifyImage } from "./identify.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const ELF_DIRS = [
  join(ROOT, "packages/cpu-riscv64/test/programs/bin"),
  ...["sbi-test", "fault-test", "demo", "ivc-test"].map((g) => join(ROOT, "guests/riscv64", g)),
];
const elves = ELF_DIRS.flatMap((d) => {
  try {
    return readdirSync(d)
      .filter((f) => f.endsWith(".elf"))
      .map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(d, f))) }));
  } catch {
    return [];
  }
});

/** What identifying (and, for ELF, a symbol lookup) makes of `bytes`: "ok" or the message. */
function outcome(bytes: Uint8Array): string {
  try {
    const id = identifyImage(bytes, { name: "img" });
    if (id.kind === "elf") {
      findSymbol(id.elf, "_start");
      for (const s of id.elf.segments) {
        expect(s.data.length).toBe(s.filesz);
        expect(s.filesz).toBeLessThanOrEqual(bytes.length);
      }
    }
    return "ok";
  } catch (e) {
    if (!(e instanceof AxError)) throw e;
    expect(e.message).not.toMatch(/\n/);
    return e.message;
  }
}

let state = 99;
function rand(n: number): number {
  state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
  return (state >>> 8) % n;
}

describe("corrupt image headers", () => {
  it("finds the repository's ELF files", () => {
    expect(elves.length).toBeGreaterThan(10);
  });

  it("every ELF cut at every length up to the end of its headers", () => {
    for (const { bytes } of elves) {
      const v = new DataView(bytes.buffer);
      const end = Math.min(
        bytes.length,
        Math.max(Number(v.getBigUint64(32, true)) + 56 * v.getUint16(56, true), 64) + 64,
      );
      for (let n = 0; n < end; n++) {
        const r = outcome(bytes.subarray(0, n));
        // A cut ELF is either recognised and refused, or too short to be recognised as ELF.
        if (n >= 16) expect(r).not.toBe("ok");
      }
    }
  });

  it("5000 random changes to ELF, program and section headers", () => {
    const kinds = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const { bytes } = elves[rand(elves.length)]!;
      const b = bytes.slice();
      const v = new DataView(b.buffer);
      const phoff = Number(v.getBigUint64(32, true));
      const shoff = Number(v.getBigUint64(40, true));
      const spans = [
        [0, 64],
        [phoff, phoff + 56 * v.getUint16(56, true)],
        [shoff, Math.min(b.length, shoff + 64 * v.getUint16(60, true))],
      ].filter(([lo, hi]) => hi! > lo! && hi! <= b.length);
      for (let k = 0; k <= rand(4); k++) {
        const [lo, hi] = spans[rand(spans.length)]!;
        const at = lo! + rand(hi! - lo!);
        b[at] = rand(3) === 0 ? 0xff : rand(256);
      }
      const r = outcome(b);
      const key = r.replace(/\d+|0x[0-9a-f]+/gi, "N").slice(0, 50);
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    expect(kinds.get("ok")).toBeGreaterThan(0);
    expect(kinds.size).toBeGreaterThan(5);
  });

  it("RISC-V and arm64 Image headers cut short or with random fields", () => {
    const riscv = new Uint8Array(4096);
    const rv = new DataView(riscv.buffer);
    rv.setBigUint64(8, 0x20_0000n, true);
    rv.setBigUint64(16, 0x42_4000n, true);
    riscv.set([0x52, 0x49, 0x53, 0x43, 0x56], 48); // "RISCV"
    riscv.set([0x52, 0x53, 0x43, 0x05], 56); // "RSC\x05"
    const arm = new Uint8Array(4096);
    arm.set([0x41, 0x52, 0x4d, 0x64], 56); // "ARMd"
    for (const header of [riscv, arm]) {
      expect(outcome(header)).toBe("ok");
      for (let n = 0; n < 64; n++) outcome(header.subarray(0, n));
      for (let i = 0; i < 2000; i++) {
        const b = header.slice();
        for (let k = 0; k <= rand(4); k++) b[rand(64)] = rand(256);
        outcome(b);
      }
    }
  });
});
