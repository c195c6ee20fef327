import type { Hart } from "../hart.js";
import type { SharedMsip } from "./shared-msip.js";

const CSR_MIE = 0x304;
const MSIP_LINE = 3;

/** Where a hart of a threaded group is: running, halted in WFI until an IPI, or finished. */
export type HartRunState = "running" | "waiting" | "done";

/**
 * Drives one hart of a group whose harts share RAM and MSIP words (possibly from other
 * threads): runs slices, feeds the hart its MSIP line at each slice boundary, and tells a
 * WFI that can still be woken (a machine interrupt enabled in mie) from one that ends the
 * hart's work (mie = 0: nothing can ever wake it).
 */
export class HartRunner {
  state: HartRunState = "running";

  constructor(
    readonly hart: Hart,
    private readonly msip: SharedMsip,
    private readonly maxInstructions: number,
  ) {}

  /** Runs up to `slice` instructions (nothing while waiting and no IPI came); the new state. */
  step(slice: number): HartRunState {
    if (this.state === "done") return "done";
    const ipi = this.msip.pending(this.hart.hartId);
    this.hart.setInterruptLine(MSIP_LINE, ipi);
    if (this.state === "waiting") {
      if (!ipi) return "waiting";
      this.state = "running";
    }
    const why = this.hart.run(slice);
    if (why === "wfi") {
      this.state = this.hart.readCsrNum(CSR_MIE) === 0 ? "done" : "waiting";
    } else if (why !== "budget") {
      throw new Error(`hart ${this.hart.hartId}: unexpected ${why} outside host-trap mode`);
    }
    if (this.state !== "done" && this.hart.instret >= this.maxInstructions) {
      throw new Error(
        `hart ${this.hart.hartId} did not finish within ${this.maxInstructions} instructions (pc ${this.hart.getPc().toString(16)})`,
      );
    }
    return this.state;
  }
}
