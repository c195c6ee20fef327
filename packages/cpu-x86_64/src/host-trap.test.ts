import { describe, expect, it } from "vitest";
import { X86Cpu } from "./cpu.js";
import { V } from "./vmcs-fields.js";

/** A real-mode guest under EPT in host-trap mode: the TypeScript side is VMX root. */
function setup(code: number[]): { cpu: X86Cpu; ram: Uint8Array } {
  const ram = new Uint8Array(4 << 20);
  const bus = { ram, ramBase: 0, load: () => null, store: () => false };
  const outs: number[] = [];
  const cpu = new X86Cpu({
    cpuId: 0,
    apicId: 0,
    bus,
    io: { in: () => 0xffffffff, out: (_p, _s, v) => outs.push(v) },
    time: { now: () => 0 },
  });
  cpu.hostTrapMode = true;
  // EPT at 0x100000: GPA 0-2 MiB -> HPA 2-4 MiB (one 2 MiB page, RWX, WB).
  const dv = new DataView(ram.buffer);
  dv.setUint32(0x100000, 0x101007, true);
  dv.setUint32(0x101000, 0x102007, true);
  dv.setUint32(0x102000, 0x200000 | 0x80 | 0x37, true);
  ram.set(code, 0x200000 + 0x7c00);
  const w = (f: number, v: number | bigint) => cpu.vmwrite(f, BigInt(v));
  w(V.PIN_CONTROLS, 0x16);
  w(V.PROC_CONTROLS, 0x0401e172 | (1 << 7) | (1 << 31));
  w(V.PROC_CONTROLS2, (1 << 1) | (1 << 7));
  w(V.EXIT_CONTROLS, 0x36dff);
  w(V.ENTRY_CONTROLS, 0x11ff);
  w(V.EPT_POINTER, 0x100000 | 0x1e);
  w(V.VMCS_LINK_POINTER, 0xffffffffffffffffn);
  w(V.GUEST_CR0, 0x30);
  w(V.GUEST_CR4, 0x2000);
  w(V.GUEST_RFLAGS, 2);
  w(V.GUEST_RIP, 0x7c00);
  w(V.GUEST_CS_AR, 0x9b);
  for (const f of [V.GUEST_SS_AR, V.GUEST_DS_AR, V.GUEST_ES_AR, V.GUEST_FS_AR, V.GUEST_GS_AR])
    w(f, 0x93);
  for (const f of [
    V.GUEST_CS_LIMIT,
    V.GUEST_SS_LIMIT,
    V.GUEST_DS_LIMIT,
    V.GUEST_ES_LIMIT,
    V.GUEST_FS_LIMIT,
    V.GUEST_GS_LIMIT,
    V.GUEST_IDTR_LIMIT,
    V.GUEST_GDTR_LIMIT,
  ]) {
    w(f, 0xffff);
  }
  w(V.GUEST_LDTR_AR, 0x82);
  w(V.GUEST_TR_AR, 0x8b);
  w(V.GUEST_TR_LIMIT, 0xffff);
  return { cpu, ram };
}

describe("host-trap mode", () => {
  it("runs a guest until its VM exits and resumes it after the host advances RIP", () => {
    // mov ax, 0x1234 ; cpuid ; mov [0x500], ax ; hlt
    const { cpu, ram } = setup([0xb8, 0x34, 0x12, 0x0f, 0xa2, 0xa3, 0x00, 0x05, 0xf4]);
    expect(() => cpu.run(10)).toThrow(/enterGuest/);
    cpu.enterGuest();
    expect(cpu.run(1000)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(10n);
    expect(cpu.vmread(V.EXIT_INSTR_LEN)).toBe(2n);
    expect(cpu.vmread(V.GUEST_RIP)).toBe(0x7c03n);
    // The host emulates CPUID: EAX = 0x5678, and skips the instruction.
    cpu.setReg("rax", 0x5678n);
    cpu.vmwrite(V.GUEST_RIP, 0x7c05n);
    cpu.enterGuest();
    expect(cpu.run(1000)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(12n);
    // The store went through EPT to HPA 2 MiB + 0x500.
    expect(ram[0x200500]).toBe(0x78);
    expect(ram[0x200501]).toBe(0x56);
  });

  it("stores the guest state an exit leaves in the CPU when the host first reads or writes it", () => {
    // mov ax, 0x1234 ; mov ds, ax ; cpuid ; mov ax, 0x2345 ; mov es, ax ; cpuid ; hlt
    const { cpu } = setup([
      0xb8, 0x34, 0x12, 0x8e, 0xd8, 0x0f, 0xa2, 0xb8, 0x45, 0x23, 0x8e, 0xc0, 0x0f, 0xa2, 0xf4,
    ]);
    cpu.enterGuest();
    expect(cpu.run(1000)).toBe("host-trap");
    // The data segments are not stored at the exit itself; a read gets what the guest loaded.
    expect(cpu.vmread(V.GUEST_DS_SEL)).toBe(0x1234n);
    expect(cpu.vmx.rdNum(V.GUEST_DS_BASE)).toBe(0x12340);
    cpu.vmwrite(V.GUEST_RIP, 0x7c07n);
    cpu.enterGuest();
    expect(cpu.run(1000)).toBe("host-trap");
    // A write first: it must not be overwritten when the rest of the state is stored later.
    cpu.vmwrite(V.GUEST_DS_SEL, 0x42n);
    cpu.vmwrite(V.GUEST_DS_BASE, 0x420n);
    expect(cpu.vmx.rd(V.GUEST_ES_SEL)).toBe(0x2345);
    expect(cpu.vmread(V.GUEST_DS_SEL)).toBe(0x42n);
    cpu.vmwrite(V.GUEST_RIP, 0x7c0en);
    cpu.enterGuest();
    expect(cpu.run(1000)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(12n);
    expect(cpu.getSegment(3)).toMatchObject({ selector: 0x42, base: 0x420n });
    expect(cpu.getSegment(0)).toMatchObject({ selector: 0x2345, base: 0x23450n });
  });

  it("reports an invalid guest state as an entry-failure exit and a bad control as an error", () => {
    const { cpu } = setup([0xf4]);
    cpu.vmwrite(V.VMCS_LINK_POINTER, 0n);
    cpu.enterGuest();
    expect(cpu.run(10)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(0x80000021n);
    expect(cpu.vmread(V.EXIT_QUALIFICATION)).toBe(4n);
    cpu.vmwrite(V.VMCS_LINK_POINTER, 0xffffffffffffffffn);
    cpu.vmwrite(V.PROC_CONTROLS2, 1n << 7n); // unrestricted guest without EPT
    expect(() => cpu.enterGuest()).toThrow(/error 7/);
  });

  it("exits on an EPT violation with the qualification and the guest-physical address", () => {
    // mov eax, 0x300000 ; mov al, [eax] (a 32-bit address in real mode: GPA 0x300000 lies
    // beyond the 2 MiB EPT mapping)
    const { cpu } = setup([0x66, 0xb8, 0x00, 0x00, 0x30, 0x00, 0x67, 0x8a, 0x00]);
    cpu.enterGuest();
    expect(cpu.run(1000)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(48n);
    expect(cpu.vmread(V.GUEST_PHYSICAL_ADDR)).toBe(0x300000n);
    expect(cpu.vmread(V.EXIT_QUALIFICATION) & 0x1bfn).toBe(0x181n);
  });

  it("records the event being delivered when its delivery causes a VM exit", () => {
    const { cpu } = setup([0xf4]);
    // The guest's stack lies beyond the EPT mapping: injecting interrupt 0x20 faults on the
    // first push, and the exit carries the injected event as IDT-vectoring information.
    cpu.vmwrite(V.GUEST_SS_BASE, 0x300000n);
    cpu.vmwrite(V.GUEST_RSP, 0x100n);
    cpu.vmwrite(V.ENTRY_INTR_INFO, 0x80000020n);
    cpu.enterGuest();
    expect(cpu.run(100)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(48n);
    expect(cpu.vmread(V.GUEST_PHYSICAL_ADDR)).toBe(0x3000fen);
    expect(cpu.vmread(V.IDT_VECTORING_INFO)).toBe(0x80000020n);
    expect(cpu.vmread(V.ENTRY_INTR_INFO) & 0x80000000n).toBe(0n);
  });

  it("sets EPT accessed and dirty flags when the EPT pointer enables them", () => {
    // mov [0x500], ax ; hlt
    const { cpu, ram } = setup([0xa3, 0x00, 0x05, 0xf4]);
    cpu.vmwrite(V.EPT_POINTER, BigInt(0x100000 | 0x1e | 0x40));
    cpu.enterGuest();
    expect(cpu.run(100)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(12n);
    const dv = new DataView(ram.buffer);
    expect(dv.getUint32(0x100000, true) & 0x100).toBe(0x100);
    expect(dv.getUint32(0x102000, true) & 0x300).toBe(0x300);
  });

  it("loads the VM-entry MSR list (failing on a forbidden MSR) and exits on MOV to DR", () => {
    // mov dr7, eax ; hlt
    const { cpu, ram } = setup([0x0f, 0x23, 0xf8, 0xf4]);
    const dv = new DataView(ram.buffer);
    dv.setUint32(0x103000, 0xc0000082, true); // LSTAR
    dv.setUint32(0x103008, 0x1234, true);
    dv.setUint32(0x103010, 0xc0000100, true); // FS base: not allowed in the list
    cpu.vmwrite(V.ENTRY_MSR_LOAD_ADDR, 0x103000n);
    cpu.vmwrite(V.ENTRY_MSR_LOAD_COUNT, 2n);
    cpu.enterGuest();
    expect(cpu.run(10)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(0x80000022n);
    expect(cpu.vmread(V.EXIT_QUALIFICATION)).toBe(2n);
    expect(cpu.readMsr(0xc0000082)).toBe(0x1234n);
    cpu.vmwrite(V.ENTRY_MSR_LOAD_COUNT, 1n);
    cpu.vmwrite(V.PROC_CONTROLS, BigInt(0x0401e172 | (1 << 7) | (1 << 23) | (1 << 31)));
    cpu.enterGuest();
    expect(cpu.run(10)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(29n);
    expect(cpu.vmread(V.EXIT_QUALIFICATION)).toBe(7n);
    expect(cpu.vmread(V.EXIT_INSTR_LEN)).toBe(3n);
  });

  it("keeps CR0 bits the guest/host mask gives the host on a MOV to CR0 that does not exit", () => {
    // mov eax, 0x60000011 ; mov cr0, eax ; mov ebx, cr0 ; hlt  (real mode, 66-prefixed)
    const { cpu } = setup([0x66, 0xb8, 0x11, 0, 0, 0x60, 0x0f, 0x22, 0xc0, 0x0f, 0x20, 0xc3, 0xf4]);
    cpu.vmwrite(V.GUEST_CR0, 0x30n); // ET | NE
    cpu.vmwrite(V.CR0_MASK, BigInt(0x6000_0020)); // CD, NW, NE belong to the host
    cpu.vmwrite(V.CR0_READ_SHADOW, 0x6000_0010n); // the guest believes CD|NW|ET, NE clear
    cpu.enterGuest();
    expect(cpu.run(100)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(12n);
    // PE (the guest's) changed; CD/NW stay clear and NE set: the host's values.
    expect(cpu.vmread(V.GUEST_CR0)).toBe(0x31n);
    // The guest reads its own view back: the shadow for the host's bits.
    expect(cpu.getReg("rbx") & 0xffff_ffffn).toBe(0x6000_0011n);
  });
  it("remembers a guest-physical page's absence until the hypervisor maps it (guestPageMapped)", () => {
    // mov eax, 0x300000 ; mov al, [eax] ; hlt
    const code = [0x66, 0xb8, 0x00, 0x00, 0x30, 0x00, 0x67, 0x8a, 0x00, 0xf4];
    const { cpu, ram } = setup(code);
    cpu.enterGuest();
    expect(cpu.run(1000)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(48n);
    // Map GPA 2-4 MiB (a second 2 MiB page) onto HPA 0x200000 too, without telling the CPU:
    // the cached absence still exits, as a real hypervisor would see after skipping INVEPT.
    const dv = new DataView(ram.buffer);
    dv.setUint32(0x102008, 0x200000 | 0x80 | 0x37, true);
    ram[0x200000 + 0x100000] = 0x5a;
    cpu.enterGuest();
    expect(cpu.run(1000)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(48n);
    // The hypervisor's fence for that page: now the load completes from the new mapping.
    cpu.vmx.guestPageMapped(0x300000);
    cpu.enterGuest();
    expect(cpu.run(1000)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(12n);
    expect(cpu.getReg("rax") & 0xffn).toBe(0x5an);
  });

  it("keeps guest-physical translations until INVEPT (a remapped page reads the old frame)", () => {
    // mov al, [0x500] ; hlt
    const { cpu, ram } = setup([0xa0, 0x00, 0x05, 0xf4]);
    ram[0x200500] = 0x11;
    ram[0x300500] = 0x22;
    cpu.enterGuest();
    expect(cpu.run(100)).toBe("host-trap");
    expect(cpu.getReg("rax") & 0xffn).toBe(0x11n);
    // Remap GPA 0-2 MiB through a 4 KiB-page table onto HPA 3 MiB (the code copied along).
    const dv = new DataView(ram.buffer);
    for (let i = 0; i < 512; i++)
      dv.setUint32(0x104000 + i * 8, (0x300000 + i * 4096) | 0x37, true);
    ram.copyWithin(0x300000 + 0x7c00, 0x200000 + 0x7c00, 0x200000 + 0x7c10);
    dv.setUint32(0x102000, 0x104007, true);
    cpu.vmwrite(V.GUEST_RIP, 0x7c00n);
    cpu.enterGuest();
    expect(cpu.run(100)).toBe("host-trap");
    expect(cpu.getReg("rax") & 0xffn).toBe(0x11n);
    cpu.vmx.invalidateEpt();
    cpu.vmwrite(V.GUEST_RIP, 0x7c00n);
    cpu.enterGuest();
    expect(cpu.run(100)).toBe("host-trap");
    expect(cpu.getReg("rax") & 0xffn).toBe(0x22n);
  });

  it("tells where in RAM the instruction of an EPT-violation exit lies (decode assist)", () => {
    // mov eax, 0x300000 ; mov [eax], cl ; hlt
    const code = [0x66, 0xb8, 0x00, 0x00, 0x30, 0x00, 0x67, 0x88, 0x08, 0xf4];
    const { cpu, ram } = setup(code);
    cpu.enterGuest();
    expect(cpu.run(1000)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(48n);
    // The store exits on its own instruction (RIP 0x7c06) without a JS exception unwinding it.
    expect(cpu.vmread(V.GUEST_RIP)).toBe(0x7c06n);
    expect(cpu.vmx.softExitTaken).toBe(false);
    const off = cpu.vmx.exitCodeOffset;
    // The store `mov [eax], cl` at 0x7c06, through EPT at HPA 2 MiB + 0x7c06.
    expect(off).toBe(0x200000 + 0x7c06);
    expect([...ram.subarray(off, off + 3)]).toEqual([0x67, 0x88, 0x08]);
    cpu.vmwrite(V.GUEST_RIP, 0x7c09n);
    cpu.enterGuest();
    expect(cpu.run(10)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(12n);
    expect(cpu.vmx.exitCodeOffset).toBe(-1);
  });
  it("resumes with the state the host wrote after an exit, checked as on every entry", () => {
    // out 0x80, al ; out 0x80, al ; hlt — with I/O exiting unconditional.
    const { cpu, ram } = setup([0xe6, 0x80, 0xe6, 0x80, 0xf4]);
    cpu.vmwrite(V.PROC_CONTROLS, BigInt(0x0401e172 | (1 << 7) | (1 << 24) | (1 << 31)));
    cpu.enterGuest();
    expect(cpu.run(100)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(30n);
    // Reserved RFLAGS bit 3 set: the entry fails even though nothing else changed.
    cpu.vmwrite(V.GUEST_RIP, 0x7c02n);
    cpu.vmwrite(V.GUEST_RFLAGS, 0x0an);
    cpu.enterGuest();
    expect(cpu.run(100)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(0x80000021n);
    // A segment base the host moved takes effect: CS base 0x100 runs the copy at 0x7d02.
    ram.set([0xf4], 0x200000 + 0x7d02);
    cpu.vmwrite(V.GUEST_RFLAGS, 2n);
    cpu.vmwrite(V.GUEST_CS_BASE, 0x100n);
    cpu.enterGuest();
    expect(cpu.run(100)).toBe("host-trap");
    expect(cpu.vmread(V.EXIT_REASON)).toBe(12n);
    expect(cpu.vmread(V.GUEST_RIP)).toBe(0x7c02n);
  });
});
