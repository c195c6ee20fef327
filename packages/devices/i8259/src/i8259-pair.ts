import {
  type BasePortDeviceOps,
  EmulatedDeviceType,
  type SavedRecord,
  StateReader,
} from "@axvisor/axdevice-base";
import { type AccessWidth, type Port, type PortRange, portRange } from "@axvisor/memory-addr";
import { I8259Chip } from "./i8259-chip.js";

/** The PC's ports: master 0x20-0x21, slave 0xA0-0xA1, ELCR 0x4D0-0x4D1. */
export const PIC_MASTER_PORT = 0x20;
export const PIC_SLAVE_PORT = 0xa0;
export const PIC_ELCR_PORT = 0x4d0;
/** The master's input the slave's INT drives. */
export const PIC_CASCADE_INPUT = 2;
/** ELCR bits that exist: IRQ0-2 and IRQ8/IRQ13 are always edge-triggered on the PIIX/ICH. */
const ELCR_MASK_MASTER = 0xf8;
const ELCR_MASK_SLAVE = 0xde;

/** One port window of the pair, as AxVisor's `BasePortDeviceOps`. */
class PicPorts implements BasePortDeviceOps {
  readonly #range: PortRange;
  readonly #read: (offset: number) => number;
  readonly #write: (offset: number, v: number) => void;

  constructor(
    base: number,
    read: (offset: number) => number,
    write: (offset: number, v: number) => void,
  ) {
    this.#range = portRange(base, base + 1);
    this.#read = read;
    this.#write = write;
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.InterruptController;
  }

  addressRange(): PortRange {
    return this.#range;
  }

  handleRead(addr: Port, _width: AccessWidth): bigint {
    return BigInt(this.#read(addr - this.#range.start));
  }

  handleWrite(addr: Port, _width: AccessWidth, value: bigint): void {
    this.#write(addr - this.#range.start, Number(value & 0xffn));
  }
}

/**
 * The PC's cascaded 8259A pair: ISA IRQ0-7 on the master, IRQ8-15 on the slave, whose
 * output is the master's input 2. The master's output is the CPU's INTR (through the LAPIC's
 * LINT0 in virtual-wire mode); the CPU's INTA cycle is `acknowledge()`.
 */
export class I8259Pair {
  readonly master: I8259Chip;
  readonly slave: I8259Chip;
  /** Port windows to map on the board's I/O bus. */
  readonly masterPorts: BasePortDeviceOps;
  readonly slavePorts: BasePortDeviceOps;
  readonly elcrPorts: BasePortDeviceOps;
  /** Interrupts acknowledged with no request behind them (spurious IRQ7/IRQ15). */
  spurious = 0;

  constructor(options: { readonly output?: (level: boolean) => void } = {}) {
    const out = options.output ?? (() => {});
    this.master = new I8259Chip({
      output: out,
      elcrMask: ELCR_MASK_MASTER,
      cascadeMask: 1 << PIC_CASCADE_INPUT,
    });
    this.slave = new I8259Chip({
      output: (level) => this.master.setInput(PIC_CASCADE_INPUT, level),
      elcrMask: ELCR_MASK_SLAVE,
    });
    this.masterPorts = new PicPorts(
      PIC_MASTER_PORT,
      (o) => (o === 0 ? this.master.readCommand() : this.master.readData()),
      (o, v) => (o === 0 ? this.master.writeCommand(v) : this.master.writeData(v)),
    );
    this.slavePorts = new PicPorts(
      PIC_SLAVE_PORT,
      (o) => this.#slaveRead(o),
      (o, v) => (o === 0 ? this.slave.writeCommand(v) : this.slave.writeData(v)),
    );
    this.elcrPorts = new PicPorts(
      PIC_ELCR_PORT,
      (o) => (o === 0 ? this.master.elcr : this.slave.elcr),
      (o, v) => (o === 0 ? this.master.writeElcr(v) : this.slave.writeElcr(v)),
    );
  }

  #slaveRead(o: number): number {
    if (this.slave.pollPending) {
      // A poll of the slave is also an INTA for the master's cascade input.
      const r = this.slave.poll();
      if (r !== 0) this.#clearCascadeEdge();
      return r;
    }
    return o === 0 ? this.slave.readCommand() : this.slave.readData();
  }

  #clearCascadeEdge(): void {
    // The master's IRQ2 is an edge input: re-sampled from the slave's current output.
    this.master.setInput(PIC_CASCADE_INPUT, false);
    this.master.setInput(PIC_CASCADE_INPUT, this.slave.outputLevel);
  }

  /** Drives ISA IRQ line `irq` (0..15). IRQ2 is the cascade and is not wired externally. */
  setIrq(irq: number, level: boolean): void {
    if (irq < 8) this.master.setInput(irq, level);
    else if (irq < 16) this.slave.setInput(irq - 8, level);
  }

  /** The INTR line to the CPU. */
  hasInterrupt(): boolean {
    return this.master.outputLevel;
  }

  /** The CPU's interrupt acknowledge: the vector of the highest-priority request. */
  acknowledge(): number {
    const n = this.master.acknowledge();
    if (n < 0) {
      this.spurious++;
      return this.master.vectorBase + 7;
    }
    if (n !== PIC_CASCADE_INPUT) return this.master.vectorBase + n;
    const m = this.slave.acknowledge();
    this.#clearCascadeEdge();
    if (m < 0) {
      this.spurious++;
      return this.slave.vectorBase + 7;
    }
    return this.slave.vectorBase + m;
  }

  reset(): void {
    this.master.reset();
    this.slave.reset();
    this.spurious = 0;
  }

  /** Both chips and the spurious-interrupt count. */
  saveState(): SavedRecord {
    return {
      master: this.master.saveState(),
      slave: this.slave.saveState(),
      spurious: this.spurious,
    };
  }

  loadState(state: SavedRecord): void {
    const r = new StateReader(state, "8259 pair");
    const master = r.nested("master");
    const slave = r.nested("slave");
    const spurious = r.int("spurious", 0, Number.MAX_SAFE_INTEGER);
    this.master.loadState(master, "8259 master");
    this.slave.loadState(slave, "8259 slave");
    this.spurious = spurious;
  }
}
