// The messages between the page and the VMM worker. Everything is structured-cloneable;
// console bytes travel as Uint8Array.

/** A lifecycle operation of the VMM panel, the shell's `vm start|stop|...`. */
export type VmOp = "start" | "stop" | "suspend" | "resume" | "restart" | "delete";

export type ToWorker =
  /** Puts a file into the VMM's host files (a picked or dropped image or disk). */
  | { t: "put-file"; seq: number; path: string; bytes: Uint8Array; readOnly: boolean }
  /** Fetches a URL into the VMM's host files (a guest the site serves). */
  | { t: "fetch-file"; seq: number; url: string; path: string; readOnly: boolean }
  /**
   * Creates a VM from a TOML config; `source` is the path relative image paths start from.
   * `freeId` gives it the next free VM id when its own is taken (the page's presets).
   */
  | { t: "create"; seq: number; toml: string; source: string; start: boolean; freeId: boolean }
  | { t: "op"; seq: number; op: VmOp; id: number }
  /** Keyboard input of a VM's terminal (Ctrl-A escapes are handled in the worker). */
  | { t: "input"; id: number; data: string };

/** A command of the page awaiting a reply, before `call` numbers it. */
export type WorkerCommand = ToWorker extends infer M
  ? M extends { seq: number }
    ? Omit<M, "seq">
    : never
  : never;

export interface VcpuView {
  readonly state: "stopped" | "runnable" | "halted";
}

export interface VmView {
  readonly id: number;
  readonly name: string;
  readonly status: string;
  readonly vcpus: readonly VcpuView[];
  readonly memoryBytes: number;
  /** How its last run ended, in the shell's words. */
  readonly end?: string;
}

/** Counters of one VM at one moment; the page turns differences into rates. */
export interface VmSample {
  readonly id: number;
  readonly instructions: number;
  readonly runMs: number;
  readonly haltedMs: number;
  readonly waitingMs: number;
  /** Exits so far, indexed as `kinds` of the stats message. */
  readonly exits: readonly number[];
}

export interface HostView {
  readonly platform: string;
  readonly cpus: number;
  readonly ramBytes: number;
  /** SharedArrayBuffer available: RAM in a shared WebAssembly.Memory, the JIT on. */
  readonly isolated: boolean;
}

export type FromWorker =
  | { t: "ready"; host: HostView }
  | { t: "output"; id: number; data: Uint8Array }
  | { t: "vms"; vms: readonly VmView[] }
  | { t: "stats"; at: number; kinds: readonly string[]; vms: readonly VmSample[] }
  | { t: "log"; line: string }
  | { t: "reply"; seq: number; ok: boolean; message: string; id?: number }
  | { t: "fatal"; message: string };
