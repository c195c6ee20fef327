import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { CliError } from "./io.js";

export type Parsed<T> = { value: T } | { error: string };

const MAX_ATTEMPTS = 5;

/**
 * Asks questions on a terminal, one line per answer. node:readline is enough for a handful of
 * plain questions, so the CLI carries no prompt library. Lines are read through readline's
 * async iterator, which buffers them, so answers typed (or piped) ahead are not lost.
 */
export class Prompter {
  private readonly rl;
  private readonly lines: AsyncIterator<string>;

  constructor(
    input: Readable,
    private readonly output: Writable,
  ) {
    // terminal: false: the terminal's own line discipline echoes and edits; prompts go to
    // `output` (stderr) so they never mix with a config written to stdout.
    this.rl = createInterface({ input, terminal: false });
    this.lines = this.rl[Symbol.asyncIterator]();
  }

  /** Asks until `parse` accepts the answer. An empty answer takes `fallback` if there is one. */
  async ask<T>(
    question: string,
    parse: (answer: string) => Parsed<T>,
    fallback?: string,
  ): Promise<T> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      this.output.write(fallback === undefined ? `${question}: ` : `${question} [${fallback}]: `);
      const next = await this.lines.next();
      if (next.done) throw new CliError(`no answer for "${question}" (input ended)`);
      const typed = next.value.trim();
      const result = parse(typed === "" && fallback !== undefined ? fallback : typed);
      if ("value" in result) return result.value;
      this.output.write(`  ${result.error}\n`);
    }
    throw new CliError(`no valid answer for "${question}" after ${MAX_ATTEMPTS} tries`);
  }

  close(): void {
    this.rl.close();
  }
}
