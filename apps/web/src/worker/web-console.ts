import { type ConsoleInput, HostConsole, LineEditor, type Vmm, VmmShell } from "@axvisor/app/core";
import { VMStatus } from "@axvisor/axvm";

const GREETING =
  "Welcome to AxVisor Shell! Type help for the commands. Ctrl-A c returns to the console.";

/**
 * The terminal of one VM on the page: typed keys go to the VM's console, and Ctrl-A escapes
 * work as in the CLI (the same HostConsole): Ctrl-A c opens the VMM shell in this terminal
 * (guest output waits meanwhile) and closes it again, Ctrl-A h lists the escapes, Ctrl-A
 * Ctrl-A types Ctrl-A, Ctrl-A x stops this VM (a page has no process to exit).
 */
export class WebConsole {
  readonly id: number;
  readonly #vmm: Vmm;
  readonly #write: (text: Uint8Array | string) => void;
  readonly #console: HostConsole;
  readonly #editor: LineEditor;
  readonly #shell: VmmShell;
  #listener: ((chunk: string) => void) | undefined;
  #shellOpen = false;
  #held: Uint8Array[] = [];
  #queue: Promise<void> = Promise.resolve();

  constructor(id: number, vmm: Vmm, write: (data: Uint8Array | string) => void) {
    this.id = id;
    this.#vmm = vmm;
    this.#write = write;
    const crlf = (t: string) => write(t.replace(/\r?\n/g, "\r\n"));
    this.#shell = new VmmShell({
      vmm,
      print: crlf,
      onExit: () => this.#closeShell(),
    });
    this.#editor = new LineEditor(crlf);
    const input: ConsoleInput = {
      isTTY: true,
      on: (_event, listener) => {
        this.#listener = listener as (chunk: string) => void;
      },
      removeListener: () => {
        this.#listener = undefined;
      },
      resume: () => {},
      pause: () => {},
    };
    this.#console = new HostConsole({
      input,
      messages: { write: (t) => write(t) },
      onInput: (bytes) => this.#typed(bytes),
      onQuit: () => {
        crlf(`\n[axvisor: Ctrl-A x: stopping VM ${id}]\n`);
        if (vmm.hasVm(id) && vmm.vm(id).status !== VMStatus.Stopped) vmm.stopVm(id);
      },
      escapes: [
        {
          key: "c",
          help: "VMM shell (again: back to the guest console)",
          run: () => this.toggleShell(),
        },
      ],
    });
    this.#console.start();
  }

  /** Keys typed into the page's terminal. */
  type(data: string): void {
    this.#listener?.(data);
  }

  /** Guest output: shown, or held while the shell has the terminal. */
  output(bytes: Uint8Array): void {
    if (this.#shellOpen) this.#held.push(bytes);
    else this.#write(bytes);
  }

  toggleShell(): void {
    if (this.#shellOpen) this.#closeShell();
    else {
      this.#shellOpen = true;
      this.#write(`\r\n${GREETING}\r\n${this.#shell.prompt}`);
    }
  }

  #closeShell(): void {
    if (!this.#shellOpen) return;
    this.#shellOpen = false;
    this.#write("\r\n[back to the guest console]\r\n");
    for (const b of this.#held) this.#write(b);
    this.#held = [];
  }

  #typed(bytes: Uint8Array): void {
    if (!this.#shellOpen) {
      if (this.#vmm.hasVm(this.id)) this.#vmm.sendInput(this.id, bytes);
      return;
    }
    for (const line of this.#editor.feed(bytes)) {
      this.#queue = this.#queue.then(async () => {
        await this.#shell.execute(line);
        if (this.#shellOpen) this.#write(this.#shell.prompt);
      });
    }
  }
}
