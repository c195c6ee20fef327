/** The pieces of a terminal the console needs; process.stdin/stdout fit, and so do test fakes. */
export interface ConsoleInput {
  readonly isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  removeListener(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface ConsoleOutput {
  write(data: Uint8Array | string): unknown;
}

export interface HostConsoleOptions {
  readonly input?: ConsoleInput;
  /** Where escape-key messages go (the terminal). */
  readonly messages: ConsoleOutput;
  /** Bytes typed for the guest. */
  readonly onInput: (bytes: Uint8Array) => void;
  /** Ctrl-A x. */
  readonly onQuit: () => void;
  /** More Ctrl-A escapes (e.g. the VMM's `c` for its shell), listed by Ctrl-A h. */
  readonly escapes?: readonly ConsoleEscape[];
}

/** A Ctrl-A escape: the key after Ctrl-A (a letter, either case), what it does. */
export interface ConsoleEscape {
  readonly key: string;
  readonly help: string;
  readonly run: () => void;
}

const CTRL_A = 0x01;

export const CONSOLE_ESCAPE_HELP = [
  "C-a h    print this help",
  "C-a x    exit the emulator",
  "C-a C-a  send C-a to the guest",
].join("\r\n");

/**
 * Connects the host's stdin to the guest console. On a terminal, stdin goes into raw mode so
 * every key (Ctrl-C included) reaches the guest, and Ctrl-A starts an escape like QEMU's:
 * Ctrl-A x quits, Ctrl-A h prints help, Ctrl-A Ctrl-A types Ctrl-A. From a pipe, bytes pass
 * through unchanged.
 */
export class HostConsole {
  readonly #opts: HostConsoleOptions;
  readonly #interactive: boolean;
  #escape = false;
  #started = false;
  readonly #listener = (chunk: Buffer | string) => this.#onData(chunk);

  constructor(options: HostConsoleOptions) {
    this.#opts = options;
    this.#interactive = options.input?.isTTY === true;
  }

  get interactive(): boolean {
    return this.#interactive;
  }

  start(): void {
    const input = this.#opts.input;
    if (input === undefined || this.#started) return;
    this.#started = true;
    if (this.#interactive) input.setRawMode?.(true);
    input.on("data", this.#listener);
    input.resume();
  }

  /** Restores the terminal; safe to call twice. */
  stop(): void {
    const input = this.#opts.input;
    if (input === undefined || !this.#started) return;
    this.#started = false;
    input.removeListener("data", this.#listener);
    if (this.#interactive) input.setRawMode?.(false);
    input.pause();
  }

  #onData(chunk: Buffer | string): void {
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
    if (!this.#interactive) {
      this.#opts.onInput(new Uint8Array(bytes));
      return;
    }
    const out: number[] = [];
    for (const b of bytes) {
      if (this.#escape) {
        this.#escape = false;
        this.#handleEscape(b, out);
      } else if (b === CTRL_A) {
        this.#escape = true;
      } else {
        out.push(b);
      }
    }
    if (out.length > 0) this.#opts.onInput(Uint8Array.from(out));
  }

  #handleEscape(key: number, out: number[]): void {
    switch (key) {
      case 0x78: // x
      case 0x58: // X
        this.#opts.messages.write("\r\naxvisor: terminated\r\n");
        this.#opts.onQuit();
        break;
      case 0x68: // h
      case 0x48: // H
      case 0x3f: // ?
        this.#opts.messages.write(
          `\r\n${[CONSOLE_ESCAPE_HELP, ...this.#extraHelp()].join("\r\n")}\r\n`,
        );
        break;
      case CTRL_A:
        out.push(CTRL_A);
        break;
      default: {
        const k = String.fromCharCode(key).toLowerCase();
        // Unknown escapes do nothing, as in QEMU.
        this.#opts.escapes?.find((e) => e.key.toLowerCase() === k)?.run();
        break;
      }
    }
  }

  #extraHelp(): string[] {
    return (this.#opts.escapes ?? []).map((e) => `C-a ${e.key.toLowerCase()}    ${e.help}`);
  }
}
