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
} from '../../assimilation';
import { builtInModel } from '../../simulator/model-files';

export interface AdviceJob {
  posterior: DesignPosterior;
  ageing: DesignAgeing;
  request: AdviceRequest;
  settings: AdvisorSettings;
}

const job = workerData as AdviceJob;
try {
  const advice = adviseExperiment(
    compileModel(builtInModel()),
    job.posterior,
    job.ageing,
    job.request,
    job.settings,
  );
  parentPort?.postMessage(advice);
} catch (error) {
  parentPort?.postMessage({ error: String((error as Error)?.message ?? error) });
}
