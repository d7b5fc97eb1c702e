/**
 * The assimilator's thread: opens its own connection to the database (WAL lets it read and write
 * beside the ingester), runs AssimilatorCore in turns, and yields between fits so that new readings
 * and a stop request are heard. On `stop` it finishes the fit in hand, closes the database and says so;
 * the host abandons it (terminates the thread) if that takes too long.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../db/open-database';
import { AssimilatorCore } from './assimilator-core';
import type { HostToWorker, WorkerInit, WorkerToHost } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('assimilator-worker.ts runs as a worker thread');
const post = (message: WorkerToHost) => port.postMessage(message);
const init = workerData as WorkerInit;

const database = openDatabase(init.databasePath);
const core = new AssimilatorCore({
  sqlite: database.sqlite,
  settings: init.settings,
  onFit: (fit) => post({ type: 'fit', fit, status: core.status() }),
  log: (level, msg, data) => post({ type: 'log', level, msg, ...(data && { data }) }),
});

let stopping = false;
let wake: (() => void) | undefined;
port.on('message', (message: HostToWorker) => {
  if (message.type === 'readings') core.noteReadings(message.notices);
  else if (message.type === 'stop') stopping = true;
  wake?.();
});

const restoredChains = core.start();
post({ type: 'ready', status: core.status(), restoredChains });

let idleReported = false;
while (!stopping) {
  if (core.step()) {
    idleReported = false;
    await yieldToEventLoop();
    continue;
  }
  if (!idleReported) {
    post({ type: 'status', status: core.status() });
    idleReported = true;
  }
  await new Promise<void>((resolve) => {
    wake = resolve;
  });
  wake = undefined;
}
database.close();
post({ type: 'stopped' });
port.close();
