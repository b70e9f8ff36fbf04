import { type ServerHandle, type StartOptions, silentLogger, startServer } from "@tsnats/server";

/** Starts a real server on a free loopback port, with logs off. */
export function startTestServer(opts: StartOptions = {}): Promise<ServerHandle> {
  return startServer({ host: "127.0.0.1", port: -1, logger: silentLogger(), ...opts });
}
