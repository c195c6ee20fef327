export { FaultInjectingMemory } from "./fault-injecting-memory.js";
export {
  createTestHost,
  type InjectionRecord,
  type LogRecord,
  type TestHost,
  type TestHostOptions,
} from "./test-host.js";
