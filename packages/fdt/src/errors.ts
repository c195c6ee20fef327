import { type AxError, axErr } from "@axvisor/axerrno";

/** A blob that breaks the format: the message says what and where. */
export const fdtError = (message: string): AxError =>
  axErr("InvalidData", `device tree: ${message}`);

/** A misuse of the builder API (bad name, value out of range). */
export const fdtUsage = (message: string): AxError =>
  axErr("InvalidInput", `device tree: ${message}`);
