import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";

interface VmTerminal {
  readonly term: Terminal;
  readonly fit: FitAddon;
  readonly box: HTMLElement;
  readonly title: HTMLElement;
}

/** One xterm.js terminal per VM console; keys typed into it go to `onInput(vm, data)`. */
export class Terminals {
  readonly #host: HTMLElement;
  readonly #onInput: (id: number, data: string) => void;
  readonly #terms = new Map<number, VmTerminal>();

  constructor(host: HTMLElement, onInput: (id: number, data: string) => void) {
    this.#host = host;
    this.#onInput = onInput;
    addEventListener("resize", () => {
      for (const t of this.#terms.values()) t.fit.fit();
    });
  }

  /** The terminal of VM `id`, made on first use. */
  ensure(id: number, name: string): Terminal {
    const have = this.#terms.get(id);
    if (have !== undefined) {
      if (name !== "") have.title.textContent = `VM ${id} "${name}"`;
      return have.term;
    }
    const box = document.createElement("div");
    box.className = "term";
    box.dataset.vm = String(id);
    const title = document.createElement("div");
    title.className = "term-title";
    title.textContent = `VM ${id} "${name}"`;
    const screen = document.createElement("div");
    screen.className = "term-screen";
    box.append(title, screen);
    this.#host.append(box);
    const term = new Terminal({
      convertEol: false,
      fontSize: 13,
      scrollback: 5000,
      theme: { background: "#101418" },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(screen);
    fit.fit();
    term.onData((data) => this.#onInput(id, data));
    this.#terms.set(id, { term, fit, box, title });
    return term;
  }

  write(id: number, data: Uint8Array): void {
    this.#terms.get(id)?.term.write(data);
  }

  /** Drops the terminals of VMs that no longer exist. */
  keepOnly(ids: ReadonlySet<number>): void {
    for (const [id, t] of this.#terms) {
      if (ids.has(id)) continue;
      t.term.dispose();
      t.box.remove();
      this.#terms.delete(id);
    }
  }

  /** The terminal's text, one string per line (tests and copy-out read it). */
  text(id: number): string {
    const t = this.#terms.get(id);
    if (t === undefined) return "";
    const buf = t.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? "");
    return lines.join("\n");
  }

  focus(id: number): void {
    this.#terms.get(id)?.term.focus();
  }
}
