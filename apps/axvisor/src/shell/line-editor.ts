/** Most lines kept for ↑/↓. */
const HISTORY = 100;

/**
 * Line editing for the shell on a raw terminal (AxVisor's shell has the same keys): typing
 * and echo, Backspace, Ctrl-U (erase the line), Ctrl-C (abandon it), Ctrl-D on an empty line
 * (`exit`), ↑/↓ through the history (consecutive duplicates kept once), Enter. Cursor
 * movement inside the line is not offered: ←/→ are ignored.
 */
export class LineEditor {
  readonly #echo: (text: string) => void;
  #line = "";
  #history: string[] = [];
  #browse = -1;
  #esc: number[] | undefined;

  constructor(echo: (text: string) => void) {
    this.#echo = echo;
  }

  get line(): string {
    return this.#line;
  }

  /** Feeds typed bytes; returns every line completed by them. */
  feed(bytes: Uint8Array): string[] {
    const done: string[] = [];
    for (const b of bytes) {
      if (this.#esc !== undefined) {
        this.#escape(b);
        continue;
      }
      switch (b) {
        case 0x0d:
        case 0x0a:
          this.#echo("\r\n");
          done.push(this.#commit());
          break;
        case 0x7f:
        case 0x08:
          if (this.#line.length > 0) {
            this.#line = this.#line.slice(0, -1);
            this.#echo("\b \b");
          }
          break;
        case 0x03:
          this.#echo("^C\r\n");
          this.#line = "";
          this.#browse = -1;
          done.push("");
          break;
        case 0x04:
          if (this.#line === "") {
            this.#echo("exit\r\n");
            done.push("exit");
          }
          break;
        case 0x15:
          this.#replace("");
          break;
        case 0x1b:
          this.#esc = [];
          break;
        default:
          if (b >= 0x20 && b < 0x7f) {
            const c = String.fromCharCode(b);
            this.#line += c;
            this.#echo(c);
          }
      }
    }
    return done;
  }

  #commit(): string {
    const line = this.#line;
    this.#line = "";
    this.#browse = -1;
    if (line.trim() !== "" && this.#history[this.#history.length - 1] !== line) {
      this.#history.push(line);
      if (this.#history.length > HISTORY) this.#history.shift();
    }
    return line;
  }

  /** ESC [ A / ESC [ B (also ESC O A/B) move through the history; other sequences are dropped. */
  #escape(b: number): void {
    const seq = this.#esc!;
    seq.push(b);
    if (seq.length === 1) {
      if (b !== 0x5b && b !== 0x4f) this.#esc = undefined;
      return;
    }
    if (b < 0x40 || b > 0x7e) return; // parameter bytes: wait for the final byte
    this.#esc = undefined;
    if (b === 0x41) this.#historyStep(-1);
    else if (b === 0x42) this.#historyStep(1);
  }

  #historyStep(dir: number): void {
    const h = this.#history;
    if (h.length === 0) return;
    let i: number;
    if (this.#browse === -1) {
      if (dir > 0) return;
      i = h.length - 1;
    } else {
      i = Math.max(0, this.#browse + dir);
      if (i >= h.length) {
        this.#browse = -1;
        this.#replace("");
        return;
      }
    }
    this.#browse = i;
    this.#replace(h[i] ?? "");
  }

  #replace(text: string): void {
    this.#echo("\b \b".repeat(this.#line.length) + text);
    this.#line = text;
  }
}
