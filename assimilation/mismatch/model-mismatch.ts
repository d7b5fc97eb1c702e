/**
 * "The model no longer explains the plant": a pure function over a chain's window fits.
 *
 * The test is Ljung–Box on the standardized residuals, over a sliding span. A reading's residual is
 * taken from the first window that saw it (the window ending soonest after it; a refit of that
 * window replaces it), so every reading counts once and the series is what the chain's fits left
 * over, reading by reading.
 *
 * Why this test: a model that describes the plant leaves noise, white whatever its size. A change
 * the model cannot follow with its free parameters and states leaves a systematic misfit: residuals
 * of one sign for hours, i.e. strong autocorrelation at small lags. Ljung–Box measures that and is
 * indifferent to the noise's scale, so a σ set a little wrong does not raise it (a χ² test on the
 * losses would fire on that instead); the autocorrelation is taken about zero (not the span's mean),
 * so a steady offset counts as structure too, and residuals are clipped at ±clip first, so a spike
 * cannot hide structure or make it. Its χ² tail holds for the chain's residuals: on simulated plants
 * where nothing changes it fires less often than its nominal rate (bench:neural prints the share of
 * windows below `onsetP` and the false alarms per month).
 *
 * What it cannot see: a change the window fits take up. Each 12 h window refits ten parameters and
 * the state, so a slow change in a parameter the model has is followed, not flagged, and so is a
 * mechanism that acts only on the satellite (about 1 % of od): bench:neural's product inhibition of
 * the satellite moves od and substrate by less than their noise and leaves white residuals, which is
 * why the signal did not fire there. A change in what the model holds fixed (the main organism's
 * yield) is fired on within hours.
 *
 * It fires when the span's p-value falls below `fireP`; it dates the start at the first window of
 * the run whose p fell below `onsetP`, and clears once p has stayed above `onsetP` for a whole span.
 * For a hybrid, the network's contribution per window is compared with what it added in training:
 * growing `growthFactor` times that also counts as the model no longer explaining the plant, naming
 * the rates corrected. "Grows" is the median over the last span's windows of the RMS term beyond 3×
 * the training RMS, judged once a whole span of windows has terms (a chain's first windows, fitted
 * from a poor guess, can lean on the network far more: in bench:neural a rule on single windows fired
 * on a hybrid chain's very first window): the network is fixed between trainings, so its term moves
 * only with the fitted state, and on the plant it was trained on it should stay near its training
 * size (bench:neural prints the largest ratio per plant); a median several times larger means the
 * fits lean on the network's extrapolation in states training did not show. A ratio, not a test, because the term has
 * no noise model: its size is the only thing training recorded.
 */
export interface WindowResiduals {
  windowEndH: number;
  residuals: { timeH: readonly number[]; signal: readonly string[]; value: readonly number[] };
  /** A hybrid's root-mean-square network term per output label along this window's fit. */
  networkTerms?: Readonly<Record<string, number>>;
}

export interface MismatchSettings {
  spanHours: number;
  lags: number;
  signals: readonly string[];
  clip: number;
  fireP: number;
  onsetP: number;
  growthFactor: number;
}

export const defaultMismatchSettings: MismatchSettings = {
  spanHours: 24,
  lags: 8,
  signals: ['od', 'substrate'],
  clip: 3,
  fireP: 1e-4,
  onsetP: 0.01,
  growthFactor: 3,
};

export interface MismatchPoint {
  windowEndH: number;
  /** Ljung–Box over the span, and its p-value (null while the span holds too few readings). */
  statistic: number | null;
  pValue: number | null;
  /** Signals whose own p-value is below onsetP. */
  structuredSignals: string[];
  /** Network outputs whose median term over the span is beyond growthFactor × their training contribution. */
  grownRates: string[];
}

export interface MismatchReport {
  explained: boolean;
  /** When the current mismatch began (the first window of its run), plant hours; null when explained. */
  sinceH: number | null;
  /** When it was declared. */
  firedAtH: number | null;
  /** What shows it: signals with structure in their residuals, rates the network corrects beyond training. */
  signals: string[];
  rates: string[];
  /** Every time it fired over the windows given (a cleared mismatch that returns fires again). */
  alarmsAtH: number[];
  points: MismatchPoint[];
}

/**
 * The mismatch signal over a chain's windows in the order fitted (a window refitted for late data
 * replaces the readings it saw first). `trainedTerms`: a hybrid's contribution in training, by output.
 */
export function modelMismatch(
  windows: readonly WindowResiduals[],
  settings: MismatchSettings = defaultMismatchSettings,
  trainedTerms?: Readonly<Record<string, number>>,
): MismatchReport {
  // Each reading's residual from the first window that saw it, by signal and time.
  const series = new Map<string, Map<number, { fromEndH: number; value: number }>>();
  for (const s of settings.signals) series.set(s, new Map());
  const points: MismatchPoint[] = [];
  let firedAtH: number | null = null;
  let runStartH: number | null = null;
  let quietSinceH: number | null = null;
  let signals: string[] = [];
  let rates: string[] = [];
  const alarmsAtH: number[] = [];
  const ordered = [...windows].sort((a, b) => a.windowEndH - b.windowEndH);
  // A hybrid's network terms by window, and the end of the first window that had them.
  const terms: { windowEndH: number; rms: Readonly<Record<string, number>> }[] = [];
  let termsFromH: number | null = null;
  for (const w of ordered) {
    const { timeH, signal, value } = w.residuals;
    for (let i = 0; i < timeH.length; i++) {
      const byTime = series.get(signal[i]);
      const seen = byTime?.get(timeH[i]);
      if (!byTime || (seen && seen.fromEndH < w.windowEndH - 1e-9) || !Number.isFinite(value[i])) continue;
      byTime.set(timeH[i], {
        fromEndH: w.windowEndH,
        value: Math.max(-settings.clip, Math.min(settings.clip, value[i])),
      });
    }
    let statistic = 0;
    let dof = 0;
    const structuredSignals: string[] = [];
    for (const [name, byTime] of series) {
      const r = [...byTime.entries()]
        .filter(([t]) => t > w.windowEndH - settings.spanHours && t <= w.windowEndH + 1e-9)
        .sort((a, b) => a[0] - b[0])
        .map(([, v]) => v.value);
      if (r.length < 4 * settings.lags) continue;
      const q = ljungBox(r, settings.lags);
      statistic += q;
      dof += settings.lags;
      if (chiSquareSurvival(q, settings.lags) < settings.onsetP) structuredSignals.push(name);
    }
    const pValue = dof > 0 ? chiSquareSurvival(statistic, dof) : null;
    if (w.networkTerms) {
      termsFromH ??= w.windowEndH;
      terms.push({ windowEndH: w.windowEndH, rms: w.networkTerms });
    }
    const grownRates = grownNetworkTerms(terms, termsFromH, w.windowEndH, settings, trainedTerms);
    points.push({
      windowEndH: w.windowEndH,
      statistic: dof > 0 ? statistic : null,
      pValue,
      structuredSignals,
      grownRates,
    });

    const loose = (pValue !== null && pValue < settings.onsetP) || grownRates.length > 0;
    const firm = (pValue !== null && pValue < settings.fireP) || grownRates.length > 0;
    if (loose) {
      runStartH ??= w.windowEndH;
      quietSinceH = null;
    } else {
      if (firedAtH === null) runStartH = null;
      quietSinceH ??= w.windowEndH;
    }
    if (firm && firedAtH === null) {
      firedAtH = w.windowEndH;
      alarmsAtH.push(firedAtH);
      signals = structuredSignals;
      rates = grownRates;
    } else if (firedAtH !== null && loose) {
      signals = [...new Set([...signals, ...structuredSignals])];
      rates = [...new Set([...rates, ...grownRates])];
    }
    if (firedAtH !== null && quietSinceH !== null && w.windowEndH - quietSinceH >= settings.spanHours) {
      firedAtH = null;
      runStartH = null;
      signals = [];
      rates = [];
    }
  }
  const explained = firedAtH === null;
  return { explained, sinceH: explained ? null : runStartH, firedAtH, signals, rates, alarmsAtH, points };
}

/**
 * The outputs whose network term, as the median over the windows of the last span, is beyond
 * growthFactor × its training RMS; judged only once the windows with terms cover a whole span, so
 * that a chain's cold start (its first windows fitted from a poor guess) or one odd window does not
 * count as growth.
 */
function grownNetworkTerms(
  terms: readonly { windowEndH: number; rms: Readonly<Record<string, number>> }[],
  fromH: number | null,
  endH: number,
  settings: MismatchSettings,
  trained: Readonly<Record<string, number>> | undefined,
): string[] {
  if (!trained || fromH === null || endH - fromH < settings.spanHours - 1e-9) return [];
  const span = terms.filter(
    (t) => t.windowEndH > endH - settings.spanHours + 1e-9 && t.windowEndH <= endH + 1e-9,
  );
  return Object.keys(trained).filter((label) => {
    const values = span.map((t) => t.rms[label]).filter((v) => v !== undefined && Number.isFinite(v));
    return values.length > 0 && median(values) > settings.growthFactor * Math.max(trained[label], 1e-12);
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Q = N(N+2) Σ_k ρ_k²/(N−k), ρ_k the autocorrelation about zero at lag k. */
export function ljungBox(r: readonly number[], lags: number): number {
  const N = r.length;
  let denominator = 0;
  for (const v of r) denominator += v * v;
  if (denominator === 0) return 0;
  let q = 0;
  for (let k = 1; k <= lags; k++) {
    let s = 0;
    for (let t = 0; t + k < N; t++) s += r[t] * r[t + k];
    const rho = s / denominator;
    q += (rho * rho) / (N - k);
  }
  return N * (N + 2) * q;
}

/** P(χ²_dof > x): the regularized upper incomplete gamma Q(dof/2, x/2). */
export function chiSquareSurvival(x: number, dof: number): number {
  if (!(x > 0)) return 1;
  const a = dof / 2;
  const z = x / 2;
  const logPrefix = -z + a * Math.log(z) - logGamma(a);
  if (z < a + 1) {
    // Series for the lower part.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 500; n++) {
      term *= z / (a + n);
      sum += term;
      if (term < sum * 1e-15) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  // Continued fraction for the upper part (Lentz).
  let b = z + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.min(1, h * Math.exp(logPrefix));
}

/** log Γ(x), Lanczos. */
function logGamma(x: number): number {
  const g = [
    76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155, 0.001208650973866179,
    -0.000005395239384953,
  ];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const c of g) ser += c / ++y;
  return -tmp + Math.log((2.5066282746310007 * ser) / x);
}
