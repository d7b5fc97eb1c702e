import type {
  AlarmSeverity,
  AlarmTransitionKind,
  BandedValue,
  Composition,
  ParameterCombination,
  ParameterEstimate,
} from './api';

/** Published retained at `<prefix>/<reactor>/$estimate` after every successful fit. */
export interface EstimateMessage {
  reactorId: string;
  fitId: number;
  windowStartMs: number;
  windowEndMs: number;
  fittedAtMs: number;
  satelliteFraction: BandedValue;
  /** Each quantity with its sd and 95 % band (log space for concentrations, logit for the fraction). */
  composition: Composition;
  /** Every refitted parameter with its band; only those `determined` are worth reading alone. */
  params: Record<string, ParameterEstimate>;
  /** The model's named combinations (gB/vB…), each with its band and whether the data determine it. */
  combinations: ParameterCombination[];
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

/**
 * Published (QoS 1, retained) at `<prefix>/<reactor>/$dilution-program` when an operator accepts a
 * program: the plant's control system follows `setPoints` (linear between) from `startMs` to `endMs`
 * and then returns to its own regime. Retained, so a control system that (re)connects learns the
 * program in force; it ignores one whose `endMs` has passed. Times are epoch ms.
 */
export interface DilutionProgramMessage {
  reactorId: string;
  programId: number;
  acceptedAtMs: number;
  acceptedBy: string;
  startMs: number;
  endMs: number;
  /** Set points of the dilution rate, 1/h. */
  setPoints: { tMs: number; perHour: number }[];
  limits: { minPerHour: number; maxPerHour: number; maxChangePerHour: number; maxDurationH: number };
  summary: string;
}
