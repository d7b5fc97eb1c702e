/**
 * One advice, computed off the service's event loop (a few seconds of forward sensitivities): the
 * thread gets the posterior and the request, posts the advice or a reason, and ends.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  type AdviceRequest,
  type AdvisorSettings,
  adviseExperiment,
  compileModel,
  type DesignAgeing,
  type DesignPosterior,
  type ModelDefinition,
} from '../../assimilation';

export interface AdviceJob {
  /** The reactor's model, as data (compiled in the thread). */
  definition: ModelDefinition;
  posterior: DesignPosterior;
  ageing: DesignAgeing;
  request: AdviceRequest;
  settings: AdvisorSettings;
}

const job = workerData as AdviceJob;
try {
  const advice = adviseExperiment(
    compileModel(job.definition),
    job.posterior,
    job.ageing,
    job.request,
    job.settings,
  );
  parentPort?.postMessage(advice);
} catch (error) {
  parentPort?.postMessage({ error: String((error as Error)?.message ?? error) });
}
