import {
  type AccountConfig,
  type ResponseType,
  type ServiceImport,
  type StreamImport,
  findExport,
  importLocalSubject,
} from "@tsnats/accounts";
import type { AccountJetStream } from "@tsnats/jetstream";
import { Sublist, type Subscription } from "@tsnats/subject";
import { RemoteInterest, type StreamImportInterest, streamImportInterest } from "./import-interest.js";

/** A client connection as a shard knows it. */
export interface ShardClient {
  readonly cid: number;
  readonly account: AccountState;
  echo: boolean;
  noResponders: boolean;
  /** By subscription id (the front-end numbers subscriptions; sids stay there). */
  readonly subs: Map<number, LocalSub>;
}

/**
 * A subscription of the server itself (JetStream sourcing a stream): its messages are handed to it in the
 * shard instead of going to the front-end. `headers` is the header block, `data` the payload.
 */
export type InternalHandler = (subject: string, reply: string | undefined, headers: Uint8Array | undefined, data: Uint8Array) => void;

/** A client's subscription in its account's index (or the server's own, with a handler). */
export class LocalSub implements Subscription {
  delivered = 0;
  /** With max > 0 the subscription ends after `max` deliveries (UNSUB <sid> <max>). */
  max = 0;
  /** Whether it registered interest with exporters of the stream imports it listens to. */
  importInterest = false;
  constructor(
    readonly client: ShardClient,
    readonly id: number,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly handler?: InternalHandler,
  ) {}
}

/** In the importing account: requests on `subject` (the local pattern) go to `exporter`'s service. */
export interface ServiceImportRoute extends Subscription {
  readonly subject: string;
  readonly queue: undefined;
  readonly exporter: string;
  readonly imp: ServiceImport;
  readonly responseType: ResponseType;
  readonly responseThreshold: number;
}

/** In the exporting account: messages on `subject` also go to `importer`'s subject space. */
export interface StreamExportRoute extends Subscription {
  readonly subject: string;
  readonly queue: undefined;
  readonly importer: string;
  /** The shard the importer lives on. */
  readonly importerShard: number;
  readonly imp: StreamImport;
}

/** In the exporting account: where replies to the `_R_` subject of a request that crossed an import go. */
export interface ResponseMapping {
  readonly importer: string;
  /** The requester's own reply subject, in the importer. */
  readonly reply: string;
  readonly responseType: ResponseType;
  /** How long the mapping waits for a (next) reply, in ms. */
  readonly threshold: number;
  expiresAt: number;
}

/**
 * One account as the shard that owns it sees it: its subscription index, the service imports it makes,
 * the stream exports other accounts import from it, and the live response mappings of its services.
 */
export class AccountState {
  readonly sublist = new Sublist<LocalSub>();
  readonly serviceImports = new Sublist<ServiceImportRoute>();
  readonly streamExports = new Sublist<StreamExportRoute>();
  readonly responses = new Map<string, ResponseMapping>();
  /** The stream imports this account makes: its subscriptions' interest goes to their exporters. */
  readonly streamImports: StreamImportInterest[] = [];
  /** Interest in this account's subjects from subscribers of other accounts, through their stream imports. */
  readonly remoteInterest = new RemoteInterest();
  /** `_R_.<tag>.`: the prefix of this account's response subjects (a random tag per account and shard run). */
  readonly replyPrefix: string;
  /** The account's JetStream, when it has it. */
  js: AccountJetStream | undefined;
  /**
   * Answers a JetStream API request on a server where the account has no JetStream (routeToJetStream's
   * replyNotEnabled): made once by the shard, not a closure per routed message.
   */
  replyNotEnabled: ((reply: string, body: unknown) => void) | undefined = undefined;

  constructor(readonly name: string, tag: string) {
    this.replyPrefix = `_R_.${tag}.`;
  }
}

/**
 * The states of the accounts placed on shard `shard`, with the import routes that concern them: service
 * imports made by these accounts, and stream imports (by any account) of these accounts' exports.
 */
export function buildAccountStates(accounts: AccountConfig[], placement: (account: string) => number, shard: number, tag: (account: string) => string): Map<string, AccountState> {
  const states = new Map<string, AccountState>();
  for (const acc of accounts) if (placement(acc.name) === shard) states.set(acc.name, new AccountState(acc.name, tag(acc.name)));
  const byName = new Map(accounts.map((a) => [a.name, a]));
  for (const acc of accounts) {
    for (const imp of acc.imports) {
      const exporter = byName.get(imp.account);
      if (exporter === undefined) continue;
      const exp = findExport(exporter, imp, acc.name);
      if (exp === undefined) continue;
      if (imp.kind === "service") {
        const st = states.get(acc.name);
        if (st === undefined) continue;
        st.serviceImports.insert({
          subject: importLocalSubject(imp),
          queue: undefined,
          exporter: imp.account,
          imp,
          responseType: exp.kind === "service" ? exp.responseType : "singleton",
          responseThreshold: exp.kind === "service" ? exp.responseThreshold : 0,
        });
      } else {
        states.get(acc.name)?.streamImports.push(streamImportInterest(imp));
        const st = states.get(imp.account);
        if (st === undefined) continue;
        st.streamExports.insert({ subject: imp.subject, queue: undefined, importer: acc.name, importerShard: placement(acc.name), imp });
      }
    }
  }
  return states;
}
