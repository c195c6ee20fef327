import { RecordingIrqLine } from "@axvisor/axdevice-base";
import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { Pl011 } from "./pl011.js";
import {
  CR_LBE,
  CR_RXE,
  CR_TXE,
  CR_UARTEN,
  DR_OE,
  FR_RXFE,
  FR_RXFF,
  FR_TXFE,
  INT_OE,
  INT_RX,
  INT_TX,
  LCR_H_FEN,
  Pl011Reg,
} from "./registers.js";

const BASE = 0x0900_0000;

function uart() {
  const irq = new RecordingIrqLine();
  const out: number[] = [];
  const dev = new Pl011({ base: BASE, irq, onTransmit: (b) => out.push(b) });
  const rd = (off: number) =>
    Number(dev.handleRead((BASE + off) as GuestPhysAddr, AccessWidth.Dword));
  const wr = (off: number, v: number) =>
    dev.handleWrite((BASE + off) as GuestPhysAddr, AccessWidth.Dword, BigInt(v));
  return { dev, irq, out, rd, wr };
}

describe("Pl011", () => {
  it("resets to QEMU's values", () => {
    const { rd } = uart();
    expect(rd(Pl011Reg.FR)).toBe(FR_TXFE | FR_RXFE);
    expect(rd(Pl011Reg.CR)).toBe(CR_TXE | CR_RXE);
    expect(rd(Pl011Reg.IFLS)).toBe(0x12);
    expect(rd(Pl011Reg.RIS)).toBe(0);
  });

  it("reports the PrimeCell identification registers", () => {
    const { rd } = uart();
    const ids = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => rd(0xfe0 + 4 * i));
    expect(ids).toEqual([0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1]);
  });

  it("transmits DR writes and raises TX until the guest clears it", () => {
    const { irq, out, rd, wr } = uart();
    wr(Pl011Reg.IMSC, INT_TX);
    wr(Pl011Reg.DR, 0x41);
    wr(Pl011Reg.DR, 0x142); // only the low byte goes out
    expect(out).toEqual([0x41, 0x42]);
    expect(rd(Pl011Reg.RIS) & INT_TX).toBe(INT_TX);
    expect(rd(Pl011Reg.MIS)).toBe(INT_TX);
    expect(irq.level).toBe(true);
    wr(Pl011Reg.ICR, INT_TX);
    expect(rd(Pl011Reg.MIS)).toBe(0);
    expect(irq.level).toBe(false);
  });

  it("receives host input through a 16-entry FIFO and never loses it", () => {
    const { dev, irq, rd, wr } = uart();
    wr(Pl011Reg.LCR_H, LCR_H_FEN | 0x60);
    wr(Pl011Reg.IMSC, INT_RX);
    const text = "0123456789abcdefXYZ";
    expect(dev.pushInput(text)).toBe(text.length);
    expect(irq.level).toBe(true);
    expect(rd(Pl011Reg.FR) & FR_RXFF).toBe(FR_RXFF);
    let got = "";
    while (!(rd(Pl011Reg.FR) & FR_RXFE)) got += String.fromCharCode(rd(Pl011Reg.DR) & 0xff);
    expect(got).toBe(text);
    expect(irq.level).toBe(false);
    expect(rd(Pl011Reg.RIS) & INT_RX).toBe(0);
  });

  it("holds one character at a time with the FIFO off", () => {
    const { dev, rd } = uart();
    dev.pushInput("ab");
    expect(rd(Pl011Reg.FR) & (FR_RXFF | FR_RXFE)).toBe(FR_RXFF);
    expect(rd(Pl011Reg.DR)).toBe(0x61);
    expect(rd(Pl011Reg.DR)).toBe(0x62);
    expect(rd(Pl011Reg.FR) & FR_RXFE).toBe(FR_RXFE);
    expect(dev.pendingInput).toBe(0);
  });

  it("loops transmitted characters back and flags an overrun when full", () => {
    const { out, rd, wr } = uart();
    wr(Pl011Reg.CR, CR_UARTEN | CR_TXE | CR_RXE | CR_LBE);
    wr(Pl011Reg.DR, 0x31);
    wr(Pl011Reg.DR, 0x32); // FIFO off: one slot, so this one overruns
    expect(out).toEqual([]);
    expect(rd(Pl011Reg.RIS) & (INT_RX | INT_OE)).toBe(INT_RX | INT_OE);
    const dr = rd(Pl011Reg.DR);
    expect(dr).toBe(0x31 | DR_OE);
    expect(rd(Pl011Reg.RSR)).toBe(DR_OE >> 8);
    wr(Pl011Reg.RSR, 0);
    expect(rd(Pl011Reg.RSR)).toBe(0);
  });

  it("keeps the baud divisors and masks them to their widths", () => {
    const { dev, rd, wr } = uart();
    wr(Pl011Reg.IBRD, 0x1_0027);
    wr(Pl011Reg.FBRD, 0xff);
    expect(rd(Pl011Reg.IBRD)).toBe(0x27);
    expect(rd(Pl011Reg.FBRD)).toBe(0x3f);
    expect(dev.baudDivisor).toBeCloseTo(0x27 + 63 / 64);
  });

  it("empties the receiver when the FIFO mode changes, and reset clears the registers", () => {
    const { dev, rd, wr } = uart();
    wr(Pl011Reg.CR, CR_LBE | CR_TXE | CR_RXE);
    wr(Pl011Reg.DR, 0x55);
    wr(Pl011Reg.LCR_H, LCR_H_FEN);
    expect(rd(Pl011Reg.FR) & FR_RXFE).toBe(FR_RXFE);
    wr(Pl011Reg.IMSC, 0x7ff);
    dev.reset();
    expect(rd(Pl011Reg.IMSC)).toBe(0);
    expect(rd(Pl011Reg.LCR_H)).toBe(0);
  });
});

describe("Pl011 saveState / loadState", () => {
  it("a restored UART has the same registers, FIFO contents and queued input", () => {
    const a = uart();
    a.wr(Pl011Reg.LCR_H, LCR_H_FEN | 0x60);
    a.wr(Pl011Reg.IMSC, INT_RX);
    a.wr(Pl011Reg.IBRD, 13);
    a.dev.pushInput(new Uint8Array(40).fill(0x41).map((b, i) => b + (i % 26)));
    expect(a.rd(Pl011Reg.DR)).toBe(0x41); // the guest read one
    const saved = a.dev.saveState();
    const b = uart();
    b.dev.loadState(JSON.parse(JSON.stringify(saved)));
    expect(b.dev.saveState()).toEqual(saved);
    for (const reg of [Pl011Reg.LCR_H, Pl011Reg.IMSC, Pl011Reg.IBRD, Pl011Reg.RIS, Pl011Reg.FR]) {
      expect(b.rd(reg)).toBe(a.rd(reg));
    }
    expect(b.dev.pendingInput).toBe(39);
    const rest = () => Array.from({ length: 39 }, () => b.rd(Pl011Reg.DR) & 0xff);
    expect(rest()).toEqual(Array.from({ length: 39 }, (_, i) => 0x41 + ((i + 1) % 26)));
  });

  it("refuses a state that does not fit, naming the field", () => {
    const a = uart();
    expect(() => a.dev.loadState({ ...a.dev.saveState(), fifo: new Array(17).fill(0) })).toThrow(
      "pl011: the saved receive FIFO holds 17 entries",
    );
    expect(() => a.dev.loadState({ ...a.dev.saveState(), cr: "on" })).toThrow(
      'pl011: saved state field "cr" is not an integer in 0..65535',
    );
  });
});
