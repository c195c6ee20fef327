/** Why a board's run loop returned. */
export type MachineExit =
  | {
      readonly kind: "poweroff";
      readonly success: boolean;
      readonly code: number;
      /** What powered it off: "finisher", "htif", "psci", "isa-debug-exit", ... */
      readonly source: string;
    }
  /** `stop(reason)` was called (an expect match, a timeout, the user quitting). */
  | { readonly kind: "stopped"; readonly reason: string }
  /** The emulator itself failed (a host bug): never caused by what a guest does. */
  | {
      readonly kind: "fault";
      readonly message: string;
      readonly cpu: number;
      readonly pc: bigint;
    };
