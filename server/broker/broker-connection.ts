/** Where a client of ours connects, and the mqtt.js options every long-lived client of ours shares. */
import type { IClientOptions, MqttClient } from 'mqtt';

/** PEM contents of MQTT_CA_FILE, MQTT_CERT_FILE, MQTT_KEY_FILE; the system's CAs without `ca`. */
export interface ClientTlsFiles {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Our clients' TLS files, read again on SIGHUP (a renewed client certificate without a restart).
 * mqtt.js builds every new socket from `client.options`, so a reload updates each following
 * client's: a connection that is up stays up, and the next one presents the new certificate.
 */
export class ClientTls {
  private files: ClientTlsFiles;
  private readonly clients = new Set<MqttClient>();

  /** `readFiles` throws, with the setting's name, on a file that is unreadable or does not fit. */
  constructor(private readonly readFiles: () => ClientTlsFiles) {
    this.files = readFiles();
  }

  get current(): ClientTlsFiles {
    return this.files;
  }

  /** The client's next connections use the files of the latest reload. */
  follow(client: MqttClient): void {
    this.clients.add(client);
    client.once('end', () => this.clients.delete(client));
    Object.assign(client.options, this.files);
  }

  /** Reads the files again; throws, keeping the old ones, if one is unreadable or the key does not fit. */
  reload(): void {
    const next = this.readFiles();
    this.files = next;
    for (const client of this.clients) Object.assign(client.options, next);
  }
}

export interface BrokerConnection {
  url: string;
  username?: string;
  password?: string;
  /** aedes (the embedded broker) speaks 3.1.1 only. */
  protocol: '5' | '3.1.1';
  /** For `mqtts://`: every client made from this connection must `follow` it. */
  tls?: ClientTls;
}

/** A week: long enough to ride out any outage, short enough that a retired client's queue is eventually freed. */
const sessionExpirySeconds = 7 * 24 * 3600;

/** Protocol version, credentials and TLS: what every client of ours presents to the broker. */
export function connectionOptions(connection: BrokerConnection): IClientOptions {
  const options: IClientOptions = { protocolVersion: connection.protocol === '5' ? 5 : 4 };
  if (connection.username !== undefined) options.username = connection.username;
  if (connection.password !== undefined) options.password = connection.password;
  const tls = connection.tls?.current;
  if (tls) {
    // mqtt.js verifies the broker's certificate (rejectUnauthorized) unless told otherwise; we never do.
    options.rejectUnauthorized = true;
    if (tls.ca) options.ca = tls.ca;
    if (tls.cert) options.cert = tls.cert;
    if (tls.key) options.key = tls.key;
  }
  return options;
}

/**
 * A persistent session (`clean: false`, fixed client id) so that the broker queues QoS-1 messages
 * while we are away. MQTT 5 also needs a session expiry for that, and lets us raise the broker's
 * in-flight window to the maximum: we acknowledge after a commit, so a small window would throttle us.
 */
export function persistentSessionOptions(
  connection: BrokerConnection,
  clientId: string,
  reconnectPeriodMs: number,
): IClientOptions {
  const options: IClientOptions = {
    ...connectionOptions(connection),
    clientId,
    clean: false,
    reconnectPeriod: reconnectPeriodMs,
    connectTimeout: 10_000,
    keepalive: 30,
    // We subscribe on every connect ourselves; mqtt.js would skip it whenever the broker claims a session.
    resubscribe: false,
  };
  if (connection.protocol === '5') {
    options.properties = { sessionExpiryInterval: sessionExpirySeconds, receiveMaximum: 65535 };
  }
  return options;
}
