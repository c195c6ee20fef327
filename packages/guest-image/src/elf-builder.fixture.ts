/**
 * Builds small ELF64 little-endian files byte by byte for the tests, following the layout of
 * the ELF specification (not this package's parser), so the parser is checked against it.
 */
export interface FixtureSegment {
  vaddr: number;
  paddr?: number;
  flags: number;
  data: Uint8Array;
  memsz?: number;
}

export interface FixtureSymbol {
  name: string;
  value: bigint;
  size?: number;
  /** st_info: bind << 4 | type. */
  info?: number;
  /** Defaults to section 1 (defined). */
  shndx?: number;
}

export interface FixtureElf {
  machine?: number;
  type?: number;
  entry?: bigint;
  segments?: FixtureSegment[];
  symbols?: FixtureSymbol[];
}

class Bytes {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private grow(to: number): void {
    if (to <= this.buf.length) return;
    const nb = new Uint8Array(Math.max(to, this.buf.length * 2));
    nb.set(this.buf);
    this.buf = nb;
    this.view = new DataView(nb.buffer);
  }
  alignTo(a: number): number {
    this.length = Math.ceil(this.length / a) * a;
    this.grow(this.length);
    return this.length;
  }
  put(b: Uint8Array): number {
    const at = this.length;
    this.grow(at + b.length);
    this.buf.set(b, at);
    this.length += b.length;
    return at;
  }
  reserve(n: number): number {
    return this.put(new Uint8Array(n));
  }
  u8(at: number, v: number): void {
    this.view.setUint8(at, v);
  }
  u16(at: number, v: number): void {
    this.view.setUint16(at, v, true);
  }
  u32(at: number, v: number): void {
    this.view.setUint32(at, v, true);
  }
  u64(at: number, v: bigint | number): void {
    this.view.setBigUint64(at, BigInt(v), true);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

class StrTab {
  readonly parts: string[] = ["\0"];
  private size = 1;
  add(s: string): number {
    const at = this.size;
    this.parts.push(`${s}\0`);
    this.size += s.length + 1;
    return at;
  }
  bytes(): Uint8Array {
    return new TextEncoder().encode(this.parts.join(""));
  }
}

/** Returns the file; sections are: null, .text-like per segment, .symtab, .strtab, .shstrtab. */
export function buildElf(spec: FixtureElf): Uint8Array {
  const segs = spec.segments ?? [];
  const syms = spec.symbols ?? [];
  const b = new Bytes();
  b.reserve(64);
  const phoff = b.alignTo(8);
  b.reserve(56 * segs.length);
  const segOffsets = segs.map((s) => {
    b.alignTo(16);
    return b.put(s.data);
  });

  const shstr = new StrTab();
  const str = new StrTab();
  b.alignTo(8);
  const symtabOff = b.length;
  b.reserve(24); // null symbol
  for (const s of syms) {
    const o = b.reserve(24);
    b.u32(o, str.add(s.name));
    b.u8(o + 4, s.info ?? 0x10);
    b.u16(o + 6, s.shndx ?? 1);
    b.u64(o + 8, s.value);
    b.u64(o + 16, s.size ?? 0);
  }
  const symtabSize = b.length - symtabOff;
  const strOff = b.put(str.bytes());
  const strSize = b.length - strOff;
  const secNames = segs.map((_, i) => shstr.add(`.seg${i}`));
  const symtabName = shstr.add(".symtab");
  const strtabName = shstr.add(".strtab");
  const shstrName = shstr.add(".shstrtab");
  const shstrOff = b.put(shstr.bytes());
  const shstrSize = b.length - shstrOff;

  const shoff = b.alignTo(8);
  const shnum = 1 + segs.length + 3;
  b.reserve(64 * shnum);
  const sh = (
    i: number,
    f: {
      name: number;
      type: number;
      flags?: number;
      addr?: number;
      off: number;
      size: number;
      link?: number;
      info?: number;
      entsize?: number;
    },
  ) => {
    const o = shoff + 64 * i;
    b.u32(o, f.name);
    b.u32(o + 4, f.type);
    b.u64(o + 8, f.flags ?? 0);
    b.u64(o + 16, f.addr ?? 0);
    b.u64(o + 24, f.off);
    b.u64(o + 32, f.size);
    b.u32(o + 40, f.link ?? 0);
    b.u32(o + 44, f.info ?? 0);
    b.u64(o + 48, 1);
    b.u64(o + 56, f.entsize ?? 0);
  };
  segs.forEach((s, i) => {
    const nobits = s.data.length === 0;
    sh(1 + i, {
      name: secNames[i]!,
      type: nobits ? 8 : 1,
      flags: 2,
      addr: s.vaddr,
      off: segOffsets[i]!,
      size: nobits ? (s.memsz ?? 0) : s.data.length,
    });
  });
  const symIdx = 1 + segs.length;
  sh(symIdx, {
    name: symtabName,
    type: 2,
    off: symtabOff,
    size: symtabSize,
    link: symIdx + 1,
    info: 1,
    entsize: 24,
  });
  sh(symIdx + 1, { name: strtabName, type: 3, off: strOff, size: strSize });
  sh(symIdx + 2, { name: shstrName, type: 3, off: shstrOff, size: shstrSize });

  segs.forEach((s, i) => {
    const o = phoff + 56 * i;
    b.u32(o, 1);
    b.u32(o + 4, s.flags);
    b.u64(o + 8, segOffsets[i]!);
    b.u64(o + 16, s.vaddr);
    b.u64(o + 24, s.paddr ?? s.vaddr);
    b.u64(o + 32, s.data.length);
    b.u64(o + 40, s.memsz ?? s.data.length);
    b.u64(o + 48, 0x1000);
  });

  // e_ident: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT.
  for (const [i, v] of [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1].entries()) b.u8(i, v);
  b.u16(16, spec.type ?? 2);
  b.u16(18, spec.machine ?? 243);
  b.u32(20, 1);
  b.u64(24, spec.entry ?? BigInt(segs[0]?.vaddr ?? 0));
  b.u64(32, phoff);
  b.u64(40, shoff);
  b.u32(48, 0);
  b.u16(52, 64);
  b.u16(54, 56);
  b.u16(56, segs.length);
  b.u16(58, 64);
  b.u16(60, shnum);
  b.u16(62, symIdx + 2);
  return b.done();
}
