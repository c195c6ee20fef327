export {
  HPET_BASE,
  HPET_CAP_LOW,
  HPET_HZ,
  HPET_PERIOD_FS,
  HPET_ROUTE_CAP,
  HPET_SIZE,
  HPET_TIMERS,
  Hpet,
  type HpetOptions,
} from "./hpet.js";
