/** A console device that takes typed input: a UART (NS16550A, PL011) or a virtio-console. */
export interface ConsoleInputDevice {
  pushInput(bytes: Uint8Array): void;
}

/** Most console input kept for a guest that is not reading (SBI console). */
const MAX_SBI_INPUT = 1 << 20;

/**
 * One VM's console. Output from every source (UART, virtio-console, the SBI console calls)
 * is collected and handed on in chunks by `flush`, so a guest printing byte by byte does not
 * cost a terminal write per byte. Typed input goes to the device the guest reads its console
 * from: the UART if the VM has one, else a virtio-console, else the firmware console (SBI DBCN
 * or legacy getchar on riscv64), which reads with `read`.
 */
export class VmConsole {
  #out: number[] = [];
  #sbiInput: number[] = [];
  #uart: ConsoleInputDevice | undefined;
  #virtio: ConsoleInputDevice | undefined;
  readonly #emit: (bytes: Uint8Array) => void;
  readonly #onInput: () => void;

  /**
   * `emit` receives flushed output; `onInput` is called after input arrived (the VMM wakes
   * the VM's halted vCPUs, since a guest polling its console sleeps in WFI).
   */
  constructor(emit: (bytes: Uint8Array) => void, onInput: () => void = () => {}) {
    this.#emit = emit;
    this.#onInput = onInput;
  }

  attachUart(uart: ConsoleInputDevice): void {
    this.#uart ??= uart;
  }

  attachVirtioConsole(dev: ConsoleInputDevice): void {
    this.#virtio ??= dev;
  }

  /** Where typed input goes: "uart", "virtio-console" or "sbi". */
  get inputTarget(): "uart" | "virtio-console" | "sbi" {
    return this.#uart !== undefined
      ? "uart"
      : this.#virtio !== undefined
        ? "virtio-console"
        : "sbi";
  }

  /** Guest output (device transmit or SBI write). */
  write(bytes: Uint8Array): void {
    for (const b of bytes) this.#out.push(b);
  }

  putByte(b: number): void {
    this.#out.push(b);
  }

  /** SBI console read: pending input, at most `max` bytes. */
  read(max: number): Uint8Array {
    const n = Math.min(max, this.#sbiInput.length);
    if (n === 0) return new Uint8Array(0);
    return Uint8Array.from(this.#sbiInput.splice(0, n));
  }

  /** Input typed for the guest. */
  type(data: Uint8Array | string): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    if (this.#uart !== undefined) {
      this.#uart.pushInput(bytes);
    } else if (this.#virtio !== undefined) {
      this.#virtio.pushInput(bytes);
    } else {
      const room = MAX_SBI_INPUT - this.#sbiInput.length;
      for (let i = 0; i < Math.min(room, bytes.length); i++) this.#sbiInput.push(bytes[i] ?? 0);
    }
    this.#onInput();
  }

  /** Hands buffered output on; true when there was any. */
  flush(): boolean {
    if (this.#out.length === 0) return false;
    const bytes = Uint8Array.from(this.#out);
    this.#out = [];
    this.#emit(bytes);
    return true;
  }

  /** Input typed for the SBI console that the guest has not read yet (a snapshot keeps it). */
  get sbiInput(): Uint8Array {
    return Uint8Array.from(this.#sbiInput);
  }

  /** A restored VM's unread SBI console input. */
  set sbiInput(bytes: Uint8Array) {
    this.#sbiInput = [...bytes.subarray(0, MAX_SBI_INPUT)];
  }

  /** VM restart: input typed for the old run is dropped, output so far is kept. */
  resetInput(): void {
    this.#sbiInput = [];
  }
}
