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
  private buf = new Uint8Array(256);
  length = 0;

  byte(b: number): void {
    if (this.length === this.buf.length) {
      const n = new Uint8Array(this.buf.length * 2);
      n.set(this.buf);
      this.buf = n;
    }
    this.buf[this.length++] = b;
  }

  /** Unsigned LEB128 of a non-negative safe integer. */
  u32(v: number): void {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }

  /** Signed LEB128 of a safe integer (i32.const and i64.const immediates). */
  sleb(v: number): void {
    for (;;) {
      const b = ((v % 128) + 128) % 128;
      v = Math.floor(v / 128);
      const done = (v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return;
    }
  }

  append(other: Bytes): void {
    for (let i = 0; i < other.length; i++) this.byte(other.buf[i]!);
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
 * One function body. Structured control instructions take a label name; `br(label)` turns it
 * into the relative depth, so code generators never count nesting by hand.
 */
export class FnBody {
  readonly code = new Bytes();
  private readonly labels: (string | null)[] = [];

  op(o: Op): void {
    this.code.byte(o);
  }

  block(label: string | null): void {
    this.code.byte(Op.block);
    this.code.byte(VOID);
    this.labels.push(label);
  }
  loop(label: string | null): void {
    this.code.byte(Op.loop);
    this.code.byte(VOID);
    this.labels.push(label);
  }
  if(label: string | null = null, result: number = VOID): void {
    this.code.byte(Op.if);
    this.code.byte(result);
    this.labels.push(label);
  }
  else(): void {
    this.code.byte(Op.else);
  }
  end(): void {
    this.labels.pop();
    this.code.byte(Op.end);
  }

  private depth(label: string): number {
    for (let i = this.labels.length - 1; i >= 0; i--) {
      if (this.labels[i] === label) return this.labels.length - 1 - i;
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
  brTable(targets: string[], dflt: string): void {
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
  mem(o: Op, alignLog2: number, offset: number): void {
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

export interface FnDef {
  /** Index into the module's types. */
  readonly type: number;
  /** Extra locals beyond the parameters, as [count, type] runs. */
  readonly locals: readonly (readonly [number, ValType])[];
  readonly body: FnBody;
  /** Exported under this name, if set. */
  readonly export?: string;
}

export interface FnType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

function section(out: Bytes, id: number, content: Bytes): void {
  out.byte(id);
  out.u32(content.length);
  out.append(content);
}

/**
 * Encodes a module that imports one shared memory as env.mem (pages min = max), with
 * `importTable` also a funcref table as env.tab, and defines `fns` in order (function index
 * i = fns[i]).
 */
export function encodeModule(
  types: readonly FnType[],
  fns: readonly FnDef[],
  pages: number,
  importTable = false,
) {
  const out = new Bytes();
  for (const b of [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]) out.byte(b);

  const t = new Bytes();
  t.u32(types.length);
  for (const ty of types) {
    t.byte(0x60);
    t.u32(ty.params.length);
    for (const p of ty.params) t.byte(p);
    t.u32(ty.results.length);
    for (const r of ty.results) t.byte(r);
  }
  section(out, 1, t);

  const imp = new Bytes();
  imp.u32(importTable ? 2 : 1);
  imp.name("env");
  imp.name("mem");
  imp.byte(0x02); // memory
  imp.byte(0x03); // has maximum, shared
  imp.u32(pages);
  imp.u32(pages);
  if (importTable) {
    imp.name("env");
    imp.name("tab");
    imp.byte(0x01); // table
    imp.byte(0x70); // funcref
    imp.byte(0x00); // no maximum
    imp.u32(0);
  }
  section(out, 2, imp);

  const f = new Bytes();
  f.u32(fns.length);
  for (const fn of fns) f.u32(fn.type);
  section(out, 3, f);

  const exported = fns.filter((fn) => fn.export !== undefined);
  const ex = new Bytes();
  ex.u32(exported.length);
  fns.forEach((fn, i) => {
    if (fn.export === undefined) return;
    ex.name(fn.export);
    ex.byte(0x00);
    ex.u32(i);
  });
  section(out, 7, ex);

  const code = new Bytes();
  code.u32(fns.length);
  for (const fn of fns) {
    const body = new Bytes();
    body.u32(fn.locals.length);
    for (const [n, ty] of fn.locals) {
      body.u32(n);
      body.byte(ty);
    }
    body.append(fn.body.code);
    body.byte(Op.end);
    code.u32(body.length);
    code.append(body);
  }
  section(out, 10, code);
  return out.bytes();
}
