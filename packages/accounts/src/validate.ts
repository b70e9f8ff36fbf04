import { ConfigError } from "@tsnats/config";
import { isValidSubject, subjectIsSubsetMatch, subjectsCollide } from "@tsnats/subject";
import { whereWritten } from "./config.js";
import { importLocalSubject } from "./mapping.js";
import { type AccountConfig, type AccountsOptions, type ExportConfig, GLOBAL_ACCOUNT, type ImportConfig } from "./types.js";

/** A config problem, at the entry that has it when we know where that was written (nats-server wording). */
function problem(entry: object | undefined, reason: string): Error {
  const pos = entry === undefined ? undefined : whereWritten(entry);
  return pos === undefined ? new Error(reason) : new ConfigError(pos.file, pos.line, pos.col, reason);
}

/** The export of `exporter` that `imp` may use, or undefined when there is none it is authorized for. */
export function findExport(exporter: AccountConfig, imp: ImportConfig, importer: string): ExportConfig | undefined {
  for (const e of exporter.exports) {
    if (e.kind !== imp.kind) continue;
    if (!subjectIsSubsetMatch(imp.subject, e.subject)) continue;
    if (e.accounts !== undefined && !e.accounts.includes(importer)) continue;
    return e;
  }
  return undefined;
}

/**
 * Checks the accounts as a whole, as nats-server does at startup: unique users, imports naming existing
 * accounts and authorized exports, no import cycles, and a `no_auth_user` that exists. Throws the first
 * problem (a ConfigError pointing at the entry when its position is known).
 */
export function validateAccounts(opts: AccountsOptions): void {
  const byName = new Map(opts.accounts.map((a) => [a.name, a]));
  const users = new Set<string>();
  const nkeys = new Set<string>();
  for (const u of [...opts.users, ...opts.accounts.flatMap((a) => a.users)]) {
    if (u.user !== undefined) {
      if (users.has(u.user)) throw problem(u, `Duplicate user "${u.user}" detected`);
      users.add(u.user);
    }
    if (u.nkey !== undefined) {
      if (nkeys.has(u.nkey)) throw problem(u, `Duplicate nkey "${u.nkey}" detected`);
      nkeys.add(u.nkey);
    }
  }
  if (opts.token !== undefined && opts.users.length > 0) throw new Error("Can not have a token and a users array");
  for (const acc of opts.accounts) {
    if (acc.name === GLOBAL_ACCOUNT && acc.users.length + acc.exports.length + acc.imports.length > 0) {
      throw problem(acc, `"${GLOBAL_ACCOUNT}" is a Reserved Account`);
    }
    const streamImports = new Set<string>();
    const serviceImports = new Map<string, ImportConfig>();
    for (const imp of acc.imports) {
      if (imp.kind === "stream") {
        const key = `${imp.account}\u0000${imp.subject}`;
        if (streamImports.has(key)) throw problem(imp, `Error adding stream import "${imp.subject}": stream import already exists`);
        streamImports.add(key);
        if (imp.prefix !== undefined && imp.to !== undefined) throw problem(imp, `Error adding stream import "${imp.subject}": can not have both prefix and to`);
        if (imp.prefix !== undefined && (imp.prefix.includes("*") || imp.prefix.includes(">"))) {
          throw problem(imp, `Error adding stream import "${imp.subject}": stream import prefix can not contain wildcard tokens`);
        }
      } else {
        const local = importLocalSubject(imp);
        const prev = serviceImports.get(local);
        if (prev !== undefined) {
          throw problem(imp, `Duplicate service import subject "${local}", previously used in import for account "${prev.account}", subject "${prev.subject}"`);
        }
        serviceImports.set(local, imp);
      }
    }
    for (const e of acc.exports) {
      if (!isValidSubject(e.subject)) throw problem(e, `Invalid export subject "${e.subject}"`);
      for (const a of e.accounts ?? []) {
        if (!byName.has(a)) throw problem(e, `"${a}" account not defined for ${e.kind} export`);
      }
    }
    for (const imp of acc.imports) {
      const what = `${imp.kind} import`;
      if (!isValidSubject(imp.subject)) throw problem(imp, `Invalid ${what} subject "${imp.subject}"`);
      const exporter = byName.get(imp.account);
      if (exporter === undefined) throw problem(imp, `"${imp.account}" account not defined for ${what}`);
      if (findExport(exporter, imp, acc.name) === undefined) {
        throw problem(imp, `Error adding ${what} "${imp.subject}": ${what} not authorized`);
      }
      if (formsCycle(opts.accounts, acc.name, imp)) throw problem(imp, `Error adding ${what} "${imp.subject}": import forms a cycle`);
    }
  }
  if (opts.noAuthUser !== undefined && users.size === 0) {
    throw new Error(`no_auth_user: "${opts.noAuthUser}" present, but users are not defined`);
  }
  if (opts.noAuthUser !== undefined && !users.has(opts.noAuthUser)) {
    throw new Error(`no_auth_user: "${opts.noAuthUser}" not present as user in authorization block or account configuration`);
  }
}

/**
 * Whether messages could go round in a loop through this import. Streams flow from exporter to importer
 * and on through every stream import of the importer's (mapped) subject; service requests flow from
 * importer to exporter and on through the exporter's service imports. Following that flow from `imp`
 * and arriving back where it started is a cycle. Subjects are compared with `subjectsCollide`, so
 * imports of unrelated subjects never count, and stream and service imports are checked separately.
 */
function formsCycle(accounts: AccountConfig[], importer: string, imp: ImportConfig): boolean {
  // An import of the account's own export is no cycle for nats-server (the message goes round once).
  const seen = new Set<ImportConfig>([imp]);
  if (imp.kind === "stream") {
    // Messages of `imp` arrive in `importer` on its local subject; who imports that from `importer`?
    const walk = (from: string, subject: string): boolean => {
      for (const acc of accounts) {
        for (const j of acc.imports) {
          if (j.kind !== "stream" || j.account !== from || seen.has(j) || !subjectsCollide(j.subject, subject)) continue;
          if (acc.name === imp.account) return true;
          seen.add(j);
          if (walk(acc.name, importLocalSubject(j))) return true;
        }
      }
      return false;
    };
    return walk(importer, importLocalSubject(imp));
  }
  // A request on `imp`'s local subject arrives in the exporter on `imp.subject`; does it go on?
  const walk = (at: string, subject: string): boolean => {
    const acc = accounts.find((a) => a.name === at);
    for (const j of acc?.imports ?? []) {
      if (j.kind !== "service" || seen.has(j) || !subjectsCollide(importLocalSubject(j), subject)) continue;
      if (j.account === importer) return true;
      seen.add(j);
      if (walk(j.account, j.subject)) return true;
    }
    return false;
  };
  return walk(imp.account, imp.subject);
}
