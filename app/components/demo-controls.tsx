'use client';
/**
 * Demo controls, shown only when the service runs the simulator: start a satellite shift or a yield
 * shift (a change the model cannot follow), change the dilution rate, inject a sensor fault; then
 * watch the estimator respond on the charts.
 */
import { type FormEvent, useState } from 'react';
import type { DemoFaultKind, DemoStatus } from '../../contract/api';
import { type DemoAction, describeError, postDemoAction } from '../lib/api-client';
import { formatTime, type TimeMode } from '../lib/time-format';

const faultLabels: Record<DemoFaultKind, string> = {
  spike: 'OD spikes (bubbles)',
  'stuck-substrate': 'substrate sensor stuck',
  gap: 'readings stop (gap)',
};

/** The plant changes started with one click: a parameter ramp each. */
const shifts = [
  {
    action: 'satellite-shift',
    label: 'Start satellite shift',
    started: 'Satellite shift started (the satellite gets more from B; watch the satellite fraction rise)',
  },
  {
    action: 'yield-shift',
    label: 'Start yield shift',
    started:
      'Yield shift started (the main organism needs 10 % more substrate per unit grown, which the model holds fixed; watch the model-mismatch view)',
  },
] as const;

export function DemoControls(props: {
  reactorId: string;
  status: DemoStatus;
  timeMode: TimeMode;
  originMs: number;
}) {
  const { reactorId, status, timeMode, originMs } = props;
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [dilution, setDilution] = useState('0.25');
  const [fault, setFault] = useState<DemoFaultKind>('spike');
  const [faultHours, setFaultHours] = useState('3');

  async function run(action: DemoAction, describe: string) {
    setBusy(true);
    setMessage(null);
    try {
      const result = await postDemoAction(reactorId, action);
      setMessage({
        kind: 'ok',
        text: `${describe} from plant time ${formatTime(result.atMs, timeMode, originMs)}.`,
      });
    } catch (error) {
      setMessage({ kind: 'error', text: `Not done: ${describeError(error)}` });
    } finally {
      setBusy(false);
    }
  }

  function onDilution(event: FormEvent) {
    event.preventDefault();
    const perHour = Number(dilution);
    if (!(perHour > 0 && perHour <= 1)) {
      setMessage({
        kind: 'error',
        text: 'Dilution rate must be above 0 and at most 1 per hour (the culture washes out).',
      });
      return;
    }
    void run({ action: 'dilution', perHour }, `Dilution rate set to ${perHour} 1/h`);
  }

  function onFault(event: FormEvent) {
    event.preventDefault();
    const durationHours = Number(faultHours);
    if (!(durationHours > 0)) {
      setMessage({ kind: 'error', text: 'Fault duration must be a positive number of hours.' });
      return;
    }
    void run({ action: 'fault', kind: fault, durationHours }, `${faultLabels[fault]} for ${durationHours} h`);
  }

  return (
    <section className="panel demo" aria-labelledby="demo-title">
      <h2 id="demo-title">Demo controls (simulated plant)</h2>
      <p className="muted">
        The simulator runs at {status.plantHoursPerSecond} plant hour
        {status.plantHoursPerSecond === 1 ? '' : 's'} per second. Changes reach the charts with the next
        readings, the estimate with the next fits.
      </p>
      <div className="demo-actions">
        {shifts.map((shift) => (
          <button
            key={shift.action}
            type="button"
            className="button"
            disabled={busy}
            data-testid={`demo-${shift.action}`}
            onClick={() => void run({ action: shift.action }, shift.started)}
          >
            {shift.label}
          </button>
        ))}
        <form onSubmit={onDilution} className="inline-form">
          <label>
            dilution rate (1/h)
            <input
              type="number"
              step="0.01"
              min="0.01"
              max="1"
              value={dilution}
              onChange={(e) => setDilution(e.target.value)}
            />
          </label>
          <button type="submit" className="button" disabled={busy}>
            Set dilution
          </button>
        </form>
        <form onSubmit={onFault} className="inline-form">
          <label>
            sensor fault
            <select value={fault} onChange={(e) => setFault(e.target.value as DemoFaultKind)}>
              {(Object.keys(faultLabels) as DemoFaultKind[]).map((k) => (
                <option key={k} value={k}>
                  {faultLabels[k]}
                </option>
              ))}
            </select>
          </label>
          <label>
            for (plant h)
            <input
              type="number"
              step="0.5"
              min="0.5"
              value={faultHours}
              onChange={(e) => setFaultHours(e.target.value)}
            />
          </label>
          <button type="submit" className="button" disabled={busy}>
            Inject fault
          </button>
        </form>
      </div>
      <p className={message?.kind === 'error' ? 'form-error' : 'form-ok'} role="status" aria-live="polite">
        {message?.text ?? ''}
      </p>
    </section>
  );
}
