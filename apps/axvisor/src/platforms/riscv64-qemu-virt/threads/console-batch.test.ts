import { describe, expect, it } from "vitest";
import { ConsoleBatch } from "./console-batch.js";
import { InOrder } from "./in-order.js";

/** Two workers' batches over one order counter, delivering through one `InOrder`. */
function twoWorkers(limit?: number) {
  let counter = 0;
  const out: string[] = [];
  const messages: string[] = [];
  const q = new InOrder();
  const decoder = new TextDecoder();
  const batch = (name: string) =>
    new ConsoleBatch(
      () => counter++,
      () => counter,
      (seq, bytes) => {
        messages.push(`${name}:${seq}:${decoder.decode(bytes)}`);
        q.run(seq, () => out.push(decoder.decode(bytes)));
      },
      limit,
    );
  return {
    a: batch("a"),
    b: batch("b"),
    out,
    messages,
    /** Another message (an MMIO call) numbered now. */
    other: () => counter++,
    q,
  };
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe("ConsoleBatch", () => {
  it("gathers one worker's bytes into one message until it flushes", () => {
    const w = twoWorkers();
    for (const c of "hello") w.a.write(bytes(c));
    expect(w.messages).toEqual([]);
    expect(w.a.open).toBe(true);
    w.a.flush();
    expect(w.messages).toEqual(["a:0:hello"]);
    expect(w.a.open).toBe(false);
    w.a.flush();
    expect(w.messages).toHaveLength(1);
  });

  it("starts a new message once another worker numbered one, keeping the guest's order", () => {
    const w = twoWorkers();
    w.a.write(bytes("1"));
    w.a.write(bytes("2"));
    // The guest's lock passes from a's vCPU to b's: b prints after a's "12".
    w.b.write(bytes("3"));
    w.b.flush();
    // b's message waits for a's lower number.
    expect(w.out).toEqual([]);
    w.a.write(bytes("4"));
    w.a.flush();
    expect(w.messages).toEqual(["b:1:3", "a:0:12", "a:2:4"]);
    expect(w.out.join("")).toBe("1234");
    expect(w.q.held).toBe(0);
  });

  it("does not append across a message of any kind numbered after its own", () => {
    const w = twoWorkers();
    w.a.write(bytes("x"));
    w.other();
    w.a.write(bytes("y"));
    w.a.flush();
    expect(w.messages).toEqual(["a:0:x", "a:2:y"]);
  });

  it("splits at the byte limit and grows past its first buffer", () => {
    const w = twoWorkers(300);
    const long = "z".repeat(299);
    w.a.write(bytes(long));
    w.a.write(bytes("!!"));
    w.a.write(bytes("?"));
    w.a.flush();
    expect(w.messages).toEqual([`a:0:${long}!!`, "a:1:?"]);
  });
});
