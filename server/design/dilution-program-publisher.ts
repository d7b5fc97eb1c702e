/**
 * MQTT out: each accepted dilution program, retained at `<prefix>/<reactor>/$dilution-program` (QoS 1)
 * for the plant's control system (contract/mqtt.ts `DilutionProgramMessage`). The ingester ignores `$` topics.
 */
import type { Logger } from 'pino';
import type { AcceptedProgramView } from '../../contract/api';
import type { DilutionProgramMessage } from '../../contract/mqtt';
import type { BrokerConnection } from '../broker/broker-connection';
import { ServicePublisher, type ServicePublisherMetrics } from '../broker/service-publisher';
import type { Job } from '../lifecycle';

export function dilutionProgramMessageOf(accepted: AcceptedProgramView): DilutionProgramMessage {
  const { program } = accepted;
  return {
    reactorId: accepted.reactorId,
    programId: accepted.id,
    acceptedAtMs: accepted.acceptedAtMs,
    acceptedBy: accepted.acceptedBy,
    startMs: accepted.startMs,
    endMs: accepted.endMs,
    setPoints: program.perHour.map((perHour, k) => ({
      tMs: program.startMs + Math.round(k * program.gridH * 3_600_000),
      perHour,
    })),
    limits: accepted.limits,
    summary: accepted.summary,
  };
}

export class DilutionProgramPublisher implements Job<ServicePublisherMetrics> {
  readonly name = 'dilution-program-publisher';
  private readonly publisher: ServicePublisher;

  constructor(
    broker: BrokerConnection,
    private readonly topicPrefix: string,
    logger: Logger,
  ) {
    this.publisher = new ServicePublisher(broker, 'culturewatch-programs', logger.child({ job: this.name }));
  }

  start(): Promise<void> {
    return this.publisher.start();
  }

  health() {
    return this.publisher.health();
  }

  metrics(): ServicePublisherMetrics {
    return this.publisher.metrics();
  }

  publish(accepted: AcceptedProgramView): void {
    this.publisher.publish(
      `${this.topicPrefix}/${accepted.reactorId}/$dilution-program`,
      JSON.stringify(dilutionProgramMessageOf(accepted)),
      true,
      { reactorId: accepted.reactorId, programId: accepted.id },
      'could not publish a dilution program',
    );
  }

  stop(): Promise<void> {
    return this.publisher.stop();
  }
}
