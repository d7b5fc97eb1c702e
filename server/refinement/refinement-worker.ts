/**
 * One structure refinement, off the service's event loop: the thread reads the reactor's readings
 * over the span from its own read-only connection, runs `refineStructure` (minutes of fits), posts
 * each log line as it is made and then the result as the API shows it, and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import {
  defaultRefinementSettings,
  linkLabel,
  type PlantData,
  parseModelFile,
  type RefinementResult,
  refinedModelFile,
  refineStructure,
} from '../../assimilation';
import type { RefinementResultView } from '../../contract/api';
import { prepareAssimilationStatements } from '../../db/assimilation-statements';
import { clockSignals, plantSignals } from '../assimilator/plant-signals';
import { modelVersionOf } from '../assimilator/reactor-models';
import { loadWindowData, newestReadingH, oldestReadingH } from '../assimilator/window-data';

export interface RefinementJob {
  databasePath: string;
  refinementId: number;
  reactorId: string;
  fileText: string;
  hours: number;
  alpha: number;
}

export type RefinementWorkerMessage =
  | { type: 'note'; note: string; linksTested: number }
  | { type: 'done'; result: RefinementResultView }
  | { type: 'error'; error: string };

/** Readings drawn on the comparison chart, per signal. */
const maxChartReadings = 400;

const port = parentPort;
if (!port) throw new Error('refinement-worker.ts runs as a worker thread');
const post = (message: RefinementWorkerMessage) => port.postMessage(message);
const job = workerData as RefinementJob;

try {
  post({ type: 'done', result: run() });
} catch (error) {
  post({ type: 'error', error: String((error as Error)?.message ?? error) });
}

function run(): RefinementResultView {
  const definition = parseModelFile(job.fileText);
  const labels = definition.community?.links.filter((l) => !l.off).map(linkLabel) ?? [];
  const sqlite = new Database(job.databasePath, { readonly: true, fileMustExist: true });
  let data: PlantData;
  let originH: number;
  try {
    sqlite.pragma('busy_timeout = 5000');
    const statements = prepareAssimilationStatements(sqlite);
    const newest = newestReadingH(statements, job.reactorId, clockSignals);
    originH = oldestReadingH(statements, job.reactorId, plantSignals);
    if (!Number.isFinite(newest)) throw new Error(`reactor ${job.reactorId} has no readings to refine over`);
    data = loadWindowData(statements, job.reactorId, Math.max(originH, newest - job.hours), newest);
  } finally {
    sqlite.close();
  }
  const settings = { ...defaultRefinementSettings, horizonHours: job.hours, alpha: job.alpha };
  const tested = new Set<string>();
  const started = performance.now();
  const result = refineStructure(definition, data, settings, (note) => {
    const link = labels.find((label) => note.startsWith(`${label}:`));
    if (link) tested.add(link);
    post({ type: 'note', note, linksTested: tested.size });
  });
  return resultView(result, data, (performance.now() - started) / 1000, originH);
}

function resultView(
  result: RefinementResult,
  data: PlantData,
  seconds: number,
  originH: number,
): RefinementResultView {
  const { span } = result;
  const fileText = refinedModelFile(
    result,
    `culturewatch (refinement ${job.refinementId} of reactor ${job.reactorId})`,
  );
  const readings: RefinementResultView['readings'] = {};
  for (const signal of ['od', 'substrate']) {
    const series = data.signals.get(signal);
    if (!series) continue;
    const inSpan: number[] = [];
    series.t.forEach((t, i) => {
      if (t >= span.fromH && t <= span.toH) inSpan.push(i);
    });
    const stride = Math.max(1, Math.ceil(inSpan.length / maxChartReadings));
    const kept = inSpan.filter((_, k) => k % stride === 0);
    readings[signal] = { timeH: kept.map((i) => series.t[i]), value: kept.map((i) => series.v[i]) };
  }
  return {
    span: { ...result.span, originH },
    fits: result.fits,
    seconds,
    current: result.current,
    proposed: result.proposed,
    steps: result.steps,
    links: result.links.map((l) => ({
      link: l.link,
      kind: l.kind,
      organism: l.organism,
      metabolite: l.metabolite,
      verdict: l.verdict,
      undetermined: l.undetermined,
      excluded: l.excluded,
      removal: l.removal,
      exclusion: l.exclusion,
      parameters: l.parameters.map((p) => ({
        name: p.name,
        value: p.value,
        sdLog: p.sdLog,
        priorSdLog: p.priorSdLog,
      })),
      reason: l.reason,
    })),
    proposedModel: { name: result.definition.name, version: modelVersionOf(fileText), fileText },
    readings,
  };
}
