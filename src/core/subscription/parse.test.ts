import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LOCATION } from '../entity/model.js';
import { EX, termMap, VOCAB } from '../query/query-fixtures.test-util.js';
import type { SubscriptionDraft, SubscriptionPatch } from './model.js';
import { checkSubscription, parseSubscription, parseSubscriptionPatch } from './parse.js';

const NOW = '2024-05-01T10:00:00.000Z';
const tm = await termMap();
const endpoint = { uri: 'http://127.0.0.1:8080/notify' };

function sub(members: Record<string, unknown> = {}): Record<string, unknown> {
  // a member given as undefined is left out
  const all: Record<string, unknown> = { type: 'Subscription', entities: [{ type: 'Car' }], notification: { endpoint }, ...members };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

function accept(body: unknown): SubscriptionDraft {
  const r = parseSubscription(body, tm, NOW);
  assert.ok(r.ok, r.ok ? '' : r.problem.detail);
  return r.value;
}

/** Asserts a BadRequestData whose detail matches `detail`. */
function refuse(body: unknown, detail: RegExp): void {
  const r = parseSubscription(body, tm, NOW);
  assert.equal(r.ok, false, 'expected a refusal');
  if (!r.ok) {
    assert.equal(r.problem.kind, 'BadRequestData');
    assert.match(r.problem.detail, detail);
  }
}

function patch(body: unknown): SubscriptionPatch {
  const r = parseSubscriptionPatch(body, tm, NOW);
  assert.ok(r.ok, r.ok ? '' : r.problem.detail);
  return r.value;
}

describe('parseSubscription', () => {
  it('create should apply the spec defaults when only the mandatory members are given', () => {
    const s = accept(sub());
    assert.equal(s.id, undefined);
    assert.deepEqual(s.entities, [{ type: { kind: 'type', iri: `${EX}Car` } }]);
    assert.deepEqual(s.notificationTrigger, ['attributeCreated', 'attributeUpdated']);
    assert.equal(s.isActive, true);
    assert.deepEqual(s.notification, { format: 'normalized', sysAttrs: false, showChanges: false, endpoint });
    assert.deepEqual(s.context, tm.userContext);
    assert.equal(s.createdAt, NOW);
    assert.equal(s.modifiedAt, NOW);
  });

  it('create should expand names and parse every query when all members are given', () => {
    const s = accept(
      sub({
        id: 'urn:ngsi-ld:Subscription:1',
        subscriptionName: 'cars',
        description: 'fast cars',
        entities: [{ type: 'Car', id: 'urn:ngsi-ld:Car:1' }, { type: 'Car;Truck', idPattern: '^urn:ngsi-ld:Car:\\d+$' }],
        watchedAttributes: ['speed', 'brand', 'speed'],
        notificationTrigger: ['entityCreated', 'attributeUpdated'],
        q: 'speed>50',
        geoQ: { georel: 'near;maxDistance==100', geometry: 'Point', coordinates: [1, 2] },
        scopeQ: '/Madrid/#',
        csf: 'speed==1',
        isActive: false,
        notification: {
          attributes: ['speed'],
          format: 'simplified',
          sysAttrs: true,
          endpoint: {
            uri: 'mqtts://broker.example.org:8883/cars',
            accept: 'application/ld+json',
            receiverInfo: [{ key: 'Authorization', value: 'Bearer x' }],
            notifierInfo: [{ key: 'MQTT-QoS', value: '1' }],
            timeout: 1000,
            cooldown: 5000,
          },
        },
        expiresAt: '2030-01-01T00:00:00Z',
        throttling: 0,
        lang: 'en,fr;q=0.5',
        jsonldContext: 'https://example.org/ctx.jsonld',
        localOnly: true,
        datasetId: ['@none', 'urn:ngsi-ld:Dataset:1'],
        '@context': ['ignored'],
      }),
    );
    assert.equal(s.id, 'urn:ngsi-ld:Subscription:1');
    assert.deepEqual(s.watchedAttributes, [`${EX}speed`, `${VOCAB}brand`]);
    assert.deepEqual(s.entities?.[1].type, { kind: 'and', items: [{ kind: 'type', iri: `${EX}Car` }, { kind: 'type', iri: `${VOCAB}Truck` }] });
    assert.equal(s.q?.kind, 'compare');
    assert.equal(s.geoQ?.geoproperty, LOCATION);
    assert.deepEqual(s.scopeQ, { kind: 'scope', levels: ['Madrid'], descendants: true });
    assert.ok(s.csf);
    assert.equal(s.notification.format, 'keyValues');
    assert.deepEqual(s.notification.attributes, [`${EX}speed`]);
    assert.equal(s.notification.endpoint.accept, 'application/ld+json');
    assert.equal(s.throttling, 0);
    assert.equal(s.isActive, false);
  });

  it('create should accept watchedAttributes without entities', () => {
    const s = accept({ type: 'Subscription', watchedAttributes: ['speed'], notification: { endpoint } });
    assert.equal(s.entities, undefined);
  });

  it('create should accept a periodic subscription when timeInterval comes with entities', () => {
    assert.equal(accept(sub({ timeInterval: 30 })).timeInterval, 30);
  });

  const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
    ['type is missing', { type: undefined }, /has no type/],
    ['type is not Subscription', { type: 'Entity' }, /type must be "Subscription"/],
    ['notification is missing', { notification: undefined }, /has no notification/],
    ['id is not a URI', { id: 'not a uri' }, /id "not a uri" is not a URI/],
    ['subscriptionName is not a string', { subscriptionName: 3 }, /subscriptionName must be a string/],
    ['neither entities nor watchedAttributes is given', { entities: undefined }, /needs entities or watchedAttributes/],
    ['entities is empty', { entities: [] }, /entities must be a non-empty array/],
    ['an EntitySelector has no type', { entities: [{ id: 'urn:a:b' }] }, /entities\[0\] has no type/],
    ['an EntitySelector id is not a URI', { entities: [{ type: 'Car', id: 'x' }] }, /entities\[0\] id "x" is not a URI/],
    ['an EntitySelector idPattern does not compile', { entities: [{ type: 'Car', idPattern: '(' }] }, /idPattern "\(" is not a regular expression/],
    ['an EntitySelector has an unknown member', { entities: [{ type: 'Car', name: 'x' }] }, /member "name" is not one of/],
    ['an EntitySelector type is not a type selection', { entities: [{ type: 'Car|' }] }, /entities\[0\]: Invalid type/],
    ['watchedAttributes is empty', { watchedAttributes: [] }, /watchedAttributes must be a non-empty array/],
    ['a watched attribute name is invalid', { watchedAttributes: ['a b'] }, /watchedAttributes item "a b" is not a valid attribute name/],
    ['a notificationTrigger is unknown', { notificationTrigger: ['entityTouched'] }, /notificationTrigger "entityTouched" is not one of/],
    ['timeInterval is 0', { timeInterval: 0 }, /timeInterval must be a number of seconds greater than 0/],
    ['timeInterval comes with watchedAttributes', { timeInterval: 5, watchedAttributes: ['speed'] }, /timeInterval and watchedAttributes/],
    ['timeInterval comes with throttling', { timeInterval: 5, throttling: 1 }, /timeInterval and throttling/],
    ['timeInterval comes without entities', { entities: undefined, timeInterval: 5 }, /needs entities or watchedAttributes/],
    ['throttling is negative', { throttling: -1 }, /throttling must be a number of seconds, 0 or more/],
    ['q does not parse', { q: 'speed>' }, /q/],
    ['q is not a string', { q: 5 }, /Invalid q: it is not a string/],
    ['geoQ misses coordinates', { geoQ: { georel: 'within', geometry: 'Polygon' } }, /geoQ: .*coordinates is missing/],
    ['geoQ is empty', { geoQ: {} }, /geoQ needs georel, geometry and coordinates/],
    ['geoQ has an unknown member', { geoQ: { georel: 'within', where: 1 } }, /geoQ member "where"/],
    ['scopeQ does not parse', { scopeQ: '/a//b' }, /scopeQ/],
    ['csf does not parse', { csf: '((' }, /csf/],
    ['isActive is not a boolean', { isActive: 'yes' }, /isActive must be a boolean/],
    ['expiresAt is not a DateTime', { expiresAt: 'tomorrow' }, /expiresAt "tomorrow" is not a DateTime/],
    ['expiresAt is in the past', { expiresAt: '2020-01-01T00:00:00Z' }, /expiresAt "2020-01-01T00:00:00Z" is not in the future/],
    ['expiresAt is now', { expiresAt: NOW }, /is not in the future/],
    ['lang is empty', { lang: '' }, /lang "" is not a list of language tags/],
    ['jsonldContext is not a URI', { jsonldContext: 'ctx' }, /jsonldContext "ctx" is not a URI/],
    ['datasetId holds a non-URI', { datasetId: ['x y'] }, /datasetId "x y" is not a URI/],
    ['status is given', { status: 'active' }, /status is set by the system/],
    ['createdAt is given', { createdAt: NOW }, /createdAt is set by the system/],
    ['temporalQ is given', { temporalQ: { timerel: 'after', timeAt: NOW } }, /temporalQ is not supported/],
    ['an unknown member is given', { colour: 'red' }, /member "colour" is not defined by clause 5.2.12/],
    ['__proto__ is given', JSON.parse('{"__proto__": {"x": 1}}'), /member "__proto__" is not defined/],
  ];
  for (const [condition, members, detail] of refusals) {
    it(`create should answer BadRequestData when ${condition}`, () => refuse(sub(members), detail));
  }

  const n = (notification: Record<string, unknown>) => sub({ notification: { endpoint, ...notification } });
  const e = (ep: Record<string, unknown>) => sub({ notification: { endpoint: { ...endpoint, ...ep } } });
  const notificationRefusals: Array<[string, Record<string, unknown>, RegExp]> = [
    ['notification is not an object', sub({ notification: 'http://x' }), /notification must be an object/],
    ['notification has no endpoint', sub({ notification: {} }), /notification has no endpoint/],
    ['notification.attributes is empty', n({ attributes: [] }), /notification.attributes must be a non-empty array/],
    ['notification.format is unknown', n({ format: 'compact' }), /notification.format "compact" is not one of/],
    ['notification.sysAttrs is not a boolean', n({ sysAttrs: 1 }), /notification.sysAttrs must be a boolean/],
    ['showChanges is true with keyValues', n({ showChanges: true, format: 'keyValues' }), /showChanges cannot be true with format keyValues/],
    ['notification.timesSent is given', n({ timesSent: 3 }), /notification.timesSent is set by the system/],
    ['notification.lastNotification is given', n({ lastNotification: NOW }), /lastNotification is set by the system/],
    ['notification.pick is given', n({ pick: ['speed'] }), /notification.pick is not supported/],
    ['notification has an unknown member', n({ colour: 1 }), /notification member "colour" is not defined/],
    ['endpoint.uri is missing', sub({ notification: { endpoint: {} } }), /endpoint.uri undefined is not an absolute/],
    ['endpoint.uri is relative', e({ uri: '/notify' }), /endpoint.uri "\/notify" is not an absolute http/],
    ['endpoint.uri has another scheme', e({ uri: 'ftp://host/x' }), /is not an absolute http, https, mqtt or mqtts URI/],
    ['endpoint.uri has no host', e({ uri: 'http:notify' }), /is not an absolute http/],
    ['endpoint.accept is unknown', e({ accept: 'text/plain' }), /endpoint.accept "text\/plain" is not one of/],
    ['endpoint.receiverInfo is not key/value pairs', e({ receiverInfo: [{ key: 'a' }] }), /receiverInfo item an object is not a \{key, value\}/],
    ['endpoint.notifierInfo is not an array', e({ notifierInfo: { key: 'a', value: 'b' } }), /notifierInfo must be an array/],
    ['endpoint.timeout is 0', e({ timeout: 0 }), /endpoint.timeout must be a number of milliseconds, 1 or more/],
    ['endpoint.cooldown is not a number', e({ cooldown: '5' }), /endpoint.cooldown must be a number/],
    ['endpoint has an unknown member', e({ method: 'PUT' }), /endpoint member "method" is not defined by clause 5.2.15/],
  ];
  for (const [condition, body, detail] of notificationRefusals) {
    it(`create should answer BadRequestData when ${condition}`, () => refuse(body, detail));
  }

  it('create should answer BadRequestData when the body is not an object', () => {
    for (const body of [null, [], 'x', 3]) refuse(body, /must be a JSON object/);
  });

  it('create should accept http, https, mqtt and mqtts endpoints', () => {
    for (const uri of ['http://h/x', 'HTTPS://h:1/x?a=b', 'mqtt://h/topic', 'mqtts://user@h:8883/t']) {
      assert.equal(accept(e({ uri })).notification.endpoint.uri, uri);
    }
  });
});

describe('parseSubscriptionPatch', () => {
  it('update should return only the given members when a fragment is given', () => {
    const p = patch({ watchedAttributes: ['speed'], isActive: false, '@context': [] });
    assert.deepEqual(p, { watchedAttributes: [`${EX}speed`], isActive: false, modifiedAt: NOW });
  });

  it('update should not default notificationTrigger or isActive when they are absent', () => {
    const p = patch({ q: 'speed>1' });
    assert.equal(p.notificationTrigger, undefined);
    assert.equal(p.isActive, undefined);
  });

  it('update should accept an expiresAt in the past', () => {
    assert.equal(patch({ expiresAt: '2020-01-01T00:00:00Z' }).expiresAt, '2020-01-01T00:00:00Z');
  });

  const refusals: Array<[string, unknown, RegExp]> = [
    ['the fragment is empty', {}, /has no member to update/],
    ['the fragment only has a type', { type: 'Subscription' }, /has no member to update/],
    ['a member is invalid', { throttling: 'often' }, /throttling must be a number/],
    ['timeInterval and watchedAttributes are both given', { timeInterval: 1, watchedAttributes: ['a'] }, /timeInterval and watchedAttributes/],
    ['timeInterval and throttling are both given', { timeInterval: 1, throttling: 1 }, /timeInterval and throttling/],
    ['a read-only member is given', { modifiedAt: NOW }, /modifiedAt is set by the system/],
    ['the notification has no endpoint', { notification: { format: 'concise' } }, /notification has no endpoint/],
  ];
  for (const [condition, body, detail] of refusals) {
    it(`update should answer BadRequestData when ${condition}`, () => {
      const r = parseSubscriptionPatch(body, tm, NOW);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.problem.detail, detail);
    });
  }
});

describe('checkSubscription', () => {
  it('check should refuse a merged subscription when an update made timeInterval meet watchedAttributes', () => {
    const r = checkSubscription({ watchedAttributes: ['x'], timeInterval: 3 });
    assert.equal(r.ok, false);
  });
});

describe('parseSubscription properties', () => {
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom('Subscription', 'Car', 'speed', 'http://h/x', 'urn:a:b', '(', '2030-01-01T00:00:00Z', 'keyValues'),
  );
  const memberName = fc.constantFrom(
    'type', 'id', 'entities', 'watchedAttributes', 'notificationTrigger', 'timeInterval', 'q', 'geoQ', 'scopeQ', 'csf',
    'isActive', 'notification', 'expiresAt', 'throttling', 'lang', 'jsonldContext', 'datasetId', 'status', '__proto__', 'x',
  );
  const nested = fc.dictionary(fc.constantFrom('uri', 'accept', 'type', 'id', 'idPattern', 'key', 'value', 'endpoint', 'format', 'georel'), value);
  const body = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.dictionary(memberName, fc.oneof(value, nested, fc.array(nested, { maxLength: 2 }), fc.record({ endpoint: nested }))),
  );

  it('parse should return a Result and never throw when any JSON body is given', () => {
    fc.assert(
      fc.property(body, (b) => {
        for (const r of [parseSubscription(b, tm, NOW), parseSubscriptionPatch(b, tm, NOW)]) {
          assert.equal(typeof r.ok, 'boolean');
          if (!r.ok) assert.equal(r.problem.kind, 'BadRequestData');
        }
      }),
      { numRuns: 500 },
    );
  });
});
