export { DeviceTree } from "./device-tree.js";
export { toDts } from "./dts.js";
export {
  FDT_BEGIN_NODE,
  FDT_END,
  FDT_END_NODE,
  FDT_HEADER_SIZE,
  FDT_LAST_COMP_VERSION,
  FDT_MAGIC,
  FDT_NOP,
  FDT_PROP,
  FDT_VERSION,
  type MemoryReservation,
} from "./format.js";
export { FdtNode, type RegEntry } from "./node.js";
export { FdtProperty } from "./property.js";
export { type ParsedFdt, parseFdt } from "./reader.js";
export {
  cellsToBigInt,
  cellsToNumber,
  encodeString,
  encodeStrings,
  encodeU32s,
  encodeU64s,
  numberToCells,
} from "./values.js";
export { type SerializeOptions, serializeFdt } from "./writer.js";
