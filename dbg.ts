import { arrivalsFromOrder, compileModel, defaultEstimatorSettings, EstimatorChain, replayHistory } from './assimilation';
import { builtInModel } from './simulator/model-files';
import { generatePlantHistory } from './simulator/plant-history';
import { normalQuantile } from './simulator/prior-draws';
import { createPurposeStream } from './simulator/seeded-random';
const def = builtInModel(); const model = compileModel(def);
const settings = { ...defaultEstimatorSettings, coldParameterSdLog: 1 };
const seeds = [1,2,3,4,5,6,7,8]; const count = 8; const scenario = 'satellite-shift';
const rng = createPurposeStream(seeds.reduce((a, b) => a * 31 + b, 7), `estimator-bench-prior-${scenario}`);
const strata = def.parameters.map(() => { const order = Array.from({ length: count }, (_, k) => k);
  for (let k = count - 1; k > 0; k--) { const j = Math.floor(rng.between(0, k + 1)); [order[k], order[j]] = [order[j], order[k]]; }
  return order.map((k) => normalQuantile((k + rng.between(0.05, 0.95)) / count)); });
const h0 = Number(process.argv[2] ?? 0);
const init = Float64Array.from(def.parameters, (q, i) => settings.freeParams.includes(q.name) ? q.plantValue * Math.exp(strata[i][h0]) : q.plantValue);
console.log('z', Object.fromEntries(def.parameters.slice(0,10).map((q,i)=>[q.name, +strata[i][h0].toFixed(2)])));
const h = generatePlantHistory({ scenario: 'satellite-shift', days: Number(process.argv[3] ?? 14), seed: seeds[h0] });
const chain = new EstimatorChain(model, { settings, initialParams: init, catchUpHours: Infinity, trajectories: null, windowFiles: false });
for (const f of replayHistory(chain, arrivalsFromOrder(h.samples))) {
  const o = f.outcome; if (o.status !== 'ok') { console.log(f.windowEndH, 'FAILED', o.reason); continue; }
  if (Math.round(f.windowEndH) % 6 !== 0) continue;
  const fr = o.estimate.composition.satellite_fraction; const row = Math.round(f.windowEndH / 0.25);
  const p = Object.fromEntries(o.estimate.params.map(q => [q.name, q.value.toPrecision(2)]));
  console.log(f.windowEndH, (100*fr.value).toFixed(3), `[${(100*fr.lower95).toFixed(3)}, ${(100*fr.upper95).toFixed(3)}]`, 'truth', (100*h.truth.satelliteFraction[row]).toFixed(3), 'loss', o.fit.loss.toFixed(0), o.longHorizonRefit ? 'R' : '', o.refitOverruled ? 'O':'', JSON.stringify(p));
}
