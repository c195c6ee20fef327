/**
 * Region discovery: from a hot entry point, the basic blocks reachable inside the same 4 KiB
 * page through fall-through, conditional branches and JAL. A region never leaves its page, so
 * one fetch translation (checked when the region is entered) covers all of it, and writes to
 * that physical page are all that can make it stale.
 *
 * Only instructions whose effect compiled code reproduces exactly are taken in; anything else
 * (CSR and SYSTEM instructions, atomics, FP, FENCE.I, illegal encodings, an instruction
 * straddling the page end) ends the block, and the interpreter executes it.
 */
import { RVC_TABLE } from "../rvc.js";

export const K_PLAIN = 0;
export const K_BRANCH = 1;
export const K_JAL = 2;
export const K_JALR = 3;
export const K_STOP = 4;

export interface Insn {
  /** Offset of the instruction in its page. */
  readonly off: number;
  readonly len: 2 | 4;
  /** The instruction, RVC expanded to its 32-bit form. */
  readonly raw: number;
  readonly kind: number;
}

export type BlockEnd =
  /** The next instruction starts another block. */
  | { readonly kind: "fall"; readonly next: number }
  /**
   * Leave compiled code at this page offset: "stop" before an instruction it does not
   * perform, "limit" where the region's size limit or the page ended.
   */
  | { readonly kind: "exit"; readonly at: number; readonly reason: "stop" | "limit" }
  /** The last instruction is a conditional branch. */
  | { readonly kind: "branch"; readonly taken: number; readonly fall: number }
  /** The last instruction is JAL. */
  | { readonly kind: "jal"; readonly target: number }
  /** The last instruction is JALR (the target is known only at run time). */
  | { readonly kind: "jalr" };

export interface Block {
  readonly start: number;
  readonly insns: readonly Insn[];
  readonly end: BlockEnd;
}

export interface RegionPlan {
  /** Blocks in address order; any of them may be entered. */
  readonly blocks: readonly Block[];
}

/** PAUSE (Zihintpause): FENCE with pred = W, succ = 0, fm = 0, rs1 = rd = x0. */
export const PAUSE = 0x0100000f;

/** Classifies a 32-bit instruction; K_STOP for anything compiled code does not handle. */
export function classify(insn: number): number {
  const f3 = (insn >> 12) & 7;
  switch (insn & 0x7f) {
    case 0x13:
      if (f3 === 1) return insn >>> 26 === 0 ? K_PLAIN : K_STOP;
      if (f3 === 5) return insn >>> 26 === 0 || insn >>> 26 === 0x10 ? K_PLAIN : K_STOP;
      return K_PLAIN;
    case 0x1b:
      if (f3 === 0) return K_PLAIN;
      if (f3 === 1) return insn >>> 25 === 0 ? K_PLAIN : K_STOP;
      if (f3 === 5) return insn >>> 25 === 0 || insn >>> 25 === 0x20 ? K_PLAIN : K_STOP;
      return K_STOP;
    case 0x33: {
      const f7 = insn >>> 25;
      if (f7 === 0 || f7 === 1) return K_PLAIN;
      if (f7 === 0x20) return f3 === 0 || f3 === 5 ? K_PLAIN : K_STOP;
      return K_STOP;
    }
    case 0x3b: {
      const f7 = insn >>> 25;
      if (f7 === 0) return f3 === 0 || f3 === 1 || f3 === 5 ? K_PLAIN : K_STOP;
      if (f7 === 0x20) return f3 === 0 || f3 === 5 ? K_PLAIN : K_STOP;
      if (f7 === 1) return f3 === 0 || f3 >= 4 ? K_PLAIN : K_STOP;
      return K_STOP;
    }
    case 0x37:
    case 0x17:
      return K_PLAIN;
    case 0x6f:
      return K_JAL;
    case 0x67:
      return f3 === 0 ? K_JALR : K_STOP;
    case 0x63:
      return f3 === 2 || f3 === 3 ? K_STOP : K_BRANCH;
    case 0x03:
      return f3 === 7 ? K_STOP : K_PLAIN;
    case 0x23:
      return f3 <= 3 ? K_PLAIN : K_STOP;
    case 0x0f:
      // FENCE orders nothing on an in-order hart; FENCE.I goes to the interpreter, which
      // revalidates compiled code, and so does PAUSE (the hart may end its run there).
      return f3 === 0 && insn !== PAUSE ? K_PLAIN : K_STOP;
    default:
      return K_STOP;
  }
}

export function branchOffset(insn: number): number {
  return (
    ((insn >> 31) << 12) |
    (((insn >> 7) & 1) << 11) |
    (((insn >> 25) & 0x3f) << 5) |
    (((insn >> 8) & 0xf) << 1)
  );
}

export function jalOffset(insn: number): number {
  return (
    ((insn >> 31) << 20) |
    (insn & 0xff000) |
    (((insn >> 20) & 1) << 11) |
    (((insn >> 21) & 0x3ff) << 1)
  );
}

/**
 * Decodes the instruction at page offset `off` (halfwords read through `read16`), or returns
 * undefined when it cannot be compiled.
 */
function decodeAt(read16: (off: number) => number, off: number): Insn | undefined {
  const p = read16(off);
  let raw: number;
  let len: 2 | 4;
  if ((p & 3) !== 3) {
    raw = RVC_TABLE[p]!;
    if (raw === 0) return undefined;
    len = 2;
  } else {
    if (off + 4 > 4096) return undefined;
    raw = p | (read16(off + 2) << 16);
    len = 4;
  }
  const kind = classify(raw);
  if (kind === K_STOP) return undefined;
  return { off, len, raw, kind };
}

/**
 * Scratch of `planRegion` per halfword of a page, reused by every call (planning runs for
 * every region the JIT compiles, and Maps and Sets per call made it a large part of the
 * compile): `decodedAt` is 0 where nothing was decoded, -1 where the instruction cannot be
 * compiled, else 1 + its index in the call's instruction list; `startAt` marks control-flow
 * leaders (LEADER) and the block starts of the current `blocksOf` pass (START).
 */
const decodedAt = new Int32Array(2048);
const startAt = new Uint8Array(2048);
const LEADER = 1;
const START = 2;

/**
 * Plans the region entered at page offset `entry`, taking at most `maxInsns` instructions.
 * Undefined when the entry instruction itself cannot be compiled.
 */
export function planRegion(
  read16: (off: number) => number,
  entry: number,
  maxInsns: number,
): RegionPlan | undefined {
  const insns: Insn[] = [];
  const touched: number[] = [];
  try {
    return plan(read16, entry, maxInsns, insns, touched);
  } finally {
    for (const h of touched) {
      decodedAt[h] = 0;
      startAt[h] = 0;
    }
  }
}

function plan(
  read16: (off: number) => number,
  entry: number,
  maxInsns: number,
  insns: Insn[],
  touched: number[],
): RegionPlan | undefined {
  // Control-flow leaders: branch and jump targets, fall-through successors of branches.
  const leaders: number[] = [];
  const work = [entry];
  let count = 0;
  const lead = (t: number) => {
    if (t >= 0 && t < 4096 && (startAt[t >>> 1]! & LEADER) === 0) {
      startAt[t >>> 1] = LEADER;
      touched.push(t >>> 1);
      leaders.push(t);
      if (t !== entry) work.push(t);
    }
  };
  while (work.length > 0 && count < maxInsns) {
    let off = work.pop()!;
    while (off >= 0 && off < 4096 && decodedAt[off >>> 1] === 0 && count < maxInsns) {
      const d = decodeAt(read16, off);
      touched.push(off >>> 1);
      if (d === undefined) {
        decodedAt[off >>> 1] = -1;
        break;
      }
      insns.push(d);
      decodedAt[off >>> 1] = insns.length;
      count++;
      if (d.kind === K_BRANCH) {
        lead(off + branchOffset(d.raw));
        lead(off + d.len);
        break;
      }
      if (d.kind === K_JAL) {
        lead(off + jalOffset(d.raw));
        break;
      }
      if (d.kind === K_JALR) break;
      off += d.len;
    }
  }
  if (decodedAt[entry >>> 1]! <= 0) return undefined;
  const cfStarts = leaders.filter((l) => decodedAt[l >>> 1]! > 0).sort((x, y) => x - y);
  for (const l of cfStarts) startAt[l >>> 1]! |= START;
  // The entry starts a block of its own, splitting the block that holds it, unless that block
  // loops on itself (an entry after a slice end or a side exit in the middle of a loop body):
  // then the entry's block is a copy of the loop's tail, and the loop stays one block. (An
  // entry that is a leader already splits nothing.)
  const entryIsStart = (startAt[entry >>> 1]! & START) !== 0;
  let splitStarts = cfStarts;
  if (!entryIsStart) {
    startAt[entry >>> 1]! |= START;
    touched.push(entry >>> 1);
    const at = cfStarts.findIndex((l) => l > entry);
    splitStarts =
      at < 0 ? [...cfStarts, entry] : [...cfStarts.slice(0, at), entry, ...cfStarts.slice(at)];
  }
  const split = blocksOf(insns, splitStarts);
  const at = splitStarts.indexOf(entry);
  const before = split[at - 1];
  const e = split[at]!.end;
  const target = e.kind === "branch" ? e.taken : e.kind === "jal" ? e.target : -1;
  if (
    entryIsStart ||
    before === undefined ||
    before.end.kind !== "fall" ||
    before.end.next !== entry ||
    target !== before.start
  ) {
    return { blocks: split };
  }
  startAt[entry >>> 1]! &= ~START;
  const loop = blocksOf(insns, cfStarts);
  const tail = split[at]!;
  const blocks = [
    ...loop.filter((b) => b.start < entry),
    tail,
    ...loop.filter((b) => b.start > entry),
  ];
  return { blocks };
}

/**
 * The blocks starting at `starts` (ascending, each marked START in `startAt`): each runs to a
 * control transfer or the next start.
 */
function blocksOf(insns: readonly Insn[], starts: readonly number[]): Block[] {
  const blocks: Block[] = [];
  for (const start of starts) {
    const body: Insn[] = [];
    let off = start;
    let end: BlockEnd;
    for (;;) {
      const at = off < 4096 ? decodedAt[off >>> 1]! : 0;
      if (at <= 0) {
        end = { kind: "exit", at: off, reason: at < 0 ? "stop" : "limit" };
        break;
      }
      const d = insns[at - 1]!;
      body.push(d);
      if (d.kind === K_BRANCH) {
        end = { kind: "branch", taken: off + branchOffset(d.raw), fall: off + d.len };
        break;
      }
      if (d.kind === K_JAL) {
        end = { kind: "jal", target: off + jalOffset(d.raw) };
        break;
      }
      if (d.kind === K_JALR) {
        end = { kind: "jalr" };
        break;
      }
      off += d.len;
      if (off < 4096 && (startAt[off >>> 1]! & START) !== 0) {
        end = { kind: "fall", next: off };
        break;
      }
    }
    blocks.push({ start, insns: body, end });
  }
  return blocks;
}

/**
 * True when a block of the region loops on itself (a conditional branch or JAL back to its own
 * start): a tight loop that runs many iterations per call, so keeping guest registers in wasm
 * locals (loaded once on entry, stored once on exit) pays for itself. Regions whose loops span
 * several blocks, and straight-line regions, measured no better with locals on the Linux boot.
 */
export function hasSelfLoop(plan: RegionPlan): boolean {
  for (const b of plan.blocks) {
    const e = b.end;
    if (
      (e.kind === "branch" && e.taken === b.start) ||
      (e.kind === "jal" && e.target === b.start)
    ) {
      return true;
    }
  }
  return false;
}
