/**
 * Who may publish and subscribe where on the embedded broker. Topics are `<prefix>/<reactor>/<signal>`
 * (server/ingest/topics.ts); `<prefix>/<reactor>/$estimate` and `$alarm` are the service's output.
 *
 * - The service may do anything (but publish into `$SYS`).
 * - A device may publish only under the reactors it is granted, and never a topic with a level that
 *   starts with `$` below its reactor (the service's `$estimate`, `$alarm`, and whatever `$` output
 *   comes later). It may subscribe to filters that stay inside its reactors (its own `$estimate` and
 *   `$alarm` included), never across reactors.
 */

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

export function mayPublish(grant: TopicGrant, prefix: string, topic: string): boolean {
  if (topic.startsWith('$SYS')) return false;
  if (grant.kind === 'service') return true;
  const levels = levelsUnder(prefix, topic);
  if (!levels || levels.length < 2) return false;
  const [reactor, ...below] = levels;
  if (reactor === '' || reactor.startsWith('$') || !reactorGranted(grant, reactor)) return false;
  return below.every((level) => level !== '' && !level.startsWith('$'));
}

/** Whether a message on `topic` may be delivered to this client (its subscription already passed). */
export function mayRead(grant: TopicGrant, prefix: string, topic: string): boolean {
  if (grant.kind === 'service') return true;
  const levels = levelsUnder(prefix, topic);
  return levels !== undefined && levels.length >= 2 && reactorGranted(grant, levels[0]);
}

/**
 * A device's subscription must stay inside its reactors: `<prefix>/<reactor>/…` with the reactor
 * level literal (for a gateway granted every reactor, `+` and `#` there are fine too).
 */
export function maySubscribe(grant: TopicGrant, prefix: string, filter: string): boolean {
  if (grant.kind === 'service') return true;
  const levels = levelsUnder(prefix, filter);
  if (!levels) return false;
  const reactor = levels[0];
  if (grant.reactors === 'all') return !reactor.startsWith('$');
  // `<prefix>/r1` alone names no topic of ours; `<prefix>/r1/…` (wildcards below the reactor) is the rest.
  return levels.length >= 2 && grant.reactors.has(reactor);
}
