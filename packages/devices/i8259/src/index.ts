export { I8259Chip } from "./i8259-chip.js";
export {
  I8259Pair,
  PIC_CASCADE_INPUT,
  PIC_ELCR_PORT,
  PIC_MASTER_PORT,
  PIC_SLAVE_PORT,
} from "./i8259-pair.js";
