export { AddrSpace, type AddrSpaceOptions } from "./addr-space.js";
export type { AllocArea, LinearArea, MemoryArea } from "./memory-area.js";
