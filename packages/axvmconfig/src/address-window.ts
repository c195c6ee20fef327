import { formatHex } from "@axvisor/memory-addr";
import type { Loc, Reader } from "./reader.js";

/** A guest-physical range that something in the config claims: a memory region or a device. */
export interface AddressWindow {
  /** Half-open: [start, end). */
  start: number;
  end: number;
  loc: Loc;
  /** How the window calls itself: `region`, `device "uart"`. */
  noun: string;
  /** How others in its list refer to it: `region 0`, `emulated device 0 ("uart")`. */
  name: string;
  /** How windows of other kinds refer to it, when that needs more words: `memory region 0`. */
  crossName?: string;
}

export const formatSpan = (start: number, end: number): string =>
  `${formatHex(start)}..${formatHex(end)}`;

const overlap = (a: AddressWindow, b: AddressWindow): boolean => a.start < b.end && b.start < a.end;

/** Reports every window overlapping an earlier one in the same list, at the later one. */
export function reportOverlapsWithin(reader: Reader, windows: readonly AddressWindow[]): void {
  windows.forEach((w, i) => {
    for (const earlier of windows.slice(0, i)) {
      if (overlap(w, earlier)) reportPair(reader, w, earlier);
    }
  });
}

/** Reports every window of `windows` overlapping one of `others`. */
export function reportOverlapsAcross(
  reader: Reader,
  windows: readonly AddressWindow[],
  others: readonly AddressWindow[],
): void {
  for (const w of windows) {
    for (const o of others) {
      if (overlap(w, o)) reportPair(reader, w, { ...o, name: o.crossName ?? o.name });
    }
  }
}

function reportPair(reader: Reader, w: AddressWindow, other: AddressWindow): void {
  reader.report(
    w.loc,
    `${w.noun} ${formatSpan(w.start, w.end)} overlaps ${other.name} (${formatSpan(other.start, other.end)})`,
  );
}

/** The window holding `addr`, if any. */
export const windowHolding = (
  windows: readonly AddressWindow[],
  addr: number,
): AddressWindow | undefined => windows.find((w) => addr >= w.start && addr < w.end);
