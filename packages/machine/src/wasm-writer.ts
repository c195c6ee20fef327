/**
 * A small WebAssembly binary writer: opcodes, LEB128 immediates, function bodies with named
 * labels, and the module layout the JIT uses (one imported shared memory, exported functions).
 * Constants are JS numbers (safe integers), so no BigInt is needed even for i64.
 */

export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  brTable: 0x0e,
  return: 0x0f,
  call: 0x10,
  callIndirect: 0x11,
  drop: 0x1a,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  i32Load: 0x28,
  i64Load: 0x29,
  f64Load: 0x2b,
  i64Load8S: 0x30,
  i64Load8U: 0x31,
  i64Load16S: 0x32,
  i64Load16U: 0x33,
  i64Load32S: 0x34,
  i64Load32U: 0x35,
  i32Store: 0x36,
  i64Store: 0x37,
  f64Store: 0x39,
  i64Store8: 0x3c,
  i64Store16: 0x3d,
  i64Store32: 0x3e,
  i32Const: 0x41,
  i64Const: 0x42,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32GtU: 0x4b,
  i32LeS: 0x4c,
  i32GeS: 0x4e,
  i32GeU: 0x4f,
  i64Eqz: 0x50,
  i64Eq: 0x51,
  i64Ne: 0x52,
  i64LtS: 0x53,
  i64LtU: 0x54,
  i64GtS: 0x55,
  i64GtU: 0x56,
  i64LeS: 0x57,
  i64LeU: 0x58,
  i64GeS: 0x59,
  i64GeU: 0x5a,
  f64Eq: 0x61,
  f64Ne: 0x62,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32DivS: 0x6d,
  i32DivU: 0x6e,
  i32RemS: 0x6f,
  i32RemU: 0x70,
  i32And: 0x71,
  i32Or: 0x72,
  i32Xor: 0x73,
  i32Shl: 0x74,
  i32ShrS: 0x75,
  i32ShrU: 0x76,
  i64Add: 0x7c,
  i64Sub: 0x7d,
  i64Mul: 0x7e,
  i64DivS: 0x7f,
  i64DivU: 0x80,
  i64RemS: 0x81,
  i64RemU: 0x82,
  i64And: 0x83,
  i64Or: 0x84,
  i64Xor: 0x85,
  i64Shl: 0x86,
  i64ShrS: 0x87,
  i64ShrU: 0x88,
  i32WrapI64: 0xa7,
  i64ExtendI32S: 0xac,
  i64ExtendI32U: 0xad,
  i64TruncF64S: 0xb0,
  f64ConvertI64S: 0xb9,
} as const;
export type Op = (typeof Op)[keyof typeof Op];

export const ValType = {
  i32: 0x7f,
  i64: 0x7e,
  f64: 0x7c,
} as const;
export type ValType = (typeof ValType)[keyof typeof ValType];

/** Block type of a structured instruction with no result. */
export const VOID = 0x40;

/** Growable byte buffer with LEB128 writers. */
export class Bytes {
  buf: Uint8Array;
  length = 0;

  constructor(capacity = 1 << 16) {
    this.buf = new Uint8Array(capacity);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }

  byte(b: number): void {
    if (this.length === this.buf.length) this.ensure(1);
    this.buf[this.length++] = b;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^32. */
  u32(v: number): void {
    this.ensure(5);
    const buf = this.buf;
    let p = this.length;
    let x = v >>> 0;
    while (x >= 0x80) {
      buf[p++] = (x & 0x7f) | 0x80;
      x >>>= 7;
    }
    buf[p++] = x;
    this.length = p;
  }

  /** Signed LEB128 of a safe integer (i32.const and i64.const immediates). */
  sleb(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    let p = this.length;
    if (v === (v | 0)) {
      let x = v;
      for (;;) {
        const b = x & 0x7f;
        x >>= 7;
        if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
          buf[p++] = b;
          break;
        }
        buf[p++] = b | 0x80;
      }
    } else {
      let x = v;
      for (;;) {
        const b = ((x % 128) + 128) % 128;
        x = Math.floor(x / 128);
        if ((x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)) {
          buf[p++] = b;
          break;
        }
        buf[p++] = b | 0x80;
      }
    }
    this.length = p;
  }

  /** Reserves 5 bytes for a size filled in later with `patchU32`. */
  reserveU32(): number {
    this.ensure(5);
    const at = this.length;
    this.length += 5;
    return at;
  }

  /** Writes `v` as a 5-byte (padded) LEB128 at `at` (valid for sizes in the binary format). */
  patchU32(at: number, v: number): void {
    const buf = this.buf;
    for (let k = 0; k < 4; k++) buf[at + k] = ((v >>> (7 * k)) & 0x7f) | 0x80;
    buf[at + 4] = (v >>> 28) & 0x0f;
  }

  name(s: string): void {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.byte(s.charCodeAt(i));
  }

  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * Writes one function body into a module's buffer. Structured control instructions take a
 * label name; `br(label)` turns it into the relative depth, so code generators never count
 * nesting by hand.
 */
export class FnBody {
  private readonly labels: (string | null)[] = [];

  constructor(readonly code: Bytes) {}

  op(o: number): void {
    this.code.byte(o);
  }

  private open(o: number, label: string | null, type: number): void {
    this.code.byte(o);
    this.code.byte(type);
    this.labels.push(label);
  }
  block(label: string | null, result: number = VOID): void {
    this.open(Op.block, label, result);
  }
  loop(label: string | null): void {
    this.open(Op.loop, label, VOID);
  }
  if(label: string | null = null, result: number = VOID): void {
    this.open(Op.if, label, result);
  }
  else(): void {
    this.code.byte(Op.else);
  }
  end(): void {
    this.labels.pop();
    this.code.byte(Op.end);
  }

  private depth(label: string): number {
    const l = this.labels;
    for (let i = l.length - 1; i >= 0; i--) {
      if (l[i] === label) return l.length - 1 - i;
    }
    throw new Error(`wasm: no enclosing label ${label}`);
  }
  br(label: string): void {
    this.code.byte(Op.br);
    this.code.u32(this.depth(label));
  }
  brIf(label: string): void {
    this.code.byte(Op.brIf);
    this.code.u32(this.depth(label));
  }
  brTable(targets: readonly string[], dflt: string): void {
    this.code.byte(Op.brTable);
    this.code.u32(targets.length);
    for (const t of targets) this.code.u32(this.depth(t));
    this.code.u32(this.depth(dflt));
  }

  get(local: number): void {
    this.code.byte(Op.localGet);
    this.code.u32(local);
  }
  set(local: number): void {
    this.code.byte(Op.localSet);
    this.code.u32(local);
  }
  tee(local: number): void {
    this.code.byte(Op.localTee);
    this.code.u32(local);
  }
  i32(v: number): void {
    this.code.byte(Op.i32Const);
    this.code.sleb(v | 0);
  }
  i64(v: number): void {
    this.code.byte(Op.i64Const);
    this.code.sleb(v);
  }
  /** A load or store with its alignment hint (log2 bytes) and constant offset. */
  mem(o: number, alignLog2: number, offset: number): void {
    this.code.byte(o);
    this.code.u32(alignLog2);
    this.code.u32(offset);
  }
  call(fn: number): void {
    this.code.byte(Op.call);
    this.code.u32(fn);
  }
  /** call_indirect through table 0 with function type `type`. */
  callIndirect(type: number): void {
    this.code.byte(Op.callIndirect);
    this.code.u32(type);
    this.code.byte(0);
  }
}

export interface FnType {
  readonly params: readonly number[];
  readonly results: readonly number[];
}

/** Locals of a function beyond its parameters, as [count, type] runs. */
export type Locals = readonly (readonly [number, number])[];

/**
 * Streams a module into one buffer: a shared memory imported as env.mem (pages min = max),
 * optionally a funcref table as env.tab, then functions of the given types, function i
 * exported as exports[i] when that is set. Bodies are written in place (no copies).
 */
export class ModuleWriter {
  readonly out: Bytes;
  private codeSize = 0;
  private fnSize = 0;
  private readonly body: FnBody;

  constructor(
    types: readonly FnType[],
    fnTypes: readonly number[],
    exports: readonly (string | undefined)[],
    pages: number,
    importTable = false,
    reuse?: Bytes,
  ) {
    const out = reuse ?? new Bytes();
    out.length = 0;
    this.out = out;
    this.body = new FnBody(out);
    for (const b of [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) out.byte(b);
    let at = this.section(1);
    out.u32(types.length);
    for (const ty of types) {
      out.byte(0x60);
      out.u32(ty.params.length);
      for (const p of ty.params) out.byte(p);
      out.u32(ty.results.length);
      for (const r of ty.results) out.byte(r);
    }
    this.endSection(at);
    at = this.section(2);
    out.u32(importTable ? 2 : 1);
    out.name("env");
    out.name("mem");
    out.byte(0x02); // memory
    out.byte(0x03); // has maximum, shared
    out.u32(pages);
    out.u32(pages);
    if (importTable) {
      out.name("env");
      out.name("tab");
      out.byte(0x01); // table
      out.byte(0x70); // funcref
      out.byte(0x00); // no maximum
      out.u32(0);
    }
    this.endSection(at);
    at = this.section(3);
    out.u32(fnTypes.length);
    for (const t of fnTypes) out.u32(t);
    this.endSection(at);
    at = this.section(7);
    out.u32(exports.filter((e) => e !== undefined).length);
    exports.forEach((name, i) => {
      if (name === undefined) return;
      out.name(name);
      out.byte(0x00);
      out.u32(i);
    });
    this.endSection(at);
    this.codeSize = this.section(10);
    out.u32(fnTypes.length);
  }

  private section(id: number): number {
    this.out.byte(id);
    return this.out.reserveU32();
  }
  private endSection(sizeAt: number): void {
    this.out.patchU32(sizeAt, this.out.length - sizeAt - 5);
  }

  /** Starts the next function body; write its code through the returned FnBody. */
  beginFunction(locals: Locals): FnBody {
    const out = this.out;
    this.fnSize = out.reserveU32();
    out.u32(locals.length);
    for (const [n, ty] of locals) {
      out.u32(n);
      out.byte(ty);
    }
    return this.body;
  }

  endFunction(): void {
    this.out.byte(Op.end);
    this.endSection(this.fnSize);
  }

  finish(): Uint8Array {
    this.endSection(this.codeSize);
    return this.out.bytes();
  }
}
