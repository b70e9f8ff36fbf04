/**
 * nats-server's flags follow Go's flag package: one or two dashes for any flag (`-port 4222`, `--port`),
 * multi-letter short forms (`-js`, `-sd`, `-DV`) and aliases (`--net` for `--addr`). commander knows only
 * single-letter short flags, so the arguments are rewritten to its spelling first.
 */

/** Long option names the CLI defines (commander spelling, without dashes). */
const LONG = new Set([
  "addr",
  "port",
  "name",
  "pid",
  "http_port",
  "config",
  "client_advertise",
  "ports_file_dir",
  "log",
  "logtime",
  "debug",
  "trace",
  "log_format",
  "jetstream",
  "store_dir",
  "user",
  "pass",
  "auth",
  "routes",
  "cluster",
  "cluster_name",
  "cluster_listen",
  "shards",
  "shards_in_process",
  "help",
  "version",
]);

/** Other spellings nats-server accepts, mapped to ours. */
const ALIASES: Record<string, string[]> = {
  "-js": ["--jetstream"],
  "-sd": ["--store_dir"],
  "-DV": ["--debug", "--trace"],
  "-VV": ["--trace"],
  "-DVV": ["--debug", "--trace"],
  "--net": ["--addr"],
  "-net": ["--addr"],
  "--server_name": ["--name"],
  "-server_name": ["--name"],
  "--logfile": ["--log"],
  "--log_file": ["--log"],
  "--pid_file": ["--pid"],
  "--http": ["--http_port"],
};

export function normalizeArgv(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    const eq = arg.indexOf("=");
    const flag = eq > 0 && arg.startsWith("-") ? arg.slice(0, eq) : arg;
    const value = eq > 0 && arg.startsWith("-") ? arg.slice(eq) : "";
    const alias = ALIASES[flag];
    if (alias !== undefined) {
      out.push(...alias.slice(0, -1), alias[alias.length - 1] + value);
    } else if (/^-[a-z_]{2,}$/.test(flag) && LONG.has(flag.slice(1))) {
      out.push(`-${flag}${value}`); // Go style: -port 4222
    } else {
      out.push(arg);
    }
  }
  return out;
}
