import {
  type BasePortDeviceOps,
  EmulatedDeviceType,
  type IrqLine,
  NO_IRQ,
} from "@axvisor/axdevice-base";
import type { TimeSource } from "@axvisor/machine";
import { type AccessWidth, type Port, type PortRange, portRange } from "@axvisor/memory-addr";
import { PitCounter } from "./pit-counter.js";

/** The PIT's input clock on every PC. */
export const PIT_HZ = 1_193_182;
export const PIT_PORT = 0x40;
/** System control port B (speaker gate, refresh toggle, counter 2 output). */
export const PORT_B = 0x61;
/** The memory refresh request toggles every 15.085 µs; BIOSes and Linux's delays poll it. */
const REFRESH_NS = 15_085;

export interface I8254Options {
  /** The board clock. */
  readonly time: TimeSource;
  /** Ticks per second of `time`. */
  readonly timeHz: number;
  /** Counter 0's output: ISA IRQ0 (the PIC's input 0, the IOAPIC's pin 2). */
  readonly irq0?: IrqLine;
}

/**
 * The Intel 8254 programmable interval timer of the PC at ports 0x40-0x43: three counters
 * clocked at 1.193182 MHz. Counter 0 drives IRQ0, counter 1 is the (unused) refresh timer,
 * counter 2's gate and output are on port 0x61 (`port61`), where Linux's TSC calibration
 * reads them.
 *
 * IRQ0 is produced as edges: `update()` raises the line for every rising edge of OUT0 that
 * has happened since the last call (several missed periods coalesce into one, as an
 * edge-triggered PIC input would see them), and `nextDeadline()` tells an idle board when the
 * next edge falls due.
 */
export class I8254 implements BasePortDeviceOps {
  readonly counters: readonly [PitCounter, PitCounter, PitCounter];
  readonly port61: BasePortDeviceOps;
  readonly #time: TimeSource;
  readonly #ticksPerClock: number;
  readonly #irq0: IrqLine;
  readonly #range = portRange(PIT_PORT, PIT_PORT + 3);
  #speakerData = false;
  /** PIT clock of the next OUT0 rising edge (Infinity: none scheduled). */
  #nextEdge = Number.POSITIVE_INFINITY;

  constructor(options: I8254Options) {
    this.#time = options.time;
    this.#ticksPerClock = options.timeHz / PIT_HZ;
    this.#irq0 = options.irq0 ?? NO_IRQ;
    this.counters = [new PitCounter(true), new PitCounter(true), new PitCounter(false)];
    this.port61 = new PortB(this);
  }

  /** Now, in PIT input clocks. */
  clocks(): number {
    return this.#time.now() / this.#ticksPerClock;
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): PortRange {
    return this.#range;
  }

  reset(): void {
    for (const c of this.counters) c.reset();
    this.counters[2].gate = false;
    this.#speakerData = false;
    this.#nextEdge = Number.POSITIVE_INFINITY;
    this.#irq0.setLevel(false);
  }

  handleRead(addr: Port, _width: AccessWidth): bigint {
    const i = addr - PIT_PORT;
    if (i === 3) return 0xffn; // the control register is write-only
    return BigInt(this.counters[i as 0 | 1 | 2].read(this.clocks()));
  }

  handleWrite(addr: Port, _width: AccessWidth, value: bigint): void {
    const v = Number(value & 0xffn);
    const now = this.clocks();
    const i = addr - PIT_PORT;
    if (i < 3) {
      this.counters[i as 0 | 1 | 2].write(v, now);
      if (i === 0) this.#schedule(now);
      return;
    }
    const sc = v >> 6;
    if (sc === 3) {
      // Read-back: bit 5 clear latches counts, bit 4 clear latches status, bits 3:1 select.
      for (let c = 0; c < 3; c++) {
        if ((v & (2 << c)) === 0) continue;
        const counter = this.counters[c as 0 | 1 | 2];
        if ((v & 0x20) === 0) counter.latchCount(now);
        if ((v & 0x10) === 0) counter.latchStatus(now);
      }
      return;
    }
    const counter = this.counters[sc as 0 | 1 | 2];
    if ((v & 0x30) === 0) counter.latchCount(now);
    else {
      counter.control(v);
      if (sc === 0) {
        this.#schedule(now);
        // IRQ0 carries OUT0's rising edges only; a new mode starts from a low line.
        this.#irq0.setLevel(false);
      }
    }
  }

  #schedule(now: number): void {
    this.#nextEdge = this.counters[0].nextRisingEdge(now);
  }

  /** Delivers IRQ0 edges that fell due; call at slice boundaries. */
  update(): void {
    const now = this.clocks();
    if (now < this.#nextEdge) return;
    this.#irq0.setLevel(false);
    this.#irq0.setLevel(true);
    this.#schedule(now);
    // Periodic modes drop OUT again within the period; one-shot modes leave it high.
    if (Number.isFinite(this.#nextEdge)) this.#irq0.setLevel(false);
  }

  /** Board-clock tick of the next IRQ0 edge (Infinity if none). */
  nextDeadline(): number {
    return this.#nextEdge * this.#ticksPerClock;
  }

  /** Port 0x61 as read: gate 2, speaker data, refresh toggle, OUT2. */
  readPortB(): number {
    const c2 = this.counters[2];
    const ns = (this.#time.now() / this.#ticksPerClock / PIT_HZ) * 1e9;
    return (
      (c2.gate ? 1 : 0) |
      (this.#speakerData ? 2 : 0) |
      ((Math.floor(ns / REFRESH_NS) & 1) << 4) |
      (c2.out(this.clocks()) ? 0x20 : 0)
    );
  }

  writePortB(v: number): void {
    this.#speakerData = (v & 2) !== 0;
    this.counters[2].setGate((v & 1) !== 0, this.clocks());
  }
}

/** Port 0x61. */
class PortB implements BasePortDeviceOps {
  readonly #pit: I8254;
  readonly #range = portRange(PORT_B, PORT_B);

  constructor(pit: I8254) {
    this.#pit = pit;
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): PortRange {
    return this.#range;
  }

  handleRead(_addr: Port, _width: AccessWidth): bigint {
    return BigInt(this.#pit.readPortB());
  }

  handleWrite(_addr: Port, _width: AccessWidth, value: bigint): void {
    this.#pit.writePortB(Number(value & 0xffn));
  }
}
