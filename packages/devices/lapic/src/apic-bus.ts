import type { ApicMessage } from "./apic-message.js";
import type { LocalApic } from "./local-apic.js";
import { DeliveryMode } from "./registers.js";

/** ICR destination shorthands (bits 19:18). */
export const Shorthand = { none: 0, self: 1, allIncludingSelf: 2, allExcludingSelf: 3 } as const;

/**
 * The APIC bus of a board: carries IOAPIC/MSI messages and IPIs to the local APICs they
 * address (physical id, logical flat/cluster, broadcast, shorthands), choosing the APIC with
 * the lowest processor priority for lowest-priority delivery.
 */
export class ApicBus {
  readonly apics: LocalApic[] = [];

  add(apic: LocalApic): void {
    this.apics.push(apic);
  }

  /** A message from an IOAPIC or an MSI. */
  deliver(msg: ApicMessage): void {
    this.#route(
      msg,
      this.apics.filter((a) => a.enabled && a.matches(msg)),
    );
  }

  /** An IPI from `from`'s ICR. */
  sendIpi(from: LocalApic, msg: ApicMessage, shorthand: number): void {
    let targets: LocalApic[];
    switch (shorthand) {
      case Shorthand.self:
        targets = [from];
        break;
      case Shorthand.allIncludingSelf:
        targets = this.apics.filter((a) => a.enabled);
        break;
      case Shorthand.allExcludingSelf:
        targets = this.apics.filter((a) => a !== from && a.enabled);
        break;
      default:
        targets = this.apics.filter((a) => a.enabled && a.matches(msg));
    }
    this.#route(msg, targets);
  }

  #route(msg: ApicMessage, targets: LocalApic[]): void {
    if (targets.length === 0) return;
    if (msg.deliveryMode === DeliveryMode.lowestPriority && targets.length > 1) {
      let best = targets[0]!;
      for (const a of targets) if (a.ppr < best.ppr) best = a;
      best.accept(msg);
      return;
    }
    for (const a of targets) a.accept(msg);
  }
}
