/**
 * The Subscription API (ETSI GS CIM 009 V1.8.1 clause 5.8: create 5.8.1, update 5.8.2, retrieve 5.8.3, query 5.8.4,
 * delete 5.8.5; HTTP binding clauses 6.10 and 6.11) over HTTP, in-process, on every engine.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, it } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { API, assertProblem, CORE_CONTEXT, describeApi, hostContext, JSONLD_REL, linkHeader, send, uniqueId, uniqueTenant, type Headers } from '../support/http.js';

const SUBS = `${API}/subscriptions`;
const EX = 'http://example.org/';
/** Nothing listens there: notifications queued by these tests go nowhere. */
const ENDPOINT = 'http://127.0.0.1:9/notify';

const subUrl = (id: string, query = '') => `${SUBS}/${encodeURIComponent(id)}${query ? `?${query}` : ''}`;

/** A valid subscription body with the given members (a member given as undefined is left out). */
function body(members: Record<string, unknown> = {}): Record<string, unknown> {
  const all: Record<string, unknown> = { id: uniqueId('Subscription'), type: 'Subscription', entities: [{ type: 'Car' }], notification: { endpoint: { uri: ENDPOINT } }, ...members };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

function withoutDelivery(sub: Record<string, any>): Record<string, any> {
  const { timesSent, timesFailed, status, lastNotification, lastSuccess, lastFailure, ...notification } = sub.notification;
  return { ...sub, notification };
}

/** Every member of clause 5.2.12 a client may give, in the forms Mimosa renders them back. */
const everyMemberFixture = JSON.parse(readFileSync(new URL('../fixtures/subscriptions/every-member.json', import.meta.url), 'utf8'));

/** A subscription with every member a client may give. */
function everyMember(id: string): Record<string, unknown> {
  return { ...everyMemberFixture, id };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeApi('Subscriptions (5.8)', (h) => {
  let userContext = '';
  let user: Headers = {};

  before(async () => {
    userContext = await hostContext(h().app, { ex: EX, speed: 'ex:speed', brand: 'ex:brand', Car: 'ex:Car' });
    user = { link: linkHeader(userContext) };
  });

  const create = async (b: Record<string, unknown>, headers: Headers = {}): Promise<LightMyRequestResponse> => {
    const res = await send(h().app, 'POST', SUBS, b, headers);
    assert.equal(res.statusCode, 201, res.body);
    return res;
  };
  const retrieve = async (id: string, query = '', headers: Headers = {}): Promise<Record<string, any>> => {
    const res = await send(h().app, 'GET', subUrl(id, query), undefined, headers);
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  };

  // ---------------------------------------------------------------- 5.8.1 create, 5.8.3 retrieve

  it('create should answer 201 with the Location of the subscription when the body is valid', async () => {
    const b = body();
    const res = await create(b);
    assert.equal(res.headers.location, subUrl(b.id as string));
    assert.equal(res.body, '');
  });

  it('create should generate a Subscription URN when the body has no id', async () => {
    const res = await create(body({ id: undefined }));
    const location = String(res.headers.location);
    const id = decodeURIComponent(location.slice(SUBS.length + 1));
    assert.match(id, /^urn:ngsi-ld:Subscription:[0-9a-f-]{36}$/);
    assert.equal((await retrieve(id)).id, id);
  });

  it('retrieve should give back every member as written when names are compacted with the creating context', async () => {
    const id = uniqueId('Subscription');
    await create(everyMember(id), user);
    const got = await send(h().app, 'GET', subUrl(id), undefined, user);
    assert.equal(got.statusCode, 200, got.body);
    assert.match(String(got.headers['content-type']), /^application\/json/);
    assert.ok(String(got.headers.link).includes(userContext), String(got.headers.link));
    const expected = everyMember(id);
    assert.deepEqual(got.json(), {
      ...expected,
      notification: { ...(expected.notification as object), timesSent: 0, timesFailed: 0 },
      status: 'paused',
    });
  });

  it('retrieve should give back timeInterval, localOnly and the defaults when a periodic subscription is created', async () => {
    const b = body({ timeInterval: 60, localOnly: true, entities: [{ type: 'Car', id: 'urn:ngsi-ld:Car:9' }] });
    await create(b, user);
    const got = await retrieve(b.id as string, '', user);
    assert.deepEqual(withoutDelivery(got), {
      ...b,
      notificationTrigger: ['attributeCreated', 'attributeUpdated'],
      isActive: true,
      notification: { format: 'normalized', sysAttrs: false, showChanges: false, endpoint: { uri: ENDPOINT } },
      status: 'active',
    });
  });

  it('retrieve should compact names with the caller context when it differs from the creating one', async () => {
    const id = uniqueId('Subscription');
    await create(body({ id, watchedAttributes: ['speed'], q: 'speed>1', notification: { attributes: ['speed'], endpoint: { uri: ENDPOINT } } }), user);
    const core = await retrieve(id);
    assert.deepEqual(core.watchedAttributes, [`${EX}speed`]);
    assert.equal(core.q, `${EX}speed>1`);
    assert.deepEqual(core.entities, [{ type: `${EX}Car` }]);
    assert.deepEqual(core.notification.attributes, [`${EX}speed`]);
    const other = await hostContext(h().app, { velocity: `${EX}speed`, Auto: `${EX}Car` });
    const viaOther = await retrieve(id, '', { link: linkHeader(other) });
    assert.deepEqual(viaOther.watchedAttributes, ['velocity']);
    assert.equal(viaOther.q, 'velocity>1');
    assert.deepEqual(viaOther.entities, [{ type: 'Auto' }]);
  });

  it('retrieve should put @context in the body when application/ld+json is accepted', async () => {
    const b = body({ watchedAttributes: ['speed'] });
    await create(b, user);
    const res = await send(h().app, 'GET', subUrl(b.id as string), undefined, { ...user, accept: 'application/ld+json' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/ld\+json/);
    assert.equal(res.headers.link, undefined);
    const doc = res.json();
    assert.equal(doc['@context'], userContext);
    assert.deepEqual(doc.watchedAttributes, ['speed']);
  });

  it('create should take the names from the body @context when the request is application/ld+json', async () => {
    const id = uniqueId('Subscription');
    const inline = { '@context': [{ wind: `${EX}windSpeed` }, CORE_CONTEXT] };
    await create({ ...body({ id, watchedAttributes: ['wind'] }), ...inline }, { 'content-type': 'application/ld+json' });
    assert.deepEqual((await retrieve(id)).watchedAttributes, [`${EX}windSpeed`]);
    const hosted = await hostContext(h().app, { wind: `${EX}windSpeed` });
    assert.deepEqual((await retrieve(id, '', { link: linkHeader(hosted) })).watchedAttributes, ['wind']);
  });

  it('retrieve should answer 406 when the caller accepts neither JSON nor JSON-LD', async () => {
    const b = body();
    await create(b);
    const res = await send(h().app, 'GET', subUrl(b.id as string), undefined, { accept: 'application/geo+json' });
    assertProblem(res, 406, 'InvalidRequest');
  });

  it('retrieve should answer status active, paused or expired when isActive and expiresAt say so', async () => {
    const active = body();
    const paused = body({ isActive: false });
    const soon = body({ expiresAt: new Date(Date.now() + 1500).toISOString() });
    await Promise.all([create(active), create(paused), create(soon)]);
    assert.equal((await retrieve(active.id as string)).status, 'active');
    assert.equal((await retrieve(paused.id as string)).status, 'paused');
    assert.equal((await retrieve(soon.id as string)).status, 'active');
    await sleep(1600);
    assert.equal((await retrieve(soon.id as string)).status, 'expired');
  });

  it('retrieve should add createdAt and modifiedAt when options=sysAttrs is given', async () => {
    const b = body();
    await create(b);
    const plain = await retrieve(b.id as string);
    assert.equal('createdAt' in plain, false);
    assert.equal('modifiedAt' in plain, false);
    const sys = await retrieve(b.id as string, 'options=sysAttrs');
    assert.ok(Date.parse(sys.createdAt) > 0, sys.createdAt);
    assert.equal(sys.modifiedAt, sys.createdAt);
  });

  it('retrieve should answer 400 when an option other than sysAttrs is given', async () => {
    const b = body();
    await create(b);
    assertProblem(await send(h().app, 'GET', subUrl(b.id as string, 'options=keyValues')), 400, 'BadRequestData');
  });

  it('create should answer 409 AlreadyExists when the id is taken', async () => {
    const b = body();
    await create(b);
    const again = await send(h().app, 'POST', SUBS, { ...b, subscriptionName: 'other' });
    assertProblem(again, 409, 'AlreadyExists');
    assert.equal('subscriptionName' in (await retrieve(b.id as string)), false);
  });

  it('retrieve should answer 404 ResourceNotFound when the subscription does not exist', async () => {
    assertProblem(await send(h().app, 'GET', subUrl(uniqueId('Subscription'))), 404, 'ResourceNotFound');
  });

  it('retrieve should answer 400 when the path id is not a URI', async () => {
    const res = assertProblem(await send(h().app, 'GET', `${SUBS}/not%20a%20uri`), 400, 'BadRequestData');
    assert.match(String(res.detail), /Subscription id "not a uri" is not a URI/);
  });

  // ---------------------------------------------------------------- tenants (clause 6.3.14)

  it('retrieve should answer 404 NonexistentTenant when the tenant does not exist', async () => {
    const tenant = { 'NGSILD-Tenant': uniqueTenant('nosubs') };
    assertProblem(await send(h().app, 'GET', subUrl(uniqueId('Subscription')), undefined, tenant), 404, 'NonexistentTenant');
    assertProblem(await send(h().app, 'GET', SUBS, undefined, tenant), 404, 'NonexistentTenant');
    assertProblem(await send(h().app, 'DELETE', subUrl(uniqueId('Subscription')), undefined, tenant), 404, 'NonexistentTenant');
    assertProblem(await send(h().app, 'PATCH', subUrl(uniqueId('Subscription')), { isActive: true }, tenant), 404, 'NonexistentTenant');
  });

  it('create should create the tenant and keep the subscription to it when NGSILD-Tenant is given', async () => {
    const tenant = uniqueTenant('subs');
    const b = body();
    const res = await create(b, { 'NGSILD-Tenant': tenant });
    assert.equal(res.headers['ngsild-tenant'], tenant);
    const inTenant = await send(h().app, 'GET', subUrl(b.id as string), undefined, { 'NGSILD-Tenant': tenant });
    assert.equal(inTenant.statusCode, 200, inTenant.body);
    assert.equal(inTenant.headers['ngsild-tenant'], tenant);
    assertProblem(await send(h().app, 'GET', subUrl(b.id as string)), 404, 'ResourceNotFound');
    const other = uniqueTenant('subs');
    await create(body(), { 'NGSILD-Tenant': other });
    const list = await send(h().app, 'GET', `${SUBS}?count=true`, undefined, { 'NGSILD-Tenant': other });
    assert.equal(list.headers['ngsild-results-count'], '1');
    assert.equal(list.json().some((s: { id: string }) => s.id === b.id), false);
  });

  // ---------------------------------------------------------------- 5.8.4 query

  it('query should page with count and Link headers when limit and offset are given', async () => {
    const tenant = { 'NGSILD-Tenant': uniqueTenant('page') };
    const ids = Array.from({ length: 5 }, (_, i) => `urn:ngsi-ld:Subscription:page:${i}`);
    for (const id of ids) await create(body({ id }), tenant);
    const get = (query: string) => send(h().app, 'GET', `${SUBS}?${query}`, undefined, tenant);

    const first = await get('limit=2&count=true');
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers['ngsild-results-count'], '5');
    assert.deepEqual(first.json().map((s: { id: string }) => s.id), ids.slice(0, 2));
    const firstLink = String(first.headers.link);
    assert.match(firstLink, /<\/ngsi-ld\/v1\/subscriptions\?limit=2&count=true&offset=2>; rel="next"/);
    assert.doesNotMatch(firstLink, /rel="prev"/);
    assert.ok(firstLink.includes(JSONLD_REL), 'the context Link is kept beside the paging links');

    const middle = await get('limit=2&offset=2');
    assert.deepEqual(middle.json().map((s: { id: string }) => s.id), ids.slice(2, 4));
    assert.match(String(middle.headers.link), /offset=0>; rel="prev"/);
    assert.match(String(middle.headers.link), /offset=4>; rel="next"/);
    assert.equal(middle.headers['ngsild-results-count'], undefined);

    const last = await get('limit=2&offset=4');
    assert.deepEqual(last.json().map((s: { id: string }) => s.id), ids.slice(4));
    assert.doesNotMatch(String(last.headers.link), /rel="next"/);

    const counted = await get('limit=0&count=true');
    assert.equal(counted.statusCode, 200, counted.body);
    assert.deepEqual(counted.json(), []);
    assert.equal(counted.headers['ngsild-results-count'], '5');
  });

  it('query should render each subscription with the caller context when a Link header is given', async () => {
    const tenant = { 'NGSILD-Tenant': uniqueTenant('render') };
    await create(body({ watchedAttributes: ['speed'] }), { ...tenant, ...user });
    const res = await send(h().app, 'GET', `${SUBS}?options=sysAttrs`, undefined, { ...tenant, ...user, accept: 'application/ld+json' });
    assert.equal(res.statusCode, 200, res.body);
    const [s] = res.json();
    assert.deepEqual(s.watchedAttributes, ['speed']);
    assert.equal(s['@context'], userContext);
    assert.ok(s.createdAt);
  });

  const badQueries: Array<[string, string, number]> = [
    ['limit=0 comes without count=true', 'limit=0', 400],
    ['limit is not a number', 'limit=x', 400],
    ['offset is negative', 'offset=-1', 400],
    ['count is not a boolean', 'count=yes', 400],
    ['a parameter is unknown', 'type=Car', 400],
    ['a parameter is repeated', 'limit=1&limit=2', 400],
    ['limit exceeds the maximum', 'limit=1000000', 403],
  ];
  for (const [condition, query, status] of badQueries) {
    it(`query should answer ${status} when ${condition}`, async () => {
      const res = await send(h().app, 'GET', `${SUBS}?${query}`);
      assertProblem(res, status, status === 403 ? 'TooManyResults' : 'BadRequestData');
    });
  }

  // ---------------------------------------------------------------- 5.8.2 update

  it('update should replace the given members and keep the others when a fragment is patched', async () => {
    const b = body({ watchedAttributes: ['speed'], subscriptionName: 'before', description: 'kept' });
    await create(b, user);
    const created = await retrieve(b.id as string, 'options=sysAttrs', user);
    await sleep(5);
    const res = await send(h().app, 'PATCH', subUrl(b.id as string), { subscriptionName: 'after', watchedAttributes: ['brand'], notification: { format: 'concise', endpoint: { uri: 'http://127.0.0.1:9/other' } } }, user);
    assert.equal(res.statusCode, 204, res.body);
    const got = await retrieve(b.id as string, 'options=sysAttrs', user);
    assert.equal(got.subscriptionName, 'after');
    assert.equal(got.description, 'kept');
    assert.deepEqual(got.watchedAttributes, ['brand']);
    assert.deepEqual(got.entities, [{ type: 'Car' }]);
    // notification is replaced as a whole (clause 5.8.2)
    assert.deepEqual(withoutDelivery(got).notification, { format: 'concise', sysAttrs: false, showChanges: false, endpoint: { uri: 'http://127.0.0.1:9/other' } });
    assert.equal(got.createdAt, created.createdAt);
    assert.ok(Date.parse(got.modifiedAt) > Date.parse(created.modifiedAt), `${got.modifiedAt} after ${created.modifiedAt}`);
  });

  it('update should answer 400 and change nothing when the merged subscription breaks a rule of 5.2.12', async () => {
    const b = body({ watchedAttributes: ['speed'] });
    await create(b, user);
    const before = await retrieve(b.id as string, 'options=sysAttrs');
    const res = await send(h().app, 'PATCH', subUrl(b.id as string), { timeInterval: 30, subscriptionName: 'changed' });
    const p = assertProblem(res, 400, 'BadRequestData');
    assert.match(String(p.detail), /timeInterval and watchedAttributes/);
    assert.deepEqual(await retrieve(b.id as string, 'options=sysAttrs'), before);
  });

  it('create and update should answer 400 naming the member when PostgreSQL rejects a pattern JavaScript accepts, and writes of the type go on', async () => {
    // `\p` is an identity escape in a JavaScript RegExp without the u flag, and an invalid escape for PostgreSQL
    const bad = 'urn:ngsi-ld:Car:\\p{L}';
    const created = await send(h().app, 'POST', SUBS, body({ entities: [{ type: 'Car' }, { type: 'Car', idPattern: bad }] }));
    assert.match(String(assertProblem(created, 400, 'BadRequestData').detail), /^entities\[1\]\.idPattern "urn:ngsi-ld:Car:\\\\p\{L\}" is not a valid regular expression for PostgreSQL: /);
    const q = await send(h().app, 'POST', SUBS, body({ q: 'brand~="\\p{L}"' }));
    assert.match(String(assertProblem(q, 400, 'BadRequestData').detail), /^q ~= "\\\\p\{L\}" is not a valid regular expression for PostgreSQL: /);

    const b = body({ entities: [{ type: 'Car', idPattern: '^urn:ngsi-ld:Car:' }] });
    await create(b);
    const before = await retrieve(b.id as string, 'options=sysAttrs');
    const patched = await send(h().app, 'PATCH', subUrl(b.id as string), { entities: [{ type: 'Car', idPattern: bad }] });
    assert.match(String(assertProblem(patched, 400, 'BadRequestData').detail), /^entities\[0\]\.idPattern /);
    assert.deepEqual(await retrieve(b.id as string, 'options=sysAttrs'), before);
    const write = await send(h().app, 'POST', `${API}/entities`, { id: uniqueId('Car'), type: 'Car', brand: { type: 'Property', value: 'x' } });
    assert.equal(write.statusCode, 201, write.body);
  });

  it('update should answer 400 when the fragment id differs from the path id', async () => {
    const b = body();
    await create(b);
    const p = assertProblem(await send(h().app, 'PATCH', subUrl(b.id as string), { id: uniqueId('Subscription'), isActive: false }), 400, 'BadRequestData');
    assert.match(String(p.detail), /differs from the id in the path/);
    assert.equal((await retrieve(b.id as string)).isActive, true);
  });

  it('update should accept the fragment when its id equals the path id', async () => {
    const b = body();
    await create(b);
    assert.equal((await send(h().app, 'PATCH', subUrl(b.id as string), { id: b.id, isActive: false })).statusCode, 204);
    assert.equal((await retrieve(b.id as string)).status, 'paused');
  });

  it('update should answer 400 when expiresAt is in the past', async () => {
    const b = body();
    await create(b);
    const p = assertProblem(await send(h().app, 'PATCH', subUrl(b.id as string), { expiresAt: '2000-01-01T00:00:00Z' }), 400, 'BadRequestData');
    assert.match(String(p.detail), /not in the future/);
  });

  it('update should make the subscription active again when isActive is set back to true', async () => {
    const b = body({ isActive: false });
    await create(b);
    assert.equal((await send(h().app, 'PATCH', subUrl(b.id as string), { isActive: true })).statusCode, 204);
    assert.equal((await retrieve(b.id as string)).status, 'active');
  });

  it('update should take the names from the fragment @context when the request is application/ld+json', async () => {
    const b = body();
    await create(b, user);
    const fragment = { watchedAttributes: ['gust'], '@context': [{ gust: `${EX}gust` }] };
    const res = await send(h().app, 'PATCH', subUrl(b.id as string), fragment, { 'content-type': 'application/ld+json' });
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual((await retrieve(b.id as string)).watchedAttributes, [`${EX}gust`]);
  });

  it('update should answer 404 ResourceNotFound when the subscription does not exist', async () => {
    assertProblem(await send(h().app, 'PATCH', subUrl(uniqueId('Subscription')), { isActive: false }), 404, 'ResourceNotFound');
  });

  const badFragments: Array<[string, unknown, RegExp]> = [
    ['the fragment is empty', {}, /no member to update/],
    ['the fragment is an array', [{ isActive: true }], /must be a JSON object/],
    ['a member is system-generated', { status: 'active' }, /set by the system/],
    ['a member has the wrong type', { isActive: 'yes' }, /isActive must be a boolean/],
    ['a member is unknown', { colour: 'red' }, /not defined by clause 5.2.12/],
    ['timeInterval and watchedAttributes come together', { timeInterval: 5, watchedAttributes: ['speed'] }, /timeInterval and watchedAttributes/],
  ];
  for (const [condition, fragment, detail] of badFragments) {
    it(`update should answer 400 when ${condition}`, async () => {
      const b = body();
      await create(b);
      const p = assertProblem(await send(h().app, 'PATCH', subUrl(b.id as string), fragment), 400, 'BadRequestData');
      assert.match(String(p.detail), detail);
    });
  }

  // ---------------------------------------------------------------- what notifications rely on

  it('create should keep the Link header context when the subscription is made with application/json', async () => {
    const b = body();
    await create(b, user);
    assert.deepEqual((await h().store.getSubscription('', b.id as string))?.subscription.context, [userContext]);
  });

  it('create should keep an inline @context as a hosted context URL when the body carries objects', async () => {
    const b: Record<string, unknown> = { ...body(), '@context': [{ wind: `${EX}windSpeed` }, CORE_CONTEXT] };
    await create(b, { 'content-type': 'application/ld+json' });
    const kept = (await h().store.getSubscription('', b.id as string))?.subscription.context;
    assert.equal(kept?.length, 1);
    assert.match(String(kept?.[0]), /\/ngsi-ld\/v1\/jsonldContexts\/implicit-/);
    const served = await send(h().app, 'GET', new URL(String(kept?.[0])).pathname);
    assert.equal(served.statusCode, 200, served.body);
    assert.deepEqual((await retrieve(b.id as string, '', { link: linkHeader(String(kept?.[0])) })).entities, [{ type: 'Car' }]);
  });

  it('update should keep the creating context unless the fragment brings its own @context', async () => {
    const b = body();
    await create(b, user);
    await send(h().app, 'PATCH', subUrl(b.id as string), { subscriptionName: 'renamed' }, { link: linkHeader(CORE_CONTEXT) });
    assert.deepEqual((await h().store.getSubscription('', b.id as string))?.subscription.context, [userContext]);
    const other = await hostContext(h().app, { gust: `${EX}gust` });
    const res = await send(h().app, 'PATCH', subUrl(b.id as string), { watchedAttributes: ['gust'], '@context': other }, { 'content-type': 'application/ld+json' });
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual((await h().store.getSubscription('', b.id as string))?.subscription.context, [other]);
  });

  it('retrieve should show the notifier bookkeeping (clause 5.2.14) when a notification was delivered', async () => {
    const tenant = uniqueTenant('bookkeeping');
    const headers = { 'NGSILD-Tenant': tenant };
    // an endpoint of its own: the rows other tests queued for ENDPOINT stay out of the way
    const b = body({ entities: [{ type: 'Car' }], notification: { endpoint: { uri: 'http://127.0.0.2:9/bookkeeping' } } });
    await create(b, headers);
    const car = { id: uniqueId('Car'), type: 'Car', speed: { type: 'Property', value: 1 } };
    assert.equal((await send(h().app, 'POST', `${API}/entities`, car, headers)).statusCode, 201);
    const claimed = await h().store.outbox.claim({ worker: 'subscriptions.test', limit: 1000, leaseMs: 60_000, busyEndpoints: [], perEndpoint: 1000 });
    const n = claimed.find((x) => x.tenant === tenant && x.subscription.id === b.id);
    assert.ok(n, 'creating a matching entity queued a notification');
    const at = new Date().toISOString();
    await h().store.outbox.delivered([{ n, at }]);
    const got = await retrieve(b.id as string, '', headers);
    assert.equal(got.notification.timesSent, 1);
    assert.equal(got.notification.timesFailed, 0);
    assert.equal(got.notification.status, 'ok');
    assert.equal(Date.parse(got.notification.lastSuccess), Date.parse(at));
  });

  // ---------------------------------------------------------------- 5.8.5 delete

  it('delete should answer 204 and then 404 when the subscription is deleted twice', async () => {
    const b = body();
    await create(b);
    const res = await send(h().app, 'DELETE', subUrl(b.id as string));
    assert.equal(res.statusCode, 204, res.body);
    assertProblem(await send(h().app, 'GET', subUrl(b.id as string)), 404, 'ResourceNotFound');
    assertProblem(await send(h().app, 'DELETE', subUrl(b.id as string)), 404, 'ResourceNotFound');
  });

  it('delete should answer 400 when the path id is not a URI', async () => {
    assertProblem(await send(h().app, 'DELETE', `${SUBS}/nope`), 400, 'BadRequestData');
  });

  it('delete should leave a subscription of another tenant alone when ids collide', async () => {
    const tenant = { 'NGSILD-Tenant': uniqueTenant('del') };
    const b = body();
    await create(b);
    await create(b, tenant);
    assert.equal((await send(h().app, 'DELETE', subUrl(b.id as string), undefined, tenant)).statusCode, 204);
    assert.equal((await retrieve(b.id as string)).id, b.id);
  });

  // ---------------------------------------------------------------- bad input

  const badCreates: Array<[string, unknown, RegExp]> = [
    ['the body has no type', body({ type: undefined }), /has no type/],
    ['the body has no notification', body({ notification: undefined }), /has no notification/],
    ['the endpoint is not http or mqtt', body({ notification: { endpoint: { uri: 'ftp://x.org/' } } }), /not an absolute http, https, mqtt or mqtts URI/],
    ['the id is not a URI', body({ id: 'sub 1' }), /is not a URI/],
    ['expiresAt is in the past', body({ expiresAt: '2000-01-01T00:00:00Z' }), /not in the future/],
    ['q does not parse', body({ q: 'speed>' }), /q/],
    ['the body is a string', 'just text', /must be a JSON object/],
    ['neither entities nor watchedAttributes is given', body({ entities: undefined }), /needs entities or watchedAttributes/],
  ];
  for (const [condition, b, detail] of badCreates) {
    it(`create should answer 400 when ${condition}`, async () => {
      const p = assertProblem(await send(h().app, 'POST', SUBS, JSON.stringify(b)), 400, 'BadRequestData');
      assert.match(String(p.detail), detail);
    });
  }

  it('create should answer 400 InvalidRequest when the body is not JSON', async () => {
    assertProblem(await send(h().app, 'POST', SUBS, '{"type": "Subscription",'), 400, 'InvalidRequest');
  });

  it('create should answer 400 when an @context comes in an application/json body', async () => {
    assertProblem(await send(h().app, 'POST', SUBS, { ...body(), '@context': CORE_CONTEXT }), 400, 'BadRequestData');
  });

  it('create should answer 400 when a query parameter is given', async () => {
    assertProblem(await send(h().app, 'POST', `${SUBS}?local=true`, body()), 400, 'BadRequestData');
  });

  it('create should answer 415 when the Content-Type is not JSON', async () => {
    assertProblem(await send(h().app, 'POST', SUBS, JSON.stringify(body()), { 'content-type': 'text/plain' }), 415, 'InvalidRequest');
  });

  /** A 4xx is a ProblemDetails; nothing is a 5xx. */
  function neverServerError(res: LightMyRequestResponse): void {
    assert.ok(res.statusCode < 500, `${res.statusCode}: ${res.body}`);
    if (res.statusCode >= 400) assertProblem(res, res.statusCode, String(res.json().type).split('/').pop() as string);
  }

  const members = ['id', 'type', 'entities', 'watchedAttributes', 'notificationTrigger', 'timeInterval', 'q', 'geoQ', 'scopeQ', 'csf', 'isActive', 'expiresAt', 'throttling', 'lang', 'datasetId', 'notification', 'jsonldContext'];
  const hostile = fc.oneof(fc.jsonValue(), fc.string(), fc.constantFrom(null, -1, 0, 1e308, '', '((', 'urn:ngsi-ld:null', [], {}, [{}], { endpoint: {} }));

  it('create should answer 4xx ProblemDetails and never 500 when members hold hostile values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...members), hostile, async (member, value) => {
        neverServerError(await send(h().app, 'POST', SUBS, { ...body(), [member]: value }));
      }),
      { numRuns: 60 },
    );
  });

  it('create should answer 4xx ProblemDetails and never 500 when the body is any JSON value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const res = await send(h().app, 'POST', SUBS, JSON.stringify(value));
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode}: ${res.body}`);
        neverServerError(res);
      }),
      { numRuns: 40 },
    );
  });

  it('update should answer 4xx ProblemDetails and never 500 when members hold hostile values', async () => {
    const b = body({ isActive: false });
    await create(b);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...members.filter((m) => m !== 'id' && m !== 'isActive')), hostile, async (member, value) => {
        neverServerError(await send(h().app, 'PATCH', subUrl(b.id as string), { [member]: value }));
      }),
      { numRuns: 60 },
    );
  });

  it('retrieve should answer 4xx and never 500 when the path id is any string', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), async (raw) => {
        neverServerError(await send(h().app, 'GET', `${SUBS}/${encodeURIComponent(raw)}`));
      }),
      { numRuns: 40 },
    );
  });
});
