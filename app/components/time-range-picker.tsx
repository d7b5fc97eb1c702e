'use client';
/**
 * The reactor page's time range: last 1 h, 12 h, 3 d, all, or a custom span (entered in plant hours
 * or local time, whichever the page shows). Every chart follows it.
 */
import { type FormEvent, useEffect, useId, useState } from 'react';
import { msPerHour } from '../../contract/time';
import { plantHoursSince, type TimeMode } from '../lib/time-format';
import { type RangeChoice, rangePresets } from '../lib/time-range';

const pad2 = (n: number) => String(n).padStart(2, '0');

function toLocalInput(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}T${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

function fromLocalInput(text: string): number {
  return new Date(text).getTime();
}

export function TimeRangePicker(props: {
  value: RangeChoice;
  onChange: (choice: RangeChoice) => void;
  timeMode: TimeMode;
  originMs: number;
  /** The shown range, to prefill the custom fields. */
  shownFromMs: number | null;
  shownToMs: number | null;
}) {
  const { value, onChange, timeMode, originMs } = props;
  const [customOpen, setCustomOpen] = useState(value.kind === 'custom');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  // Prefill the custom fields with the shown range whenever they open or the display mode changes.
  // biome-ignore lint/correctness/useExhaustiveDependencies: prefill only on open and mode change.
  useEffect(() => {
    if (!customOpen) return;
    const fromMs = value.kind === 'custom' ? value.fromMs : props.shownFromMs;
    const toMs = value.kind === 'custom' ? value.toMs : props.shownToMs;
    if (fromMs === null || toMs === null) return;
    if (timeMode === 'plant') {
      setFrom(plantHoursSince(fromMs, originMs).toFixed(2));
      setTo(plantHoursSince(toMs, originMs).toFixed(2));
    } else {
      setFrom(toLocalInput(fromMs));
      setTo(toLocalInput(toMs));
    }
  }, [customOpen, timeMode]);

  function applyCustom(event: FormEvent) {
    event.preventDefault();
    const parse = (text: string) =>
      timeMode === 'plant' ? originMs + Math.round(Number(text) * msPerHour) : fromLocalInput(text);
    const fromMs = parse(from);
    const toMs = parse(to);
    if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || from === '' || to === '') {
      setError('Enter both ends of the range.');
      return;
    }
    if (toMs <= fromMs) {
      setError('The end must come after the start.');
      return;
    }
    setError(null);
    onChange({ kind: 'custom', fromMs, toMs });
  }

  return (
    <div className="range-picker">
      <fieldset className="segmented" aria-label="Time range">
        <legend className="visually-hidden">Time range</legend>
        {rangePresets.map((p) => {
          const active = value.kind === 'preset' && value.preset === p.preset;
          return (
            <button
              key={p.preset}
              type="button"
              aria-pressed={active}
              data-range={p.preset}
              onClick={() => {
                setCustomOpen(false);
                onChange({ kind: 'preset', preset: p.preset });
              }}
            >
              {p.label}
            </button>
          );
        })}
        <button
          type="button"
          aria-pressed={value.kind === 'custom' || customOpen}
          aria-expanded={customOpen}
          aria-controls={`${id}-custom`}
          data-range="custom"
          onClick={() => setCustomOpen((open) => !open)}
        >
          custom…
        </button>
      </fieldset>
      {customOpen ? (
        <form id={`${id}-custom`} className="custom-range" onSubmit={applyCustom}>
          <label>
            from {timeMode === 'plant' ? '(plant h)' : ''}
            <input
              type={timeMode === 'plant' ? 'number' : 'datetime-local'}
              step={timeMode === 'plant' ? 0.25 : 60}
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              name="from"
              required
            />
          </label>
          <label>
            to {timeMode === 'plant' ? '(plant h)' : ''}
            <input
              type={timeMode === 'plant' ? 'number' : 'datetime-local'}
              step={timeMode === 'plant' ? 0.25 : 60}
              value={to}
              onChange={(e) => setTo(e.target.value)}
              name="to"
              required
            />
          </label>
          <button type="submit" className="button">
            Show
          </button>
          {error ? (
            <span className="form-error" role="alert">
              {error}
            </span>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
