'use client';
/**
 * Live chart updates, one chart per task: a reading or a fit that touches several charts does not
 * become one long task that blocks input, but a few short ones with the browser free in between.
 * A chart queued twice is updated once, from the data as they are when its turn comes.
 */
import type { EChartsInstance } from './echarts-setup';

const queue = new Map<EChartsInstance, () => void>();
let running = false;

function runNext(): void {
  const next = queue.entries().next();
  if (next.done) {
    running = false;
    return;
  }
  const [chart, update] = next.value;
  queue.delete(chart);
  if (!chart.isDisposed()) update();
  setTimeout(runNext, 0);
}

export function scheduleChartUpdate(chart: EChartsInstance, update: () => void): void {
  queue.set(chart, update);
  if (!running) {
    running = true;
    setTimeout(runNext, 0);
  }
}
