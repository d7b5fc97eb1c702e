'use client';
/**
 * The time range, as in Grafana: quick ranges (last 1 h … 7 d, all), or each end typed as `now-6h`,
 * `now`, `first`, or an absolute time — plant hours, or a date and clock time (with calendar and
 * clock pickers) in local time or UTC, whichever the page shows. Every chart follows it.
 */
import { type FormEvent, useId, useState } from 'react';
import { msPerHour } from '../../contract/time';
import {
  type ClockZone,
  formatClockTime,
  formatDate,
  parseClock,
  plantHoursSince,
  type TimeMode,
  zoneOf,
} from '../lib/time-format';
import {
  inOrder,
  parseRelative,
  presetOf,
  presetRange,
  type RangeChoice,
  rangePresets,
  relativeHelp,
  relativeText,
  type TimePoint,
} from '../lib/time-range';

type End = 'from' | 'to';
const endWords: Record<End, string> = { from: 'From', to: 'To' };

const zoneWords = (zone: ClockZone) => (zone === 'utc' ? 'UTC' : 'local time');

/** A point as its field shows it: relative text, plant hours, or `2016-05-03 14:15`. */
function fieldText(point: TimePoint, mode: TimeMode, originMs: number): string {
  const relative = relativeText(point);
  if (relative !== null || point.kind !== 'absolute') return relative ?? '';
  if (mode === 'plant') return plantHoursSince(point.ms, originMs).toFixed(2);
  const zone = zoneOf(mode);
  return `${formatDate(point.ms, zone)} ${formatClockTime(point.ms, zone)}`;
}

/** What a field says, or why it says nothing readable. */
function parseField(end: End, text: string, mode: TimeMode, originMs: number): TimePoint | string {
  const t = text.trim();
  const example =
    mode === 'plant'
      ? 'plant hours such as 12.5'
      : `a date and time such as 2016-05-03 14:15 (${zoneWords(zoneOf(mode))})`;
  if (t === '') return `${endWords[end]}: empty. Type ${relativeHelp}, or ${example}.`;
  const relative = parseRelative(t);
  if (relative) {
    if (end === 'to' && relative.kind === 'first')
      return 'To: “first” is where a range starts; type now, now-1h, or a time.';
    return relative;
  }
  if (mode === 'plant' && /^-?\d+(\.\d+)?$/.test(t))
    return { kind: 'absolute', ms: originMs + Math.round(Number(t) * msPerHour) };
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2}(?::\d{2})?)$/.exec(t);
  if (m && mode !== 'plant') {
    const ms = parseClock(m[1], m[2], zoneOf(mode));
    if (Number.isFinite(ms)) return { kind: 'absolute', ms };
    return `${endWords[end]}: “${t}” is not a date on the calendar (month 01–12, a day the month has, hours 00–23).`;
  }
  return `${endWords[end]}: “${t}” is not a time. Type ${relativeHelp}, or ${example}.`;
}

function EndField(props: {
  end: End;
  text: string;
  error: string | undefined;
  mode: TimeMode;
  idBase: string;
  onText: (text: string) => void;
}) {
  const { end, text, error, mode, idBase } = props;
  const zone = zoneOf(mode);
  const id = `${idBase}-${end}`;
  // The calendar and clock pickers show the typed time when it is a date and time.
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})/.exec(text.trim());
  const date = m ? m[1] : '';
  const time = m ? m[2].padStart(5, '0') : '';
  return (
    <div className="range-end">
      <label htmlFor={id}>
        {endWords[end]} {mode === 'plant' ? '(now-6h, or plant h)' : `(now-6h, or ${zoneWords(zone)})`}
        <input
          id={id}
          name={end}
          value={text}
          onChange={(e) => props.onText(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${idBase}-hint${error ? ` ${id}-error` : ''}`}
          autoComplete="off"
          spellCheck={false}
          size={16}
        />
      </label>
      {mode === 'plant' ? null : (
        <span className="range-end-pickers">
          <input
            type="date"
            name={`${end}-date`}
            aria-label={`${endWords[end]}: date (${zoneWords(zone)})`}
            value={date}
            onChange={(e) => e.target.value && props.onText(`${e.target.value} ${time || '00:00'}`)}
          />
          <input
            type="time"
            name={`${end}-time`}
            aria-label={`${endWords[end]}: clock time (${zoneWords(zone)})`}
            value={time}
            disabled={date === ''}
            onChange={(e) => e.target.value && props.onText(`${date} ${e.target.value}`)}
          />
        </span>
      )}
      {error ? (
        <span className="form-error field-error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </div>
  );
}

export function TimeRangePicker(props: {
  value: RangeChoice;
  onChange: (choice: RangeChoice) => void;
  timeMode: TimeMode;
  originMs: number;
}) {
  const { value, onChange, timeMode, originMs } = props;
  const preset = presetOf(value);
  const prefill = () => ({
    from: fieldText(value.from, timeMode, originMs),
    to: fieldText(value.to, timeMode, originMs),
  });
  const [customOpen, setCustomOpen] = useState(preset === null);
  // Prefilled as the form opens, never after it shows: a later prefill would land in the middle of typing.
  const [fields, setFields] = useState(prefill);
  const [fieldsMode, setFieldsMode] = useState(timeMode);
  /** The plant origin the fields were written against; null once the user has typed in them. */
  const [fieldsOrigin, setFieldsOrigin] = useState<number | null>(originMs);
  const [errors, setErrors] = useState<Partial<Record<End | 'range', string>>>({});
  const id = useId();

  // During this render: a change of display mode rewrites the fields in the new units; the plant
  // origin known at last (a range from a link opens the form before the data load) rewrites them
  // if untouched.
  if (fieldsMode !== timeMode || (fieldsOrigin !== null && fieldsOrigin !== originMs)) {
    setFieldsMode(timeMode);
    setFieldsOrigin(originMs);
    setFields(prefill());
    setErrors({});
  }

  function toggleCustom() {
    if (!customOpen) {
      setFields(prefill());
      setFieldsOrigin(originMs);
      setErrors({});
    }
    setCustomOpen(!customOpen);
  }

  function edit(end: End, text: string) {
    setFields((f) => ({ ...f, [end]: text }));
    setFieldsOrigin(null);
    // An old error goes as soon as the field reads.
    if (errors[end] || errors.range) {
      const parsed = parseField(end, text, timeMode, originMs);
      setErrors((e) => ({ ...e, [end]: typeof parsed === 'string' ? parsed : undefined, range: undefined }));
    }
  }

  function applyCustom(event: FormEvent) {
    event.preventDefault();
    const from = parseField('from', fields.from, timeMode, originMs);
    const to = parseField('to', fields.to, timeMode, originMs);
    const next: typeof errors = {
      from: typeof from === 'string' ? from : undefined,
      to: typeof to === 'string' ? to : undefined,
    };
    if (typeof from !== 'string' && typeof to !== 'string' && !inOrder({ from, to }))
      next.range = `The range ends before it starts: To (${fields.to.trim()}) must come after From (${fields.from.trim()}).`;
    setErrors(next);
    if (next.from || next.to || next.range || typeof from === 'string' || typeof to === 'string') return;
    onChange({ from, to });
  }

  return (
    <div className="range-picker">
      <fieldset className="segmented" aria-label="Time range">
        <legend className="visually-hidden">Time range</legend>
        {rangePresets.map((p) => (
          <button
            key={p.preset}
            type="button"
            aria-pressed={preset === p.preset}
            data-range={p.preset}
            onClick={() => {
              setCustomOpen(false);
              onChange(presetRange(p.spanMs));
            }}
          >
            {p.label}
          </button>
        ))}
        <button
          type="button"
          aria-pressed={preset === null || customOpen}
          aria-expanded={customOpen}
          aria-controls={`${id}-custom`}
          data-range="custom"
          onClick={toggleCustom}
        >
          custom…
        </button>
      </fieldset>
      {customOpen ? (
        <form id={`${id}-custom`} className="custom-range" onSubmit={applyCustom} noValidate>
          <EndField
            end="from"
            text={fields.from}
            error={errors.from}
            mode={timeMode}
            idBase={id}
            onText={(t) => edit('from', t)}
          />
          <EndField
            end="to"
            text={fields.to}
            error={errors.to}
            mode={timeMode}
            idBase={id}
            onText={(t) => edit('to', t)}
          />
          <button type="submit" className="button" data-testid="apply-range">
            Show
          </button>
          <p className="range-hint muted" id={`${id}-hint`}>
            Relative: {relativeHelp}; now is the newest reading (the plant clock).
          </p>
          {errors.range ? (
            <p className="form-error" role="alert">
              {errors.range}
            </p>
          ) : null}
          {errors.from || errors.to ? (
            <p className="visually-hidden" role="alert">
              {[errors.from, errors.to].filter(Boolean).join(' ')}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
