/**
 * The subscription trie, shaped like nats-server's sublist: one level per token, each level holding its
 * literal children in a map and its `*` and `>` children in fields of their own, so a match looks up one
 * map entry and checks two fields per token instead of scanning.
 *
 * Everything is allocated lazily (`null` until needed): with many subscriptions most nodes are leaves with a
 * handful of subscribers, and empty maps and sets would dominate memory.
 */
import { GT, STAR } from "./chars.js";
import type { Subscription } from "./types.js";

export class TrieLevel<S extends Subscription> {
  nodes: Map<string, TrieNode<S>> | null = null;
  pwc: TrieNode<S> | null = null;
  fwc: TrieNode<S> | null = null;

  isEmpty(): boolean {
    return this.pwc === null && this.fwc === null && (this.nodes === null || this.nodes.size === 0);
  }
}

export class TrieNode<S extends Subscription> {
  next: TrieLevel<S> | null = null;
  /** Plain subscriptions; a set so removal by identity is O(1). `null` when empty. */
  psubs: Set<S> | null = null;
  /**
   * `psubs` as an array, rebuilt by the first match after a change: matching copies arrays with an indexed
   * loop, which is faster than iterating a set, and between changes the snapshot is reused.
   */
  plist: S[] | null = null;
  /** Queue subscriptions by queue name. `null` when empty. */
  qsubs: Map<string, Set<S>> | null = null;
  /** Snapshot of `qsubs`, one array per group, rebuilt like `plist`. */
  qlist: S[][] | null = null;

  hasSubs(): boolean {
    return this.psubs !== null || this.qsubs !== null;
  }

  plainList(): S[] | null {
    if (this.plist === null && this.psubs !== null) this.plist = Array.from(this.psubs);
    return this.plist;
  }

  queueList(): S[][] | null {
    if (this.qlist === null && this.qsubs !== null) {
      const groups: S[][] = [];
      for (const members of this.qsubs.values()) groups.push(Array.from(members));
      this.qlist = groups;
    }
    return this.qlist;
  }

  /** Adds `sub`; false when it was already here. */
  add(sub: S): boolean {
    const queue = sub.queue;
    if (queue === undefined) {
      const psubs = this.psubs ?? (this.psubs = new Set());
      if (psubs.has(sub)) return false;
      psubs.add(sub);
      this.plist = null;
      return true;
    }
    const qsubs = this.qsubs ?? (this.qsubs = new Map());
    let members = qsubs.get(queue);
    if (members === undefined) qsubs.set(queue, (members = new Set()));
    if (members.has(sub)) return false;
    members.add(sub);
    this.qlist = null;
    return true;
  }

  /** Removes `sub`; false when it was not here. */
  delete(sub: S): boolean {
    const queue = sub.queue;
    if (queue === undefined) {
      const psubs = this.psubs;
      if (psubs === null || !psubs.delete(sub)) return false;
      if (psubs.size === 0) this.psubs = null;
      this.plist = null;
      return true;
    }
    const qsubs = this.qsubs;
    const members = qsubs?.get(queue);
    if (qsubs == null || members === undefined || !members.delete(sub)) return false;
    if (members.size === 0) {
      qsubs.delete(queue);
      if (qsubs.size === 0) this.qsubs = null;
    }
    this.qlist = null;
    return true;
  }

  /** Nothing subscribed here or below: the node can be pruned. */
  isEmpty(): boolean {
    return !this.hasSubs() && (this.next === null || this.next.isEmpty());
  }
}

/** The child of `level` for the token `subject[start, end)`, created when `create` is set. */
export function childOf<S extends Subscription>(
  level: TrieLevel<S>,
  subject: string,
  start: number,
  end: number,
  create: boolean,
): TrieNode<S> | null {
  if (end - start === 1) {
    const c = subject.charCodeAt(start);
    if (c === STAR) return level.pwc ?? (create ? (level.pwc = new TrieNode()) : null);
    if (c === GT) return level.fwc ?? (create ? (level.fwc = new TrieNode()) : null);
  }
  const token = subject.substring(start, end);
  let nodes = level.nodes;
  let node = nodes === null ? undefined : nodes.get(token);
  if (node !== undefined) return node;
  if (!create) return null;
  if (nodes === null) nodes = level.nodes = new Map();
  nodes.set(token, (node = new TrieNode()));
  return node;
}

/** Unlinks the empty `node` from `level`. */
export function pruneChild<S extends Subscription>(
  level: TrieLevel<S>,
  node: TrieNode<S>,
  subject: string,
  start: number,
  end: number,
): void {
  if (node === level.pwc) level.pwc = null;
  else if (node === level.fwc) level.fwc = null;
  else if (level.nodes !== null) {
    level.nodes.delete(subject.substring(start, end));
    if (level.nodes.size === 0) level.nodes = null;
  }
}

/** Appends every subscription under `level` to `out`. */
export function collectAll<S extends Subscription>(level: TrieLevel<S>, out: S[]): void {
  if (level.nodes !== null) for (const node of level.nodes.values()) collectNode(node, out);
  if (level.pwc !== null) collectNode(level.pwc, out);
  if (level.fwc !== null) collectNode(level.fwc, out);
}

function collectNode<S extends Subscription>(node: TrieNode<S>, out: S[]): void {
  if (node.psubs !== null) for (const sub of node.psubs) out.push(sub);
  if (node.qsubs !== null) for (const members of node.qsubs.values()) for (const sub of members) out.push(sub);
  if (node.next !== null) collectAll(node.next, out);
}
