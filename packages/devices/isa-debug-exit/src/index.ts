export { IsaDebugExit, type IsaDebugExitOptions } from "./isa-debug-exit.js";
