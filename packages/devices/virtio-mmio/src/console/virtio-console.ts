import { type SavedRecord, StateReader, savedBytes } from "@axvisor/axdevice-base";
import { AccessWidth } from "@axvisor/memory-addr";
import type { VirtioDeviceBackend, VirtioDeviceHost } from "../backend.js";
import { ConfigSpace } from "../config-space.js";
import { VirtioDeviceId } from "../constants.js";
import { DmaFault } from "../dma.js";
import type { Virtqueue } from "../virtqueue.js";

/** virtio-console constants (virtio 1.2 §5.3). */
export const VIRTIO_CONSOLE_F_SIZE = 0n;
export const VIRTIO_CONSOLE_F_EMERG_WRITE = 2n;

export const ConsoleConfig = {
  Cols: 0x0,
  Rows: 0x2,
  MaxNrPorts: 0x4,
  EmergWrite: 0x8,
  Size: 0xc,
} as const;

export const CONSOLE_RECEIVEQ = 0;
export const CONSOLE_TRANSMITQ = 1;

export interface VirtioConsoleOptions {
  /** Receives what the guest writes to the console (transmitq and emergency writes). */
  readonly onOutput?: (bytes: Uint8Array) => void;
  /** Terminal size; when given, VIRTIO_CONSOLE_F_SIZE is offered. */
  readonly size?: { readonly cols: number; readonly rows: number };
  /** QueueNumMax of both queues (default 128). */
  readonly queueSize?: number;
}

/**
 * A single-port virtio console (no MULTIPORT): receiveq 0 carries host input to the guest,
 * transmitq 1 carries guest output to `onOutput`. Host input waits in a queue until the
 * driver posts receive buffers, so nothing typed before the driver is up is lost.
 */
export class VirtioConsole implements VirtioDeviceBackend {
  readonly deviceId = VirtioDeviceId.Console;
  readonly features: bigint;
  readonly queueMaxSizes: readonly number[];
  readonly configSize = ConsoleConfig.Size;
  readonly #onOutput: (bytes: Uint8Array) => void;
  readonly #config = new ConfigSpace(ConsoleConfig.Size);
  #host: VirtioDeviceHost | null = null;
  /** Host input not yet delivered, oldest first; the first chunk starts at #inputOffset. */
  readonly #input: Uint8Array[] = [];
  #inputOffset = 0;
  #inputBytes = 0;

  constructor(options: VirtioConsoleOptions = {}) {
    this.#onOutput = options.onOutput ?? (() => {});
    const queueSize = options.queueSize ?? 128;
    this.queueMaxSizes = [queueSize, queueSize];
    this.features =
      (1n << VIRTIO_CONSOLE_F_EMERG_WRITE) | (options.size ? 1n << VIRTIO_CONSOLE_F_SIZE : 0n);
    if (options.size) this.#setSize(options.size.cols, options.size.rows);
    this.#config.setU32(ConsoleConfig.MaxNrPorts, 1);
  }

  attach(host: VirtioDeviceHost): void {
    this.#host = host;
  }

  /** Bytes pushed but not yet handed to the guest. */
  get pendingInput(): number {
    return this.#inputBytes;
  }

  /** Queues input for the guest and delivers what fits into posted receive buffers. */
  pushInput(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data.slice();
    if (bytes.length === 0) return;
    this.#input.push(bytes);
    this.#inputBytes += bytes.length;
    this.#host?.process(CONSOLE_RECEIVEQ);
  }

  /** Changes the terminal size (only meaningful when constructed with `size`). */
  resize(cols: number, rows: number): void {
    this.#setSize(cols, rows);
    this.#host?.configChanged();
  }

  readConfig(offset: number, width: AccessWidth): bigint {
    return this.#config.read(offset, width);
  }

  writeConfig(offset: number, _width: AccessWidth, value: bigint): void {
    // emerg_wr: one character, available even before the queues are set up.
    if (offset === ConsoleConfig.EmergWrite) this.#onOutput(Uint8Array.of(Number(value & 0xffn)));
  }

  reset(): void {}

  /** Input not yet delivered to the guest and the console size, for a VM snapshot. */
  saveState(): SavedRecord {
    const pending = new Uint8Array(this.#inputBytes);
    let at = 0;
    this.#input.forEach((chunk, i) => {
      const part = i === 0 ? chunk.subarray(this.#inputOffset) : chunk;
      pending.set(part, at);
      at += part.length;
    });
    return {
      input: savedBytes(pending),
      cols: Number(this.#config.read(ConsoleConfig.Cols, AccessWidth.Word)),
      rows: Number(this.#config.read(ConsoleConfig.Rows, AccessWidth.Word)),
    };
  }

  loadState(state: SavedRecord): void {
    const r = new StateReader(state, "virtio-console");
    const input = r.bytes("input");
    this.#setSize(r.int("cols", 0, 0xffff), r.int("rows", 0, 0xffff));
    this.#input.length = 0;
    this.#inputOffset = 0;
    this.#inputBytes = input.length;
    if (input.length > 0) this.#input.push(input);
  }

  processQueue(queueIndex: number, queue: Virtqueue): void {
    if (queueIndex === CONSOLE_RECEIVEQ) this.#fillReceive(queue);
    else if (queueIndex === CONSOLE_TRANSMITQ) this.#drainTransmit(queue);
  }

  #fillReceive(queue: Virtqueue): void {
    while (this.#inputBytes > 0) {
      const chain = queue.pop();
      if (chain === null) return;
      let written = 0;
      try {
        while (this.#inputBytes > 0 && written < chain.writableLength) {
          const chunk = this.#input[0]!;
          const n = chain.write(written, chunk.subarray(this.#inputOffset));
          written += n;
          this.#consume(n);
        }
      } catch (e) {
        // A receive buffer outside guest memory: hand it back empty, keep the input.
        if (!(e instanceof DmaFault)) throw e;
      }
      queue.pushUsed(chain.head, written);
    }
  }

  #drainTransmit(queue: Virtqueue): void {
    for (let chain = queue.pop(); chain !== null; chain = queue.pop()) {
      let bytes: Uint8Array | null = null;
      try {
        bytes = chain.read(0, chain.readableLength);
      } catch (e) {
        // Output from outside guest memory is dropped; the buffer still goes back.
        if (!(e instanceof DmaFault)) throw e;
      }
      queue.pushUsed(chain.head, 0);
      if (bytes !== null && bytes.length > 0) this.#onOutput(bytes);
    }
  }

  #consume(n: number): void {
    this.#inputBytes -= n;
    this.#inputOffset += n;
    while (this.#input.length > 0 && this.#inputOffset >= this.#input[0]!.length) {
      this.#inputOffset -= this.#input[0]!.length;
      this.#input.shift();
    }
  }

  #setSize(cols: number, rows: number): void {
    this.#config.setU16(ConsoleConfig.Cols, cols);
    this.#config.setU16(ConsoleConfig.Rows, rows);
  }
}
