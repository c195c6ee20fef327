import { AxError } from "./ax-error.js";
import type { AxErrorKind } from "./error-kind.js";

/**
 * The outcome of an operation a guest can make fail (a store to an unmapped address, a read
 * from a device hole): returned, never thrown, so a misbehaving guest cannot unwind the host.
 */
export type AxResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: AxError };

export const ok = <T>(value: T): AxResult<T> => ({ ok: true, value });
export const OK_VOID: AxResult<void> = { ok: true, value: undefined };

export function err<T = never>(kind: AxErrorKind, message?: string): AxResult<T> {
  return { ok: false, error: new AxError(kind, message) };
}

/** Returns the value of a successful result, or throws its error. */
export function unwrap<T>(r: AxResult<T>): T {
  if (r.ok) return r.value;
  throw r.error;
}

/** Runs `fn`, turning a thrown AxError into a failed result; other exceptions propagate. */
export function tryAx<T>(fn: () => T): AxResult<T> {
  try {
    return ok(fn());
  } catch (e) {
    if (e instanceof AxError) return { ok: false, error: e };
    throw e;
  }
}
