export {
  FW_CFG_PORT,
  FwCfg,
  type FwCfgDma,
  type FwCfgFile,
  fwCfgLe16,
  fwCfgLe32,
  fwCfgLe64,
} from "./fw-cfg.js";
export {
  DmaControl,
  FW_CFG_ARCH_LOCAL,
  FW_CFG_DMA_SIGNATURE,
  FW_CFG_MAX_FILE_PATH,
  FW_CFG_VERSION_DMA,
  FW_CFG_VERSION_TRADITIONAL,
  FW_CFG_WRITE,
  FwCfgKey,
} from "./keys.js";
