/** Settings from environment variables; every default is here and in server/README.md. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  defaultServiceUsername,
  type MqttDevice,
  parseMqttDevices,
  simulatorUsername,
} from './broker/mqtt-devices';
import { ConfigError, optionalText, parseSettings, positiveNumber, setting } from './env-schema';

/** A client id or shared-subscription group: letters, digits, `_` and `-`. */
const mqttName = z.string().regex(/^[\w-]{1,64}$/);

const environment = z.object({
  MQTT_URL: setting(
    z
      .string()
      .regex(/^mqtts?:\/\/[^\s]+$/, 'must be mqtt://host[:port] or mqtts://host[:port]')
      .optional(),
  ),
  MQTT_PORT: setting(z.coerce.number().int().min(1).max(65535).default(1883)),
  MQTT_BIND_HOST: setting(z.string().default('127.0.0.1')),
  MQTT_USERNAME: optionalText,
  MQTT_PASSWORD: optionalText,
  MQTT_PROTOCOL: setting(z.enum(['5', '3.1.1']).default('5')),
  MQTT_CLIENT_ID: setting(mqttName.default('culturewatch-ingester')),
  MQTT_DEVICES: optionalText,
  MQTT_CA_FILE: optionalText,
  MQTT_CERT_FILE: optionalText,
  MQTT_KEY_FILE: optionalText,
  MQTT_SERVER_CERT_FILE: optionalText,
  MQTT_SERVER_KEY_FILE: optionalText,
  MQTT_SERVER_CA_FILE: optionalText,
  MQTT_TLS_PORT: setting(z.coerce.number().int().min(1).max(65535).default(8883)),
  MQTT_TLS_BIND_HOST: setting(z.string().default('0.0.0.0')),
  MQTT_SHARED_GROUP: setting(mqttName.optional()),
  TOPIC_PREFIX: setting(
    z
      .string()
      .regex(/^[^+#/\s]+(\/[^+#/\s]+)*$/, 'topic levels without wildcards or empty levels')
      .default('culturewatch'),
  ),
  DATABASE_PATH: setting(z.string().default('data/culturewatch.db')),
  DATABASE_URL: setting(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
      .optional(),
  ),
  DATABASE_SYNCHRONOUS: setting(z.enum(['full', 'normal']).default('full')),
  RETENTION_RAW_DAYS: positiveNumber(30),
  RETENTION_ROLLUP_1MIN_DAYS: positiveNumber(180),
  RETENTION_ROLLUP_15MIN_DAYS: positiveNumber(1825),
  RETENTION_SWEEP_MINUTES: positiveNumber(10),
  LOG_LEVEL: setting(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info')),
});

export interface MqttSettings {
  /** Unset: start the embedded broker on `port`. */
  url: string | undefined;
  port: number;
  bindHost: string;
  username: string | undefined;
  password: string | undefined;
  /** For an external broker; the embedded one (aedes) speaks 3.1.1 only. */
  protocol: '5' | '3.1.1';
  clientId: string;
  /** Set to share one subscription across several ingesters (`$share/<group>/…`). */
  sharedGroup: string | undefined;
  /** The embedded broker's device accounts (used when AUTH is on); empty when unset. */
  devices: MqttDevice[];
  /** PEM files for `mqtts://`: the CA that signed the broker's certificate, and our client certificate. */
  tls: MqttTlsFiles;
  /** The embedded broker's TLS listener for devices, when its certificate is given. */
  serverTls: EmbeddedBrokerTls | undefined;
}

export interface EmbeddedBrokerTls {
  port: number;
  bindHost: string;
  certFile: string;
  keyFile: string;
  /** When set, a device must also present a client certificate signed by this CA. */
  clientCaFile: string | undefined;
}

export interface MqttTlsFiles {
  caFile: string | undefined;
  certFile: string | undefined;
  keyFile: string | undefined;
}

export interface RetentionSettings {
  rawDays: number;
  rollup1MinDays: number;
  rollup15MinDays: number;
  sweepMinutes: number;
}

export interface Config {
  mqtt: MqttSettings;
  topicPrefix: string;
  /** `url`: the PostgreSQL store of a scaled deployment (deploy/scaled/); else the SQLite file at `path`. */
  database: { path: string; synchronous: 'full' | 'normal'; url?: string };
  retention: RetentionSettings;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
}

/** Hosts only this machine can reach: where a listener without accounts may bind. */
export const loopbackHosts: ReadonlySet<string> = new Set(['127.0.0.1', '::1', 'localhost']);

export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const e = parseSettings(environment, env);
  return {
    mqtt: {
      url: e.MQTT_URL,
      port: e.MQTT_PORT,
      bindHost: e.MQTT_BIND_HOST,
      username: e.MQTT_USERNAME,
      password: e.MQTT_PASSWORD,
      protocol: e.MQTT_PROTOCOL,
      clientId: e.MQTT_CLIENT_ID,
      sharedGroup: e.MQTT_SHARED_GROUP,
      devices: mqttDevices(e.MQTT_DEVICES, e.MQTT_USERNAME),
      tls: mqttTlsFiles(e.MQTT_URL, e.MQTT_CA_FILE, e.MQTT_CERT_FILE, e.MQTT_KEY_FILE),
      serverTls: embeddedBrokerTls(e, env),
    },
    topicPrefix: e.TOPIC_PREFIX,
    database: {
      path: e.DATABASE_PATH,
      synchronous: e.DATABASE_SYNCHRONOUS,
      ...(e.DATABASE_URL !== undefined && { url: e.DATABASE_URL }),
    },
    retention: {
      rawDays: e.RETENTION_RAW_DAYS,
      rollup1MinDays: e.RETENTION_ROLLUP_1MIN_DAYS,
      rollup15MinDays: e.RETENTION_ROLLUP_15MIN_DAYS,
      sweepMinutes: e.RETENTION_SWEEP_MINUTES,
    },
    logLevel: e.LOG_LEVEL,
  };
}

function mqttDevices(json: string | undefined, serviceUsername: string | undefined): MqttDevice[] {
  if (json === undefined) return [];
  try {
    return parseMqttDevices(json, [serviceUsername ?? defaultServiceUsername, simulatorUsername]);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

function mqttTlsFiles(
  url: string | undefined,
  caFile: string | undefined,
  certFile: string | undefined,
  keyFile: string | undefined,
): MqttTlsFiles {
  const files = { MQTT_CA_FILE: caFile, MQTT_CERT_FILE: certFile, MQTT_KEY_FILE: keyFile };
  const given = Object.entries(files).filter(([, path]) => path !== undefined);
  if (given.length > 0 && !url?.startsWith('mqtts://'))
    throw new ConfigError(`${given.map(([name]) => name).join(', ')}: only for an mqtts:// MQTT_URL`);
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new ConfigError('MQTT_CERT_FILE and MQTT_KEY_FILE go together (a client certificate and its key)');
  for (const [name, path] of given) readPemFile(name, path as string, name !== 'MQTT_KEY_FILE');
  return { caFile, certFile, keyFile };
}

function embeddedBrokerTls(
  e: z.infer<typeof environment>,
  env: Readonly<Record<string, string | undefined>>,
): EmbeddedBrokerTls | undefined {
  const files = {
    MQTT_SERVER_CERT_FILE: e.MQTT_SERVER_CERT_FILE,
    MQTT_SERVER_KEY_FILE: e.MQTT_SERVER_KEY_FILE,
    MQTT_SERVER_CA_FILE: e.MQTT_SERVER_CA_FILE,
  };
  const given = Object.entries(files).filter(([, path]) => path !== undefined);
  if (given.length === 0) {
    const listenerSettings = ['MQTT_TLS_PORT', 'MQTT_TLS_BIND_HOST'].filter((name) => env[name]);
    if (listenerSettings.length > 0)
      throw new ConfigError(
        `${listenerSettings.join(', ')}: the embedded broker's TLS listener needs MQTT_SERVER_CERT_FILE and MQTT_SERVER_KEY_FILE`,
      );
    return undefined;
  }
  if (e.MQTT_URL !== undefined)
    throw new ConfigError(
      `${given.map(([name]) => name).join(', ')}: only for the embedded broker; the broker at MQTT_URL has its own`,
    );
  if (e.MQTT_SERVER_CERT_FILE === undefined || e.MQTT_SERVER_KEY_FILE === undefined)
    throw new ConfigError(
      "MQTT_SERVER_CERT_FILE and MQTT_SERVER_KEY_FILE go together (the embedded broker's certificate and its key)",
    );
  for (const [name, path] of given) readPemFile(name, path as string, name !== 'MQTT_SERVER_KEY_FILE');
  return {
    port: e.MQTT_TLS_PORT,
    bindHost: e.MQTT_TLS_BIND_HOST,
    certFile: e.MQTT_SERVER_CERT_FILE,
    keyFile: e.MQTT_SERVER_KEY_FILE,
    clientCaFile: e.MQTT_SERVER_CA_FILE,
  };
}

/** The file of setting `name`, refused if unreadable or (for a certificate) without a PEM certificate. */
export function readPemFile(name: string, path: string, certificate: boolean): Buffer {
  let contents: Buffer;
  try {
    contents = readFileSync(path);
  } catch {
    throw new ConfigError(`${name}: cannot read ${path}`);
  }
  if (certificate && !contents.toString('utf8').includes('-----BEGIN CERTIFICATE-----'))
    throw new ConfigError(`${name}: ${path} holds no PEM certificate`);
  return contents;
}

/** The embedded broker's listeners that other machines can reach (a broker without accounts may have none). */
export function nonLoopbackListeners(mqtt: MqttSettings): { setting: string; host: string }[] {
  if (mqtt.url !== undefined) return [];
  const listeners = [{ setting: 'MQTT_BIND_HOST', host: mqtt.bindHost }];
  if (mqtt.serverTls) listeners.push({ setting: 'MQTT_TLS_BIND_HOST', host: mqtt.serverTls.bindHost });
  return listeners.filter(({ host }) => !loopbackHosts.has(host));
}
