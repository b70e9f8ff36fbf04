import { Command, InvalidArgumentError } from "commander";
import { ConfigError } from "@tsnats/config";
import { NATS_VERSION, Server, type ServerOptionsInput, VERSION, createLogger, loadConfigFile } from "@tsnats/server";
import { normalizeArgv } from "./argv.js";

interface Flags {
  addr?: string;
  port?: number;
  name?: string;
  pid?: string;
  http_port?: number;
  config?: string;
  t?: boolean;
  client_advertise?: string;
  ports_file_dir?: string;
  log?: string;
  logtime?: boolean;
  debug?: boolean;
  trace?: boolean;
  log_format?: "pretty" | "json";
  jetstream?: boolean;
  store_dir?: string;
  user?: string;
  pass?: string;
  auth?: string;
  routes?: string;
  cluster?: string;
  cluster_name?: string;
  cluster_listen?: string;
  shards?: number;
  shards_in_process?: boolean;
}

function int(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("not an integer");
  return n;
}

function program(): Command {
  return new Command("tsnats-server")
    .description("A NATS-compatible message broker. Flags follow nats-server's and override the config file.")
    .version(`tsnats-server: v${VERSION} (NATS ${NATS_VERSION})`, "-v, --version", "Show version")
    .helpOption("-h, --help", "Show this message")
    .option("-a, --addr <host>", "Bind to host address (default: 0.0.0.0); also --net")
    .option("-p, --port <port>", "Use port for clients (default: 4222; -1 for any free port)", int)
    .option("-n, --name <server_name>", "Server name (default: the server id); also --server_name")
    .option("-P, --pid <file>", "File to store PID")
    .option("-m, --http_port <port>", "Use port for http monitoring", int)
    .option("-c, --config <file>", "Configuration file")
    .option("-t", "Test configuration and exit")
    .option("--client_advertise <string>", "Client URL to advertise to other servers (accepted, unused)")
    .option("--ports_file_dir <dir>", "Creates a ports file in the specified directory (<executable_name>_<pid>.ports)")
    .option("-l, --log <file>", "File to redirect log output")
    .option("-T, --logtime", "Timestamp log entries (always on)")
    .option("-D, --debug", "Enable debugging output")
    .option("-V, --trace", "Trace the raw protocol (-VV, -DV and -DVV are accepted too)")
    .option("--log_format <format>", "pretty or json (default: pretty on a terminal, json otherwise)")
    .option("--jetstream", "Enable JetStream functionality (also -js)")
    .option("--store_dir <dir>", "Set the storage directory (also -sd)")
    .option("--user <user>", "User required for connections")
    .option("--pass <password>", "Password required for connections")
    .option("--auth <token>", "Authorization token required for connections")
    .option("--routes <rurl-1, rurl-2>", "Routes to solicit and connect")
    .option("--cluster <cluster-url>", "Cluster URL for solicited routes")
    .option("--cluster_name <string>", "Cluster Name")
    .option("--cluster_listen <url>", "Cluster url from which members can solicit routes")
    .option("--shards <n>", "Routing shards (worker threads; default: the number of CPU cores)", int)
    .option("--shards_in_process", "Run the routing shards in the main thread")
    .allowExcessArguments(false);
}

/** Flags override what the config file says. */
function applyFlags(base: ServerOptionsInput, f: Flags): ServerOptionsInput {
  const o: ServerOptionsInput = { ...base, logging: { ...base.logging }, jetstream: { ...base.jetstream }, cluster: { ...base.cluster } };
  if (f.addr !== undefined) o.host = f.addr;
  if (f.port !== undefined) o.port = f.port;
  if (f.name !== undefined) o.serverName = f.name;
  if (f.pid !== undefined) o.pidFile = f.pid;
  if (f.http_port !== undefined) o.httpPort = f.http_port;
  if (f.ports_file_dir !== undefined) o.portsFileDir = f.ports_file_dir;
  if (f.log !== undefined) o.logging!.logFile = f.log;
  if (f.debug) o.logging!.debug = true;
  if (f.trace) o.logging!.trace = true;
  if (f.log_format !== undefined) o.logging!.format = f.log_format;
  if (f.jetstream) o.jetstream!.enabled = true;
  if (f.store_dir !== undefined) o.jetstream!.storeDir = f.store_dir;
  if (f.user !== undefined || f.pass !== undefined || f.auth !== undefined) {
    o.authorization = { ...base.authorization };
    if (f.user !== undefined) o.authorization.user = f.user;
    if (f.pass !== undefined) o.authorization.password = f.pass;
    if (f.auth !== undefined) o.authorization.token = f.auth;
  }
  if (f.shards !== undefined || f.shards_in_process) {
    o.shards = { ...base.shards };
    if (f.shards !== undefined) o.shards.count = f.shards;
    if (f.shards_in_process) o.shards.inProcess = true;
  }
  if (f.cluster_name !== undefined) o.cluster!.name = f.cluster_name;
  if (f.routes !== undefined) o.cluster!.routes = f.routes.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const listen = f.cluster_listen ?? f.cluster;
  if (listen !== undefined) {
    const u = new URL(listen.includes("://") ? listen : `nats://${listen}`);
    o.cluster!.host = u.hostname;
    o.cluster!.port = Number(u.port);
  }
  return o;
}

/** Runs the CLI; resolves to the exit code once the server has stopped (or at once for -t, -v, errors). */
export async function runCli(argv: readonly string[]): Promise<number> {
  const cmd = program();
  cmd.exitOverride();
  try {
    cmd.parse(normalizeArgv(argv), { from: "user" });
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    return code ?? 1;
  }
  const flags = cmd.opts<Flags>();
  if (flags.log_format !== undefined && flags.log_format !== "pretty" && flags.log_format !== "json") {
    process.stderr.write(`tsnats-server: --log_format must be pretty or json\n`);
    return 1;
  }

  let options: ServerOptionsInput = {};
  if (flags.config !== undefined) {
    try {
      options = loadConfigFile(flags.config);
    } catch (err) {
      const msg = err instanceof ConfigError ? err.message : `${flags.config}: ${(err as Error).message}`;
      process.stderr.write(`tsnats-server: ${msg}\n`);
      return 1;
    }
  }
  options = applyFlags(options, flags);
  if (flags.t) {
    process.stderr.write(`tsnats-server: configuration file ${flags.config ?? "(none)"} is valid\n`);
    return 0;
  }

  const log = createLogger(options.logging);
  const server = new Server(options, log);
  // Signal handlers go in before the server says it is ready: a harness may stop it right after.
  let stopRequested: string | undefined;
  let onStop: ((signal: string) => void) | undefined;
  const trap = (signal: string) => {
    if (onStop !== undefined) onStop(signal);
    else stopRequested ??= signal;
  };
  process.on("SIGINT", () => trap("interrupt"));
  process.on("SIGTERM", () => trap("terminated"));
  try {
    await server.start();
  } catch (err) {
    log.fatal(`Error starting server: ${(err as Error).message}`);
    await server.close().catch(() => {});
    return 1;
  }

  return await new Promise<number>((resolve) => {
    let stopping = false;
    onStop = (signal: string) => {
      if (stopping) {
        log.warn(`Received ${signal} again, exiting now`);
        resolve(1);
        process.exit(1);
      }
      stopping = true;
      log.info(`Trapped "${signal}" signal`);
      server.close().then(
        () => resolve(0),
        (err: Error) => {
          log.error(`Shutdown error: ${err.message}`);
          resolve(1);
        },
      );
    };
    if (stopRequested !== undefined) onStop(stopRequested);
  });
}
