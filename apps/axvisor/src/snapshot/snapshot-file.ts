/**
 * The container of a VM snapshot file (documented in docs/snapshot-format.md): a fixed header
 * (magic, format version, architecture, section count), a section table, the sections' bytes
 * (each raw or deflate-compressed) and a SHA-256 of everything before it. Reading checks, in
 * this order, the magic, the version, the checksum and the architecture, and refuses a file
 * with one line naming what is wrong.
 */
import { createHash } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";
import { type Arch, isArch } from "@axvisor/arch";
import { axErr } from "@axvisor/axerrno";

/** "AXVSNAP" and a line feed: a file that went through a text-mode transfer fails the magic. */
export const SNAPSHOT_MAGIC = Uint8Array.from([0x41, 0x58, 0x56, 0x53, 0x4e, 0x41, 0x50, 0x0a]);
/** The format version this axvisor writes and reads. */
export const SNAPSHOT_VERSION = 1;

const HEADER_BYTES = 32;
const ENTRY_BYTES = 48;
const NAME_BYTES = 16;
const CHECKSUM_BYTES = 32;
/** Section encodings. */
const RAW = 0;
const DEFLATE = 1;

export interface SnapshotSectionInput {
  readonly name: string;
  readonly data: Uint8Array;
  /** Stored deflate-compressed (RAM, disk contents). */
  readonly compress?: boolean;
}

export interface DecodedSnapshot {
  readonly version: number;
  readonly arch: Arch;
  /** Section bytes by name, uncompressed. */
  readonly sections: ReadonlyMap<string, Uint8Array>;
}

function writeAscii(out: Uint8Array, at: number, text: string, width: number): void {
  if (text.length > width || !/^[\x20-\x7e]*$/.test(text)) {
    throw axErr("InvalidInput", `snapshot: '${text}' does not fit a ${width}-byte ASCII field`);
  }
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
}

function readAscii(bytes: Uint8Array, at: number, width: number): string {
  let s = "";
  for (let i = 0; i < width; i++) {
    const c = bytes[at + i] ?? 0;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash("sha256").update(bytes).digest();
}

/** Builds a snapshot file from its sections (deterministic: same input, same bytes). */
export function encodeSnapshot(arch: Arch, sections: readonly SnapshotSectionInput[]): Uint8Array {
  const stored = sections.map((s) =>
    s.compress === true ? new Uint8Array(deflateSync(s.data, { level: 1 })) : s.data,
  );
  const tableEnd = HEADER_BYTES + ENTRY_BYTES * sections.length;
  const total = tableEnd + stored.reduce((n, b) => n + b.length, 0) + CHECKSUM_BYTES;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(SNAPSHOT_MAGIC, 0);
  view.setUint32(8, SNAPSHOT_VERSION, true);
  writeAscii(out, 12, arch, 16);
  view.setUint32(28, sections.length, true);
  let at = tableEnd;
  sections.forEach((s, i) => {
    const e = HEADER_BYTES + ENTRY_BYTES * i;
    const data = stored[i]!;
    writeAscii(out, e, s.name, NAME_BYTES);
    view.setUint32(e + 16, s.compress === true ? DEFLATE : RAW, true);
    view.setBigUint64(e + 24, BigInt(at), true);
    view.setBigUint64(e + 32, BigInt(data.length), true);
    view.setBigUint64(e + 40, BigInt(s.data.length), true);
    out.set(data, at);
    at += data.length;
  });
  out.set(sha256(out.subarray(0, at)), at);
  return out;
}

/**
 * Reads a snapshot file, refusing with a one-line AxError (InvalidData; Unsupported for
 * another version or architecture) a file that is not a snapshot, of another format version,
 * corrupt (checksum, section table), or of another architecture than `hostArch` (null: any,
 * for a caller that picks the host from the snapshot).
 */
export function decodeSnapshot(
  bytes: Uint8Array,
  hostArch: Arch | null,
  file: string,
): DecodedSnapshot {
  const what = `snapshot ${file}`;
  if (
    bytes.length < HEADER_BYTES + CHECKSUM_BYTES ||
    !SNAPSHOT_MAGIC.every((b, i) => bytes[i] === b)
  ) {
    throw axErr("InvalidData", `${what} is not an AxVisor snapshot (no AXVSNAP header)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== SNAPSHOT_VERSION) {
    throw axErr(
      "Unsupported",
      `${what} has format version ${version}; this axvisor reads version ${SNAPSHOT_VERSION}`,
    );
  }
  const body = bytes.subarray(0, bytes.length - CHECKSUM_BYTES);
  const sum = bytes.subarray(bytes.length - CHECKSUM_BYTES);
  const expect = sha256(body);
  if (!expect.every((b, i) => sum[i] === b)) {
    throw axErr(
      "InvalidData",
      `${what} is corrupt: its SHA-256 checksum does not match its contents`,
    );
  }
  const archText = readAscii(bytes, 12, 16);
  if (!isArch(archText)) {
    throw axErr("InvalidData", `${what} names an unknown architecture '${archText}'`);
  }
  if (hostArch !== null && archText !== hostArch) {
    throw axErr(
      "Unsupported",
      `${what} holds a ${archText} VM; this host is ${hostArch} and restores only ${hostArch} VMs`,
    );
  }
  const count = view.getUint32(28, true);
  const tableEnd = HEADER_BYTES + ENTRY_BYTES * count;
  if (tableEnd > body.length) {
    throw axErr("InvalidData", `${what} is corrupt: its section table runs past the file`);
  }
  const sections = new Map<string, Uint8Array>();
  for (let i = 0; i < count; i++) {
    const e = HEADER_BYTES + ENTRY_BYTES * i;
    const name = readAscii(bytes, e, NAME_BYTES);
    const encoding = view.getUint32(e + 16, true);
    const offset = Number(view.getBigUint64(e + 24, true));
    const length = Number(view.getBigUint64(e + 32, true));
    const rawLength = Number(view.getBigUint64(e + 40, true));
    if (offset < tableEnd || offset + length > body.length) {
      throw axErr("InvalidData", `${what} is corrupt: section "${name}" lies outside the file`);
    }
    const stored = bytes.subarray(offset, offset + length);
    let data: Uint8Array;
    if (encoding === RAW) {
      data = stored;
    } else if (encoding === DEFLATE) {
      try {
        data = new Uint8Array(inflateSync(stored));
      } catch (e) {
        throw axErr(
          "InvalidData",
          `${what} is corrupt: section "${name}" does not inflate (${(e as Error).message})`,
        );
      }
    } else {
      throw axErr("InvalidData", `${what}: section "${name}" has unknown encoding ${encoding}`);
    }
    if (data.length !== rawLength) {
      throw axErr(
        "InvalidData",
        `${what} is corrupt: section "${name}" is ${data.length} bytes, its table says ${rawLength}`,
      );
    }
    sections.set(name, data);
  }
  return { version, arch: archText, sections };
}
