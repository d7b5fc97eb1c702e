'use client';
/**
 * The reactor page's time range: last 1 h, 12 h, 3 d, all, or a custom span (entered in plant hours
 * or local time, whichever the page shows). Every chart follows it.
 */
import { type FormEvent, useId, useState } from 'react';
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

/** The custom fields prefilled with the chosen custom range, or else the shown one. */
function prefilledFields(
  value: RangeChoice,
  shownFromMs: number | null,
  shownToMs: number | null,
  timeMode: TimeMode,
  originMs: number,
): { from: string; to: string } {
  const fromMs = value.kind === 'custom' ? value.fromMs : shownFromMs;
  const toMs = value.kind === 'custom' ? value.toMs : shownToMs;
  if (fromMs === null || toMs === null) return { from: '', to: '' };
  if (timeMode === 'plant') {
    return {
      from: plantHoursSince(fromMs, originMs).toFixed(2),
      to: plantHoursSince(toMs, originMs).toFixed(2),
    };
  }
  return { from: toLocalInput(fromMs), to: toLocalInput(toMs) };
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
  const prefill = () => prefilledFields(value, props.shownFromMs, props.shownToMs, timeMode, originMs);
  const [customOpen, setCustomOpen] = useState(value.kind === 'custom');
  // Prefilled as the form opens, never after it shows: a later prefill would land in the middle of typing.
  const [fields, setFields] = useState(() => (value.kind === 'custom' ? prefill() : { from: '', to: '' }));
  const [fieldsMode, setFieldsMode] = useState(timeMode);
  /** The plant origin the fields were written against; null once the user has typed in them. */
  const [fieldsOrigin, setFieldsOrigin] = useState<number | null>(originMs);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const { from, to } = fields;

  // During this render: a change of display mode rewrites open fields in the new units; the plant
  // origin known at last (a range from the URL opens the form before the data load) rewrites them
  // if untouched.
  if (fieldsMode !== timeMode || (fieldsOrigin !== null && fieldsOrigin !== originMs)) {
    setFieldsMode(timeMode);
    setFieldsOrigin(originMs);
    if (customOpen) setFields(prefill());
  }

  function toggleCustom() {
    if (!customOpen) {
      setFields(prefill());
      setFieldsOrigin(originMs);
    }
    setCustomOpen(!customOpen);
  }

  function edit(field: 'from' | 'to', text: string) {
    setFields((f) => ({ ...f, [field]: text }));
    setFieldsOrigin(null);
  }

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
          onClick={toggleCustom}
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
              onChange={(e) => edit('from', e.target.value)}
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
              onChange={(e) => edit('to', e.target.value)}
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
