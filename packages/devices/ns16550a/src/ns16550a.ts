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
import { ByteQueue } from "./byte-queue.js";
import {
  FCR_CLEAR_RX,
  FCR_ENABLE,
  FCR_TRIGGER_SHIFT,
  FIFO_SIZE,
  IER_MASK,
  IER_MS,
  IER_RDA,
  IER_RLS,
  IER_THRE,
  IIR_CTI,
  IIR_FIFOS_ENABLED,
  IIR_MS,
  IIR_NO_INT,
  IIR_RDA,
  IIR_RLS,
  IIR_THRE,
  LCR_DLAB,
  LSR_DR,
  LSR_ERRORS,
  LSR_OE,
  LSR_TEMT,
  LSR_THRE,
  MCR_DTR,
  MCR_LOOP,
  MCR_MASK,
  MCR_OUT1,
  MCR_OUT2,
  MCR_RTS,
  MSR_CTS,
  MSR_DCD,
  MSR_DCTS,
  MSR_DDCD,
  MSR_DDSR,
  MSR_DELTAS,
  MSR_DSR,
  MSR_RI,
  MSR_TERI,
  Reg,
  RX_TRIGGER_LEVELS,
} from "./registers.js";

export interface Ns16550aOptions {
  /** Physical base address (QEMU virt: 0x1000_0000). */
  readonly base: number;
  /** Size of the MMIO window (QEMU virt: 0x100). Defaults to 0x100. */
  readonly size?: number;
  /** log2 of the distance between registers (device-tree `reg-shift`; QEMU virt: 0). */
  readonly regShift?: number;
  /** The interrupt output (QEMU virt: PLIC source 10). */
  readonly irq?: IrqLine;
  /** Receives every byte the guest transmits (outside loopback mode). */
  readonly onTransmit?: (byte: number) => void;
  /**
   * Most bytes `pushInput` keeps waiting for the guest beyond the RX FIFO. Further bytes are
   * refused (pushInput reports how many it took). Default 1 MiB.
   */
  readonly maxQueuedInput?: number;
}

/** The modem-status inputs (what the other end of the cable drives). */
export interface ModemInputs {
  readonly cts?: boolean;
  readonly dsr?: boolean;
  readonly ri?: boolean;
  readonly dcd?: boolean;
}

const DEFAULT_SIZE = 0x100;
const DEFAULT_MAX_QUEUED_INPUT = 1 << 20;
const UTF8 = new TextEncoder();

/**
 * An NS16550A UART.
 *
 * Transmission is instantaneous: a byte written to THR reaches `onTransmit` at once, so THR
 * and the transmitter are always empty again by the time the guest looks (LSR.THRE and
 * LSR.TEMT read as 1) and every THR write re-arms the THRE interrupt.
 *
 * Reception: bytes from the host wait in an unbounded-ish host-side queue ("the wire") and
 * move into the 16-byte RX FIFO (1-byte holding register when FIFOs are off) whenever it has
 * room, so a host typing faster than the guest reads never causes an overrun. Overruns only
 * happen in loopback mode, where the guest itself feeds the receiver.
 *
 * The character-timeout interrupt has no clock: it is pending whenever the FIFO holds data
 * below the trigger level, i.e. as if four character times had already passed. Guests that
 * program a trigger level above 1 (Linux uses 8) still see every character promptly.
 *
 * As on QEMU, MCR.OUT2 does not gate the interrupt output.
 */
export class Ns16550a implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #shift: number;
  readonly #irq: IrqLine;
  readonly #onTransmit: (byte: number) => void;
  readonly #maxQueued: number;

  readonly #wire = new ByteQueue();
  readonly #rx = new Uint8Array(FIFO_SIZE);
  #rxHead = 0;
  #rxCount = 0;

  #ier = 0;
  #lcr = 0;
  #mcr = 0;
  #scr = 0;
  #dll = 0;
  #dlm = 0;
  #fifoEnabled = false;
  #rxTrigger = 1;
  #lsrErrors = 0;
  #thrInterrupt = false;
  /** MSR bits 7:4 as last evaluated, and the latched delta bits 3:0. */
  #msrStatus = 0;
  #msrDeltas = 0;
  #modemIn = MSR_CTS | MSR_DSR | MSR_DCD;
  #irqLevel = false;

  constructor(options: Ns16550aOptions) {
    const shift = options.regShift ?? 0;
    if (!Number.isInteger(shift) || shift < 0 || shift > 3) {
      throw new RangeError(`ns16550a: reg-shift must be 0..3, got ${shift}`);
    }
    const size = options.size ?? DEFAULT_SIZE;
    if (size < 8 << shift) {
      throw new RangeError(
        `ns16550a: window of 0x${size.toString(16)} bytes cannot hold 8 registers at reg-shift ${shift}`,
      );
    }
    this.#range = rangeFromSize(options.base as GuestPhysAddr, size);
    this.#shift = shift;
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
    this.#rxHead = 0;
    this.#rxCount = 0;
    this.#ier = 0;
    this.#lcr = 0;
    this.#mcr = 0;
    this.#scr = 0;
    this.#dll = 0;
    this.#dlm = 0;
    this.#fifoEnabled = false;
    this.#rxTrigger = 1;
    this.#lsrErrors = 0;
    this.#thrInterrupt = false;
    this.#msrStatus = this.#modemStatusLines();
    this.#msrDeltas = 0;
    this.#refill();
    this.#updateIrq();
  }

  // ---- host side ----

  /**
   * Queues bytes for the guest to receive. Strings are sent as UTF-8. Returns how many bytes
   * were accepted (fewer than given only when the host-side queue is full).
   */
  pushInput(data: Uint8Array | readonly number[] | string): number {
    const bytes = typeof data === "string" ? UTF8.encode(data) : data;
    let accepted = 0;
    for (const b of bytes) {
      if (this.#wire.length >= this.#maxQueued) {
        this.#refill();
        if (this.#wire.length >= this.#maxQueued) break;
      }
      this.#wire.push(b & 0xff);
      accepted++;
    }
    this.#refill();
    this.#updateIrq();
    return accepted;
  }

  /** Bytes received but not yet read by the guest (RX FIFO plus host-side queue). */
  get pendingInput(): number {
    return this.#rxCount + this.#wire.length;
  }

  /** Drives the modem-status inputs; changes set the MSR delta bits as the chip would. */
  setModemInputs(inputs: ModemInputs): void {
    const set = (bit: number, on: boolean | undefined) => {
      if (on === undefined) return;
      this.#modemIn = on ? this.#modemIn | bit : this.#modemIn & ~bit;
    };
    set(MSR_CTS, inputs.cts);
    set(MSR_DSR, inputs.dsr);
    set(MSR_RI, inputs.ri);
    set(MSR_DCD, inputs.dcd);
    this.#reevaluateModemStatus();
    this.#updateIrq();
  }

  /** The baud-rate divisor latch (DLM:DLL). */
  get divisor(): number {
    return (this.#dlm << 8) | this.#dll;
  }

  /** Guest-physical address of the line status register (LSR, register 5). */
  get lineStatusAddress(): number {
    return this.#range.start + (5 << this.#shift);
  }

  /**
   * LSR as a guest read would return it now, or null while that read would change the chip
   * (line errors are pending: reading LSR clears them). A VMM may answer LSR reads from
   * this value elsewhere (another thread) as long as nothing changed the chip since.
   */
  get lineStatus(): number | null {
    return this.#lsrErrors !== 0 ? null : this.#lsr();
  }

  /** Whether the interrupt output is asserted. */
  get irqPending(): boolean {
    return this.#irqLevel;
  }

  // ---- guest side ----

  /**
   * Registers, the receive FIFO and the bytes still on the wire, for a VM snapshot. The
   * interrupt line's level is part of it so a restore does not raise an edge the guest never
   * saw (the interrupt controller restores its own pending state).
   */
  saveState(): SavedRecord {
    const rx: number[] = [];
    for (let i = 0; i < this.#rxCount; i++) rx.push(this.#rx[(this.#rxHead + i) % FIFO_SIZE]!);
    return {
      ier: this.#ier,
      lcr: this.#lcr,
      mcr: this.#mcr,
      scr: this.#scr,
      dll: this.#dll,
      dlm: this.#dlm,
      fifoEnabled: this.#fifoEnabled,
      rxTrigger: this.#rxTrigger,
      lsrErrors: this.#lsrErrors,
      thrInterrupt: this.#thrInterrupt,
      msrStatus: this.#msrStatus,
      msrDeltas: this.#msrDeltas,
      modemIn: this.#modemIn,
      irqLevel: this.#irqLevel,
      rx,
      wire: this.#wire.toArray(),
    };
  }

  loadState(state: SavedRecord): void {
    const r = new StateReader(state, "ns16550a");
    const rx = r.ints("rx", undefined, 0, 0xff);
    if (rx.length > FIFO_SIZE) {
      throw axErr("InvalidData", `ns16550a: the saved receive FIFO holds ${rx.length} bytes`);
    }
    const wire = r.ints("wire", undefined, 0, 0xff);
    this.#ier = r.int("ier", 0, 0xff);
    this.#lcr = r.int("lcr", 0, 0xff);
    this.#mcr = r.int("mcr", 0, 0xff);
    this.#scr = r.int("scr", 0, 0xff);
    this.#dll = r.int("dll", 0, 0xff);
    this.#dlm = r.int("dlm", 0, 0xff);
    this.#fifoEnabled = r.bool("fifoEnabled");
    this.#rxTrigger = r.int("rxTrigger", 1, FIFO_SIZE);
    this.#lsrErrors = r.int("lsrErrors", 0, 0xff);
    this.#thrInterrupt = r.bool("thrInterrupt");
    this.#msrStatus = r.int("msrStatus", 0, 0xff);
    this.#msrDeltas = r.int("msrDeltas", 0, 0xff);
    this.#modemIn = r.int("modemIn", 0, 0xff);
    this.#irqLevel = r.bool("irqLevel");
    this.#rxHead = 0;
    this.#rxCount = rx.length;
    this.#rx.set(rx);
    this.#wire.clear();
    for (const b of wire) this.#wire.push(b);
  }

  handleRead(addr: GuestPhysAddr, _width: AccessWidth): bigint {
    const reg = this.#register(addr);
    return reg === null ? 0n : BigInt(this.#readRegister(reg));
  }

  handleWrite(addr: GuestPhysAddr, _width: AccessWidth, value: bigint): void {
    const reg = this.#register(addr);
    if (reg === null) return;
    // The bus hands most byte stores over already in range: masking makes a new bigint.
    this.#writeRegister(reg, Number(value >= 0n && value <= 0xffn ? value : value & 0xffn));
  }

  #register(addr: number): number | null {
    const offset = addr - this.#range.start;
    if ((offset & ((1 << this.#shift) - 1)) !== 0) return null;
    const reg = offset >> this.#shift;
    return reg < 8 ? reg : null;
  }

  #readRegister(reg: number): number {
    const dlab = (this.#lcr & LCR_DLAB) !== 0;
    switch (reg) {
      case Reg.Data:
        return dlab ? this.#dll : this.#readRbr();
      case Reg.Ier:
        return dlab ? this.#dlm : this.#ier;
      case Reg.IirFcr:
        return this.#readIir();
      case Reg.Lcr:
        return this.#lcr;
      case Reg.Mcr:
        return this.#mcr;
      case Reg.Lsr:
        return this.#readLsr();
      case Reg.Msr:
        return this.#readMsr();
      default:
        return this.#scr;
    }
  }

  #writeRegister(reg: number, value: number): void {
    const dlab = (this.#lcr & LCR_DLAB) !== 0;
    switch (reg) {
      case Reg.Data:
        if (dlab) this.#dll = value;
        else this.#writeThr(value);
        break;
      case Reg.Ier:
        if (dlab) this.#dlm = value;
        else this.#writeIer(value);
        break;
      case Reg.IirFcr:
        this.#writeFcr(value);
        break;
      case Reg.Lcr:
        this.#lcr = value;
        break;
      case Reg.Mcr:
        this.#writeMcr(value);
        break;
      case Reg.Lsr:
      case Reg.Msr:
        // Factory-test writes on the real chip; software never relies on them.
        break;
      default:
        this.#scr = value;
        break;
    }
    this.#updateIrq();
  }

  #readRbr(): number {
    if (this.#rxCount === 0) return 0;
    const byte = this.#rx[this.#rxHead]!;
    this.#rxHead = (this.#rxHead + 1) % FIFO_SIZE;
    this.#rxCount--;
    this.#refill();
    this.#updateIrq();
    return byte;
  }

  #readIir(): number {
    const id = this.#interruptId();
    // Reading IIR while it reports THRE is one of the two ways to clear that interrupt.
    if (id === IIR_THRE) {
      this.#thrInterrupt = false;
      this.#updateIrq();
    }
    return id | (this.#fifoEnabled ? IIR_FIFOS_ENABLED : 0);
  }

  #readLsr(): number {
    const value = this.#lsr();
    if (this.#lsrErrors !== 0) {
      this.#lsrErrors = 0;
      this.#updateIrq();
    }
    return value;
  }

  #readMsr(): number {
    const value = this.#msrStatus | this.#msrDeltas;
    if (this.#msrDeltas !== 0) {
      this.#msrDeltas = 0;
      this.#updateIrq();
    }
    return value;
  }

  #lsr(): number {
    // Transmission is instantaneous, so THR and the shift register are always empty.
    return (this.#rxCount > 0 ? LSR_DR : 0) | this.#lsrErrors | LSR_THRE | LSR_TEMT;
  }

  #writeThr(byte: number): void {
    if (this.#mcr & MCR_LOOP) this.#receive(byte);
    else this.#onTransmit(byte);
    // The byte has already left; THR is empty again and the THRE interrupt is re-armed.
    this.#thrInterrupt = true;
  }

  #writeIer(value: number): void {
    const before = this.#ier;
    this.#ier = value & IER_MASK;
    if (this.#ier & IER_THRE && !(before & IER_THRE)) {
      // Enabling ETBEI while THR is empty raises THRE at once (Linux probes this).
      this.#thrInterrupt = (this.#lsr() & LSR_THRE) !== 0;
    } else if (!(this.#ier & IER_THRE)) {
      this.#thrInterrupt = false;
    }
  }

  #writeFcr(value: number): void {
    const enable = (value & FCR_ENABLE) !== 0;
    // Changing the FIFO mode clears both FIFOs, as does the RX reset bit; the TX FIFO is
    // always empty here, so its reset bit has nothing to do.
    if (enable !== this.#fifoEnabled || value & FCR_CLEAR_RX) {
      this.#rxHead = 0;
      this.#rxCount = 0;
    }
    this.#fifoEnabled = enable;
    this.#rxTrigger = RX_TRIGGER_LEVELS[(value >> FCR_TRIGGER_SHIFT) & 3]!;
    this.#refill();
  }

  #writeMcr(value: number): void {
    const wasLoop = (this.#mcr & MCR_LOOP) !== 0;
    this.#mcr = value & MCR_MASK;
    this.#reevaluateModemStatus();
    // Leaving loopback reconnects the receiver to the host.
    if (wasLoop && !(this.#mcr & MCR_LOOP)) this.#refill();
  }

  /** The modem-status lines as the chip sees them: the host's inputs, or MCR in loopback. */
  #modemStatusLines(): number {
    if (!(this.#mcr & MCR_LOOP)) return this.#modemIn;
    const m = this.#mcr;
    return (
      (m & MCR_RTS ? MSR_CTS : 0) |
      (m & MCR_DTR ? MSR_DSR : 0) |
      (m & MCR_OUT1 ? MSR_RI : 0) |
      (m & MCR_OUT2 ? MSR_DCD : 0)
    );
  }

  #reevaluateModemStatus(): void {
    const next = this.#modemStatusLines();
    const changed = next ^ this.#msrStatus;
    if (changed & MSR_CTS) this.#msrDeltas |= MSR_DCTS;
    if (changed & MSR_DSR) this.#msrDeltas |= MSR_DDSR;
    if (changed & MSR_DCD) this.#msrDeltas |= MSR_DDCD;
    // TERI flags only the trailing edge of RI (ringing stopped).
    if (changed & MSR_RI && !(next & MSR_RI)) this.#msrDeltas |= MSR_TERI;
    this.#msrStatus = next;
  }

  #capacity(): number {
    return this.#fifoEnabled ? FIFO_SIZE : 1;
  }

  /** A character arriving at the receiver (from loopback); overruns if there is no room. */
  #receive(byte: number): void {
    if (this.#rxCount < this.#capacity()) {
      this.#rx[(this.#rxHead + this.#rxCount) % FIFO_SIZE] = byte;
      this.#rxCount++;
      return;
    }
    this.#lsrErrors |= LSR_OE;
    // Without FIFOs the new character replaces the unread one; with FIFOs it is lost.
    if (!this.#fifoEnabled) this.#rx[this.#rxHead] = byte;
  }

  /** Moves bytes from the host-side queue into the receiver while it has room. */
  #refill(): void {
    if (this.#mcr & MCR_LOOP) return;
    const capacity = this.#capacity();
    while (this.#rxCount < capacity && this.#wire.length > 0) {
      this.#rx[(this.#rxHead + this.#rxCount) % FIFO_SIZE] = this.#wire.shift()!;
      this.#rxCount++;
    }
  }

  #interruptId(): number {
    const ier = this.#ier;
    if (ier & IER_RLS && this.#lsrErrors & LSR_ERRORS) return IIR_RLS;
    if (ier & IER_RDA && this.#rxCount > 0) {
      if (!this.#fifoEnabled || this.#rxCount >= this.#rxTrigger) return IIR_RDA;
      return IIR_CTI;
    }
    if (ier & IER_THRE && this.#thrInterrupt) return IIR_THRE;
    if (ier & IER_MS && this.#msrDeltas & MSR_DELTAS) return IIR_MS;
    return IIR_NO_INT;
  }

  #updateIrq(): void {
    const level = this.#interruptId() !== IIR_NO_INT;
    if (level === this.#irqLevel) return;
    this.#irqLevel = level;
    this.#irq.setLevel(level);
  }
}
