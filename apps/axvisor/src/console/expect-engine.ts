/** Type `text` once `pattern` has appeared on the console. */
export interface SendAfter {
  readonly pattern: RegExp;
  readonly text: string;
}

export interface ExpectScript {
  /** Success marker; checked after every send-after step has fired. */
  readonly expect?: RegExp;
  /** Steps, in order: step i waits for its pattern in the output after step i-1's match. */
  readonly sendAfter: readonly SendAfter[];
}

/** Keep at most this much unmatched console text (a boot log is far smaller). */
const MAX_BUFFER = 1 << 20;

/**
 * Watches console output and drives a simple expect script: a sequence of "when REGEX appears,
 * type TEXT" steps, then a final REGEX that means success. Each pattern is searched only in
 * the output after the previous step's match, so a step never fires on text that came before
 * it, and the typed text's echo cannot satisfy the pattern that triggered it.
 */
export class ExpectEngine {
  readonly #script: ExpectScript;
  readonly #send: (text: string) => void;
  readonly #decoder = new TextDecoder("utf-8");
  #buffer = "";
  #step = 0;
  #matched = false;
  #onMatch: (() => void) | undefined;

  constructor(script: ExpectScript, send: (text: string) => void) {
    this.#script = script;
    this.#send = send;
  }

  /** Called once when the expect pattern matches. */
  onMatch(callback: () => void): void {
    this.#onMatch = callback;
  }

  get matched(): boolean {
    return this.#matched;
  }

  /** Send-after steps that have not fired yet. */
  get pendingSteps(): number {
    return this.#script.sendAfter.length - this.#step;
  }

  /**
   * Checks the script against the (empty) output before any arrives, so a step whose pattern
   * matches the empty string (`--send-after '' 'text'`) types at once.
   */
  start(): void {
    if (!this.#matched) this.#advance();
  }

  /** Console output, as bytes (decoded as UTF-8 across chunk boundaries) or text. */
  feed(chunk: Uint8Array | string): void {
    if (this.#matched) return;
    this.#buffer +=
      typeof chunk === "string" ? chunk : this.#decoder.decode(chunk, { stream: true });
    this.#advance();
    if (this.#buffer.length > MAX_BUFFER) this.#buffer = this.#buffer.slice(-MAX_BUFFER / 2);
  }

  #advance(): void {
    const steps = this.#script.sendAfter;
    while (this.#step < steps.length) {
      const step = steps[this.#step]!;
      const m = step.pattern.exec(this.#buffer);
      if (m === null) return;
      this.#buffer = this.#buffer.slice(m.index + Math.max(m[0].length, 1));
      this.#step++;
      this.#send(step.text);
    }
    const expect = this.#script.expect;
    if (expect !== undefined && expect.exec(this.#buffer) !== null) {
      this.#matched = true;
      this.#buffer = "";
      this.#onMatch?.();
    }
  }
}

/**
 * Turns the escapes a user types in a shell argument into characters: \n \r \t \e (ESC) \\
 * \xHH, so `--send-after '# ' 'ls\n'` types a newline.
 */
export function unescapeText(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case "n":
        return "\n";
      case "r":
        return "\r";
      case "t":
        return "\t";
      case "e":
        return "\x1b";
      case "0":
        return "\0";
      case "x":
        return String.fromCharCode(Number.parseInt(e.slice(1), 16));
      default:
        return e;
    }
  });
}
