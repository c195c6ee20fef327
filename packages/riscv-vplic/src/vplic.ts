/**
 * The virtual PLIC of a RISC-V VM (AxVisor's `riscv_vplic::VPlicGlobal`, emulated device type
 * 0x30 PPPTGlobal). It is a complete PLIC whose context outputs are wired to vCPUs instead of
 * harts: context 2h is guest hart h's M-mode context (present for the QEMU virt layout, never
 * raised into a guest, which has no M-mode) and context 2h+1 its S-mode context, which drives
 * the vCPU's virtual external interrupt (VSEIP).
 *
 * Emulated devices raise their interrupts on `sourceLine(id)`. For passthrough devices, the
 * host claims the physical interrupt from the board's PLIC and calls `forwardHostIrq(id)`; when
 * the guest completes that source, `onHostComplete(id)` lets the host complete it on the board
 * PLIC (AxVisor's dev-branch passthrough flow, without its claim/priority bugs: §11.11).
 */
import {
  type BaseMmioDeviceOps,
  EmulatedDeviceType,
  type IrqLine,
  type SavedRecord,
  StateReader,
} from "@axvisor/axdevice-base";
import { axErr } from "@axvisor/axerrno";
import {
  PLIC_CLAIM_OFFSET,
  PLIC_CONTEXT_BASE,
  PLIC_CONTEXT_STRIDE,
  Plic,
} from "@axvisor/device-plic";
import type { AccessWidth, AddrRange, GuestPhysAddr } from "@axvisor/memory-addr";

export interface VPlicOptions {
  readonly base: number;
  /** Window size; QEMU virt uses 0x60_0000. */
  readonly size?: number;
  /** Number of contexts (AxVisor's cfg_list[0]): two per guest hart. */
  readonly contextNum: number;
  readonly numSources?: number;
  /** Raises or lowers the virtual external interrupt of a guest hart's S-mode context. */
  readonly setGuestExternal: (guestHart: number, level: boolean) => void;
  /** Called when the guest completes a source that was forwarded from the host. */
  readonly onHostComplete?: (source: number) => void;
}

export class VPlic implements BaseMmioDeviceOps {
  private readonly plic: Plic;
  private readonly forwarded = new Set<number>();
  private readonly onHostComplete: ((source: number) => void) | undefined;
  private readonly base: number;

  constructor(opts: VPlicOptions) {
    if (!Number.isInteger(opts.contextNum) || opts.contextNum < 1) {
      throw axErr("InvalidInput", `a vPLIC needs at least one context, got ${opts.contextNum}`);
    }
    this.base = opts.base;
    this.onHostComplete = opts.onHostComplete;
    this.plic = new Plic({
      base: opts.base,
      numContexts: opts.contextNum,
      ...(opts.size !== undefined ? { size: opts.size } : {}),
      ...(opts.numSources !== undefined ? { numSources: opts.numSources } : {}),
      setContextLine: (ctx, level) => {
        if (ctx % 2 === 1) opts.setGuestExternal((ctx - 1) / 2, level);
      },
    });
  }

  emuType(): EmulatedDeviceType {
    return EmulatedDeviceType.PPPTGlobal;
  }

  addressRange(): AddrRange<GuestPhysAddr> {
    return this.plic.addressRange();
  }

  /** The input wire of source `id`, for an emulated device. */
  sourceLine(id: number): IrqLine {
    return this.plic.sourceLine(id);
  }

  /**
   * A physical interrupt the host claimed for this VM: it becomes pending here, and the host
   * hears about the guest's completion through `onHostComplete`.
   */
  forwardHostIrq(id: number): void {
    this.forwarded.add(id);
    this.plic.setSourceLevel(id, true);
  }

  handleRead(addr: GuestPhysAddr, width: AccessWidth): bigint {
    return this.plic.handleRead(addr, width);
  }

  handleWrite(addr: GuestPhysAddr, width: AccessWidth, value: bigint): void {
    const offset = addr - this.base;
    const id = Number(value & 0xffff_ffffn);
    // A completion naming no source is the guest's to make: the PLIC ignores it (spec), and
    // so must the forwarding bookkeeping here.
    const isComplete =
      offset >= PLIC_CONTEXT_BASE &&
      (offset - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE === PLIC_CLAIM_OFFSET &&
      id >= 1 &&
      id <= this.plic.numSources;
    const wasInService = isComplete && this.plic.isInService(id);
    if (isComplete && this.forwarded.has(id) && wasInService) {
      // A forwarded interrupt is an edge from the host's point of view: drop the level before
      // completing, so the gateway does not pend it again.
      this.plic.setSourceLevel(id, false);
    }
    this.plic.handleWrite(addr, width, value);
    if (isComplete && wasInService && !this.plic.isInService(id) && this.forwarded.delete(id)) {
      this.onHostComplete?.(id);
    }
  }

  /** The PLIC's state and which in-service sources came from the host, for a VM snapshot. */
  saveState(): SavedRecord {
    return { plic: this.plic.saveState(), forwarded: [...this.forwarded].sort((a, b) => a - b) };
  }

  loadState(state: SavedRecord): void {
    const r = new StateReader(state, "vPLIC");
    const forwarded = r.ints("forwarded");
    this.plic.loadState(r.nested("plic"));
    this.forwarded.clear();
    for (const id of forwarded) this.forwarded.add(id);
  }

  reset(): void {
    this.forwarded.clear();
    this.plic.reset();
  }
}
