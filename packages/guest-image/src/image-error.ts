import { AxError, type AxErrorKind } from "@axvisor/axerrno";

/**
 * What is wrong with an image file. Callers branch on this (e.g. offer to gunzip a
 * "compressed" image) instead of parsing the message.
 */
export type ImageProblem =
  | "not-elf"
  | "not-64-bit"
  | "not-little-endian"
  | "bad-version"
  | "not-executable"
  | "wrong-machine"
  | "truncated"
  | "program-header-out-of-range"
  | "segment-out-of-range"
  | "section-out-of-range"
  | "address-too-large"
  | "bad-magic"
  | "compressed"
  | "symbol-not-found";

const KIND_OF: Record<ImageProblem, AxErrorKind> = {
  "not-elf": "InvalidData",
  "not-64-bit": "Unsupported",
  "not-little-endian": "Unsupported",
  "bad-version": "InvalidData",
  "not-executable": "Unsupported",
  "wrong-machine": "Unsupported",
  truncated: "UnexpectedEof",
  "program-header-out-of-range": "InvalidData",
  "segment-out-of-range": "InvalidData",
  "section-out-of-range": "InvalidData",
  "address-too-large": "Unsupported",
  "bad-magic": "InvalidData",
  compressed: "Unsupported",
  "symbol-not-found": "NotFound",
};

/** A guest image that cannot be used as it is; the message names the file and the problem. */
export class ImageFormatError extends AxError {
  readonly problem: ImageProblem;

  constructor(problem: ImageProblem, message: string) {
    super(KIND_OF[problem], message);
    this.problem = problem;
  }

  /** True when `e` is an ImageFormatError (with the given problem, if one is named). */
  static hasProblem(e: unknown, problem?: ImageProblem): e is ImageFormatError {
    return e instanceof ImageFormatError && (problem === undefined || e.problem === problem);
  }
}

export const hex = (n: number | bigint): string => `0x${n.toString(16)}`;
