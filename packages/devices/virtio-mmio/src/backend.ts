import type { SavedRecord } from "@axvisor/axdevice-base";
import type { AccessWidth } from "@axvisor/memory-addr";
import type { DmaMemory } from "./dma.js";
import type { Virtqueue } from "./virtqueue.js";

/**
 * What a device backend may ask of the transport it is attached to. Everything a backend
 * does with its queues happens inside `processQueue`, which the transport calls when the
 * driver notifies a queue or when the backend asks for it with `process` (e.g. because host
 * input arrived); the transport then raises the used-buffer interrupt as the driver wants.
 */
export interface VirtioDeviceHost {
  /** Guest memory, for backends that need more than the descriptor chains give them. */
  readonly memory: DmaMemory;
  /** Runs `processQueue(queueIndex, ...)` now if the driver has the queue live; else no-op. */
  process(queueIndex: number): void;
  /** The device's configuration changed: bump the generation and send the config interrupt. */
  configChanged(): void;
  /** The features the driver accepted (valid once FEATURES_OK is set; 0 before). */
  negotiatedFeatures(): bigint;
}

/** A virtio device type (block, console...) behind the device-agnostic MMIO transport. */
export interface VirtioDeviceBackend {
  /** Virtio device id (§5): 2 block, 3 console... */
  readonly deviceId: number;
  /**
   * Device-specific feature bits. The transport adds VIRTIO_F_VERSION_1, INDIRECT_DESC and
   * EVENT_IDX itself.
   */
  readonly features: bigint;
  /** QueueNumMax of each queue; the array's length is the number of queues. */
  readonly queueMaxSizes: readonly number[];
  /** Bytes of device-specific configuration space (at MMIO offset 0x100). */
  readonly configSize: number;
  /** Called once, by the transport's constructor. */
  attach(host: VirtioDeviceHost): void;
  /** Reads `width` bytes at `offset` of the config space (offset + width <= configSize). */
  readConfig(offset: number, width: AccessWidth): bigint;
  writeConfig(offset: number, width: AccessWidth, value: bigint): void;
  /**
   * Handles what the driver made available on one queue: pop chains, do the work, push used
   * entries. Throwing `VirtqueueError`/`DmaFault` marks the device as needing reset; buffer
   * faults a device can report to the driver (e.g. block IOERR) should be reported instead.
   */
  processQueue(queueIndex: number, queue: Virtqueue): void;
  /** The driver reset the device (status 0) or the VM restarts. */
  reset(): void;
  /**
   * Device-specific state a VM snapshot keeps (input not yet delivered, config fields the
   * device changed). Requests are completed synchronously inside a queue notification, so
   * between guest instructions nothing is in flight; a backend without it keeps no state.
   */
  saveState?(): SavedRecord;
  loadState?(state: SavedRecord): void;
}
