/** The MQTT topic contract: `<prefix>/<reactor>/<signal>`. */
import type { RejectionReason } from './rejection-reasons';

export const signals = [
  'od',
  'substrate',
  'dilution',
  'feed',
  'assay/X',
  'assay/Y',
  'assay/A',
  'assay/B',
] as const;
export type Signal = (typeof signals)[number];

const knownSignals: ReadonlySet<string> = new Set(signals);
const reactorIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

export type TopicParse =
  | { kind: 'reading'; reactorId: string; signal: Signal }
  /** `<prefix>/<reactor>/$…` is the service's own output (`$estimate`, `$alarm`), not input. */
  | { kind: 'service-output' }
  | { kind: 'rejected'; reason: RejectionReason; detail: string };

export function isReactorId(text: string): boolean {
  return reactorIdPattern.test(text);
}

export function parseTopic(topic: string, prefix: string): TopicParse {
  if (!topic.startsWith(prefix) || topic.charCodeAt(prefix.length) !== 47 /* '/' */) {
    return { kind: 'rejected', reason: 'topic-malformed', detail: `not under "${prefix}/"` };
  }
  const rest = topic.slice(prefix.length + 1);
  // Brokers refuse wildcards in a published topic; a message that has one did not come from a broker we trust.
  if (rest.includes('+') || rest.includes('#')) {
    return { kind: 'rejected', reason: 'topic-malformed', detail: 'wildcard in a published topic' };
  }
  const slash = rest.indexOf('/');
  if (slash < 0) return { kind: 'rejected', reason: 'topic-malformed', detail: 'no signal level' };
  const reactorId = rest.slice(0, slash);
  const signal = rest.slice(slash + 1);
  if (signal.startsWith('$')) return { kind: 'service-output' };
  if (!reactorIdPattern.test(reactorId)) {
    return {
      kind: 'rejected',
      reason: 'reactor-id-invalid',
      detail: 'reactor id must match [A-Za-z0-9_-]{1,64}',
    };
  }
  if (!knownSignals.has(signal)) {
    return {
      kind: 'rejected',
      reason: 'signal-unknown',
      detail: `signal must be one of ${signals.join(', ')}`,
    };
  }
  return { kind: 'reading', reactorId, signal: signal as Signal };
}

/** What the ingester subscribes to: everything under the prefix, so that bad topics are seen and counted. */
export function subscriptionTopic(prefix: string, sharedGroup?: string): string {
  return sharedGroup ? `$share/${sharedGroup}/${prefix}/#` : `${prefix}/#`;
}
