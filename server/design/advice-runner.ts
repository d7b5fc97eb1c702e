import type { Advice } from '../../assimilation';
import { tsWorker } from '../ts-worker';
import type { AdviceJob } from './advice-worker';

const workerEntry = new URL('./advice-worker.ts', import.meta.url);

/** Runs one advice in a worker thread; its own answer, or a reason when it fails or takes too long. */
export function runAdvice(job: AdviceJob, timeoutMs: number): Promise<Advice | { error: string }> {
  return new Promise((resolve) => {
    const worker = tsWorker(workerEntry, { workerData: job, name: 'design-advice' });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve({ error: `the advice took longer than ${timeoutMs / 1000} s` });
    }, timeoutMs);
    worker.once('message', (message: Advice | { error: string }) => {
      clearTimeout(timer);
      resolve(message);
      void worker.terminate();
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      resolve({ error: error.message });
    });
  });
}
