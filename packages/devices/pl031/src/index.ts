export { PL031_ID, Pl031, type Pl031Clock, type Pl031Options, Pl031Reg } from "./pl031.js";
