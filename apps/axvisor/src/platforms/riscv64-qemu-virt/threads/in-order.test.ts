import { describe, expect, it } from "vitest";
import { InOrder } from "./in-order.js";

describe("InOrder", () => {
  it("runs handlers by sequence number, holding those that arrive before a lower one", () => {
    const q = new InOrder();
    const ran: number[] = [];
    q.run(1, () => ran.push(1));
    q.run(2, () => ran.push(2));
    expect(ran).toEqual([]);
    expect(q.held).toBe(2);
    q.run(0, () => ran.push(0));
    expect(ran).toEqual([0, 1, 2]);
    q.run(4, () => ran.push(4));
    q.run(3, () => ran.push(3));
    expect(ran).toEqual([0, 1, 2, 3, 4]);
    expect(q.held).toBe(0);
  });
});
