export {
  GOLDFISH_RTC_DEFAULT_SIZE,
  GoldfishRtc,
  type GoldfishRtcOptions,
  hostWallClock,
  RtcReg,
  type WallClock,
} from "./goldfish-rtc.js";
