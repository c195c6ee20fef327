import type { AxResult } from "@axvisor/axerrno";

/**
 * The guest's physical memory as the VMM sees it: reads and writes by guest-physical address
 * through the VM's address space (translation + bounds). The backend never reaches into host
 * buffers itself.
 */
export interface GuestPhysMemory {
  read(gpa: number, len: number): AxResult<Uint8Array>;
  write(gpa: number, data: Uint8Array): AxResult<void>;
}
