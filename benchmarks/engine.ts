/**
 * Engine speed on the spec's example windows: µs per right-hand side, per forward solve, per
 * loss+gradient and the gradient/forward ratio, and per forward-sensitivity pass (the residuals'
 * Jacobian the estimator's Gauss–Newton steps use), at rtol 1e-6 and 1e-10, and with Rodas4 forced. `npm run bench:engine`
 */
import { readFileSync } from 'node:fs';
import {
  compileModel,
  createEngineWorkspace,
  defaultSolverOptions,
  lossAndGradient,
  parseWindowProblem,
  residualSensitivities,
  type SolverOptions,
  solveWindow,
} from '../assimilation';
import { builtInModel } from '../simulator/model-files';

const examples = ['window-assays', 'window-perturbed'];
const specDir = new URL('../../shared/spec/examples/', import.meta.url);

/** Median µs of `fn` over batches sized to take about `budgetMs` in all. */
function medianMicros(fn: () => void, budgetMs = 400): number {
  for (let i = 0; i < 20; i++) fn();
  const t0 = performance.now();
  fn();
  const once = Math.max(performance.now() - t0, 1e-4);
  const perBatch = Math.max(1, Math.round(5 / once));
  const batches = Math.max(9, Math.min(200, Math.round(budgetMs / (once * perBatch))));
  const samples: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t = performance.now();
    for (let i = 0; i < perBatch; i++) fn();
    samples.push(((performance.now() - t) * 1000) / perBatch);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const model = compileModel(builtInModel());
const ws = createEngineWorkspace(model);
const x = new Float64Array([7.4, 92.6, 1.1, 0.034, 0.057]);
const p = new Float64Array(builtInModel().parameters.map((q) => q.plantValue));
const u = new Float64Array([0.25]);
const out = new Float64Array(5);
const muOut = new Float64Array(14);
const rhsLoops = 1000;
const rhsUs =
  medianMicros(() => {
    for (let i = 0; i < rhsLoops; i++) model.rhs(x, p, u, out);
  }) / rhsLoops;
const vjpUs =
  medianMicros(() => {
    for (let i = 0; i < rhsLoops; i++) model.transposeJacobianProduct(x, p, u, out, out, muOut);
  }) / rhsLoops;
console.log(
  `right-hand side: ${rhsUs.toFixed(4)} µs; vector-Jacobian product (states and params): ${vjpUs.toFixed(4)} µs`,
);
console.log('');
console.log(
  'window            rtol    method  obs  steps  rhs   forward_us  loss+grad_us  grad/forward  sensitivities_us',
);

const rows: Record<string, unknown>[] = [];
for (const name of examples) {
  const raw = JSON.parse(readFileSync(new URL(`${name}.json`, specDir), 'utf8'));
  const problem = parseWindowProblem(raw, model);
  // Rodas4 forced too: the estimator's fits far from the optimum meet stiff stretches.
  const runs = [
    { rtol: 1e-6, method: 'auto' },
    { rtol: 1e-10, method: 'auto' },
    { rtol: 1e-6, method: 'rodas4' },
  ] as const;
  for (const { rtol, method } of runs) {
    const options: SolverOptions = { ...defaultSolverOptions, rtol, atol: rtol * 1e-2, method };
    const check = lossAndGradient(problem, ws, options);
    if (!check.ok) throw new Error(`${name}: ${check.failure.kind}`);
    const forwardUs = medianMicros(() => {
      solveWindow(problem, options, ws);
    });
    const gradientUs = medianMicros(() => {
      lossAndGradient(problem, ws, options);
    });
    const sensitivitiesUs = medianMicros(() => {
      residualSensitivities(problem, ws, options);
    });
    const row = {
      window: name,
      rtol,
      method: check.stats.method,
      observations: problem.obsTime.length,
      steps: check.stats.steps,
      rhs: check.stats.rhsEvaluations,
      forward_us: forwardUs,
      loss_and_gradient_us: gradientUs,
      ratio: gradientUs / forwardUs,
      sensitivities_us: sensitivitiesUs,
    };
    rows.push(row);
    console.log(
      `${name.padEnd(17)} ${rtol.toExponential(0).padEnd(7)} ${row.method.padEnd(7)} ${String(row.observations).padEnd(4)} ${String(row.steps).padEnd(6)} ${String(row.rhs).padEnd(5)} ${forwardUs.toFixed(1).padStart(10)}  ${gradientUs.toFixed(1).padStart(12)}  ${row.ratio.toFixed(2).padStart(12)}  ${sensitivitiesUs.toFixed(1).padStart(16)}`,
    );
  }
}
console.log('');
console.log(
  'target: loss+gradient of a 12-hour window (96 observations) at rtol 1e-6 <= 150 µs on this 2-core machine',
);
console.log(JSON.stringify({ rhs_us: rhsUs, vjp_us: vjpUs, windows: rows }));
