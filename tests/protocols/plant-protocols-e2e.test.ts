/**
 * The service as `npm start` runs it with the plant on Sparkplug B (SIMULATOR_PROTOCOL=sparkplug),
 * its estimates published as a Sparkplug edge node, and the OPC UA server on: the simulated plant's
 * readings reach the dashboard's feed and the API, fits are made, a Sparkplug subscriber sees
 * culturewatch's births and data, and node-opcua's client browses, reads and subscribes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import {
  AttributeIds,
  type ClientSession,
  ClientSubscription,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  TimestampsToReturn,
  UserTokenType,
} from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReactorSummary } from '../../contract/api';
import { prepareAuthStatements } from '../../db/auth-statements';
import { openDatabase } from '../../db/open-database';
import { Accounts } from '../../server/auth/accounts';
import { sparkplugCodec } from '../../simulator/sparkplug-edge-node';
import { freePort } from '../fixtures/mosquitto';
import {
  listenToReactor,
  type ServiceProcess,
  startServiceProcess,
  waitUntil,
} from '../service/service-harness';

let dir: string;
let service: ServiceProcess;
let opcuaPort: number;
let spy: MqttClient;
const sparkplugSeen: { topic: string; payload: Buffer }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cw-protocols-'));
  const databasePath = join(dir, 'culturewatch.db');
  const database = openDatabase(databasePath);
  await new Accounts(prepareAuthStatements(database.sqlite)).create('scada', 'viewer', 'scada-password-1');
  database.close();
  const mqttPort = await freePort();
  opcuaPort = await freePort();
  service = await startServiceProcess({
    DATABASE_PATH: databasePath,
    MQTT_PORT: String(mqttPort),
    SIMULATOR: 'on',
    SIMULATOR_PROTOCOL: 'sparkplug',
    SIMULATOR_REACTORS: 'alpha',
    SIMULATOR_SPEED: '4',
    SIMULATOR_BACKFILL_DAYS: '0.75',
    SPARKPLUG_ESTIMATES: 'on',
    OPCUA_PORT: String(opcuaPort),
    OPCUA_PKI_DIR: join(dir, 'pki'),
    OPCUA_TRUST_CLIENTS: 'on',
  });
  spy = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { reconnectPeriod: 0 });
  spy.on('message', (topic, payload) => sparkplugSeen.push({ topic, payload }));
  await spy.subscribeAsync('spBv1.0/culturewatch/#');
}, 90_000);

afterAll(async () => {
  await spy?.endAsync();
  await service?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the plant on Sparkplug B', () => {
  it('reaches the dashboard’s feed and the API, and is fitted', async () => {
    const room = await listenToReactor(service.url, 'alpha');
    const alpha = await waitUntil(
      'alpha with readings of every online signal and an estimate',
      async () => {
        const r = await service.get<ReactorSummary[]>('/api/reactors');
        const a = r.body.find((x) => x.id === 'alpha');
        return a?.latest.od && a.latest.substrate && a.latest.dilution && a.latestEstimate?.status === 'ok'
          ? a
          : false;
      },
      60_000,
      () => service.output().slice(-3000),
    );
    expect(alpha.latest.dilution?.value).toBeGreaterThan(0);
    await waitUntil('live readings on socket.io', async () => room.batches.length > 0, 20_000);
    room.close();
    const host = service.logs().find((l) => l.msg === 'sparkplug host online');
    expect(host).toBeTruthy();
    expect(
      service.logs().filter((l) => l.reason !== undefined && String(l.reason).startsWith('sparkplug-')),
    ).toEqual([]);
  });
});

describe('the estimates as a Sparkplug edge node', () => {
  it('births the node again on a rebirth request, with the reactor’s device, composition and band', async () => {
    // The spy came after the first births: ask for new ones, as a SCADA host that starts late does.
    const rebirth = sparkplugCodec.encodePayload({
      timestamp: Date.now(),
      metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }],
    });
    await spy.publishAsync('spBv1.0/culturewatch/NCMD/culturewatch', Buffer.from(rebirth));
    const nbirth = await waitUntil(
      'the NBIRTH',
      async () => sparkplugSeen.find((m) => m.topic === 'spBv1.0/culturewatch/NBIRTH/culturewatch') ?? false,
      10_000,
    );
    const birthMetrics = sparkplugCodec.decodePayload(nbirth.payload).metrics ?? [];
    expect(birthMetrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['bdSeq', 'Node Control/Rebirth']),
    );
    const names = (
      await waitUntil(
        'a device birth with a composition',
        async () => {
          const births = sparkplugSeen.filter(
            (m) => m.topic === 'spBv1.0/culturewatch/DBIRTH/culturewatch/alpha',
          );
          const last = births.at(-1);
          if (!last) return false;
          const metrics = sparkplugCodec.decodePayload(last.payload).metrics ?? [];
          return metrics.some((m) => m.name === 'Composition/X' && typeof m.value === 'number')
            ? metrics
            : false;
        },
        30_000,
      )
    ).map((m) => m.name);
    expect(names).toEqual(
      expect.arrayContaining(['Composition/Y/Lower95', 'Composition/Y/Upper95', 'Model/State']),
    );
    expect(names.some((n) => n?.startsWith('Parameters/') && n.endsWith('/Determined'))).toBe(true);
  });
});

describe('the OPC UA server', () => {
  let client: OPCUAClient;
  let session: ClientSession;

  beforeAll(async () => {
    client = OPCUAClient.create({
      applicationName: 'culturewatch-test-scada',
      securityMode: MessageSecurityMode.SignAndEncrypt,
      securityPolicy: SecurityPolicy.Basic256Sha256,
      endpointMustExist: false,
      connectionStrategy: { maxRetry: 2, initialDelay: 200 },
      clientCertificateManager: new OPCUACertificateManager({
        rootFolder: join(dir, 'client-pki'),
        automaticallyAcceptUnknownCertificate: true,
      }),
    });
    await client.connect(`opc.tcp://127.0.0.1:${opcuaPort}`);
  }, 60_000);

  afterAll(async () => {
    await session?.close();
    await client?.disconnect();
  });

  it('refuses anonymous sessions and wrong passwords', async () => {
    await expect(client.createSession()).rejects.toThrow();
    await expect(
      client.createSession({ type: UserTokenType.UserName, userName: 'scada', password: 'wrong-password' }),
    ).rejects.toThrow();
  });

  it('offers no session over an unsecured channel', async () => {
    const plain = OPCUAClient.create({
      securityMode: MessageSecurityMode.None,
      securityPolicy: SecurityPolicy.None,
      endpointMustExist: false,
      connectionStrategy: { maxRetry: 0 },
      clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(dir, 'plain-pki') }),
    });
    try {
      await plain.connect(`opc.tcp://127.0.0.1:${opcuaPort}`);
      const endpoints = await plain.getEndpoints();
      expect(endpoints.map((e) => e.securityMode)).toEqual(
        endpoints.map(() => MessageSecurityMode.SignAndEncrypt),
      );
      await expect(
        plain.createSession({
          type: UserTokenType.UserName,
          userName: 'scada',
          password: 'scada-password-1',
        }),
      ).rejects.toThrow();
    } finally {
      await plain.disconnect();
    }
  });

  it('shows a folder per reactor with readings that carry unit, source time and status', async () => {
    session = await client.createSession({
      type: UserTokenType.UserName,
      userName: 'scada',
      password: 'scada-password-1',
    });
    const ns = (await session.readNamespaceArray()).indexOf('urn:culturewatch');
    expect(ns).toBeGreaterThan(0);
    const reactors = await session.browse(`ns=${ns};s=alpha`);
    expect(reactors.references?.map((r) => r.browseName.name)).toEqual(
      expect.arrayContaining(['Readings', 'Estimate', 'Model', 'Alarms']),
    );
    const od = await session.read({
      nodeId: `ns=${ns};s=alpha/Readings/od`,
      attributeId: AttributeIds.Value,
    });
    expect(od.statusCode).toBe(StatusCodes.Good);
    expect(typeof od.value.value).toBe('number');
    expect(od.sourceTimestamp?.getTime()).toBeLessThan(Date.now());
    const unitPath = await session.translateBrowsePath({
      startingNode: `ns=${ns};s=alpha/Readings/dilution`,
      relativePath: { elements: [{ targetName: { namespaceIndex: 0, name: 'EngineeringUnits' } }] },
    } as never);
    const unitNode = unitPath.targets?.[0]?.targetId;
    expect(unitNode).toBeTruthy();
    const unit = await session.read({ nodeId: unitNode!, attributeId: AttributeIds.Value });
    expect(unit.value.value.displayName.text).toBe('1/h');
  });

  it('shows the estimate with its band and the model state', async () => {
    const x = await waitUntil(
      'the composition of alpha',
      async () => {
        const v = await session.read({
          nodeId: `ns=${await nsIndex()};s=alpha/Estimate/Composition/X`,
          attributeId: AttributeIds.Value,
        });
        return v.statusCode.isGood() || v.statusCode.value === StatusCodes.UncertainLastUsableValue.value
          ? v
          : false;
      },
      30_000,
    );
    const ns = await nsIndex();
    const [lower, upper, state] = await session.read([
      { nodeId: `ns=${ns};s=alpha/Estimate/Composition/X/Lower95`, attributeId: AttributeIds.Value },
      { nodeId: `ns=${ns};s=alpha/Estimate/Composition/X/Upper95`, attributeId: AttributeIds.Value },
      { nodeId: `ns=${ns};s=alpha/Model/State`, attributeId: AttributeIds.Value },
    ]);
    expect(lower.value.value).toBeLessThanOrEqual(x.value.value);
    expect(upper.value.value).toBeGreaterThanOrEqual(x.value.value);
    expect(['ok', 'stale', 'mismatch']).toContain(state.value.value);
  });

  it('is read-only', async () => {
    const ns = await nsIndex();
    const status = await session.write({
      nodeId: `ns=${ns};s=alpha/Readings/od`,
      attributeId: AttributeIds.Value,
      value: { value: { dataType: 'Double', value: 1 } },
    } as never);
    expect(status).not.toBe(StatusCodes.Good);
  });

  it('notifies a subscription when new readings arrive', async () => {
    const ns = await nsIndex();
    const subscription = ClientSubscription.create(session, {
      requestedPublishingInterval: 100,
      requestedMaxKeepAliveCount: 20,
      publishingEnabled: true,
    });
    const item = await subscription.monitor(
      { nodeId: `ns=${ns};s=alpha/Readings/od`, attributeId: AttributeIds.Value },
      { samplingInterval: 100, queueSize: 10, discardOldest: true },
      TimestampsToReturn.Both,
    );
    const times = new Set<number>();
    item.on('changed', (value) => times.add(value.sourceTimestamp?.getTime() ?? 0));
    await waitUntil('three readings of od by subscription', async () => times.size >= 3, 30_000);
    await subscription.terminate();
  });

  it('logged no error on the way', () => {
    expect(service.logs().filter((l) => l.level >= 50)).toEqual([]);
  });

  async function nsIndex(): Promise<number> {
    return (await session.readNamespaceArray()).indexOf('urn:culturewatch');
  }
});
