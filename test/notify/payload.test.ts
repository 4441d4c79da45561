/**
 * buildNotifications (src/notify/payload.ts): the Notification of clause 5.3.1 rendered per NotificationParams
 * (clause 5.2.14) and the Endpoint headers (clause 5.2.15), from entities parsed with the real parser.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CORE_CONTEXT_URL } from '../../src/core/context/core-contexts.js';
import type { Entity } from '../../src/core/entity/model.js';
import { parseEntity } from '../../src/core/entity/parse.js';
import { EX, termMap, VOCAB } from '../../src/core/query/query-fixtures.test-util.js';
import type { Subscription } from '../../src/core/subscription/model.js';
import { parseSubscription } from '../../src/core/subscription/parse.js';
import { buildNotifications, type Notification, type NotificationInput } from '../../src/notify/payload.js';
import type { EntityChange } from '../../src/store/port.js';

const tm = await termMap();
const CREATED = '2025-01-01T00:00:00.000Z';
const CHANGED = '2025-06-01T12:00:00.000Z';
const NOW = '2025-06-01T12:00:01.000Z';
const URI = 'http://127.0.0.1:9999/notify';
const LINK = (url: string) => `<${url}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
const fixture = JSON.parse(readFileSync(new URL('../fixtures/notify/car-update.json', import.meta.url), 'utf8')) as {
  before: Record<string, unknown>;
  after: Record<string, unknown>;
};

function entity(body: Record<string, unknown>): Entity {
  const r = parseEntity(body, tm, CREATED);
  assert.ok(r.ok, r.ok ? '' : r.problem.detail);
  return r.value;
}

const car = (id: number, members: Record<string, unknown> = {}) =>
  entity({ id: `urn:ngsi-ld:Car:${id}`, type: 'Car', speed: { type: 'Property', value: id }, ...members });

/** A parsed subscription; `params` and `endpoint` add to the notification members. */
function subscription(params: Record<string, unknown> = {}, endpoint: Record<string, unknown> = {}, members: Record<string, unknown> = {}): Subscription {
  const body = { type: 'Subscription', entities: [{ type: 'Car' }], notification: { ...params, endpoint: { uri: URI, ...endpoint } }, ...members };
  const r = parseSubscription(body, tm, CREATED);
  assert.ok(r.ok, r.ok ? '' : r.problem.detail);
  return { ...r.value, id: 'urn:ngsi-ld:Subscription:1' };
}

type Extra = Partial<Omit<NotificationInput, 'reason' | 'changes' | 'entities'>>;

function common(sub: Subscription, extra: Extra) {
  let n = 0;
  return { subscription: sub, tenant: '', termMap: tm, now: NOW, newUuid: () => `u${++n}`, defaultTimeoutMs: 5000, maxEntitiesPerNotification: 1000, ...extra };
}
const onChanges = (sub: Subscription, changes: EntityChange[], extra: Extra = {}) =>
  buildNotifications({ ...common(sub, extra), reason: 'change', changes, changedAt: CHANGED });
const onEntities = (sub: Subscription, entities: Entity[], extra: Extra = {}) =>
  buildNotifications({ ...common(sub, extra), reason: 'periodic', entities });

const updated = (before: Entity, after: Entity, attributes: string[]): EntityChange => ({ before, after, triggers: ['attributeUpdated'], attributes });
const created = (after: Entity): EntityChange => ({ after, triggers: ['entityCreated'], attributes: Object.keys(after.attrs) });
const body = (d: { body: unknown }) => d.body as Notification;
const data = (d: { body: unknown }) => body(d).data as Array<Record<string, unknown>>;

/** The fixture's every-type update, with all its attributes concerned. */
function everyTypeChange(): EntityChange {
  const before = entity(fixture.before);
  const after = entity(fixture.after);
  const attributes = [...new Set([...Object.keys(before.attrs), ...Object.keys(after.attrs)])];
  return { before, after, triggers: ['attributeCreated', 'attributeUpdated', 'attributeDeleted'], attributes };
}

describe('buildNotifications: the Notification document (clause 5.3.1)', () => {
  it('build should send one normalized entity per change with the notification members when reason is change', () => {
    const [d, ...rest] = onChanges(subscription(), [created(car(1))]);
    assert.equal(rest.length, 0);
    assert.deepEqual(d.body, {
      id: 'urn:ngsi-ld:Notification:u1',
      type: 'Notification',
      subscriptionId: 'urn:ngsi-ld:Subscription:1',
      notifiedAt: NOW,
      data: [{ id: 'urn:ngsi-ld:Car:1', type: 'Car', speed: { type: 'Property', value: 1 } }],
    });
    assert.equal(d.uri, URI);
  });

  it('build should keep the last change of an entity at its first position when an entity changed twice', () => {
    const v1 = car(1);
    const v2 = car(1, { speed: { type: 'Property', value: 99 } });
    const out = onChanges(subscription(), [created(v1), created(car(2)), updated(v1, v2, [`${EX}speed`])]);
    assert.deepEqual(data(out[0]).map((e) => [e.id, (e.speed as { value: number }).value]), [['urn:ngsi-ld:Car:1', 99], ['urn:ngsi-ld:Car:2', 2]]);
  });

  it('build should render the current entities when reason is periodic', () => {
    const out = onEntities(subscription({ format: 'keyValues' }), [car(1), car(2)]);
    assert.deepEqual(data(out[0]), [{ id: 'urn:ngsi-ld:Car:1', type: 'Car', speed: 1 }, { id: 'urn:ngsi-ld:Car:2', type: 'Car', speed: 2 }]);
  });

  it('build should return no delivery when no entity is to be notified', () => {
    assert.deepEqual(onEntities(subscription(), []), []);
  });

  it('build should split data into notifications with their own ids when it exceeds the maximum per notification', () => {
    const out = onEntities(subscription(), [1, 2, 3, 4, 5].map((i) => car(i)), { maxEntitiesPerNotification: 2 });
    assert.deepEqual(out.map((d) => data(d).map((e) => e.id)), [
      ['urn:ngsi-ld:Car:1', 'urn:ngsi-ld:Car:2'],
      ['urn:ngsi-ld:Car:3', 'urn:ngsi-ld:Car:4'],
      ['urn:ngsi-ld:Car:5'],
    ]);
    assert.deepEqual(out.map((d) => body(d).id), ['urn:ngsi-ld:Notification:u1', 'urn:ngsi-ld:Notification:u2', 'urn:ngsi-ld:Notification:u3']);
    assert.ok(out.every((d) => body(d).notifiedAt === NOW));
  });
});

describe('buildNotifications: rendering per NotificationParams (clause 5.2.14)', () => {
  const rich = () => car(7, { brand: { type: 'Property', value: 'Volvo', since: { type: 'Property', value: 2020 } }, owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:1' } });

  it('build should render the concise representation when format is concise', () => {
    const [d] = onEntities(subscription({ format: 'concise' }), [rich()]);
    assert.deepEqual(data(d)[0], { id: 'urn:ngsi-ld:Car:7', type: 'Car', speed: 7, brand: { value: 'Volvo', since: 2020 }, owner: { object: 'urn:ngsi-ld:Person:1' } });
  });

  it('build should render the simplified representation when format is keyValues', () => {
    const [d] = onEntities(subscription({ format: 'keyValues' }), [rich()]);
    assert.deepEqual(data(d)[0], { id: 'urn:ngsi-ld:Car:7', type: 'Car', speed: 7, brand: 'Volvo', owner: 'urn:ngsi-ld:Person:1' });
  });

  it('build should keep only the listed attributes when notification.attributes is given', () => {
    const [d] = onEntities(subscription({ attributes: ['speed', 'owner'], format: 'keyValues' }), [rich()]);
    assert.deepEqual(data(d)[0], { id: 'urn:ngsi-ld:Car:7', type: 'Car', speed: 7, owner: 'urn:ngsi-ld:Person:1' });
  });

  it('build should include createdAt and modifiedAt when sysAttrs is true', () => {
    const [d] = onEntities(subscription({ sysAttrs: true }), [car(1)]);
    assert.deepEqual(data(d)[0], {
      id: 'urn:ngsi-ld:Car:1',
      type: 'Car',
      createdAt: CREATED,
      modifiedAt: CREATED,
      speed: { type: 'Property', value: 1, createdAt: CREATED, modifiedAt: CREATED },
    });
  });

  it('build should pick one language when the subscription has lang', () => {
    const e = car(1, { name: { type: 'LanguageProperty', languageMap: { en: 'Car', fr: 'Voiture' } } });
    const [d] = onEntities(subscription({ attributes: ['name'] }, {}, { lang: 'fr' }), [e]);
    assert.deepEqual(data(d)[0].name, { type: 'Property', value: 'Voiture', lang: 'fr' });
  });

  it('build should send only the instances of the selected datasetIds when the subscription has datasetId', () => {
    const e = car(1, {
      speed: [
        { type: 'Property', value: 10 },
        { type: 'Property', value: 20, datasetId: 'urn:ngsi-ld:Dataset:gps' },
        { type: 'Property', value: 30, datasetId: 'urn:ngsi-ld:Dataset:radar' },
      ],
    });
    const values = (datasetId: string[]) => {
      const speed = data(onEntities(subscription({}, {}, { datasetId }), [e])[0])[0].speed;
      return (Array.isArray(speed) ? speed : [speed]).map((i: { value: number }) => i.value);
    };
    assert.deepEqual(values(['urn:ngsi-ld:Dataset:gps']), [20]);
    assert.deepEqual(values(['@none', 'urn:ngsi-ld:Dataset:radar']), [10, 30]);
  });

  it('build should add the previous member that fits each attribute type when showChanges is true', () => {
    const [d] = onChanges(subscription({ showChanges: true }), [everyTypeChange()]);
    const e = data(d)[0];
    assert.deepEqual(e.speed, { type: 'Property', value: 80, unitCode: 'KMH', previousValue: 50 });
    assert.deepEqual(e.owner, { type: 'Relationship', object: 'urn:ngsi-ld:Person:carol', previousObject: 'urn:ngsi-ld:Person:alice' });
    assert.deepEqual(e.name, {
      type: 'LanguageProperty',
      languageMap: { en: 'Blue car', fr: 'Voiture bleue' },
      previousLanguageMap: { en: 'Red car', fr: 'Voiture rouge' },
    });
    assert.deepEqual(e.colour, { type: 'VocabProperty', vocab: 'ex:blue', previousVocab: 'ex:red' });
    assert.deepEqual(e.config, { type: 'JsonProperty', json: { mode: 'sport' }, previousJson: { mode: 'eco' } });
    assert.deepEqual(e.readings, { type: 'ListProperty', valueList: [4, 5], previousValueList: [1, 2, 3] });
    assert.deepEqual(e.passengers, {
      type: 'ListRelationship',
      objectList: [{ object: 'urn:ngsi-ld:Person:dave' }],
      previousObjectList: [{ object: 'urn:ngsi-ld:Person:bob' }],
    });
    assert.deepEqual(e.location, {
      type: 'GeoProperty',
      value: { type: 'Point', coordinates: [4.35, 50.85] },
      previousValue: { type: 'Point', coordinates: [2.35, 48.85] },
    });
    assert.deepEqual(e.added, { type: 'Property', value: 'new' }, 'a created attribute has no previous value');
  });

  it('build should add no previous member when showChanges is false', () => {
    const [d] = onChanges(subscription(), [everyTypeChange()]);
    assert.deepEqual(data(d)[0].speed, { type: 'Property', value: 80, unitCode: 'KMH' });
  });

  it('build should add previous members only to the attributes the change concerns when showChanges is true', () => {
    const c = everyTypeChange();
    const [d] = onChanges(subscription({ showChanges: true }), [{ ...c, attributes: [`${EX}speed`] }]);
    assert.deepEqual(data(d)[0].owner, { type: 'Relationship', object: 'urn:ngsi-ld:Person:carol' });
    assert.equal((data(d)[0].speed as Record<string, unknown>).previousValue, 50);
  });
});

describe('buildNotifications: deletions (clauses 5.2.1, 5.2.12)', () => {
  it('build should report only id, type and deletedAt when the entity was deleted', () => {
    const [d] = onChanges(subscription(), [{ before: car(1), triggers: ['entityDeleted'], attributes: [] }]);
    assert.deepEqual(data(d), [{ id: 'urn:ngsi-ld:Car:1', type: 'Car', deletedAt: CHANGED }]);
  });

  it('build should add createdAt and modifiedAt to a deleted entity when sysAttrs is true', () => {
    const [d] = onChanges(subscription({ sysAttrs: true, format: 'keyValues' }), [{ before: car(1), triggers: ['entityDeleted'], attributes: [] }]);
    assert.deepEqual(data(d), [{ id: 'urn:ngsi-ld:Car:1', type: 'Car', createdAt: CREATED, modifiedAt: CREATED, deletedAt: CHANGED }]);
  });

  it('build should render a deleted attribute as the NGSI-LD Null with deletedAt when attributeDeleted fired', () => {
    const [d] = onChanges(subscription({ showChanges: true }), [everyTypeChange()]);
    assert.deepEqual(data(d)[0].removed, { type: 'Property', value: 'urn:ngsi-ld:null', previousValue: 'gone soon', deletedAt: CHANGED });
  });

  it('build should use the null form of the attribute type when a Relationship or LanguageProperty was deleted', () => {
    const before = car(1, { owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:1' }, name: { type: 'LanguageProperty', languageMap: { en: 'x' } } });
    const after = car(1);
    const change: EntityChange = { before, after, triggers: ['attributeDeleted'], attributes: [`${VOCAB}owner`, `${VOCAB}name`] };
    const [d] = onChanges(subscription(), [change]);
    assert.deepEqual(data(d)[0].owner, { type: 'Relationship', object: 'urn:ngsi-ld:null', deletedAt: CHANGED });
    assert.deepEqual(data(d)[0].name, { type: 'LanguageProperty', languageMap: { '@none': 'urn:ngsi-ld:null' }, deletedAt: CHANGED });
  });

  it('build should wrap a deleted Property into an object carrying deletedAt when format is concise', () => {
    const change: EntityChange = { before: car(1, { removed: { type: 'Property', value: 1 } }), after: car(1), triggers: ['attributeDeleted'], attributes: [`${VOCAB}removed`] };
    const [d] = onChanges(subscription({ format: 'concise' }), [change]);
    assert.deepEqual(data(d)[0].removed, { value: 'urn:ngsi-ld:null', deletedAt: CHANGED });
  });

  it('build should mark only the deleted instance when one datasetId of a multi-attribute was deleted', () => {
    const both = [{ type: 'Property', value: 1 }, { type: 'Property', value: 2, datasetId: 'urn:ds:b' }];
    const change: EntityChange = { before: car(1, { temp: both }), after: car(1, { temp: [both[0]] }), triggers: ['attributeDeleted'], attributes: [`${VOCAB}temp`] };
    const [d] = onChanges(subscription(), [change]);
    assert.deepEqual(data(d)[0].temp, [
      { type: 'Property', value: 1 },
      { type: 'Property', value: 'urn:ngsi-ld:null', datasetId: 'urn:ds:b', deletedAt: CHANGED },
    ]);
  });

  it('build should leave a deleted attribute out when notification.attributes does not list it', () => {
    const [d] = onChanges(subscription({ attributes: ['speed'] }), [everyTypeChange()]);
    assert.deepEqual(Object.keys(data(d)[0]), ['id', 'type', 'speed']);
  });
});

describe('buildNotifications: media types and @context (clauses 5.2.15, 6.3.5)', () => {
  it('build should link the core context and keep @context out of the body when accept is application/json with an inline context', () => {
    const [d] = onEntities(subscription(), [car(1)]);
    assert.equal(d.headers['Content-Type'], 'application/json');
    assert.equal(d.headers.Link, LINK(CORE_CONTEXT_URL));
    assert.equal('@context' in body(d), false);
  });

  it('build should link the subscription context when it is exactly one URL', () => {
    const sub = { ...subscription(), context: ['https://example.org/car.jsonld'] };
    assert.equal(onEntities(sub, [car(1)])[0].headers.Link, LINK('https://example.org/car.jsonld'));
  });

  it('build should link jsonldContext when the subscription gives one', () => {
    const sub = { ...subscription({}, {}, { jsonldContext: 'https://example.org/notify.jsonld' }), context: ['https://example.org/car.jsonld'] };
    assert.equal(onEntities(sub, [car(1)])[0].headers.Link, LINK('https://example.org/notify.jsonld'));
  });

  it('build should put @context in the body and send no Link header when accept is application/ld+json', () => {
    const sub = subscription({}, { accept: 'application/ld+json' });
    const [d] = onEntities(sub, [car(1)]);
    assert.equal(d.headers['Content-Type'], 'application/ld+json');
    assert.equal(d.headers.Link, undefined);
    assert.deepEqual(body(d)['@context'], tm.userContext[0]);
    const urls = { ...sub, context: ['https://example.org/a.jsonld', 'https://example.org/b.jsonld'] };
    assert.deepEqual(body(onEntities(urls, [car(1)])[0])['@context'], ['https://example.org/a.jsonld', 'https://example.org/b.jsonld']);
  });

  it('build should send a FeatureCollection with its @context when accept is application/geo+json', () => {
    const e = car(1, { location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [1, 2] } } });
    const sub = { ...subscription({ format: 'keyValues' }, { accept: 'application/geo+json' }), context: ['https://example.org/car.jsonld'] };
    const [d] = onEntities(sub, [e, car(2)]);
    assert.equal(d.headers['Content-Type'], 'application/geo+json');
    assert.equal(d.headers.Link, undefined);
    assert.deepEqual(body(d).data, {
      type: 'FeatureCollection',
      features: [
        { id: 'urn:ngsi-ld:Car:1', type: 'Feature', geometry: { type: 'Point', coordinates: [1, 2] }, properties: { type: 'Car', speed: 1, location: { type: 'Point', coordinates: [1, 2] } } },
        { id: 'urn:ngsi-ld:Car:2', type: 'Feature', geometry: null, properties: { type: 'Car', speed: 2 } },
      ],
      '@context': 'https://example.org/car.jsonld',
    });
  });

  it('build should drop the FeatureCollection @context and link the context when receiverInfo prefers body=json', () => {
    const sub = subscription({}, { accept: 'application/geo+json', receiverInfo: [{ key: 'Prefer', value: 'body=json' }] });
    const [d] = onEntities(sub, [car(1)]);
    assert.equal('@context' in (body(d).data as object), false);
    assert.equal(d.headers.Link, LINK(CORE_CONTEXT_URL));
    assert.equal(d.headers.Prefer, 'body=json');
  });

  it('build should render a deleted entity as a Feature without geometry when accept is application/geo+json', () => {
    const [d] = onChanges(subscription({}, { accept: 'application/geo+json' }), [{ before: car(1), triggers: ['entityDeleted'], attributes: [] }]);
    assert.deepEqual((body(d).data as { features: unknown[] }).features, [
      { id: 'urn:ngsi-ld:Car:1', type: 'Feature', geometry: null, properties: { type: 'Car', deletedAt: CHANGED } },
    ]);
  });
});

describe('buildNotifications: endpoint headers and delivery options (clause 5.2.15)', () => {
  it('build should send NGSILD-Tenant when the tenant is not the default one', () => {
    assert.equal(onEntities(subscription(), [car(1)], { tenant: 'city' })[0].headers['NGSILD-Tenant'], 'city');
    assert.equal('NGSILD-Tenant' in onEntities(subscription(), [car(1)])[0].headers, false);
  });

  it('build should send every receiverInfo pair as a header but keep the broker headers when receiverInfo names them', () => {
    const receiverInfo = [
      { key: 'Authorization', value: 'Bearer t' },
      { key: 'X-Trace', value: '42' },
      { key: 'content-type', value: 'text/plain' },
      { key: 'Link', value: '<https://evil.example/ctx>' },
      { key: 'NGSILD-Tenant', value: 'other' },
    ];
    const [d] = onEntities(subscription({}, { receiverInfo }), [car(1)], { tenant: 'city' });
    assert.deepEqual(d.headers, {
      'Content-Type': 'application/json',
      Link: LINK(CORE_CONTEXT_URL),
      'NGSILD-Tenant': 'city',
      Authorization: 'Bearer t',
      'X-Trace': '42',
    });
  });

  it('build should pass notifierInfo and the endpoint timeout to the delivery when the endpoint gives them', () => {
    const sub = subscription({}, { uri: 'mqtt://127.0.0.1:1883/cars', notifierInfo: [{ key: 'MQTT-QoS', value: '1' }], timeout: 1500 });
    const [d] = onEntities(sub, [car(1)]);
    assert.deepEqual(d.notifierInfo, { 'MQTT-QoS': '1' });
    assert.equal(d.timeoutMs, 1500);
    assert.equal(d.uri, 'mqtt://127.0.0.1:1883/cars');
  });

  it('build should use the default timeout and no notifierInfo when the endpoint gives none', () => {
    const [d] = onEntities(subscription(), [car(1)], { defaultTimeoutMs: 7000 });
    assert.deepEqual(d.notifierInfo, {});
    assert.equal(d.timeoutMs, 7000);
  });
});
