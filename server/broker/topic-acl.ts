/**
 * Who may publish and subscribe where on the embedded broker. Topics are `<prefix>/<reactor>/<signal>`
 * (server/ingest/topics.ts); `<prefix>/<reactor>/$estimate` and `$alarm` are the service's output.
 *
 * - The service may do anything (but publish into `$SYS`).
 * - A device may publish only under the reactors it is granted, and never a topic with a level that
 *   starts with `$` below its reactor (the service's `$estimate`, `$alarm`, and whatever `$` output
 *   comes later). It may subscribe to filters that stay inside its reactors (its own `$estimate` and
 *   `$alarm` included), never across reactors.
 * - Sparkplug B (`spBv1.0/…`, when the service maps edge nodes to reactors): a device may publish an
 *   edge node's births, deaths and data (N/D BIRTH, DEATH, DATA) only if every reactor that edge
 *   node speaks for is granted to it; it may read that edge node's commands (NCMD, DCMD) and the
 *   host's STATE, and publish neither.
 */

/** The reactors a Sparkplug edge node speaks for (server/sparkplug/sparkplug-mapping.ts); undefined: unmapped. */
export type SparkplugReactors = (group: string, edgeNode: string) => ReadonlySet<string> | undefined;

const sparkplugPublished: ReadonlySet<string> = new Set([
  'NBIRTH',
  'NDEATH',
  'NDATA',
  'DBIRTH',
  'DDEATH',
  'DDATA',
]);
const sparkplugCommands: ReadonlySet<string> = new Set(['NCMD', 'DCMD']);

/** `spBv1.0/<group>/<type>/<edge node>/…` of an edge node every reactor of which the device holds. */
function sparkplugEdgeNodeGranted(
  grant: Extract<TopicGrant, { kind: 'device' }>,
  levels: readonly string[],
  reactorsOf: SparkplugReactors | undefined,
): boolean {
  const [, group, , edgeNode] = levels;
  if (!reactorsOf || group === undefined || edgeNode === undefined) return false;
  const reactors = reactorsOf(group, edgeNode);
  if (!reactors) return false;
  for (const reactor of reactors) if (!reactorGranted(grant, reactor)) return false;
  return true;
}

export type TopicGrant =
  | { kind: 'service' }
  /** `all`: every reactor under the prefix (a gateway); never the service's `$` topics. */
  | { kind: 'device'; reactors: ReadonlySet<string> | 'all' };

function reactorGranted(grant: Extract<TopicGrant, { kind: 'device' }>, reactorLevel: string): boolean {
  return grant.reactors === 'all' || grant.reactors.has(reactorLevel);
}

/** The levels below `<prefix>/`, or undefined when `topic` is not under the prefix. */
function levelsUnder(prefix: string, topic: string): string[] | undefined {
  if (!topic.startsWith(`${prefix}/`)) return undefined;
  return topic.slice(prefix.length + 1).split('/');
}

export function mayPublish(
  grant: TopicGrant,
  prefix: string,
  topic: string,
  sparkplugReactors?: SparkplugReactors,
): boolean {
  if (topic.startsWith('$SYS')) return false;
  if (grant.kind === 'service') return true;
  if (topic.startsWith('spBv1.0/')) {
    const levels = topic.split('/');
    return sparkplugPublished.has(levels[2]) && sparkplugEdgeNodeGranted(grant, levels, sparkplugReactors);
  }
  const levels = levelsUnder(prefix, topic);
  if (!levels || levels.length < 2) return false;
  const [reactor, ...below] = levels;
  if (reactor === '' || reactor.startsWith('$') || !reactorGranted(grant, reactor)) return false;
  return below.every((level) => level !== '' && !level.startsWith('$'));
}

/** Whether a message on `topic` may be delivered to this client (its subscription already passed). */
export function mayRead(
  grant: TopicGrant,
  prefix: string,
  topic: string,
  sparkplugReactors?: SparkplugReactors,
): boolean {
  if (grant.kind === 'service') return true;
  if (topic.startsWith('spBv1.0/')) return maySparkplugRead(grant, topic, sparkplugReactors);
  const levels = levelsUnder(prefix, topic);
  return levels !== undefined && levels.length >= 2 && reactorGranted(grant, levels[0]);
}

/**
 * A device's subscription must stay inside its reactors: `<prefix>/<reactor>/…` with the reactor
 * level literal (for a gateway granted every reactor, `+` and `#` there are fine too).
 */
export function maySubscribe(
  grant: TopicGrant,
  prefix: string,
  filter: string,
  sparkplugReactors?: SparkplugReactors,
): boolean {
  if (grant.kind === 'service') return true;
  if (filter.startsWith('spBv1.0/')) return maySparkplugRead(grant, filter, sparkplugReactors);
  const levels = levelsUnder(prefix, filter);
  if (!levels) return false;
  const reactor = levels[0];
  if (grant.reactors === 'all') return !reactor.startsWith('$');
  // `<prefix>/r1` alone names no topic of ours; `<prefix>/r1/…` (wildcards below the reactor) is the rest.
  return levels.length >= 2 && grant.reactors.has(reactor);
}

/** The host's STATE, and the commands of the device's own edge nodes (the group and node literal). */
function maySparkplugRead(
  grant: Extract<TopicGrant, { kind: 'device' }>,
  topicOrFilter: string,
  sparkplugReactors: SparkplugReactors | undefined,
): boolean {
  const levels = topicOrFilter.split('/');
  if (levels[1] === 'STATE') return levels.length === 3;
  return (
    sparkplugCommands.has(levels[2]) &&
    !['+', '#'].includes(levels[1]) &&
    levels[3] !== undefined &&
    !['+', '#'].includes(levels[3]) &&
    sparkplugEdgeNodeGranted(grant, levels, sparkplugReactors)
  );
}
