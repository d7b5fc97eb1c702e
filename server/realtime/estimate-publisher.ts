/**
 * MQTT out: each new successful estimate, retained at `<prefix>/<reactor>/$estimate` (QoS 1), so
 * that SCADA and other plant systems read the latest without HTTP. The ingester ignores `$` topics.
 */
import type { Logger } from 'pino';
import type { FitRecord } from '../../contract/api';
import type { EstimateMessage } from '../../contract/mqtt';
import { satelliteFractionBand } from '../api/fit-records';
import type { BrokerConnection } from '../broker/broker-connection';
import { ServicePublisher, type ServicePublisherMetrics } from '../broker/service-publisher';
import type { Job } from '../lifecycle';

export type EstimatePublisherMetrics = ServicePublisherMetrics;

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
    combinations: fit.combinations ?? [],
  };
}

export class EstimatePublisher implements Job<EstimatePublisherMetrics> {
  readonly name = 'estimate-publisher';
  private readonly publisher: ServicePublisher;

  constructor(
    broker: BrokerConnection,
    private readonly topicPrefix: string,
    logger: Logger,
  ) {
    this.publisher = new ServicePublisher(broker, 'culturewatch-estimates', logger.child({ job: this.name }));
  }

  start(): Promise<void> {
    return this.publisher.start();
  }

  health() {
    return this.publisher.health();
  }

  metrics(): EstimatePublisherMetrics {
    return this.publisher.metrics();
  }

  /** Publishes a successful fit; a failed one leaves the last good estimate standing. */
  publish(fit: FitRecord): void {
    const message = estimateMessageOf(fit);
    if (!message) return;
    const topic = `${this.topicPrefix}/${fit.reactorId}/$estimate`;
    this.publisher.publish(
      topic,
      JSON.stringify(message),
      true,
      { reactorId: fit.reactorId },
      'could not publish an estimate',
    );
  }

  stop(): Promise<void> {
    return this.publisher.stop();
  }
}
