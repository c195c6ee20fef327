import type { AxResult } from "@axvisor/axerrno";

/**
 * The guest's physical memory as the VMM sees it (through the VM's stage-2 address space).
 * The backend reads the guest's page tables and instructions through it, never host buffers.
 */
export interface GuestPhysMemory {
  read(gpa: number, len: number): AxResult<Uint8Array>;
  write(gpa: number, data: Uint8Array): AxResult<void>;
}
