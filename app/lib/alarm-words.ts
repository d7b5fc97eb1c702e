/** Alarms in words: severity, status and changes, so that colour is never the only signal. */
import type { AlarmSeverity, AlarmTransitionKind, AlarmView } from '../../contract/api';
import {
  type DisplayUnit,
  dimensionless,
  satelliteFraction,
  standardDeviations,
} from '../../contract/display-units';
import { formatQuantity } from './number-format';

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

const minutes: DisplayUnit = { symbol: 'min', words: 'minutes (plant clock)', scale: 1 };

/** The unit of an alarm's evidence value, by its rule's kind and the value's name. */
function alarmValueUnit(kind: string, key: string): DisplayUnit {
  if (kind === 'satellite-fraction' && key !== 'confidence') return satelliteFraction;
  if (kind === 'sensor-stale' && key.endsWith('Minutes')) return minutes;
  if (kind === 'residuals' && key !== 'observations') return standardDeviations;
  if (kind === 'parameter-band' && (key === 'deviationSd' || key === 'k')) return standardDeviations;
  return dimensionless;
}

/** One evidence value with its unit; null for values better left out (epoch times). */
export function alarmValueText(kind: string, key: string, value: number): string | null {
  if (key.endsWith('AtMs')) return null;
  if (Number.isInteger(value) && alarmValueUnit(kind, key) === dimensionless) return String(value);
  return formatQuantity(value, alarmValueUnit(kind, key), 4);
}
