import { type StreamImport, importLocalSubject, mapSubject } from "@tsnats/accounts";
import { Sublist, type Subscription, subjectIsSubsetMatch, subjectsCollide } from "@tsnats/subject";

/**
 * Interest that crosses stream imports, seen from the exporter: when a client of U subscribes to a subject
 * U imports from JSA, JSA learns that someone listens on the matching subject of its own space (push
 * consumers deliver only then, and `push_bound` says so, as with nats-server; exported messages cross to
 * another shard only then). Interest is counted per (shard it came from, subject, queue), so a shard that
 * restarts can withdraw all of its own at once.
 */
interface InterestEntry extends Subscription {
  readonly subject: string;
  readonly queue: string | undefined;
  count: number;
}

export class RemoteInterest {
  private readonly entries = new Map<string, InterestEntry>();
  private readonly index = new Sublist<InterestEntry>();

  get size(): number {
    return this.entries.size;
  }

  /** Adds (delta 1) or withdraws (delta -1) interest on `subject` from shard `from`. */
  change(from: number, subject: string, queue: string | undefined, delta: number): void {
    const key = `${from} ${subject} ${queue ?? ""}`;
    let e = this.entries.get(key);
    if (e === undefined) {
      if (delta <= 0) return;
      e = { subject, queue, count: 0 };
      this.entries.set(key, e);
      this.index.insert(e);
    }
    e.count += delta;
    if (e.count <= 0) {
      this.entries.delete(key);
      this.index.remove(e);
    }
  }

  /** Withdraws everything shard `from` registered (it restarted and registers again). */
  dropFrom(from: number): void {
    const prefix = `${from} `;
    for (const [key, e] of this.entries) {
      if (!key.startsWith(prefix)) continue;
      this.entries.delete(key);
      this.index.remove(e);
    }
  }

  /** Whether someone listens on `subject` (in queue group `queue`, when given). */
  has(subject: string, queue?: string): boolean {
    if (this.entries.size === 0) return false;
    if (queue === undefined) {
      // The subjects asked about repeat (a push consumer's deliver subject, an exported one): the cached match.
      const r = this.index.match(subject);
      return r.psubs.length > 0 || r.qsubs.length > 0;
    }
    for (const group of this.index.match(subject).qsubs) if (group.length > 0 && group[0].queue === queue) return true;
    return false;
  }
}

/** One stream import of the importing account: its local pattern, and where interest in it goes. */
export interface StreamImportInterest {
  readonly exporter: string;
  readonly imp: StreamImport;
  readonly local: string;
}

export function streamImportInterest(imp: StreamImport): StreamImportInterest {
  return { exporter: imp.account, imp, local: importLocalSubject(imp) };
}

/**
 * The subject in the exporter's space that a subscription on `subject` in the importer listens to through
 * `si`, or undefined when it does not reach that import. A subscription inside the import's local pattern
 * maps exactly; a broader one (`>`) listens to all of the export.
 */
export function exporterSubject(si: StreamImportInterest, subject: string): string | undefined {
  if (!subjectsCollide(subject, si.local)) return undefined;
  if (!subjectIsSubsetMatch(subject, si.local)) return si.imp.subject;
  if (si.imp.prefix !== undefined) return subject.slice(si.imp.prefix.length + 1);
  return mapSubject(subject, si.local, si.imp.subject) ?? si.imp.subject;
}
