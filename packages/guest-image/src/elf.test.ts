import { describe, expect, it } from "vitest";
import { findSection, findSymbol, parseElf64, symbolAddress } from "./elf.js";
import { buildElf } from "./elf-builder.fixture.js";
import { ElfMachine, SegmentFlags } from "./elf-constants.js";
import { ImageFormatError, type ImageProblem } from "./image-error.js";

const text = new Uint8Array([0x13, 0x00, 0x00, 0x00, 0x6f, 0x00, 0x00, 0x00]); // nop; j .
const data = new Uint8Array([1, 2, 3, 4]);

const sample = () =>
  buildElf({
    entry: 0x8000_0004n,
    segments: [
      { vaddr: 0x8000_0000, flags: SegmentFlags.R | SegmentFlags.X, data: text },
      {
        vaddr: 0x8000_1000,
        paddr: 0x8100_1000,
        flags: SegmentFlags.R | SegmentFlags.W,
        data,
        memsz: 0x40,
      },
    ],
    symbols: [
      { name: "_start", value: 0x8000_0000n, info: 0x12 },
      { name: "tohost", value: 0x8000_1000n, size: 8, info: 0x11 },
      { name: "fromhost", value: 0x8000_1008n, size: 8, info: 0x11 },
      { name: "local_label", value: 0x8000_0004n, info: 0x00 },
      { name: "undefined_ref", value: 0n, info: 0x10, shndx: 0 },
    ],
  });

function expectProblem(f: () => unknown, problem: ImageProblem, text: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(ImageFormatError.hasProblem(e, problem), String(e)).toBe(true);
    expect((e as Error).message).toMatch(text);
    return;
  }
  throw new Error(`expected a ${problem} error`);
}

describe("parseElf64", () => {
  it("reads the header, PT_LOAD segments and entry", () => {
    const bytes = sample();
    const elf = parseElf64(bytes, { machine: ElfMachine.RISCV });
    expect(elf.machine).toBe(243);
    expect(elf.type).toBe(2);
    expect(elf.entry).toBe(0x8000_0004);
    expect(elf.segments).toHaveLength(2);
    const [s0, s1] = elf.segments;
    expect(s0).toMatchObject({
      vaddr: 0x8000_0000,
      paddr: 0x8000_0000,
      filesz: 8,
      memsz: 8,
      flags: 5,
    });
    expect([...s0!.data]).toEqual([...text]);
    expect(s1).toMatchObject({
      vaddr: 0x8000_1000,
      paddr: 0x8100_1000,
      filesz: 4,
      memsz: 0x40,
      flags: 6,
    });
    expect([...s1!.data]).toEqual([1, 2, 3, 4]);
    // The data is a view of the file, not a copy.
    expect(s1!.data.buffer).toBe(bytes.buffer);
  });

  it("reads section headers with their names", () => {
    const elf = parseElf64(sample());
    expect(elf.sections.map((s) => s.name)).toEqual([
      "",
      ".seg0",
      ".seg1",
      ".symtab",
      ".strtab",
      ".shstrtab",
    ]);
    expect(findSection(elf, ".seg1")).toMatchObject({ type: 1, addr: 0x8000_1000, size: 4 });
  });

  it("looks symbols up by name", () => {
    const elf = parseElf64(sample());
    expect(symbolAddress(elf, "tohost")).toBe(0x8000_1000);
    expect(symbolAddress(elf, "fromhost")).toBe(0x8000_1008);
    expect(findSymbol(elf, "tohost")).toMatchObject({ size: 8, type: 1, bind: 1 });
    expect(findSymbol(elf, "_start")).toMatchObject({ type: 2, bind: 1, value: 0x8000_0000n });
    expect(findSymbol(elf, "local_label")?.bind).toBe(0);
    // An undefined reference is not a definition.
    expect(findSymbol(elf, "undefined_ref")).toBeUndefined();
    expectProblem(
      () => symbolAddress(elf, "begin_signature"),
      "symbol-not-found",
      /"begin_signature"/,
    );
  });

  it("keeps 64-bit symbol values exact and refuses them as addresses", () => {
    const elf = parseElf64(
      buildElf({
        segments: [{ vaddr: 0x1000, flags: 5, data: text }],
        symbols: [{ name: "hi", value: 0xffff_ffff_8000_0000n }],
      }),
    );
    expect(findSymbol(elf, "hi")?.value).toBe(0xffff_ffff_8000_0000n);
    expectProblem(() => symbolAddress(elf, "hi"), "address-too-large", /0xffffffff80000000/);
  });

  it("refuses files that are not ELF", () => {
    expectProblem(
      () => parseElf64(new TextEncoder().encode("#!/bin/sh\necho hi\n"), { name: "x.sh" }),
      "not-elf",
      /^x\.sh: not an ELF file/,
    );
  });

  it("refuses 32-bit and big-endian ELF", () => {
    const b32 = sample();
    b32[4] = 1;
    expectProblem(() => parseElf64(b32), "not-64-bit", /not a 64-bit ELF file .*ELFCLASS32/);
    const be = sample();
    be[5] = 2;
    expectProblem(() => parseElf64(be), "not-little-endian", /big-endian/);
  });

  it("refuses another machine when one is asked for", () => {
    const arm = buildElf({
      machine: 183,
      segments: [{ vaddr: 0x4000_0000, flags: 5, data: text }],
    });
    expect(parseElf64(arm).machine).toBe(183);
    expectProblem(
      () => parseElf64(arm, { name: "guest.elf", machine: ElfMachine.RISCV }),
      "wrong-machine",
      /guest\.elf: wrong machine: the ELF file is for EM_AARCH64 \(183\), expected EM_RISCV \(243\)/,
    );
    const x86 = buildElf({ machine: 62 });
    expectProblem(
      () => parseElf64(x86, { machine: ElfMachine.AARCH64 }),
      "wrong-machine",
      /EM_X86_64 \(62\)/,
    );
  });

  it("refuses relocatable objects", () => {
    expectProblem(() => parseElf64(buildElf({ type: 1 })), "not-executable", /relocatable object/);
  });

  it("names truncation", () => {
    const bytes = sample();
    expectProblem(
      () => parseElf64(bytes.subarray(0, 40)),
      "truncated",
      /truncated: the ELF64 header/,
    );
  });

  it("refuses a program header table past the end of the file", () => {
    const bytes = sample();
    new DataView(bytes.buffer).setBigUint64(32, BigInt(bytes.length - 10), true); // e_phoff
    expectProblem(
      () => parseElf64(bytes),
      "program-header-out-of-range",
      /program header table out of range/,
    );
  });

  it("refuses a segment whose file bytes are cut off", () => {
    const bytes = sample();
    const seg1Offset = Number(new DataView(bytes.buffer).getBigUint64(64 + 56 + 8, true));
    expectProblem(
      () => parseElf64(bytes.slice(0, seg1Offset + 2)),
      "segment-out-of-range",
      /PT_LOAD segment 1 out of range/,
    );
  });

  it("refuses filesz > memsz", () => {
    const bytes = sample();
    new DataView(bytes.buffer).setBigUint64(64 + 56 + 40, 2n, true); // segment 1 p_memsz
    expectProblem(
      () => parseElf64(bytes),
      "segment-out-of-range",
      /p_filesz 0x4 larger than p_memsz 0x2/,
    );
  });

  it("refuses a load address beyond 2^53", () => {
    const bytes = buildElf({ segments: [{ vaddr: 0x1000, paddr: 2 ** 53, flags: 5, data: text }] });
    expectProblem(
      () => parseElf64(bytes),
      "address-too-large",
      /p_paddr is 0x20000000000000, beyond 2\^53/,
    );
  });

  it("accepts a file without section headers", () => {
    const bytes = sample();
    const v = new DataView(bytes.buffer);
    v.setBigUint64(40, 0n, true); // e_shoff
    v.setUint16(60, 0, true); // e_shnum
    const elf = parseElf64(bytes);
    expect(elf.sections).toEqual([]);
    expect(elf.symbols).toEqual([]);
    expectProblem(() => symbolAddress(elf, "tohost"), "symbol-not-found", /no symbol table/);
  });
});
