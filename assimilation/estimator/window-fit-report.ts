import type { WindowEstimate, WindowFitOutcome } from './types';

/** One window's fit as plain JSON: the replay's JSONL line and the live service's stored estimate. */
export interface WindowFitReport {
  window_start_h: number;
  window_end_h: number;
  status: 'ok' | 'failed';
  reason?: string;
  detail?: string;
  refit: boolean;
  loss: number | null;
  iterations: number;
  ms?: number;
  params?: Record<
    string,
    {
      value: number;
      sd_log: number;
      sd_log_data: number;
      prior_sd_log: number;
      lower95: number;
      upper95: number;
      determined: boolean;
    }
  >;
  fixed?: Record<string, number>;
  combinations?: {
    name: string;
    meaning: string;
    label: string;
    exponents: Record<string, number>;
    value: number;
    sd_log: number;
    sd_log_data: number;
    lower95: number;
    upper95: number;
    determined: boolean;
  }[];
  /** X, Y (the satellites together), satellite_fraction and the metabolites (A, B…). */
  composition?: Record<string, { value: number; sd: number; lower95: number; upper95: number }>;
}

export function estimateReportFields(
  estimate: WindowEstimate,
): Pick<WindowFitReport, 'params' | 'fixed' | 'combinations' | 'composition'> {
  return {
    params: Object.fromEntries(
      estimate.params.map((p) => [
        p.name,
        {
          value: p.value,
          sd_log: p.sdLog,
          sd_log_data: p.sdLogData,
          prior_sd_log: p.priorSdLog,
          lower95: p.lower95,
          upper95: p.upper95,
          determined: p.determined,
        },
      ]),
    ),
    fixed: Object.fromEntries(estimate.fixed.map((f) => [f.name, f.value])),
    combinations: estimate.combinations.map((c) => ({
      name: c.name,
      meaning: c.meaning,
      label: c.label,
      exponents: c.exponents,
      value: c.value,
      sd_log: c.sdLog,
      sd_log_data: c.sdLogData,
      lower95: c.lower95,
      upper95: c.upper95,
      determined: c.determined,
    })),
    composition: estimate.composition,
  };
}

export function windowFitReport(outcome: WindowFitOutcome, refit: boolean, ms?: number): WindowFitReport {
  const common = {
    window_start_h: outcome.windowStartH,
    window_end_h: outcome.windowEndH,
    refit,
    iterations: outcome.iterations,
    ms,
  };
  if (outcome.status === 'failed') {
    return { ...common, status: 'failed', reason: outcome.reason, detail: outcome.detail, loss: null };
  }
  return { ...common, status: 'ok', loss: outcome.fit.loss, ...estimateReportFields(outcome.estimate) };
}
