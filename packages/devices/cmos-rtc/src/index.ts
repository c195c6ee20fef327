export { CMOS_PORT, type CmosMemorySizes, CmosRtc, type CmosRtcOptions, RTC } from "./cmos-rtc.js";
