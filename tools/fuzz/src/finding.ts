/** What a fuzz case found wrong. Any finding makes `pnpm fuzz` exit 1. */
export interface Finding {
  /**
   * host-error: the host threw, logged an error or crashed a VM; hang: a case did not end;
   * canary: the VM beside the fuzzed one stopped or its memory changed; isolation: the fuzzed
   * VM could reach the canary's memory.
   */
  readonly kind: "host-error" | "hang" | "canary" | "isolation";
  readonly detail: string;
}
