import type { AlarmSeverity, AlarmTransitionKind, BandedValue, Composition, ParameterEstimate } from './api';

/** Published retained at `<prefix>/<reactor>/$estimate` after every successful fit. */
export interface EstimateMessage {
  reactorId: string;
  fitId: number;
  windowStartMs: number;
  windowEndMs: number;
  fittedAtMs: number;
  satelliteFraction: BandedValue;
  composition: Composition;
  params: Record<string, ParameterEstimate>;
}

/**
 * Published (QoS 1, not retained) at `<prefix>/<reactor>/$alarm` on every alarm transition. Times are
 * wall-clock epoch ms.
 */
export interface AlarmMessage {
  reactorId: string;
  alarmId: number;
  eventId: number;
  ruleId: string;
  ruleName: string;
  transition: AlarmTransitionKind;
  actor: string;
  atMs: number;
  severity: AlarmSeverity;
  active: boolean;
  acknowledged: boolean;
  firedAtMs: number;
  clearedAtMs: number | null;
  summary: string;
  values: Record<string, number>;
}
