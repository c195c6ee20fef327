/**
 * VMSAv8-64 address translation, 4 KiB granule: stage 1 of the EL1&0 regime (TTBR0/TTBR1)
 * and of the EL2 regime (TTBR0_EL2), stage 2 (VTTBR_EL2/VTCR_EL2) including stage-2
 * translation of stage-1 table walks, permission checks (AP, UXN/PXN, APTable/XNTable, WXN,
 * PAN, S2AP/XN), access flag faults, and the software TLB fill. Faults are raised with the
 * architectural fault status code and level.
 *
 * Physical and intermediate physical addresses are JS numbers (below 2^48, exact).
 */

import type { Aarch64Cpu } from "./cpu.js";
import { DOUBLE_ZERO, EC, TLB_MASK, TLB_SIZE } from "./cpu.js";
import { HCR, SR } from "./sysregs.js";

export const ACC_FETCH = 0;
export const ACC_LOAD = 1;
export const ACC_STORE = 2;

/**
 * Translation contexts: which regime and which privilege checks apply (bits 1:0); the TLB
 * context adds the address-space slot above them (see Aarch64Cpu.asidSlot).
 */
export const CTX_EL0 = 0;
export const CTX_EL1 = 1;
export const CTX_EL1_PAN = 2;
export const CTX_EL2 = 3;

const TWO32 = 4294967296;
/** Level shifts for the 4 KiB granule, and the sizes they give. */
const SHIFT = [39, 30, 21, 12] as const;
const LEVEL_SIZE = [2 ** 39, 2 ** 30, 2 ** 21, 2 ** 12] as const;
/** 2^n for the index widths of a start level (up to 13 bits with concatenated tables). */
const POW2 = Array.from({ length: 14 }, (_, n) => 2 ** n);

/** Fault status codes (xFSC) before the level is added. */
export const FSC_ADDR_SIZE = 0x00;
export const FSC_TRANSLATION = 0x04;
export const FSC_ACCESS = 0x08;
export const FSC_PERMISSION = 0x0c;
export const FSC_EXTERNAL = 0x10;
export const FSC_EXTERNAL_WALK = 0x14;
export const FSC_ALIGNMENT = 0x21;

/** Entries of the stage-2 translation cache (a power of two), and its permission bits. */
const S2_CACHE = 1024;
const S2_R = 1;
const S2_W = 2;
const S2_X = 4;
const S2_DEVICE = 8;

/** ESR_ELx.ISS.ISV: the instruction syndrome (register, size, sign) is valid. */
const ISS_ISV = 1 << 24;

export class Mmu {
  private readonly cpu: Aarch64Cpu;
  /** The last translate() filled the TLB for its access type (RAM, normal memory). */
  cacheable = false;

  // Result of walk(): a fault (fsc >= 0) or the output address and its attributes.
  fsc = -1;
  /** The fault was at stage 2 (HPFAR_EL2 and EL2 apply). */
  faultS2 = false;
  /** The stage-2 fault happened on a stage-1 table walk. */
  faultPtw = false;
  /** The IPA of a stage-2 fault (a double field from the start: see DOUBLE_ZERO). */
  faultIpa = DOUBLE_ZERO;
  /** MAIR attribute byte of the stage-1 result (0x44 normal non-cacheable for MMU off fetch). */
  attr = 0;
  sh = 0;
  /** log2 of the size of the translation found (the smaller of stage 1 and stage 2). */
  mapShift = 12;

  /** The current access is a cache maintenance op (ESR.CM). */
  cm = false;

  constructor(cpu: Aarch64Cpu) {
    this.cpu = cpu;
  }

  /**
   * Translates VA (lo, hi) for an access of type acc in TLB context ctx (CTX_* plus the
   * address-space slot times 4); returns the physical address or raises the abort. Fills the
   * TLB entry when the page is plain RAM.
   */
  translate(lo: number, hi: number, acc: number, ctx: number, _size: number): number {
    const cpu = this.cpu;
    const set = acc * TLB_SIZE + ((lo >>> 12) & TLB_MASK);
    const key = (hi * 1048576 + (lo >>> 12)) * 1024 + ctx;
    if (cpu.tlbTag[set] === key) {
      this.cacheable = true;
      return cpu.tlbOff[set]! + cpu.ramBase + (lo & 4095);
    }
    const pa = this.walk(lo, hi, acc, ctx & 3);
    if (pa < 0) return this.raise(lo, hi, acc, ctx & 3);
    this.cacheable = false;
    const ro = pa - (pa % 4096) - cpu.ramBase;
    // Only VAs whose bits 63:55 agree: their tags (page key * 1024 + ctx) are exact doubles.
    if (ro >= 0 && ro + 4096 <= cpu.ramSize && (hi >> 23 === 0 || hi >> 23 === -1)) {
      const device = (this.attr & 0xf0) === 0 && acc !== ACC_FETCH;
      // Stores to a page with compiled code stay on the slow path, which drops that code.
      const code = acc === ACC_STORE && cpu.jit !== undefined && cpu.jit.isCodePage(ro >>> 12);
      if ((!device || !cpu.strictAlign) && !code) {
        cpu.tlbTag[set] = key;
        cpu.tlbOff[set] = ro;
        cpu.tlbShift[set] = this.mapShift;
        if (this.mapShift > 12) cpu.noteBlockPiece(set, hi * 1048576 + (lo >>> 12), this.mapShift);
        this.cacheable = true;
      }
    }
    return pa;
  }

  /**
   * Raises the abort recorded by walk(), or returns -1 when the CPU took it to the host
   * without unwinding (only while its slow load/store path arms that: `s2DeferArmed`).
   */
  private raise(lo: number, hi: number, acc: number, ctx: number): number {
    const cpu = this.cpu;
    cpu.abortSetFarPair(lo, hi);
    const toEl2 = this.faultS2 || ctx === CTX_EL2;
    if (this.faultS2) cpu.abortSetIpa(this.faultIpa);
    let iss = this.fsc;
    if (this.faultS2 && this.faultPtw) iss |= 1 << 7;
    if (acc === ACC_FETCH) {
      cpu.exception(EC.IABT_SAME, iss, toEl2);
    }
    if (acc === ACC_STORE && !(this.faultS2 && this.faultPtw)) iss |= 1 << 6;
    if (this.cm) iss |= 1 << 8;
    // ISV and the instruction syndrome are reported only for stage-2 aborts (as QEMU).
    if (this.faultS2 && !this.faultPtw) iss |= instructionSyndrome(cpu.insn);
    if (cpu.s2DeferArmed && this.faultS2 && (iss & ISS_ISV) !== 0 && cpu.deferDataAbort(iss)) {
      return -1;
    }
    return cpu.exception(EC.DABT_SAME, iss, toEl2);
  }

  /** Synchronous external abort (nothing at that physical address). */
  externalAbort(lo: number, hi: number, acc: number): never {
    const cpu = this.cpu;
    cpu.abortSetFarPair(lo, hi);
    const toEl2 = cpu.el === 2;
    if (acc === ACC_FETCH) cpu.exception(EC.IABT_SAME, FSC_EXTERNAL, toEl2);
    return cpu.exception(EC.DABT_SAME, FSC_EXTERNAL | (acc === ACC_STORE ? 1 << 6 : 0), toEl2);
  }

  alignmentFault(lo: number, hi: number, acc: number): never {
    const cpu = this.cpu;
    cpu.abortSetFarPair(lo, hi);
    return cpu.exception(
      EC.DABT_SAME,
      FSC_ALIGNMENT | (acc === ACC_STORE ? 1 << 6 : 0),
      cpu.el === 2,
    );
  }

  /** Whether stage 2 applies to the EL1&0 regime now. */
  stage2On(): boolean {
    const cpu = this.cpu;
    if (!cpu.hasEl2) return false;
    const h = cpu.sys.r[SR.HCR_EL2 * 2]!;
    return (h & (1 << HCR.VM)) !== 0 && (h & (1 << HCR.TGE)) === 0;
  }

  /**
   * Full translation. Returns the PA, or -1 with fsc/faultS2/faultPtw/faultIpa set.
   * `s1only` stops after stage 1 (AT S1E1*), returning the IPA.
   */
  walk(lo: number, hi: number, acc: number, ctx: number, s1only = false): number {
    const cpu = this.cpu;
    const r = cpu.sys.r;
    this.fsc = -1;
    this.faultS2 = false;
    this.faultPtw = false;
    this.mapShift = 12;
    const el2 = ctx === CTX_EL2;
    const s2 = !el2 && !s1only && this.stage2On();
    const sctlr = r[(el2 ? SR.SCTLR_EL2 : SR.SCTLR_EL1) * 2]!;
    const hcr = cpu.hasEl2 ? r[SR.HCR_EL2 * 2]! : 0;
    const tge = !el2 && (hcr & (1 << HCR.TGE)) !== 0;
    let ipa: number;
    if ((sctlr & 1) === 0 || tge) {
      // Stage 1 off: flat, Device memory for data (Normal with HCR_EL2.DC), Normal for fetch.
      if (hi >>> 12 !== 0) {
        this.fsc = FSC_ADDR_SIZE;
        return -1;
      }
      ipa = (hi >>> 0) * TWO32 + (lo >>> 0);
      this.attr = acc === ACC_FETCH || (!el2 && (hcr & (1 << HCR.DC)) !== 0) ? 0xff : 0;
      this.sh = 0;
    } else {
      ipa = this.stage1(lo, hi, acc, ctx, sctlr, s2);
      if (ipa < 0) return -1;
    }
    if (!s2) return ipa;
    return this.stage2(ipa, acc, false);
  }

  /** Stage-1 walk; -1 on a fault. */
  private stage1(
    lo: number,
    hi: number,
    acc: number,
    ctx: number,
    sctlr: number,
    s2: boolean,
  ): number {
    const cpu = this.cpu;
    const r = cpu.sys.r;
    const el2 = ctx === CTX_EL2;
    const tcr = r[(el2 ? SR.TCR_EL2 : SR.TCR_EL1) * 2]!;
    const tcrHi = el2 ? 0 : r[SR.TCR_EL1 * 2 + 1]!;
    // Top byte ignore, then the range select (bit 55 in EL1&0).
    const upper = !el2 && (hi & (1 << 23)) !== 0;
    let tbi: boolean;
    if (el2) tbi = (tcr & (1 << 20)) !== 0;
    else tbi = (tcrHi & (upper ? 1 << 6 : 1 << 5)) !== 0;
    let tsz: number;
    let epd: boolean;
    let ttbr: number;
    if (upper) {
      tsz = (tcr >>> 16) & 63;
      epd = (tcr & (1 << 23)) !== 0;
      ttbr = SR.TTBR1_EL1;
    } else {
      tsz = tcr & 63;
      epd = !el2 && (tcr & (1 << 7)) !== 0;
      ttbr = el2 ? SR.TTBR0_EL2 : SR.TTBR0_EL1;
    }
    if (tsz < 16) tsz = 16;
    if (tsz > 39) tsz = 39;
    const vaBits = 64 - tsz;
    // Bits [top:vaBits] must all equal the range select bit.
    const top = tbi ? 55 : 63;
    const want = upper ? -1 : 0;
    // Check the high word's bits from vaBits-32 up to top-32.
    const hb = Math.max(vaBits - 32, 0);
    const width = top - 32 - hb + 1;
    const field = width >= 32 ? hi >> hb : (hi >> hb) & ((1 << width) - 1);
    const wantField = width >= 32 ? want : want & ((1 << width) - 1);
    const loBad = vaBits < 32 && lo >> vaBits !== want >> vaBits;
    if (field !== wantField || loBad || epd) {
      this.fsc = FSC_TRANSLATION;
      return -1;
    }
    const tlo = r[ttbr * 2]!;
    const thi = r[ttbr * 2 + 1]!;
    let table = (thi & 0xffff) * TWO32 + ((tlo & ~1) >>> 0);
    let level = vaBits > 39 ? 0 : vaBits > 30 ? 1 : 2;
    // Hierarchical controls collected from table descriptors.
    let apTable = 0;
    let xnTable = 0;
    let pxnTable = 0;
    const va = (hi & 0xffff) * TWO32 + (lo >>> 0);
    let firstBits = vaBits - SHIFT[level]!;
    for (;;) {
      const shift = SHIFT[level]!;
      const bits = firstBits > 0 ? firstBits : 9;
      firstBits = 0;
      const idx = Math.floor(va / LEVEL_SIZE[level]!) % POW2[bits]!;
      let da = table + idx * 8;
      if (s2) {
        da = this.stage2(da, ACC_LOAD, true);
        if (da < 0) return -1;
      }
      if (!this.readDesc(da)) {
        this.fsc = FSC_EXTERNAL_WALK + level;
        return -1;
      }
      const dlo = this.dlo;
      const dhi = this.dhi;
      if ((dlo & 1) === 0 || (level === 3 && (dlo & 2) === 0) || (level === 0 && (dlo & 2) === 0)) {
        this.fsc = FSC_TRANSLATION + level;
        return -1;
      }
      if (level < 3 && (dlo & 2) !== 0) {
        // Table descriptor: APTable[62:61], UXNTable/XNTable 60, PXNTable 59 (high word 30..27).
        apTable |= (dhi >>> 29) & 3;
        xnTable |= (dhi >>> 28) & 1;
        pxnTable |= (dhi >>> 27) & 1;
        table = (dhi & 0xffff) * TWO32 + ((dlo & ~0xfff) >>> 0);
        level++;
        continue;
      }
      // Block or page.
      if ((dlo & (1 << 10)) === 0) {
        this.fsc = FSC_ACCESS + level;
        return -1;
      }
      let ap = (dlo >>> 6) & 3;
      if (apTable & 1) ap &= ~1; // no EL0 access below
      if (apTable & 2) ap |= 2; // read-only below
      const uxn = ((dhi >>> 22) & 1) | xnTable;
      const pxn = ((dhi >>> 21) & 1) | pxnTable;
      const wxn = (sctlr & (1 << 19)) !== 0;
      let ok: boolean;
      if (el2) {
        const writable = (ap & 2) === 0;
        if (acc === ACC_FETCH) ok = uxn === 0 && !(wxn && writable);
        else ok = acc === ACC_LOAD || writable;
      } else if (ctx === CTX_EL0) {
        const writable = ap === 1;
        if (acc === ACC_FETCH) ok = uxn === 0 && !(wxn && writable);
        else if (acc === ACC_LOAD) ok = (ap & 1) !== 0;
        else ok = writable;
      } else {
        const writable = (ap & 2) === 0;
        if (acc === ACC_FETCH) ok = pxn === 0 && ap !== 1 && !(wxn && writable);
        else ok = acc === ACC_LOAD || writable;
        // PAN: privileged data accesses to EL0-accessible pages fault.
        if (ctx === CTX_EL1_PAN && acc !== ACC_FETCH && (ap & 1) !== 0) ok = false;
      }
      if (!ok) {
        this.fsc = FSC_PERMISSION + level;
        return -1;
      }
      const mair = r[(el2 ? SR.MAIR_EL2 : SR.MAIR_EL1) * 2 + (((dlo >>> 4) & 1) === 1 ? 1 : 0)]!;
      this.attr = (mair >>> (8 * ((dlo >>> 2) & 3))) & 0xff;
      this.sh = (dlo >>> 8) & 3;
      const oaBase = (dhi & 0xffff) * TWO32 + ((dlo & ~0xfff) >>> 0);
      const size = LEVEL_SIZE[level]!;
      this.mapShift = shift;
      return oaBase - (oaBase % size) + (va % size);
    }
  }

  /**
   * A cache of successful stage-2 translations by IPA page and VMID (the VMID of VTTBR_EL2):
   * every stage-1 table walk of a guest goes through stage 2 for each descriptor, so a TLB
   * miss would otherwise cost four stage-2 walks. Only valid, accessed mappings are kept (as a
   * TLB may; translation faults have their own cache, `s2Miss*`), and it is dropped with the
   * TLB (`flushTlb`: TLBI by IPA or VMID, VTCR and HCR changes, the hypervisor's fences).
   */
  private readonly s2Tag = new Float64Array(S2_CACHE).fill(Number.NaN);
  /** The output address of the 4 KiB page. */
  private readonly s2Out = new Float64Array(S2_CACHE);
  /** S2_R/S2_W/S2_X/S2_DEVICE, and the mapping's shift at bit 8. */
  private readonly s2Info = new Int32Array(S2_CACHE);

  /**
   * Stage-2 translation faults by IPA page: an MMIO exit (an IPA stage 2 leaves unmapped so
   * that the hypervisor emulates it) would otherwise walk stage 2 again on every access. An
   * entry keeps the address of the invalid descriptor the walk stopped at, with VTTBR_EL2,
   * and holds only while that descriptor still reads invalid: making the page valid needs no
   * TLB maintenance, but it must write that very descriptor (the walk to it went through
   * valid table descriptors, which change only with break-before-make and a TLBI, which drops
   * these entries with the rest of the cache). A hit costs one descriptor read instead of a walk.
   */
  private readonly s2MissTag = new Float64Array(S2_CACHE).fill(Number.NaN);
  private readonly s2MissDesc = new Float64Array(S2_CACHE);
  private readonly s2MissVttbr = new Int32Array(2 * S2_CACHE);
  private readonly s2MissFsc = new Int32Array(S2_CACHE);

  clearStage2Cache(): void {
    this.s2Tag.fill(Number.NaN);
    this.s2MissTag.fill(Number.NaN);
  }

  /** Records a stage-2 fault for raise(); returns -1. */
  private s2Fail(fsc: number, ptw: boolean, ipa: number): number {
    this.fsc = fsc;
    this.faultS2 = true;
    this.faultPtw = ptw;
    this.faultIpa = ipa;
    return -1;
  }

  /** Stage-2 translation of an IPA; -1 with the fault recorded. */
  stage2(ipa: number, acc: number, ptw: boolean): number {
    const cpu = this.cpu;
    const r = cpu.sys.r;
    const page = Math.floor(ipa / 4096);
    const vttbrLo = r[SR.VTTBR_EL2 * 2]!;
    const vttbrHi = r[SR.VTTBR_EL2 * 2 + 1]!;
    const key = page * 256 + ((vttbrHi >>> 16) & 0xff);
    const slot = page & (S2_CACHE - 1);
    if (
      this.s2MissTag[slot] === key &&
      this.s2MissVttbr[2 * slot] === vttbrLo &&
      this.s2MissVttbr[2 * slot + 1] === vttbrHi
    ) {
      if ((cpu.dv.getInt32(this.s2MissDesc[slot]! - cpu.ramBase, true) & 1) === 0) {
        return this.s2Fail(this.s2MissFsc[slot]!, ptw, ipa);
      }
      this.s2MissTag[slot] = Number.NaN;
    }
    if (this.s2Tag[slot] === key) {
      const info = this.s2Info[slot]!;
      const need = acc === ACC_FETCH ? S2_X : acc === ACC_LOAD ? S2_R : S2_W;
      if ((info & need) !== 0) {
        if ((info & S2_DEVICE) !== 0 && !ptw) this.attr = 0;
        const shift = info >>> 8;
        if (!ptw && shift < this.mapShift) this.mapShift = shift;
        return this.s2Out[slot]! + (ipa % 4096);
      }
      // A permission fault: the walk below finds its level.
    }
    const vtcr = r[SR.VTCR_EL2 * 2]!;
    let tsz = vtcr & 63;
    if (tsz < 16) tsz = 16;
    if (tsz > 39) tsz = 39;
    const ipaBits = 64 - tsz;
    if (ipa >= 2 ** ipaBits) return this.s2Fail(FSC_TRANSLATION, ptw, ipa);
    const sl0 = (vtcr >>> 6) & 3;
    let level = 2 - sl0;
    if (level < 0) return this.s2Fail(FSC_TRANSLATION, ptw, ipa);
    let table = (vttbrHi & 0xffff) * TWO32 + ((vttbrLo & ~1) >>> 0);
    let firstBits = ipaBits - SHIFT[level]!;
    if (firstBits > 13) return this.s2Fail(FSC_TRANSLATION, ptw, ipa);
    for (;;) {
      const shift = SHIFT[level]!;
      const bits = firstBits > 0 ? firstBits : 9;
      firstBits = 0;
      const idx = Math.floor(ipa / LEVEL_SIZE[level]!) % POW2[bits]!;
      const desc = table + idx * 8;
      if (!this.readDesc(desc)) {
        return this.s2Fail(FSC_EXTERNAL_WALK + level, ptw, ipa);
      }
      const dlo = this.dlo;
      const dhi = this.dhi;
      if ((dlo & 1) === 0) {
        const ro = desc - cpu.ramBase;
        if (ro >= 0 && ro + 8 <= cpu.ramSize) {
          this.s2MissTag[slot] = key;
          this.s2MissDesc[slot] = desc;
          this.s2MissVttbr[2 * slot] = vttbrLo;
          this.s2MissVttbr[2 * slot + 1] = vttbrHi;
          this.s2MissFsc[slot] = FSC_TRANSLATION + level;
        }
        return this.s2Fail(FSC_TRANSLATION + level, ptw, ipa);
      }
      if ((level === 3 && (dlo & 2) === 0) || (level === 0 && (dlo & 2) === 0)) {
        return this.s2Fail(FSC_TRANSLATION + level, ptw, ipa);
      }
      if (level < 3 && (dlo & 2) !== 0) {
        table = (dhi & 0xffff) * TWO32 + ((dlo & ~0xfff) >>> 0);
        level++;
        continue;
      }
      if ((dlo & (1 << 10)) === 0) return this.s2Fail(FSC_ACCESS + level, ptw, ipa);
      const s2ap = (dlo >>> 6) & 3;
      const xn = (dhi >>> 22) & 1;
      let ok: boolean;
      if (acc === ACC_FETCH) ok = xn === 0;
      else if (acc === ACC_LOAD) ok = (s2ap & 1) !== 0;
      else ok = (s2ap & 2) !== 0;
      if (!ok) return this.s2Fail(FSC_PERMISSION + level, ptw, ipa);
      // Device at stage 2 (MemAttr[3:2] = 0) makes the combined access Device.
      const device = ((dlo >>> 4) & 3) === 0;
      if (device && !ptw) this.attr = 0;
      const oaBase = (dhi & 0xffff) * TWO32 + ((dlo & ~0xfff) >>> 0);
      const size = LEVEL_SIZE[level]!;
      if (!ptw && shift < this.mapShift) this.mapShift = shift;
      const out = oaBase - (oaBase % size) + (ipa % size);
      this.s2Tag[slot] = key;
      this.s2Out[slot] = out - (ipa % 4096);
      this.s2Info[slot] =
        (s2ap & 1 ? S2_R : 0) |
        (s2ap & 2 ? S2_W : 0) |
        (xn === 0 ? S2_X : 0) |
        (device ? S2_DEVICE : 0) |
        (shift << 8);
      return out;
    }
  }

  dlo = 0;
  dhi = 0;

  /** Reads a descriptor at physical address pa into dlo/dhi; false on a bus error. */
  private readDesc(pa: number): boolean {
    const cpu = this.cpu;
    const ro = pa - cpu.ramBase;
    if (ro >= 0 && ro + 8 <= cpu.ramSize) {
      this.dlo = cpu.dv.getInt32(ro, true);
      this.dhi = cpu.dv.getInt32(ro + 4, true);
      return true;
    }
    const v = cpu.bus.load(pa, 8);
    if (v === null) return false;
    this.dlo = Number(v & 0xffffffffn) | 0;
    this.dhi = Number((v >> 32n) & 0xffffffffn) | 0;
    return true;
  }
}

/**
 * ISV, SAS, SSE, SRT, SF and AR of a data abort caused by `insn`: valid (ISV = 1) only for a
 * single general-purpose register load or store without writeback (including LDAR/STLR and
 * literal loads); pairs, exclusives, atomics and SIMD&FP accesses report ISV = 0.
 */
export function instructionSyndrome(insn: number): number {
  const rt = insn & 31;
  const size = insn >>> 30;
  let sse = 0;
  let sf = 0;
  let ar = 0;
  if ((insn & (1 << 26)) !== 0) return 0;
  if ((insn & 0x3b000000) === 0x18000000) {
    // Literal: LDR W (32), LDR X, LDRSW.
    const opc = insn >>> 30;
    if (opc === 3) return 0;
    const sas = opc === 0 ? 2 : opc === 1 ? 3 : 2;
    sse = opc === 2 ? 1 : 0;
    sf = opc === 0 ? 0 : 1;
    return (1 << 24) | (sas << 22) | (sse << 21) | (rt << 16) | (sf << 15);
  }
  if ((insn & 0x3f000000) === 0x08000000) {
    // LDAR/STLR only (o2 = 1, o1 = 0).
    if (((insn >>> 23) & 1) !== 1 || ((insn >>> 21) & 1) !== 0) return 0;
    ar = 1;
    sf = size === 3 ? 1 : 0;
    return (1 << 24) | (size << 22) | (rt << 16) | (sf << 15) | (ar << 14);
  }
  if ((insn & 0x38000000) !== 0x38000000) return 0;
  const unsignedOffset = (insn & (1 << 24)) !== 0;
  if (!unsignedOffset) {
    const mode = (insn >>> 10) & 3;
    if ((insn & (1 << 21)) === 0) {
      if (mode === 1 || mode === 3) return 0; // writeback
    } else if (mode !== 2) return 0; // atomics, PAC
  }
  const opc = (insn >>> 22) & 3;
  if (opc >= 2) {
    sse = 1;
    sf = opc === 2 ? 1 : 0;
  } else sf = size === 3 ? 1 : 0;
  return (1 << 24) | (size << 22) | (sse << 21) | (rt << 16) | (sf << 15);
}
