/**
 * The broker this process uses: the one at `MQTT_URL`, or else an embedded one that it starts.
 *
 * With AUTH on, the embedded broker has accounts and topic ACLs: the service's own clients log in as
 * `MQTT_USERNAME`/`MQTT_PASSWORD` if set, else as `culturewatch-service` with a random password made
 * now and never logged; the demo simulator as `culturewatch-simulator` (random password too), a device
 * granted only its simulated reactors; the plant's devices with the accounts of `MQTT_DEVICES` and those made in
 * the dashboard (device-accounts.ts, looked up at each login).
 * An external broker enforces its own accounts and ACLs (server/README.md, "MQTT devices and ACLs").
 */
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { BrokerView } from '../../contract/devices';
import { randomSecret } from '../auth/password-hash';
import { type EmbeddedBrokerTls, type MqttSettings, readPemFile } from '../config';
import { ConfigError } from '../env-schema';
import { type BrokerConnection, ClientTls, type ClientTlsFiles } from './broker-connection';
import type { DeviceAccounts } from './device-accounts';
import {
  type EmbeddedBroker,
  type EmbeddedBrokerTlsListener,
  startEmbeddedBroker,
  type TlsCertificate,
} from './embedded-broker';
import type { MqttAccount } from './mqtt-accounts';
import { defaultServiceUsername, simulatorUsername } from './mqtt-devices';
import type { SparkplugReactors } from './topic-acl';

export interface BrokerAccessOptions {
  /** AUTH: the embedded broker requires accounts and enforces topic ACLs. */
  authEnabled: boolean;
  topicPrefix: string;
  /** The demo simulator's reactors, when it runs: it gets an account granted only these. */
  simulatedReactors?: readonly string[];
  /** The reactors of each mapped Sparkplug edge node, for the devices' topic ACLs. */
  sparkplugReactors?: SparkplugReactors;
  /** The dashboard's device accounts: attached to the embedded broker when it has accounts. */
  devices?: DeviceAccounts;
}

export interface ResolvedBroker {
  /** For the service's own clients (ingester, estimate and alarm publishers). */
  connection: BrokerConnection;
  /** For the demo simulator: its own device account on the embedded broker with AUTH on, else `connection`. */
  simulatorConnection: BrokerConnection;
  /** Present when we started it; close it after the clients. */
  embedded?: EmbeddedBroker;
  /** Where devices connect, for the dashboard (contract/devices.ts); with `access` only. */
  view?: BrokerView;
  /**
   * With TLS files (the embedded broker's listener, or our clients' towards `MQTT_URL`): reads them
   * again for new connections (a renewed certificate). Throws, keeping the old ones, if a file fails.
   */
  reloadTlsFiles?: () => void;
}

/**
 * Client ids only the service's account may use on the embedded broker: the ingester's (a device
 * taking it would take over its persistent session) and the prefixes of server/broker/service-publisher.ts
 * clients (server/realtime/estimate-publisher.ts, server/alerts/alarm-mqtt.ts).
 */
const servicePublisherClientIdPrefixes = [
  'culturewatch-estimates-',
  'culturewatch-alarms-',
  // server/sparkplug/: the host application and the estimates' edge node
  'culturewatch-sparkplug-',
];

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
    const tls = clientTls(settings);
    const connection: BrokerConnection = {
      url: settings.url,
      protocol: settings.protocol,
      ...credentials,
      ...(tls && { tls }),
    };
    return {
      connection,
      simulatorConnection: connection,
      ...(access && { view: externalBrokerView(settings.url, access.topicPrefix) }),
      ...(tls && { reloadTlsFiles: () => tls.reload() }),
    };
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
    return {
      connection,
      simulatorConnection: connection,
      embedded,
      ...(access && {
        view: embeddedBrokerView(
          settings,
          embedded,
          settings.username !== undefined ? 'shared' : 'open',
          access.topicPrefix,
        ),
      }),
      ...tlsReloader(settings, embedded),
    };
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
      ...(access.devices && {
        lookupAccount: (username: string) => access.devices?.lookup(username),
        activity: access.devices.sink,
      }),
      isServiceClientId: (clientId) =>
        clientId === settings.clientId ||
        servicePublisherClientIdPrefixes.some((prefix) => clientId.startsWith(prefix)),
      ...(access.sparkplugReactors && { sparkplugReactors: access.sparkplugReactors }),
    },
  });
  access.devices?.attach(
    embedded,
    [
      ...settings.devices.map((d) => ({ ...d, source: 'environment' as const })),
      ...(access.simulatedReactors
        ? [{ username: simulator.username, reactors: access.simulatedReactors, source: 'simulator' as const }]
        : []),
    ],
    [service.username, simulator.username],
  );
  if (settings.devices.length === 0)
    logger.info(
      'no MQTT_DEVICES: the service, the demo simulator and the accounts made in the dashboard may connect',
    );
  const url = embedded.url;
  return {
    connection: { url, protocol: '3.1.1', ...service },
    simulatorConnection: { url, protocol: '3.1.1', ...simulator },
    embedded,
    view: embeddedBrokerView(settings, embedded, 'accounts', access.topicPrefix),
    ...tlsReloader(settings, embedded),
  };
}

function embeddedBrokerView(
  settings: MqttSettings,
  embedded: EmbeddedBroker,
  access: 'accounts' | 'shared' | 'open',
  topicPrefix: string,
): BrokerView {
  const tls = settings.serverTls;
  return {
    kind: 'embedded',
    plain: { bindHost: settings.bindHost, port: embedded.port },
    tls:
      tls && embedded.tlsPort !== undefined
        ? {
            bindHost: tls.bindHost,
            port: embedded.tlsPort,
            clientCertificates: tls.clientCaFile !== undefined ? 'required' : 'not asked',
          }
        : null,
    access,
    topicPrefix,
  };
}

/** The broker at MQTT_URL, without the credentials a URL may carry. */
function externalBrokerView(url: string, topicPrefix: string): BrokerView {
  const parsed = new URL(url);
  const tls = parsed.protocol === 'mqtts:';
  return {
    kind: 'external',
    url: `${parsed.protocol}//${parsed.host}`,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? (tls ? 8883 : 1883) : Number(parsed.port),
    tls,
    topicPrefix,
  };
}

function embeddedTlsListener(settings: MqttSettings): EmbeddedBrokerTlsListener | undefined {
  const tls = settings.serverTls;
  if (!tls) return undefined;
  return { port: tls.port, host: tls.bindHost, ...readServerCertificate(tls) };
}

function readServerCertificate(tls: EmbeddedBrokerTls): TlsCertificate {
  return {
    cert: readPemFile('MQTT_SERVER_CERT_FILE', tls.certFile, true),
    key: readPemFile('MQTT_SERVER_KEY_FILE', tls.keyFile, false),
    ...(tls.clientCaFile !== undefined && {
      clientCa: readPemFile('MQTT_SERVER_CA_FILE', tls.clientCaFile, true),
    }),
  };
}

function tlsReloader(
  settings: MqttSettings,
  embedded: EmbeddedBroker,
): Pick<ResolvedBroker, 'reloadTlsFiles'> {
  const tls = settings.serverTls;
  return tls ? { reloadTlsFiles: () => embedded.setTlsCertificate(readServerCertificate(tls)) } : {};
}

function clientTls(settings: MqttSettings): ClientTls | undefined {
  const { caFile, certFile, keyFile } = settings.tls;
  if (caFile === undefined && certFile === undefined) return undefined;
  return new ClientTls((): ClientTlsFiles => {
    const files = {
      ...(caFile !== undefined && { ca: readPemFile('MQTT_CA_FILE', caFile, true) }),
      ...(certFile !== undefined && { cert: readPemFile('MQTT_CERT_FILE', certFile, true) }),
      ...(keyFile !== undefined && { key: readPemFile('MQTT_KEY_FILE', keyFile, false) }),
    };
    try {
      createSecureContext(files);
    } catch (error) {
      throw new ConfigError(`MQTT_CERT_FILE, MQTT_KEY_FILE: ${(error as Error).message}`);
    }
    return files;
  });
}

/**
 * SIGHUP reads the TLS files again (a renewed certificate without a restart, as mosquitto does). Only
 * where there are TLS files: otherwise SIGHUP keeps its default, so a closed terminal ends the process.
 */
export function reloadTlsOnSighup(broker: Pick<ResolvedBroker, 'reloadTlsFiles'>, logger: Logger): void {
  const { reloadTlsFiles } = broker;
  if (!reloadTlsFiles) return;
  process.on('SIGHUP', () => {
    try {
      reloadTlsFiles();
      logger.info('SIGHUP: the MQTT TLS files were read again');
    } catch (error) {
      logger.error({ err: error }, 'SIGHUP: could not read the MQTT TLS files; the old ones stay');
    }
  });
}
