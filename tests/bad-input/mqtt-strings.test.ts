/**
 * Strings MQTT forbids (U+0000, bytes that are not UTF-8) in a topic: mosquitto closes the
 * connection, as the MQTT spec requires, and the embedded broker must do the same — for publishes
 * and subscriptions, on its own and inside the running service (where nothing of it is stored).
 */

import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedBroker, startEmbeddedBroker } from '../../server/broker/embedded-broker';
import { silentLogger } from '../fixtures/ingest-harness';
import { type Mosquitto, startMosquitto } from '../fixtures/mosquitto';
import { type ServiceUnderTest, serviceAccount, serviceUnderTestAround } from './service-under-test';

const remainingLength = (n: number): Buffer => {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
};
const field = (bytes: Buffer): Buffer =>
  Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);
const packet = (type: number, body: Buffer) =>
  Buffer.concat([Buffer.from([type]), remainingLength(body.length), body]);

/** MQTT 3.1.1 CONNECT, clean session, with a username and password when given. */
function connectPacket(clientId: string, login?: { username: string; password: string }): Buffer {
  const flags = 0x02 | (login ? 0xc0 : 0);
  const body = [field(Buffer.from('MQTT')), Buffer.from([4, flags, 0, 60]), field(Buffer.from(clientId))];
  if (login) body.push(field(Buffer.from(login.username)), field(Buffer.from(login.password)));
  return packet(0x10, Buffer.concat(body));
}
const publishPacket = (topic: Buffer, payload: string) =>
  packet(0x30, Buffer.concat([field(topic), Buffer.from(payload)]));
const subscribePacket = (filter: Buffer) =>
  packet(0x82, Buffer.concat([Buffer.from([0, 1]), field(filter), Buffer.from([0])]));
const pingreq = Buffer.from([0xc0, 0]);

/**
 * Connects, sends `then` after the CONNACK, and pings: 'open' when the PINGRESP comes back (the
 * connection outlived the packet), 'closed' when the broker closed the connection instead.
 */
function afterPacket(
  url: string,
  then: Buffer,
  login?: { username: string; password: string },
): Promise<'open' | 'closed'> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.on('error', () => {});
    let received = Buffer.alloc(0);
    let sent = false;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('open');
    }, 3000);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (!sent && received[0] === 0x20 && received.length >= 4) {
        expect(received[3]).toBe(0); // connection accepted
        sent = true;
        socket.write(Buffer.concat([then, pingreq]));
      }
      if (sent && received.includes(Buffer.from([0xd0, 0]))) {
        clearTimeout(timer);
        socket.destroy();
        resolve('open');
      }
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(sent && !received.includes(Buffer.from([0xd0, 0])) ? 'closed' : 'open');
    });
    socket.write(connectPacket(`strings-${Math.random().toString(36).slice(2, 10)}`, login));
  });
}

const withNull = Buffer.from('culturewatch/r1/od\u0000', 'utf8');
const notUtf8 = Buffer.concat([Buffer.from('culturewatch/r1/'), Buffer.from([0xc3, 0x28])]);
const replacementCharacter = Buffer.from('culturewatch/r1/\ufffd', 'utf8');
const fine = Buffer.from('culturewatch/r1/od');

describe('topics MQTT forbids close the connection', () => {
  let mosquitto: Mosquitto;
  let embedded: EmbeddedBroker;
  beforeAll(async () => {
    mosquitto = await startMosquitto();
    embedded = await startEmbeddedBroker({ port: 0, host: '127.0.0.1', logger: silentLogger });
  });
  afterAll(async () => {
    await mosquitto?.stop();
    await embedded?.close();
  });

  it('on the embedded broker as on mosquitto, for publishes and subscriptions', async () => {
    const cases = {
      'publish with U+0000': publishPacket(withNull, '1'),
      'publish with bytes that are not UTF-8': publishPacket(notUtf8, '1'),
      'subscribe with U+0000': subscribePacket(withNull),
      'subscribe with bytes that are not UTF-8': subscribePacket(notUtf8),
      'publish to a good topic': publishPacket(fine, '1'),
      'publish to a topic with a real U+FFFD': publishPacket(replacementCharacter, '1'),
    };
    const outcomes: Record<string, { mosquitto: string; embedded: string }> = {};
    for (const [name, bytes] of Object.entries(cases)) {
      outcomes[name] = {
        mosquitto: await afterPacket(mosquitto.url, bytes),
        embedded: await afterPacket(embedded.url, bytes),
      };
    }
    expect(outcomes).toEqual({
      'publish with U+0000': { mosquitto: 'closed', embedded: 'closed' },
      'publish with bytes that are not UTF-8': { mosquitto: 'closed', embedded: 'closed' },
      'subscribe with U+0000': { mosquitto: 'closed', embedded: 'closed' },
      'subscribe with bytes that are not UTF-8': { mosquitto: 'closed', embedded: 'closed' },
      'publish to a good topic': { mosquitto: 'open', embedded: 'open' },
      'publish to a topic with a real U+FFFD': { mosquitto: 'open', embedded: 'open' },
    });
    expect(embedded.metrics()).toMatchObject({ refusedPublishes: 2, refusedSubscribes: 2 });
  });
});

describe('inside the running service', () => {
  const service = serviceUnderTestAround('mqtt-strings');
  const { log } = service;
  let sut: ServiceUnderTest;
  beforeAll(() => {
    sut = service.get();
  });

  it('refuses the connection, counts and logs it, and stores nothing of it', async () => {
    const metrics = async () =>
      (await fetch(`${sut.service.url}/metrics`, { headers: { authorization: sut.authorization } })).text();
    const rejectedByIngester = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('culturewatch_readings_rejected_total'))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    const before = await metrics();
    expect(
      await afterPacket(sut.mqtt.url, publishPacket(withNull, '{"ts":1,"value":1}'), serviceAccount),
    ).toBe('closed');
    expect(await afterPacket(sut.mqtt.url, publishPacket(notUtf8, '0.5'), serviceAccount)).toBe('closed');
    await new Promise((r) => setTimeout(r, 300));
    const after = await metrics();
    expect(after).toMatch(/culturewatch_mqtt_refused_total\{kind="publish"\} 2\b/);
    expect(rejectedByIngester(after)).toBe(rejectedByIngester(before));
    const refusals = log
      .lines()
      .filter((l) => l.msg === 'MQTT publish refused')
      .map((l) => l.reason);
    expect(refusals).toEqual(['null-character', 'invalid-utf8']);
  });
});
