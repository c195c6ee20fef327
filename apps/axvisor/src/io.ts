import type { ConsoleInput, ConsoleOutput } from "./console/host-console.js";

/** Everything the CLI touches of the process, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: ConsoleOutput;
  readonly stderr: ConsoleOutput;
  /** Absent in tests and when input is not wanted. */
  readonly stdin?: ConsoleInput;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Subscribes to SIGINT/SIGTERM for one run; returns the unsubscribe. Absent in tests. The
   * handler fires once per subscription, so a second signal gets the default (kill) action.
   */
  readonly onSignal?: (handler: (signal: HostSignal) => void) => () => void;
}

/** Signals after which a run shuts down in order (disks flushed and closed) instead of dying. */
export type HostSignal = "SIGINT" | "SIGTERM";
const HOST_SIGNALS: readonly HostSignal[] = ["SIGINT", "SIGTERM"];

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    onSignal: (handler) => {
      const listener = (signal: NodeJS.Signals) => {
        off();
        handler(signal as HostSignal);
      };
      const off = () => {
        for (const sig of HOST_SIGNALS) process.removeListener(sig, listener);
      };
      for (const sig of HOST_SIGNALS) process.on(sig, listener);
      return off;
    },
  };
}
