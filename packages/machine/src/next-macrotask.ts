/**
 * Resolves after the host has served its pending events (I/O, messages, timers): Node's
 * `setImmediate`, or in a browser or worker a MessageChannel message, which, unlike
 * `setTimeout(0)`, is not clamped to 4 ms when called in a loop. Long-running emulation loops
 * call it every few milliseconds so input and commands are served while guests compute.
 */
export function nextMacrotask(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  if (typeof immediate === "function") return new Promise((resolve) => immediate(resolve));
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (waiting.length === 1) channel().postMessage(null);
  });
}

/** The part of a MessagePort used here (typed structurally: Node's types differ from the DOM's). */
interface Port {
  postMessage(message: unknown): void;
  onmessage: ((event: unknown) => void) | null;
}

let waiting: (() => void)[] = [];
let port: Port | undefined;

function channel(): Port {
  if (port === undefined) {
    const ch = new MessageChannel() as unknown as { port1: Port; port2: Port };
    ch.port1.onmessage = () => {
      const run = waiting;
      waiting = [];
      for (const resolve of run) resolve();
    };
    port = ch.port2;
  }
  return port;
}
