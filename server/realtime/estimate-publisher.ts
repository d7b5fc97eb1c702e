/**
 * MQTT out: each new successful estimate, retained at `<prefix>/<reactor>/$estimate` (QoS 1), so
 * that SCADA and other plant systems read the latest without HTTP. The ingester ignores `$` topics.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { FitRecord } from '../../contract/api';
import type { EstimateMessage } from '../../contract/mqtt';
import { satelliteFractionBand } from '../api/fit-records';
import type { BrokerConnection } from '../broker/broker-connection';
import { type Job, JobStatus } from '../lifecycle';

export interface EstimatePublisherMetrics {
  published: number;
  acknowledged: number;
  failed: number;
}

export function estimateMessageOf(fit: FitRecord): EstimateMessage | null {
  const satelliteFraction = satelliteFractionBand(fit.composition);
  if (fit.status !== 'ok' || !fit.composition || !fit.params || !satelliteFraction) return null;
  return {
    reactorId: fit.reactorId,
    fitId: fit.id,
    windowStartMs: fit.windowStartMs,
    windowEndMs: fit.windowEndMs,
    fittedAtMs: fit.fittedAtMs,
    satelliteFraction,
    composition: fit.composition,
    params: fit.params,
  };
}

export class EstimatePublisher implements Job<EstimatePublisherMetrics> {
  readonly name = 'estimate-publisher';
  private readonly status = new JobStatus();
  private readonly log: Logger;
  private client: MqttClient | undefined;
  private readonly counters = { published: 0, acknowledged: 0, failed: 0 };

  constructor(
    private readonly broker: BrokerConnection,
    private readonly topicPrefix: string,
    logger: Logger,
  ) {
    this.log = logger.child({ job: this.name });
  }

  async start(): Promise<void> {
    const options: IClientOptions = {
      clientId: `culturewatch-estimates-${randomUUID().slice(0, 8)}`,
      clean: true,
      reconnectPeriod: 1000,
      protocolVersion: this.broker.protocol === '5' ? 5 : 4,
    };
    if (this.broker.username !== undefined) options.username = this.broker.username;
    if (this.broker.password !== undefined) options.password = this.broker.password;
    const client = mqtt.connect(this.broker.url, options);
    this.client = client;
    client.on('connect', () => this.status.set('ready'));
    client.on('close', () => {
      if (this.status.state !== 'stopped') this.status.set('disconnected', 'broker connection closed');
    });
    client.on('error', (error) => this.log.debug({ err: error }, 'broker connection error'));
    await new Promise<void>((resolve) => {
      if (client.connected) resolve();
      else client.once('connect', () => resolve());
    });
  }

  health() {
    return this.status.health();
  }

  metrics(): EstimatePublisherMetrics {
    return { ...this.counters };
  }

  /** Publishes a successful fit; a failed one leaves the last good estimate standing. */
  publish(fit: FitRecord): void {
    const message = estimateMessageOf(fit);
    if (!message || !this.client) return;
    this.counters.published++;
    this.client.publish(
      `${this.topicPrefix}/${fit.reactorId}/$estimate`,
      JSON.stringify(message),
      { qos: 1, retain: true },
      (error) => {
        if (error) {
          this.counters.failed++;
          this.log.warn({ err: error, reactorId: fit.reactorId }, 'could not publish an estimate');
        } else this.counters.acknowledged++;
      },
    );
  }

  async stop(): Promise<void> {
    if (this.status.state === 'stopped') return;
    this.status.set('stopped');
    await this.client?.endAsync(false);
  }
}
