import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { HostConsole } from "./host-console.js";

class FakeStdin extends EventEmitter {
  raw: boolean[] = [];
  paused = true;
  constructor(readonly isTTY: boolean) {
    super();
  }
  setRawMode(mode: boolean) {
    this.raw.push(mode);
  }
  resume() {
    this.paused = false;
  }
  pause() {
    this.paused = true;
  }
}

function setup(isTTY: boolean) {
  const stdin = new FakeStdin(isTTY);
  const typed: number[] = [];
  const messages: string[] = [];
  let quits = 0;
  const c = new HostConsole({
    input: stdin,
    messages: { write: (s) => messages.push(String(s)) },
    onInput: (b) => typed.push(...b),
    onQuit: () => quits++,
  });
  return { stdin, typed, messages, quits: () => quits, c };
}

describe("HostConsole", () => {
  it("on a terminal: raw mode, Ctrl-A x quits, Ctrl-A h helps, Ctrl-A Ctrl-A types Ctrl-A", () => {
    const t = setup(true);
    t.c.start();
    expect(t.stdin.raw).toEqual([true]);
    t.stdin.emit("data", Buffer.from([0x61, 0x03, 0x01, 0x68, 0x62]));
    expect(t.typed).toEqual([0x61, 0x03, 0x62]); // Ctrl-C reaches the guest
    expect(t.messages.join("")).toMatch(/C-a x {4}exit/);
    t.stdin.emit("data", Buffer.from([0x01]));
    t.stdin.emit("data", Buffer.from([0x01])); // escape split across reads
    expect(t.typed).toEqual([0x61, 0x03, 0x62, 0x01]);
    t.stdin.emit("data", Buffer.from([0x01, 0x78]));
    expect(t.quits()).toBe(1);
    t.c.stop();
    expect(t.stdin.raw).toEqual([true, false]);
    expect(t.stdin.paused).toBe(true);
    t.stdin.emit("data", Buffer.from("zz"));
    expect(t.typed).toHaveLength(4);
  });

  it("from a pipe: bytes pass through, Ctrl-A included, no raw mode", () => {
    const t = setup(false);
    t.c.start();
    t.stdin.emit("data", Buffer.from([0x01, 0x78, 0x0a]));
    expect(t.typed).toEqual([0x01, 0x78, 0x0a]);
    expect(t.quits()).toBe(0);
    expect(t.stdin.raw).toEqual([]);
    t.c.stop();
  });
});
