/** fflags bits (fcsr[4:0]): softfloat's flag encoding is RISC-V's. */
export { DZ, NV, NX, OF, UF } from "@axvisor/softfloat";
