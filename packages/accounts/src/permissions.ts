import { Sublist, subjectMatches } from "@tsnats/subject";
import type { SubjectPermission } from "./types.js";

/** A permission entry: a subject, and for subscribe entries written `"subject queue"` a queue pattern. */
interface Entry {
  readonly subject: string;
  readonly queuePattern: string | undefined;
}

function index(entries: string[] | undefined): Sublist<Entry> | undefined {
  if (entries === undefined) return undefined;
  const list = new Sublist<Entry>({ cache: false });
  for (const e of entries) {
    const sp = e.indexOf(" ");
    const subject = sp < 0 ? e : e.slice(0, sp);
    const queue = sp < 0 ? "" : e.slice(sp + 1).trim();
    list.insert({ subject, queuePattern: queue === "" ? undefined : queue });
  }
  return list;
}

/**
 * One direction (publish or subscribe) of a user's permissions, compiled into subscription indexes as
 * nats-server does: a subject is allowed when the allow list (if any) matches it and the deny list does
 * not. Subscribe entries may name a queue (`"foo q.*"`): such an entry only concerns subscriptions in a
 * matching queue group. Subjects being checked may hold wildcards (SUB); their `*`/`>` tokens then match
 * entries as tokens, as in nats-server.
 */
export class SubjectPermissionChecker {
  private readonly allow: Sublist<Entry> | undefined;
  private readonly deny: Sublist<Entry> | undefined;

  constructor(perm: SubjectPermission) {
    this.allow = index(perm.allow);
    this.deny = index(perm.deny);
  }

  allows(subject: string, queue?: string): boolean {
    if (this.allow !== undefined && !matches(this.allow, subject, queue)) return false;
    return this.deny === undefined || !matches(this.deny, subject, queue);
  }

  /** Whether a deny list exists (deliveries to wildcard subscriptions must then be filtered too). */
  get hasDeny(): boolean {
    return this.deny !== undefined;
  }

  /** Delivery-time filter: a message on `subject` must not reach a subscription when it is denied. */
  denies(subject: string): boolean {
    return this.deny !== undefined && matches(this.deny, subject, undefined);
  }
}

/**
 * Whether an entry of `list` applies: a plain entry matching the subject always does; a queue entry only
 * for a subscription whose queue matches its pattern.
 */
function matches(list: Sublist<Entry>, subject: string, queue: string | undefined): boolean {
  const r = list.match(subject);
  for (const e of r.psubs) {
    if (e.queuePattern === undefined) return true;
    if (queue !== undefined && subjectMatches(queue, e.queuePattern)) return true;
  }
  return false;
}
