export {
  FINISHER_FAIL,
  FINISHER_PASS,
  FINISHER_RESET,
  type FinishRequest,
  SIFIVE_TEST_DEFAULT_SIZE,
  SifiveTest,
  type SifiveTestOptions,
} from "./sifive-test.js";
