/**
 * Sensor faults as time windows on the 15-minute readings. A fault touches readings at times t with
 * startH ≤ t < endH:
 * - `spike`: every `od` reading in the window is pushed up by a large outlier (a bubble in the cell);
 * - `stuck-substrate`: the substrate sensor repeats its last good reading;
 * - `gap`: no `od` or `substrate` readings at all (the logger is down; D, S0 and assays still arrive).
 */
export type SensorFaultKind = 'spike' | 'stuck-substrate' | 'gap';

export const sensorFaultKinds: readonly SensorFaultKind[] = ['spike', 'stuck-substrate', 'gap'];

export interface SensorFault {
  kind: SensorFaultKind;
  startH: number;
  endH: number;
}

export function faultActive(faults: readonly SensorFault[], kind: SensorFaultKind, timeH: number): boolean {
  for (const f of faults) if (f.kind === kind && f.startH <= timeH && timeH < f.endH) return true;
  return false;
}
