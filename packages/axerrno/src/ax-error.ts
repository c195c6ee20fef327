import { AX_ERROR_KINDS, type AxErrorKind } from "./error-kind.js";

/**
 * A typed error: `kind` is the machine-readable AxVisor error kind, `message` the human text.
 * Thrown for programmer errors and host failures; guest-triggered faults travel as values
 * (see `AxResult`).
 */
export class AxError extends Error {
  override readonly name = "AxError";
  readonly kind: AxErrorKind;

  constructor(kind: AxErrorKind, message?: string, options?: { cause?: unknown }) {
    super(message ?? AX_ERROR_KINDS[kind].message, options);
    this.kind = kind;
  }

  /** The POSIX errno AxVisor reports for this kind. */
  get errno(): number {
    return AX_ERROR_KINDS[this.kind].errno;
  }

  static is(e: unknown, kind?: AxErrorKind): e is AxError {
    return e instanceof AxError && (kind === undefined || e.kind === kind);
  }
}

/** Shorthand for `new AxError(kind, message)`, used as `throw axErr("NotFound", "...")`. */
export const axErr = (kind: AxErrorKind, message?: string, cause?: unknown): AxError =>
  cause === undefined ? new AxError(kind, message) : new AxError(kind, message, { cause });
