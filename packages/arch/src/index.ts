export {
  ARCHES,
  type Arch,
  archOfElfMachine,
  ELF_MACHINE,
  elfMachineName,
  isArch,
  parseArch,
} from "./arch.js";
