export {
  AccessWidth,
  accessWidthBits,
  accessWidthFromBytes,
  maskToWidth,
  signExtendFromWidth,
} from "./access-width.js";
export {
  addrFromBigInt,
  formatGpa,
  formatGva,
  formatHex,
  formatHpa,
  type GuestPhysAddr,
  type GuestVirtAddr,
  gpa,
  gva,
  type HostPhysAddr,
  type HostVirtAddr,
  hpa,
  hva,
  MAX_ADDR,
} from "./address.js";
export {
  alignDown,
  alignDown4K,
  alignUp,
  alignUp4K,
  isAligned,
  isAligned4K,
  isPowerOfTwo,
  PAGE_SIZE_1G,
  PAGE_SIZE_2M,
  PAGE_SIZE_4K,
  PAGE_SIZE_16K,
  pageOffset4K,
} from "./align.js";
export {
  flagsAllow,
  formatMappingFlags,
  MAPPING_FLAGS_ALL,
  MappingFlags,
} from "./mapping-flags.js";
export { type Port, type PortRange, port, portRange, portRangeContains } from "./port.js";
export {
  type AddrRange,
  addrRange,
  formatRange,
  rangeContains,
  rangeContainsRange,
  rangeContainsSpan,
  rangeFromSize,
  rangeIsEmpty,
  rangeSize,
  rangesOverlap,
} from "./range.js";
export {
  type SysRegAddr,
  type SysRegAddrRange,
  sysRegAddr,
  sysRegAddrRange,
  sysRegRangeContains,
} from "./sysreg.js";
