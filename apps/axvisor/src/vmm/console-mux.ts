import type { ConsoleOutput } from "../console/host-console.js";

/** Most guest output kept while the shell has the terminal. */
const MAX_HELD = 1 << 20;
const NL = 0x0a;

export interface ConsoleMuxOptions {
  /** Guest output. */
  readonly out: ConsoleOutput;
  /** Log lines and notices. */
  readonly err: ConsoleOutput;
  /** True when the terminal is in raw mode: lines must end in CR LF. */
  readonly raw?: boolean;
}

/**
 * The terminal shared by every VM's console, the log and the shell. With more than one VM,
 * each line a VM prints starts with its label (`[vm1 linux] `); when another VM interrupts a
 * half-printed line, the line is ended first so labels always start a line. While the shell
 * has the terminal, guest output is held back and shown when it returns.
 */
export class ConsoleMux {
  labelled = false;
  readonly #opts: ConsoleMuxOptions;
  readonly #encoder = new TextEncoder();
  #raw: boolean;
  #owner: string | undefined;
  #atLineStart = true;
  #held: Uint8Array[] | undefined;
  #heldBytes = 0;
  #dropped = 0;

  constructor(options: ConsoleMuxOptions) {
    this.#opts = options;
    this.#raw = options.raw ?? false;
  }

  set raw(on: boolean) {
    this.#raw = on;
  }

  /**
   * Shows a VM's output (labelled when several VMs run) and returns the bytes as shown, for
   * the expect engine.
   */
  guest(label: string, bytes: Uint8Array): Uint8Array {
    const shown = this.labelled ? this.#label(label, bytes) : bytes;
    if (!this.labelled && bytes.length > 0) this.#atLineStart = bytes[bytes.length - 1] === NL;
    this.#show(shown);
    return shown;
  }

  /** A log line or notice (stderr), on a line of its own. */
  line(text: string): void {
    const eol = this.#raw ? "\r\n" : "\n";
    // On a terminal, a guest's half-printed line is ended first (stdout and stderr share it).
    const lead = this.#raw && !this.#atLineStart ? eol : "";
    if (lead !== "") this.#atLineStart = true;
    this.#opts.err.write(`${lead}${text.replace(/\r?\n/g, eol)}${eol}`);
  }

  /** Raw text for the terminal (the shell's prompt and answers). */
  print(text: string): void {
    this.#opts.out.write(this.#raw ? text.replace(/\r?\n/g, "\r\n") : text);
  }

  /** Whole lines from the shell: started on a fresh line if a guest left one half-printed. */
  answer(text: string): void {
    if (!this.#atLineStart && this.#held === undefined) this.print("\n");
    this.print(text);
    this.#atLineStart = text.endsWith("\n");
    // The next guest line needs its label again even if the same VM goes on.
    if (this.#atLineStart) this.#owner = undefined;
  }

  /** The shell takes the terminal: guest output waits. */
  hold(): void {
    this.#held ??= [];
  }

  /** The shell gives the terminal back: what the guests printed meanwhile is shown. */
  release(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held === undefined) return;
    if (this.#dropped > 0) {
      this.line(
        `axvisor: ${this.#dropped} bytes of guest output were dropped while the shell was open`,
      );
      this.#dropped = 0;
    }
    for (const chunk of held) this.#opts.out.write(chunk);
    this.#heldBytes = 0;
  }

  #show(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const held = this.#held;
    if (held === undefined) {
      this.#opts.out.write(bytes);
      return;
    }
    if (this.#heldBytes + bytes.length > MAX_HELD) {
      this.#dropped += bytes.length;
      return;
    }
    held.push(bytes);
    this.#heldBytes += bytes.length;
  }

  #label(label: string, bytes: Uint8Array): Uint8Array {
    const out: number[] = [];
    const prefix = this.#encoder.encode(`[${label}] `);
    if (this.#owner !== label && !this.#atLineStart) {
      out.push(0x0d, NL);
      this.#atLineStart = true;
    }
    this.#owner = label;
    for (const b of bytes) {
      if (this.#atLineStart) {
        for (const p of prefix) out.push(p);
        this.#atLineStart = false;
      }
      out.push(b);
      if (b === NL) this.#atLineStart = true;
    }
    return Uint8Array.from(out);
  }
}
