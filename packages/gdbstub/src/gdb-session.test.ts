import { describe, expect, it } from "vitest";
import type { BreakpointType, DebugTarget, ResumeAction, StopEvent } from "./debug-target.js";
import { GdbSession } from "./gdb-session.js";
import { checksum, framePacket } from "./packet-codec.js";

/** A two-thread toy machine: 4 registers of 4 bytes, 256 bytes of memory at 0x1000. */
class ToyTarget implements DebugTarget {
  regs = [new Uint8Array(16), new Uint8Array(16)];
  mem = new Uint8Array(256);
  breakpoints: string[] = [];
  resumed: ResumeAction[][] = [];
  pendingStop: ((s: StopEvent) => void) | undefined;
  interrupted = 0;
  detached = false;
  killed = false;
  physical: boolean[] = [];

  setPhysicalMemoryMode(on: boolean): void {
    this.physical.push(on);
  }

  features(annex: string): string | undefined {
    return annex === "target.xml" ? `<target>${"x".repeat(100)}</target>` : undefined;
  }
  threads(): readonly number[] {
    return [1, 2];
  }
  threadInfo(t: number): string {
    return `vCPU ${t - 1}`;
  }
  readRegisters(t: number): Uint8Array {
    return this.regs[t - 1] as Uint8Array;
  }
  writeRegisters(t: number, data: Uint8Array): boolean {
    (this.regs[t - 1] as Uint8Array).set(data.subarray(0, 16));
    return true;
  }
  readRegister(t: number, n: number): Uint8Array | undefined {
    return n < 4 ? this.regs[t - 1]?.slice(4 * n, 4 * n + 4) : undefined;
  }
  writeRegister(t: number, n: number, data: Uint8Array): boolean {
    if (n >= 4 || data.length !== 4) return false;
    this.regs[t - 1]?.set(data, 4 * n);
    return true;
  }
  readMemory(_t: number, addr: bigint, length: number): Uint8Array {
    const o = Number(addr) - 0x1000;
    if (o < 0 || o >= 256) return new Uint8Array(0);
    return this.mem.slice(o, Math.min(256, o + length));
  }
  writeMemory(_t: number, addr: bigint, data: Uint8Array): boolean {
    const o = Number(addr) - 0x1000;
    if (o < 0 || o + data.length > 256) return false;
    this.mem.set(data, o);
    return true;
  }
  setBreakpoint(type: BreakpointType, addr: bigint, kind: number, insert: boolean) {
    if (type === "read") return "unsupported" as const;
    this.breakpoints.push(`${insert ? "+" : "-"}${type}@${addr.toString(16)}/${kind}`);
    return "ok" as const;
  }
  resume(actions: readonly ResumeAction[]): Promise<StopEvent> {
    this.resumed.push([...actions]);
    return new Promise((r) => {
      this.pendingStop = r;
    });
  }
  interrupt(): void {
    this.interrupted++;
    this.pendingStop?.({ kind: "signal", thread: 2, signal: 2 });
  }
  detach(): void {
    this.detached = true;
  }
  kill(): void {
    this.killed = true;
  }
}

function harness() {
  const target = new ToyTarget();
  const out: string[] = [];
  let closed = false;
  const session = new GdbSession(target, {
    send: (d) => out.push(d),
    close: () => (closed = true),
  });
  const send = (payload: string) => {
    out.length = 0;
    session.receive(Buffer.from(framePacket(payload), "latin1"));
    return out.join("");
  };
  return { target, session, send, out, closed: () => closed };
}

describe("GdbSession", () => {
  it("acks each packet and answers with a checksummed reply until no-ack mode", () => {
    const h = harness();
    expect(h.send("?")).toBe(`+${framePacket("T05thread:1;")}`);
    expect(h.send("QStartNoAckMode")).toBe(`+${framePacket("OK")}`);
    expect(h.send("?")).toBe(framePacket("T05thread:1;"));
  });

  it("asks for a retransmission of a corrupt packet", () => {
    const h = harness();
    h.session.receive(Buffer.from("$?#00", "latin1"));
    expect(h.out.join("")).toBe("-");
  });

  it("announces its features and serves target.xml in chunks", () => {
    const h = harness();
    expect(h.send("qSupported:multiprocess+;swbreak+")).toContain("qXfer:features:read+");
    const first = h.send("qXfer:features:read:target.xml:0,28");
    expect(first).toBe(`+${framePacket(`m<target>${"x".repeat(32)}`)}`);
    const last = h.send("qXfer:features:read:target.xml:28,400");
    expect(last).toBe(`+${framePacket(`l${"x".repeat(68)}</target>`)}`);
    expect(h.send("qXfer:features:read:other.xml:0,40")).toBe(`+${framePacket("E00")}`);
  });

  it("reads and writes registers of the thread Hg selects", () => {
    const h = harness();
    expect(h.send("Hg2")).toContain("OK");
    expect(h.send("P1=78563412")).toContain("OK");
    expect(h.send("p1")).toBe(`+${framePacket("78563412")}`);
    expect(h.send("g")).toBe(`+${framePacket(`00000000785634120000000000000000`)}`);
    expect(h.target.regs[0]?.every((b) => b === 0)).toBe(true);
    expect(h.send("p9")).toContain("E45");
    expect(h.send("Hg7")).toContain("E01");
  });

  it("reads memory partially where it ends, and writes hex and binary data", () => {
    const h = harness();
    expect(h.send("M1000,2:abcd")).toContain("OK");
    // '#', '*', '#' escaped as the protocol requires ('}' then the byte xor 0x20).
    const body = "X1002,3:}\x03}\x0a}\x03";
    h.out.length = 0;
    h.session.receive(
      Buffer.from(`$${body}#${(checksum(body) + 0x100).toString(16).slice(1)}`, "latin1"),
    );
    expect(h.out.join("")).toContain("OK");
    expect(Array.from(h.target.mem.slice(0, 5))).toEqual([0xab, 0xcd, 0x23, 0x2a, 0x23]);
    expect(h.send("m10fe,4")).toBe(`+${framePacket("0000")}`);
    expect(h.send("m2000,4")).toContain("E14");
  });

  it("passes breakpoints through and reports an unsupported kind with an empty reply", () => {
    const h = harness();
    expect(h.send("Z0,1004,2")).toContain("OK");
    expect(h.send("z0,1004,2")).toContain("OK");
    expect(h.send("Z2,1008,8")).toContain("OK");
    expect(h.send("Z3,1008,8")).toBe(`+${framePacket("")}`);
    expect(h.target.breakpoints).toEqual(["+software@1004/2", "-software@1004/2", "+write@1008/8"]);
  });

  it("lists vCPUs as threads", () => {
    const h = harness();
    expect(h.send("qfThreadInfo")).toContain(framePacket("m1,2"));
    expect(h.send("qsThreadInfo")).toContain(framePacket("l"));
    expect(h.send("T2")).toContain("OK");
    expect(h.send("T5")).toContain("E01");
    expect(h.send("qThreadExtraInfo,2")).toContain(Buffer.from("vCPU 1").toString("hex"));
    expect(h.send("qAttached")).toContain(framePacket("1"));
  });

  it("resumes, holds packets while running, and stops on Ctrl-C", async () => {
    const h = harness();
    expect(h.send("vCont?")).toContain("vCont;c;C;s;S");
    expect(h.send("vCont;s:2;c")).toBe("+");
    expect(h.target.resumed[0]).toEqual([
      { thread: 2, step: true },
      { thread: "all", step: false },
    ]);
    expect(h.session.running).toBe(true);
    h.out.length = 0;
    h.session.receive(Uint8Array.of(0x03));
    await Promise.resolve();
    await Promise.resolve();
    expect(h.target.interrupted).toBe(1);
    expect(h.out.join("")).toBe(framePacket("T02thread:2;"));
    expect(h.send("g")).toContain("+$");
  });

  it("reports breakpoint and watchpoint stops the way GDB parses them", async () => {
    const h = harness();
    h.send("c");
    h.out.length = 0;
    h.target.pendingStop?.({ kind: "watchpoint", thread: 1, type: "write", addr: 0x1008n });
    await Promise.resolve();
    await Promise.resolve();
    expect(h.out.join("")).toBe(framePacket("T05thread:1;watch:1008;"));
    h.send("c");
    h.out.length = 0;
    h.target.pendingStop?.({ kind: "exited", code: 0 });
    await Promise.resolve();
    await Promise.resolve();
    expect(h.out.join("")).toBe(framePacket("W00"));
    expect(h.closed()).toBe(true);
  });

  it("detaches and kills", () => {
    const h = harness();
    expect(h.send("D")).toContain("OK");
    expect(h.target.detached).toBe(true);
    const k = harness();
    k.send("k");
    expect(k.target.killed).toBe(true);
    expect(k.closed()).toBe(true);
  });

  it("switches memory packets to physical addresses as QEMU's Qqemu.PhyMemMode does", () => {
    const h = harness();
    expect(h.send("qqemu.PhyMemMode")).toContain(framePacket("0"));
    expect(h.send("Qqemu.PhyMemMode:1")).toContain(framePacket("OK"));
    expect(h.send("qqemu.PhyMemMode")).toContain(framePacket("1"));
    expect(h.send("Qqemu.PhyMemMode:0")).toContain(framePacket("OK"));
    expect(h.send("Qqemu.PhyMemMode:2")).toContain(framePacket("E01"));
    expect(h.target.physical).toEqual([true, false]);
  });
});
