import { EmulatedDeviceType, RecordingIrqLine } from "@axvisor/axdevice-base";
import { AccessWidth } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { MmioReg } from "../constants.js";
import { TestDriver } from "../testing/test-driver.js";
import { TestMemory } from "../testing/test-memory.js";
import { VirtioMmioTransport } from "../transport.js";
import { VirtioConsole, type VirtioConsoleOptions } from "./virtio-console.js";

const MMIO_BASE = 0x1000_3000;
const RAM_BASE = 0x8000_0000;
const RX = 0;
const TX = 1;
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function makeRig(options: Omit<VirtioConsoleOptions, "onOutput"> = {}) {
  const mem = new TestMemory(RAM_BASE, 0x20_0000);
  const irq = new RecordingIrqLine();
  const output: string[] = [];
  const console = new VirtioConsole({ ...options, onOutput: (b) => output.push(text(b)) });
  const transport = new VirtioMmioTransport({
    base: MMIO_BASE,
    memory: mem,
    irq,
    backend: console,
  });
  const drv = new TestDriver(transport, mem, MMIO_BASE);
  const postRx = (len: number) => {
    const addr = drv.alloc(len);
    const head = drv.addChain(RX, [{ addr, len, write: true }]);
    return { addr, head };
  };
  const send = (s: string) => {
    const bytes = new TextEncoder().encode(s);
    const addr = drv.alloc(bytes.length);
    mem.fill(addr, bytes);
    const head = drv.addChain(TX, [{ addr, len: bytes.length }]);
    drv.notify(TX);
    return head;
  };
  return { mem, irq, console, transport, drv, output, postRx, send };
}

describe("VirtioConsole", () => {
  it("is device 3 with two queues and one port", () => {
    const { drv, transport } = makeRig();
    expect(drv.r(MmioReg.DeviceId)).toBe(3);
    expect(transport.emuType()).toBe(EmulatedDeviceType.VirtioConsole);
    drv.w(MmioReg.QueueSel, 1);
    expect(drv.r(MmioReg.QueueNumMax)).toBe(128);
    drv.w(MmioReg.QueueSel, 2);
    expect(drv.r(MmioReg.QueueNumMax)).toBe(0);
    expect(drv.r(0x104)).toBe(1); // max_nr_ports
    expect(drv.deviceFeatures() & 0b111n).toBe(0b100n); // EMERG_WRITE, no SIZE, no MULTIPORT
  });

  it("sends transmitq buffers to onOutput and returns them with length 0", () => {
    const { drv, output, send, irq } = makeRig();
    drv.init([128, 128]);
    const head = send("hello, ");
    send("world\n");
    expect(output.join("")).toBe("hello, world\n");
    expect(drv.takeUsed(TX)).toEqual([
      { id: head, len: 0 },
      { id: head + 1, len: 0 },
    ]);
    expect(irq.level).toBe(true);
  });

  it("gathers a transmit chain of several buffers into one output", () => {
    const { drv, mem, output } = makeRig();
    drv.init([128, 128]);
    const a = drv.alloc(3);
    const b = drv.alloc(2);
    mem.fill(a, [0x61, 0x62, 0x63]);
    mem.fill(b, [0x64, 0x0a]);
    drv.addChain(TX, [
      { addr: a, len: 3 },
      { addr: b, len: 2 },
    ]);
    drv.notify(TX);
    expect(output).toEqual(["abcd\n"]);
  });

  it("keeps input typed before the driver is ready and delivers it into receive buffers", () => {
    const { console, drv, mem, irq, postRx } = makeRig();
    console.pushInput("ls -l\n");
    expect(console.pendingInput).toBe(6);
    drv.negotiate();
    drv.setupQueue(RX, 128);
    drv.setupQueue(TX, 128);
    const rx = postRx(64);
    drv.driverOk();
    expect(drv.takeUsed(RX)).toEqual([{ id: rx.head, len: 6 }]);
    expect(text(mem.slice(rx.addr, 6))).toBe("ls -l\n");
    expect(console.pendingInput).toBe(0);
    expect(irq.level).toBe(true);
  });

  it("splits input across receive buffers and waits for more buffers", () => {
    const { console, drv, mem, postRx } = makeRig();
    drv.init([128, 128]);
    const a = postRx(4);
    drv.notify(RX);
    console.pushInput("abcdef");
    console.pushInput("gh");
    expect(drv.takeUsed(RX)).toEqual([{ id: a.head, len: 4 }]);
    expect(text(mem.slice(a.addr, 4))).toBe("abcd");
    expect(console.pendingInput).toBe(4);
    const b = postRx(16);
    drv.notify(RX);
    expect(drv.takeUsed(RX)).toEqual([{ id: b.head, len: 4 }]);
    expect(text(mem.slice(b.addr, 4))).toBe("efgh");
  });

  it("hands back a receive buffer outside memory empty and keeps the input", () => {
    const { console, drv, mem, postRx } = makeRig();
    drv.init([128, 128]);
    const bad = drv.addChain(RX, [{ addr: 0x1000, len: 8, write: true }]);
    drv.notify(RX);
    console.pushInput("ok");
    expect(drv.takeUsed(RX)).toEqual([{ id: bad, len: 0 }]);
    const good = postRx(8);
    drv.notify(RX);
    expect(drv.takeUsed(RX)).toEqual([{ id: good.head, len: 2 }]);
    expect(text(mem.slice(good.addr, 2))).toBe("ok");
  });

  it("echoes safely when the host answers output with input (re-entrant processing)", () => {
    const mem = new TestMemory(RAM_BASE, 0x20_0000);
    let con: VirtioConsole | undefined;
    con = new VirtioConsole({ onOutput: (b) => con?.pushInput(b) });
    const transport = new VirtioMmioTransport({ base: MMIO_BASE, memory: mem, backend: con });
    const drv = new TestDriver(transport, mem, MMIO_BASE);
    drv.init([128, 128]);
    const rxAddr = drv.alloc(8);
    drv.addChain(RX, [{ addr: rxAddr, len: 8, write: true }]);
    drv.notify(RX);
    const txAddr = drv.alloc(2);
    mem.fill(txAddr, [0x68, 0x69]);
    drv.addChain(TX, [{ addr: txAddr, len: 2 }]);
    drv.notify(TX);
    expect(text(mem.slice(rxAddr, 2))).toBe("hi");
  });

  it("writes emergency characters from config offset 8", () => {
    const { drv, output } = makeRig();
    drv.w(0x108, 0x21);
    drv.w(0x108, 0x0a, AccessWidth.Byte);
    expect(output).toEqual(["!", "\n"]);
  });

  it("offers SIZE when given a terminal size and signals resizes as config changes", () => {
    const { console, drv, irq } = makeRig({ size: { cols: 80, rows: 24 } });
    expect(drv.deviceFeatures() & 1n).toBe(1n);
    expect(drv.r(0x100, AccessWidth.Word)).toBe(80);
    expect(drv.r(0x102, AccessWidth.Word)).toBe(24);
    drv.init([128, 128]);
    const generation = drv.r(MmioReg.ConfigGeneration);
    console.resize(132, 43);
    expect(drv.r(MmioReg.ConfigGeneration)).toBe(generation + 1);
    expect(drv.r(MmioReg.InterruptStatus)).toBe(2);
    expect(irq.level).toBe(true);
    expect(drv.r(0x100)).toBe((43 << 16) | 132);
  });
});
