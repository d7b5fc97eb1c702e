import { Worker, type WorkerOptions } from 'node:worker_threads';

const tsxApi = import.meta.resolve('tsx/esm/api');

/** A worker thread running a TypeScript file, loaded through tsx as the main thread does (workers do not inherit loader hooks). */
export function tsWorker(entry: URL, options: Omit<WorkerOptions, 'eval'>): Worker {
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}
