export { I8254, type I8254Options, PIT_HZ, PIT_PORT, PORT_B } from "./i8254.js";
export { PitCounter } from "./pit-counter.js";
