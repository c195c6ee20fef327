/**
 * The off-thread compile queue: one compile worker per JavaScript thread that asks for one
 * (started on first use, `unref`ed so it never keeps a process alive), and per queue a message
 * channel plus a shared counter of finished modules. The guest thread never waits on the
 * event loop: it reads the counter (`ready`) and pulls results with `receiveMessageOnPort`.
 *
 * The worker turns V8's lazy wasm compilation off (process-wide: V8 flags are global), so the
 * module it posts back carries baseline code for every function and the guest thread compiles
 * nothing when it first calls a region. V8's background tier-up of hot functions is unchanged.
 */
import type { MessagePort, Worker } from "node:worker_threads";
import type { CompiledModuleHandler, CompileQueue } from "./compile-queue.js";
import type { WasmModule } from "./wasm-api.js";

type WorkerThreads = typeof import("node:worker_threads");

/** CommonJS source of the compile worker (evaluated: no file to resolve, bundlers unaffected). */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
require("node:v8").setFlagsFromString("--no-wasm-lazy-compilation");
parentPort.on("message", (q) => {
  const done = new Int32Array(q.done);
  q.port.on("message", (m) => {
    let reply;
    try {
      reply = { ticket: m.ticket, module: new WebAssembly.Module(m.bytes) };
    } catch (e) {
      reply = { ticket: m.ticket, error: String((e && e.message) || e) };
    }
    q.port.postMessage(reply);
    Atomics.add(done, 0, 1);
    Atomics.notify(done, 0);
  });
  q.port.on("close", () => q.port.removeAllListeners());
});
`;

/** How long `drain` waits without any module finishing before it gives up. */
const DRAIN_STALL_MS = 60_000;

interface Reply {
  readonly ticket: number;
  readonly module?: WasmModule;
  readonly error?: string;
}

let threads: WorkerThreads | null | undefined;
let worker: Worker | null | undefined;

function workerThreads(): WorkerThreads | null {
  if (threads === undefined) {
    const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process;
    threads =
      (proc?.getBuiltinModule?.("node:worker_threads") as WorkerThreads | undefined) ?? null;
  }
  return threads;
}

function compileWorker(wt: WorkerThreads): Worker | null {
  if (worker === undefined) {
    try {
      const w = new wt.Worker(WORKER_SOURCE, { eval: true, name: "axvisor-jit-compile" });
      w.unref();
      // A worker that dies takes its queues' pending modules with it; new queues then
      // compile synchronously, and `drain` of an old one reports the stall.
      w.on("error", () => {
        worker = null;
      });
      w.on("exit", () => {
        worker = null;
      });
      worker = w;
    } catch {
      worker = null;
    }
  }
  return worker;
}

class WorkerCompileQueue implements CompileQueue {
  readonly offThread = true;
  private readonly done = new Int32Array(new SharedArrayBuffer(4));
  private submitted = 0;
  private taken = 0;

  constructor(
    private readonly wt: WorkerThreads,
    private readonly port: MessagePort,
  ) {}

  /** The queue's end of the channel and its counter, as the worker receives them. */
  get sharedCounter(): SharedArrayBuffer {
    return this.done.buffer as SharedArrayBuffer;
  }

  submit(bytes: Uint8Array): number {
    const ticket = ++this.submitted;
    const copy = bytes.slice();
    this.port.postMessage({ ticket, bytes: copy }, [copy.buffer]);
    return ticket;
  }

  get ready(): boolean {
    return this.done[0]! > this.taken;
  }

  get pending(): number {
    return this.submitted - this.taken;
  }

  take(fn: CompiledModuleHandler): number {
    let n = 0;
    for (;;) {
      const m = this.wt.receiveMessageOnPort(this.port);
      if (m === undefined) return n;
      this.taken++;
      n++;
      const r = m.message as Reply;
      if (r.module === undefined) {
        throw new Error(`JIT module ${r.ticket} failed to compile: ${r.error}`);
      }
      fn(r.ticket, r.module);
    }
  }

  drain(fn: CompiledModuleHandler): number {
    let n = 0;
    let progressAt = Date.now();
    while (this.taken < this.submitted) {
      const got = this.take(fn);
      n += got;
      if (got !== 0) progressAt = Date.now();
      if (this.taken >= this.submitted) break;
      const seen = Atomics.load(this.done, 0);
      if (seen <= this.taken) Atomics.wait(this.done, 0, seen, 100);
      if (Date.now() - progressAt > DRAIN_STALL_MS) {
        throw new Error(
          `the JIT compile worker finished no module in ${DRAIN_STALL_MS / 1000} s (${this.pending} pending)`,
        );
      }
    }
    return n;
  }

  close(): void {
    this.port.close();
    this.submitted = this.taken;
  }
}

/** An off-thread queue, or undefined where worker threads are unavailable. */
export function openWorkerCompileQueue(): CompileQueue | undefined {
  const wt = workerThreads();
  if (wt === null) return undefined;
  const w = compileWorker(wt);
  if (w === null) return undefined;
  const { port1, port2 } = new wt.MessageChannel();
  const q = new WorkerCompileQueue(wt, port1);
  w.postMessage({ port: port2, done: q.sharedCounter }, [port2]);
  return q;
}
