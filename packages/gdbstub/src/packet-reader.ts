import { checksum } from "./packet-codec.js";

/** What arrives from the debugger, one protocol unit at a time. */
export type Incoming =
  | { readonly kind: "packet"; readonly payload: string }
  /** A packet whose checksum did not match: the sender must retransmit (we answer `-`). */
  | { readonly kind: "corrupt" }
  | { readonly kind: "ack" }
  | { readonly kind: "nack" }
  /** The out-of-band interrupt byte 0x03 (Ctrl-C) while the target runs. */
  | { readonly kind: "interrupt" };

enum State {
  Idle,
  Body,
  Sum1,
  Sum2,
}

/**
 * Splits the byte stream from GDB into packets, acks and interrupts. Bytes arrive in any
 * chunking (TCP segments); state carries across `push` calls. Noise between packets is
 * ignored, as the protocol allows.
 */
export class PacketReader {
  #state = State.Idle;
  #body = "";
  #sum = "";

  push(bytes: Uint8Array): Incoming[] {
    const out: Incoming[] = [];
    for (const b of bytes) {
      switch (this.#state) {
        case State.Idle:
          if (b === 0x24) {
            this.#state = State.Body;
            this.#body = "";
          } else if (b === 0x2b) out.push({ kind: "ack" });
          else if (b === 0x2d) out.push({ kind: "nack" });
          else if (b === 0x03) out.push({ kind: "interrupt" });
          break;
        case State.Body:
          if (b === 0x23) this.#state = State.Sum1;
          else this.#body += String.fromCharCode(b);
          break;
        case State.Sum1:
          this.#sum = String.fromCharCode(b);
          this.#state = State.Sum2;
          break;
        case State.Sum2: {
          this.#sum += String.fromCharCode(b);
          this.#state = State.Idle;
          const want = Number.parseInt(this.#sum, 16);
          out.push(
            want === checksum(this.#body)
              ? { kind: "packet", payload: expandRunLength(this.#body) }
              : { kind: "corrupt" },
          );
          break;
        }
      }
    }
    return out;
  }
}

/** GDB may send run-length encoded data (`x*N`: repeat x N-29 more times). */
function expandRunLength(body: string): string {
  if (!body.includes("*")) return body;
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === "*" && i > 0 && i + 1 < body.length) {
      const n = body.charCodeAt(++i) - 29;
      out += out.slice(-1).repeat(n);
    } else out += c;
  }
  return out;
}
