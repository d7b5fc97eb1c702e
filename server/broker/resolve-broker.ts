/**
 * The broker this process uses: the one at `MQTT_URL`, or else an embedded one that it starts.
 *
 * With AUTH on, the embedded broker has accounts and topic ACLs: the service's own clients log in as
 * `MQTT_USERNAME`/`MQTT_PASSWORD` if set, else as `culturewatch-service` with a random password made
 * now and never logged; the demo simulator as `culturewatch-simulator` (random password too), a device
 * granted only its simulated reactors; the plant's devices with the accounts of `MQTT_DEVICES`.
 * An external broker enforces its own accounts and ACLs (server/README.md, "MQTT devices and ACLs").
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { randomSecret } from '../auth/password-hash';
import type { EmbeddedBrokerTls, MqttSettings } from '../config';
import type { BrokerConnection } from './broker-connection';
import {
  type EmbeddedBroker,
  type EmbeddedBrokerTlsListener,
  startEmbeddedBroker,
  type TlsCertificate,
} from './embedded-broker';
import type { MqttAccount } from './mqtt-accounts';
import { defaultServiceUsername, simulatorUsername } from './mqtt-devices';

export interface BrokerAccessOptions {
  /** AUTH: the embedded broker requires accounts and enforces topic ACLs. */
  authEnabled: boolean;
  topicPrefix: string;
  /** The demo simulator's reactors, when it runs: it gets an account granted only these. */
  simulatedReactors?: readonly string[];
}

export interface ResolvedBroker {
  /** For the service's own clients (ingester, estimate and alarm publishers). */
  connection: BrokerConnection;
  /** For the demo simulator: its own device account on the embedded broker with AUTH on, else `connection`. */
  simulatorConnection: BrokerConnection;
  /** Present when we started it; close it after the clients. */
  embedded?: EmbeddedBroker;
  /**
   * With the embedded broker's TLS listener: reads its files again and serves them to new
   * connections (a renewed certificate). Throws, keeping the old ones, if a file fails.
   */
  reloadTlsFiles?: () => void;
}

/**
 * Client ids only the service's account may use on the embedded broker: the ingester's (a device
 * taking it would take over its persistent session) and the prefixes of server/broker/service-publisher.ts
 * clients (server/realtime/estimate-publisher.ts, server/alerts/alarm-mqtt.ts).
 */
const servicePublisherClientIdPrefixes = ['culturewatch-estimates-', 'culturewatch-alarms-'];

/**
 * Without `access` (the standalone ingester, older callers) the embedded broker is open, or asks for
 * `MQTT_USERNAME`/`MQTT_PASSWORD` from everyone, as before accounts existed.
 */
export async function resolveBroker(
  settings: MqttSettings,
  logger: Logger,
  access?: BrokerAccessOptions,
): Promise<ResolvedBroker> {
  const credentials = {
    ...(settings.username !== undefined && { username: settings.username }),
    ...(settings.password !== undefined && { password: settings.password }),
  };
  if (settings.url !== undefined) {
    if (access?.authEnabled && settings.devices.length > 0)
      logger.warn(
        { devices: settings.devices.length },
        'MQTT_DEVICES applies to the embedded broker only; the broker at MQTT_URL keeps its own accounts',
      );
    const tls = readTlsFiles(settings);
    const connection: BrokerConnection = {
      url: settings.url,
      protocol: settings.protocol,
      ...credentials,
      ...(tls && { tls }),
    };
    return { connection, simulatorConnection: connection };
  }

  const tlsListener = embeddedTlsListener(settings);
  if (!access?.authEnabled) {
    const embedded = await startEmbeddedBroker({
      port: settings.port,
      host: settings.bindHost,
      logger,
      ...credentials,
      ...(tlsListener && { tls: tlsListener }),
    });
    const connection: BrokerConnection = { url: embedded.url, protocol: '3.1.1', ...credentials };
    return { connection, simulatorConnection: connection, embedded, ...tlsReloader(settings, embedded) };
  }

  const service = {
    username: settings.username ?? defaultServiceUsername,
    password: settings.password ?? randomSecret(),
  };
  const simulator = { username: simulatorUsername, password: randomSecret() };
  const accounts: MqttAccount[] = [
    {
      username: service.username,
      credential: { kind: 'secret', password: service.password },
      grant: { kind: 'service' },
    },
    ...settings.devices.map(
      (device): MqttAccount => ({
        username: device.username,
        credential: { kind: 'scrypt', hash: device.passwordHash },
        grant: {
          kind: 'device',
          reactors: device.reactors === 'all' ? 'all' : new Set(device.reactors),
        },
      }),
    ),
  ];
  if (access.simulatedReactors) {
    accounts.push({
      username: simulator.username,
      credential: { kind: 'secret', password: simulator.password },
      grant: { kind: 'device', reactors: new Set(access.simulatedReactors) },
    });
  }
  const embedded = await startEmbeddedBroker({
    port: settings.port,
    host: settings.bindHost,
    logger,
    ...(tlsListener && { tls: tlsListener }),
    access: {
      topicPrefix: access.topicPrefix,
      accounts,
      isServiceClientId: (clientId) =>
        clientId === settings.clientId ||
        servicePublisherClientIdPrefixes.some((prefix) => clientId.startsWith(prefix)),
    },
  });
  if (settings.devices.length === 0)
    logger.info(
      'no MQTT_DEVICES: only the service (and the demo simulator) may connect to the embedded broker',
    );
  const url = embedded.url;
  return {
    connection: { url, protocol: '3.1.1', ...service },
    simulatorConnection: { url, protocol: '3.1.1', ...simulator },
    embedded,
    ...tlsReloader(settings, embedded),
  };
}

function embeddedTlsListener(settings: MqttSettings): EmbeddedBrokerTlsListener | undefined {
  const tls = settings.serverTls;
  if (!tls) return undefined;
  return { port: tls.port, host: tls.bindHost, ...readServerCertificate(tls) };
}

function readServerCertificate(tls: EmbeddedBrokerTls): TlsCertificate {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ...(tls.clientCaFile !== undefined && { clientCa: readFileSync(tls.clientCaFile) }),
  };
}

function tlsReloader(
  settings: MqttSettings,
  embedded: EmbeddedBroker,
): Pick<ResolvedBroker, 'reloadTlsFiles'> {
  const tls = settings.serverTls;
  return tls ? { reloadTlsFiles: () => embedded.setTlsCertificate(readServerCertificate(tls)) } : {};
}

function readTlsFiles(settings: MqttSettings): BrokerConnection['tls'] {
  const { caFile, certFile, keyFile } = settings.tls;
  if (caFile === undefined && certFile === undefined) return undefined;
  return {
    ...(caFile !== undefined && { ca: readFileSync(caFile) }),
    ...(certFile !== undefined && { cert: readFileSync(certFile) }),
    ...(keyFile !== undefined && { key: readFileSync(keyFile) }),
  };
}
