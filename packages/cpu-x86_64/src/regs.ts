/** Architectural numbers (Intel SDM vol. 3): register indexes, flag and control bits, vectors. */

/** General-purpose register numbers (ModRM/REX order). */
export const RAX = 0;
export const RCX = 1;
export const RDX = 2;
export const RBX = 3;
export const RSP = 4;
export const RBP = 5;
export const RSI = 6;
export const RDI = 7;

/** Segment register numbers (the sreg field of ModRM / the VMCS order). */
export const ES = 0;
export const CS = 1;
export const SS = 2;
export const DS = 3;
export const FS = 4;
export const GS = 5;
/** Pseudo segments for the descriptor-table registers kept in the same arrays. */
export const LDTR = 6;
export const TR = 7;

/** RFLAGS bits. */
export const CF = 1 << 0;
export const PF = 1 << 2;
export const AF = 1 << 4;
export const ZF = 1 << 6;
export const SF = 1 << 7;
export const TF = 1 << 8;
export const IF = 1 << 9;
export const DF = 1 << 10;
export const OF = 1 << 11;
export const IOPL = 3 << 12;
export const NT = 1 << 14;
export const RF = 1 << 16;
export const VM = 1 << 17;
export const AC = 1 << 18;
export const VIF = 1 << 19;
export const VIP = 1 << 20;
export const ID = 1 << 21;
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;

/** CR0 bits. */
export const CR0_PE = 1 << 0;
export const CR0_MP = 1 << 1;
export const CR0_EM = 1 << 2;
export const CR0_TS = 1 << 3;
export const CR0_ET = 1 << 4;
export const CR0_NE = 1 << 5;
export const CR0_WP = 1 << 16;
export const CR0_AM = 1 << 18;
export const CR0_NW = 1 << 29;
export const CR0_CD = 1 << 30;
export const CR0_PG = 1 << 31;

/** CR4 bits. */
export const CR4_VME = 1 << 0;
export const CR4_PVI = 1 << 1;
export const CR4_TSD = 1 << 2;
export const CR4_DE = 1 << 3;
export const CR4_PSE = 1 << 4;
export const CR4_PAE = 1 << 5;
export const CR4_MCE = 1 << 6;
export const CR4_PGE = 1 << 7;
export const CR4_PCE = 1 << 8;
export const CR4_OSFXSR = 1 << 9;
export const CR4_OSXMMEXCPT = 1 << 10;
export const CR4_UMIP = 1 << 11;
export const CR4_VMXE = 1 << 13;
export const CR4_FSGSBASE = 1 << 16;
export const CR4_PCIDE = 1 << 17;
export const CR4_OSXSAVE = 1 << 18;
/** The CR4 bits this CPU lets software set (others are reserved: #GP). */
export const CR4_SUPPORTED =
  CR4_VME |
  CR4_PVI |
  CR4_TSD |
  CR4_DE |
  CR4_PSE |
  CR4_PAE |
  CR4_MCE |
  CR4_PGE |
  CR4_PCE |
  CR4_OSFXSR |
  CR4_OSXMMEXCPT |
  CR4_UMIP |
  CR4_VMXE |
  CR4_FSGSBASE;

/** EFER bits. */
export const EFER_SCE = 1 << 0;
export const EFER_LME = 1 << 8;
export const EFER_LMA = 1 << 10;
export const EFER_NXE = 1 << 11;

/** Exception vectors. */
export const EX_DE = 0;
export const EX_DB = 1;
export const EX_NMI = 2;
export const EX_BP = 3;
export const EX_OF = 4;
export const EX_BR = 5;
export const EX_UD = 6;
export const EX_NM = 7;
export const EX_DF = 8;
export const EX_TS = 10;
export const EX_NP = 11;
export const EX_SS = 12;
export const EX_GP = 13;
export const EX_PF = 14;
export const EX_MF = 16;
export const EX_AC = 17;
export const EX_MC = 18;
export const EX_XM = 19;

/** Segment attribute bits (VMCS access-rights layout). */
export const SA_TYPE = 0xf;
export const SA_ACCESSED = 1;
export const SA_S = 1 << 4;
export const SA_DPL_SHIFT = 5;
export const SA_P = 1 << 7;
export const SA_L = 1 << 13;
export const SA_DB = 1 << 14;
export const SA_G = 1 << 15;
export const SA_UNUSABLE = 1 << 16;

/** MSR numbers this CPU implements. */
export const MSR_TSC = 0x10;
export const MSR_PLATFORM_ID = 0x17;
export const MSR_APIC_BASE = 0x1b;
export const MSR_FEATURE_CONTROL = 0x3a;
export const MSR_TSC_ADJUST = 0x3b;
export const MSR_SPEC_CTRL = 0x48;
export const MSR_BIOS_SIGN_ID = 0x8b;
export const MSR_MTRRCAP = 0xfe;
export const MSR_SYSENTER_CS = 0x174;
export const MSR_SYSENTER_ESP = 0x175;
export const MSR_SYSENTER_EIP = 0x176;
export const MSR_MCG_CAP = 0x179;
export const MSR_MCG_STATUS = 0x17a;
export const MSR_MISC_ENABLE = 0x1a0;
export const MSR_PAT = 0x277;
export const MSR_MTRR_DEF_TYPE = 0x2ff;
export const MSR_TSC_DEADLINE = 0x6e0;
export const MSR_EFER = 0xc0000080;
export const MSR_STAR = 0xc0000081;
export const MSR_LSTAR = 0xc0000082;
export const MSR_CSTAR = 0xc0000083;
export const MSR_SFMASK = 0xc0000084;
export const MSR_FS_BASE = 0xc0000100;
export const MSR_GS_BASE = 0xc0000101;
export const MSR_KERNEL_GS_BASE = 0xc0000102;
export const MSR_TSC_AUX = 0xc0000103;
