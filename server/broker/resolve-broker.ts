/** The broker this process uses: the one at `MQTT_URL`, or else an embedded one that it starts. */
import type { Logger } from 'pino';
import type { MqttSettings } from '../config';
import type { BrokerConnection } from './broker-connection';
import { type EmbeddedBroker, startEmbeddedBroker } from './embedded-broker';

export interface ResolvedBroker {
  connection: BrokerConnection;
  /** Present when we started it; close it after the clients. */
  embedded?: EmbeddedBroker;
}

export async function resolveBroker(settings: MqttSettings, logger: Logger): Promise<ResolvedBroker> {
  const credentials = {
    ...(settings.username !== undefined && { username: settings.username }),
    ...(settings.password !== undefined && { password: settings.password }),
  };
  if (settings.url !== undefined) {
    return { connection: { url: settings.url, protocol: settings.protocol, ...credentials } };
  }
  const embedded = await startEmbeddedBroker({
    port: settings.port,
    host: settings.bindHost,
    logger,
    ...credentials,
  });
  return { connection: { url: embedded.url, protocol: '3.1.1', ...credentials }, embedded };
}
