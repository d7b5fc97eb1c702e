/**
 * A reactor as the plant protocols show it (the Sparkplug estimates node, the OPC UA server): its
 * newest reading of each signal, its latest good estimate, the model's state and its active alarms,
 * read from the database when something changed. The model state is made from what the service
 * has: no fit yet (`none`), an active alarm of a `model-mismatch` or `residuals` rule (`mismatch`),
 * a failed last fit or an online sensor stale or offline (signal-freshness.ts: `stale`), else `ok`.
 */
import type Database from 'better-sqlite3';
import {
  type AlarmSeverity,
  type FitRecord,
  onlineSignals,
  type PlantSignal,
  plantSignals,
} from '../../contract/api';
import { freshnessRank, type ReactorFreshness } from '../../contract/freshness';
import type { ModelState } from '../../contract/plant-protocols';
import { type AlertStatements, prepareAlertStatements } from '../../db/alert-statements';
import type { ServiceReadStatements } from '../../db/service-read-statements';
import { fitRecordById } from '../api/fit-records';

export interface ActiveAlarm {
  ruleId: string;
  ruleName: string;
  ruleKind: string;
  severity: AlarmSeverity;
  summary: string;
  firedAtMs: number;
  acknowledged: boolean;
}

export interface ReactorStatus {
  reactorId: string;
  latest: Partial<Record<PlantSignal, { tsMs: number; value: number; receivedAtMs: number }>>;
  /** The online signals' freshness (undefined before the first online reading). */
  freshness: ReactorFreshness | undefined;
  /** The latest successful fit, trajectories left out. */
  estimate: FitRecord | null;
  modelState: ModelState;
  modelStateDetail: string;
  /** Most severe first. */
  alarms: ActiveAlarm[];
}

const severityRank: Record<AlarmSeverity, number> = { critical: 0, major: 1, minor: 2, warning: 3 };

export class ReactorStatuses {
  private readonly alerts: AlertStatements;

  constructor(
    private readonly reads: ServiceReadStatements,
    sqlite: Database.Database,
    private readonly freshnessOf: (reactorId: string) => ReactorFreshness | undefined,
  ) {
    this.alerts = prepareAlertStatements(sqlite);
  }

  reactorIds(): string[] {
    return this.reads.reactors.all().map((r) => r.id);
  }

  statusOf(reactorId: string): ReactorStatus {
    const latest: ReactorStatus['latest'] = {};
    for (const signal of plantSignals) {
      const row = this.reads.latestReading.get(reactorId, signal);
      if (row) latest[signal] = row;
    }
    const good = this.reads.latestGoodFit.get(reactorId);
    const estimate = good ? (fitRecordById(this.reads, good.id) ?? null) : null;
    if (estimate) {
      estimate.trajectory = null;
      estimate.forecast = null;
      estimate.residuals = null;
    }
    const alarms = (this.alerts.activeAlarmsByReactor().get(reactorId) ?? [])
      .map(
        (a): ActiveAlarm => ({
          ruleId: a.ruleId,
          ruleName: a.ruleName,
          ruleKind: a.ruleKind,
          severity: a.severity,
          summary: a.summary,
          firedAtMs: a.firedAtMs,
          acknowledged: a.acknowledged,
        }),
      )
      .sort((a, b) => severityRank[a.severity] - severityRank[b.severity]);
    const freshness = this.freshnessOf(reactorId);
    const [state, detail] = this.modelState(reactorId, estimate, freshness, alarms);
    return { reactorId, latest, freshness, estimate, modelState: state, modelStateDetail: detail, alarms };
  }

  private modelState(
    reactorId: string,
    estimate: FitRecord | null,
    freshness: ReactorFreshness | undefined,
    alarms: ActiveAlarm[],
  ): [ModelState, string] {
    if (!estimate) return ['none', 'no successful fit yet'];
    const misfit = alarms.find((a) => a.ruleKind === 'model-mismatch' || a.ruleKind === 'residuals');
    if (misfit) return ['mismatch', misfit.summary];
    const newest = this.reads.latestFits.get(reactorId, 1);
    if (newest && newest.status !== 'ok') return ['stale', `the last fit failed (${newest.reason})`];
    const silent = onlineSignals.flatMap((s) => {
      const f = freshness?.signals[s];
      return f && freshnessRank(f.level) >= freshnessRank('stale') ? [`${s} ${f.words}`] : [];
    });
    if (silent.length > 0) return ['stale', silent.join('; ')];
    return ['ok', 'the latest fit succeeded and the sensors report'];
  }
}
