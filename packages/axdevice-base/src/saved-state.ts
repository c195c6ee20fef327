import { axErr } from "@axvisor/axerrno";

/**
 * The state a device, vCPU or interrupt controller hands to a snapshot: plain JSON data, so a
 * snapshot file can carry it without knowing its owner, and the same state serialises to the
 * same bytes every time (a restored VM snapshotted again gives an identical file). 64-bit
 * values travel as hex strings ("0x..."), byte arrays as base64 strings.
 */
export type SavedState =
  | null
  | boolean
  | number
  | string
  | readonly SavedState[]
  | { readonly [key: string]: SavedState };

/** A record of saved state, what `saveState` returns. */
export type SavedRecord = { readonly [key: string]: SavedState };

/**
 * Something whose state a snapshot saves and a restore puts back: a device model, a vCPU, an
 * interrupt controller. `loadState` gets what `saveState` returned (possibly in another
 * process) on an object built from the same configuration, and throws an AxError
 * (InvalidData) naming the field when the state does not fit it.
 */
export interface Snapshottable {
  saveState(): SavedRecord;
  loadState(state: SavedRecord): void;
}

/** A 64-bit value as saved state. */
export function savedU64(v: bigint): string {
  return `0x${BigInt.asUintN(64, v).toString(16)}`;
}

/** Bytes as saved state. */
export function savedBytes(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/**
 * Reads saved state back with its shape checked: every getter throws a one-line AxError
 * (InvalidData) naming the owner and the field when it is missing or of the wrong kind, so a
 * snapshot that does not match the VM it is restored into is refused, never half-applied.
 */
export class StateReader {
  constructor(
    private readonly state: SavedRecord,
    /** Whose state this is, for messages: `virtio-blk "disk0"`. */
    readonly owner: string,
  ) {}

  #bad(key: string, want: string): never {
    throw axErr("InvalidData", `${this.owner}: saved state field "${key}" is not ${want}`);
  }

  has(key: string): boolean {
    return this.state[key] !== undefined;
  }

  /** An integer in [min, max]. */
  int(key: string, min = 0, max = 0xffff_ffff): number {
    const v = this.state[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.#bad(key, `an integer in ${min}..${max}`);
    }
    return v;
  }

  /** A finite number >= 0 (a time or an accumulated amount). */
  amount(key: string): number {
    const v = this.state[key];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) this.#bad(key, "a number >= 0");
    return v;
  }

  /** An integer in [min, max], or null. */
  intOrNull(key: string, min = 0, max = 0xffff_ffff): number | null {
    return this.state[key] === null ? null : this.int(key, min, max);
  }

  bool(key: string): boolean {
    const v = this.state[key];
    if (typeof v !== "boolean") this.#bad(key, "a boolean");
    return v;
  }

  string(key: string): string {
    const v = this.state[key];
    if (typeof v !== "string") this.#bad(key, "a string");
    return v;
  }

  u64(key: string): bigint {
    const v = this.state[key];
    if (typeof v !== "string" || !/^0x[0-9a-f]{1,16}$/.test(v))
      this.#bad(key, "a 64-bit hex value");
    return BigInt(v);
  }

  /** A 64-bit value or null. */
  u64OrNull(key: string): bigint | null {
    return this.state[key] === null ? null : this.u64(key);
  }

  bytes(key: string, length?: number): Uint8Array {
    const v = this.state[key];
    let out: Uint8Array | undefined;
    if (typeof v === "string") {
      try {
        const s = atob(v);
        out = new Uint8Array(s.length);
        for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
      } catch {
        out = undefined;
      }
    }
    if (out === undefined || (length !== undefined && out.length !== length)) {
      this.#bad(key, length === undefined ? "base64 bytes" : `${length} base64 bytes`);
    }
    return out;
  }

  /** An array of integers in [min, max], of exactly `length` entries when given. */
  ints(key: string, length?: number, min = 0, max = 0xffff_ffff): number[] {
    const v = this.state[key];
    if (
      !Array.isArray(v) ||
      (length !== undefined && v.length !== length) ||
      !v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= min && x <= max)
    ) {
      this.#bad(key, length === undefined ? "an integer array" : `an array of ${length} integers`);
    }
    return v as number[];
  }

  /** A nested record as saved, for its owner's own `loadState`. */
  nested(key: string): SavedRecord {
    const v = this.state[key];
    if (v === null || typeof v !== "object" || Array.isArray(v)) this.#bad(key, "a record");
    return v as SavedRecord;
  }

  /** A nested record, read with its own reader. */
  record(key: string, owner = `${this.owner}.${key}`): StateReader {
    const v = this.state[key];
    if (v === null || typeof v !== "object" || Array.isArray(v)) this.#bad(key, "a record");
    return new StateReader(v as SavedRecord, owner);
  }

  /** A nested record, or null. */
  recordOrNull(key: string): StateReader | null {
    return this.state[key] === null ? null : this.record(key);
  }

  /** An array of records, each read with its own reader. */
  records(key: string, length?: number): StateReader[] {
    const v = this.state[key];
    if (!Array.isArray(v) || (length !== undefined && v.length !== length)) {
      this.#bad(key, length === undefined ? "an array" : `an array of ${length}`);
    }
    return (v as SavedState[]).map((x, i) => {
      if (x === null || typeof x !== "object" || Array.isArray(x))
        this.#bad(`${key}[${i}]`, "a record");
      return new StateReader(x as SavedRecord, `${this.owner}.${key}[${i}]`);
    });
  }
}
