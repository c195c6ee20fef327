/**
 * The register numbers of `setGpr`/`getGpr` (AxVisor's `GeneralRegisters` order, which is the
 * x86 encoding order: rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8..r15), plus partial views an
 * exit can name as its destination, because x86 loads into 8- and 16-bit registers keep the
 * rest of the register while 32-bit ones clear the upper half:
 *
 * - 0..15: the whole 64-bit register (a 32-bit load reports `regWidth` 4: the VMM masks the
 *   value and the write clears bits 63:32, as the CPU does);
 * - GPR_LOW16 + r: bits 15:0 of r, the rest kept (`mov ax, [mmio]`);
 * - GPR_LOW8 + r: bits 7:0 of r, the rest kept (`mov al, [mmio]`; with REX, sil/dil/r8b...);
 * - GPR_HIGH8 + r (r = 0..3): bits 15:8 of rax..rbx (`mov ah, [mmio]` without REX);
 * - GPR_EDX_EAX: RDMSR's result, bits 31:0 to rax and 63:32 to rdx, both zero-extended.
 */
export const GPR_RAX = 0;
export const GPR_RCX = 1;
export const GPR_RDX = 2;
export const GPR_RBX = 3;
export const GPR_RSP = 4;
export const GPR_RSI = 6;
export const GPR_RDI = 7;
export const GPR_LOW16 = 32;
export const GPR_LOW8 = 48;
export const GPR_HIGH8 = 64;
export const GPR_EDX_EAX = 80;

const M64 = (1n << 64n) - 1n;

/**
 * The new value of the full register `base` when `index` (one of the views above) is written
 * with `value`; `old` is the register's current value.
 */
export function mergeGpr(index: number, old: bigint, value: bigint): bigint {
  if (index < 16) return value & M64;
  if (index < GPR_LOW8) return (old & ~0xffffn) | (value & 0xffffn);
  if (index < GPR_HIGH8) return (old & ~0xffn) | (value & 0xffn);
  return (old & ~0xff00n) | ((value & 0xffn) << 8n);
}

/** The full register (0..15) a view writes, or -1 for GPR_EDX_EAX / an unknown index. */
export function gprBase(index: number): number {
  if (index >= 0 && index < 16) return index;
  if (index >= GPR_LOW16 && index < GPR_LOW16 + 16) return index - GPR_LOW16;
  if (index >= GPR_LOW8 && index < GPR_LOW8 + 16) return index - GPR_LOW8;
  if (index >= GPR_HIGH8 && index < GPR_HIGH8 + 4) return index - GPR_HIGH8;
  return -1;
}
