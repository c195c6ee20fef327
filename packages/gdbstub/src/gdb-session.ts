import type { BreakpointType, DebugTarget, ResumeAction, StopEvent } from "./debug-target.js";
import { Signal } from "./debug-target.js";
import {
  bytesToHex,
  framePacket,
  hex8,
  hexToBytes,
  parseHex,
  textToHex,
  unescapeBinary,
} from "./packet-codec.js";
import { type Incoming, PacketReader } from "./packet-reader.js";

/** Largest packet we accept and announce (qSupported PacketSize, hex digits). */
const PACKET_SIZE = 0x4000;
const Z_TYPES: readonly BreakpointType[] = ["software", "hardware", "write", "read", "access"];

export interface GdbSessionIo {
  /** Bytes for the debugger (latin1: one char per byte). */
  send(data: string): void;
  /** The session is over (kill, or the target exited and GDB was told). */
  close(): void;
}

/**
 * The protocol engine of one GDB connection, in all-stop mode: feed it the bytes GDB sends
 * (`receive`), it answers through `io.send` and drives the `DebugTarget`. No sockets here; the
 * TCP adapter (`serveGdb`) and the tests feed it directly.
 *
 * While the target runs (after `c`, `s` or `vCont`) only the interrupt byte is acted on;
 * packets GDB sends meanwhile wait until the stop reply has gone out, as all-stop requires.
 */
export class GdbSession {
  readonly #target: DebugTarget;
  readonly #io: GdbSessionIo;
  readonly #reader = new PacketReader();
  #noAck = false;
  /** Thread for register and memory packets (Hg) and for c/s (Hc); 0 = any. */
  #gThread = 0;
  #cThread = 0;
  #running = false;
  #closed = false;
  #queue: Incoming[] = [];
  /** The thread of the last stop: the default for Hg 0. */
  #stopThread = 0;
  #lastStop: StopEvent;
  #physical = false;

  constructor(target: DebugTarget, io: GdbSessionIo, initialStop?: StopEvent) {
    this.#target = target;
    this.#io = io;
    const first = target.threads()[0] ?? 1;
    this.#lastStop = initialStop ?? { kind: "signal", thread: first, signal: Signal.TRAP };
    this.#stopThread = "thread" in this.#lastStop ? this.#lastStop.thread : first;
  }

  get running(): boolean {
    return this.#running;
  }

  get closed(): boolean {
    return this.#closed;
  }

  receive(bytes: Uint8Array): void {
    for (const item of this.#reader.push(bytes)) {
      if (this.#closed) return;
      if (this.#running) {
        if (item.kind === "interrupt") this.#target.interrupt();
        else if (item.kind === "packet" || item.kind === "corrupt") this.#queue.push(item);
        continue;
      }
      this.#handle(item);
    }
  }

  #handle(item: Incoming): void {
    switch (item.kind) {
      case "ack":
      case "nack":
      case "interrupt":
        // Retransmission on nack is not needed over TCP; a stray interrupt while stopped is moot.
        return;
      case "corrupt":
        if (!this.#noAck) this.#io.send("-");
        return;
      case "packet":
        if (!this.#noAck) this.#io.send("+");
        this.#dispatch(item.payload);
    }
  }

  #reply(payload: string): void {
    this.#io.send(framePacket(payload));
  }

  #dispatch(p: string): void {
    const reply = this.#answer(p);
    if (reply !== undefined) this.#reply(reply);
  }

  /** The reply to one packet; undefined when the reply comes later (resume) or never (k). */
  #answer(p: string): string | undefined {
    const c = p[0] ?? "";
    const rest = p.slice(1);
    switch (c) {
      case "?":
        return this.#stopReply(this.#lastStop);
      case "g":
        return bytesToHex(this.#target.readRegisters(this.#regThread()));
      case "G": {
        const data = hexToBytes(rest);
        if (data === undefined) return "E01";
        return this.#target.writeRegisters(this.#regThread(), data) ? "OK" : "E01";
      }
      case "p": {
        const n = parseHex(rest);
        if (n === undefined) return "E01";
        const v = this.#target.readRegister(this.#regThread(), Number(n));
        return v === undefined ? "E45" : bytesToHex(v);
      }
      case "P": {
        const [num, val] = rest.split("=");
        const n = parseHex(num ?? "");
        const data = hexToBytes(val ?? "");
        if (n === undefined || data === undefined) return "E01";
        return this.#target.writeRegister(this.#regThread(), Number(n), data) ? "OK" : "E01";
      }
      case "m":
        return this.#readMemory(rest);
      case "M":
        return this.#writeMemory(rest, false);
      case "X":
        return this.#writeMemory(rest, true);
      case "Z":
      case "z":
        return this.#breakpoint(rest, c === "Z");
      case "c":
      case "s":
      case "C":
      case "S":
        return this.#resumeLegacy(c, rest);
      case "H":
        return this.#setThread(rest);
      case "T": {
        const t = parseThread(rest);
        return t !== undefined && this.#target.threads().includes(t) ? "OK" : "E01";
      }
      case "D":
        this.#target.detach();
        this.#reply("OK");
        this.#finish();
        return undefined;
      case "k":
        this.#target.kill();
        this.#finish();
        return undefined;
      case "q":
        return this.#query(p);
      case "Q":
        if (p === "QStartNoAckMode") {
          this.#reply("OK");
          this.#noAck = true;
          return undefined;
        }
        if (p.startsWith("Qqemu.PhyMemMode:")) return this.#phyMemMode(p.slice(17));
        return "";
      case "v":
        return this.#vPacket(p);
      default:
        return "";
    }
  }

  #query(p: string): string {
    if (p.startsWith("qSupported")) {
      return `PacketSize=${PACKET_SIZE.toString(16)};qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+`;
    }
    if (p.startsWith("qXfer:features:read:")) {
      const [annex, range] = p.slice("qXfer:features:read:".length).split(":");
      const doc = this.#target.features(annex ?? "");
      const [off, len] = (range ?? "").split(",").map((x) => parseHex(x));
      if (doc === undefined) return "E00";
      if (off === undefined || len === undefined) return "E01";
      const o = Number(off);
      const chunk = doc.slice(o, o + Number(len));
      return (o + Number(len) >= doc.length ? "l" : "m") + chunk;
    }
    if (p === "qfThreadInfo") return `m${this.#target.threads().map(threadId).join(",")}`;
    if (p === "qsThreadInfo") return "l";
    if (p === "qC") return `QC${threadId(this.#stopThread)}`;
    if (p.startsWith("qAttached")) return "1";
    if (p.startsWith("qThreadExtraInfo,")) {
      const t = parseThread(p.slice("qThreadExtraInfo,".length));
      return t === undefined ? "E01" : textToHex(this.#target.threadInfo(t));
    }
    if (p.startsWith("qSymbol")) return "OK";
    if (p === "qqemu.PhyMemMode") return this.#physical ? "1" : "0";
    return "";
  }

  #vPacket(p: string): string | undefined {
    if (p === "vCont?") return "vCont;c;C;s;S";
    if (p.startsWith("vCont;")) {
      const actions: ResumeAction[] = [];
      for (const part of p.slice(6).split(";")) {
        const [act, th] = part.split(":");
        const a = (act ?? "")[0];
        if (a !== "c" && a !== "s" && a !== "C" && a !== "S") return "E01";
        const t = th === undefined ? "all" : parseThread(th);
        if (t === undefined) return "E01";
        actions.push({ thread: t === -1 || t === 0 ? "all" : t, step: a === "s" || a === "S" });
      }
      this.#resume(actions);
      return undefined;
    }
    if (p.startsWith("vKill")) {
      this.#target.kill();
      this.#reply("OK");
      this.#finish();
      return undefined;
    }
    return "";
  }

  #phyMemMode(arg: string): string {
    const set = this.#target.setPhysicalMemoryMode?.bind(this.#target);
    if (set === undefined) return "";
    if (arg !== "0" && arg !== "1") return "E01";
    this.#physical = arg === "1";
    set(this.#physical);
    return "OK";
  }

  #setThread(rest: string): string {
    const op = rest[0];
    const t = parseThread(rest.slice(1));
    if (t === undefined || (t > 0 && !this.#target.threads().includes(t))) return "E01";
    if (op === "g") this.#gThread = t;
    else if (op === "c") this.#cThread = t;
    else return "E01";
    return "OK";
  }

  /** The thread register and memory packets address (Hg; any = the one that stopped). */
  #regThread(): number {
    const threads = this.#target.threads();
    if (this.#gThread > 0 && threads.includes(this.#gThread)) return this.#gThread;
    return threads.includes(this.#stopThread) ? this.#stopThread : (threads[0] ?? 1);
  }

  #readMemory(rest: string): string {
    const [a, l] = rest.split(",");
    const addr = parseHex(a ?? "");
    const len = parseHex(l ?? "");
    if (addr === undefined || len === undefined) return "E01";
    const n = Math.min(Number(len), PACKET_SIZE / 2);
    const data = this.#target.readMemory(this.#regThread(), addr, n);
    return data.length === 0 && n > 0 ? "E14" : bytesToHex(data);
  }

  #writeMemory(rest: string, binary: boolean): string {
    const colon = rest.indexOf(":");
    if (colon < 0) return "E01";
    const [a, l] = rest.slice(0, colon).split(",");
    const addr = parseHex(a ?? "");
    const len = parseHex(l ?? "");
    const body = rest.slice(colon + 1);
    const data = binary ? unescapeBinary(body) : hexToBytes(body);
    if (addr === undefined || len === undefined || data === undefined) return "E01";
    if (data.length !== Number(len)) return "E01";
    if (data.length === 0) return "OK";
    return this.#target.writeMemory(this.#regThread(), addr, data) ? "OK" : "E14";
  }

  #breakpoint(rest: string, insert: boolean): string {
    const [t, a, k] = rest.split(/[,;]/);
    const type = Z_TYPES[Number(t)];
    const addr = parseHex(a ?? "");
    const kind = parseHex(k ?? "");
    if (type === undefined || addr === undefined || kind === undefined) return "E01";
    const r = this.#target.setBreakpoint(type, addr, Number(kind), insert);
    return r === "ok" ? "OK" : r === "error" ? "E22" : "";
  }

  #resumeLegacy(c: string, rest: string): undefined {
    // An address argument (resume at addr) is accepted as GDB never sends it for these targets.
    void rest;
    const step = c === "s" || c === "S";
    const t = this.#cThread;
    if (step) {
      const thread = t > 0 ? t : this.#regThread();
      this.#resume([{ thread, step: true }]);
    } else {
      this.#resume([{ thread: "all", step: false }]);
    }
    return undefined;
  }

  #resume(actions: readonly ResumeAction[]): void {
    this.#running = true;
    this.#target.resume(actions).then(
      (stop) => this.#stopped(stop),
      (e: unknown) => {
        // A host failure while running: tell GDB the thread died of a bus error.
        void e;
        this.#stopped({ kind: "signal", thread: this.#stopThread, signal: Signal.SEGV });
      },
    );
  }

  #stopped(stop: StopEvent): void {
    this.#running = false;
    if (this.#closed) return;
    this.#lastStop = stop;
    if ("thread" in stop) {
      this.#stopThread = stop.thread;
      this.#gThread = 0;
    }
    this.#reply(this.#stopReply(stop));
    if (stop.kind === "exited") {
      this.#finish();
      return;
    }
    const queued = this.#queue;
    this.#queue = [];
    for (const item of queued) {
      if (this.#running || this.#closed) this.#queue.push(item);
      else this.#handle(item);
    }
  }

  #stopReply(stop: StopEvent): string {
    switch (stop.kind) {
      case "exited":
        return `W${hex8(stop.code)}`;
      case "signal":
        return `T${hex8(stop.signal)}thread:${threadId(stop.thread)};`;
      case "breakpoint":
        return `T05thread:${threadId(stop.thread)};${stop.type === "software" ? "swbreak" : "hwbreak"}:;`;
      case "watchpoint": {
        const name = stop.type === "write" ? "watch" : stop.type === "read" ? "rwatch" : "awatch";
        return `T05thread:${threadId(stop.thread)};${name}:${stop.addr.toString(16)};`;
      }
    }
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#io.close();
  }
}

function threadId(t: number): string {
  return t.toString(16);
}

/** A thread id of a packet: hex, or -1 for all; undefined when malformed. */
function parseThread(text: string): number | undefined {
  if (text === "-1") return -1;
  // Multiprocess form p<pid>.<tid>: the process is the whole target.
  const tid = text.startsWith("p") ? text.split(".")[1] : text;
  const v = parseHex(tid ?? "");
  return v === undefined ? undefined : Number(v);
}
