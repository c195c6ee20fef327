import { RecordingIrqLine } from "@axvisor/axdevice-base";
import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import { Ns16550a, type Ns16550aOptions } from "./ns16550a.js";

const BASE = 0x1000_0000;
// Register indices from the PC16550D datasheet.
const RBR = 0;
const THR = 0;
const DLL = 0;
const IER = 1;
const DLM = 1;
const IIR = 2;
const FCR = 2;
const LCR = 3;
const MCR = 4;
const LSR = 5;
const MSR = 6;
const SCR = 7;

function makeUart(extra: Partial<Ns16550aOptions> = {}) {
  const irq = new RecordingIrqLine();
  const sent: number[] = [];
  const shift = extra.regShift ?? 0;
  const uart = new Ns16550a({ base: BASE, irq, onTransmit: (b) => sent.push(b), ...extra });
  const at = (reg: number) => (BASE + (reg << shift)) as GuestPhysAddr;
  const r = (reg: number) => Number(uart.handleRead(at(reg), AccessWidth.Byte));
  const w = (reg: number, v: number) => uart.handleWrite(at(reg), AccessWidth.Byte, BigInt(v));
  const readAll = (n: number) => Array.from({ length: n }, () => r(RBR));
  return { uart, irq, sent, r, w, readAll };
}

const bytes = (s: string) => [...s].map((c) => c.charCodeAt(0));

describe("Ns16550a reset state", () => {
  it("has the datasheet's power-on register values", () => {
    const { r, irq } = makeUart();
    expect(r(IER)).toBe(0x00);
    expect(r(IIR)).toBe(0x01); // no interrupt pending, FIFOs off
    expect(r(LCR)).toBe(0x00);
    expect(r(MCR)).toBe(0x00);
    expect(r(LSR)).toBe(0x60); // THRE | TEMT
    expect(r(MSR)).toBe(0xb0); // DCD | DSR | CTS asserted by the host side, no deltas
    expect(r(SCR)).toBe(0x00);
    expect(irq.level).toBe(false);
  });

  it("covers QEMU virt's 0x100-byte window", () => {
    const { uart } = makeUart();
    expect(uart.addressRange()).toEqual({ start: BASE, end: BASE + 0x100 });
  });

  it("rejects a window too small for the register stride", () => {
    expect(() => new Ns16550a({ base: BASE, size: 0x10, regShift: 2 })).toThrow(/reg-shift 2/);
    expect(() => new Ns16550a({ base: BASE, regShift: 5 })).toThrow(/reg-shift/);
  });
});

describe("Ns16550a registers", () => {
  it("switches RBR/THR and IER to the divisor latch while LCR.DLAB is set", () => {
    const { uart, r, w, sent } = makeUart();
    w(IER, 0x05);
    w(LCR, 0x83); // DLAB + 8N1
    w(DLL, 0x0c);
    w(DLM, 0x01);
    expect(r(DLL)).toBe(0x0c);
    expect(r(DLM)).toBe(0x01);
    expect(uart.divisor).toBe(0x010c);
    expect(sent).toEqual([]); // the DLL write did not transmit
    w(LCR, 0x03);
    expect(r(LCR)).toBe(0x03);
    expect(r(IER)).toBe(0x05); // IER kept its value under the latch
  });

  it("keeps only the four defined IER bits and five MCR bits", () => {
    const { r, w } = makeUart();
    w(IER, 0xff);
    expect(r(IER)).toBe(0x0f);
    w(MCR, 0xff);
    expect(r(MCR)).toBe(0x1f);
  });

  it("stores the scratch register", () => {
    const { r, w } = makeUart();
    w(SCR, 0xa5);
    expect(r(SCR)).toBe(0xa5);
  });

  it("honours the register stride (reg-shift 2) and ignores misaligned offsets", () => {
    const { uart, r, w } = makeUart({ regShift: 2, size: 0x20 });
    w(SCR, 0x5a);
    expect(uart.handleRead((BASE + 0x1c) as GuestPhysAddr, AccessWidth.Dword)).toBe(0x5an);
    expect(r(LSR)).toBe(0x60);
    expect(uart.handleRead((BASE + 0x15) as GuestPhysAddr, AccessWidth.Byte)).toBe(0n);
  });
});

describe("Ns16550a transmit", () => {
  it("sends THR writes to the sink", () => {
    const { w, sent } = makeUart();
    for (const b of bytes("ok\n")) w(THR, b);
    expect(sent).toEqual([0x6f, 0x6b, 0x0a]);
  });

  it("raises THRE when ETBEI is enabled with THR empty; reading IIR clears it", () => {
    const { r, w, irq } = makeUart();
    w(IER, 0x02);
    expect(irq.level).toBe(true);
    expect(r(IIR)).toBe(0x02);
    expect(irq.level).toBe(false);
    expect(r(IIR)).toBe(0x01);
    expect(r(LSR) & 0x60).toBe(0x60); // THR is still empty; only the interrupt was cleared
  });

  it("re-arms THRE after every THR write", () => {
    const { r, w, irq } = makeUart();
    w(IER, 0x02);
    r(IIR);
    w(THR, 0x41);
    expect(irq.level).toBe(true);
    expect(r(IIR)).toBe(0x02);
  });

  it("re-raises THRE each time ETBEI is toggled on (Linux's UART_BUG_THRE probe)", () => {
    const { r, w } = makeUart();
    w(IER, 0);
    w(IER, 0x02);
    const iir1 = r(IIR);
    w(IER, 0);
    w(IER, 0x02);
    const iir2 = r(IIR);
    expect(iir1 & 1).toBe(0);
    expect(iir2 & 1).toBe(0);
  });

  it("drops a pending THRE when ETBEI is disabled", () => {
    const { r, w, irq } = makeUart();
    w(IER, 0x02);
    w(IER, 0x00);
    expect(irq.level).toBe(false);
    w(IER, 0x01);
    expect(r(IIR)).toBe(0x01);
  });
});

describe("Ns16550a receive", () => {
  it("delivers bytes through the holding register without FIFOs", () => {
    const u = makeUart();
    u.w(IER, 0x01);
    expect(u.irq.level).toBe(false);
    u.uart.pushInput("hi");
    expect(u.irq.level).toBe(true);
    expect(u.r(LSR)).toBe(0x61); // DR
    expect(u.r(IIR)).toBe(0x04); // received data available
    expect(u.r(RBR)).toBe(0x68);
    expect(u.r(LSR)).toBe(0x61); // 'i' moved in from the host queue
    expect(u.r(RBR)).toBe(0x69);
    expect(u.r(LSR)).toBe(0x60);
    expect(u.r(IIR)).toBe(0x01);
    expect(u.irq.level).toBe(false);
    expect(u.r(RBR)).toBe(0); // reading an empty receiver returns nothing new
  });

  it("never loses bytes when the host sends far more than the FIFO holds", () => {
    const { uart, r, w, readAll } = makeUart();
    w(FCR, 0x07); // enable + clear both FIFOs, trigger level 1
    const text = Array.from({ length: 1000 }, (_, i) => (i * 7) & 0xff);
    expect(uart.pushInput(text)).toBe(1000);
    expect(uart.pendingInput).toBe(1000);
    const got = readAll(1000);
    expect(got).toEqual(text);
    expect(r(LSR)).toBe(0x60); // no overrun was ever flagged
    expect(uart.pendingInput).toBe(0);
  });

  it("refuses input beyond the host-side queue limit and says how much it took", () => {
    const { uart, readAll } = makeUart({ maxQueuedInput: 10 });
    // One byte moves straight into the holding register, ten wait on the wire.
    expect(uart.pushInput(new Uint8Array(20).fill(0x31))).toBe(11);
    expect(uart.pendingInput).toBe(11);
    expect(readAll(11)).toEqual(new Array(11).fill(0x31));
  });

  it("reports FIFO mode in IIR bits 7:6 and uses the RX trigger level", () => {
    const { uart, r, w, irq } = makeUart();
    w(FCR, 0xc1); // enable FIFOs, trigger level 14
    w(IER, 0x01);
    expect(r(IIR)).toBe(0xc1);
    uart.pushInput([1, 2, 3]);
    // Below the trigger level the data is reported through the character timeout.
    expect(r(IIR)).toBe(0xcc);
    expect(irq.level).toBe(true);
    uart.pushInput(new Array(11).fill(9)); // 14 bytes: trigger level reached
    expect(r(IIR)).toBe(0xc4);
    expect(r(RBR)).toBe(1); // 13 left: timeout again
    expect(r(IIR)).toBe(0xcc);
  });

  it("picks trigger levels 1, 4, 8 and 14 from FCR bits 7:6", () => {
    for (const [fcr, level] of [
      [0x01, 1],
      [0x41, 4],
      [0x81, 8],
      [0xc1, 14],
    ] as const) {
      const { uart, r, w } = makeUart();
      w(FCR, fcr);
      w(IER, 0x01);
      uart.pushInput(new Array(level - 1).fill(0x20));
      if (level > 1) expect(r(IIR)).toBe(0xcc);
      uart.pushInput([0x20]);
      expect(r(IIR)).toBe(0xc4);
    }
  });

  it("discards received bytes on an RX FIFO reset and refills from the host queue", () => {
    const { uart, r, w } = makeUart();
    w(FCR, 0x01);
    uart.pushInput(Array.from({ length: 20 }, (_, i) => i));
    w(FCR, 0x03); // clear RX: bytes 0..15 were received and are gone
    expect(r(RBR)).toBe(16);
    expect(uart.pendingInput).toBe(3);
  });

  it("clears the FIFO when the FIFO mode changes", () => {
    const { uart, r, w } = makeUart();
    w(FCR, 0x01);
    uart.pushInput([1, 2, 3]);
    w(FCR, 0x00); // back to 16450 mode: FIFO contents are dropped
    expect(r(LSR) & 1).toBe(0);
    expect(r(IIR)).toBe(0x01);
  });
});

describe("Ns16550a interrupt priorities", () => {
  it("orders line status > received data > THRE > modem status, clearing each in turn", () => {
    const { r, w, irq, sent } = makeUart();
    w(FCR, 0x01); // FIFOs on, trigger 1
    w(MCR, 0x10); // loopback: all modem lines drop, so DCTS, DDSR and DDCD latch
    for (let i = 0; i < 17; i++) w(THR, 0x40 + i); // the 17th overruns the 16-byte FIFO
    expect(sent).toEqual([]); // loopback keeps the bytes inside the chip
    w(IER, 0x0f);
    expect(irq.level).toBe(true);
    expect(r(IIR)).toBe(0xc6); // receiver line status (overrun)
    expect(r(LSR)).toBe(0x63); // DR | OE | THRE | TEMT; reading clears OE
    expect(r(LSR)).toBe(0x61);
    expect(r(IIR)).toBe(0xc4); // received data
    const got = Array.from({ length: 16 }, () => r(RBR));
    expect(got).toEqual(Array.from({ length: 16 }, (_, i) => 0x40 + i)); // the 17th was lost
    expect(r(IIR)).toBe(0xc2); // THRE; this read clears it
    expect(r(IIR)).toBe(0xc0); // modem status
    expect(r(MSR)).toBe(0x0b); // DDCD | DDSR | DCTS, all lines low
    expect(r(IIR)).toBe(0xc1);
    expect(irq.level).toBe(false);
  });

  it("only reports enabled sources", () => {
    const { uart, r, w, irq } = makeUart();
    uart.pushInput("x");
    w(IER, 0x08); // modem status only: nothing to report
    expect(r(IIR)).toBe(0x01);
    expect(irq.level).toBe(false);
    w(IER, 0x09);
    expect(r(IIR)).toBe(0x04);
  });
});

describe("Ns16550a loopback and modem status", () => {
  it("loops MCR outputs to MSR inputs (RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD)", () => {
    const { r, w } = makeUart();
    w(MCR, 0x10);
    r(MSR);
    w(MCR, 0x1f);
    expect(r(MSR)).toBe(0xf0 | 0x0b); // all lines up; RI rising sets no delta
    w(MCR, 0x10 | 0x02); // RTS only
    expect(r(MSR)).toBe(0x10 | 0x04 | 0x02 | 0x08); // CTS; TERI (RI fell), DDSR, DDCD
    expect(r(MSR)).toBe(0x10);
  });

  it("overwrites the holding register on overrun when FIFOs are off", () => {
    const { r, w } = makeUart();
    w(MCR, 0x10);
    w(THR, 0x61);
    w(THR, 0x62);
    expect(r(LSR)).toBe(0x63);
    expect(r(RBR)).toBe(0x62);
  });

  it("holds host input back while looping and delivers it afterwards", () => {
    const { uart, r, w } = makeUart();
    w(MCR, 0x10);
    uart.pushInput("z");
    expect(r(LSR) & 1).toBe(0);
    w(MCR, 0x00);
    expect(r(RBR)).toBe(0x7a);
  });

  it("latches host modem-line changes and interrupts when EDSSI is set", () => {
    const { uart, r, w, irq } = makeUart();
    w(IER, 0x08);
    uart.setModemInputs({ cts: false });
    expect(irq.level).toBe(true);
    expect(r(IIR)).toBe(0x00);
    expect(r(MSR)).toBe(0xa1); // DCD | DSR, DCTS
    expect(irq.level).toBe(false);
    uart.setModemInputs({ ri: true });
    expect(r(MSR)).toBe(0xe0); // a rising RI sets no delta
    uart.setModemInputs({ ri: false });
    expect(r(MSR)).toBe(0xa4); // TERI
  });
});

describe("Ns16550a reset()", () => {
  it("returns registers to power-on values and drops the interrupt", () => {
    const { uart, r, w, irq } = makeUart();
    w(LCR, 0x83);
    w(DLL, 1);
    w(LCR, 0x03);
    w(FCR, 0xc1);
    w(IER, 0x0f);
    w(SCR, 0x77);
    expect(irq.level).toBe(true);
    uart.reset();
    expect(irq.level).toBe(false);
    expect([r(IER), r(IIR), r(LCR), r(MCR), r(LSR), r(MSR), r(SCR)]).toEqual([
      0, 0x01, 0, 0, 0x60, 0xb0, 0,
    ]);
    expect(uart.divisor).toBe(0);
  });
});

describe("Ns16550a snapshot", () => {
  it("keeps registers, the receive FIFO and input still on the wire", () => {
    const a = new Ns16550a({ base: 0x1000_0000 });
    const at = (r: number) => (0x1000_0000 + r) as GuestPhysAddr;
    a.handleWrite(at(3), AccessWidth.Byte, 0x83n); // DLAB
    a.handleWrite(at(0), AccessWidth.Byte, 0x0cn);
    a.handleWrite(at(3), AccessWidth.Byte, 0x03n);
    a.handleWrite(at(2), AccessWidth.Byte, 0x01n); // FIFO on
    a.handleWrite(at(1), AccessWidth.Byte, 0x01n); // RDA interrupt
    a.pushInput("x".repeat(20));
    a.handleRead(at(0), AccessWidth.Byte);
    const saved = a.saveState();
    const b = new Ns16550a({ base: 0x1000_0000 });
    b.loadState(saved);
    expect(b.saveState()).toEqual(saved);
    expect(b.divisor).toBe(12);
    expect(b.pendingInput).toBe(19);
    expect(b.irqPending).toBe(true);
    let got = "";
    while (Number(b.handleRead(at(5), AccessWidth.Byte)) & 1) {
      got += String.fromCharCode(Number(b.handleRead(at(0), AccessWidth.Byte)));
    }
    expect(got).toBe("x".repeat(19));
  });
});

describe("Ns16550a lineStatus (LSR without reading it)", () => {
  it("is what an LSR read returns, and null while that read would clear line errors", () => {
    const { uart, r, w } = makeUart({ regShift: 2 });
    expect(uart.lineStatusAddress).toBe(BASE + (5 << 2));
    expect(uart.lineStatus).toBe(0x60);
    uart.pushInput("a");
    expect(uart.lineStatus).toBe(0x61);
    expect(r(LSR)).toBe(0x61);
    w(FCR, 0x01);
    w(MCR, 0x10);
    for (let i = 0; i < 17; i++) w(THR, i); // loopback overrun
    expect(uart.lineStatus).toBeNull();
    expect(r(LSR)).toBe(0x63); // the read clears OE
    expect(uart.lineStatus).toBe(0x61);
    expect(r(LSR)).toBe(0x61);
  });
});
