/** Why a board's run loop returned. */
export type MachineExit =
  | {
      readonly kind: "poweroff";
      readonly success: boolean;
      readonly code: number;
      /** What powered it off: "finisher", "htif", "psci", "isa-debug-exit", ... */
      readonly source: string;
      /**
       * The process exit status QEMU gives this way of powering off, where it is not the
       * usual 0/1 (isa-debug-exit: (value << 1) | 1), so scripts written for QEMU work as is.
       */
      readonly processStatus?: number;
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
