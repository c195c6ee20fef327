import { AccessWidth, type GuestPhysAddr } from "@axvisor/memory-addr";
import { MmioReg, Status } from "../constants.js";
import type { VirtioMmioTransport } from "../transport.js";
import { VIRTQ_DESC_F_INDIRECT, VIRTQ_DESC_F_NEXT, VIRTQ_DESC_F_WRITE } from "../virtqueue.js";
import type { TestMemory } from "./test-memory.js";

export interface TestBuffer {
  addr: number;
  len: number;
  write?: boolean;
}

interface QueueLayout {
  size: number;
  desc: number;
  avail: number;
  used: number;
  nextDesc: number;
  availIdx: number;
  seenUsed: number;
}

/**
 * A minimal virtio driver written from the spec's driver-side rules (§3.1.1, §2.7.13), used
 * to exercise the device through its MMIO registers and rings in TestMemory.
 * Queue q's rings live at ringBase + q*0x10000 (descriptors), +0x1000 (avail), +0x2000 (used).
 */
export class TestDriver {
  readonly queues: QueueLayout[] = [];
  #heap: number;

  constructor(
    readonly transport: VirtioMmioTransport,
    readonly mem: TestMemory,
    readonly base: number,
    readonly ringBase = mem.base,
    heapBase = mem.base + 0x10_0000,
  ) {
    this.#heap = heapBase;
  }

  r(off: number, width: AccessWidth = AccessWidth.Dword): number {
    return Number(this.transport.handleRead((this.base + off) as GuestPhysAddr, width));
  }

  w(off: number, v: number | bigint, width: AccessWidth = AccessWidth.Dword): void {
    this.transport.handleWrite((this.base + off) as GuestPhysAddr, width, BigInt(v));
  }

  deviceFeatures(): bigint {
    this.w(MmioReg.DeviceFeaturesSel, 0);
    const lo = BigInt(this.r(MmioReg.DeviceFeatures));
    this.w(MmioReg.DeviceFeaturesSel, 1);
    const hi = BigInt(this.r(MmioReg.DeviceFeatures));
    return (hi << 32n) | lo;
  }

  /** ACKNOWLEDGE, DRIVER, feature negotiation; returns whether FEATURES_OK stuck. */
  negotiate(features: bigint = this.deviceFeatures()): boolean {
    this.w(MmioReg.Status, 0);
    this.w(MmioReg.Status, Status.Acknowledge);
    this.w(MmioReg.Status, Status.Acknowledge | Status.Driver);
    this.w(MmioReg.DriverFeaturesSel, 0);
    this.w(MmioReg.DriverFeatures, Number(features & 0xffff_ffffn));
    this.w(MmioReg.DriverFeaturesSel, 1);
    this.w(MmioReg.DriverFeatures, Number(features >> 32n));
    this.w(MmioReg.Status, Status.Acknowledge | Status.Driver | Status.FeaturesOk);
    return (this.r(MmioReg.Status) & Status.FeaturesOk) !== 0;
  }

  setupQueue(q: number, size: number): void {
    const desc = this.ringBase + q * 0x1_0000;
    const layout: QueueLayout = {
      size,
      desc,
      avail: desc + 0x1000,
      used: desc + 0x2000,
      nextDesc: 0,
      availIdx: 0,
      seenUsed: 0,
    };
    this.queues[q] = layout;
    // A driver hands the device freshly zeroed rings.
    this.mem.fill(desc, new Uint8Array(0x3000));
    this.w(MmioReg.QueueSel, q);
    this.w(MmioReg.QueueNum, size);
    this.w(MmioReg.QueueDescLow, layout.desc % 0x1_0000_0000);
    this.w(MmioReg.QueueDescHigh, Math.floor(layout.desc / 0x1_0000_0000));
    this.w(MmioReg.QueueDriverLow, layout.avail % 0x1_0000_0000);
    this.w(MmioReg.QueueDriverHigh, Math.floor(layout.avail / 0x1_0000_0000));
    this.w(MmioReg.QueueDeviceLow, layout.used % 0x1_0000_0000);
    this.w(MmioReg.QueueDeviceHigh, Math.floor(layout.used / 0x1_0000_0000));
    this.w(MmioReg.QueueReady, 1);
  }

  driverOk(): void {
    this.w(MmioReg.Status, this.r(MmioReg.Status) | Status.DriverOk);
  }

  /** Full bring-up: negotiate everything offered, set up `queueSizes`, DRIVER_OK. */
  init(queueSizes: number[], features?: bigint): void {
    const ok = this.negotiate(features ?? this.deviceFeatures());
    if (!ok) throw new Error("device refused the features");
    queueSizes.forEach((size, q) => {
      this.setupQueue(q, size);
    });
    this.driverOk();
  }

  alloc(len: number, align = 16): number {
    this.#heap = Math.ceil(this.#heap / align) * align;
    const addr = this.#heap;
    this.#heap += len;
    return addr;
  }

  /** Writes one descriptor at `index` of a table. */
  writeDesc(table: number, index: number, b: TestBuffer, flags: number, next: number): void {
    const at = table + 16 * index;
    this.mem.setU64(at, b.addr);
    this.mem.setU32(at + 8, b.len);
    this.mem.setU16(at + 12, flags);
    this.mem.setU16(at + 14, next);
  }

  /** Makes a chain available (not notified). Returns its head index. */
  addChain(q: number, buffers: TestBuffer[], options: { indirect?: boolean } = {}): number {
    const l = this.queues[q]!;
    let head: number;
    if (options.indirect) {
      const table = this.alloc(16 * buffers.length);
      buffers.forEach((b, i) => {
        const last = i === buffers.length - 1;
        const flags = (b.write ? VIRTQ_DESC_F_WRITE : 0) | (last ? 0 : VIRTQ_DESC_F_NEXT);
        this.writeDesc(table, i, b, flags, last ? 0 : i + 1);
      });
      head = l.nextDesc;
      l.nextDesc = (l.nextDesc + 1) % l.size;
      this.writeDesc(
        l.desc,
        head,
        { addr: table, len: 16 * buffers.length },
        VIRTQ_DESC_F_INDIRECT,
        0,
      );
    } else {
      const indices = buffers.map(() => {
        const i = l.nextDesc;
        l.nextDesc = (l.nextDesc + 1) % l.size;
        return i;
      });
      buffers.forEach((b, i) => {
        const last = i === buffers.length - 1;
        const flags = (b.write ? VIRTQ_DESC_F_WRITE : 0) | (last ? 0 : VIRTQ_DESC_F_NEXT);
        this.writeDesc(l.desc, indices[i]!, b, flags, last ? 0 : indices[i + 1]!);
      });
      head = indices[0]!;
    }
    this.publish(q, head);
    return head;
  }

  /** Puts a head index into the avail ring and bumps avail.idx. */
  publish(q: number, head: number): void {
    const l = this.queues[q]!;
    this.mem.setU16(l.avail + 4 + 2 * (l.availIdx % l.size), head);
    l.availIdx = (l.availIdx + 1) & 0xffff;
    this.mem.setU16(l.avail + 2, l.availIdx);
  }

  notify(q: number): void {
    this.w(MmioReg.QueueNotify, q);
  }

  /** Used entries the device published since the last call. */
  takeUsed(q: number): { id: number; len: number }[] {
    const l = this.queues[q]!;
    const idx = this.mem.u16(l.used + 2);
    const out: { id: number; len: number }[] = [];
    while (l.seenUsed !== idx) {
      const at = l.used + 4 + 8 * (l.seenUsed % l.size);
      out.push({ id: this.mem.u32(at), len: this.mem.u32(at + 4) });
      l.seenUsed = (l.seenUsed + 1) & 0xffff;
    }
    return out;
  }

  usedIdx(q: number): number {
    return this.mem.u16(this.queues[q]!.used + 2);
  }

  availEvent(q: number): number {
    const l = this.queues[q]!;
    return this.mem.u16(l.used + 4 + 8 * l.size);
  }

  setUsedEvent(q: number, v: number): void {
    const l = this.queues[q]!;
    this.mem.setU16(l.avail + 4 + 2 * l.size, v);
  }

  setAvailFlags(q: number, v: number): void {
    this.mem.setU16(this.queues[q]!.avail, v);
  }

  ack(): number {
    const s = this.r(MmioReg.InterruptStatus);
    this.w(MmioReg.InterruptAck, s);
    return s;
  }
}
