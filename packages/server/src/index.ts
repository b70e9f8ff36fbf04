export { Server, startServer, type ServerHandle, type StartOptions, type ServerInfo, hostPort } from "./server.js";
export { type ServerOptions, type ServerOptionsInput, type AuthorizationOptions, type LoggingOptions, DEFAULTS, resolveOptions } from "./options.js";
export { createLogger, silentLogger, type Logger } from "./logger.js";
export { VERSION, NATS_VERSION } from "./version.js";
export { optionsFromConfig, loadConfigFile } from "./config-options.js";
