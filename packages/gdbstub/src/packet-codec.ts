/**
 * The byte-level rules of GDB's remote serial protocol: `$payload#xx` framing with a modulo-256
 * checksum, `}` escaping of the four special bytes, and the hex encodings the packets use.
 * Payloads are handled as latin1 strings (one char = one byte) so binary `X` data survives.
 */

const ESCAPE = 0x7d; // '}'
const SPECIAL = new Set([0x23, 0x24, 0x7d, 0x2a]); // '#', '$', '}', '*'

export function checksum(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) sum = (sum + payload.charCodeAt(i)) & 0xff;
  return sum;
}

/** One framed packet, ready for the wire (payload escaped where the protocol requires). */
export function framePacket(payload: string): string {
  let body = "";
  for (let i = 0; i < payload.length; i++) {
    const c = payload.charCodeAt(i);
    body += SPECIAL.has(c) ? String.fromCharCode(ESCAPE, c ^ 0x20) : payload[i];
  }
  return `$${body}#${hex8(checksum(body))}`;
}

/** Undoes `}` escaping (binary data of `X` packets and `vFile` writes). */
export function unescapeBinary(data: string): Uint8Array {
  const out = new Uint8Array(data.length);
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data.charCodeAt(i);
    if (c === ESCAPE && i + 1 < data.length) out[n++] = data.charCodeAt(++i) ^ 0x20;
    else out[n++] = c & 0xff;
  }
  return out.subarray(0, n);
}

export function hex8(v: number): string {
  return (v & 0xff).toString(16).padStart(2, "0");
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += hex8(b);
  return s;
}

/** Hex digits to bytes; undefined for an odd length or a non-hex digit. */
export function hexToBytes(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** A hex number of a packet (addresses, lengths, thread ids); undefined when malformed. */
export function parseHex(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F]+$/.test(text)) return undefined;
  return BigInt(`0x${text}`);
}

export function textToHex(text: string): string {
  return bytesToHex(new TextEncoder().encode(text));
}

export function hexToText(hex: string): string | undefined {
  const b = hexToBytes(hex);
  return b === undefined ? undefined : new TextDecoder().decode(b);
}
