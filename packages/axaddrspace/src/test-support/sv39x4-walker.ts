/**
 * An independent Sv39x4 G-stage walk, written from the RISC-V privileged spec's translation
 * algorithm (section "Two-Stage Address Translation") with BigInt for clarity — a reference
 * for checking the address space's tables, sharing no code with the page-table package.
 */
export function walkSv39x4(
  ram: Uint8Array,
  ramBase: number,
  root: number,
  gpa: number,
): { hpa: number; pte: bigint; pageSize: number } | null {
  const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
  let table = root;
  for (let i = 2; i >= 0; i--) {
    // VPN[2] is GPA bits 40:30 (11 bits, the x4 widening); VPN[1], VPN[0] are 9 bits each.
    const shift = 12 + 9 * i;
    const vpn = Math.floor(gpa / 2 ** shift) % (i === 2 ? 2048 : 512);
    const pte = dv.getBigUint64(table - ramBase + vpn * 8, true);
    if ((pte & 1n) === 0n) return null;
    const ppn = (pte >> 10n) & ((1n << 44n) - 1n);
    if (((pte >> 1n) & 7n) === 0n) {
      table = Number(ppn << 12n);
      continue;
    }
    const pageSize = 2 ** shift;
    return { hpa: Number(ppn << 12n) + (gpa % pageSize), pte, pageSize };
  }
  return null;
}
