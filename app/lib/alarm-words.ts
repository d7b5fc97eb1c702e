/** Alarms in words: severity, status and changes, so that colour is never the only signal. */
import type { AlarmSeverity, AlarmTransitionKind, AlarmView } from '../../contract/api';

export { alarmSeverities } from '../../contract/api';

export const severityWords: Record<AlarmSeverity, string> = {
  critical: 'Critical',
  major: 'Major',
  minor: 'Minor',
  warning: 'Warning',
};

export const statusWords: Record<AlarmView['status'], string> = {
  'active-unacknowledged': 'Active · not acknowledged',
  'active-acknowledged': 'Active · acknowledged',
  'cleared-unacknowledged': 'Cleared · not acknowledged',
  'cleared-acknowledged': 'Cleared · acknowledged',
};

export const transitionWords: Record<AlarmTransitionKind, string> = {
  fired: 'fired',
  acknowledged: 'acknowledged',
  cleared: 'cleared',
};

/** `system` is the rule engine; `token:<name>` a script. */
export function actorWords(actor: string): string {
  if (actor === 'system') return 'the rule engine';
  if (actor.startsWith('token:')) return `API token “${actor.slice(6)}”`;
  return actor;
}
