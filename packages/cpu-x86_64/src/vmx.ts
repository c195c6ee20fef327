/**
 * VMX (Intel SDM vol. 3 ch. 24-29): VMX operation, VMCS shadows, VM entry with its checks,
 * VM exits with their information fields, EPT, and the exits of VMX non-root operation that
 * the CPU asks about (the hooks below). The VMX instructions decode in exec.ts and are
 * carried out in vmx-insn.ts.
 *
 * A VMCS lives in a shadow (`Vmcs`) while it is active or cached; VMCLEAR writes it back to
 * its guest-physical page in this layout: revision id (4 bytes), abort indicator (4 bytes),
 * then each implemented field (vmcs-fields.ts order) as 8 bytes.
 *
 * Host-trap mode: the TypeScript hypervisor is VMX root. It writes the current VMCS with
 * `vmwrite`, enters the guest with `enterGuest()`, and `run()` returns "host-trap" at each VM
 * exit with the exit fields set; the host-state area is neither checked nor loaded.
 */
import { VMEXIT, wrap64, type X86Cpu } from "./cpu.js";
import { rdmsr, wrmsr } from "./msr.js";
import * as pagingOps from "./paging.js";
import * as regs from "./regs.js";
import {
  EVENT_EXCEPTION,
  EVENT_EXTERNAL,
  EVENT_NMI,
  EVENT_SOFT_EXC,
  EVENT_SOFT_INT,
} from "./system.js";
import * as fields from "./vmcs-fields.js";

const { FIELD_COUNT, FIELDS, fieldWidth, slotOf, V } = fields;
const { ACC_FETCH, ACC_READ, ACC_WRITE } = pagingOps;

// Bound once: under vitest an imported name is a getter on every use.
const {
  CR0_NE,
  CR0_PE,
  CR0_PG,
  CR4_PAE,
  CR4_SUPPORTED,
  CR4_VMXE,
  CS,
  DS,
  EFER_LMA,
  EFER_LME,
  ES,
  FS,
  GS,
  IF,
  LDTR,
  RSP,
  SA_DB,
  SA_G,
  SA_L,
  SA_P,
  SA_S,
  SA_UNUSABLE,
  SS,
  TR,
} = regs;

const TWO32 = 4294967296;

const EPT_CACHE_SIZE = 1024;
const EPT_CACHE_MASK = EPT_CACHE_SIZE - 1;
const EPT_DIRTY_DONE = 8;
const EPT_NOT_PRESENT = 16;

/** The VMCS revision identifier (IA32_VMX_BASIC[30:0]). */
export const VMCS_REVISION = 1;

/** Exit reasons (SDM vol. 3 appendix C). */
export const EXIT = {
  EXCEPTION_NMI: 0,
  EXTERNAL_INTERRUPT: 1,
  TRIPLE_FAULT: 2,
  INIT: 3,
  SIPI: 4,
  INTERRUPT_WINDOW: 7,
  CPUID: 10,
  HLT: 12,
  INVD: 13,
  INVLPG: 14,
  RDTSC: 16,
  VMCALL: 18,
  VMCLEAR: 19,
  VMLAUNCH: 20,
  VMPTRLD: 21,
  VMPTRST: 22,
  VMREAD: 23,
  VMRESUME: 24,
  VMWRITE: 25,
  VMXOFF: 26,
  VMXON: 27,
  CR_ACCESS: 28,
  MOV_DR: 29,
  IO: 30,
  RDMSR: 31,
  WRMSR: 32,
  INVALID_GUEST_STATE: 33,
  MSR_LOADING: 34,
  PAUSE: 40,
  EPT_VIOLATION: 48,
  EPT_MISCONFIG: 49,
  INVEPT: 50,
  RDTSCP: 51,
  PREEMPTION_TIMER: 52,
  INVVPID: 53,
  WBINVD: 54,
  XSETBV: 55,
} as const;

// Pin-based controls.
const PIN_EXT_INT = 1 << 0;
const PIN_NMI = 1 << 3;
const PIN_VIRTUAL_NMI = 1 << 5;
const PIN_PREEMPTION = 1 << 6;
// Primary processor-based controls.
const PROC_INT_WINDOW = 1 << 2;
const PROC_TSC_OFFSET = 1 << 3;
const PROC_HLT = 1 << 7;
const PROC_INVLPG = 1 << 9;
const PROC_RDTSC = 1 << 12;
const PROC_CR3_LOAD = 1 << 15;
const PROC_CR3_STORE = 1 << 16;
const PROC_CR8_LOAD = 1 << 19;
const PROC_CR8_STORE = 1 << 20;
const PROC_MOV_DR = 1 << 23;
const PROC_IO_UNCOND = 1 << 24;
const PROC_IO_BITMAPS = 1 << 25;
const PROC_MSR_BITMAPS = 1 << 28;
const PROC_PAUSE = 1 << 30;
const PROC_SECONDARY = 1 << 31;
// Secondary controls.
const PROC2_EPT = 1 << 1;
const PROC2_RDTSCP = 1 << 3;
const PROC2_VPID = 1 << 5;
const PROC2_UNRESTRICTED = 1 << 7;
// Exit controls.
const EXIT_HOST_64 = 1 << 9;
const EXIT_ACK_INT = 1 << 15;
const EXIT_SAVE_PAT = 1 << 18;
const EXIT_LOAD_PAT = 1 << 19;
const EXIT_SAVE_EFER = 1 << 20;
const EXIT_LOAD_EFER = 1 << 21;
const EXIT_SAVE_TIMER = 1 << 22;
// Entry controls.
const ENTRY_IA32E = 1 << 9;
const ENTRY_LOAD_PAT = 1 << 14;
const ENTRY_LOAD_EFER = 1 << 15;

/** Default-1 bits of each control (the "allowed 0" halves of the non-true MSRs). */
const PIN_DEFAULT1 = 0x16;
const PROC_DEFAULT1 = 0x0401e172;
const EXIT_DEFAULT1 = 0x00036dff;
const ENTRY_DEFAULT1 = 0x000011ff;
/** The bits each control may have set (what this CPU implements, plus the default-1 bits). */
/** Virtual NMIs (bit 5) are not implemented, so not allowed. */
const PIN_ALLOWED1 = PIN_DEFAULT1 | PIN_EXT_INT | PIN_NMI | PIN_PREEMPTION;
const PROC_ALLOWED1 =
  PROC_DEFAULT1 |
  PROC_INT_WINDOW |
  PROC_TSC_OFFSET |
  PROC_HLT |
  PROC_INVLPG |
  PROC_RDTSC |
  PROC_CR3_LOAD |
  PROC_CR3_STORE |
  PROC_CR8_LOAD |
  PROC_CR8_STORE |
  PROC_MOV_DR |
  PROC_IO_UNCOND |
  PROC_IO_BITMAPS |
  PROC_MSR_BITMAPS |
  PROC_PAUSE |
  PROC_SECONDARY;
const PROC2_ALLOWED1 = PROC2_EPT | PROC2_RDTSCP | PROC2_VPID | PROC2_UNRESTRICTED;
const EXIT_ALLOWED1 =
  EXIT_DEFAULT1 |
  EXIT_HOST_64 |
  EXIT_ACK_INT |
  EXIT_SAVE_PAT |
  EXIT_LOAD_PAT |
  EXIT_SAVE_EFER |
  EXIT_LOAD_EFER |
  EXIT_SAVE_TIMER;
const ENTRY_ALLOWED1 = ENTRY_DEFAULT1 | ENTRY_IA32E | ENTRY_LOAD_PAT | ENTRY_LOAD_EFER;
/** The true controls let software clear these default-1 bits. */
const PIN_TRUE_DEFAULT1 = PIN_DEFAULT1;
const PROC_TRUE_DEFAULT1 = PROC_DEFAULT1 & ~(PROC_CR3_LOAD | PROC_CR3_STORE | (1 << 16));
const EXIT_TRUE_DEFAULT1 = EXIT_DEFAULT1 & ~(1 << 2);
const ENTRY_TRUE_DEFAULT1 = ENTRY_DEFAULT1 & ~(1 << 2);

const CR0_FIXED0 = CR0_PE | CR0_NE | CR0_PG;
const CR4_FIXED0 = CR4_VMXE;

/** A VMCS shadow: its fields (slot order of vmcs-fields.ts) as 32-bit halves. */
export class Vmcs {
  launched = false;
  readonly lo = new Int32Array(FIELD_COUNT);
  readonly hi = new Int32Array(FIELD_COUNT);
  constructor(readonly addr: number) {}
}

const SEG_FIELDS = [
  [V.GUEST_ES_SEL, V.GUEST_ES_BASE, V.GUEST_ES_LIMIT, V.GUEST_ES_AR],
  [V.GUEST_CS_SEL, V.GUEST_CS_BASE, V.GUEST_CS_LIMIT, V.GUEST_CS_AR],
  [V.GUEST_SS_SEL, V.GUEST_SS_BASE, V.GUEST_SS_LIMIT, V.GUEST_SS_AR],
  [V.GUEST_DS_SEL, V.GUEST_DS_BASE, V.GUEST_DS_LIMIT, V.GUEST_DS_AR],
  [V.GUEST_FS_SEL, V.GUEST_FS_BASE, V.GUEST_FS_LIMIT, V.GUEST_FS_AR],
  [V.GUEST_GS_SEL, V.GUEST_GS_BASE, V.GUEST_GS_LIMIT, V.GUEST_GS_AR],
  [V.GUEST_LDTR_SEL, V.GUEST_LDTR_BASE, V.GUEST_LDTR_LIMIT, V.GUEST_LDTR_AR],
  [V.GUEST_TR_SEL, V.GUEST_TR_BASE, V.GUEST_TR_LIMIT, V.GUEST_TR_AR],
] as const;

/** The slots of SEG_FIELDS, four per segment register (selector, base, limit, rights). */
const SEG_SLOTS = Int16Array.from(SEG_FIELDS.flat().map((enc) => slotOf(enc)));

/**
 * Fields a host-trap hypervisor writes between an exit and the next entry that neither a
 * control check nor the rest of the guest state depends on (the entry checks them itself).
 * A write to any other field makes the next entry take the full path.
 */
const LIGHT_FIELD = new Uint8Array(FIELD_COUNT);
for (const enc of [
  V.GUEST_RIP,
  V.GUEST_RSP,
  V.GUEST_RFLAGS,
  V.GUEST_INTERRUPTIBILITY,
  V.GUEST_ACTIVITY_STATE,
  V.ENTRY_INTR_INFO,
  V.ENTRY_EXCEPTION_ERROR,
  V.ENTRY_INSTR_LEN,
]) {
  LIGHT_FIELD[slotOf(enc)] = 1;
}

/**
 * Guest-state fields a host-trap VM exit leaves in the CPU instead of storing (the CPU keeps
 * the guest's state after such an exit; nothing runs on it until the next entry): the data
 * segment registers, LDTR, TR, GDTR, IDTR, CR0/CR3/CR4, DR7, the SYSENTER MSRs and PAT.
 * They are stored at the first access to any of them (`saveLazy`), so an exit the hypervisor
 * handles from RIP, CS, EFER and the exit information alone stores about a fifth of the state.
 * CS stays eager: instruction decode reads its base and rights on every MMIO exit.
 */
const LAZY_FIELD = new Uint8Array(FIELD_COUNT);
for (const enc of [
  ...SEG_FIELDS.filter((f) => f[0] !== V.GUEST_CS_SEL).flat(),
  V.GUEST_CR0,
  V.GUEST_CR3,
  V.GUEST_CR4,
  V.GUEST_DR7,
  V.GUEST_GDTR_BASE,
  V.GUEST_GDTR_LIMIT,
  V.GUEST_IDTR_BASE,
  V.GUEST_IDTR_LIMIT,
  V.GUEST_SYSENTER_CS,
  V.GUEST_SYSENTER_ESP,
  V.GUEST_SYSENTER_EIP,
  V.GUEST_PAT,
]) {
  LAZY_FIELD[slotOf(enc)] = 1;
}
/** CS, the segment register a host-trap exit stores at once (SEG_SLOTS index 1). */
const CS_SEG = 1;

// Slots of the guest-state fields every VM exit stores.
const S_RIP = slotOf(V.GUEST_RIP);
const S_RSP = slotOf(V.GUEST_RSP);
const S_RFLAGS = slotOf(V.GUEST_RFLAGS);
const S_CR0 = slotOf(V.GUEST_CR0);
const S_CR3 = slotOf(V.GUEST_CR3);
const S_CR4 = slotOf(V.GUEST_CR4);
const S_DR7 = slotOf(V.GUEST_DR7);
const S_GDTR_BASE = slotOf(V.GUEST_GDTR_BASE);
const S_GDTR_LIMIT = slotOf(V.GUEST_GDTR_LIMIT);
const S_IDTR_BASE = slotOf(V.GUEST_IDTR_BASE);
const S_IDTR_LIMIT = slotOf(V.GUEST_IDTR_LIMIT);
const S_SYSENTER_CS = slotOf(V.GUEST_SYSENTER_CS);
const S_SYSENTER_ESP = slotOf(V.GUEST_SYSENTER_ESP);
const S_SYSENTER_EIP = slotOf(V.GUEST_SYSENTER_EIP);
const S_EFER = slotOf(V.GUEST_EFER);
const S_PAT = slotOf(V.GUEST_PAT);
const S_ENTRY_CONTROLS = slotOf(V.ENTRY_CONTROLS);
const S_ACTIVITY = slotOf(V.GUEST_ACTIVITY_STATE);
const S_INTERRUPTIBILITY = slotOf(V.GUEST_INTERRUPTIBILITY);
const S_EXIT_REASON = slotOf(V.EXIT_REASON);
const S_ENTRY_INTR_INFO = slotOf(V.ENTRY_INTR_INFO);
const S_EXIT_QUALIFICATION = slotOf(V.EXIT_QUALIFICATION);
const S_EXIT_INSTR_LEN = slotOf(V.EXIT_INSTR_LEN);
const S_EXIT_INSTR_INFO = slotOf(V.EXIT_INSTR_INFO);
const S_EXIT_INTR_INFO = slotOf(V.EXIT_INTR_INFO);
const S_IDT_VECTORING_INFO = slotOf(V.IDT_VECTORING_INFO);
const S_GUEST_LINEAR_ADDR = slotOf(V.GUEST_LINEAR_ADDR);
const S_GUEST_PHYSICAL_ADDR = slotOf(V.GUEST_PHYSICAL_ADDR);

/** A natural-width or 64-bit field's value as a number (exact for addresses). */
function getNum(v: Vmcs, slot: number): number {
  return v.hi[slot]! * TWO32 + (v.lo[slot]! >>> 0);
}

/** Stores a natural-width or 64-bit field from a number. */
function putNum(v: Vmcs, slot: number, n: number): void {
  v.lo[slot] = n >>> 0;
  v.hi[slot] = Math.floor(n / TWO32) | 0;
}

/** Stores a 16- or 32-bit field. */
function put32(v: Vmcs, slot: number, n: number): void {
  v.lo[slot] = n;
  v.hi[slot] = 0;
}

export class Vmx {
  /** In VMX operation (after VMXON). */
  on = false;
  /** VMX non-root operation: a guest is running under the current VMCS. */
  guestMode = false;
  /** EPT translation applies to guest-physical addresses now. */
  eptActive = false;
  vmxonPtr = -1;
  current: Vmcs | null = null;
  /** VMCSs that were active and not yet cleared, by address. */
  private readonly cache = new Map<number, Vmcs>();

  // Controls cached at VM entry.
  private pin = 0;
  private proc = 0;
  private proc2 = 0;
  private exitCtl = 0;
  private exceptionBitmap = 0;
  private eptRoot = 0;
  /** EPTP bit 6: the walk sets accessed (bit 8) and dirty (bit 9) flags in EPT entries. */
  private eptAd = false;
  private timerDeadline = Number.POSITIVE_INFINITY;

  /** A guest runs with the VMX-preemption timer armed (its deadline is polled, not scheduled). */
  get preemptionTimerArmed(): boolean {
    return this.guestMode && (this.pin & PIN_PREEMPTION) !== 0;
  }

  constructor(readonly cpu: X86Cpu) {}

  reset(): void {
    this.on = false;
    this.guestMode = false;
    this.eptActive = false;
    this.vmxonPtr = -1;
    this.current = null;
    this.lazy = null;
    this.cache.clear();
    this.contexts.clear();
    this.synced = null;
    this.flushEptCache();
    this.eptCacheRoot = -1;
    this.lastCtx = -1;
  }

  // ------------------------------------------------------------------ VMCS field access

  /** The VMCS the instructions operate on (host-trap mode: one is made on first use). */
  vmcs(): Vmcs {
    if (this.current === null) {
      if (!this.cpu.hostTrapMode) throw new Error("no current VMCS");
      this.current = new Vmcs(-1);
    }
    return this.current;
  }

  rd(enc: number): number {
    const s = slotOf(enc);
    if (this.lazy !== null && LAZY_FIELD[s] === 1) this.saveLazy();
    return this.vmcs().lo[s]! >>> 0;
  }

  /** A 64-bit or natural-width field as a signed number (exact for addresses). */
  rdNum(enc: number): number {
    const s = slotOf(enc);
    if (this.lazy !== null && LAZY_FIELD[s] === 1) this.saveLazy();
    const v = this.vmcs();
    return v.hi[s]! * TWO32 + (v.lo[s]! >>> 0);
  }

  wr(enc: number, lo: number, hi = 0): void {
    const s = slotOf(enc);
    if (this.lazy !== null && LAZY_FIELD[s] === 1) this.saveLazy();
    const v = this.vmcs();
    if (LIGHT_FIELD[s] === 0) this.synced = null;
    v.lo[s] = lo;
    // 64-bit (width 1) and natural-width (3) fields keep their high half.
    v.hi[s] = (fieldWidth(enc) & 1) === 1 ? hi : 0;
  }

  wrNum(enc: number, n: number): void {
    this.wr(enc, n >>> 0, Math.floor(n / TWO32) | 0);
  }

  /** Loads a VMCS from its page (our layout) or the cache. */
  loadVmcs(addr: number): Vmcs {
    this.saveLazy();
    const cached = this.cache.get(addr);
    if (cached !== undefined) return cached;
    const v = new Vmcs(addr);
    const cpu = this.cpu;
    for (let i = 0; i < FIELD_COUNT; i++) {
      v.lo[i] = cpu.physRead32(addr + 8 + i * 8);
      v.hi[i] = cpu.physRead32(addr + 12 + i * 8);
    }
    // A VMCS read from memory was VMCLEARed (or never used): its launch state is clear.
    this.cache.set(addr, v);
    return v;
  }

  /** VMCLEAR: writes the shadow back, launch state clear. */
  clearVmcs(addr: number): void {
    this.saveLazy();
    const v = this.cache.get(addr) ?? this.loadVmcs(addr);
    const cpu = this.cpu;
    for (let i = 0; i < FIELD_COUNT; i++) {
      cpu.physWrite32(addr + 8 + i * 8, v.lo[i]!);
      cpu.physWrite32(addr + 12 + i * 8, v.hi[i]!);
    }
    cpu.physWrite32(addr + 4, 0);
    v.launched = false;
    if (this.synced === v) this.synced = null;
    this.cache.delete(addr);
    if (this.current === v) this.current = null;
  }

  // ------------------------------------------------------------------ capability MSRs

  /** The IA32_VMX_* capability MSRs (0x480-0x491); false = not one of them. */
  readCapabilityMsr(msr: number): boolean {
    if (msr < 0x480 || msr > 0x491 || !this.cpu.model.vmx) return false;
    const cpu = this.cpu;
    let lo = 0;
    let hi = 0;
    switch (msr) {
      case 0x480:
        // Revision, 4 KiB VMCS region, write-back, INS/OUTS info, true controls.
        lo = VMCS_REVISION;
        hi = 0x1000 | (6 << 18) | (1 << 22) | (1 << 23);
        break;
      case 0x481:
        lo = PIN_DEFAULT1;
        hi = PIN_ALLOWED1;
        break;
      case 0x482:
        lo = PROC_DEFAULT1;
        hi = PROC_ALLOWED1;
        break;
      case 0x483:
        lo = EXIT_DEFAULT1;
        hi = EXIT_ALLOWED1;
        break;
      case 0x484:
        lo = ENTRY_DEFAULT1;
        hi = ENTRY_ALLOWED1;
        break;
      case 0x485:
        // Timer rate TSC >> 5, LMA stored on exit, HLT and wait-for-SIPI activity, 4 CR3 targets.
        lo = 5 | (1 << 5) | (1 << 6) | (1 << 8) | (4 << 16);
        hi = 0;
        break;
      case 0x486:
        lo = CR0_FIXED0;
        break;
      case 0x487:
        lo = 0xffffffff;
        break;
      case 0x488:
        lo = CR4_FIXED0;
        break;
      case 0x489:
        lo = CR4_SUPPORTED;
        break;
      case 0x48a:
        // Highest VMCS field index in use (the preemption timer value's, 0x17), shifted by 1.
        lo = 0x2e;
        break;
      case 0x48b:
        lo = 0;
        hi = PROC2_ALLOWED1;
        break;
      case 0x48c:
        // EPT: execute-only, 4-level walk, WB, 2 MiB and 1 GiB pages, INVEPT (single, all),
        // accessed and dirty flags;
        // VPID: INVVPID (individual address, single, all, single-retaining-globals).
        lo =
          1 |
          (1 << 6) |
          (1 << 14) |
          (1 << 16) |
          (1 << 17) |
          (1 << 20) |
          (1 << 21) |
          (1 << 25) |
          (1 << 26);
        hi = 1 | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11);
        break;
      case 0x48d:
        lo = PIN_TRUE_DEFAULT1;
        hi = PIN_ALLOWED1;
        break;
      case 0x48e:
        lo = PROC_TRUE_DEFAULT1;
        hi = PROC_ALLOWED1;
        break;
      case 0x48f:
        lo = EXIT_TRUE_DEFAULT1;
        hi = EXIT_ALLOWED1;
        break;
      case 0x490:
        lo = ENTRY_TRUE_DEFAULT1;
        hi = ENTRY_ALLOWED1;
        break;
      default:
        // 0x491 VM functions: none.
        break;
    }
    cpu.msrLo = lo >>> 0;
    cpu.msrHi = hi >>> 0;
    return true;
  }

  // ------------------------------------------------------------------ VM entry

  /**
   * VMLAUNCH/VMRESUME after the instruction checks: control and host-state checks (a VMfail
   * error number is returned, 0 = passed), then guest state is loaded; an invalid guest state
   * is a VM exit with reason 33 (entry failure).
   */
  enter(launch: boolean): number {
    const v = this.vmcs();
    const host = !this.cpu.hostTrapMode;
    if (launch && v.launched) return 4;
    if (!launch && !v.launched) return 5;
    if (this.synced === v && !launch) {
      // VMRESUME of the guest that just exited, its controls and the rest of its state as
      // they were: only what the hypervisor may have written since is checked and loaded.
      if (!this.eventValid()) return 7;
      const qual = this.lightStateInvalid();
      if (qual >= 0) {
        this.failEntry(EXIT.INVALID_GUEST_STATE, qual);
        return 0;
      }
      this.loadLightState();
    } else {
      // The full path reads the guest state straight from the VMCS arrays.
      this.saveLazy();
      if (!this.controlsValid()) return 7;
      if (host && !this.hostStateValid()) return 8;
      const qual = this.guestStateInvalid();
      this.pin = this.rd(V.PIN_CONTROLS);
      this.proc = this.rd(V.PROC_CONTROLS);
      this.proc2 = this.proc & PROC_SECONDARY ? this.rd(V.PROC_CONTROLS2) : 0;
      this.exitCtl = this.rd(V.EXIT_CONTROLS);
      this.exceptionBitmap = this.rd(V.EXCEPTION_BITMAP);
      if (qual >= 0) {
        this.failEntry(EXIT.INVALID_GUEST_STATE, qual);
        return 0;
      }
      this.loadGuestState();
    }
    this.synced = null;
    const bad = this.loadMsrList(V.ENTRY_MSR_LOAD_ADDR, V.ENTRY_MSR_LOAD_COUNT);
    if (bad > 0) {
      this.failEntry(EXIT.MSR_LOADING, bad);
      return 0;
    }
    v.launched = true;
    this.guestMode = true;
    this.eptActive = (this.proc2 & PROC2_EPT) !== 0;
    // The page-aligned root from the halves (a `%` on a double is a slow remainder call).
    this.eptRoot = this.rdNum(V.EPT_POINTER) - (this.rd(V.EPT_POINTER) & 0xfff);
    if (this.eptActive && this.eptRoot !== this.eptCacheRoot) {
      this.flushEptCache();
      this.eptCacheRoot = this.eptRoot;
    }
    this.eptAd = (this.rd(V.EPT_POINTER) & 0x40) !== 0;
    this.timerDeadline =
      this.pin & PIN_PREEMPTION
        ? this.cpu.time.now() + this.rd(V.PREEMPTION_TIMER) * 32
        : Number.POSITIVE_INFINITY;
    this.enterTlbContext();
    this.cpu.pollIn = 0;
    this.injectEvent();
    return 0;
  }

  private controlsValid(): boolean {
    const pin = this.rd(V.PIN_CONTROLS);
    const proc = this.rd(V.PROC_CONTROLS);
    const exit = this.rd(V.EXIT_CONTROLS);
    const entry = this.rd(V.ENTRY_CONTROLS);
    const fits = (val: number, must: number, may: number) =>
      (val & must) === must && (val & ~may) === 0;
    if (!fits(pin, PIN_TRUE_DEFAULT1, PIN_ALLOWED1)) return false;
    if (!fits(proc, PROC_TRUE_DEFAULT1, PROC_ALLOWED1)) return false;
    if (!fits(exit, EXIT_TRUE_DEFAULT1, EXIT_ALLOWED1)) return false;
    if (!fits(entry, ENTRY_TRUE_DEFAULT1, ENTRY_ALLOWED1)) return false;
    const proc2 = proc & PROC_SECONDARY ? this.rd(V.PROC_CONTROLS2) : 0;
    if (proc2 & ~PROC2_ALLOWED1) return false;
    if (this.rd(V.CR3_TARGET_COUNT) > 4) return false;
    if (
      proc & PROC_IO_BITMAPS &&
      (this.rd(V.IO_BITMAP_A) & 0xfff || this.rd(V.IO_BITMAP_B) & 0xfff)
    ) {
      return false;
    }
    if (proc & PROC_MSR_BITMAPS && this.rd(V.MSR_BITMAP) & 0xfff) return false;
    if ((pin & PIN_VIRTUAL_NMI) !== 0 && (pin & PIN_NMI) === 0) return false;
    if (proc2 & PROC2_EPT) {
      const eptp = this.rd(V.EPT_POINTER);
      const type = eptp & 7;
      if ((type !== 0 && type !== 6) || ((eptp >>> 3) & 7) !== 3 || eptp & 0xf80) return false;
    }
    if (proc2 & PROC2_UNRESTRICTED && (proc2 & PROC2_EPT) === 0) return false;
    if (proc2 & PROC2_VPID && (this.rd(V.VPID) & 0xffff) === 0) return false;
    return this.eventValid();
  }

  /** The VM-entry interruption-information field's checks (SDM 26.2.1.3). */
  private eventValid(): boolean {
    const intr = this.rd(V.ENTRY_INTR_INFO);
    if (intr & 0x80000000) {
      const type = (intr >>> 8) & 7;
      const vector = intr & 0xff;
      if (type === 1 || type === 7) return false;
      if (type === 2 && vector !== 2) return false;
      if (type === 3 && vector > 31) return false;
      if (intr & 0x7ffff000) return false;
      if (type >= 4 && type <= 6 && this.rd(V.ENTRY_INSTR_LEN) > 15) return false;
    }
    return true;
  }

  private hostStateValid(): boolean {
    const cr0 = this.rd(V.HOST_CR0);
    const cr4 = this.rd(V.HOST_CR4);
    if ((cr0 & CR0_FIXED0) !== CR0_FIXED0 || (cr4 & CR4_FIXED0) !== CR4_FIXED0) return false;
    const host64 = (this.rd(V.EXIT_CONTROLS) & EXIT_HOST_64) !== 0;
    if (host64 !== ((this.cpu.efer & EFER_LMA) !== 0)) return false;
    if (host64 && (cr4 & CR4_PAE) === 0) return false;
    if ((this.rd(V.HOST_CS_SEL) & 0xfff8) === 0 || (this.rd(V.HOST_TR_SEL) & 0xfff8) === 0)
      return false;
    for (const f of [
      V.HOST_CS_SEL,
      V.HOST_SS_SEL,
      V.HOST_DS_SEL,
      V.HOST_ES_SEL,
      V.HOST_FS_SEL,
      V.HOST_GS_SEL,
      V.HOST_TR_SEL,
    ]) {
      if (this.rd(f) & 7) return false;
    }
    const rip = this.rdNum(V.HOST_RIP);
    if (host64 && (rip < -0x800000000000 || rip >= 0x800000000000)) return false;
    return true;
  }

  /** -1 when the guest state passes the checks, else the exit qualification of the failure. */
  private guestStateInvalid(): number {
    const proc2 = this.rd(V.PROC_CONTROLS) & PROC_SECONDARY ? this.rd(V.PROC_CONTROLS2) : 0;
    const unrestricted = (proc2 & PROC2_UNRESTRICTED) !== 0;
    const cr0 = this.rd(V.GUEST_CR0);
    const cr4 = this.rd(V.GUEST_CR4);
    const fixed0 = unrestricted ? CR0_FIXED0 & ~(CR0_PE | CR0_PG) : CR0_FIXED0;
    if ((cr0 & fixed0) !== fixed0) return 0;
    if (cr0 & CR0_PG && (cr0 & CR0_PE) === 0) return 0;
    if ((cr4 & CR4_FIXED0) !== CR4_FIXED0 || cr4 & ~CR4_SUPPORTED) return 0;
    const ia32e = (this.rd(V.ENTRY_CONTROLS) & ENTRY_IA32E) !== 0;
    if (ia32e && ((cr0 & CR0_PG) === 0 || (cr4 & CR4_PAE) === 0)) return 0;
    if (this.rd(V.ENTRY_CONTROLS) & ENTRY_LOAD_EFER) {
      const efer = this.rd(V.GUEST_EFER);
      if (((efer & EFER_LMA) !== 0) !== ia32e) return 0;
      if (cr0 & CR0_PG && ((efer & EFER_LME) !== 0) !== ia32e) return 0;
    }
    const rflags = this.rd(V.GUEST_RFLAGS);
    if ((rflags & 2) === 0 || rflags & 0xffc08028) return 0;
    const linkLo = this.rd(V.VMCS_LINK_POINTER);
    const linkHi = this.vmcs().hi[slotOf(V.VMCS_LINK_POINTER)]! >>> 0;
    if (linkLo !== 0xffffffff || linkHi !== 0xffffffff) return 4;
    const activity = this.rd(V.GUEST_ACTIVITY_STATE);
    if (activity !== 0 && activity !== 1 && activity !== 3) return 0;
    const csAr = this.rd(V.GUEST_CS_AR);
    if (csAr & SA_UNUSABLE || (csAr & SA_P) === 0) return 0;
    if ((this.rd(V.GUEST_TR_AR) & SA_UNUSABLE) !== 0) return 0;
    return -1;
  }

  /** The checks of guestStateInvalid on the fields LIGHT_FIELD lets change (-1: passed). */
  private lightStateInvalid(): number {
    const rflags = this.rd(V.GUEST_RFLAGS);
    if ((rflags & 2) === 0 || rflags & 0xffc08028) return 0;
    const activity = this.rd(V.GUEST_ACTIVITY_STATE);
    if (activity !== 0 && activity !== 1 && activity !== 3) return 0;
    return -1;
  }

  /** The guest-state fields of LIGHT_FIELD; the CPU still holds the rest since the exit. */
  private loadLightState(): void {
    const cpu = this.cpu;
    this.loadRsp(V.GUEST_RSP);
    cpu.flags = this.rd(V.GUEST_RFLAGS) | 2;
    cpu.rip = cpu.lin32 ? this.rd(V.GUEST_RIP) : this.rdNum(V.GUEST_RIP);
    const activity = this.rd(V.GUEST_ACTIVITY_STATE);
    cpu.halted = activity === 1;
    cpu.waitSipi = activity === 3;
    const intr = this.rd(V.GUEST_INTERRUPTIBILITY);
    cpu.shadowAt = intr & 3 ? cpu.icount : -1;
    cpu.nmiBlocked = (intr & 8) !== 0;
  }

  /**
   * The VMCS whose guest state the CPU holds unchanged since its VM exit in host-trap mode
   * (no field outside LIGHT_FIELD written since), or null.
   */
  private synced: Vmcs | null = null;

  private loadGuestState(): void {
    const cpu = this.cpu;
    cpu.cr0 = this.rd(V.GUEST_CR0) | 0;
    cpu.cr3 = this.rdNum(V.GUEST_CR3);
    cpu.cr4 = this.rd(V.GUEST_CR4) | 0;
    cpu.dr[7] = this.rd(V.GUEST_DR7);
    const entry = this.rd(V.ENTRY_CONTROLS);
    if (entry & ENTRY_LOAD_EFER) cpu.efer = this.rd(V.GUEST_EFER) | 0;
    else if (entry & ENTRY_IA32E) cpu.efer |= EFER_LMA | EFER_LME;
    else cpu.efer &= ~(EFER_LMA | EFER_LME);
    if (entry & ENTRY_IA32E) cpu.efer |= EFER_LMA;
    else cpu.efer &= ~EFER_LMA;
    if (entry & ENTRY_LOAD_PAT) {
      cpu.patLo = this.rd(V.GUEST_PAT);
      cpu.patHi = this.vmcs().hi[slotOf(V.GUEST_PAT)]!;
    }
    const v = this.vmcs();
    const lo = v.lo;
    for (let s = 0; s < 8; s++) {
      const f = s * 4;
      cpu.segSel[s] = lo[SEG_SLOTS[f]!]! & 0xffff;
      cpu.segBase[s] = getNum(v, SEG_SLOTS[f + 1]!);
      cpu.segLimit[s] = lo[SEG_SLOTS[f + 2]!]! >>> 0;
      cpu.segAttr[s] = lo[SEG_SLOTS[f + 3]!]! & 0x1f0ff;
    }
    cpu.gdtBase = this.rdNum(V.GUEST_GDTR_BASE);
    cpu.gdtLimit = this.rd(V.GUEST_GDTR_LIMIT) & 0xffff;
    cpu.idtBase = this.rdNum(V.GUEST_IDTR_BASE);
    cpu.idtLimit = this.rd(V.GUEST_IDTR_LIMIT) & 0xffff;
    cpu.sysenterCs = this.rd(V.GUEST_SYSENTER_CS);
    cpu.sysenterEsp = this.rdNum(V.GUEST_SYSENTER_ESP);
    cpu.sysenterEip = this.rdNum(V.GUEST_SYSENTER_EIP);
    this.loadRsp(V.GUEST_RSP);
    cpu.flags = this.rd(V.GUEST_RFLAGS) | 2;
    cpu.cpl = (cpu.cr0 & CR0_PE) === 0 ? 0 : (cpu.segAttr[SS]! >> 5) & 3;
    cpu.updateMode();
    cpu.rip = cpu.lin32 ? this.rd(V.GUEST_RIP) : this.rdNum(V.GUEST_RIP);
    const activity = this.rd(V.GUEST_ACTIVITY_STATE);
    cpu.halted = activity === 1;
    cpu.waitSipi = activity === 3;
    const intr = this.rd(V.GUEST_INTERRUPTIBILITY);
    cpu.shadowAt = intr & 3 ? cpu.icount : -1;
    cpu.nmiBlocked = (intr & 8) !== 0;
  }

  /** RSP from a natural-width field, exactly (both halves). */
  private loadRsp(field: number): void {
    const v = this.vmcs();
    const slot = slotOf(field);
    this.cpu.rlo[RSP] = v.lo[slot]!;
    this.cpu.rhi[RSP] = v.hi[slot]!;
  }

  /** Delivers the event of the VM-entry interruption-information field. */
  private injectEvent(): void {
    const info = this.rd(V.ENTRY_INTR_INFO);
    if ((info & 0x80000000) === 0) return;
    const cpu = this.cpu;
    const type = (info >>> 8) & 7;
    const vector = info & 0xff;
    const err = info & 0x800 ? this.rd(V.ENTRY_EXCEPTION_ERROR) : -1;
    const kind =
      type === 0
        ? EVENT_EXTERNAL
        : type === 2
          ? EVENT_NMI
          : type === 3
            ? EVENT_EXCEPTION
            : type === 4
              ? EVENT_SOFT_INT
              : EVENT_SOFT_EXC;
    cpu.softNext = cpu.lin32
      ? (cpu.rip + this.rd(V.ENTRY_INSTR_LEN)) >>> 0
      : cpu.rip + this.rd(V.ENTRY_INSTR_LEN);
    cpu.halted = false;
    if (kind === EVENT_NMI) cpu.nmiBlocked = true;
    // Injected events are delivered without the exception bitmap (SDM 26.6.1.1); exceptions
    // their delivery raises are intercepted as usual.
    this.injecting = true;
    try {
      cpu.deliver(kind, vector, err);
    } finally {
      this.injecting = false;
    }
  }

  /** The next event delivery is the injected one (deliverEvent clears it once past the check). */
  injecting = false;

  /** A VM-entry failure: the exit fields with bit 31 set; the processor stays in root mode. */
  private failEntry(reason: number, qual: number): void {
    this.synced = null;
    this.wr(V.EXIT_REASON, (reason | 0x80000000) >>> 0);
    this.wrNum(V.EXIT_QUALIFICATION, qual);
    this.wr(V.EXIT_INSTR_LEN, 0);
    this.wr(V.EXIT_INTR_INFO, 0);
    if (this.cpu.hostTrapMode) {
      this.cpu.stopReason = "host-trap";
      return;
    }
    this.loadHostState();
  }

  // ------------------------------------------------------------------ VM exit

  /**
   * After an EPT-violation exit: the offset in `cpu.ram` of the 15 bytes at the exiting
   * instruction, as the guest's fetch translated them, or -1 (read them through the guest's
   * page tables then).
   */
  exitCodeOffset = -1;

  /**
   * Performs a VM exit: exit information, guest state saved (RIP = `cpu.rip`, which is the
   * instruction that caused it or the next one to run), host state loaded (or, in host-trap
   * mode, run() stops with "host-trap").
   */
  vmExit(reason: number, qual = 0, len = 0, info = 0, gla = Number.NaN, gpa = Number.NaN): void {
    const cpu = this.cpu;
    // The exit information by precomputed slots, as the guest state below (every exit).
    const v = this.vmcs();
    put32(v, S_EXIT_REASON, reason);
    putNum(v, S_EXIT_QUALIFICATION, qual);
    put32(v, S_EXIT_INSTR_LEN, len);
    put32(v, S_EXIT_INSTR_INFO, info);
    if (reason !== EXIT.EXCEPTION_NMI && reason !== EXIT.EXTERNAL_INTERRUPT) {
      put32(v, S_EXIT_INTR_INFO, 0);
    }
    // An exit while an event was being delivered records that event, so the hypervisor can
    // inject it again (SDM 27.2.4).
    const dk = cpu.deliveryKind;
    if (dk >= 0 && reason !== EXIT.TRIPLE_FAULT) {
      const type =
        dk === EVENT_EXTERNAL
          ? 0
          : dk === EVENT_NMI
            ? 2
            : dk === EVENT_EXCEPTION
              ? 3
              : dk === EVENT_SOFT_INT
                ? 4
                : 6;
      let info = 0x80000000 | (type << 8) | (cpu.deliveryVector & 0xff);
      if (cpu.deliveryErr >= 0) {
        info |= 0x800;
        this.wr(V.IDT_VECTORING_ERROR, cpu.deliveryErr);
      }
      this.wr(V.IDT_VECTORING_INFO, info >>> 0);
      if (type >= 4) this.wr(V.EXIT_INSTR_LEN, cpu.softNext - cpu.rip);
    } else {
      put32(v, S_IDT_VECTORING_INFO, 0);
    }
    if (!Number.isNaN(gla)) putNum(v, S_GUEST_LINEAR_ADDR, gla);
    if (!Number.isNaN(gpa)) putNum(v, S_GUEST_PHYSICAL_ADDR, gpa);
    // Guest state, by precomputed slots.
    putNum(v, S_RIP, cpu.rip);
    // RSP is a general register: saved exactly, whatever it holds.
    v.lo[S_RSP] = cpu.rlo[RSP]!;
    v.hi[S_RSP] = cpu.rhi[RSP]!;
    putNum(v, S_RFLAGS, cpu.flags >>> 0);
    const f = CS_SEG * 4;
    put32(v, SEG_SLOTS[f]!, cpu.segSel[CS_SEG]! & 0xffff);
    putNum(v, SEG_SLOTS[f + 1]!, cpu.segBase[CS_SEG]!);
    put32(v, SEG_SLOTS[f + 2]!, cpu.segLimit[CS_SEG]! | 0);
    put32(v, SEG_SLOTS[f + 3]!, cpu.segAttr[CS_SEG]!);
    // In host-trap mode the rest stays in the CPU until something reads it (see LAZY_FIELD);
    // otherwise host state is loaded next, so it is stored now.
    this.lazy = v;
    if (!cpu.hostTrapMode) this.saveLazy();
    if (this.exitCtl & EXIT_SAVE_EFER) {
      v.lo[S_EFER] = cpu.efer;
      v.hi[S_EFER] = 0;
    }
    // The "IA-32e mode guest" entry control follows EFER.LMA (IA32_VMX_MISC bit 5).
    const entry = v.lo[S_ENTRY_CONTROLS]!;
    v.lo[S_ENTRY_CONTROLS] = cpu.efer & EFER_LMA ? entry | ENTRY_IA32E : entry & ~ENTRY_IA32E;
    put32(v, S_ACTIVITY, cpu.waitSipi ? 3 : cpu.halted ? 1 : 0);
    const blockSti = cpu.shadowAt === cpu.icount ? 1 : 0;
    put32(v, S_INTERRUPTIBILITY, blockSti | (cpu.nmiBlocked ? 8 : 0));
    if (this.exitCtl & EXIT_SAVE_TIMER) {
      const left = Math.max(0, Math.floor((this.timerDeadline - cpu.time.now()) / 32));
      this.wr(V.PREEMPTION_TIMER, Number.isFinite(left) ? left : 0);
    }
    // The valid bit of the entry interruption-information field is cleared on every exit.
    v.lo[S_ENTRY_INTR_INFO] = v.lo[S_ENTRY_INTR_INFO]! & 0x7fffffff;
    this.guestMode = false;
    this.eptActive = false;
    cpu.halted = false;
    cpu.waitSipi = false;
    this.exitCodeOffset = -1;
    if (reason === EXIT.EPT_VIOLATION) {
      // Decode assist (as AMD's #NPF gives instruction bytes): while the fetch page still maps
      // the exiting instruction, its 15 bytes are in RAM at a known offset.
      const lin = cpu.code64 ? cpu.rip : (cpu.segBase[CS]! + cpu.rip) >>> 0;
      const d = lin - cpu.fetchLin;
      if (d >= 0 && d <= 4096 - 15) this.exitCodeOffset = cpu.fetchOff + d;
    }
    cpu.invalidateFetch();
    this.storeMsrList();
    this.leaveTlbContext();
    if (cpu.hostTrapMode) {
      this.synced = this.current;
      cpu.stopReason = "host-trap";
      return;
    }
    this.synced = null;
    this.loadHostState();
  }

  /**
   * The VMCS whose LAZY_FIELD guest state is still only in the CPU (since a host-trap exit),
   * or null. Set while the CPU holds that state unchanged: until the next entry runs the guest
   * (which, on the light path, leaves them lazy: the CPU state stays the one to store).
   */
  private lazy: Vmcs | null = null;

  /** Stores the LAZY_FIELD guest state the CPU still holds into its VMCS (if any is pending). */
  saveLazy(): void {
    const v = this.lazy;
    if (v === null) return;
    this.lazy = null;
    // A VMCS abandoned without VMCLEAR (the host dropped a failed VM) keeps what it had.
    if (v !== this.current) return;
    const cpu = this.cpu;
    putNum(v, S_CR0, cpu.cr0 >>> 0);
    putNum(v, S_CR3, cpu.cr3);
    putNum(v, S_CR4, cpu.cr4 >>> 0);
    putNum(v, S_DR7, cpu.dr[7]!);
    for (let s = 0; s < 8; s++) {
      if (s === CS_SEG) continue;
      const f = s * 4;
      put32(v, SEG_SLOTS[f]!, cpu.segSel[s]! & 0xffff);
      putNum(v, SEG_SLOTS[f + 1]!, cpu.segBase[s]!);
      put32(v, SEG_SLOTS[f + 2]!, cpu.segLimit[s]! | 0);
      put32(v, SEG_SLOTS[f + 3]!, cpu.segAttr[s]!);
    }
    putNum(v, S_GDTR_BASE, cpu.gdtBase);
    put32(v, S_GDTR_LIMIT, cpu.gdtLimit);
    putNum(v, S_IDTR_BASE, cpu.idtBase);
    put32(v, S_IDTR_LIMIT, cpu.idtLimit);
    put32(v, S_SYSENTER_CS, cpu.sysenterCs);
    putNum(v, S_SYSENTER_ESP, cpu.sysenterEsp);
    putNum(v, S_SYSENTER_EIP, cpu.sysenterEip);
    if (this.exitCtl & EXIT_SAVE_PAT) {
      v.lo[S_PAT] = cpu.patLo;
      v.hi[S_PAT] = cpu.patHi;
    }
  }

  /**
   * Loads the MSRs of a VM-entry or VM-exit MSR-load list (16-byte entries: index, reserved,
   * value). Returns 0, or the 1-based number of the entry that failed.
   */
  private loadMsrList(addrField: number, countField: number): number {
    const cpu = this.cpu;
    const base = this.rdNum(addrField);
    const count = this.rd(countField);
    for (let i = 0; i < count; i++) {
      const e = base + i * 16;
      const msr = cpu.physRead32(e);
      const lo = cpu.physRead32(e + 8);
      const hi = cpu.physRead32(e + 12);
      // The list may not touch FS/GS base, the x2APIC range or SMM MSRs (SDM 26.4).
      if (msr === 0xc0000100 || msr === 0xc0000101 || msr >>> 8 === 8 || msr === 0x9e) return i + 1;
      if (!wrmsr(cpu, msr, lo, hi)) return i + 1;
    }
    return 0;
  }

  /** Stores the guest's MSRs into the VM-exit MSR-store list (the values at exit). */
  private storeMsrList(): void {
    const cpu = this.cpu;
    const base = this.rdNum(V.EXIT_MSR_STORE_ADDR);
    const count = this.rd(V.EXIT_MSR_STORE_COUNT);
    for (let i = 0; i < count; i++) {
      const e = base + i * 16;
      if (rdmsr(cpu, cpu.physRead32(e))) {
        cpu.physWrite32(e + 8, cpu.msrLo);
        cpu.physWrite32(e + 12, cpu.msrHi);
      }
    }
  }

  private loadHostState(): void {
    const cpu = this.cpu;
    const host64 = (this.rd(V.EXIT_CONTROLS) & EXIT_HOST_64) !== 0;
    cpu.cr0 = this.rd(V.HOST_CR0) | 0;
    cpu.cr3 = this.rdNum(V.HOST_CR3);
    cpu.cr4 = this.rd(V.HOST_CR4) | 0;
    if (this.rd(V.EXIT_CONTROLS) & EXIT_LOAD_EFER) cpu.efer = this.rd(V.HOST_EFER) | 0;
    if (host64) cpu.efer |= EFER_LMA | EFER_LME;
    else cpu.efer &= ~(EFER_LMA | EFER_LME);
    if (this.rd(V.EXIT_CONTROLS) & EXIT_LOAD_PAT) {
      cpu.patLo = this.rd(V.HOST_PAT);
      cpu.patHi = this.vmcs().hi[slotOf(V.HOST_PAT)]!;
    }
    cpu.dr[7] = 0x400;
    const flat = SA_P | SA_S | SA_G;
    cpu.segSel[CS] = this.rd(V.HOST_CS_SEL);
    cpu.segBase[CS] = 0;
    cpu.segLimit[CS] = 0xffffffff;
    cpu.segAttr[CS] = flat | 0xb | (host64 ? SA_L : SA_DB);
    const data: readonly (readonly [number, number])[] = [
      [SS, V.HOST_SS_SEL],
      [DS, V.HOST_DS_SEL],
      [ES, V.HOST_ES_SEL],
      [FS, V.HOST_FS_SEL],
      [GS, V.HOST_GS_SEL],
    ];
    for (const [s, f] of data) {
      const sel = this.rd(f);
      cpu.segSel[s] = sel;
      cpu.segBase[s] = 0;
      cpu.segLimit[s] = 0xffffffff;
      cpu.segAttr[s] = flat | 3 | SA_DB | (sel === 0 && s !== SS ? SA_UNUSABLE : 0);
    }
    cpu.segBase[FS] = this.rdNum(V.HOST_FS_BASE);
    cpu.segBase[GS] = this.rdNum(V.HOST_GS_BASE);
    cpu.segSel[TR] = this.rd(V.HOST_TR_SEL);
    cpu.segBase[TR] = this.rdNum(V.HOST_TR_BASE);
    cpu.segLimit[TR] = 0x67;
    cpu.segAttr[TR] = SA_P | 0xb;
    cpu.segSel[LDTR] = 0;
    cpu.segAttr[LDTR] = SA_UNUSABLE;
    cpu.gdtBase = this.rdNum(V.HOST_GDTR_BASE);
    cpu.gdtLimit = 0xffff;
    cpu.idtBase = this.rdNum(V.HOST_IDTR_BASE);
    cpu.idtLimit = 0xffff;
    cpu.sysenterCs = this.rd(V.HOST_SYSENTER_CS);
    cpu.sysenterEsp = this.rdNum(V.HOST_SYSENTER_ESP);
    cpu.sysenterEip = this.rdNum(V.HOST_SYSENTER_EIP);
    this.loadRsp(V.HOST_RSP);
    cpu.flags = 2;
    cpu.cpl = 0;
    cpu.updateMode();
    cpu.rip = host64 ? this.rdNum(V.HOST_RIP) : this.rd(V.HOST_RIP);
    // A failure here would be a VMX abort; the host's list is trusted.
    this.loadMsrList(V.EXIT_MSR_LOAD_ADDR, V.EXIT_MSR_LOAD_COUNT);
    cpu.invalidateFetch();
  }

  // ------------------------------------------------------------------ non-root hooks

  /** Pending VMX events at an instruction boundary: preemption timer, interrupt window. */
  checkEvents(): boolean {
    const cpu = this.cpu;
    if (this.pin & PIN_PREEMPTION && cpu.time.now() >= this.timerDeadline) {
      this.vmExit(EXIT.PREEMPTION_TIMER);
      return true;
    }
    if (this.pin & PIN_EXT_INT && cpu.lapic?.hasInterrupt()) {
      return this.exitOnExternalInterrupt();
    }
    if (this.proc & PROC_INT_WINDOW && cpu.flags & IF && cpu.shadowAt !== cpu.icount) {
      this.vmExit(EXIT.INTERRUPT_WINDOW);
      return true;
    }
    return false;
  }

  exitOnNmi(): boolean {
    if ((this.pin & PIN_NMI) === 0) return false;
    this.wr(V.EXIT_INTR_INFO, (0x80000000 | (2 << 8) | 2) >>> 0);
    this.vmExit(EXIT.EXCEPTION_NMI);
    return true;
  }

  exitOnExternalInterrupt(): boolean {
    if ((this.pin & PIN_EXT_INT) === 0) return false;
    const cpu = this.cpu;
    let info = 0;
    if (this.exitCtl & EXIT_ACK_INT && cpu.lapic !== undefined) {
      info = (0x80000000 | (cpu.lapic.acknowledge() & 0xff)) >>> 0;
    }
    this.wr(V.EXIT_INTR_INFO, info);
    cpu.halted = false;
    this.vmExit(EXIT.EXTERNAL_INTERRUPT);
    return true;
  }

  exitOnTripleFault(): boolean {
    if (!this.guestMode) return false;
    this.vmExit(EXIT.TRIPLE_FAULT);
    return true;
  }

  /** INIT while a guest runs is a VM exit (the CPU does not reset). */
  onInit(): boolean {
    if (!this.guestMode) return false;
    this.vmExit(EXIT.INIT);
    return true;
  }

  /** A SIPI that a guest in wait-for-SIPI receives as a VM exit. */
  onSipi(vector: number): boolean {
    if (!this.guestMode) return false;
    this.vmExit(EXIT.SIPI, vector & 0xff);
    return true;
  }

  flushGuestTlb(): void {}

  /** TLB contexts of guests: "vpid:EPT root" -> context number (2..63). */
  private readonly contexts = new Map<string, number>();
  private nextContext = 2;

  /**
   * VM entry's TLB rule: with VPID on (and a non-zero VPID) the guest's translations stay
   * cached under its own context across entries and exits; without VPID every entry and exit
   * invalidates the guest's and the root's translations (SDM 28.3.3.3).
   */
  private enterTlbContext(): void {
    const cpu = this.cpu;
    const vpid = this.proc2 & PROC2_VPID ? this.rd(V.VPID) & 0xffff : 0;
    if (vpid === 0) {
      cpu.flushTlb(true);
      cpu.tlbCtx = 1;
      cpu.flushTlbContext(1);
      return;
    }
    const root = this.eptActive ? this.eptRoot : -1;
    if (this.lastCtx >= 0 && vpid === this.lastVpid && root === this.lastRoot) {
      cpu.tlbCtx = this.lastCtx;
      cpu.invalidateFetch();
      return;
    }
    const key = `${vpid}:${root}`;
    let ctx = this.contexts.get(key);
    if (ctx === undefined) {
      ctx = this.nextContext;
      this.nextContext = ctx === 63 ? 2 : ctx + 1;
      for (const [k, v] of this.contexts) if (v === ctx) this.contexts.delete(k);
      this.contexts.set(key, ctx);
      cpu.flushTlbContext(ctx);
    }
    cpu.tlbCtx = ctx;
    this.lastVpid = vpid;
    this.lastRoot = root;
    this.lastCtx = ctx;
    cpu.invalidateFetch();
  }

  /** The context of the latest entry with a VPID (-1: none, or the contexts changed since). */
  private lastCtx = -1;
  private lastVpid = 0;
  private lastRoot = 0;

  private leaveTlbContext(): void {
    const cpu = this.cpu;
    const vpidOn = (this.proc2 & PROC2_VPID) !== 0 && (this.rd(V.VPID) & 0xffff) !== 0;
    if (!vpidOn) cpu.flushTlbContext(cpu.tlbCtx);
    cpu.tlbCtx = 0;
    if (!vpidOn) cpu.flushTlbContext(0);
    cpu.invalidateFetch();
  }

  /** INVVPID: forgets the translations of `vpid` (0 = every guest context). */
  invalidateVpid(vpid: number): void {
    this.lastCtx = -1;
    for (const [k, v] of this.contexts) {
      if (vpid === 0 || k.startsWith(`${vpid}:`)) {
        this.cpu.flushTlbContext(v);
        this.contexts.delete(k);
      }
    }
  }

  /** INVEPT: forgets every guest context (combined mappings of all EPT roots). */
  invalidateEpt(): void {
    this.flushEptCache();
    this.lastCtx = -1;
    for (const v of this.contexts.values()) this.cpu.flushTlbContext(v);
    this.contexts.clear();
    this.cpu.flushTlbContext(1);
  }

  /** Exceptions the exception bitmap turns into VM exits (#PF with the PFEC mask/match). */
  interceptEvent(kind: number, vector: number, err: number): boolean {
    if (this.injecting) {
      this.injecting = false;
      return false;
    }
    if (kind !== EVENT_EXCEPTION && kind !== EVENT_SOFT_EXC) return false;
    if (((this.exceptionBitmap >>> vector) & 1) === 0 && vector !== 14) return false;
    const cpu = this.cpu;
    if (vector === 14) {
      const hit = (err & this.rd(V.PF_ERROR_MASK)) >>> 0 === this.rd(V.PF_ERROR_MATCH);
      const bit = ((this.exceptionBitmap >>> 14) & 1) === 1;
      if (bit !== hit) return false;
    }
    const type = kind === EVENT_SOFT_EXC ? 6 : 3;
    let info = 0x80000000 | (type << 8) | vector;
    if (err >= 0) {
      info |= 0x800;
      this.wr(V.EXIT_INTR_ERROR, err);
    }
    this.wr(V.EXIT_INTR_INFO, info >>> 0);
    const len = kind === EVENT_SOFT_EXC ? cpu.softNext - cpu.rip : 0;
    this.vmExit(EXIT.EXCEPTION_NMI, vector === 14 ? cpu.pfLinear : 0, len);
    return true;
  }

  /** I/O instructions: unconditional I/O exiting or the I/O bitmaps. */
  ioExit(
    port: number,
    size: number,
    isIn: boolean,
    string: boolean,
    rep: boolean,
    imm = false,
    info = 0,
    gla = Number.NaN,
  ): boolean {
    let exit: boolean;
    if (this.proc & PROC_IO_BITMAPS) {
      exit = false;
      for (let p = port; p < port + size; p++) {
        if (p > 0xffff) {
          exit = true;
          break;
        }
        const base = p < 0x8000 ? this.rdNum(V.IO_BITMAP_A) : this.rdNum(V.IO_BITMAP_B);
        const b = this.cpu.physRead8(base + ((p & 0x7fff) >>> 3));
        if ((b >>> (p & 7)) & 1) {
          exit = true;
          break;
        }
      }
    } else {
      exit = (this.proc & PROC_IO_UNCOND) !== 0;
    }
    if (!exit) return false;
    const qual =
      (size - 1) |
      (isIn ? 8 : 0) |
      (string ? 16 : 0) |
      (rep ? 32 : 0) |
      (imm ? 64 : 0) |
      ((port & 0xffff) << 16);
    this.vmExit(EXIT.IO, qual >>> 0, this.instrLen, string ? info : 0, string ? gla : Number.NaN);
    return true;
  }

  /** Length of the instruction being executed (exec sets it before calling a hook). */
  instrLen = 0;

  pauseExit(len: number): boolean {
    if ((this.proc & PROC_PAUSE) === 0) return false;
    this.vmExit(EXIT.PAUSE, 0, len);
    return true;
  }

  hltExit(len: number): boolean {
    if ((this.proc & PROC_HLT) === 0) return false;
    this.vmExit(EXIT.HLT, 0, len);
    return true;
  }

  invlpgExit(lin: number, len: number): boolean {
    if ((this.proc & PROC_INVLPG) === 0) return false;
    this.vmExit(EXIT.INVLPG, lin, len);
    return true;
  }

  rdtscExit(rdtscp: boolean, len: number): boolean {
    if ((this.proc & PROC_RDTSC) === 0) return false;
    this.vmExit(rdtscp ? EXIT.RDTSCP : EXIT.RDTSC, 0, len);
    return true;
  }

  tscOffset(): number {
    return this.proc & PROC_TSC_OFFSET ? this.rdNum(V.TSC_OFFSET) : 0;
  }

  msrExit(msr: number, write: boolean, len: number): boolean {
    let exit = true;
    if (this.proc & PROC_MSR_BITMAPS) {
      let off = -1;
      if (msr <= 0x1fff) off = msr;
      else if (msr >= 0xc0000000 && msr <= 0xc0001fff) off = 0x2000 * 8 + (msr - 0xc0000000);
      if (off >= 0) {
        // Read bitmaps (low, high) at 0 and 1 KiB; write bitmaps at 2 and 3 KiB.
        const byte = (msr <= 0x1fff ? 0 : 1024) + (write ? 2048 : 0) + ((msr & 0x1fff) >>> 3);
        const b = this.cpu.physRead8(this.rdNum(V.MSR_BITMAP) + byte);
        exit = ((b >>> (msr & 7)) & 1) === 1;
      }
    }
    if (!exit) return false;
    this.vmExit(write ? EXIT.WRMSR : EXIT.RDMSR, 0, len);
    return true;
  }

  /** Unconditional exits (CPUID, INVD, XSETBV, the VMX instructions...). */
  simpleExit(reason: number, len: number, qual = 0, info = 0): boolean {
    this.vmExit(reason, qual, len, info);
    return true;
  }

  /**
   * MOV to/from CR0/3/4/8: whether it exits. `value` is the value a MOV to CR would write.
   * Qualification: CR number, access type (0 = to CR, 1 = from CR), GPR.
   */
  crExit(cr: number, write: boolean, reg: number, len: number, value: number): boolean {
    let exit = false;
    if (write) {
      if (cr === 0) exit = ((value ^ this.rd(V.CR0_READ_SHADOW)) & this.rd(V.CR0_MASK)) !== 0;
      else if (cr === 4) exit = ((value ^ this.rd(V.CR4_READ_SHADOW)) & this.rd(V.CR4_MASK)) !== 0;
      else if (cr === 3 && this.proc & PROC_CR3_LOAD) {
        exit = true;
        const n = this.rd(V.CR3_TARGET_COUNT);
        for (let i = 0; i < n; i++) {
          if (this.rdNum(V.CR3_TARGET0 + 2 * i) === value) exit = false;
        }
      } else if (cr === 8) exit = (this.proc & PROC_CR8_LOAD) !== 0;
    } else if (cr === 3) exit = (this.proc & PROC_CR3_STORE) !== 0;
    else if (cr === 8) exit = (this.proc & PROC_CR8_STORE) !== 0;
    if (!exit) return false;
    this.vmExit(EXIT.CR_ACCESS, cr | (write ? 0 : 1 << 4) | (reg << 8), len);
    return true;
  }

  /** MOV to/from DR0-7 with MOV-DR exiting: qualification = DR, direction (1 = from DR), GPR. */
  drExit(dr: number, fromDr: boolean, reg: number, len: number): boolean {
    if ((this.proc & PROC_MOV_DR) === 0) return false;
    this.vmExit(EXIT.MOV_DR, dr | (fromDr ? 1 << 4 : 0) | (reg << 8), len);
    return true;
  }

  /**
   * MOV to CR0/CR4 in a guest that did not exit: the bits the guest/host mask gives the host
   * keep their current value; the guest changes only its own bits.
   */
  keepHostOwned(cr: 0 | 4, value: number, current: number): number {
    const m = this.rd(cr === 0 ? V.CR0_MASK : V.CR4_MASK);
    return ((value & ~m) | (current & m)) >>> 0;
  }

  /** MOV from CR0/CR4 in a guest: bits owned by the host read from the read shadow. */
  shadowCr(cr: number, value: number): number {
    if (cr === 0) {
      const m = this.rd(V.CR0_MASK);
      return ((value & ~m) | (this.rd(V.CR0_READ_SHADOW) & m)) >>> 0;
    }
    if (cr === 4) {
      const m = this.rd(V.CR4_MASK);
      return ((value & ~m) | (this.rd(V.CR4_READ_SHADOW) & m)) >>> 0;
    }
    return value;
  }

  /**
   * EPT translation of guest-physical `gpa` for an access of type `acc`. `final` = the access
   * is to the translated linear address `lin` (not to a paging structure). A violation or
   * misconfiguration is a VM exit (then VMEXIT is thrown).
   */
  gpaToHpa(gpa: number, acc: number, lin: number, final: boolean): number {
    const page = Math.floor(gpa / 4096);
    const slot = page & EPT_CACHE_MASK;
    if (this.eptTag[slot] === page) {
      const e = this.eptInfo[slot]!;
      const need = acc === ACC_READ ? 1 : acc === ACC_WRITE ? 2 : 4;
      if (e & need) {
        // A write through a cached entry whose dirty flag the walk has not set yet walks.
        if (acc !== ACC_WRITE || (e & EPT_DIRTY_DONE) !== 0) {
          return this.eptHpa[slot]! + (gpa - page * 4096);
        }
      } else if ((e & EPT_NOT_PRESENT) !== 0) {
        return this.eptViolation(gpa, acc, lin, final, 0);
      }
    }
    return this.walkEpt(gpa, acc, lin, final, page, slot);
  }

  /**
   * Guest-physical translations (EPT-only mappings, SDM 28.3.1): direct-mapped by page,
   * valid for `eptCacheRoot`. Per SDM 28.3.3 they live until INVEPT, whatever VM entries and
   * exits happen. Pages known to have no mapping are cached too, in host-trap mode only: the
   * TypeScript hypervisor promises `guestPageMapped` when it maps one (hardware never caches
   * a not-present entry, and a guest hypervisor may rely on that).
   */
  private readonly eptTag = new Float64Array(EPT_CACHE_SIZE).fill(Number.NaN);
  private readonly eptHpa = new Float64Array(EPT_CACHE_SIZE);
  /** Effective R/W/X permissions (bits 0-2), EPT_DIRTY_DONE, EPT_NOT_PRESENT. */
  private readonly eptInfo = new Uint8Array(EPT_CACHE_SIZE);
  private eptCacheRoot = -1;

  /** Forgets every cached guest-physical translation (INVEPT, a new EPT root). */
  private flushEptCache(): void {
    this.eptTag.fill(Number.NaN);
  }

  /** The hypervisor mapped the guest-physical page at `gpa`: forget its cached absence. */
  guestPageMapped(gpa: number): void {
    const page = Math.floor(gpa / 4096);
    const slot = page & EPT_CACHE_MASK;
    if (this.eptTag[slot] === page) this.eptTag[slot] = Number.NaN;
  }

  private walkEpt(
    gpa: number,
    acc: number,
    lin: number,
    final: boolean,
    page: number,
    slot: number,
  ): number {
    const cpu = this.cpu;
    let table = this.eptRoot;
    let perms = 7;
    for (let level = 4; level >= 1; level--) {
      const shift = 12 + 9 * (level - 1);
      const index = Math.floor(gpa / 2 ** shift) & 0x1ff;
      const addr = table + index * 8;
      const lo = cpu.physRead64(addr);
      const hi = cpu.hi;
      const rwx = lo & 7;
      if (rwx === 0) {
        if (cpu.hostTrapMode) {
          this.eptTag[slot] = page;
          this.eptInfo[slot] = EPT_NOT_PRESENT;
        }
        return this.eptViolation(gpa, acc, lin, final, 0);
      }
      if ((rwx & 3) === 2) return this.eptMisconfig(gpa);
      perms &= rwx;
      const leafHere = level === 1 || ((lo & 0x80) !== 0 && (level === 2 || level === 3));
      if (this.eptAd) {
        const want = 0x100 | (leafHere && acc === ACC_WRITE && (perms & 2) !== 0 ? 0x200 : 0);
        if ((lo & want) !== want) cpu.physWrite32(addr, lo | want);
      }
      const base = (hi & 0xfffff) * TWO32 + ((lo & 0xfffff000) >>> 0);
      const large = (lo & 0x80) !== 0 && (level === 2 || level === 3);
      if (level === 1 || large) {
        const type = (lo >>> 3) & 7;
        if (type === 2 || type === 3 || type === 7) return this.eptMisconfig(gpa);
        const need = acc === ACC_READ ? 1 : acc === ACC_WRITE ? 2 : 4;
        const size = 2 ** shift;
        const frame = base - (base % size);
        const hpaPage = frame + ((page * 4096) % size);
        // Without A/D flags no walk writes anything; with them, a write walk that got this
        // far set the leaf's dirty flag (a read's walk may not have).
        const dirtyDone =
          !this.eptAd || (lo & 0x200) !== 0 || (acc === ACC_WRITE && (perms & 2) !== 0);
        this.eptTag[slot] = page;
        this.eptHpa[slot] = hpaPage;
        this.eptInfo[slot] = perms | (dirtyDone ? EPT_DIRTY_DONE : 0);
        if ((perms & need) === 0) return this.eptViolation(gpa, acc, lin, final, perms);
        return hpaPage + (gpa - page * 4096);
      }
      if (lo & 0x80) return this.eptMisconfig(gpa);
      table = base;
    }
    return gpa;
  }

  private eptViolation(
    gpa: number,
    acc: number,
    lin: number,
    final: boolean,
    perms: number,
  ): number {
    const qual =
      (acc === ACC_READ ? 1 : 0) |
      (acc === ACC_WRITE ? 2 : 0) |
      (acc === ACC_FETCH ? 4 : 0) |
      (perms << 3) |
      0x80 |
      (final ? 0x100 : 0);
    this.vmExit(EXIT.EPT_VIOLATION, qual, 0, 0, lin, gpa);
    if (this.softExit && final) {
      this.softExit = false;
      this.softExitTaken = true;
      return -1;
    }
    throw VMEXIT;
  }

  /**
   * Set around a plain MOV's single-page memory access: an EPT violation of that access
   * returns -1 through translate() and sets `softExitTaken` instead of throwing VMEXIT (a
   * JS throw costs about a microsecond, the MMIO exit's largest part). The MOV then ends
   * without side effects. Any fault clears it (X86Cpu.run), as do split accesses.
   */
  softExit = false;
  softExitTaken = false;

  private eptMisconfig(gpa: number): never {
    this.vmExit(EXIT.EPT_MISCONFIG, 0, 0, 0, Number.NaN, gpa);
    throw VMEXIT;
  }
}

/** Guest-physical addresses in tests and tools: a signed-safe number from two halves. */
export function joinAddress(lo: number, hi: number): number {
  return wrap64((hi | 0) * TWO32 + (lo >>> 0));
}

export { FIELDS };
