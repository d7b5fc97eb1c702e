/**
 * A satellite shift in the simulated plant fires the satellite-fraction alarm; an operator
 * acknowledges it over HTTP; the plant recovers and the alarm clears; each change goes out as a
 * signed webhook and on MQTT `$alarm`. The alarm engine is driven with the estimator's fits from a
 * replay of the simulated history (as the assimilator would have made them), not the full service.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  arrivalsFromOrder,
  compileModel,
  defaultEstimatorSettings,
  replayChain,
  replayHistory,
} from '../../assimilation';
import type { AlarmView, AlertsResponse } from '../../contract/api';
import type { AlarmMessage } from '../../contract/mqtt';
import { msFromPlantHours } from '../../contract/time';
import type { OpenDatabase } from '../../db/open-database';
import type { FitEvidence } from '../../server/alerts/alert-evidence';
import { loadAlertSettings } from '../../server/alerts/alert-settings';
import { type Alerting, startAlerting } from '../../server/alerts/alerting';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../server/broker/embedded-broker';
import { createRouter } from '../../server/http/router';
import { builtInModel } from '../../simulator/model-files';
import type { PlantSample } from '../../simulator/plant-sample';
import { PlantSimulation } from '../../simulator/plant-simulation';
import { silentLogger, waitFor } from '../fixtures/ingest-harness';
import { addEndpoint, openAlertsDatabase, WebhookReceiver } from './alerts-harness';

const secret = 'satellite-secret-0123456789';
const threshold = 0.017;
const shiftOnsetH = 24;
const recoveryStartH = 72;

/** Satellite fraction ≈ 0.011 at first; gB halves over 12 h from hour 24, and is restored over 12 h from hour 72. */
function shiftAndRecovery(): PlantSample[] {
  const sim = new PlantSimulation({ seed: 3 });
  sim.startSatelliteShift({ factor: 0.5, durationH: 12, startH: shiftOnsetH });
  sim.rampParameter('gB', 2, 12, recoveryStartH);
  return sim.advance(6 * 24);
}

function steady(): PlantSample[] {
  return new PlantSimulation({ seed: 5 }).advance(4 * 24);
}

/** The estimator's fits over a history, as the alert engine receives them. */
function* estimatorFits(reactorId: string, samples: PlantSample[]): Generator<FitEvidence> {
  const model = compileModel(builtInModel());
  const start = Float64Array.from(builtInModel().parameters, (p) => p.plantValue);
  const chain = replayChain(model, defaultEstimatorSettings, start);
  let fitId = 0;
  for (const { outcome: fit, refit } of replayHistory(chain, arrivalsFromOrder(samples))) {
    fitId++;
    const ok = fit.status === 'ok';
    yield {
      kind: 'fit',
      reactorId,
      fitId,
      windowEndMs: msFromPlantHours(fit.windowEndH),
      status: fit.status,
      reason: ok ? null : fit.reason,
      refit,
      satelliteFraction: ok ? fit.estimate.composition!.satellite_fraction : null,
      params: ok
        ? Object.fromEntries(fit.estimate.params.map((p) => [p.name, { value: p.value, sdLog: p.sdLog }]))
        : null,
      standardizedResiduals: ok ? Array.from(fit.fit.residuals) : null,
    };
  }
}

describe('satellite shift → alarm → acknowledge → recovery → clear', () => {
  let db: OpenDatabase;
  let broker: EmbeddedBroker;
  let alerting: Alerting;
  let http: Server;
  let apiUrl: string;
  const receiver = new WebhookReceiver(secret);
  const mqttMessages: { topic: string; message: AlarmMessage }[] = [];
  let subscriber: mqtt.MqttClient;

  beforeAll(async () => {
    db = openAlertsDatabase(['r1', 'r2']);
    await receiver.up();
    addEndpoint(db, { name: 'operations', url: receiver.url, secret });
    broker = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', logger: silentLogger });
    subscriber = await mqtt.connectAsync(broker.url, { protocolVersion: 4 });
    subscriber.on('message', (topic, payload) =>
      mqttMessages.push({ topic, message: JSON.parse(payload.toString('utf8')) as AlarmMessage }),
    );
    await subscriber.subscribeAsync('culturewatch/+/$alarm', { qos: 1 });
    const settings = loadAlertSettings({
      ALERT_RULES: JSON.stringify([
        {
          id: 'satellite-high',
          name: 'Satellite fraction high',
          kind: 'satellite-fraction',
          threshold,
          severity: 'major',
          pendingMinutes: 120,
          keepFiringMinutes: 180,
        },
      ]),
      WEBHOOK_RETRY_INITIAL_SECONDS: '0.05',
      WEBHOOK_RETRY_MAX_SECONDS: '0.5',
    });
    http = createServer();
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    apiUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    alerting = await startAlerting({
      database: db,
      broker: { url: broker.url, protocol: '3.1.1' },
      topicPrefix: 'culturewatch',
      settings,
      serviceUrl: apiUrl,
      logger: silentLogger,
    });
    const router = createRouter(alerting.routes, silentLogger);
    http.on('request', (req, res) => {
      if (!router(req, res)) res.writeHead(404).end();
    });
  });

  afterAll(async () => {
    await alerting?.stop();
    await subscriber?.endAsync();
    await new Promise<void>((resolve) => http?.close(() => resolve()));
    await broker?.close();
    await receiver.down();
    db?.close();
  });

  it('fires on the shift, is acknowledged, clears after recovery; a webhook and a $alarm per change', async () => {
    const r2: { kind: string; atH: number }[] = [];
    alerting.onTransition((t) => {
      if (t.alarm.reactorId === 'r2') r2.push({ kind: t.kind, atH: (t.evidenceAtMs ?? Number.NaN) / 3.6e6 });
    });
    let fitsSeen = 0;
    for (const evidence of estimatorFits('r2', shiftAndRecovery())) {
      fitsSeen++;
      const fired = alerting.engine.onFit(evidence).find((t) => t.kind === 'fired');
      if (!fired) continue;
      // The operator sees it and acknowledges it through the API.
      const response = await fetch(`${apiUrl}/api/alerts/${fired.alarmId}/acknowledge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ by: 'alice' }),
      });
      expect(response.status).toBe(200);
      expect(((await response.json()) as AlarmView).status).toBe('active-acknowledged');
    }
    // A steady reactor beside it raises nothing.
    for (const evidence of estimatorFits('r1', steady())) alerting.engine.onFit(evidence);

    expect(fitsSeen).toBeGreaterThan(100);
    expect(r2.map((t) => t.kind)).toEqual(['fired', 'acknowledged', 'cleared']);
    const firedAtH = r2[0].atH;
    const clearedAtH = r2[2].atH;
    expect(firedAtH).toBeGreaterThan(shiftOnsetH);
    expect(firedAtH).toBeLessThan(shiftOnsetH + 36);
    expect(clearedAtH).toBeGreaterThan(recoveryStartH);

    await waitFor('three webhooks', () => receiver.accepted.length === 3, 10_000);
    await waitFor('three $alarm messages', () => mqttMessages.length === 3, 10_000);

    expect(receiver.requests.every((r) => r.signatureValid)).toBe(true);
    const bodies = receiver.accepted.map((r) => r.body);
    expect(
      bodies.map((b) => [b.status, b.culturewatch.transition, b.alerts[0].annotations.acknowledged]),
    ).toEqual([
      ['firing', 'fired', 'false'],
      ['firing', 'acknowledged', 'true'],
      ['resolved', 'cleared', 'true'],
    ]);
    const [firing, acknowledged, resolved] = bodies;
    expect(firing.alerts[0].labels).toMatchObject({
      alertname: 'Satellite fraction high',
      reactor: 'r2',
      severity: 'major',
    });
    expect(firing.alerts[0].values.lowerBound).toBeGreaterThan(threshold);
    expect(firing.alerts[0].endsAt).toBe('0001-01-01T00:00:00Z');
    expect(acknowledged.alerts[0].annotations.acknowledged_by).toBe('alice');
    expect(resolved.alerts[0].values.lowerBound).toBeLessThanOrEqual(threshold);
    expect(Date.parse(resolved.alerts[0].endsAt)).toBeGreaterThanOrEqual(
      Date.parse(resolved.alerts[0].startsAt),
    );
    expect(new Set(bodies.map((b) => b.alerts[0].fingerprint)).size).toBe(1);
    expect(firing.externalURL).toBe(apiUrl);

    expect(mqttMessages.map((m) => [m.topic, m.message.transition, m.message.actor])).toEqual([
      ['culturewatch/r2/$alarm', 'fired', 'system'],
      ['culturewatch/r2/$alarm', 'acknowledged', 'alice'],
      ['culturewatch/r2/$alarm', 'cleared', 'system'],
    ]);

    const history = (await (await fetch(`${apiUrl}/api/alerts?state=all`)).json()) as AlertsResponse;
    expect(history.alarms).toHaveLength(1);
    expect(history.alarms[0]).toMatchObject({
      reactorId: 'r2',
      status: 'cleared-acknowledged',
      fireCount: 1,
    });
    expect(history.events.map((e) => [e.kind, e.actor])).toEqual([
      ['cleared', 'system'],
      ['acknowledged', 'alice'],
      ['fired', 'system'],
    ]);
    // Nothing left for an operator: the default listing shows open alarms only.
    const open = (await (await fetch(`${apiUrl}/api/alerts`)).json()) as AlertsResponse;
    expect(open.alarms).toHaveLength(0);
  });
});
