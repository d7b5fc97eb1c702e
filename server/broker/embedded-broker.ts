/**
 * An MQTT broker inside our process (aedes, MQTT 3.1.1), so that `npm start` needs nothing installed.
 *
 * With `access` (AUTH on) every client logs in with an account (mqtt-accounts.ts) and the topic ACLs
 * of topic-acl.ts hold: a refused publish closes the device's connection (MQTT 3.1.1 lets a broker
 * either acknowledge and drop or disconnect; aedes disconnects), a refused subscription is answered
 * 0x80 in the SUBACK and the connection stays. Every refusal is counted and logged (refusal-log.ts).
 * Without `access` it is open, or asks every client for one shared username and password.
 * Our own clients use the plain listener (on loopback by default); devices on the network can use a
 * second one over TLS.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import {
  createServer as createTlsServer,
  type SecureContextOptions,
  type Server as TlsServer,
} from 'node:tls';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { type MqttAccount, MqttAccounts } from './mqtt-accounts';
import { refuseMalformedStrings } from './mqtt-strings';
import { type MqttRefusalMetrics, RefusalLog } from './refusal-log';
import { mayPublish, mayRead, maySubscribe, type SparkplugReactors, type TopicGrant } from './topic-acl';

export interface EmbeddedBrokerAccess {
  topicPrefix: string;
  /** The accounts fixed at start: the service's, the simulator's, `MQTT_DEVICES`. */
  accounts: readonly MqttAccount[];
  /** The accounts made while running (the dashboard's), looked up at each login. */
  lookupAccount?: (username: string) => MqttAccount | undefined;
  /** Told of each device's login and accepted publish (not the service's). */
  activity?: DeviceActivitySink;
  /** Client ids that only the service's account may take (its ingester's persistent session, its publishers). */
  isServiceClientId(clientId: string): boolean;
  /** The reactors each mapped Sparkplug edge node speaks for (topic-acl.ts), when the service maps any. */
  sparkplugReactors?: SparkplugReactors;
}

export interface DeviceActivitySink {
  connected(username: string): void;
  published(username: string): void;
}

export interface EmbeddedBrokerOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Without `access`: when set, every client must present these; otherwise anyone may connect. */
  username?: string;
  password?: string;
  /** Accounts and topic ACLs (AUTH on). */
  access?: EmbeddedBrokerAccess;
  /** A second listener, over TLS, for devices on the network. */
  tls?: EmbeddedBrokerTlsListener;
  logger: Logger;
}

export interface TlsCertificate {
  cert: Buffer;
  key: Buffer;
  /** When set, a client must present a certificate signed by this CA. */
  clientCa?: Buffer;
}

export interface EmbeddedBrokerTlsListener extends TlsCertificate {
  /** 0 picks a free port. */
  port: number;
  host: string;
}

export interface EmbeddedBroker {
  /** mqtt://host:port for our own clients. */
  url: string;
  port: number;
  /** The TLS listener's port, when there is one. */
  tlsPort: number | undefined;
  /** Closes every open connection of `username` (a revoked account); how many were closed. */
  disconnect(username: string): number;
  /** Open connections logged in as `username` (0 without accounts). */
  connections(username: string): number;
  /**
   * New connections to the TLS listener get this certificate and client CA (a renewal); open ones
   * keep theirs. Whether client certificates are required stays as at start.
   */
  setTlsCertificate(certificate: TlsCertificate): void;
  /** Refused connections, publishes and subscriptions since start. */
  metrics(): MqttRefusalMetrics;
  close(): Promise<void>;
}

/** CONNACK return codes of MQTT 3.1.1 (aedes's AuthErrorCode is a const enum, not importable here). */
const connack = { identifierRejected: 2, serverUnavailable: 3, badUsernameOrPassword: 4 } as const;

function connectError(message: string, returnCode: number): AuthenticateError {
  const error = new Error(message) as AuthenticateError;
  error.returnCode = returnCode;
  return error;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = options.logger.child({ job: 'embedded-broker' });
  const broker = await Aedes.createBroker();
  const refusals = new RefusalLog(log);
  const sessions = options.access ? guardWithAccounts(broker, options.access, refusals) : undefined;
  if (!options.access && options.username !== undefined) guardWithSharedCredential(broker, options, refusals);
  broker.on('clientError', (client, error) => log.debug({ clientId: client.id, err: error }, 'client error'));

  // Every raw socket, a TLS one still in its handshake too, so that close() can end them all.
  const sockets = new Set<Socket>();
  const remember = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  // A string MQTT forbids closes the connection, as mosquitto does (mqtt-strings.ts).
  const handle = (socket: Socket) => {
    const client = broker.handle(socket);
    refuseMalformedStrings(client, ({ packet, reason }) =>
      refusals.refused({
        kind: packet === 'publish' ? 'publish' : packet === 'subscribe' ? 'subscribe' : 'connection',
        clientId: client.id,
        username: undefined,
        reason,
      }),
    );
  };
  const plainServer = createServer((socket) => {
    remember(socket);
    handle(socket);
  });
  const servers: Server[] = [plainServer];
  const { tls } = options;
  let tlsServer: TlsServer | undefined;
  let port: number;
  let tlsPort: number | undefined;
  try {
    port = await listen(plainServer, options.port, options.host);
    if (tls) {
      const clientCertificates = tls.clientCa ? { requestCert: true, rejectUnauthorized: true } : {};
      tlsServer = createTlsServer({ ...secureContextOptions(tls), ...clientCertificates }, handle);
      tlsServer.on('connection', remember);
      // An untrusted or missing client certificate, an expired one: counted and logged like any refusal.
      tlsServer.on('tlsClientError', (error, socket) =>
        refusals.refused({
          kind: 'connection',
          clientId: undefined,
          username: undefined,
          reason: 'tls-handshake',
          detail: `${error.message} (from ${socket.remoteAddress})`,
        }),
      );
      servers.push(tlsServer);
      tlsPort = await listen(tlsServer, tls.port, tls.host);
    }
  } catch (error) {
    // One listener failed (its port taken): close what did start, so nothing is left half open.
    refusals.close();
    await closeAll(broker, sockets, servers);
    throw error;
  }
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  log.info(
    {
      host: options.host,
      port,
      ...(tls && {
        tlsHost: tls.host,
        tlsPort,
        clientCertificates: tls.clientCa ? 'required' : 'not asked',
      }),
      access: options.access
        ? `accounts (${options.access.accounts.length})`
        : options.username !== undefined
          ? 'one shared credential'
          : 'open',
    },
    'embedded MQTT broker listening',
  );

  return {
    url: `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    tlsPort,
    disconnect: (username) => sessions?.disconnect(username) ?? 0,
    connections: (username) => sessions?.connections(username) ?? 0,
    setTlsCertificate: (certificate) => {
      if (!tlsServer) throw new Error('the embedded broker has no TLS listener');
      tlsServer.setSecureContext(secureContextOptions(certificate));
    },
    metrics: () => refusals.metrics(),
    close: async () => {
      refusals.close();
      await closeAll(broker, sockets, servers);
    },
  };
}

async function closeAll(broker: Aedes, sockets: Set<Socket>, servers: Server[]): Promise<void> {
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  for (const socket of sockets) socket.destroy();
  await Promise.all(
    servers
      .filter((server) => server.listening)
      .map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
  );
}

function secureContextOptions(certificate: TlsCertificate): SecureContextOptions {
  return {
    cert: certificate.cert,
    key: certificate.key,
    ...(certificate.clientCa && { ca: certificate.clientCa }),
  };
}

/** Listens and resolves with the port bound (options.port 0 picks a free one). */
async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

/** What the broker can do with the logged-in clients of one account. */
interface AccountSessions {
  disconnect(username: string): number;
  connections(username: string): number;
}

function guardWithAccounts(
  broker: Aedes,
  access: EmbeddedBrokerAccess,
  refusals: RefusalLog,
): AccountSessions {
  const accounts = new MqttAccounts(access.accounts, {
    ...(access.lookupAccount && { lookup: access.lookupAccount }),
  });
  const logins = new WeakMap<Client, { username: string; grant: TopicGrant }>();
  /** Connected clients by id: MQTT lets a new connection with the same id drop the old one. */
  const connected = new Map<string, Client>();
  broker.on('client', (client) => connected.set(client.id, client));
  broker.on('clientDisconnect', (client) => {
    if (connected.get(client.id) === client) connected.delete(client.id);
  });
  const { topicPrefix, sparkplugReactors } = access;

  broker.authenticate = (client, username, password, done) => {
    accounts.login(username, password).then(
      (result) => {
        if (!result.ok) {
          refusals.refused({ kind: 'connection', clientId: client.id, username, reason: result.reason });
          return result.reason === 'busy'
            ? done(connectError('too many logins at once', connack.serverUnavailable), false)
            : done(connectError('bad username or password', connack.badUsernameOrPassword), false);
        }
        const { account } = result;
        if (account.grant.kind !== 'service' && access.isServiceClientId(client.id)) {
          // Taking the ingester's client id would take over its session and its queued readings.
          refusals.refused({
            kind: 'connection',
            clientId: client.id,
            username,
            reason: 'service-client-id',
          });
          return done(connectError('client id reserved for the service', connack.identifierRejected), false);
        }
        const holder = connected.get(client.id);
        const holderName = holder && holder !== client ? logins.get(holder)?.username : undefined;
        if (holderName !== undefined && holderName !== account.username) {
          // Another account's connected id: taking it would knock that device off the broker.
          refusals.refused({ kind: 'connection', clientId: client.id, username, reason: 'client-id-in-use' });
          return done(connectError('client id in use by another account', connack.identifierRejected), false);
        }
        logins.set(client, { username: account.username, grant: account.grant });
        if (account.grant.kind === 'device') access.activity?.connected(account.username);
        done(null, true);
      },
      (error: unknown) =>
        done(connectError(`login failed: ${(error as Error).message}`, connack.serverUnavailable), false),
    );
  };

  broker.authorizePublish = (client, packet, callback) => {
    const login = client ? logins.get(client) : undefined;
    if (login && mayPublish(login.grant, topicPrefix, packet.topic, sparkplugReactors)) {
      if (login.grant.kind === 'device') access.activity?.published(login.username);
      return callback(null);
    }
    refusals.refused({
      kind: 'publish',
      clientId: client?.id,
      username: login?.username,
      topic: packet.topic,
      reason: login ? 'not-granted' : 'not-logged-in',
    });
    // aedes closes the connection: MQTT 3.1.1 has no way to tell the device otherwise.
    callback(new Error(`not allowed to publish to ${packet.topic}`));
  };

  broker.authorizeSubscribe = (client, subscription, callback) => {
    const login = logins.get(client);
    if (login && maySubscribe(login.grant, topicPrefix, subscription.topic, sparkplugReactors))
      return callback(null, subscription);
    refusals.refused({
      kind: 'subscribe',
      clientId: client.id,
      username: login?.username,
      topic: subscription.topic,
      reason: login ? 'not-granted' : 'not-logged-in',
    });
    callback(null, null); // 0x80 (failure) in the SUBACK; the connection stays.
  };

  // What a subscription passed is inside the client's grant already; this also covers messages
  // queued for a persistent session before its grant changed.
  broker.authorizeForward = (client, packet) => {
    const login = logins.get(client);
    return login && mayRead(login.grant, topicPrefix, packet.topic, sparkplugReactors) ? packet : null;
  };

  const clientsOf = (username: string) =>
    [...connected.values()].filter((client) => logins.get(client)?.username === username);
  return {
    disconnect: (username) => {
      const clients = clientsOf(username);
      for (const client of clients) client.close();
      return clients.length;
    },
    connections: (username) => clientsOf(username).length,
  };
}

/** AUTH off with MQTT_USERNAME/MQTT_PASSWORD: one credential for every client, and no topic ACLs. */
function guardWithSharedCredential(
  broker: Aedes,
  options: EmbeddedBrokerOptions,
  refusals: RefusalLog,
): void {
  const expectedUser = Buffer.from(options.username ?? '');
  const expectedPassword = Buffer.from(options.password ?? '');
  broker.authenticate = (client, username, password, done) => {
    const ok =
      sameBytes(Buffer.from(username ?? ''), expectedUser) &&
      sameBytes(password ?? Buffer.alloc(0), expectedPassword);
    if (ok) return done(null, true);
    refusals.refused({ kind: 'connection', clientId: client.id, username, reason: 'bad-password' });
    done(connectError('bad username or password', connack.badUsernameOrPassword), false);
  };
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
