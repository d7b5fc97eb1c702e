import { arrivalsFromOrder, compileModel, defaultEstimatorSettings, EstimatorChain, priorMedians, replayHistory } from './assimilation';
import { builtInModel } from './simulator/model-files';
import { generatePlantHistory } from './simulator/plant-history';
const def = builtInModel(); const model = compileModel(def);
const settings = { ...defaultEstimatorSettings, ...(process.argv[3] === 't' ? { loss: { kind: 'student-t' as const, nu: 4 } } : {}) };
const seed = Number(process.argv[2] ?? 3);
const h = generatePlantHistory({ scenario: 'sensor-faults', days: 14, seed });
console.log(JSON.stringify(h.truth.events.filter(e => e.kind === 'sensor-fault')));
const chain = new EstimatorChain(model, { settings, initialParams: priorMedians(model), catchUpHours: Infinity, trajectories: null, windowFiles: false });
const newest = new Map<number, any>();
for (const f of replayHistory(chain, arrivalsFromOrder(h.samples))) newest.set(f.windowEndH, f);
let misses = 0;
for (const [end, f] of [...newest].sort((a,b)=>a[0]-b[0])) {
  const o = f.outcome; if (o.status !== 'ok') { console.log(end, 'failed', o.reason); continue; }
  const fr = o.estimate.composition.satellite_fraction; const row = Math.round(end/0.25); const t = h.truth.satelliteFraction[row];
  const miss = t < fr.lower95 || t > fr.upper95;
  if (miss) misses++; if (miss && process.argv[4]) console.log(end, (100*fr.value).toFixed(3), `[${(100*fr.lower95).toFixed(3)}, ${(100*fr.upper95).toFixed(3)}]`, 'truth', (100*t).toFixed(3), 'loss', o.fit.loss.toFixed(0), 'n', o.fit.residuals.length);
}
console.log("misses", misses, "of", newest.size);
