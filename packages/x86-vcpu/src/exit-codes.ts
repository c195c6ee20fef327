/** VMX basic exit reasons (Intel SDM vol. 3, appendix C) the backend tells apart. */
export const ExitCode = {
  ExceptionNmi: 0,
  ExternalInterrupt: 1,
  TripleFault: 2,
  Init: 3,
  Sipi: 4,
  InterruptWindow: 7,
  TaskSwitch: 9,
  Cpuid: 10,
  Hlt: 12,
  Invd: 13,
  Vmcall: 18,
  CrAccess: 28,
  IoInstruction: 30,
  Rdmsr: 31,
  Wrmsr: 32,
  EptViolation: 48,
  EptMisconfig: 49,
  Xsetbv: 55,
} as const;

/** Bit 31 of the exit reason: VM entry failed (invalid guest state, MSR loading). */
export const EXIT_ENTRY_FAILURE = 0x8000_0000;

/** VM-entry interruption-information types (bits 10:8). */
export const EventType = {
  External: 0,
  Nmi: 2,
  HardwareException: 3,
  SoftwareInterrupt: 4,
  SoftwareException: 6,
} as const;

/** x86 exception vectors the backend raises in guests. */
export const Vector = {
  BP: 3,
  UD: 6,
  GP: 13,
} as const;

/** Exceptions that push an error code (#DF, #TS, #NP, #SS, #GP, #PF, #AC). */
export function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}
