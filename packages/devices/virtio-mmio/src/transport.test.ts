import { EmulatedDeviceType, RecordingIrqLine } from "@axvisor/axdevice-base";
import { AccessWidth } from "@axvisor/memory-addr";
import { describe, expect, it } from "vitest";
import type { VirtioDeviceBackend } from "./backend.js";
import { MmioReg, Status } from "./constants.js";
import { TestDriver } from "./testing/test-driver.js";
import { TestMemory } from "./testing/test-memory.js";
import { VirtioMmioTransport } from "./transport.js";
import type { Virtqueue } from "./virtqueue.js";

const MMIO_BASE = 0x1000_2000;
const RAM_BASE = 0x8000_0000;
// virtio 1.2 feature bits.
const INDIRECT_DESC = 1n << 28n;
const EVENT_IDX = 1n << 29n;
const VERSION_1 = 1n << 32n;
const DEVICE_FEATURE = 1n << 3n;

/**
 * A device that answers every chain by copying its readable bytes, upper-cased, into its
 * writable part: enough to observe what the transport and the virtqueue hand a backend.
 */
class UppercaseBackend implements VirtioDeviceBackend {
  readonly deviceId = 42;
  readonly features = DEVICE_FEATURE;
  readonly queueMaxSizes = [16, 8];
  readonly configSize = 8;
  resets = 0;
  processed: number[] = [];

  attach(): void {}
  readConfig(offset: number, width: AccessWidth): bigint {
    return BigInt.asUintN(width * 8, 0x0807_0605_0403_0201n >> BigInt(8 * offset));
  }
  writeConfig(): void {}
  reset(): void {
    this.resets++;
  }
  processQueue(index: number, queue: Virtqueue): void {
    this.processed.push(index);
    for (let c = queue.pop(); c !== null; c = queue.pop()) {
      const text = c.read(0, c.readableLength).map((b) => (b >= 0x61 && b <= 0x7a ? b - 32 : b));
      queue.pushUsed(c.head, c.write(0, text));
    }
  }
}

function makeRig(options: { eventIdx?: boolean } = {}) {
  const mem = new TestMemory(RAM_BASE, 0x20_0000);
  const irq = new RecordingIrqLine();
  const backend = new UppercaseBackend();
  const errors: string[] = [];
  const transport = new VirtioMmioTransport({
    base: MMIO_BASE,
    memory: mem,
    irq,
    backend,
    onDeviceError: (m) => errors.push(m),
    ...options,
  });
  const drv = new TestDriver(transport, mem, MMIO_BASE);
  /** Posts "text" plus a writable buffer; returns where the answer goes. */
  const post = (q: number, text: string, opts: { indirect?: boolean } = {}) => {
    const src = drv.alloc(text.length);
    mem.fill(src, new TextEncoder().encode(text));
    const dst = drv.alloc(text.length);
    const head = drv.addChain(
      q,
      [
        { addr: src, len: text.length },
        { addr: dst, len: text.length, write: true },
      ],
      opts,
    );
    return { head, dst };
  };
  const answer = (dst: number, len: number) => new TextDecoder().decode(mem.slice(dst, len));
  return { mem, irq, backend, transport, drv, errors, post, answer };
}

describe("VirtioMmioTransport identification", () => {
  it("presents magic, version 2, device id and QEMU's vendor id", () => {
    const { drv, transport } = makeRig();
    expect(drv.r(MmioReg.MagicValue)).toBe(0x7472_6976);
    expect(drv.r(MmioReg.Version)).toBe(2);
    expect(drv.r(MmioReg.DeviceId)).toBe(42);
    expect(drv.r(MmioReg.VendorId)).toBe(0x554d_4551);
    expect(transport.addressRange()).toEqual({ start: MMIO_BASE, end: MMIO_BASE + 0x1000 });
    expect(transport.emuType()).toBe(EmulatedDeviceType.Dummy);
  });

  it("answers non-32-bit register accesses with 0 and ignores such writes", () => {
    const { drv } = makeRig();
    expect(drv.r(MmioReg.MagicValue, AccessWidth.Byte)).toBe(0);
    expect(drv.r(MmioReg.MagicValue, AccessWidth.Qword)).toBe(0);
    drv.w(MmioReg.Status, Status.Acknowledge, AccessWidth.Byte);
    expect(drv.r(MmioReg.Status)).toBe(0);
  });

  it("reads device config space at 0x100 with any width, 0 past its end", () => {
    const { drv } = makeRig();
    expect(drv.r(0x100, AccessWidth.Byte)).toBe(0x01);
    expect(drv.r(0x102, AccessWidth.Word)).toBe(0x0403);
    expect(drv.r(0x104)).toBe(0x0807_0605);
    expect(drv.r(0x106, AccessWidth.Qword)).toBe(0);
  });

  it("has no shared memory regions (length and base read as -1)", () => {
    const { drv } = makeRig();
    drv.w(MmioReg.ShmSel, 0);
    expect(drv.r(MmioReg.ShmLenLow) >>> 0).toBe(0xffff_ffff);
    expect(drv.r(MmioReg.ShmLenHigh) >>> 0).toBe(0xffff_ffff);
  });
});

describe("VirtioMmioTransport feature negotiation", () => {
  it("offers the backend's features plus VERSION_1, INDIRECT_DESC and EVENT_IDX", () => {
    const { drv } = makeRig();
    drv.w(MmioReg.DeviceFeaturesSel, 0);
    expect(drv.r(MmioReg.DeviceFeatures) >>> 0).toBe(0x3000_0008);
    drv.w(MmioReg.DeviceFeaturesSel, 1);
    expect(drv.r(MmioReg.DeviceFeatures)).toBe(1);
    drv.w(MmioReg.DeviceFeaturesSel, 2);
    expect(drv.r(MmioReg.DeviceFeatures)).toBe(0);
    expect(makeRig({ eventIdx: false }).drv.deviceFeatures() & EVENT_IDX).toBe(0n);
  });

  it("accepts a subset that includes VERSION_1", () => {
    const { drv, transport } = makeRig();
    expect(drv.negotiate(VERSION_1 | DEVICE_FEATURE)).toBe(true);
    expect(transport.negotiatedFeatures()).toBe(VERSION_1 | DEVICE_FEATURE);
  });

  it("refuses FEATURES_OK for legacy drivers (no VERSION_1) and for unknown bits", () => {
    const { drv, transport } = makeRig();
    expect(drv.negotiate(DEVICE_FEATURE)).toBe(false);
    expect(drv.negotiate(VERSION_1 | (1n << 40n))).toBe(false);
    expect(transport.negotiatedFeatures()).toBe(0n);
  });

  it("freezes the driver features once FEATURES_OK is set", () => {
    const { drv, transport } = makeRig();
    drv.negotiate(VERSION_1);
    drv.w(MmioReg.DriverFeaturesSel, 0);
    drv.w(MmioReg.DriverFeatures, 0x8);
    expect(transport.negotiatedFeatures()).toBe(VERSION_1);
  });
});

describe("VirtioMmioTransport queues", () => {
  it("reports each queue's maximum size, 0 for queues that do not exist", () => {
    const { drv } = makeRig();
    const max = (q: number) => {
      drv.w(MmioReg.QueueSel, q);
      return drv.r(MmioReg.QueueNumMax);
    };
    expect([max(0), max(1), max(2)]).toEqual([16, 8, 0]);
  });

  it("reads back queue setup and readiness", () => {
    const { drv } = makeRig();
    drv.negotiate();
    drv.setupQueue(1, 8);
    drv.w(MmioReg.QueueSel, 1);
    expect(drv.r(MmioReg.QueueReady)).toBe(1);
    expect(drv.r(MmioReg.QueueNum)).toBe(8);
    expect(drv.r(MmioReg.QueueDescLow) >>> 0).toBe(RAM_BASE + 0x1_0000);
    expect(drv.r(MmioReg.QueueDriverLow) >>> 0).toBe(RAM_BASE + 0x1_1000);
    expect(drv.r(MmioReg.QueueDeviceLow) >>> 0).toBe(RAM_BASE + 0x1_2000);
    drv.w(MmioReg.QueueReady, 0);
    expect(drv.r(MmioReg.QueueReady)).toBe(0);
  });

  it("processes a notified queue and raises the used-buffer interrupt", () => {
    const { drv, irq, post, answer } = makeRig();
    drv.init([16, 8]);
    const { head, dst } = post(0, "hello");
    drv.notify(0);
    expect(drv.takeUsed(0)).toEqual([{ id: head, len: 5 }]);
    expect(answer(dst, 5)).toBe("HELLO");
    expect(irq.level).toBe(true);
    expect(drv.r(MmioReg.InterruptStatus)).toBe(1);
    drv.w(MmioReg.InterruptAck, 1);
    expect(irq.level).toBe(false);
  });

  it("follows indirect descriptor tables", () => {
    const { drv, post, answer } = makeRig();
    drv.init([16, 8]);
    const { dst } = post(1, "indirect", { indirect: true });
    drv.notify(1);
    expect(answer(dst, 8)).toBe("INDIRECT");
  });

  it("waits for DRIVER_OK, then handles what was already made available", () => {
    const { drv, backend, post, answer } = makeRig();
    drv.negotiate();
    drv.setupQueue(0, 16);
    const { dst } = post(0, "early");
    drv.notify(0);
    expect(backend.processed).toEqual([]);
    drv.driverOk();
    expect(answer(dst, 5)).toBe("EARLY");
  });

  it("honours VIRTQ_AVAIL_F_NO_INTERRUPT when EVENT_IDX is not negotiated", () => {
    const { drv, irq, post } = makeRig();
    drv.init([16, 8], VERSION_1 | INDIRECT_DESC);
    drv.setAvailFlags(0, 1);
    post(0, "quiet");
    drv.notify(0);
    expect(drv.usedIdx(0)).toBe(1);
    expect(irq.level).toBe(false);
    drv.setAvailFlags(0, 0);
    post(0, "loud");
    drv.notify(0);
    expect(irq.level).toBe(true);
  });

  it("with EVENT_IDX interrupts only when the used index passes used_event", () => {
    const { drv, irq, post } = makeRig();
    drv.init([16, 8]);
    drv.setUsedEvent(0, 2); // "interrupt me once entry 2 is used"
    for (let i = 0; i < 2; i++) {
      post(0, "x");
      drv.notify(0);
      expect(irq.level).toBe(false);
    }
    post(0, "x");
    drv.notify(0);
    expect(drv.usedIdx(0)).toBe(3);
    expect(irq.level).toBe(true);
    // The device asks to be notified at the next avail index it has not consumed.
    expect(drv.availEvent(0)).toBe(3);
  });

  it("resets everything when 0 is written to Status", () => {
    const { drv, irq, backend, transport, post } = makeRig();
    drv.init([16, 8]);
    post(0, "a");
    drv.notify(0);
    expect(irq.level).toBe(true);
    const resetsBefore = backend.resets;
    drv.w(MmioReg.Status, 0);
    expect(drv.r(MmioReg.Status)).toBe(0);
    expect(drv.r(MmioReg.InterruptStatus)).toBe(0);
    expect(irq.level).toBe(false);
    drv.w(MmioReg.QueueSel, 0);
    expect(drv.r(MmioReg.QueueReady)).toBe(0);
    expect(transport.negotiatedFeatures()).toBe(0n);
    expect(backend.resets).toBe(resetsBefore + 1);
  });
});

describe("VirtioMmioTransport against a misbehaving driver", () => {
  const expectNeedsReset = (rig: ReturnType<typeof makeRig>, pattern: RegExp) => {
    expect(rig.drv.r(MmioReg.Status) & Status.DeviceNeedsReset).toBe(Status.DeviceNeedsReset);
    expect(rig.drv.r(MmioReg.InterruptStatus) & 2).toBe(2); // configuration change
    expect(rig.irq.level).toBe(true);
    expect(rig.errors.at(-1)).toMatch(pattern);
  };

  it("flags a descriptor index outside the table", () => {
    const rig = makeRig();
    rig.drv.init([16, 8]);
    rig.drv.writeDesc(rig.drv.queues[0]!.desc, 0, { addr: RAM_BASE, len: 4 }, 1, 99);
    rig.drv.publish(0, 0);
    rig.drv.notify(0);
    expectNeedsReset(rig, /index 99/);
  });

  it("flags a head index outside the table", () => {
    const rig = makeRig();
    rig.drv.init([16, 8]);
    rig.drv.publish(0, 16);
    rig.drv.notify(0);
    expectNeedsReset(rig, /index 16/);
  });

  it("flags a descriptor loop", () => {
    const rig = makeRig();
    rig.drv.init([16, 8]);
    const table = rig.drv.queues[0]!.desc;
    rig.drv.writeDesc(table, 0, { addr: RAM_BASE, len: 4 }, 1, 1);
    rig.drv.writeDesc(table, 1, { addr: RAM_BASE, len: 4 }, 1, 0);
    rig.drv.publish(0, 0);
    rig.drv.notify(0);
    expectNeedsReset(rig, /loops/);
  });

  it("flags readable descriptors after writable ones", () => {
    const rig = makeRig();
    rig.drv.init([16, 8]);
    rig.drv.addChain(0, [
      { addr: RAM_BASE + 0x10_0000, len: 4, write: true },
      { addr: RAM_BASE + 0x10_0010, len: 4 },
    ]);
    rig.drv.notify(0);
    expectNeedsReset(rig, /readable descriptor after/);
  });

  it("flags indirect descriptors that were not negotiated, nested or chained", () => {
    const notNegotiated = makeRig();
    notNegotiated.drv.init([16, 8], VERSION_1);
    notNegotiated.post(0, "a", { indirect: true });
    notNegotiated.drv.notify(0);
    expectNeedsReset(notNegotiated, /VIRTIO_F_INDIRECT_DESC/);

    const nested = makeRig();
    nested.drv.init([16, 8]);
    const inner = nested.drv.alloc(16);
    const outer = nested.drv.alloc(16);
    nested.drv.writeDesc(outer, 0, { addr: inner, len: 16 }, 4, 0);
    nested.drv.writeDesc(nested.drv.queues[0]!.desc, 0, { addr: outer, len: 16 }, 4, 0);
    nested.drv.publish(0, 0);
    nested.drv.notify(0);
    expectNeedsReset(nested, /inside an indirect table/);

    const chained = makeRig();
    chained.drv.init([16, 8]);
    chained.drv.writeDesc(chained.drv.queues[0]!.desc, 0, { addr: inner, len: 16 }, 4 | 1, 1);
    chained.drv.publish(0, 0);
    chained.drv.notify(0);
    expectNeedsReset(chained, /NEXT/);
  });

  it("flags an available index that runs more than a queue ahead", () => {
    const rig = makeRig();
    rig.drv.init([16, 8]);
    rig.mem.setU16(rig.drv.queues[0]!.avail + 2, 17);
    rig.drv.notify(0);
    expectNeedsReset(rig, /more than 16 entries ahead/);
  });

  it("flags rings outside guest memory", () => {
    const rig = makeRig();
    rig.drv.negotiate();
    rig.drv.w(MmioReg.QueueSel, 0);
    rig.drv.w(MmioReg.QueueNum, 16);
    rig.drv.w(MmioReg.QueueDescLow, 0x1000);
    rig.drv.w(MmioReg.QueueDriverLow, 0x2000);
    rig.drv.w(MmioReg.QueueDeviceLow, 0x3000);
    rig.drv.w(MmioReg.QueueReady, 1);
    rig.drv.driverOk();
    expectNeedsReset(rig, /outside guest memory/);
  });

  it("flags a queue size that is not a power of two within the maximum", () => {
    const rig = makeRig();
    rig.drv.negotiate();
    rig.drv.setupQueue(0, 12);
    expectNeedsReset(rig, /size 12/);
    rig.drv.negotiate();
    rig.drv.setupQueue(1, 16);
    expectNeedsReset(rig, /size 16 is not a power of two up to 8/);
  });

  it("ignores notifications until reset, then works again", () => {
    const rig = makeRig();
    rig.drv.init([16, 8]);
    rig.backend.processed = [];
    rig.drv.publish(0, 16);
    rig.drv.notify(0);
    const { dst } = rig.post(1, "later");
    rig.drv.notify(1);
    expect(rig.backend.processed).toEqual([0]);
    rig.drv.init([16, 8]);
    expect(rig.drv.r(MmioReg.Status) & Status.DeviceNeedsReset).toBe(0);
    const again = rig.post(1, "again");
    rig.drv.notify(1);
    expect(rig.answer(again.dst, 5)).toBe("AGAIN");
    expect(rig.answer(dst, 5)).not.toBe("LATER");
  });
});

describe("VirtioMmioTransport snapshot", () => {
  it("a transport reset and loaded from its saved state continues its rings where they were", () => {
    const { drv, transport, post, answer, irq } = makeRig();
    drv.init([16, 8]);
    const first = post(0, "one");
    drv.notify(0);
    expect(drv.takeUsed(0)).toEqual([{ id: first.head, len: 3 }]);
    const saved = transport.saveState();
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);

    drv.w(MmioReg.Status, 0); // the device forgets everything
    expect(drv.r(MmioReg.QueueReady)).toBe(0);
    transport.loadState(saved);
    expect(transport.saveState()).toEqual(saved);
    expect(drv.r(MmioReg.Status) & Status.DriverOk).toBe(Status.DriverOk);
    expect(drv.r(MmioReg.InterruptStatus)).toBe(1);
    // The line is not driven again: the interrupt controller restores its own pending state.
    expect(irq.level).toBe(false);

    const second = post(0, "two");
    drv.notify(0);
    expect(drv.usedIdx(0)).toBe(2);
    expect(drv.takeUsed(0)).toEqual([{ id: second.head, len: 3 }]);
    expect(answer(second.dst, 3)).toBe("TWO");
  });

  it("refuses the state of another device type", () => {
    const { transport } = makeRig();
    const saved = transport.saveState();
    expect(() => transport.loadState({ ...saved, deviceId: 2 })).toThrow(
      "virtio-mmio: the snapshot has a device of id 2 here, this VM one of id 42",
    );
  });
});
