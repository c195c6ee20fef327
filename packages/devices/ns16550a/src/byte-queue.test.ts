import { describe, expect, it } from "vitest";
import { ByteQueue } from "./byte-queue.js";

describe("ByteQueue", () => {
  it("keeps order across growth and wrap-around", () => {
    const q = new ByteQueue(4);
    const out: number[] = [];
    for (let i = 0; i < 3; i++) q.push(i);
    out.push(q.shift()!, q.shift()!); // head moves to 2, so the next pushes wrap
    for (let i = 3; i < 40; i++) q.push(i);
    expect(q.length).toBe(38);
    while (q.length > 0) out.push(q.shift()!);
    expect(out).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(q.shift()).toBeUndefined();
  });
});
