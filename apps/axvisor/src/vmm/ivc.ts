import { AxError, type AxResult, err, OK_VOID, ok } from "@axvisor/axerrno";
import type { HostMemory } from "@axvisor/axvisor-api";
import {
  alignUp4K,
  type GuestPhysAddr,
  type HostPhysAddr,
  MappingFlags,
  PAGE_SIZE_4K,
} from "@axvisor/memory-addr";

/** What a channel needs from a VM: its IVC address window and its nested page table. */
export interface IvcVm {
  readonly id: number;
  allocIvcChannel(size: number): AxResult<GuestPhysAddr>;
  releaseIvcChannel(base: GuestPhysAddr, size: number): AxResult<void>;
  mapRegion(at: number, hpa: number, size: number, flags: MappingFlags): void;
  unmapRegion(at: number, size: number): void;
}

/** Largest channel a guest may ask for (AxVisor stopped at one 4 KiB page: §11.25). */
export const IVC_MAX_BYTES = 1 << 20;
/** The channel header: publisher VM id and key, both u64, as AxVisor writes them. */
export const IVC_HEADER_BYTES = 16;
/** Shared pages are data: read/write, user (every G-stage access is a user access). */
const IVC_FLAGS = MappingFlags.READ | MappingFlags.WRITE | MappingFlags.USER;

interface Channel {
  readonly publisherId: number;
  readonly key: bigint;
  readonly hpa: HostPhysAddr;
  readonly bytes: number;
  /** Where the publisher sees it; null once unpublished. */
  publisherGpa: GuestPhysAddr | null;
  readonly subscribers: Map<number, { vm: IvcVm; gpa: GuestPhysAddr }>;
  publisher: IvcVm;
}

/** A mapped channel as the guest learns it (written back through the hypercall's pointers). */
export interface IvcMapping {
  readonly gpa: GuestPhysAddr;
  readonly size: number;
}

const channelKey = (publisherId: number, key: bigint) => `${publisherId}:${key}`;

/**
 * AxVisor's inter-VM channels (hypercalls 3-6): a publisher VM shares pages under a key,
 * subscriber VMs map the same host frames into their own IVC windows, and both poll them.
 * Fixes AxVisor §11.25: channels may be larger than one page, windows are released, and the
 * mappings carry USER so the RISC-V G-stage allows guest access.
 */
export class IvcChannels {
  readonly #channels = new Map<string, Channel>();
  readonly #memory: HostMemory;

  constructor(memory: HostMemory) {
    this.#memory = memory;
  }

  get size(): number {
    return this.#channels.size;
  }

  publish(vm: IvcVm, key: bigint, requested: number): AxResult<IvcMapping> {
    const id = channelKey(vm.id, key);
    if (this.#channels.has(id)) {
      return err("AlreadyExists", `VM ${vm.id} already published channel key ${key}`);
    }
    if (!Number.isSafeInteger(requested) || requested <= 0 || requested > IVC_MAX_BYTES) {
      return err("InvalidInput", `IVC channel size ${requested} is not in 1..${IVC_MAX_BYTES}`);
    }
    const bytes = Math.max(alignUp4K(requested), PAGE_SIZE_4K);
    const at = vm.allocIvcChannel(bytes);
    if (!at.ok) return at;
    const hpa = this.#memory.allocContiguousFrames(bytes / PAGE_SIZE_4K, PAGE_SIZE_4K);
    if (hpa === null) {
      vm.releaseIvcChannel(at.value, bytes);
      return err("NoMemory", `no host memory for a ${bytes}-byte IVC channel`);
    }
    const mapped = this.#map(vm, at.value, hpa, bytes);
    if (!mapped.ok) {
      vm.releaseIvcChannel(at.value, bytes);
      this.#memory.deallocContiguousFrames(hpa, bytes / PAGE_SIZE_4K);
      return mapped;
    }
    const buf = this.#memory.hostBuffer(hpa, IVC_HEADER_BYTES);
    const header = new DataView(buf.buffer, buf.byteOffset, IVC_HEADER_BYTES);
    header.setBigUint64(0, BigInt(vm.id), true);
    header.setBigUint64(8, BigInt.asUintN(64, key), true);
    this.#channels.set(id, {
      publisherId: vm.id,
      key,
      hpa,
      bytes,
      publisherGpa: at.value,
      subscribers: new Map(),
      publisher: vm,
    });
    return ok({ gpa: at.value, size: bytes });
  }

  subscribe(vm: IvcVm, publisherId: number, key: bigint): AxResult<IvcMapping> {
    const ch = this.#channels.get(channelKey(publisherId, key));
    if (ch === undefined || ch.publisherGpa === null) {
      return err("NotFound", `no channel key ${key} published by VM ${publisherId}`);
    }
    if (ch.subscribers.has(vm.id)) {
      return err(
        "AlreadyExists",
        `VM ${vm.id} already subscribed to channel ${key} of VM ${publisherId}`,
      );
    }
    const at = vm.allocIvcChannel(ch.bytes);
    if (!at.ok) return at;
    const mapped = this.#map(vm, at.value, ch.hpa, ch.bytes);
    if (!mapped.ok) {
      vm.releaseIvcChannel(at.value, ch.bytes);
      return mapped;
    }
    ch.subscribers.set(vm.id, { vm, gpa: at.value });
    return ok({ gpa: at.value, size: ch.bytes });
  }

  unpublish(vm: IvcVm, key: bigint): AxResult<void> {
    const id = channelKey(vm.id, key);
    const ch = this.#channels.get(id);
    if (ch === undefined || ch.publisherGpa === null) {
      return err("NotFound", `VM ${vm.id} has not published channel key ${key}`);
    }
    this.#unmap(vm, ch.publisherGpa, ch.bytes);
    ch.publisherGpa = null;
    this.#dropIfUnused(id, ch);
    return OK_VOID;
  }

  unsubscribe(vm: IvcVm, publisherId: number, key: bigint): AxResult<void> {
    const id = channelKey(publisherId, key);
    const ch = this.#channels.get(id);
    const sub = ch?.subscribers.get(vm.id);
    if (ch === undefined || sub === undefined) {
      return err(
        "NotFound",
        `VM ${vm.id} is not subscribed to channel ${key} of VM ${publisherId}`,
      );
    }
    this.#unmap(vm, sub.gpa, ch.bytes);
    ch.subscribers.delete(vm.id);
    this.#dropIfUnused(id, ch);
    return OK_VOID;
  }

  /**
   * A VM stops, restarts or goes away: its publications are withdrawn and its subscriptions
   * dropped (pages stay with the other side until it lets go too).
   */
  forgetVm(vmId: number): void {
    for (const [id, ch] of [...this.#channels]) {
      const sub = ch.subscribers.get(vmId);
      if (sub !== undefined) {
        this.#unmap(sub.vm, sub.gpa, ch.bytes);
        ch.subscribers.delete(vmId);
      }
      if (ch.publisherId === vmId && ch.publisherGpa !== null) {
        this.#unmap(ch.publisher, ch.publisherGpa, ch.bytes);
        ch.publisherGpa = null;
      }
      this.#dropIfUnused(id, ch);
    }
  }

  /** The channels a VM publishes or subscribes to, for `vm show`. */
  describe(vmId: number): string[] {
    const out: string[] = [];
    for (const ch of this.#channels.values()) {
      if (ch.publisherId === vmId && ch.publisherGpa !== null) {
        out.push(
          `published key ${ch.key} at 0x${ch.publisherGpa.toString(16)} (${ch.bytes} bytes, ${ch.subscribers.size} subscriber(s))`,
        );
      }
      const sub = ch.subscribers.get(vmId);
      if (sub !== undefined) {
        out.push(
          `subscribed to VM ${ch.publisherId} key ${ch.key} at 0x${sub.gpa.toString(16)} (${ch.bytes} bytes)`,
        );
      }
    }
    return out;
  }

  #map(vm: IvcVm, at: GuestPhysAddr, hpa: HostPhysAddr, bytes: number): AxResult<void> {
    try {
      vm.mapRegion(at, hpa, bytes, IVC_FLAGS);
      return OK_VOID;
    } catch (e) {
      if (e instanceof AxError) return { ok: false, error: e };
      throw e;
    }
  }

  /** Best effort: a VM whose address space is already gone has nothing left to unmap. */
  #unmap(vm: IvcVm, at: GuestPhysAddr, bytes: number): void {
    try {
      vm.unmapRegion(at, bytes);
    } catch (e) {
      if (!(e instanceof AxError)) throw e;
    }
    vm.releaseIvcChannel(at, bytes);
  }

  #dropIfUnused(id: string, ch: Channel): void {
    if (ch.publisherGpa !== null || ch.subscribers.size > 0) return;
    this.#channels.delete(id);
    this.#memory.deallocContiguousFrames(ch.hpa, ch.bytes / PAGE_SIZE_4K);
  }
}
