export {
  ARCHES,
  type Arch,
  archOfElfMachine,
  ELF_MACHINE,
  isArch,
  parseArch,
} from "./arch.js";
