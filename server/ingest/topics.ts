/** The MQTT topic contract: `<prefix>/<reactor>/<signal>`. */
import { isReactorId, type PlantSignal, plantSignals, reactorIdRule } from '../../contract/api';
import type { RejectionReason } from './rejection-reasons';

const knownSignals: ReadonlySet<string> = new Set(plantSignals);

export type TopicParse =
  | { kind: 'reading'; reactorId: string; signal: PlantSignal }
  /** `<prefix>/<reactor>/$…` is the service's own output (`$estimate`, `$alarm`), not input. */
  | { kind: 'service-output' }
  | { kind: 'rejected'; reason: RejectionReason; detail: string };

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
  if (!isReactorId(reactorId)) {
    return {
      kind: 'rejected',
      reason: 'reactor-id-invalid',
      detail: `reactor id must match ${reactorIdRule}`,
    };
  }
  if (!knownSignals.has(signal)) {
    return {
      kind: 'rejected',
      reason: 'signal-unknown',
      detail: `signal must be one of ${plantSignals.join(', ')}`,
    };
  }
  return { kind: 'reading', reactorId, signal: signal as PlantSignal };
}

/** What the ingester subscribes to: everything under the prefix, so that bad topics are seen and counted. */
export function subscriptionTopic(prefix: string, sharedGroup?: string): string {
  return sharedGroup ? `$share/${sharedGroup}/${prefix}/#` : `${prefix}/#`;
}
