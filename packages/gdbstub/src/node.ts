// The Node.js adapter of this package: the stub served on a TCP port (node:net). The protocol
// engine in the main entry runs in any JavaScript host.
export { type GdbServer, type GdbServerOptions, serveGdb } from "./tcp-server.js";
