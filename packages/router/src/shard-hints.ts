import { BLANK_REPLY } from "@tsnats/protocol";
import type { MatchResult } from "@tsnats/subject";
import type { AccountState, LocalSub } from "./account-state.js";
import type { BatchWriter } from "./codec.js";
import { HintKind, Out } from "./ops.js";

/** A hint names at most this many subscriptions (a wider fan-out is not what hints are for). */
const MAX_HINT_SUBS = 64;

/**
 * The shard's half of delivery hints (the front-end's half, and why, is in delivery-hints.ts). Answering a
 * PubHinted, the shard says where messages on its subject go, and where every sibling of its reply subject
 * goes (a requester's replies), when the answer is simple enough for the front-end to act on alone:
 * - the account routes nothing beyond its own subscriptions and streams: no imports, no exports;
 * - the subject is not a system (`$...`) or response-mapping (`_R_.`) subject, and no stream captures it
 *   (for the reply, none of its siblings); a change to the streams' subjects resets the hints (HintsReset);
 * - every match (there may be none) is a client's subscription without a delivery limit (queue groups included: the front-end
 *   picks a member at random, as the shard does).
 */
export function writeHints(w: BatchWriter, cid: number, acc: AccountState, subject: string, reply: string | undefined): void {
  if (!hintable(acc)) return;
  const js = acc.js;
  if (plainSubject(subject) && (js === undefined || js.capturesNone(subject, false))) {
    writeHint(w, cid, HintKind.Exact, subject, acc.sublist.matchOnce(subject));
  }
  if (reply === undefined || reply === BLANK_REPLY || !plainSubject(reply) || !acc.sublist.lastTokenFree(reply)) return;
  if (js !== undefined && !js.capturesNone(reply, true)) return;
  writeHint(w, cid, HintKind.Below, reply.substring(0, reply.lastIndexOf(".")), acc.sublist.matchOnce(reply));
}

function hintable(acc: AccountState): boolean {
  return acc.serviceImports.count === 0 && acc.streamExports.count === 0 && acc.streamImports.length === 0 && acc.responses.size === 0;
}

function plainSubject(s: string): boolean {
  return s.charCodeAt(0) !== 0x24 /* $ */ && !s.startsWith("_R_.");
}

function writeHint(w: BatchWriter, cid: number, kind: number, key: string, result: MatchResult<LocalSub>): void {
  const { psubs, qsubs } = result;
  let n = psubs.length;
  for (let g = 0; g < qsubs.length; g++) n += qsubs[g].length;
  if (n > MAX_HINT_SUBS || !allHintable(psubs)) return;
  for (let g = 0; g < qsubs.length; g++) if (!allHintable(qsubs[g])) return;
  w.u8(Out.Hint);
  w.u32(cid);
  w.u8(kind);
  w.str(key);
  writeIds(w, psubs);
  w.u32(qsubs.length);
  for (let g = 0; g < qsubs.length; g++) writeIds(w, qsubs[g]);
  w.count++;
}

/** Clients' subscriptions without a delivery limit (the front-end does not count deliveries for the shard). */
function allHintable(subs: readonly LocalSub[]): boolean {
  for (let i = 0; i < subs.length; i++) if (subs[i].handler !== undefined || subs[i].max !== 0) return false;
  return true;
}

function writeIds(w: BatchWriter, subs: readonly LocalSub[]): void {
  w.u32(subs.length);
  for (let i = 0; i < subs.length; i++) w.u32(subs[i].id);
}
