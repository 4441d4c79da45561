/**
 * What notifications carry (clause 5.3.1 Notification, 5.2.14 NotificationParams, 5.2.15 Endpoint, binding 7.2 and
 * 7.3): projection, formats, sysAttrs, showChanges, lang, media types and their @context, Link and receiverInfo
 * headers, tenants and their isolation, and MQTT endpoints (Mosquitto at MIMOSA_TEST_MQTT_URL; outside CI a missing
 * broker skips those tests with the reason, with CI=true it fails them).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import mqtt from 'mqtt';
import { CORE_CONTEXT, ENTITIES, entityUrl, hostContext, JSONLD_REL, linkHeader, uniqueId, uniqueTenant, type Headers } from '../support/http.js';
import { assertNothingMore, dataOf, describeDelivery, expect, prop, subscribe, uniquePath, uniqueType, type DeliveryHarness } from '../support/notify.js';
import { MQTT_URL, mqttUnavailable } from '../support/mqtt.js';

const EX = 'http://example.org/';

const mqttMissing = await mqttUnavailable();

/** A subscription on `type` notifying `path` with notification members `params` and endpoint members `endpoint`. */
function on(h: DeliveryHarness, type: string, path: string, o: { members?: object; params?: object; endpoint?: object; headers?: Headers } = {}) {
  const notification = { ...o.params, endpoint: { uri: h.receiver.url(path), ...o.endpoint } };
  return subscribe(h.app, { entities: [{ type }], notification, ...o.members }, o.headers);
}

describeDelivery('Notification content (5.3.1, 5.2.14, 5.2.15)', (h) => {
  const create = (entity: Record<string, unknown>, headers: Headers = {}) => expect(h().app, 201, 'POST', ENTITIES, entity, headers);
  const patchAttrs = (id: string, attrs: Record<string, unknown>, headers: Headers = {}) => expect(h().app, 204, 'PATCH', entityUrl(id, '/attrs'), attrs, headers);

  /** Creates a subscription, then entity {id, type, speed 10, brand Volvo}; returns the notification received. */
  async function notified(o: Parameters<typeof on>[3] = {}, entity: Record<string, unknown> = { speed: prop(10), brand: prop('Volvo') }) {
    const [T, path, id] = [uniqueType('Car'), uniquePath('content'), uniqueId('Car')];
    const sub = await on(h(), T, path, o);
    await create({ id, type: T, ...entity });
    const [n] = await h().receiver.waitFor(path, 1);
    await assertNothingMore(h(), sub, path, 1);
    return { n, T, id, sub };
  }

  it('notification should carry only the projected attributes when notification.attributes is given', async () => {
    const { n, T, id } = await notified({ params: { attributes: ['speed'] } });
    assert.deepEqual(dataOf(n), [{ id, type: T, speed: prop(10) }]);
  });

  for (const [format, speed] of [['normalized', prop(10)], ['concise', 10], ['keyValues', 10]] as const) {
    it(`notification should render entities as ${format} when notification.format is ${format}`, async () => {
      const { n, T, id } = await notified({ params: { format } }, { speed: prop(10, { unitCode: 'KMH' }) });
      const expected = format === 'keyValues' ? speed : format === 'concise' ? { value: 10, unitCode: 'KMH' } : { ...prop(10), unitCode: 'KMH' };
      assert.deepEqual(dataOf(n), [{ id, type: T, speed: expected }]);
    });
  }

  it('notification should carry createdAt and modifiedAt when notification.sysAttrs is true', async () => {
    const { n } = await notified({ params: { sysAttrs: true } });
    const [e] = dataOf(n);
    for (const x of [e, e.speed, e.brand]) {
      assert.ok(!Number.isNaN(Date.parse(x.createdAt)), JSON.stringify(x));
      assert.ok(!Number.isNaN(Date.parse(x.modifiedAt)), JSON.stringify(x));
    }
  });

  it('notification should carry previousValue of updated attributes when notification.showChanges is true', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('show-changes'), uniqueId('Car')];
    await create({ id, type: T, speed: prop(10), brand: prop('Volvo') });
    const sub = await on(h(), T, path, { params: { showChanges: true } });
    await patchAttrs(id, { speed: prop(20) });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.deepEqual(dataOf(n), [{ id, type: T, speed: { type: 'Property', value: 20, previousValue: 10 }, brand: prop('Volvo') }]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('notification should give LanguageProperties in the requested language when lang is given', async () => {
    const { n } = await notified({ members: { lang: 'fr' } }, { name: { type: 'LanguageProperty', languageMap: { en: 'Station', fr: 'Gare' } } });
    assert.deepEqual(dataOf(n)[0].name, { type: 'Property', value: 'Gare', lang: 'fr' });
  });

  it('notification should carry @context in the body and no Link header when endpoint.accept is application/ld+json', async () => {
    const { n, T, id } = await notified({ endpoint: { accept: 'application/ld+json' } });
    assert.equal(n.headers['content-type'], 'application/ld+json');
    assert.equal(n.headers.link, undefined);
    assert.equal(n.body['@context'], CORE_CONTEXT);
    assert.deepEqual(dataOf(n), [{ id, type: T, speed: prop(10), brand: prop('Volvo') }]);
  });

  it('notification should carry a FeatureCollection when endpoint.accept is application/geo+json', async () => {
    const location = { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.35, 48.85] } };
    const { n, T, id } = await notified({ endpoint: { accept: 'application/geo+json' } }, { speed: prop(10), location });
    assert.equal(n.headers['content-type'], 'application/geo+json');
    assert.deepEqual(n.body.data, {
      type: 'FeatureCollection',
      features: [{ id, type: 'Feature', geometry: location.value, properties: { type: T, speed: prop(10), location } }],
      '@context': CORE_CONTEXT,
    });
  });

  it('notification should name the user context in its Link header and compact with it when the subscription was created with a Link header', async () => {
    const T = uniqueType('Car');
    const context = await hostContext(h().app, { velocity: `${EX}speed`, Auto: `${EX}${T}` });
    const [path, id] = [uniquePath('user-context'), uniqueId('Car')];
    const sub = await subscribe(h().app, { entities: [{ type: 'Auto' }], notification: { endpoint: { uri: h().receiver.url(path) } } }, { link: linkHeader(context) });
    // written with full IRIs and no context: the notification compacts them with the subscription's context
    await create({ id, type: `${EX}${T}`, [`${EX}speed`]: prop(30) });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.equal(n.headers.link, `<${context}>; rel="${JSONLD_REL}"; type="application/ld+json"`);
    assert.equal(n.headers['content-type'], 'application/json');
    assert.deepEqual(dataOf(n), [{ id, type: 'Auto', velocity: prop(30) }]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('notification should name jsonldContext in its Link header and compact with it when jsonldContext is given', async () => {
    const T = uniqueType('Car');
    const context = await hostContext(h().app, { vel: `${EX}speed`, Wagen: `${EX}${T}` });
    const [path, id] = [uniquePath('jsonld-context'), uniqueId('Car')];
    const sub = await subscribe(h().app, { entities: [{ type: `${EX}${T}` }], jsonldContext: context, notification: { endpoint: { uri: h().receiver.url(path) } } });
    await create({ id, type: `${EX}${T}`, [`${EX}speed`]: prop(40) });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.equal(n.headers.link, `<${context}>; rel="${JSONLD_REL}"; type="application/ld+json"`);
    assert.deepEqual(dataOf(n), [{ id, type: 'Wagen', vel: prop(40) }]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('notification should carry receiverInfo as headers, but not over the headers the broker owns, when receiverInfo is given', async () => {
    const receiverInfo = [{ key: 'X-Auth-Token', value: 'secret-1' }, { key: 'Fiware-ServicePath', value: '/a' }, { key: 'Content-Type', value: 'text/plain' }];
    const { n } = await notified({ endpoint: { receiverInfo } });
    assert.equal(n.headers['x-auth-token'], 'secret-1');
    assert.equal(n.headers['fiware-servicepath'], '/a');
    assert.equal(n.headers['content-type'], 'application/json');
    assert.equal(n.headers['ngsild-tenant'], undefined);
    assert.equal(n.headers.link, linkHeader(CORE_CONTEXT));
  });

  it('notification should carry the NGSILD-Tenant header and only that tenant\'s writes when the subscription belongs to a tenant', async () => {
    const [A, B] = [uniqueTenant('city_a'), uniqueTenant('city_b')];
    const [T, pathA, pathB] = [uniqueType('Car'), uniquePath('tenant-a'), uniquePath('tenant-b')];
    const subA = await on(h(), T, pathA, { headers: { 'NGSILD-Tenant': A } });
    const subB = await on(h(), T, pathB, { headers: { 'NGSILD-Tenant': B } });
    const [inA, inB] = [uniqueId('Car'), uniqueId('Car')];
    await create({ id: inB, type: T, speed: prop(2) }, { 'NGSILD-Tenant': B });
    await create({ id: inA, type: T, speed: prop(1) }, { 'NGSILD-Tenant': A });
    const [a] = await h().receiver.waitFor(pathA, 1);
    const [b] = await h().receiver.waitFor(pathB, 1);
    assert.equal(a.headers['ngsild-tenant'], A);
    assert.equal(b.headers['ngsild-tenant'], B);
    assert.deepEqual(dataOf(a), [{ id: inA, type: T, speed: prop(1) }]);
    assert.deepEqual(dataOf(b), [{ id: inB, type: T, speed: prop(2) }]);
    await assertNothingMore(h(), subA, pathA, 1);
    await assertNothingMore(h(), subB, pathB, 1);
  });

  describe('MQTT endpoints (binding 7.3)', { skip: !process.env.CI && mqttMissing ? mqttMissing : false }, () => {
    it('needs an MQTT broker', () => assert.equal(mqttMissing, undefined, mqttMissing));

    for (const notifierInfo of [[{ key: 'MQTT-QoS', value: '1' }], [{ key: 'MQTT-QoS', value: '1' }, { key: 'MQTT-Version', value: 'mqtt3.1.1' }]]) {
      it(`notification should be published as {metadata, body} to the topic when notifierInfo is ${notifierInfo.map((kv) => `${kv.key}=${kv.value}`).join(', ')}`, async () => {
        const [T, id, topic] = [uniqueType('Car'), uniqueId('Car'), `mimosa/test/${randomUUID()}`];
        const listener = await mqtt.connectAsync(MQTT_URL, { reconnectPeriod: 0 });
        try {
          const got = new Promise<Buffer>((resolve) => listener.on('message', (_t, m) => resolve(m)));
          await listener.subscribeAsync(topic, { qos: 1 });
          const endpoint = { uri: `${MQTT_URL}/${topic}`, notifierInfo, receiverInfo: [{ key: 'X-Key', value: 'k' }] };
          const sub = await subscribe(h().app, { entities: [{ type: T }], notification: { endpoint } });
          await create({ id, type: T, speed: prop(5) });
          const message = JSON.parse(String(await got));
          assert.deepEqual(message.metadata, { 'Content-Type': 'application/json', Link: linkHeader(CORE_CONTEXT), 'X-Key': 'k' });
          assert.equal(message.body.type, 'Notification');
          assert.equal(message.body.subscriptionId, sub);
          assert.deepEqual(message.body.data, [{ id, type: T, speed: prop(5) }]);
        } finally {
          await listener.endAsync();
        }
      });
    }
  });
});
