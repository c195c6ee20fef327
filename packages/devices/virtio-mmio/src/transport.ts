import {
  type BaseMmioDeviceOps,
  EmulatedDeviceType,
  type IrqLine,
  NO_IRQ,
  type SavedRecord,
  StateReader,
  savedU64,
} from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import {
  AccessWidth,
  type AddrRange,
  type GuestPhysAddr,
  rangeFromSize,
} from "@axvisor/memory-addr";
import type { VirtioDeviceBackend, VirtioDeviceHost } from "./backend.js";
import {
  feature,
  INT_CONFIG_CHANGE,
  INT_USED_BUFFER,
  MmioReg,
  Status,
  VIRTIO_F_EVENT_IDX,
  VIRTIO_F_INDIRECT_DESC,
  VIRTIO_F_VERSION_1,
  VIRTIO_MMIO_MAGIC,
  VIRTIO_MMIO_VERSION,
  VIRTIO_VENDOR_QEMU,
  VirtioDeviceId,
} from "./constants.js";
import { DmaFault, type DmaMemory } from "./dma.js";
import { Virtqueue, VirtqueueError } from "./virtqueue.js";

export interface VirtioMmioOptions {
  /** Physical base address (QEMU virt: 0x1000_1000 + 0x1000*n). */
  readonly base: number;
  /** Size of the MMIO window (default 0x1000). */
  readonly size?: number;
  /** The interrupt output (QEMU virt: PLIC source 1 + n). */
  readonly irq?: IrqLine;
  /** Guest memory the virtqueues live in. */
  readonly memory: DmaMemory;
  readonly backend: VirtioDeviceBackend;
  /** Vendor id register (default QEMU's 0x554d4551). */
  readonly vendorId?: number;
  /** Offer VIRTIO_F_EVENT_IDX (default true). */
  readonly eventIdx?: boolean;
  /** Told why the device set DEVICE_NEEDS_RESET (a driver broke the virtqueue rules). */
  readonly onDeviceError?: (message: string) => void;
}

interface QueueState {
  num: number;
  ready: boolean;
  desc: [number, number];
  driver: [number, number];
  device: [number, number];
  vq: Virtqueue | null;
}

const newQueueState = (): QueueState => ({
  num: 0,
  ready: false,
  desc: [0, 0],
  driver: [0, 0],
  device: [0, 0],
  vq: null,
});

const LOW32 = 0xffff_ffffn;
const TWO_POW_32 = 0x1_0000_0000;

function emuTypeFor(deviceId: number): EmulatedDeviceType {
  switch (deviceId) {
    case VirtioDeviceId.Block:
      return EmulatedDeviceType.VirtioBlk;
    case VirtioDeviceId.Net:
      return EmulatedDeviceType.VirtioNet;
    case VirtioDeviceId.Console:
      return EmulatedDeviceType.VirtioConsole;
    default:
      return EmulatedDeviceType.Dummy;
  }
}

/**
 * The virtio-over-MMIO transport, version 2 (virtio 1.2 §4.2), device-agnostic: registers,
 * feature negotiation, status, queue setup and interrupts live here; what a queue's buffers
 * mean is the backend's business.
 *
 * A driver that breaks the queue rules (bad descriptor index, loop, ring outside memory) gets
 * DEVICE_NEEDS_RESET and a configuration-change interrupt, never a host exception.
 */
export class VirtioMmioTransport implements BaseMmioDeviceOps {
  readonly #range: AddrRange<GuestPhysAddr>;
  readonly #irq: IrqLine;
  readonly #memory: DmaMemory;
  readonly #backend: VirtioDeviceBackend;
  readonly #vendorId: number;
  readonly #deviceFeatures: bigint;
  readonly #onDeviceError: (message: string) => void;
  readonly #queues: QueueState[];
  readonly #busy: boolean[];
  readonly #again: boolean[];

  #deviceFeaturesSel = 0;
  #driverFeaturesSel = 0;
  #driverFeatures = 0n;
  #queueSel = 0;
  #interruptStatus = 0;
  #status = 0;
  #configGeneration = 0;
  #irqLevel = false;

  constructor(options: VirtioMmioOptions) {
    const backend = options.backend;
    const size = options.size ?? 0x1000;
    if (size < MmioReg.Config + backend.configSize) {
      throw new RangeError(
        `virtio-mmio: window of 0x${size.toString(16)} bytes cannot hold ${backend.configSize} bytes of config space`,
      );
    }
    for (const [i, max] of backend.queueMaxSizes.entries()) {
      if (!Number.isInteger(max) || max < 1 || max > 0x8000 || (max & (max - 1)) !== 0) {
        throw new RangeError(
          `virtio-mmio: queue ${i} maximum size ${max} is not a power of two up to 32768`,
        );
      }
    }
    this.#range = rangeFromSize(options.base as GuestPhysAddr, size);
    this.#irq = options.irq ?? NO_IRQ;
    this.#memory = options.memory;
    this.#backend = backend;
    this.#vendorId = options.vendorId ?? VIRTIO_VENDOR_QEMU;
    this.#deviceFeatures =
      backend.features |
      feature(VIRTIO_F_VERSION_1) |
      feature(VIRTIO_F_INDIRECT_DESC) |
      (options.eventIdx === false ? 0n : feature(VIRTIO_F_EVENT_IDX));
    this.#onDeviceError = options.onDeviceError ?? (() => {});
    this.#queues = backend.queueMaxSizes.map(newQueueState);
    this.#busy = backend.queueMaxSizes.map(() => false);
    this.#again = backend.queueMaxSizes.map(() => false);
    backend.attach(this.#host());
  }

  emuType(): EmulatedDeviceType {
    return emuTypeFor(this.#backend.deviceId);
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.#range;
  }

  get status(): number {
    return this.#status;
  }

  get interruptStatus(): number {
    return this.#interruptStatus;
  }

  /** Features offered to the driver (backend's plus the transport's). */
  get deviceFeatures(): bigint {
    return this.#deviceFeatures;
  }

  /** Features in effect: what the driver accepted, once FEATURES_OK is set. */
  negotiatedFeatures(): bigint {
    return this.#status & Status.FeaturesOk ? this.#driverFeatures : 0n;
  }

  /** Device reset, as a write of 0 to Status does. */
  reset(): void {
    this.#status = 0;
    this.#deviceFeaturesSel = 0;
    this.#driverFeaturesSel = 0;
    this.#driverFeatures = 0n;
    this.#queueSel = 0;
    this.#interruptStatus = 0;
    for (let i = 0; i < this.#queues.length; i++) this.#queues[i] = newQueueState();
    this.#backend.reset();
    this.#updateIrq();
  }

  /**
   * The transport registers, every queue's layout and ring positions, and the backend's own
   * state, for a VM snapshot. Taken between guest instructions: a queue notification runs its
   * requests to completion, so no request is half-done.
   */
  saveState(): SavedRecord {
    return {
      deviceId: this.#backend.deviceId,
      deviceFeaturesSel: this.#deviceFeaturesSel,
      driverFeaturesSel: this.#driverFeaturesSel,
      driverFeatures: savedU64(this.#driverFeatures),
      queueSel: this.#queueSel,
      interruptStatus: this.#interruptStatus,
      status: this.#status,
      configGeneration: this.#configGeneration,
      irqLevel: this.#irqLevel,
      queues: this.#queues.map((q) => ({
        num: q.num,
        ready: q.ready,
        desc: [...q.desc],
        driver: [...q.driver],
        device: [...q.device],
        lastAvail: q.vq?.lastAvailIndex ?? 0,
        used: q.vq?.usedIndex ?? 0,
      })),
      backend: this.#backend.saveState?.() ?? null,
    };
  }

  loadState(state: SavedRecord): void {
    const r = new StateReader(state, "virtio-mmio");
    const id = r.int("deviceId");
    if (id !== this.#backend.deviceId) {
      throw axErr(
        "InvalidData",
        `virtio-mmio: the snapshot has a device of id ${id} here, this VM one of id ${this.#backend.deviceId}`,
      );
    }
    const queues = r.records("queues", this.#queues.length);
    this.#deviceFeaturesSel = r.int("deviceFeaturesSel");
    this.#driverFeaturesSel = r.int("driverFeaturesSel");
    this.#driverFeatures = r.u64("driverFeatures");
    this.#queueSel = r.int("queueSel");
    this.#interruptStatus = r.int("interruptStatus");
    this.#status = r.int("status", 0, 0xff);
    this.#configGeneration = r.int("configGeneration");
    this.#irqLevel = r.bool("irqLevel");
    queues.forEach((qr, i) => {
      const q = newQueueState();
      q.num = qr.int("num");
      const [dl, dh] = qr.ints("desc", 2);
      const [rl, rh] = qr.ints("driver", 2);
      const [vl, vh] = qr.ints("device", 2);
      q.desc = [dl!, dh!];
      q.driver = [rl!, rh!];
      q.device = [vl!, vh!];
      if (qr.bool("ready")) {
        const max = this.#backend.queueMaxSizes[i]!;
        if (q.num < 1 || q.num > max || (q.num & (q.num - 1)) !== 0) {
          throw axErr("InvalidData", `virtio-mmio: saved queue ${i} has size ${q.num}`);
        }
        q.ready = true;
        q.vq = this.#virtqueue(q);
        q.vq.restoreIndices(qr.int("lastAvail", 0, 0xffff), qr.int("used", 0, 0xffff));
      }
      this.#queues[i] = q;
    });
    if (state.backend !== null && this.#backend.loadState !== undefined) {
      this.#backend.loadState(r.nested("backend"));
    }
  }

  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    const off = addr - this.#range.start;
    if (off >= MmioReg.Config) return this.#readConfig(off - MmioReg.Config, width);
    // Registers are 32-bit; QEMU answers other widths with 0 too.
    if (width !== AccessWidth.Dword || (off & 3) !== 0) return 0n;
    return BigInt(this.#readRegister(off) >>> 0);
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    const off = addr - this.#range.start;
    if (off >= MmioReg.Config) {
      this.#writeConfig(off - MmioReg.Config, width, value);
      return;
    }
    if (width !== AccessWidth.Dword || (off & 3) !== 0) return;
    this.#writeRegister(off, Number(value & LOW32));
  }

  #readRegister(off: number): number {
    const q = this.#queues[this.#queueSel];
    switch (off) {
      case MmioReg.MagicValue:
        return VIRTIO_MMIO_MAGIC;
      case MmioReg.Version:
        return VIRTIO_MMIO_VERSION;
      case MmioReg.DeviceId:
        return this.#backend.deviceId;
      case MmioReg.VendorId:
        return this.#vendorId;
      case MmioReg.DeviceFeatures:
        return this.#deviceFeaturesSel > 1
          ? 0
          : Number((this.#deviceFeatures >> BigInt(32 * this.#deviceFeaturesSel)) & LOW32);
      case MmioReg.QueueNumMax:
        return this.#backend.queueMaxSizes[this.#queueSel] ?? 0;
      case MmioReg.QueueNum:
        return q?.num ?? 0;
      case MmioReg.QueueReady:
        return q?.ready ? 1 : 0;
      case MmioReg.InterruptStatus:
        return this.#interruptStatus;
      case MmioReg.Status:
        return this.#status;
      case MmioReg.QueueDescLow:
        return q?.desc[0] ?? 0;
      case MmioReg.QueueDescHigh:
        return q?.desc[1] ?? 0;
      case MmioReg.QueueDriverLow:
        return q?.driver[0] ?? 0;
      case MmioReg.QueueDriverHigh:
        return q?.driver[1] ?? 0;
      case MmioReg.QueueDeviceLow:
        return q?.device[0] ?? 0;
      case MmioReg.QueueDeviceHigh:
        return q?.device[1] ?? 0;
      // No shared memory regions: their length and base read as all ones (-1).
      case MmioReg.ShmLenLow:
      case MmioReg.ShmLenHigh:
      case MmioReg.ShmBaseLow:
      case MmioReg.ShmBaseHigh:
        return 0xffff_ffff;
      case MmioReg.ConfigGeneration:
        return this.#configGeneration;
      default:
        return 0;
    }
  }

  #writeRegister(off: number, value: number): void {
    const q = this.#queues[this.#queueSel];
    switch (off) {
      case MmioReg.DeviceFeaturesSel:
        this.#deviceFeaturesSel = value;
        break;
      case MmioReg.DriverFeatures:
        this.#writeDriverFeatures(value);
        break;
      case MmioReg.DriverFeaturesSel:
        this.#driverFeaturesSel = value;
        break;
      case MmioReg.QueueSel:
        this.#queueSel = value;
        break;
      case MmioReg.QueueNum:
        if (q) q.num = value;
        break;
      case MmioReg.QueueReady:
        this.#writeQueueReady((value & 1) === 1);
        break;
      case MmioReg.QueueNotify:
        this.#process(value & 0xffff);
        break;
      case MmioReg.InterruptAck:
        this.#interruptStatus &= ~value;
        this.#updateIrq();
        break;
      case MmioReg.Status:
        this.#writeStatus(value & 0xff);
        break;
      case MmioReg.QueueDescLow:
        if (q) q.desc[0] = value;
        break;
      case MmioReg.QueueDescHigh:
        if (q) q.desc[1] = value;
        break;
      case MmioReg.QueueDriverLow:
        if (q) q.driver[0] = value;
        break;
      case MmioReg.QueueDriverHigh:
        if (q) q.driver[1] = value;
        break;
      case MmioReg.QueueDeviceLow:
        if (q) q.device[0] = value;
        break;
      case MmioReg.QueueDeviceHigh:
        if (q) q.device[1] = value;
        break;
      default:
        break; // read-only or reserved (ShmSel selects nothing: there are no regions)
    }
  }

  #writeDriverFeatures(value: number): void {
    // Features are frozen once the driver has set FEATURES_OK.
    if (this.#status & Status.FeaturesOk || this.#driverFeaturesSel > 1) return;
    const shift = BigInt(32 * this.#driverFeaturesSel);
    this.#driverFeatures =
      (this.#driverFeatures & ~(LOW32 << shift)) | (BigInt(value >>> 0) << shift);
  }

  #writeStatus(value: number): void {
    if (value === 0) {
      this.reset();
      return;
    }
    const prev = this.#status;
    let next = value | (prev & Status.DeviceNeedsReset);
    if (next & Status.FeaturesOk && !(prev & Status.FeaturesOk)) {
      const unknown = this.#driverFeatures & ~this.#deviceFeatures;
      const modern = (this.#driverFeatures & feature(VIRTIO_F_VERSION_1)) !== 0n;
      // Refusing FEATURES_OK tells the driver this feature set is unusable (§3.1.1).
      if (unknown !== 0n || !modern) next &= ~Status.FeaturesOk;
    }
    this.#status = next;
    if (next & Status.DriverOk && !(prev & Status.DriverOk)) {
      // Buffers may already wait (and backends may hold input for them).
      for (let i = 0; i < this.#queues.length; i++) this.#process(i);
    }
  }

  #writeQueueReady(ready: boolean): void {
    const q = this.#queues[this.#queueSel];
    if (!q) return;
    if (!ready) {
      q.ready = false;
      q.vq = null;
      return;
    }
    if (q.ready) return;
    const max = this.#backend.queueMaxSizes[this.#queueSel]!;
    const size = q.num;
    const desc = q.desc[1] * TWO_POW_32 + q.desc[0];
    const driver = q.driver[1] * TWO_POW_32 + q.driver[0];
    const device = q.device[1] * TWO_POW_32 + q.device[0];
    let problem: string | null = null;
    if (size < 1 || size > max || (size & (size - 1)) !== 0) {
      problem = `queue ${this.#queueSel}: size ${size} is not a power of two up to ${max}`;
    } else if (desc % 16 !== 0 || driver % 2 !== 0 || device % 4 !== 0) {
      problem = `queue ${this.#queueSel}: ring addresses are misaligned`;
    }
    if (problem !== null) {
      this.#needsReset(problem);
      return;
    }
    q.vq = this.#virtqueue(q);
    q.ready = true;
  }

  #virtqueue(q: QueueState): Virtqueue {
    const features = this.#driverFeatures;
    return new Virtqueue(
      this.#memory,
      {
        size: q.num,
        descAddr: q.desc[1] * TWO_POW_32 + q.desc[0],
        driverAddr: q.driver[1] * TWO_POW_32 + q.driver[0],
        deviceAddr: q.device[1] * TWO_POW_32 + q.device[0],
      },
      {
        indirect: (features & feature(VIRTIO_F_INDIRECT_DESC)) !== 0n,
        eventIdx: (features & feature(VIRTIO_F_EVENT_IDX)) !== 0n,
      },
    );
  }

  /** Lets the backend look at queue `index`, then interrupts the driver if it wants one. */
  #process(index: number): void {
    const q = this.#queues[index];
    if (!q?.vq) return;
    if ((this.#status & (Status.DriverOk | Status.DeviceNeedsReset)) !== Status.DriverOk) return;
    if (this.#busy[index]) {
      // Asked again from inside processQueue (e.g. host input while handling output).
      this.#again[index] = true;
      return;
    }
    this.#busy[index] = true;
    try {
      do {
        this.#again[index] = false;
        const vq = q.vq;
        const before = vq.usedIndex;
        this.#backend.processQueue(index, vq);
        vq.publishAvailEvent();
        if (vq.needsInterrupt(before)) {
          this.#interruptStatus |= INT_USED_BUFFER;
          this.#updateIrq();
        }
      } while (this.#again[index] && q.vq !== null);
    } catch (e) {
      if (!(e instanceof VirtqueueError || e instanceof DmaFault)) throw e;
      this.#needsReset(`queue ${index}: ${e.message}`);
    } finally {
      this.#busy[index] = false;
    }
  }

  #needsReset(message: string): void {
    this.#status |= Status.DeviceNeedsReset;
    this.#interruptStatus |= INT_CONFIG_CHANGE;
    this.#updateIrq();
    this.#onDeviceError(message);
  }

  #readConfig(offset: number, width: AccessWidth): bigint {
    if (offset + width > this.#backend.configSize) return 0n;
    return this.#backend.readConfig(offset, width);
  }

  #writeConfig(offset: number, width: AccessWidth, value: bigint): void {
    if (offset + width > this.#backend.configSize) return;
    this.#backend.writeConfig(offset, width, value);
  }

  #updateIrq(): void {
    const level = this.#interruptStatus !== 0;
    if (level === this.#irqLevel) return;
    this.#irqLevel = level;
    this.#irq.setLevel(level);
  }

  #host(): VirtioDeviceHost {
    return {
      memory: this.#memory,
      process: (queueIndex) => this.#process(queueIndex),
      configChanged: () => {
        this.#configGeneration = (this.#configGeneration + 1) >>> 0;
        if (this.#status & Status.DriverOk) {
          this.#interruptStatus |= INT_CONFIG_CHANGE;
          this.#updateIrq();
        }
      },
      negotiatedFeatures: () => this.negotiatedFeatures(),
    };
  }
}
