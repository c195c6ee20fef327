import {
  type BasePortDeviceOps,
  EmulatedDeviceType,
  type IrqLine,
  NO_IRQ,
} from "@axvisor/axdevice-base";
import { type AccessWidth, type Port, type PortRange, portRange } from "@axvisor/memory-addr";

export const CMOS_PORT = 0x70;

/** CMOS register indices. */
export const RTC = {
  seconds: 0x00,
  secondsAlarm: 0x01,
  minutes: 0x02,
  minutesAlarm: 0x03,
  hours: 0x04,
  hoursAlarm: 0x05,
  dayOfWeek: 0x06,
  dayOfMonth: 0x07,
  month: 0x08,
  year: 0x09,
  regA: 0x0a,
  regB: 0x0b,
  regC: 0x0c,
  regD: 0x0d,
  century: 0x32,
} as const;

const A_UIP = 0x80;
const B_SET = 0x80;
const B_PIE = 0x40;
const B_AIE = 0x20;
const B_UIE = 0x10;
const B_BINARY = 0x04;
const B_24H = 0x02;
const C_IRQF = 0x80;
const C_PF = 0x40;
const C_AF = 0x20;
const C_UF = 0x10;
const D_VRT = 0x80;
/** The update-in-progress window before each second boundary (tBUC = 244 µs). */
const UIP_MS = 0.244;

export interface CmosRtcOptions {
  /** The board clock: time passes on the RTC as it does on this clock. */
  readonly time: { now(): number };
  /** Ticks per second of `time`. */
  readonly timeHz: number;
  /** Wall-clock time (ms since the Unix epoch, UTC) at board tick 0; default: the host's now. */
  readonly startTimeMs?: number;
  /** ISA IRQ8. */
  readonly irq?: IrqLine;
  /** Called when the guest changes the NMI mask (port 0x70 bit 7). */
  readonly onNmiMask?: (masked: boolean) => void;
}

/** The RAM sizes firmware reads from CMOS, as QEMU's pc board stores them. */
export interface CmosMemorySizes {
  /** RAM below 4 GiB, bytes. */
  readonly below4g: number;
  /** RAM above 4 GiB, bytes. */
  readonly above4g: number;
  readonly cpus: number;
}

const bcd = (v: number) => ((Math.floor(v / 10) % 10) << 4) | (v % 10);
const unbcd = (v: number) => (v >> 4) * 10 + (v & 0xf);

/**
 * The MC146818-compatible CMOS RTC of the PC at ports 0x70 (index, bit 7 masks NMI) and
 * 0x71 (data): 128 bytes of CMOS, the clock in BCD or binary and 12 or 24 hours, status
 * registers A-D, the update-in-progress flag, and periodic, alarm and update-ended
 * interrupts on IRQ8.
 *
 * The clock is `startTimeMs` plus the board clock's elapsed time plus whatever offset guest
 * writes introduce, so a deterministic board clock gives a deterministic RTC.
 */
export class CmosRtc implements BasePortDeviceOps {
  readonly cmos = new Uint8Array(128);
  readonly #time: { now(): number };
  readonly #msPerTick: number;
  readonly #start: number;
  readonly #irq: IrqLine;
  readonly #onNmiMask: (masked: boolean) => void;
  readonly #range = portRange(CMOS_PORT, CMOS_PORT + 1);
  #index = 0;
  nmiMasked = false;
  /** Guest-set time minus the free-running time, ms. */
  #offsetMs = 0;
  /** While SET is on: the time the guest is composing (ms); the clock does not advance. */
  #frozenMs: number | undefined;
  /** Last second and periodic-interrupt period that `update()` accounted for. */
  #lastSecond = 0;
  #lastPeriod = 0;

  constructor(options: CmosRtcOptions) {
    this.#time = options.time;
    this.#msPerTick = 1000 / options.timeHz;
    this.#start = options.startTimeMs ?? Date.now();
    this.#irq = options.irq ?? NO_IRQ;
    this.#onNmiMask = options.onNmiMask ?? (() => {});
    this.reset();
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.Dummy;
  }

  addressRange(): PortRange {
    return this.#range;
  }

  reset(): void {
    const keep = this.cmos.slice(0x0e);
    this.cmos.fill(0);
    this.cmos.set(keep, 0x0e);
    this.cmos[RTC.regA] = 0x26; // 32.768 kHz time base, 1024 Hz periodic rate
    this.cmos[RTC.regB] = B_24H;
    this.cmos[RTC.regD] = D_VRT;
    this.#index = 0;
    this.nmiMasked = false;
    this.#offsetMs = 0;
    this.#frozenMs = undefined;
    const now = this.nowMs();
    this.#lastSecond = Math.floor(now / 1000);
    this.#lastPeriod = this.#periodIndex(now);
    this.#irq.setLevel(false);
    this.#storeCentury(now);
  }

  /** Stores the sizes as QEMU's pc_cmos_init does (0x15-0x18, 0x30-0x31, 0x34-0x35, 0x5B-0x5D, 0x5F). */
  setMemorySizes(m: CmosMemorySizes): void {
    const c = this.cmos;
    c[0x15] = 640 & 0xff;
    c[0x16] = 640 >> 8;
    const extKb = Math.min(65535, Math.max(0, Math.floor(m.below4g / 1024) - 1024));
    c[0x17] = c[0x30] = extKb & 0xff;
    c[0x18] = c[0x31] = extKb >> 8;
    const above16m =
      m.below4g > 16 << 20 ? Math.min(65535, Math.floor((m.below4g - (16 << 20)) / 65536)) : 0;
    c[0x34] = above16m & 0xff;
    c[0x35] = above16m >> 8;
    const high = Math.floor(m.above4g / 65536);
    c[0x5b] = high & 0xff;
    c[0x5c] = (high >> 8) & 0xff;
    c[0x5d] = (high >> 16) & 0xff;
    c[0x5f] = m.cpus - 1;
  }

  /** The RTC's current time, ms since the epoch. */
  nowMs(): number {
    if (this.#frozenMs !== undefined) return this.#frozenMs;
    return this.#start + this.#time.now() * this.#msPerTick + this.#offsetMs;
  }

  handleRead(addr: Port, _width: AccessWidth): bigint {
    if (addr === CMOS_PORT) return 0xffn;
    return BigInt(this.#readReg(this.#index));
  }

  handleWrite(addr: Port, _width: AccessWidth, value: bigint): void {
    const v = Number(value & 0xffn);
    if (addr === CMOS_PORT) {
      this.#index = v & 0x7f;
      const masked = (v & 0x80) !== 0;
      if (masked !== this.nmiMasked) {
        this.nmiMasked = masked;
        this.#onNmiMask(masked);
      }
      return;
    }
    this.#writeReg(this.#index, v);
  }

  #binary(): boolean {
    return (this.cmos[RTC.regB]! & B_BINARY) !== 0;
  }

  #enc(v: number): number {
    return this.#binary() ? v : bcd(v);
  }

  #dec(v: number): number {
    return this.#binary() ? v : unbcd(v);
  }

  #encHour(h: number): number {
    if (this.cmos[RTC.regB]! & B_24H) return this.#enc(h);
    const pm = h >= 12 ? 0x80 : 0;
    const h12 = h % 12 === 0 ? 12 : h % 12;
    return this.#enc(h12) | pm;
  }

  #decHour(v: number): number {
    if (this.cmos[RTC.regB]! & B_24H) return this.#dec(v);
    const h12 = this.#dec(v & 0x7f) % 12;
    return v & 0x80 ? h12 + 12 : h12;
  }

  #readReg(i: number): number {
    const now = this.nowMs();
    const d = new Date(now);
    switch (i) {
      case RTC.seconds:
        return this.#enc(d.getUTCSeconds());
      case RTC.minutes:
        return this.#enc(d.getUTCMinutes());
      case RTC.hours:
        return this.#encHour(d.getUTCHours());
      case RTC.dayOfWeek:
        return this.#enc(d.getUTCDay() + 1);
      case RTC.dayOfMonth:
        return this.#enc(d.getUTCDate());
      case RTC.month:
        return this.#enc(d.getUTCMonth() + 1);
      case RTC.year:
        return this.#enc(d.getUTCFullYear() % 100);
      case RTC.century:
        return this.#enc(Math.floor(d.getUTCFullYear() / 100));
      case RTC.regA: {
        const running = this.#frozenMs === undefined && (this.cmos[RTC.regA]! & 0x70) === 0x20;
        const intoSecond = ((now % 1000) + 1000) % 1000;
        const uip = running && intoSecond >= 1000 - UIP_MS ? A_UIP : 0;
        return (this.cmos[RTC.regA]! & 0x7f) | uip;
      }
      case RTC.regC: {
        this.update();
        const c = this.cmos[RTC.regC]!;
        this.cmos[RTC.regC] = 0;
        this.#irq.setLevel(false);
        return c;
      }
      default:
        return this.cmos[i]!;
    }
  }

  #writeReg(i: number, v: number): void {
    switch (i) {
      case RTC.seconds:
      case RTC.minutes:
      case RTC.hours:
      case RTC.dayOfWeek:
      case RTC.dayOfMonth:
      case RTC.month:
      case RTC.year:
      case RTC.century:
        this.#setField(i, v);
        return;
      case RTC.regA:
        this.cmos[RTC.regA] = v & 0x7f;
        this.#lastPeriod = this.#periodIndex(this.nowMs());
        return;
      case RTC.regB: {
        const old = this.cmos[RTC.regB]!;
        if (v & B_SET && !(old & B_SET)) this.#frozenMs = this.nowMs();
        if (!(v & B_SET) && old & B_SET && this.#frozenMs !== undefined) {
          const frozen = this.#frozenMs;
          this.#frozenMs = undefined;
          this.#offsetMs += frozen - this.nowMs();
          this.#lastSecond = Math.floor(frozen / 1000);
        }
        // Setting SET clears UIE, as the datasheet says.
        this.cmos[RTC.regB] = v & B_SET ? v & ~B_UIE : v;
        this.#lastPeriod = this.#periodIndex(this.nowMs());
        this.#updateIrq();
        return;
      }
      case RTC.regC:
      case RTC.regD:
        return; // read-only
      default:
        this.cmos[i] = v;
    }
  }

  /** A guest write to one time field: the time is recomposed and the clock moves there. */
  #setField(i: number, v: number): void {
    const now = this.nowMs();
    const d = new Date(now);
    let year = d.getUTCFullYear();
    let month = d.getUTCMonth();
    let day = d.getUTCDate();
    let hours = d.getUTCHours();
    let minutes = d.getUTCMinutes();
    let seconds = d.getUTCSeconds();
    switch (i) {
      case RTC.seconds:
        seconds = this.#dec(v);
        break;
      case RTC.minutes:
        minutes = this.#dec(v);
        break;
      case RTC.hours:
        hours = this.#decHour(v);
        break;
      case RTC.dayOfMonth:
        day = this.#dec(v);
        break;
      case RTC.month:
        month = this.#dec(v) - 1;
        break;
      case RTC.year:
        year = Math.floor(year / 100) * 100 + this.#dec(v);
        break;
      case RTC.century:
        year = this.#dec(v) * 100 + (year % 100);
        break;
      default:
        return; // the day of week follows from the date
    }
    const ms = Date.UTC(year, month, day, hours, minutes, seconds) + (((now % 1000) + 1000) % 1000);
    if (this.#frozenMs !== undefined) this.#frozenMs = ms;
    else this.#offsetMs += ms - now;
    this.#lastSecond = Math.floor(this.nowMs() / 1000);
  }

  #storeCentury(now: number): void {
    this.cmos[RTC.century] = bcd(Math.floor(new Date(now).getUTCFullYear() / 100));
  }

  /** Periodic interrupt period in ms (0: off), from register A's rate select. */
  #periodMs(): number {
    const rate = this.cmos[RTC.regA]! & 0xf;
    if (rate === 0) return 0;
    const shift = rate <= 2 ? rate + 7 : rate - 1;
    return (1000 * (1 << shift)) / 32768;
  }

  #periodIndex(now: number): number {
    const p = this.#periodMs();
    return p === 0 ? 0 : Math.floor(now / p);
  }

  #updateIrq(): void {
    const b = this.cmos[RTC.regB]!;
    let c = this.cmos[RTC.regC]! & (C_PF | C_AF | C_UF);
    if ((c & C_PF && b & B_PIE) || (c & C_AF && b & B_AIE) || (c & C_UF && b & B_UIE)) {
      c |= C_IRQF;
    }
    this.cmos[RTC.regC] = c;
    this.#irq.setLevel((c & C_IRQF) !== 0);
  }

  #alarmMatches(now: number): boolean {
    const d = new Date(now);
    const c = this.cmos;
    const match = (alarm: number, v: number) => (alarm & 0xc0) === 0xc0 || alarm === v;
    return (
      match(c[RTC.secondsAlarm]!, this.#enc(d.getUTCSeconds())) &&
      match(c[RTC.minutesAlarm]!, this.#enc(d.getUTCMinutes())) &&
      match(c[RTC.hoursAlarm]!, this.#encHour(d.getUTCHours()))
    );
  }

  /** Sets the flags for periods and seconds that passed; call at slice boundaries. */
  update(): void {
    if (this.#frozenMs !== undefined) return;
    const now = this.nowMs();
    let flags = 0;
    const period = this.#periodIndex(now);
    if (period !== this.#lastPeriod) {
      this.#lastPeriod = period;
      if (this.#periodMs() > 0) flags |= C_PF;
    }
    const second = Math.floor(now / 1000);
    if (second !== this.#lastSecond) {
      this.#lastSecond = second;
      flags |= C_UF;
      if (this.#alarmMatches(now)) flags |= C_AF;
    }
    if (flags === 0) return;
    this.cmos[RTC.regC] = this.cmos[RTC.regC]! | flags;
    this.#updateIrq();
  }

  /** Board tick of the next event that can raise IRQ8 (Infinity if none is enabled). */
  nextDeadline(): number {
    const b = this.cmos[RTC.regB]!;
    if (this.#frozenMs !== undefined) return Number.POSITIVE_INFINITY;
    const now = this.nowMs();
    let next = Number.POSITIVE_INFINITY;
    const p = this.#periodMs();
    if (b & B_PIE && p > 0) next = (this.#lastPeriod + 1) * p;
    if (b & (B_UIE | B_AIE)) next = Math.min(next, (this.#lastSecond + 1) * 1000);
    if (!Number.isFinite(next)) return next;
    return (next - (now - this.#time.now() * this.#msPerTick)) / this.#msPerTick;
  }
}
