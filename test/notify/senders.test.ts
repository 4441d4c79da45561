/**
 * Notification senders (src/notify/senders) against real receivers: a local HTTP server and the Mosquitto broker
 * on 127.0.0.1:1883 (MIMOSA_TEST_MQTT_URL). Outside CI a missing Mosquitto skips the MQTT tests with the reason;
 * with CI=true it fails them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import mqtt from 'mqtt';
import type { Delivery } from '../../src/notify/senders/delivery.js';
import { Senders } from '../../src/notify/senders/index.js';
import { MQTT_URL, mqttUnavailable } from '../support/mqtt.js';

const notification = { id: 'urn:ngsi-ld:Notification:1', type: 'Notification', subscriptionId: 'urn:ngsi-ld:Subscription:1', notifiedAt: '2026-01-01T00:00:00.000Z', data: [{ id: 'urn:x:1', type: 'T' }] };
const headers = { 'Content-Type': 'application/json', Link: '<https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.9.jsonld>; rel="http://www.w3.org/ns/json-ld#context"', 'X-Auth': 'secret' };
const delivery = (uri: string, extra: Partial<Delivery> = {}): Delivery => ({ uri, body: notification, headers, notifierInfo: {}, timeoutMs: 2000, ...extra });

const mqttMissing = await mqttUnavailable();

describe('HTTP sender (clause 5.2.15, http binding)', () => {
  const senders = new Senders();
  let server: Server;
  let base = '';
  const received: Array<{ req: IncomingMessage; body: string }> = [];
  before(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ req, body });
        const status = Number(req.url?.slice(1));
        if (req.url === '/hang') return;
        res.writeHead(Number.isInteger(status) && status >= 200 ? status : 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await senders.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('send should POST the notification with its headers and succeed when the endpoint answers 2xx', async () => {
    const out = await senders.send(delivery(`${base}/204`));
    assert.deepEqual(out, { ok: true, detail: 'HTTP 204' });
    const last = received.at(-1)!;
    assert.equal(last.req.method, 'POST');
    assert.equal(last.req.headers['x-auth'], 'secret');
    assert.match(String(last.req.headers.link), /ngsi-ld-core-context/);
    assert.deepEqual(JSON.parse(last.body), notification);
  });

  it('send should fail retryably when the endpoint answers 5xx, 408 or 429, and for good on another 4xx', async () => {
    for (const [status, retryable] of [[500, true], [503, true], [408, true], [429, true], [400, false], [404, false]] as const) {
      const out = await senders.send(delivery(`${base}/${status}`));
      assert.deepEqual(out, { ok: false, detail: `the endpoint answered HTTP ${status}`, retryable }, String(status));
    }
  });

  it('send should fail retryably within the timeout when the endpoint does not answer', async () => {
    const out = await senders.send(delivery(`${base}/hang`, { timeoutMs: 300 }));
    assert.deepEqual(out, { ok: false, detail: 'no answer within 300 ms', retryable: true });
  });

  it('send should fail retryably when nothing listens at the endpoint', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const out = await senders.send(delivery(`http://127.0.0.1:${port}/x`));
    assert.equal(out.ok, false);
    assert.equal(!out.ok && out.retryable, true);
    assert.match(out.detail, /ECONNREFUSED/);
  });

  it('send should refuse for good when the URI scheme is not http, https, mqtt or mqtts', async () => {
    assert.deepEqual(await senders.send(delivery('ftp://example.org/x')), { ok: false, detail: 'the ftp scheme is not supported for notifications', retryable: false });
  });
});

describe('MQTT sender (clause 5.2.15, MQTT binding)', { skip: !process.env.CI && mqttMissing ? mqttMissing : false }, () => {
  const senders = new Senders();
  after(() => senders.close());

  it('needs an MQTT broker', () => assert.equal(mqttMissing, undefined, mqttMissing));

  for (const [version, qos] of [['mqtt5.0', '0'], ['mqtt3.1.1', '1'], ['mqtt5.0', '2']] as const) {
    it(`send should publish metadata and body to the topic of the URI when MQTT-Version is ${version} and MQTT-QoS ${qos}`, async () => {
      const topic = `mimosa/test/${randomUUID()}`;
      const sub = await mqtt.connectAsync(MQTT_URL, { reconnectPeriod: 0 });
      try {
        const got = new Promise<Buffer>((resolve) => sub.on('message', (_t, m) => resolve(m)));
        await sub.subscribeAsync(topic, { qos: 2 });
        const out = await senders.send(delivery(`${MQTT_URL}/${topic}`, { notifierInfo: { 'MQTT-Version': version, 'MQTT-QoS': qos } }));
        assert.deepEqual(out, { ok: true, detail: `published to ${topic} with QoS ${qos}` });
        assert.deepEqual(JSON.parse(String(await got)), { metadata: headers, body: notification });
      } finally {
        await sub.endAsync();
      }
    });
  }

  it('send should refuse for good when the URI names no topic or notifierInfo is invalid', async () => {
    assert.deepEqual(await senders.send(delivery(`${MQTT_URL}/`)), { ok: false, detail: `the MQTT endpoint mqtt://${new URL(MQTT_URL).host} names no topic`, retryable: false });
    const qos = await senders.send(delivery(`${MQTT_URL}/t`, { notifierInfo: { 'MQTT-QoS': '3' } }));
    assert.deepEqual(qos, { ok: false, detail: 'MQTT-QoS must be 0, 1 or 2, not 3', retryable: false });
    const version = await senders.send(delivery(`${MQTT_URL}/t`, { notifierInfo: { 'MQTT-Version': 'mqtt2' } }));
    assert.equal(version.ok, false);
  });

  it('send should fail retryably when no MQTT broker listens at the endpoint', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const out = await senders.send(delivery(`mqtt://127.0.0.1:${port}/t`, { timeoutMs: 1000 }));
    assert.equal(out.ok, false);
    assert.equal(!out.ok && out.retryable, true);
  });
});
