import {
  type BaseMmioDeviceOps,
  EmulatedDeviceType,
  type SavedRecord,
  StateReader,
} from "@axvisor/axdevice-base";
import {
  type AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";

export const IOAPIC_BASE = 0xfec0_0000;
export const IOAPIC_SIZE = 0x1000;
export const IOAPIC_PINS = 24;
/** The version QEMU's q35 IOAPIC reports (0x20: with the EOI register at 0x40). */
export const IOAPIC_VERSION = 0x20;

const IOREGSEL = 0x00;
const IOWIN = 0x10;
const IOEOI = 0x40;

const RTE_MASKED = 1 << 16;
const RTE_LEVEL = 1 << 15;
const RTE_REMOTE_IRR = 1 << 14;
const RTE_DELIVERY_STATUS = 1 << 12;
/** Bits software may write in the low word (delivery status and remote IRR are read-only). */
const RTE_LOW_WRITABLE = 0x1afff;

/** APIC delivery modes (redirection entries, MSI, ICR). */
export const DeliveryMode = {
  fixed: 0,
  lowestPriority: 1,
  smi: 2,
  nmi: 4,
  init: 5,
  startup: 6,
  extInt: 7,
} as const;

/** An interrupt message on the APIC bus. */
export interface InterruptMessage {
  readonly vector: number;
  readonly deliveryMode: number;
  /** Logical destination (true) or physical APIC id (false). */
  readonly logical: boolean;
  /** Destination APIC id or logical mask (8 bits in xAPIC, 32 in x2APIC). */
  readonly dest: number;
  /** Level-triggered: the receiving LAPIC sets TMR and broadcasts EOI. */
  readonly level: boolean;
}

export interface IoApicOptions {
  readonly base?: number;
  /** The APIC bus: the board hands the message to the local APICs it addresses. */
  readonly deliver: (msg: InterruptMessage) => void;
  /** IOAPIC id (register 0 bits 27:24), default 0 as on QEMU. */
  readonly id?: number;
}

/**
 * The I/O APIC at 0xFEC0_0000 (IOREGSEL at 0x00, IOWIN at 0x10, EOI at 0x40): 24 input
 * pins, each routed by a 64-bit redirection entry to a vector on one or more local APICs.
 *
 * Edge pins deliver once per rising edge. Level pins deliver while the input is high, then
 * hold remote IRR until a local APIC's EOI for that vector comes back (`eoi(vector)`, the
 * EOI broadcast), after which a still-high pin delivers again. As on QEMU, the polarity bit
 * is stored but inputs are taken as already active-high.
 */
export class IoApic implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #deliver: (msg: InterruptMessage) => void;
  readonly #resetId: number;
  readonly rteLow = new Uint32Array(IOAPIC_PINS);
  readonly rteHigh = new Uint32Array(IOAPIC_PINS);
  id = 0;
  #select = 0;
  /** Pins whose request waits for delivery (edge seen, or level high). */
  #irr = 0;
  /** Current input levels. */
  #levels = 0;

  constructor(options: IoApicOptions) {
    this.#range = rangeFromSize((options.base ?? IOAPIC_BASE) as GuestPhysAddr, IOAPIC_SIZE);
    this.#deliver = options.deliver;
    this.#resetId = options.id ?? 0;
    this.reset();
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.InterruptController;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  reset(): void {
    this.rteLow.fill(RTE_MASKED);
    this.rteHigh.fill(0);
    this.id = this.#resetId;
    this.#select = 0;
    this.#irr = 0;
    this.#levels = 0;
  }

  /** Drives input pin `pin`. */
  setIrq(pin: number, level: boolean): void {
    if (pin < 0 || pin >= IOAPIC_PINS) return;
    const bit = 1 << pin;
    const was = (this.#levels & bit) !== 0;
    if (level) this.#levels |= bit;
    else this.#levels &= ~bit;
    const lvl = (this.rteLow[pin]! & RTE_LEVEL) !== 0;
    if (lvl) {
      if (level) this.#irr |= bit;
      else this.#irr &= ~bit;
    } else if (level && !was) {
      this.#irr |= bit;
    }
    if (level) this.#service(pin);
  }

  #service(pin: number): void {
    const bit = 1 << pin;
    if ((this.#irr & bit) === 0) return;
    const low = this.rteLow[pin]!;
    if (low & RTE_MASKED) return;
    const level = (low & RTE_LEVEL) !== 0;
    if (level && low & RTE_REMOTE_IRR) return;
    const mode = (low >> 8) & 7;
    if (level) this.rteLow[pin] = low | RTE_REMOTE_IRR;
    else this.#irr &= ~bit;
    this.#deliver({
      vector: low & 0xff,
      deliveryMode: mode,
      logical: (low & (1 << 11)) !== 0,
      dest: this.rteHigh[pin]! >>> 24,
      // Only fixed and lowest-priority interrupts take part in the EOI protocol.
      level: level && (mode === DeliveryMode.fixed || mode === DeliveryMode.lowestPriority),
    });
  }

  /** The EOI broadcast of a local APIC for a level-triggered `vector`. */
  eoi(vector: number): void {
    for (let pin = 0; pin < IOAPIC_PINS; pin++) {
      const low = this.rteLow[pin]!;
      if ((low & 0xff) !== vector || (low & RTE_REMOTE_IRR) === 0) continue;
      this.rteLow[pin] = low & ~RTE_REMOTE_IRR;
      this.#service(pin);
    }
  }

  /** The redirection entry of `pin` as one 64-bit value split in halves. */
  entry(pin: number): { readonly low: number; readonly high: number } {
    return { low: this.rteLow[pin]!, high: this.rteHigh[pin]! };
  }

  #readRegister(index: number): number {
    if (index === 0x00) return (this.id & 0xf) << 24;
    if (index === 0x01) return ((IOAPIC_PINS - 1) << 16) | IOAPIC_VERSION;
    if (index === 0x02) return (this.id & 0xf) << 24;
    if (index >= 0x10 && index < 0x10 + 2 * IOAPIC_PINS) {
      const pin = (index - 0x10) >> 1;
      return index & 1 ? this.rteHigh[pin]! : this.rteLow[pin]! & ~RTE_DELIVERY_STATUS;
    }
    return 0;
  }

  #writeRegister(index: number, v: number): void {
    if (index === 0x00) {
      this.id = (v >>> 24) & 0xf;
      return;
    }
    if (index < 0x10 || index >= 0x10 + 2 * IOAPIC_PINS) return;
    const pin = (index - 0x10) >> 1;
    if (index & 1) {
      this.rteHigh[pin] = v & 0xff00_0000;
      return;
    }
    const old = this.rteLow[pin]!;
    let low = (old & ~RTE_LOW_WRITABLE) | (v & RTE_LOW_WRITABLE);
    // An edge-triggered entry has no remote IRR.
    if ((low & RTE_LEVEL) === 0) low &= ~RTE_REMOTE_IRR;
    this.rteLow[pin] = low >>> 0;
    const bit = 1 << pin;
    // A level pin that is high (again) requests as soon as its entry allows.
    if (low & RTE_LEVEL && this.#levels & bit) this.#irr |= bit;
    this.#service(pin);
  }

  handleRead(addr: GuestPhysAddr, _width: AccessWidth): bigint {
    const off = (addr as number) - (this.#range.start as number);
    if (off === IOREGSEL) return BigInt(this.#select);
    if (off === IOWIN) return BigInt(this.#readRegister(this.#select) >>> 0);
    return 0n;
  }

  handleWrite(addr: GuestPhysAddr, _width: AccessWidth, value: bigint): void {
    const off = (addr as number) - (this.#range.start as number);
    const v = Number(value & 0xffff_ffffn);
    if (off === IOREGSEL) this.#select = v & 0xff;
    else if (off === IOWIN) this.#writeRegister(this.#select, v);
    else if (off === IOEOI) this.eoi(v & 0xff);
  }

  /** Redirection table, id, selector and the pins' requests and input levels (remote IRR is in the RTEs). */
  saveState(): SavedRecord {
    return {
      rteLow: [...this.rteLow],
      rteHigh: [...this.rteHigh],
      id: this.id,
      select: this.#select,
      irr: this.#irr,
      levels: this.#levels,
    };
  }

  loadState(state: SavedRecord): void {
    const r = new StateReader(state, "IOAPIC");
    const low = r.ints("rteLow", IOAPIC_PINS);
    const high = r.ints("rteHigh", IOAPIC_PINS);
    const id = r.int("id", 0, 0xff);
    const select = r.int("select", 0, 0xff);
    const irr = r.int("irr", 0, 0xff_ffff);
    const levels = r.int("levels", 0, 0xff_ffff);
    this.rteLow.set(low);
    this.rteHigh.set(high);
    this.id = id;
    this.#select = select;
    this.#irr = irr;
    this.#levels = levels;
  }
}
