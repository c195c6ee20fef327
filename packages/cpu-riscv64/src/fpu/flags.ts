/** fflags bits (fcsr[4:0]). */
export const NX = 1;
export const UF = 2;
export const OF = 4;
export const DZ = 8;
export const NV = 16;

/**
 * Exceptions raised by the instruction being executed. Arithmetic helpers OR into it;
 * executeFp moves it into the hart's accrued fflags and clears it. A module-level cell keeps
 * the helpers free of a state parameter and allocation-free on the hot path.
 */
export const exc = { flags: 0 };
