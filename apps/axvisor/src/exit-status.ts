/**
 * Exit statuses of `axvisor emu` (and later `axvisor run`). Scripts and CI branch on them, so
 * they are part of the interface: keep them stable.
 */
export const ExitStatus = {
  /** --expect matched; or, without --expect, the guest powered off reporting success. */
  Success: 0,
  /** The guest powered off reporting failure (HTIF/finisher fail code, SBI SRST reason 1). */
  GuestFailure: 1,
  /** Usage or host error: bad option, missing or corrupt file, emulator fault. */
  HostError: 2,
  /** --timeout expired. */
  Timeout: 3,
  /** The guest powered off before --expect matched. */
  PoweredOffBeforeExpect: 4,
  /** `axvisor run` got SIGINT (128 + 2) and shut down in order. */
  Interrupted: 130,
  /** `axvisor run` got SIGTERM (128 + 15) and shut down in order. */
  Terminated: 143,
} as const;

export type ExitStatusCode = (typeof ExitStatus)[keyof typeof ExitStatus];

/** How a run ended, as far as the exit status is concerned. */
export type RunOutcome =
  | { readonly kind: "expect-matched" }
  | {
      readonly kind: "poweroff";
      readonly success: boolean;
      readonly code: number;
      readonly source: string;
      /** The exit status QEMU would give (isa-debug-exit), used instead of 0/1 when present. */
      readonly processStatus?: number;
    }
  | { readonly kind: "timeout"; readonly seconds: number }
  | { readonly kind: "host-error"; readonly message: string }
  /** The user left the interactive console (Ctrl-A x). */
  | { readonly kind: "quit" }
  /** SIGINT or SIGTERM: the VMM shut down in order (disks flushed and closed), then exited. */
  | { readonly kind: "signal"; readonly signal: "SIGINT" | "SIGTERM" };

/** The shell's convention for a process ended by a signal: 128 + the signal number. */
const SIGNAL_STATUS = { SIGINT: ExitStatus.Interrupted, SIGTERM: ExitStatus.Terminated } as const;

/** The process exit status: one of ExitStatus, or QEMU's own for isa-debug-exit. */
export function exitStatusFor(outcome: RunOutcome, expecting: boolean): number {
  switch (outcome.kind) {
    case "expect-matched":
      return ExitStatus.Success;
    case "poweroff":
      if (expecting) return ExitStatus.PoweredOffBeforeExpect;
      if (outcome.processStatus !== undefined) return outcome.processStatus;
      return outcome.success ? ExitStatus.Success : ExitStatus.GuestFailure;
    case "timeout":
      return ExitStatus.Timeout;
    case "host-error":
      return ExitStatus.HostError;
    case "quit":
      return ExitStatus.Success;
    case "signal":
      return SIGNAL_STATUS[outcome.signal];
    default: {
      const never: never = outcome;
      throw new Error(`unhandled outcome ${JSON.stringify(never)}`);
    }
  }
}

/** The status line printed on stderr when a run ends (none for an ordinary success). */
export function describeOutcome(outcome: RunOutcome, expecting: boolean): string | undefined {
  switch (outcome.kind) {
    case "expect-matched":
      return undefined;
    case "poweroff":
      if (expecting) {
        return `guest powered off (${outcome.source}, ${outcome.success ? "success" : `failure code ${outcome.code}`}) before --expect matched`;
      }
      return outcome.success
        ? undefined
        : `guest reported failure through ${outcome.source}: code ${outcome.code}`;
    case "timeout":
      return `timeout: ${outcome.seconds} s expired`;
    case "host-error":
      return outcome.message;
    case "quit":
      return undefined;
    case "signal":
      return `${outcome.signal}: VMs stopped, disks flushed and closed`;
    default:
      return undefined;
  }
}

export const EXIT_STATUS_HELP = `Exit status:
  0  --expect matched; without --expect: the guest powered off with success (finisher pass,
     SBI shutdown, HTIF pass), or you quit the console (Ctrl-A x)
  1  the guest powered off reporting failure (HTIF fail, finisher fail code, SBI SRST
     with reason 1 = system failure)
  2  usage or host error (bad option, missing or corrupt file, emulator fault)
  3  --timeout expired
  4  the guest powered off before --expect matched
  N  x86_64 isa-debug-exit: a write of V ends the run with (V << 1) | 1, as QEMU does
  130, 143  SIGINT, SIGTERM (\`axvisor run\` stops its VMs and flushes their disks first)`;
