/**
 * The error kinds of AxVisor's `axerrno::AxError`, with the errno each one maps to. Kept in
 * one table so the name, code and message of a kind cannot drift apart.
 */
export const AX_ERROR_KINDS = {
  AddrInUse: { errno: 98, message: "Address in use" },
  AlreadyExists: { errno: 17, message: "Entity already exists" },
  BadAddress: { errno: 14, message: "Bad address" },
  BadState: { errno: 5, message: "Bad internal state" },
  ConnectionRefused: { errno: 111, message: "Connection refused" },
  ConnectionReset: { errno: 104, message: "Connection reset" },
  DirectoryNotEmpty: { errno: 39, message: "Directory not empty" },
  InvalidData: { errno: 22, message: "Invalid data" },
  InvalidInput: { errno: 22, message: "Invalid input parameter" },
  Io: { errno: 5, message: "I/O error" },
  IsADirectory: { errno: 21, message: "Is a directory" },
  NoMemory: { errno: 12, message: "Out of memory" },
  NotADirectory: { errno: 20, message: "Not a directory" },
  NotConnected: { errno: 107, message: "Not connected" },
  NotFound: { errno: 2, message: "Entity not found" },
  OutOfRange: { errno: 34, message: "Out of range" },
  PermissionDenied: { errno: 13, message: "Permission denied" },
  ResourceBusy: { errno: 16, message: "Resource busy" },
  StorageFull: { errno: 28, message: "No storage space" },
  Timeout: { errno: 110, message: "Timed out" },
  UnexpectedEof: { errno: 5, message: "Unexpected end of file" },
  Unsupported: { errno: 95, message: "Operation not supported" },
  WouldBlock: { errno: 11, message: "Operation would block" },
  WriteZero: { errno: 5, message: "Write zero" },
} as const;

export type AxErrorKind = keyof typeof AX_ERROR_KINDS;

export const isAxErrorKind = (s: string): s is AxErrorKind => Object.hasOwn(AX_ERROR_KINDS, s);
