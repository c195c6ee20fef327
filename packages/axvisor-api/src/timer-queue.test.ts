import { describe, expect, it } from "vitest";
import type { TimerToken } from "./host-services.js";
import { TimerQueue } from "./timer-queue.js";

describe("TimerQueue", () => {
  it("fires due timers in deadline order, ties in registration order", () => {
    const q = new TimerQueue();
    const order: string[] = [];
    q.add(300, () => order.push("c"));
    q.add(100, () => order.push("a"));
    q.add(200, () => order.push("b1"));
    q.add(200, () => order.push("b2"));
    q.add(500, () => order.push("late"));
    expect(q.nextDeadline()).toBe(100);
    expect(q.fireDue(300)).toBe(4);
    expect(order).toEqual(["a", "b1", "b2", "c"]);
    expect(q.size).toBe(1);
    expect(q.nextDeadline()).toBe(500);
  });

  it("passes the firing time to callbacks", () => {
    const q = new TimerQueue();
    const seen: number[] = [];
    q.add(10, (now) => seen.push(now));
    q.fireDue(15);
    expect(seen).toEqual([15]);
  });

  it("does not fire cancelled timers and reports whether a cancel did anything", () => {
    const q = new TimerQueue();
    let fired = 0;
    const t = q.add(10, () => fired++);
    q.add(20, () => fired++);
    expect(q.cancel(t)).toBe(true);
    expect(q.cancel(t)).toBe(false);
    expect(q.nextDeadline()).toBe(20);
    expect(q.fireDue(100)).toBe(1);
    expect(fired).toBe(1);
    expect(q.cancel(12345 as TimerToken)).toBe(false);
    expect(q.nextDeadline()).toBeNull();
  });

  it("lets a callback cancel a later due timer", () => {
    const q = new TimerQueue();
    const order: string[] = [];
    let second: TimerToken | undefined;
    q.add(1, () => {
      order.push("first");
      q.cancel(second!);
    });
    second = q.add(2, () => order.push("second"));
    expect(q.fireDue(10)).toBe(1);
    expect(order).toEqual(["first"]);
  });

  it("defers timers registered by callbacks to the next call, so self re-arming cannot spin", () => {
    const q = new TimerQueue();
    let count = 0;
    const rearm = (now: number) => {
      count++;
      q.add(now, rearm);
    };
    q.add(0, rearm);
    expect(q.fireDue(0)).toBe(1);
    expect(q.fireDue(0)).toBe(1);
    expect(count).toBe(2);
    expect(q.size).toBe(1);
  });

  it("keeps the unfired timers when a callback throws", () => {
    const q = new TimerQueue();
    const order: string[] = [];
    q.add(1, () => {
      throw new Error("boom");
    });
    q.add(2, () => order.push("two"));
    expect(() => q.fireDue(5)).toThrow("boom");
    expect(q.size).toBe(1);
    expect(q.fireDue(5)).toBe(1);
    expect(order).toEqual(["two"]);
  });

  it("stays ordered under many random insertions and cancellations", () => {
    const q = new TimerQueue();
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const fired: number[] = [];
    const expected: number[] = [];
    for (let i = 0; i < 500; i++) {
      const d = rand() % 1000;
      const t = q.add(d, () => fired.push(d));
      if (rand() % 4 === 0) q.cancel(t);
      else expected.push(d);
    }
    q.fireDue(1000);
    expect(fired).toEqual(expected.sort((a, b) => a - b));
  });
});
