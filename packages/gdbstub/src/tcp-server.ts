import { createServer, type Server, type Socket } from "node:net";
import type { DebugTarget, StopEvent } from "./debug-target.js";
import { GdbSession } from "./gdb-session.js";

export interface GdbServerOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one (see `GdbServer.port`). */
  readonly port: number;
  /** The target, or a function making it when a debugger connects (e.g. attach on connect). */
  readonly target: DebugTarget | (() => DebugTarget);
  /** The stop GDB is told about at attach (default: SIGTRAP on the first thread). */
  readonly initialStop?: () => StopEvent;
  /** A debugger connected or went away. */
  readonly onConnection?: (event: "connected" | "disconnected") => void;
}

/** A listening gdb stub: one debugger connection at a time, as QEMU's `-gdb tcp::PORT`. */
export interface GdbServer {
  readonly port: number;
  /** Resolves when a debugger has connected (at once if one is connected). */
  connected(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:`port` and runs a `GdbSession` per connection. A second debugger is
 * refused while one is attached. Losing the connection detaches (breakpoints removed, the
 * target runs on), as QEMU does.
 */
export function serveGdb(options: GdbServerOptions): Promise<GdbServer> {
  let active: Socket | undefined;
  let waiters: (() => void)[] = [];
  const server: Server = createServer((socket) => {
    if (active !== undefined) {
      socket.destroy();
      return;
    }
    active = socket;
    socket.setNoDelay(true);
    const target = typeof options.target === "function" ? options.target() : options.target;
    const session = new GdbSession(
      target,
      {
        send: (data) => {
          if (!socket.destroyed) socket.write(Buffer.from(data, "latin1"));
        },
        close: () => socket.end(),
      },
      options.initialStop?.(),
    );
    socket.on("data", (chunk: Buffer) => session.receive(chunk));
    const gone = (): void => {
      if (active !== socket) return;
      active = undefined;
      if (!session.closed) target.detach();
      options.onConnection?.("disconnected");
    };
    socket.on("close", gone);
    socket.on("error", gone);
    options.onConnection?.("connected");
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => {
      server.off("error", reject);
      const addr = server.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : options.port;
      resolve({
        port,
        connected: () =>
          active !== undefined ? Promise.resolve() : new Promise((r) => waiters.push(r)),
        close: () =>
          new Promise<void>((r) => {
            // Let the last reply (an exit report still in a promise callback) reach the
            // debugger before the socket goes.
            setImmediate(() => {
              const socket = active;
              socket?.end();
              const force = setTimeout(() => socket?.destroy(), 1000);
              server.close(() => {
                clearTimeout(force);
                r();
              });
            });
          }),
      });
    });
  });
}
