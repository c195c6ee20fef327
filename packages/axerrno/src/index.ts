export { AxError, axErr } from "./ax-error.js";
export { AX_ERROR_KINDS, type AxErrorKind, isAxErrorKind } from "./error-kind.js";
export { type AxResult, err, OK_VOID, ok, tryAx, unwrap } from "./result.js";
