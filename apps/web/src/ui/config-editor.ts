import { type ConfigProblem, checkAxVMConfig } from "@axvisor/axvmconfig";

/**
 * The TOML editor of the panel: a text area with a line-number gutter. Every edit is checked
 * by `axvmconfig` (the same parser and validation as the CLI); each problem marks its line in
 * the gutter (hover shows the message) and is listed under the editor as `line N: ...`.
 */
export class ConfigEditor {
  readonly #text: HTMLTextAreaElement;
  readonly #gutter: HTMLElement;
  readonly #list: HTMLElement;
  readonly #file: string;
  #problems: ConfigProblem[] = [];

  constructor(text: HTMLTextAreaElement, gutter: HTMLElement, list: HTMLElement, file: string) {
    this.#text = text;
    this.#gutter = gutter;
    this.#list = list;
    this.#file = file;
    text.addEventListener("input", () => this.check());
    text.addEventListener("scroll", () => {
      gutter.scrollTop = text.scrollTop;
    });
  }

  get value(): string {
    return this.#text.value;
  }

  set value(text: string) {
    this.#text.value = text;
    this.check();
  }

  get problems(): readonly ConfigProblem[] {
    return this.#problems;
  }

  /** Checks the text; returns whether it is a valid config. */
  check(): boolean {
    const r = checkAxVMConfig(this.#text.value, { file: this.#file });
    this.#problems = r.ok ? [] : r.problems;
    this.#render();
    return r.ok;
  }

  #render(): void {
    const byLine = new Map<number, string[]>();
    for (const p of this.#problems) {
      const at = byLine.get(p.line) ?? [];
      at.push(p.field === "" ? p.message : `${p.field}: ${p.message}`);
      byLine.set(p.line, at);
    }
    const lines = this.#text.value.split("\n").length;
    const gutter: HTMLElement[] = [];
    for (let n = 1; n <= lines; n++) {
      const row = document.createElement("div");
      row.textContent = String(n);
      row.dataset.line = String(n);
      const msgs = byLine.get(n);
      if (msgs !== undefined) {
        row.className = "error";
        row.title = msgs.join("\n");
      }
      gutter.push(row);
    }
    this.#gutter.replaceChildren(...gutter);
    this.#gutter.scrollTop = this.#text.scrollTop;
    this.#list.replaceChildren(
      ...this.#problems.map((p) => {
        const li = document.createElement("li");
        li.dataset.line = String(p.line);
        const where = p.column === undefined ? `line ${p.line}` : `line ${p.line}:${p.column}`;
        li.textContent = `${where}: ${p.field === "" ? "" : `${p.field}: `}${p.message}`;
        li.addEventListener("click", () => this.#select(p.line));
        return li;
      }),
    );
  }

  /** Puts the cursor at the start of line `n` and scrolls it into view. */
  #select(n: number): void {
    const lines = this.#text.value.split("\n");
    let at = 0;
    for (let i = 0; i < n - 1 && i < lines.length; i++) at += (lines[i]?.length ?? 0) + 1;
    this.#text.focus();
    this.#text.setSelectionRange(at, at + (lines[n - 1]?.length ?? 0));
  }
}
