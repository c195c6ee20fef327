import { describe, expect, it } from "vitest";
import { MarkerWatch } from "./markers.js";

const enc = (s: string) => new TextEncoder().encode(s);

describe("MarkerWatch", () => {
  it("times each marker with the chunk that completes it, and keeps the first appearance", () => {
    const w = new MarkerWatch(["BENCH-START", "BENCH-END"]);
    w.feed(enc("boot\r\nBENCH-ST"), 10, 100);
    expect(w.has("BENCH-START")).toBe(false);
    w.feed(enc("ART\n"), 12, 150);
    w.feed(enc("noise"), 20, 200);
    w.feed(enc("BENCH-END\n"), 1012, 5150);
    w.feed(enc("BENCH-START BENCH-END\n"), 2000, 9000);
    expect(w.hit("BENCH-START")).toEqual({ timeMs: 12, counter: 150 });
    expect(w.hit("BENCH-END")).toEqual({ timeMs: 1012, counter: 5150 });
    expect(w.between("BENCH-START", "BENCH-END")).toBe(1000);
  });

  it("finds a marker split over many one-byte chunks", () => {
    const w = new MarkerWatch(["GUEST-INIT-OK"]);
    const text = "[    0.9] Run /init\nGUEST-INIT-OK arch=riscv64\n";
    for (let i = 0; i < text.length; i++) w.feed(text[i]!, i);
    expect(w.hit("GUEST-INIT-OK")?.timeMs).toBe(
      text.indexOf("GUEST-INIT-OK") + "GUEST-INIT-OK".length - 1,
    );
  });

  it("finds a marker after a long stretch of output that the tail was trimmed over", () => {
    const w = new MarkerWatch(["DEMO-READY"]);
    for (let i = 0; i < 100; i++) w.feed("x".repeat(97), i);
    w.feed("DEMO-", 100);
    w.feed("READY", 101);
    expect(w.hit("DEMO-READY")?.timeMs).toBe(101);
  });

  it("records the first byte of output, and reports a marker missing as undefined", () => {
    const w = new MarkerWatch(["BENCH-END"]);
    expect(w.firstByte).toBeUndefined();
    w.feed(enc(""), 1);
    expect(w.firstByte).toBeUndefined();
    w.feed(enc("\n=== banner"), 5, 42);
    expect(w.firstByte).toEqual({ timeMs: 5, counter: 42 });
    expect(w.hit("BENCH-END")).toBeUndefined();
    expect(w.between("BENCH-START", "BENCH-END")).toBeUndefined();
  });

  it("captures a failure line once its newline arrives", () => {
    const w = new MarkerWatch(["BENCH-END"], "BENCH-FAIL");
    w.feed("BENCH-START\nBENCH-FAIL cause=0000000000000002", 1);
    expect(w.failLine).toBeUndefined();
    w.feed(" epc=0000000080000100\r\nmore\n", 2);
    expect(w.failLine).toBe("BENCH-FAIL cause=0000000000000002 epc=0000000080000100");
  });

  it("rejects an empty marker", () => {
    expect(() => new MarkerWatch([""])).toThrow(/empty marker/);
  });
});
