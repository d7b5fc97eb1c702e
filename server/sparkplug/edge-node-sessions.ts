/**
 * What a Sparkplug host application must remember of each edge node (spec 3.0 §5, §6): its
 * session (the bdSeq of its NBIRTH), the sequence number it sends next, the metrics and aliases its
 * births declared (the node's and each device's), and which devices are alive. Pure: messages go
 * in, and the sink hears each metric to store, each refusal, each rebirth to request and each
 * message held back for reordering. The host (sparkplug-host.ts) owns the clock and the broker.
 *
 * - NBIRTH starts a session: seq restarts, the node's metrics and aliases are what it declares,
 *   every device is dead until its DBIRTH.
 * - NDEATH ends it only when its bdSeq is the session's (a late will of an older connection is
 *   refused as `sparkplug-bdseq-stale`).
 * - DBIRTH, NDATA, DDATA and DDEATH must come in seq order (0–255, wrapping). One that comes early
 *   is held; when its predecessors arrive within the reorder timeout they are processed in order,
 *   otherwise `expireHeld` refuses the held ones (`sparkplug-seq-gap`), asks for a rebirth, and
 *   refuses data (`sparkplug-awaiting-rebirth`) until the NBIRTH comes.
 * - Data from a node without a session (a host that started after it) is refused
 *   (`sparkplug-no-birth`) and a rebirth is requested.
 */
import type { SparkplugMessageType } from '../../contract/plant-protocols';
import type { RejectionReason } from '../ingest/rejection-reasons';
import { type DecodedMetric, type DecodedPayload, numericDatatypes, numericValue } from './sparkplug-payload';

/** A metric as its birth declared it. */
export interface BirthMetric {
  name: string;
  datatype: number;
  engUnit: string | undefined;
}

export interface SparkplugMessage {
  topic: string;
  type: SparkplugMessageType;
  group: string;
  edgeNode: string;
  device: string | undefined;
  payload: DecodedPayload;
  bytes: number;
  receivedAtMs: number;
}

export interface SessionSink {
  /** A metric of a born node or device, resolved to its birth's name and datatype. */
  metric(message: SparkplugMessage, metric: DecodedMetric, birth: BirthMetric): void;
  reject(message: SparkplugMessage, reason: RejectionReason, detail: string): void;
  requestRebirth(group: string, edgeNode: string, why: string): void;
  /** A message came early and waits for its predecessors: start the reorder timer if none runs. */
  held(nodeKey: string): void;
}

interface NodeSession {
  online: boolean;
  bdSeq: number | undefined;
  /** The seq the next sequenced message must carry. */
  expectedSeq: number;
  awaitingRebirth: boolean;
  /** Born scopes: '' for the node's own metrics, else the device id; metric name → birth. */
  scopes: Map<string, Map<string, BirthMetric>>;
  /** alias → the scope and metric it stands for (aliases are unique within an edge node). */
  aliases: Map<number, { scope: string; metric: BirthMetric }>;
  /** Early messages by seq. */
  held: Map<number, SparkplugMessage>;
}

const nodeScope = '';

export function nodeKeyOf(group: string, edgeNode: string): string {
  return `${group}/${edgeNode}`;
}

export class EdgeNodeSessions {
  private readonly nodes = new Map<string, NodeSession>();

  constructor(private readonly sink: SessionSink) {}

  /** Forgets every session (the host lost the broker: it needs every node's birth again). */
  clear(): void {
    this.nodes.clear();
  }

  /** Nodes with an online session, for metrics. */
  onlineCount(): number {
    let n = 0;
    for (const node of this.nodes.values()) if (node.online) n++;
    return n;
  }

  handle(message: SparkplugMessage): void {
    const key = nodeKeyOf(message.group, message.edgeNode);
    if (message.type === 'NBIRTH') return void this.nodeBirth(key, message);
    if (message.type === 'NDEATH') return void this.nodeDeath(key, message);
    if (message.type === 'NCMD' || message.type === 'DCMD') return; // commands are for edge nodes
    const node = this.nodes.get(key);
    if (!node?.online) {
      this.sink.reject(
        message,
        'sparkplug-no-birth',
        'no NBIRTH of this edge node in this session; rebirth requested',
      );
      this.sink.requestRebirth(message.group, message.edgeNode, 'data before its birth');
      return;
    }
    if (node.awaitingRebirth) {
      this.sink.reject(
        message,
        'sparkplug-awaiting-rebirth',
        'after a seq gap, data waits for the rebirth requested',
      );
      return;
    }
    const seq = message.payload.seq;
    if (seq === undefined) {
      this.sink.reject(message, 'sparkplug-payload-invalid', `${message.type} without seq`);
      return;
    }
    const ahead = (seq - node.expectedSeq + 256) % 256;
    if (ahead === 0) {
      this.sequenced(node, message);
      this.drainHeld(node);
    } else if (ahead < 128) {
      node.held.set(seq, message);
      this.sink.held(key);
    } else {
      this.sink.reject(
        message,
        'sparkplug-seq-gap',
        `seq ${seq} arrived after ${(node.expectedSeq + 255) % 256}: late or repeated`,
      );
    }
  }

  /** The reorder timeout ran out: the held messages' predecessors are lost; refuse them and ask for a rebirth. */
  expireHeld(nodeKey: string): void {
    const node = this.nodes.get(nodeKey);
    if (!node || node.held.size === 0) return;
    const expected = node.expectedSeq;
    for (const message of this.heldInOrder(node)) {
      this.sink.reject(
        message,
        'sparkplug-seq-gap',
        `seq ${message.payload.seq} came but seq ${expected} did not within the reorder timeout; rebirth requested`,
      );
    }
    node.held.clear();
    node.awaitingRebirth = true;
    const [group, ...rest] = splitNodeKey(nodeKey);
    this.sink.requestRebirth(group, rest.join('/'), `seq ${expected} missing`);
  }

  hasHeld(nodeKey: string): boolean {
    return (this.nodes.get(nodeKey)?.held.size ?? 0) > 0;
  }

  private nodeBirth(key: string, message: SparkplugMessage): void {
    const { payload } = message;
    if (payload.seq === undefined) {
      this.sink.reject(message, 'sparkplug-birth-invalid', 'NBIRTH without seq');
      return;
    }
    const bdSeqMetric = payload.metrics.find((m) => m.name === 'bdSeq');
    const bdSeq = bdSeqMetric ? birthNumber(bdSeqMetric) : undefined;
    if (bdSeq === undefined) {
      this.sink.reject(message, 'sparkplug-birth-invalid', 'NBIRTH without a numeric bdSeq metric');
      return;
    }
    const declared = declaredMetrics(payload.metrics, new Map(), nodeScope);
    if (!declared.ok) return void this.sink.reject(message, 'sparkplug-birth-invalid', declared.detail);
    const previous = this.nodes.get(key);
    if (previous) this.refuseHeld(previous, 'a new NBIRTH started another session');
    const node: NodeSession = {
      online: true,
      bdSeq,
      expectedSeq: (payload.seq + 1) % 256,
      awaitingRebirth: false,
      scopes: new Map([[nodeScope, declared.metrics]]),
      aliases: declared.aliases,
      held: new Map(),
    };
    this.nodes.set(key, node);
    this.emitMetrics(node, message, nodeScope);
  }

  private nodeDeath(key: string, message: SparkplugMessage): void {
    const node = this.nodes.get(key);
    const bdSeqMetric = message.payload.metrics.find((m) => m.name === 'bdSeq');
    const bdSeq = bdSeqMetric ? birthNumber(bdSeqMetric) : undefined;
    if (!node?.online || bdSeq === undefined || bdSeq !== node.bdSeq) {
      const why = !node?.online
        ? 'the edge node has no live session'
        : `bdSeq ${bdSeq ?? 'missing'} is not the session's ${node.bdSeq}`;
      this.sink.reject(message, 'sparkplug-bdseq-stale', `NDEATH ignored: ${why}`);
      return;
    }
    this.refuseHeld(node, 'the edge node died');
    node.online = false;
    node.scopes.clear();
    node.aliases.clear();
  }

  /** DBIRTH, NDATA, DDATA, DDEATH with the seq expected. */
  private sequenced(node: NodeSession, message: SparkplugMessage): void {
    node.expectedSeq = (node.expectedSeq + 1) % 256;
    const scope = message.device ?? nodeScope;
    if (message.type === 'DBIRTH') {
      for (const [alias, entry] of node.aliases) if (entry.scope === scope) node.aliases.delete(alias);
      const declared = declaredMetrics(message.payload.metrics, node.aliases, scope);
      if (!declared.ok) return void this.sink.reject(message, 'sparkplug-birth-invalid', declared.detail);
      for (const [alias, entry] of declared.aliases) node.aliases.set(alias, entry);
      node.scopes.set(scope, declared.metrics);
      this.emitMetrics(node, message, scope);
      return;
    }
    if (!node.scopes.has(scope)) {
      this.sink.reject(
        message,
        'sparkplug-no-birth',
        `no DBIRTH of device ${scope} in this session; rebirth requested`,
      );
      this.sink.requestRebirth(message.group, message.edgeNode, `${message.type} of an unborn device`);
      return;
    }
    if (message.type === 'DDEATH') {
      node.scopes.delete(scope);
      for (const [alias, entry] of node.aliases) if (entry.scope === scope) node.aliases.delete(alias);
      return;
    }
    this.emitMetrics(node, message, scope);
  }

  private emitMetrics(node: NodeSession, message: SparkplugMessage, scope: string): void {
    const births = node.scopes.get(scope);
    for (const metric of message.payload.metrics) {
      let birth: BirthMetric | undefined;
      if (metric.alias !== undefined && metric.name === undefined) {
        const entry = node.aliases.get(metric.alias);
        if (!entry || entry.scope !== scope) {
          this.sink.reject(
            message,
            'sparkplug-alias-unknown',
            `alias ${metric.alias} is in no birth of this ${scope ? 'device' : 'node'}`,
          );
          continue;
        }
        birth = entry.metric;
      } else {
        birth = metric.name === undefined ? undefined : births?.get(metric.name);
        if (!birth) {
          this.sink.reject(
            message,
            'sparkplug-metric-unknown',
            `metric ${JSON.stringify(metric.name ?? null)} is not in the birth`,
          );
          continue;
        }
      }
      this.sink.metric(message, metric, birth);
    }
  }

  private drainHeld(node: NodeSession): void {
    let next = node.held.get(node.expectedSeq);
    while (next && node.online && !node.awaitingRebirth) {
      node.held.delete(node.expectedSeq);
      this.sequenced(node, next);
      next = node.held.get(node.expectedSeq);
    }
  }

  private refuseHeld(node: NodeSession, why: string): void {
    for (const message of this.heldInOrder(node))
      this.sink.reject(message, 'sparkplug-seq-gap', `held for reordering when ${why}`);
    node.held.clear();
  }

  private heldInOrder(node: NodeSession): SparkplugMessage[] {
    const base = node.expectedSeq;
    return [...node.held.entries()]
      .sort(([a], [b]) => ((a - base + 256) % 256) - ((b - base + 256) % 256))
      .map(([, m]) => m);
  }
}

function splitNodeKey(key: string): string[] {
  return key.split('/');
}

type Declared =
  | {
      ok: true;
      metrics: Map<string, BirthMetric>;
      aliases: Map<number, { scope: string; metric: BirthMetric }>;
    }
  | { ok: false; detail: string };

/** A birth's metrics: each with a name and datatype, names and aliases unique (aliases across the node). */
function declaredMetrics(
  metrics: readonly DecodedMetric[],
  otherAliases: ReadonlyMap<number, { scope: string; metric: BirthMetric }>,
  scope: string,
): Declared {
  const byName = new Map<string, BirthMetric>();
  const aliases = new Map<number, { scope: string; metric: BirthMetric }>();
  for (const m of metrics) {
    if (m.name === undefined || m.name === '') return { ok: false, detail: 'a birth metric without a name' };
    if (m.datatype === undefined) return { ok: false, detail: `birth metric "${m.name}" without a datatype` };
    if (byName.has(m.name)) return { ok: false, detail: `metric "${m.name}" declared twice` };
    const birth: BirthMetric = { name: m.name, datatype: m.datatype, engUnit: m.engUnit };
    byName.set(m.name, birth);
    if (m.alias !== undefined) {
      if (aliases.has(m.alias) || otherAliases.has(m.alias))
        return { ok: false, detail: `alias ${m.alias} is used twice within the edge node` };
      aliases.set(m.alias, { scope, metric: birth });
    }
  }
  return { ok: true, metrics: byName, aliases };
}

/** bdSeq is a UInt64 metric (Int64 from some nodes); its value as a number. */
function birthNumber(metric: DecodedMetric): number | undefined {
  if (metric.datatype === undefined || !numericDatatypes.has(metric.datatype)) return undefined;
  return numericValue(metric.proto, metric.datatype);
}
