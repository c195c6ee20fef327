/** The guest and host architectures AxVisor.ts knows, in AxVisor's spelling. */
export const ARCHES = ["riscv64", "aarch64", "x86_64"] as const;

export type Arch = (typeof ARCHES)[number];

export function isArch(value: unknown): value is Arch {
  return typeof value === "string" && (ARCHES as readonly string[]).includes(value);
}

/** The architecture named by `value`, or a one-line error listing the known ones. */
export function parseArch(value: string, what = "arch"): Arch {
  if (isArch(value)) return value;
  throw new RangeError(`${what}: unknown architecture '${value}' (known: ${ARCHES.join(", ")})`);
}

/** ELF `e_machine` of each architecture's 64-bit executables (System V gABI). */
export const ELF_MACHINE: Readonly<Record<Arch, number>> = {
  riscv64: 243, // EM_RISCV
  aarch64: 183, // EM_AARCH64
  x86_64: 62, // EM_X86_64
};

/** The architecture of an ELF `e_machine`, or undefined for one we do not run. */
export function archOfElfMachine(machine: number): Arch | undefined {
  for (const a of ARCHES) if (ELF_MACHINE[a] === machine) return a;
  return undefined;
}
