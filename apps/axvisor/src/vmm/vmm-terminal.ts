import { HostConsole } from "../console/host-console.js";
import type { CliIo } from "../io.js";
import { LineEditor } from "../shell/line-editor.js";
import { VmmShell, type VmmShellOptions } from "../shell/vmm-shell.js";
import type { ConsoleMux } from "./console-mux.js";
import type { Vmm } from "./vmm.js";

export interface VmmTerminalOptions {
  readonly io: CliIo;
  readonly vmm: Vmm;
  readonly mux: ConsoleMux;
  /** `axvisor shell`: the shell has the terminal all the time. */
  readonly shellOnly: boolean;
  /** Ctrl-A x. */
  readonly onQuit: () => void;
  /** The shell's `exit [CODE]`. */
  readonly onExit: (code: number) => void;
  /** Standard input ended (a piped script ran out). */
  readonly onInputEnd?: () => void;
  /** Ctrl-A c closed the shell. */
  readonly onShellClose?: () => void;
  /** Serves gdb for the shell's `vm debug`. */
  readonly serveGdb?: VmmShellOptions["serveGdb"];
  /** Snapshot files for the shell's `vm snapshot` / `vm restore`. */
  readonly snapshots?: VmmShellOptions["snapshots"];
}

const GREETING = "Welcome to AxVisor Shell! Type help for the commands.";

/**
 * The terminal side of the VMM: keyboard input goes to the VM that has the console focus
 * (its UART, virtio-console or SBI console), or to the shell. On a terminal, Ctrl-A c opens
 * and closes the shell (guest output waits meanwhile) and Ctrl-A n moves the focus to the next
 * VM. Shell lines run one after the other, in order.
 */
export class VmmTerminal {
  readonly shell: VmmShell;
  readonly #opts: VmmTerminalOptions;
  readonly #console: HostConsole;
  readonly #editor: LineEditor;
  readonly #interactive: boolean;
  #shellOpen: boolean;
  #focus: number | undefined;
  #queue: Promise<void> = Promise.resolve();
  #partial = "";

  constructor(options: VmmTerminalOptions) {
    this.#opts = options;
    const { io, mux } = options;
    this.#interactive = io.stdin?.isTTY === true;
    this.#shellOpen = options.shellOnly;
    this.shell = new VmmShell({
      vmm: options.vmm,
      print: (t) => mux.answer(t),
      onExit: (code) => options.onExit(code),
      ...(options.serveGdb !== undefined ? { serveGdb: options.serveGdb } : {}),
      ...(options.snapshots !== undefined ? { snapshots: options.snapshots } : {}),
    });
    this.#editor = new LineEditor((t) => mux.print(t));
    this.#console = new HostConsole({
      ...(io.stdin !== undefined ? { input: io.stdin } : {}),
      messages: io.stderr,
      onInput: (bytes) => this.input(bytes),
      onQuit: () => options.onQuit(),
      escapes: [
        ...(options.shellOnly
          ? []
          : [
              {
                key: "c",
                help: "VMM shell (again: back to the guest console)",
                run: () => this.toggleShell(),
              },
            ]),
        { key: "n", help: "send console input to the next VM", run: () => this.nextFocus() },
      ],
    });
  }

  get shellOpen(): boolean {
    return this.#shellOpen;
  }

  /** The VM keyboard input goes to (the first VM until Ctrl-A n moves it). */
  get focus(): number | undefined {
    const vms = this.#opts.vmm.vms;
    if (this.#focus === undefined || !vms.some((v) => v.id === this.#focus))
      this.#focus = vms[0]?.id;
    return this.#focus;
  }

  start(): void {
    this.#console.start();
    const stdin = this.#opts.io.stdin as { on?(event: "end", f: () => void): unknown } | undefined;
    stdin?.on?.("end", () => this.#opts.onInputEnd?.());
    if (this.#shellOpen) this.#openShell();
  }

  stop(): void {
    this.#console.stop();
    this.#opts.mux.release();
  }

  /** Typed bytes: to the shell when it is open, else to the focused VM. */
  input(bytes: Uint8Array): void {
    if (!this.#shellOpen) {
      const id = this.focus;
      if (id !== undefined) this.#opts.vmm.sendInput(id, bytes);
      return;
    }
    const lines = this.#interactive ? this.#editor.feed(bytes) : this.#lines(bytes);
    for (const line of lines) this.#run(line);
  }

  /** Runs a shell line after the ones before it; resolves when it is done. */
  runLine(line: string): Promise<void> {
    this.#run(line);
    return this.#queue;
  }

  toggleShell(): void {
    if (this.#opts.shellOnly) return;
    if (this.#shellOpen) {
      this.#shellOpen = false;
      this.#opts.mux.print("\n[back to the guest console]\n");
      this.#opts.mux.release();
      this.#opts.onShellClose?.();
    } else {
      this.#shellOpen = true;
      this.#opts.mux.hold();
      this.#opts.mux.print("\n");
      this.#openShell();
    }
  }

  nextFocus(): void {
    const vms = this.#opts.vmm.vms;
    if (vms.length === 0) return;
    const i = vms.findIndex((v) => v.id === this.focus);
    const next = vms[(i + 1) % vms.length]!;
    this.#focus = next.id;
    this.#opts.mux.line(`axvisor: console input goes to ${next.label}`);
  }

  #openShell(): void {
    const mux = this.#opts.mux;
    mux.print(`${GREETING}${this.#opts.shellOnly ? "" : " Ctrl-A c returns to the console."}\n`);
    if (this.#interactive) mux.print(this.shell.prompt);
  }

  #lines(bytes: Uint8Array): string[] {
    this.#partial += new TextDecoder().decode(bytes);
    const parts = this.#partial.split(/\r?\n/);
    this.#partial = parts.pop() ?? "";
    return parts;
  }

  #run(line: string): void {
    this.#queue = this.#queue.then(async () => {
      await this.shell.execute(line);
      if (this.#interactive && this.#shellOpen) this.#opts.mux.print(this.shell.prompt);
    });
  }
}
