/**
 * The service's own MQTT client for what it publishes ($estimate, $alarm): QoS 1, its own client id,
 * reconnecting on its own; mqtt.js holds messages while the broker is away. One place for the
 * connection, health and counters that every publisher shares.
 */
import { randomUUID } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { type JobHealth, JobStatus } from '../lifecycle';
import { type BrokerConnection, connectionOptions } from './broker-connection';
import { permanentRefusal } from './permanent-refusal';

export interface ServicePublisherMetrics {
  published: number;
  acknowledged: number;
  failed: number;
}

export class ServicePublisher {
  private readonly status = new JobStatus();
  private client: MqttClient | undefined;
  private readonly counters = { published: 0, acknowledged: 0, failed: 0 };

  constructor(
    private readonly broker: BrokerConnection,
    private readonly clientIdPrefix: string,
    private readonly log: Logger,
  ) {}

  /** Resolves once connected; until then (and during outages) publishes wait in the client's queue. */
  async start(): Promise<void> {
    const options: IClientOptions = {
      ...connectionOptions(this.broker),
      clientId: `${this.clientIdPrefix}-${randomUUID().slice(0, 8)}`,
      clean: true,
      reconnectPeriod: 1000,
    };
    const client = mqtt.connect(this.broker.url, options);
    this.broker.tls?.follow(client);
    this.client = client;
    client.on('connect', () => this.status.set('ready'));
    client.on('close', () => {
      if (this.status.state !== 'stopped') this.status.set('disconnected', 'broker connection closed');
    });
    client.on('error', (error) => this.log.debug({ err: error }, 'broker connection error'));
    // Said once at start, where the service waits on this: the next line it logs is the reason or "ready".
    client.once('error', (error) => {
      if (!client.connected)
        this.log.warn({ err: error, url: this.broker.url }, 'waiting for the MQTT broker');
    });
    const connected = new Promise<void>((resolve) => {
      if (client.connected) resolve();
      else client.once('connect', () => resolve());
    });
    await Promise.race([connected, permanentRefusal(client, this.broker.url)]);
  }

  health(): JobHealth {
    return this.status.health();
  }

  metrics(): ServicePublisherMetrics {
    return { ...this.counters };
  }

  /** QoS 1; a failure is counted and logged with `context`. */
  publish(topic: string, payload: string, retain: boolean, context: object, failureMessage: string): void {
    if (!this.client || this.status.state === 'stopped') return;
    this.counters.published++;
    this.client.publish(topic, payload, { qos: 1, retain }, (error) => {
      if (error) {
        this.counters.failed++;
        this.log.warn({ err: error, ...context }, failureMessage);
      } else this.counters.acknowledged++;
    });
  }

  /** Waits for what is in flight, then disconnects. */
  async stop(): Promise<void> {
    if (this.status.state === 'stopped') return;
    this.status.set('stopped');
    await this.client?.endAsync(false);
  }
}
