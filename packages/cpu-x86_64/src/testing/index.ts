export { TestPc } from "./test-machine.js";
