export type {
  BreakpointType,
  DebugTarget,
  ResumeAction,
  StopEvent,
} from "./debug-target.js";
export { Signal } from "./debug-target.js";
export { GdbSession, type GdbSessionIo } from "./gdb-session.js";
export { bytesToHex, checksum, framePacket, hexToBytes } from "./packet-codec.js";
export { type Incoming, PacketReader } from "./packet-reader.js";
