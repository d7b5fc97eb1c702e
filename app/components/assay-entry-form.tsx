'use client';
/**
 * An offline assay result typed in by hand: which quantity, its value, when the sample was taken and
 * when it was measured. The service stores it as a reading at its sampling time, where the estimator
 * takes it as late data (it refits the windows the sample falls in), as it does an assay over MQTT.
 */
import { type FormEvent, useState } from 'react';
import { type AssaySignal, assaySignals } from '../../contract/api';
import { signalUnits, storedValue } from '../../contract/display-units';
import { msPerHour } from '../../contract/time';
import { describeError } from '../lib/api-client';
import { enterAssay } from '../lib/design-api';
import {
  formatClockTime,
  formatDate,
  formatTime,
  parseClock,
  type TimeMode,
  zoneOf,
} from '../lib/time-format';

const unitOf = (signal: AssaySignal) => signalUnits[`assay/${signal}`];

/** A time as typed: plant hours in plant mode, else `2016-05-03 14:15` in the page's zone; NaN if neither. */
export function parseTypedTime(text: string, mode: TimeMode, originMs: number): number {
  const t = text.trim();
  if (mode === 'plant' && /^-?\d+(\.\d+)?$/.test(t)) return Math.round(originMs + Number(t) * msPerHour);
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2}(?::\d{2})?)$/.exec(t);
  return m ? parseClock(m[1], m[2], zoneOf(mode)) : Number.NaN;
}

function typedTime(ms: number, mode: TimeMode, originMs: number): string {
  if (mode === 'plant') return String(Number(((ms - originMs) / msPerHour).toFixed(2)));
  return `${formatDate(ms, zoneOf(mode))} ${formatClockTime(ms, zoneOf(mode))}`;
}

export function AssayEntryForm(props: {
  reactorId: string;
  timeMode: TimeMode;
  originMs: number;
  /** Where the times start: the newest reading. */
  newestReadingMs: number | null;
}) {
  const { reactorId, timeMode, originMs } = props;
  const start = props.newestReadingMs === null ? '' : typedTime(props.newestReadingMs, timeMode, originMs);
  const [signal, setSignal] = useState<AssaySignal>('B');
  const [value, setValue] = useState('');
  const [sampled, setSampled] = useState<string | null>(null);
  const [measured, setMeasured] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  /** The times start at the newest reading and follow it until the operator starts filling the form in. */
  function holdTimes() {
    if (sampled === null) setSampled(start);
    if (measured === null) setMeasured(start);
  }
  const timeHint =
    timeMode === 'plant'
      ? 'plant hours, e.g. 36.5'
      : `YYYY-MM-DD HH:MM, ${zoneOf(timeMode) === 'utc' ? 'UTC' : 'local time'}`;

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const shown = Number(value);
    const sampledAt = parseTypedTime(sampled ?? start, timeMode, originMs);
    const measuredAt = parseTypedTime(measured ?? start, timeMode, originMs);
    if (value.trim() === '' || !Number.isFinite(shown)) {
      setMessage({ kind: 'error', text: 'The value must be a number.' });
      return;
    }
    if (!Number.isFinite(sampledAt) || !Number.isFinite(measuredAt)) {
      setMessage({ kind: 'error', text: `Times are ${timeHint}.` });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const entry = await enterAssay(reactorId, {
        signal,
        value: storedValue(unitOf(signal), shown),
        sampledAt,
        measuredAt,
      });
      setMessage({
        kind: 'ok',
        text: `Assay of ${entry.signal} sampled at plant time ${formatTime(entry.sampledAtMs, timeMode, originMs)} recorded by ${entry.enteredBy}; the fits of the windows it falls in are redone.`,
      });
      setValue('');
    } catch (error) {
      setMessage({ kind: 'error', text: `Not recorded: ${describeError(error)}` });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="inline-form assay-entry" onSubmit={(e) => void onSubmit(e)} data-testid="assay-entry">
      <fieldset>
        <legend>Enter an assay result</legend>
        <label>
          assay of
          <select
            name="signal"
            value={signal}
            onChange={(e) => {
              holdTimes();
              setSignal(e.target.value as AssaySignal);
            }}
          >
            {assaySignals.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          value ({unitOf(signal).symbol})
          <input
            type="number"
            name="value"
            step="any"
            required
            value={value}
            onChange={(e) => {
              holdTimes();
              setValue(e.target.value);
            }}
          />
        </label>
        <label>
          sampled at ({timeHint})
          <input
            type="text"
            name="sampledAt"
            value={sampled ?? start}
            onChange={(e) => {
              holdTimes();
              setSampled(e.target.value);
            }}
          />
        </label>
        <label>
          measured at ({timeHint})
          <input
            type="text"
            name="measuredAt"
            value={measured ?? start}
            onChange={(e) => {
              holdTimes();
              setMeasured(e.target.value);
            }}
          />
        </label>
        <button type="submit" className="button" disabled={busy}>
          Record assay
        </button>
      </fieldset>
      <p
        className={message?.kind === 'error' ? 'form-error' : 'form-ok'}
        role="status"
        aria-live="polite"
        data-testid="assay-message"
      >
        {message?.text ?? ''}
      </p>
    </form>
  );
}
