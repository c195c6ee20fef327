/** An x86 I/O port number (16 bits). Port ranges are inclusive, as in AxVisor. */
declare const portBrand: unique symbol;
export type Port = number & { readonly [portBrand]: "Port" };

export function port(value: number): Port {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new RangeError(`port must be an integer in 0..0xffff, got ${value}`);
  }
  return value as Port;
}

/** Inclusive range of ports `[start, end]`. */
export interface PortRange {
  readonly start: Port;
  readonly end: Port;
}

export function portRange(start: number, end: number): PortRange {
  if (end < start) throw new RangeError(`port range end ${end} is below its start ${start}`);
  return { start: port(start), end: port(end) };
}

export const portRangeContains = (r: PortRange, p: number): boolean => p >= r.start && p <= r.end;
