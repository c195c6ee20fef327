import {
  type BaseMmioDeviceOps,
  EmulatedDeviceType,
  type IrqLine,
  NO_IRQ,
  type SavedRecord,
  StateReader,
} from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import {
  type AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";
import {
  CR_LBE,
  DR_OE,
  FIFO_DEPTH,
  FR_RXFE,
  FR_RXFF,
  FR_TXFE,
  INT_MASK,
  INT_OE,
  INT_RX,
  INT_TX,
  LCR_H_FEN,
  PL011_ID,
  Pl011Reg,
} from "./registers.js";

export interface Pl011Options {
  /** Physical base address (QEMU virt: 0x0900_0000). */
  readonly base: number;
  /** Size of the MMIO window (QEMU virt: 0x1000). */
  readonly size?: number;
  /** The combined interrupt output (QEMU virt: SPI 1). */
  readonly irq?: IrqLine;
  /** Receives every byte the guest transmits (outside loopback mode). */
  readonly onTransmit?: (byte: number) => void;
  /** Most bytes `pushInput` keeps waiting beyond the RX FIFO (default 1 MiB). */
  readonly maxQueuedInput?: number;
}

const DEFAULT_SIZE = 0x1000;
const DEFAULT_MAX_QUEUED_INPUT = 1 << 20;
const UTF8 = new TextEncoder();
/** QEMU 7.2 reports the RX interrupt as soon as one character is waiting, whatever IFLS says. */
const READ_TRIGGER = 1;

/**
 * An ARM PL011 UART with QEMU 7.2's observable behaviour.
 *
 * Transmission is instantaneous: a DR write reaches `onTransmit` at once, FR.TXFE stays set
 * and every write raises the TX interrupt (cleared through ICR). The RX interrupt rises when
 * a character arrives and falls when the guest drains the FIFO (or clears it through ICR).
 * Host input waits in a host-side queue and moves into the FIFO (16 entries with LCR_H.FEN,
 * one otherwise) as the guest makes room, so fast host input is never lost.
 * CR.LBE (loopback) feeds transmitted characters back into the receiver; a full receiver
 * then records an overrun (RSR.OE, interrupt OE).
 */
export class Pl011 implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #irq: IrqLine;
  readonly #onTransmit: (byte: number) => void;
  readonly #maxQueued: number;

  /** Host bytes not yet in the FIFO; #wireHead indexes the oldest. */
  #wire: number[] = [];
  #wireHead = 0;
  /** FIFO entries: the character in bits 7:0, its error flags in bits 11:8. */
  readonly #fifo = new Uint16Array(FIFO_DEPTH);
  #readPos = 0;
  #readCount = 0;

  #rsr = 0;
  #ilpr = 0;
  #ibrd = 0;
  #fbrd = 0;
  #lcr = 0;
  #cr = 0;
  #ifls = 0;
  #intEnabled = 0;
  #intLevel = 0;
  #dmacr = 0;
  #irqLevel = false;

  constructor(options: Pl011Options) {
    this.#range = rangeFromSize(options.base as GuestPhysAddr, options.size ?? DEFAULT_SIZE);
    this.#irq = options.irq ?? NO_IRQ;
    this.#onTransmit = options.onTransmit ?? (() => {});
    this.#maxQueued = options.maxQueuedInput ?? DEFAULT_MAX_QUEUED_INPUT;
    this.reset();
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Console;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  reset(): void {
    this.#readPos = 0;
    this.#readCount = 0;
    this.#rsr = 0;
    this.#ilpr = 0;
    this.#ibrd = 0;
    this.#fbrd = 0;
    this.#lcr = 0;
    this.#cr = 0x300; // TXE | RXE
    this.#ifls = 0x12; // both FIFO levels at 1/2
    this.#intEnabled = 0;
    this.#intLevel = 0;
    this.#dmacr = 0;
    this.#refill();
    this.#update();
  }

  // ---- host side ----

  /** Queues bytes for the guest (strings as UTF-8); returns how many were accepted. */
  pushInput(data: Uint8Array | readonly number[] | string): number {
    const bytes = typeof data === "string" ? UTF8.encode(data) : data;
    let accepted = 0;
    for (const b of bytes) {
      if (this.#wire.length - this.#wireHead >= this.#maxQueued) break;
      this.#wire.push(b & 0xff);
      accepted++;
    }
    this.#refill();
    this.#update();
    return accepted;
  }

  /** Bytes received but not yet read by the guest (FIFO plus host-side queue). */
  get pendingInput(): number {
    return this.#readCount + this.#wire.length - this.#wireHead;
  }

  /** Whether the interrupt output is asserted. */
  get irqPending(): boolean {
    return this.#irqLevel;
  }

  /** The programmed baud-rate divisor: IBRD + FBRD/64. */
  get baudDivisor(): number {
    return this.#ibrd + this.#fbrd / 64;
  }

  // ---- guest side ----

  handleRead(addr: GuestPhysAddr, _width: AccessWidth): bigint {
    return BigInt(this.#read(addr - this.#range.start));
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    // The bus masks the value to the access width: below 8 bytes it is a 32-bit number as is
    // (no bigint is made on the way, one per guest store).
    this.#write(addr - this.#range.start, width < 8 ? Number(value) : Number(value & 0xffff_ffffn));
  }

  #read(off: number): number {
    if (off >= Pl011Reg.ID_FIRST && off < 0x1000) {
      return (off & 3) === 0 ? PL011_ID[(off - Pl011Reg.ID_FIRST) >> 2]! : 0;
    }
    switch (off) {
      case Pl011Reg.DR:
        return this.#readData();
      case Pl011Reg.RSR:
        return this.#rsr;
      case Pl011Reg.FR:
        return this.#flags();
      case Pl011Reg.ILPR:
        return this.#ilpr;
      case Pl011Reg.IBRD:
        return this.#ibrd;
      case Pl011Reg.FBRD:
        return this.#fbrd;
      case Pl011Reg.LCR_H:
        return this.#lcr;
      case Pl011Reg.CR:
        return this.#cr;
      case Pl011Reg.IFLS:
        return this.#ifls;
      case Pl011Reg.IMSC:
        return this.#intEnabled;
      case Pl011Reg.RIS:
        return this.#intLevel;
      case Pl011Reg.MIS:
        return this.#intLevel & this.#intEnabled;
      case Pl011Reg.DMACR:
        return this.#dmacr;
      default:
        return 0;
    }
  }

  #write(off: number, value: number): void {
    switch (off) {
      case Pl011Reg.DR:
        this.#transmit(value & 0xff);
        break;
      case Pl011Reg.RSR:
        this.#rsr = 0; // any write clears the error flags (ECR)
        break;
      case Pl011Reg.ILPR:
        this.#ilpr = value & 0xff;
        break;
      case Pl011Reg.IBRD:
        this.#ibrd = value & 0xffff;
        break;
      case Pl011Reg.FBRD:
        this.#fbrd = value & 0x3f;
        break;
      case Pl011Reg.LCR_H:
        // Switching the FIFOs on or off empties the receiver.
        if ((this.#lcr ^ value) & LCR_H_FEN) {
          this.#readPos = 0;
          this.#readCount = 0;
        }
        this.#lcr = value & 0xff;
        this.#refill();
        break;
      case Pl011Reg.CR:
        this.#cr = value & 0xffff;
        this.#refill();
        break;
      case Pl011Reg.IFLS:
        this.#ifls = value & 0x3f;
        break;
      case Pl011Reg.IMSC:
        this.#intEnabled = value & INT_MASK;
        break;
      case Pl011Reg.ICR:
        this.#intLevel &= ~value;
        break;
      case Pl011Reg.DMACR:
        this.#dmacr = value & 7;
        break;
      default:
        return;
    }
    this.#update();
  }

  #depth(): number {
    return this.#lcr & LCR_H_FEN ? FIFO_DEPTH : 1;
  }

  #flags(): number {
    let f = FR_TXFE;
    if (this.#readCount === 0) f |= FR_RXFE;
    if (this.#readCount >= this.#depth()) f |= FR_RXFF;
    return f;
  }

  #readData(): number {
    if (this.#readCount === 0) return 0;
    const c = this.#fifo[this.#readPos]!;
    this.#readPos = (this.#readPos + 1) % FIFO_DEPTH;
    this.#readCount--;
    if (this.#readCount === READ_TRIGGER - 1) this.#intLevel &= ~INT_RX;
    this.#rsr = c >> 8;
    this.#refill();
    this.#update();
    return c;
  }

  #transmit(byte: number): void {
    if (this.#cr & CR_LBE) this.#receive(byte);
    else this.#onTransmit(byte);
    this.#intLevel |= INT_TX;
  }

  /** A character reaching the receiver from the loopback path. */
  #receive(byte: number): void {
    if (this.#readCount >= this.#depth()) {
      // The character is lost; the overrun flag goes with the last one in the FIFO.
      const last = (this.#readPos + this.#readCount - 1) % FIFO_DEPTH;
      this.#fifo[last] = this.#fifo[last]! | DR_OE;
      this.#intLevel |= INT_OE;
      return;
    }
    this.#put(byte);
  }

  #put(entry: number): void {
    this.#fifo[(this.#readPos + this.#readCount) % FIFO_DEPTH] = entry;
    this.#readCount++;
    if (this.#readCount === READ_TRIGGER) this.#intLevel |= INT_RX;
  }

  /** Moves host bytes into the FIFO while it has room (not in loopback mode). */
  #refill(): void {
    if (this.#cr & CR_LBE) return;
    const depth = this.#depth();
    while (this.#readCount < depth && this.#wireHead < this.#wire.length) {
      this.#put(this.#wire[this.#wireHead++]!);
    }
    if (this.#wireHead === this.#wire.length) {
      this.#wire = [];
      this.#wireHead = 0;
    } else if (this.#wireHead > 4096) {
      this.#wire = this.#wire.slice(this.#wireHead);
      this.#wireHead = 0;
    }
  }

  #update(): void {
    const level = (this.#intLevel & this.#intEnabled) !== 0;
    if (level === this.#irqLevel) return;
    this.#irqLevel = level;
    this.#irq.setLevel(level);
  }

  // ---- snapshot ----

  /**
   * The registers, the receive FIFO (oldest first, with each character's error flags) and the
   * host bytes still queued for it. The interrupt output's level is saved as the device sees
   * it; the interrupt controller restores its own copy of the line.
   */
  saveState(): SavedRecord {
    const fifo: number[] = [];
    for (let i = 0; i < this.#readCount; i++) {
      fifo.push(this.#fifo[(this.#readPos + i) % FIFO_DEPTH]!);
    }
    return {
      rsr: this.#rsr,
      ilpr: this.#ilpr,
      ibrd: this.#ibrd,
      fbrd: this.#fbrd,
      lcr: this.#lcr,
      cr: this.#cr,
      ifls: this.#ifls,
      intEnabled: this.#intEnabled,
      intLevel: this.#intLevel,
      dmacr: this.#dmacr,
      irqLevel: this.#irqLevel,
      fifo,
      wire: this.#wire.slice(this.#wireHead),
    };
  }

  /** Puts back what `saveState` returned; throws an AxError naming the field that does not fit. */
  loadState(state: SavedRecord): void {
    const r = new StateReader(state, "pl011");
    const fifo = r.ints("fifo", undefined, 0, 0xfff);
    if (fifo.length > FIFO_DEPTH) {
      throw axErr("InvalidData", `pl011: the saved receive FIFO holds ${fifo.length} entries`);
    }
    const wire = r.ints("wire", undefined, 0, 0xff);
    const regs = {
      rsr: r.int("rsr", 0, 0xf),
      ilpr: r.int("ilpr", 0, 0xff),
      ibrd: r.int("ibrd", 0, 0xffff),
      fbrd: r.int("fbrd", 0, 0x3f),
      lcr: r.int("lcr", 0, 0xff),
      cr: r.int("cr", 0, 0xffff),
      ifls: r.int("ifls", 0, 0x3f),
      intEnabled: r.int("intEnabled", 0, INT_MASK),
      intLevel: r.int("intLevel", 0, INT_MASK),
      dmacr: r.int("dmacr", 0, 0xffff),
    };
    const irqLevel = r.bool("irqLevel");
    this.#rsr = regs.rsr;
    this.#ilpr = regs.ilpr;
    this.#ibrd = regs.ibrd;
    this.#fbrd = regs.fbrd;
    this.#lcr = regs.lcr;
    this.#cr = regs.cr;
    this.#ifls = regs.ifls;
    this.#intEnabled = regs.intEnabled;
    this.#intLevel = regs.intLevel;
    this.#dmacr = regs.dmacr;
    this.#fifo.fill(0);
    this.#fifo.set(fifo);
    this.#readPos = 0;
    this.#readCount = fifo.length;
    this.#wire = [...wire];
    this.#wireHead = 0;
    this.#irqLevel = irqLevel;
  }
}
