import { describe, expect, it } from "vitest";
import { type CompileQueue, openCompileQueue } from "./compile-queue.js";
import { type WasmModule, wasmApi } from "./wasm-api.js";
import { ModuleWriter, Op, ValType } from "./wasm-writer.js";

const api = wasmApi!;
const memory = new api.Memory({ initial: 1, maximum: 1, shared: true });

/** A module importing env.mem whose export `f(x)` returns x + k. */
function addModule(k: number): Uint8Array {
  const w = new ModuleWriter([{ params: [ValType.i32], results: [ValType.i32] }], [0], ["f"], 1);
  const f = w.beginFunction([]);
  f.get(0);
  f.i32(k);
  f.op(Op.i32Add);
  w.endFunction();
  return w.finish();
}

function call(module: WasmModule, x: number): number {
  const inst = new api.Instance(module, { env: { mem: memory } });
  return (inst.exports.f as (x: number) => number)(x);
}

describe.each([
  ["off-thread", true],
  ["synchronous", false],
] as const)("%s compile queue", (_name, offThread) => {
  const open = (): CompileQueue => openCompileQueue({ offThread });

  it("returns every module, compiled, in submission order with its ticket", () => {
    const q = open();
    expect(q.offThread).toBe(offThread);
    const tickets = [1, 2, 3, 4, 5].map((k) => q.submit(addModule(k * 100)));
    expect(q.pending).toBe(5);
    const got: [number, number][] = [];
    expect(q.drain((t, m) => got.push([t, call(m, 7)]))).toBe(5);
    expect(got).toEqual(tickets.map((t, i) => [t, (i + 1) * 100 + 7]));
    expect(q.pending).toBe(0);
    expect(q.ready).toBe(false);
    q.close();
  });

  it("copies the bytes at submit (a JIT reuses its buffer for the next module)", () => {
    const q = open();
    const bytes = addModule(1);
    q.submit(bytes);
    bytes.set(addModule(2));
    const results: number[] = [];
    q.drain((_t, m) => results.push(call(m, 40)));
    expect(results).toEqual([41]);
    q.close();
  });

  it("reports a module V8 rejects when it is taken, naming the ticket", () => {
    const q = open();
    q.submit(addModule(1));
    const broken = addModule(2);
    broken[broken.length - 1] = Op.i32Add; // the body's `end` is gone
    q.submit(broken);
    const ok: number[] = [];
    expect(() => q.drain((_t, m) => ok.push(call(m, 0)))).toThrow(/JIT module 2 failed to compile/);
    expect(ok).toEqual([1]);
    q.close();
  });

  it("take hands over only what is finished and never waits", () => {
    const q = open();
    expect(q.take(() => expect.unreachable())).toBe(0);
    q.submit(addModule(5));
    let seen = 0;
    // Poll as a JIT does between guest instructions until the module is there.
    const deadline = Date.now() + 10_000;
    while (seen === 0 && Date.now() < deadline) {
      if (q.ready) seen += q.take((_t, m) => expect(call(m, 1)).toBe(6));
    }
    expect(seen).toBe(1);
    q.close();
  });
});

describe("openCompileQueue", () => {
  it("compiles synchronously unless off-thread compile is asked for", () => {
    const q = openCompileQueue();
    expect(q.offThread).toBe(process.env.AXVISOR_JIT_OFFTHREAD === "1");
    q.close();
  });

  it("queues are independent: each gets only its own modules", () => {
    const a = openCompileQueue({ offThread: true });
    const b = openCompileQueue({ offThread: true });
    a.submit(addModule(10));
    b.submit(addModule(20));
    a.submit(addModule(11));
    const fromA: number[] = [];
    const fromB: number[] = [];
    a.drain((_t, m) => fromA.push(call(m, 0)));
    b.drain((_t, m) => fromB.push(call(m, 0)));
    expect(fromA).toEqual([10, 11]);
    expect(fromB).toEqual([20]);
    a.close();
    b.close();
  });
});
