import type { InputSeries } from '../problem/window-problem';
import { type IntegrationRecord, reserveStep, stepHeader } from './integration-record';
import { createStepSizeController, proposeStep } from './step-size-controller';
import type { SolveFailure, SolverOptions, StepInputs, Stepper } from './types';

/** What the step driver needs of a problem: no observation values, only where steps must stop. */
export interface IntegrationTask {
  params: Float64Array;
  t0: number;
  x0: Float64Array;
  inputs: InputSeries[];
  /** Sorted observation times; each becomes a step node. */
  obsTime: Float64Array;
  /** Integrate at least to here (for forecasts); the last observation time otherwise. */
  tEnd?: number;
}

export type IntegrationOutcome = { ok: true } | { ok: false; failure: SolveFailure };

/** Scratch owned by one driver; reused across solves. */
export interface DriverScratch {
  x: Float64Array;
  xNew: Float64Array;
  err: Float64Array;
  inputs: StepInputs;
  cursor: Int32Array;
  stops: Float64Array;
  /** The stop list is reused while the task's times are the same arrays (an optimizer's iterations). */
  stopsFor: {
    obsTime: Float64Array | null;
    inputs: InputSeries[] | null;
    t0: number;
    tEnd: number;
    count: number;
  };
}

export function createDriverScratch(n: number, k: number): DriverScratch {
  return {
    x: new Float64Array(n),
    xNew: new Float64Array(n),
    err: new Float64Array(n),
    inputs: { base: new Float64Array(k), slope: new Float64Array(k) },
    cursor: new Int32Array(k),
    stops: new Float64Array(256),
    stopsFor: { obsTime: null, inputs: null, t0: Number.NaN, tEnd: Number.NaN, count: 0 },
  };
}

/**
 * Adaptive integration from t0 to the last observation (or tEnd), stopping exactly at every
 * observation time and input sample, as at a kink. Accepted steps go into the record. The task
 * gives a series per measured input; a model's time input is set here.
 * States may not go meaningfully negative: such a step is rejected and retried smaller.
 */
export function integrate(
  stepper: Stepper,
  task: IntegrationTask,
  options: SolverOptions,
  record: IntegrationRecord,
  scratch: DriverScratch,
  stopWhenStiff = false,
): IntegrationOutcome {
  const { n, k } = record;
  const { x, xNew, err, inputs, cursor } = scratch;
  const timeAt = stepHeader.time;
  const sizeAt = stepHeader.size;
  const baseAt = stepHeader.inputBase;
  const slopeAt = stepHeader.inputSlope(k);
  const recordAt = stepHeader.methodRecord(k);
  const { rtol, atol } = options;
  const p = task.params;
  const obsTime = task.obsTime;
  const tEnd = Math.max(
    task.t0,
    obsTime.length ? obsTime[obsTime.length - 1] : task.t0,
    task.tEnd ?? task.t0,
  );
  const stopCount = collectStops(task, tEnd, scratch);
  const stops = scratch.stops;

  record.method = stepper.method;
  record.stride = stepHeader.methodRecord(k) + stepper.stepRecordLength;
  record.stepCount = 0;
  record.rejectedSteps = 0;
  if (record.obsNode.length < obsTime.length) record.obsNode = new Int32Array(obsTime.length);
  stepper.reset();
  stepper.rhsEvaluations = 0;
  stepper.jacobianEvaluations = 0;

  x.set(task.x0);
  record.nodeStates.set(x, 0);
  let obsIndex = 0;
  while (obsIndex < obsTime.length && obsTime[obsIndex] <= task.t0) record.obsNode[obsIndex++] = 0;
  cursor.fill(0);

  const controller = createStepSizeController();
  let t = task.t0;
  let h = Number.NaN;
  let stopIndex = 0;
  let lastRejection = 'none';
  const finish = (outcome: IntegrationOutcome): IntegrationOutcome => {
    record.rhsEvaluations = stepper.rhsEvaluations;
    record.jacobianEvaluations = stepper.jacobianEvaluations;
    return outcome;
  };

  while (stopIndex < stopCount) {
    const tStop = stops[stopIndex];
    setStepInputs(task.inputs, t, cursor, inputs);
    if (stepper.timeInput >= 0) {
      // The time is an input like any other, exactly linear: u = t + s over the step.
      inputs.base[stepper.timeInput] = t;
      inputs.slope[stepper.timeInput] = 1;
    }
    if (Number.isNaN(h)) h = Math.min(initialStep(rtol, tEnd - task.t0), tStop - t);
    const hMin = options.minStepRelative * Math.max(1, Math.abs(t));
    if (record.stepCount >= options.maxSteps) {
      return finish({ ok: false, failure: { kind: 'too-many-steps', atHour: t, steps: record.stepCount } });
    }
    const remaining = tStop - t;
    const lands = remaining <= h * 1.01;
    // Split a remainder a little over one step in two, instead of leaving a sliver.
    const hStep = lands ? remaining : remaining < 2 * h ? remaining / 2 : h;
    reserveStep(record);
    const offset = record.stepCount * record.stride;
    const finite = stepper.attempt(p, inputs, x, hStep, xNew, err, record.steps, offset + recordAt);

    let errNorm = Number.POSITIVE_INFINITY;
    if (finite) {
      let sum = 0;
      let negative = false;
      for (let i = 0; i < n; i++) {
        const scale = atol + rtol * Math.max(Math.abs(x[i]), Math.abs(xNew[i]));
        sum += (err[i] / scale) ** 2;
        if (xNew[i] < -(10 * atol + rtol * Math.abs(x[i]))) negative = true;
      }
      errNorm = Math.sqrt(sum / n);
      if (negative) {
        lastRejection = 'a state went negative';
        errNorm = Math.max(errNorm, 4);
      } else if (errNorm > 1) {
        lastRejection = 'local error above tolerance';
      }
    } else {
      lastRejection = 'non-finite value in the step';
    }

    if (errNorm <= 1) {
      const steps = record.steps;
      steps[offset + timeAt] = t;
      steps[offset + sizeAt] = hStep;
      for (let j = 0; j < k; j++) {
        steps[offset + baseAt + j] = inputs.base[j];
        steps[offset + slopeAt + j] = inputs.slope[j];
      }
      stepper.accepted();
      record.stepCount++;
      if (stopWhenStiff && stepper.stiffnessDetected()) {
        return finish({ ok: false, failure: { kind: 'stiff', atHour: t + hStep } });
      }
      const nodeOffset = record.stepCount * n;
      for (let i = 0; i < n; i++) {
        x[i] = xNew[i];
        record.nodeStates[nodeOffset + i] = xNew[i];
      }
      const hNext = proposeStep(controller, hStep, errNorm, stepper.embeddedOrder, true);
      if (lands) {
        t = tStop;
        stopIndex++;
        while (obsIndex < obsTime.length && obsTime[obsIndex] <= t)
          record.obsNode[obsIndex++] = record.stepCount;
        // A short landing step says nothing about the step the solution allows.
        h = Math.max(hNext, h);
      } else {
        t += hStep;
        h = hNext;
      }
    } else {
      record.rejectedSteps++;
      // The first stage f(x_n) and the stiffness evidence stay valid across a rejection.
      h = Number.isFinite(errNorm)
        ? proposeStep(controller, hStep, errNorm, stepper.embeddedOrder, false)
        : hStep * 0.25;
      if (h < hMin) {
        const failure: SolveFailure = finite
          ? { kind: 'step-size-underflow', atHour: t, stepHours: h, lastRejection }
          : {
              kind: 'non-finite',
              atHour: t,
              detail: 'the right-hand side overflowed even at the smallest step',
            };
        return finish({ ok: false, failure });
      }
    }
  }
  return finish({ ok: true });
}

/** Observation times and input samples strictly inside (t0, tEnd], merged, plus tEnd. */
function collectStops(task: IntegrationTask, tEnd: number, scratch: DriverScratch): number {
  const cached = scratch.stopsFor;
  if (
    cached.obsTime === task.obsTime &&
    cached.inputs === task.inputs &&
    cached.t0 === task.t0 &&
    cached.tEnd === tEnd
  ) {
    return cached.count;
  }
  let count = 0;
  const push = (t: number): void => {
    if (!(t > task.t0) || t > tEnd) return;
    if (count === scratch.stops.length) {
      const grown = new Float64Array(2 * count);
      grown.set(scratch.stops);
      scratch.stops = grown;
    }
    scratch.stops[count++] = t;
  };
  for (let i = 0; i < task.obsTime.length; i++) push(task.obsTime[i]);
  for (const series of task.inputs) for (let i = 0; i < series.t.length; i++) push(series.t[i]);
  push(tEnd);
  const sorted = scratch.stops.subarray(0, count).sort();
  let unique = 0;
  for (let i = 0; i < count; i++)
    if (i === 0 || sorted[i] !== sorted[unique - 1]) sorted[unique++] = sorted[i];
  Object.assign(cached, { obsTime: task.obsTime, inputs: task.inputs, t0: task.t0, tEnd, count: unique });
  return unique;
}

/** Inputs over the step starting at t: each is linear on the sample interval that contains t. */
export function setStepInputs(series: InputSeries[], t: number, cursor: Int32Array, out: StepInputs): void {
  for (let j = 0; j < series.length; j++) {
    const { t: ts, v } = series[j];
    let c = cursor[j];
    while (c < ts.length && ts[c] <= t) c++;
    cursor[j] = c;
    if (c === 0 || c === ts.length) {
      out.base[j] = v[c === 0 ? 0 : ts.length - 1];
      out.slope[j] = 0;
    } else {
      const slope = (v[c] - v[c - 1]) / (ts[c] - ts[c - 1]);
      out.slope[j] = slope;
      out.base[j] = v[c - 1] + slope * (t - ts[c - 1]);
    }
  }
}

/** A first step from the tolerance: a 5th-order step whose error is about rtol on an O(1) scale. */
function initialStep(rtol: number, span: number): number {
  return Math.min(0.2 * rtol ** 0.2, span || 1);
}
