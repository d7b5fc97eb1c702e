/**
 * Publishes simulated plant histories over MQTT at QoS 1 on an accelerated clock, as a plant would:
 * `<prefix>/<reactor>/<signal>` with `{"ts": epoch ms, "value": v}`; or, with `protocol:
 * 'sparkplug'`, as a Sparkplug B edge node (sparkplug-edge-node.ts) with one device per reactor
 * and one metric per signal, named as the signal, sent as DDATA at QoS 0. The first plant-days are
 * back-filled at once so charts and fits have history; after that, plant time runs at
 * `plantHoursPerSecond`. An assay is published when plant time reaches its `availableAtH`, stamped
 * with its sampling time.
 *
 * Plant time is laid on a virtual calendar, epoch ms = plantEpochMs + timeH·3.6e6, with the epoch
 * in the past (default 10 years) so that accelerated plant time stays behind the wall clock: the
 * ingester refuses readings more than 5 minutes in the future. At one plant-hour per second, 10
 * years last about a day; should the plant catch up with the wall clock, it goes on in real time
 * rather than publish the future. It has the job shape of server/lifecycle.ts
 * (start, health, metrics, stop) without importing it, since the simulator may not depend on server/.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type PlantSignal, plantSignals } from '../contract/api';
import { storedSignalUnits } from '../contract/plant-protocols';
import type { PlantSample } from './plant-sample';
import { type EdgeMetric, SparkplugEdgeNode } from './sparkplug-edge-node';

export interface ReactorHistory {
  reactorId: string;
  /** Any order; may be endless (it is read lazily, only as far as plant time has come). */
  samples: Iterable<PlantSample>;
}

export interface LivePublisherOptions {
  url: string;
  /** Credentials, protocol version, TLS; merged over the defaults below. */
  clientOptions?: IClientOptions;
  /** Called with the MQTT client once it exists (the service has it follow renewed TLS files). */
  onClient?: (client: MqttClient) => void;
  reactors: ReactorHistory[];
  topicPrefix?: string;
  /** Default 1: a plant-hour per wall second, so a day of plant goes by in 24 s. */
  plantHoursPerSecond?: number;
  /** Plant-days published at once on start, from plant hour 0. Default 3. */
  backfillPlantDays?: number;
  /** Epoch ms of plant hour 0. Default: the wall clock at start minus 10 years, on the hour. */
  plantEpochMs?: number;
  /** Unacknowledged messages allowed at once. */
  maxInFlight?: number;
  /** Wall clock, for tests. */
  now?: () => number;
  /** `json` (default): culturewatch's topics at QoS 1; `sparkplug`: a Sparkplug B edge node. */
  protocol?: 'json' | 'sparkplug';
  /** The edge node's group and id in Sparkplug mode; default `demoSparkplugNode`. */
  sparkplugNode?: { group: string; edgeNode: string };
}

/** Where the demo simulator's edge node lives in Sparkplug mode (one device per reactor, named as it). */
export const demoSparkplugNode = { group: 'culturewatch-demo', edgeNode: 'simulator' } as const;

export type PublisherState = 'init' | 'ready' | 'sleeping' | 'disconnected' | 'stopped';

export interface LivePublisherMetrics {
  published: number;
  acknowledged: number;
  backfilled: number;
  inFlight: number;
  /** Current plant time. */
  plantHours: number;
  skippedUnknownSignal: number;
  skippedNonFinite: number;
}

/** Simulator signal → MQTT signal (the model's input D is `dilution`, the feed S0 is `feed`). */
export const mqttSignalOf: Readonly<Record<string, PlantSignal>> = {
  od: 'od',
  substrate: 'substrate',
  D: 'dilution',
  S0: 'feed',
  X: 'assay/X',
  Y: 'assay/Y',
  A: 'assay/A',
  B: 'assay/B',
};

const hourMs = 3_600_000;
const tenYearsMs = Math.round(10 * 365.25 * 24 * hourMs);
/** Longest sleep, so that `stop()` is noticed promptly. */
const maxSleepMs = 250;
/** How long `stop()` waits for unacknowledged messages when the broker is away. */
const stopDrainMs = 5000;

interface Due {
  publishAtH: number;
  order: number;
  reactorId: string;
  signal: PlantSignal;
  tsMs: number;
  value: number;
}

interface Source {
  reactorId: string;
  iterator: Iterator<PlantSample>;
  next: PlantSample | undefined;
}

export function defaultPlantEpochMs(wallNowMs: number): number {
  return Math.floor((wallNowMs - tenYearsMs) / hourMs) * hourMs;
}

export class LivePublisher {
  readonly name = 'simulator-publisher';
  readonly plantEpochMs: number;
  /** Resolves when the back-fill has been acknowledged by the broker. */
  readonly backfilled: Promise<void>;
  /** Resolves when every history is spent (never, for an endless one) or the publisher is stopped. */
  readonly finished: Promise<void>;
  private readonly options: Required<
    Omit<LivePublisherOptions, 'clientOptions' | 'onClient' | 'plantEpochMs'>
  > &
    Pick<LivePublisherOptions, 'clientOptions' | 'onClient'>;
  private edgeNode: SparkplugEdgeNode | undefined;
  /** Sparkplug mode: each reactor's latest value of each signal, for its births. */
  private readonly lastValues = new Map<string, Map<PlantSignal, { tsMs: number; value: number }>>();
  private readonly sources: Source[];
  /** Samples read but not yet due, sorted by publish time (ties in reading order). */
  private readonly pending: Due[] = [];
  private client: MqttClient | undefined;
  private state: { state: PublisherState; sinceMs: number; detail?: string };
  private order = 0;
  private wallAtBackfillEndMs: number | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;
  private readonly counters = {
    published: 0,
    acknowledged: 0,
    backfilled: 0,
    skippedUnknownSignal: 0,
    skippedNonFinite: 0,
  };
  private resolveBackfilled: () => void = () => {};
  private resolveFinished: () => void = () => {};

  constructor(options: LivePublisherOptions) {
    const now = options.now ?? Date.now;
    this.options = {
      topicPrefix: 'culturewatch',
      plantHoursPerSecond: 1,
      backfillPlantDays: 3,
      maxInFlight: 500,
      now,
      protocol: 'json',
      sparkplugNode: demoSparkplugNode,
      ...options,
    };
    if (!(this.options.plantHoursPerSecond > 0)) throw new RangeError('plantHoursPerSecond must be > 0');
    if (!(this.options.backfillPlantDays >= 0)) throw new RangeError('backfillPlantDays must be ≥ 0');
    this.plantEpochMs = options.plantEpochMs ?? defaultPlantEpochMs(now());
    this.sources = options.reactors.map((r) => {
      const iterator = r.samples[Symbol.iterator]();
      return { reactorId: r.reactorId, iterator, next: nextOf(iterator) };
    });
    this.state = { state: 'init', sinceMs: now() };
    this.backfilled = new Promise((resolve) => (this.resolveBackfilled = resolve));
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
  }

  /** Connects and starts publishing; resolves once connected (the back-fill then runs at once). */
  async start(): Promise<void> {
    if (this.client) throw new Error('publisher already started');
    this.client =
      this.options.protocol === 'sparkplug' ? await this.startEdgeNode() : await this.connectJson();
    this.client.on('close', () => this.setState('disconnected', 'broker connection closed'));
    this.client.on('connect', () => this.setState(this.spent() ? 'sleeping' : 'ready'));
    this.setState('ready');
    void this.run().then(
      () => this.resolveFinished(),
      (error: unknown) => {
        this.setState('disconnected', `publishing failed: ${(error as Error).message}`);
        this.resolveFinished();
      },
    );
  }

  private async connectJson(): Promise<MqttClient> {
    const client = await mqtt.connectAsync(this.options.url, {
      clientId: `culturewatch-simulator-${randomUUID().slice(0, 8)}`,
      reconnectPeriod: 1000,
      ...this.options.clientOptions,
    });
    this.options.onClient?.(client);
    return client;
  }

  /** Sparkplug mode: an edge node whose births hold every reactor's signals and their latest values. */
  private async startEdgeNode(): Promise<MqttClient> {
    let client: MqttClient | undefined;
    const edgeNode = new SparkplugEdgeNode({
      url: this.options.url,
      clientOptions: this.options.clientOptions ?? {},
      onClient: (c) => {
        client = c;
        this.options.onClient?.(c);
      },
      ...this.options.sparkplugNode,
      devices: () => new Map(this.sources.map((s) => [s.reactorId, this.birthMetrics(s.reactorId)])),
      now: this.options.now,
    });
    this.edgeNode = edgeNode;
    await edgeNode.start();
    return client!;
  }

  private birthMetrics(reactorId: string): EdgeMetric[] {
    const last = this.lastValues.get(reactorId);
    return plantSignals.map((signal) => {
      const value = last?.get(signal);
      return {
        name: signal,
        type: 'Double',
        value: value?.value ?? null,
        ...(value && { timestamp: value.tsMs }),
        engUnit: storedSignalUnits[signal],
      };
    });
  }

  health() {
    return { ...this.state };
  }

  metrics(): LivePublisherMetrics {
    return {
      ...this.counters,
      inFlight: this.counters.published - this.counters.acknowledged,
      plantHours: this.plantNowH(),
    };
  }

  /** Stops publishing, gives what is in flight a few seconds to be acknowledged, and disconnects. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.wake?.();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.finished.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), stopDrainMs))),
    ]);
    clearTimeout(timer);
    // Force only if the broker never acknowledged: otherwise a clean DISCONNECT (Sparkplug: after the NDEATH).
    if (this.edgeNode) await this.edgeNode.stop();
    else await this.client?.endAsync(!drained);
    this.setState('stopped');
  }

  /**
   * Plant hours now: the back-fill's end, advanced at the configured rate since it was done, but
   * never past the wall clock on the plant calendar.
   */
  plantNowH(): number {
    const wallNowMs = this.options.now();
    const wallH = (wallNowMs - this.plantEpochMs) / hourMs;
    const backfillH = this.options.backfillPlantDays * 24;
    if (this.wallAtBackfillEndMs === undefined) return Math.min(backfillH, wallH);
    const acceleratedH =
      backfillH + ((wallNowMs - this.wallAtBackfillEndMs) / 1000) * this.options.plantHoursPerSecond;
    return Math.min(acceleratedH, wallH);
  }

  private async run(): Promise<void> {
    await this.publishDueBy(this.options.backfillPlantDays * 24, true);
    await this.whenInFlightBelow(1);
    this.wallAtBackfillEndMs = this.options.now();
    this.resolveBackfilled();
    while (!this.stopping) {
      const nowH = this.plantNowH();
      await this.publishDueBy(nowH, false);
      if (this.spent()) {
        this.setState('sleeping', 'every history is published');
        await this.whenInFlightBelow(1);
        return;
      }
      const nextH = this.nextEventH();
      // Never longer than maxSleepMs, so a clock capped at the wall (real time) is re-read regularly.
      const waitMs = ((nextH - this.plantNowH()) / this.options.plantHoursPerSecond) * 1000;
      if (waitMs > 0) await this.sleep(Math.min(waitMs, maxSleepMs));
    }
    await this.whenInFlightBelow(1);
  }

  /** Publishes, in publish-time order, every sample due by plant hour `limitH`. */
  private async publishDueBy(limitH: number, backfill: boolean): Promise<void> {
    this.readSamplesUpTo(limitH);
    while (!this.stopping && this.pending.length > 0 && this.pending[0].publishAtH <= limitH) {
      const due = this.pending.shift()!;
      await this.whenInFlightBelow(this.options.maxInFlight);
      this.counters.published++;
      if (backfill) this.counters.backfilled++;
      const acknowledged = () => {
        this.counters.acknowledged++;
        this.wake?.();
      };
      if (this.edgeNode) {
        this.remember(due);
        this.edgeNode.publishDeviceData(
          due.reactorId,
          [{ name: due.signal, value: due.value, timestamp: due.tsMs }],
          acknowledged,
        );
      } else {
        const payload = `{"ts":${due.tsMs},"value":${due.value}}`;
        this.client!.publish(
          `${this.options.topicPrefix}/${due.reactorId}/${due.signal}`,
          payload,
          { qos: 1 },
          acknowledged,
        );
      }
    }
  }

  /** Moves samples taken at or before `limitH` from the histories into `pending`. */
  private readSamplesUpTo(limitH: number): void {
    for (const source of this.sources) {
      // Reading by sampling time is safe for a history in sampling or in arrival order: whatever
      // comes later in either cannot be due before the sample that stopped the reading.
      while (source.next !== undefined && source.next.timeH <= limitH) {
        this.enqueue(source.reactorId, source.next);
        source.next = nextOf(source.iterator);
      }
    }
  }

  private remember(due: Due): void {
    let last = this.lastValues.get(due.reactorId);
    if (!last) {
      last = new Map();
      this.lastValues.set(due.reactorId, last);
    }
    last.set(due.signal, { tsMs: due.tsMs, value: due.value });
  }

  private enqueue(reactorId: string, sample: PlantSample): void {
    const signal = mqttSignalOf[sample.signal];
    if (signal === undefined) {
      this.counters.skippedUnknownSignal++;
      return;
    }
    if (!Number.isFinite(sample.value) || !Number.isFinite(sample.timeH)) {
      this.counters.skippedNonFinite++;
      return;
    }
    const due: Due = {
      publishAtH: Math.max(sample.timeH, sample.availableAtH ?? sample.timeH),
      order: this.order++,
      reactorId,
      signal,
      tsMs: Math.round(this.plantEpochMs + sample.timeH * hourMs),
      value: sample.value,
    };
    // Binary search for the insertion point: after every entry due no later (stable for ties).
    let lo = 0;
    let hi = this.pending.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.pending[mid].publishAtH <= due.publishAtH) lo = mid + 1;
      else hi = mid;
    }
    this.pending.splice(lo, 0, due);
  }

  private spent(): boolean {
    return this.pending.length === 0 && this.sources.every((s) => s.next === undefined);
  }

  /** The plant hour at which something next becomes due or must be read. */
  private nextEventH(): number {
    let next = this.pending.length > 0 ? this.pending[0].publishAtH : Number.POSITIVE_INFINITY;
    for (const s of this.sources) if (s.next !== undefined && s.next.timeH < next) next = s.next.timeH;
    return next;
  }

  private async whenInFlightBelow(limit: number): Promise<void> {
    while (this.counters.published - this.counters.acknowledged >= limit) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private setState(state: PublisherState, detail?: string): void {
    if (this.state.state === 'stopped') return;
    this.state =
      detail === undefined
        ? { state, sinceMs: this.options.now() }
        : { state, sinceMs: this.options.now(), detail };
  }
}

function nextOf(iterator: Iterator<PlantSample>): PlantSample | undefined {
  const step = iterator.next();
  return step.done ? undefined : step.value;
}
