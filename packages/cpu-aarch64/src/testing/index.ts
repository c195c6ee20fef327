export {
  PSCI_SYSTEM_OFF,
  PSCI_SYSTEM_RESET,
  PSCI_VERSION,
  RAM_BASE,
  TestMachine,
  type TestMachineOptions,
  UART_BASE,
} from "./test-machine.js";
