// Vitest setup of the app's tests: the VMM's host files are the file system, as under the CLI.
import { useHostFiles } from "../host/host-files.js";
import { nodeHostFiles } from "../host/node-files.js";

useHostFiles(nodeHostFiles);
