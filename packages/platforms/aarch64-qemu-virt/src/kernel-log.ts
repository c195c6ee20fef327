/**
 * Line-by-line comparison of a Linux console log with a reference one (QEMU's), as issue
 * #10 asks: timestamps and numbers are normalised away, the two logs are aligned on their
 * longest common subsequence of lines, and every line only one side has is a difference.
 * Known differences (devices or features the board does not model, with the reason) are
 * listed in LINUX_LOG_DIFFERENCES; docs/linux-log.md explains each.
 */

/** A line that only one of the two logs has. */
export interface KernelLogDifference {
  /** "missing": only the reference has it; "extra": only our log has it. */
  readonly side: "missing" | "extra";
  /** 1-based line number in the log that has it. */
  readonly line: number;
  /** The line as printed (timestamp and trailing blanks removed). */
  readonly text: string;
}

/** A difference explained by a reason, matched by its text. */
export interface KnownKernelLogDifference {
  readonly id: string;
  /** "both": the line appears on each side, at different places (a reordering). */
  readonly side: "missing" | "extra" | "both";
  readonly match: RegExp;
  readonly reason: string;
  /** Depends on timing: a run may not show it. */
  readonly optional?: boolean;
}

const TIMESTAMP = /^\[\s*\d+\.\d+\]\s?/;

/** The line without carriage returns, its `[    1.234567] ` timestamp and trailing blanks. */
export function stripKernelLogLine(line: string): string {
  return line.replace(/\r/g, "").replace(TIMESTAMP, "").trimEnd();
}

/**
 * The line with its numbers replaced: 0x-prefixed and long (8+ digit) hex runs by H, every
 * other run of digits by N. What is left is the text a driver printed, which must match.
 */
export function normaliseKernelLogLine(line: string): string {
  return stripKernelLogLine(line)
    .replace(/0x[0-9a-fA-F]+/g, "H")
    .replace(/\b[0-9a-fA-F]*[0-9][0-9a-fA-F]*\b/g, (m) => (m.length >= 8 ? "H" : m))
    .replace(/[0-9]+/g, "N");
}

/** Every line that only one of the two logs has, in the order of the aligned logs. */
export function compareKernelLogs(reference: string, ours: string): KernelLogDifference[] {
  const split = (s: string) => s.replace(/\r/g, "").replace(/\n+$/, "").split("\n");
  const a = split(reference);
  const b = split(ours);
  const na = a.map(normaliseKernelLogLine);
  const nb = b.map(normaliseKernelLogLine);
  // lcs[i][j]: length of the longest common subsequence of na[i..] and nb[j..].
  const w = nb.length + 1;
  const lcs = new Uint32Array((na.length + 1) * w);
  for (let i = na.length - 1; i >= 0; i--) {
    for (let j = nb.length - 1; j >= 0; j--) {
      lcs[i * w + j] =
        na[i] === nb[j]
          ? lcs[(i + 1) * w + j + 1]! + 1
          : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
    }
  }
  const out: KernelLogDifference[] = [];
  let i = 0;
  let j = 0;
  while (i < na.length || j < nb.length) {
    if (i < na.length && j < nb.length && na[i] === nb[j]) {
      i++;
      j++;
    } else if (j >= nb.length || (i < na.length && lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) {
      out.push({ side: "missing", line: i + 1, text: stripKernelLogLine(a[i]!) });
      i++;
    } else {
      out.push({ side: "extra", line: j + 1, text: stripKernelLogLine(b[j]!) });
      j++;
    }
  }
  return out;
}

/** The differences no known one explains, and the known ones that explained nothing. */
export function explainKernelLogDifferences(
  differences: readonly KernelLogDifference[],
  known: readonly KnownKernelLogDifference[] = LINUX_LOG_DIFFERENCES,
): { unexplained: KernelLogDifference[]; unused: KnownKernelLogDifference[] } {
  const used = new Set<KnownKernelLogDifference>();
  const unexplained: KernelLogDifference[] = [];
  for (const d of differences) {
    const k = known.find((k) => (k.side === "both" || k.side === d.side) && k.match.test(d.text));
    if (k === undefined) unexplained.push(d);
    else used.add(k);
  }
  return { unexplained, unused: known.filter((k) => !used.has(k) && k.optional !== true) };
}

/**
 * Where Debian's 6.1 kernel on our board (-smp 1, GICv2, EL1, the command line of
 * shared/guests/aarch64/linux-smp1.log) prints differently from QEMU 7.2's virt board.
 */
export const LINUX_LOG_DIFFERENCES: readonly KnownKernelLogDifference[] = [
  {
    id: "gicv2m",
    side: "missing",
    match: /^GICv2m: range\[mem 0x08020000-0x08020fff\], SPI\[80:143\]$/,
    reason: "no GICv2m MSI frame at 0x0802_0000 (only PCI devices use MSIs, and there is no PCIe)",
  },
  {
    id: "aarch32",
    side: "missing",
    match: /^CPU features: detected: 32-bit EL[01] Support$/,
    reason:
      "AArch64 only: ID_AA64PFR0_EL1 reports no AArch32 at EL0/EL1 (QEMU's cortex-a57 has it)",
  },
  {
    id: "setend-missing",
    side: "missing",
    match: /^Registered setend emulation handler$/,
    reason: "follows from AArch64 only: SETEND exists only for 32-bit tasks",
  },
  {
    id: "setend-extra",
    side: "extra",
    match: /^setend instruction emulation is not supported on this system$/,
    reason: "follows from AArch64 only: SETEND exists only for 32-bit tasks",
  },
  {
    id: "pmu",
    side: "missing",
    match: /^hw perfevents: enabled with armv8_pmuv3 PMU driver, \d+ counters available$/,
    reason: "no PMUv3 (the device tree has no arm,armv8-pmuv3 node; ID_AA64DFR0_EL1.PMUVer is 0)",
  },
  {
    id: "initrd-order",
    side: "both",
    match: /^(Trying to unpack rootfs image as initramfs\.\.\.|Freeing initrd memory: \d+K)$/,
    reason:
      "the initramfs is unpacked asynchronously, so where its lines land among the initcalls' lines depends on timing",
    optional: true,
  },
  {
    id: "typed-echo",
    side: "both",
    match: /^(echo SHELL-\$\(\(6\*7\)\)|poweroff -f)$/,
    reason:
      "the terminal echoes typed input (the test's commands) before the shell's prompt or not, depending on when the input arrives",
    optional: true,
  },
  {
    id: "hrtimer",
    side: "extra",
    match: /^hrtimer: interrupt took \d+ ns$/,
    reason:
      "guest time is host time: when the host stalls (a loaded machine), a timer interrupt seems to take long",
    optional: true,
  },
  {
    id: "pl061",
    side: "missing",
    match: /^pl061_gpio 9030000\.pl061: PL061 GPIO chip registered$/,
    reason:
      "no PL061 GPIO controller at 0x0903_0000 (QEMU wires its power button there; we power off through PSCI)",
  },
  {
    id: "pcie",
    side: "missing",
    match: /^(pci-host-generic 4010000000\.pcie: |pci_bus 0000:00: |pci 0000:00:)/,
    reason:
      "no PCIe host bridge (ECAM at 0x40_1000_0000) and so none of QEMU's default PCI devices; our disks are virtio-mmio",
  },
];
