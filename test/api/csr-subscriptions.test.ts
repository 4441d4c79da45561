/**
 * The Context Source Registration Subscription API (ETSI GS CIM 009 V1.8.1 clauses 5.11.2–5.11.6, data type 5.2.12)
 * over HTTP, in-process, on every engine. Notifications are in test/notify/csource-delivery.test.ts.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { API, assertProblem, describeApi, send, uniqueId, uniqueTenant } from '../support/http.js';

const CSUBS = `${API}/csourceSubscriptions`;
const SUBS = `${API}/subscriptions`;
const ENDPOINT = 'http://127.0.0.1:9/notify';
const subUrl = (id: string, query = '') => `${CSUBS}/${encodeURIComponent(id)}${query ? `?${query}` : ''}`;

function body(members: Record<string, unknown> = {}): Record<string, unknown> {
  const all: Record<string, unknown> = { id: uniqueId('Subscription'), type: 'Subscription', entities: [{ type: 'Car' }], notification: { endpoint: { uri: ENDPOINT } }, ...members };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
}

describeApi('Context source registration subscriptions (5.11)', (h) => {
  const create = async (b: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const res = await send(h().app, 'POST', CSUBS, b, headers);
    assert.equal(res.statusCode, 201, res.body);
    return res;
  };
  const retrieve = async (id: string, query = '') => {
    const res = await send(h().app, 'GET', subUrl(id, query));
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Record<string, any>;
  };

  it('create should answer 201 with the Location under /csourceSubscriptions when the body is valid', async () => {
    const b = body();
    const res = await create(b);
    assert.equal(res.headers.location, `/ngsi-ld/v1/csourceSubscriptions/${encodeURIComponent(b.id as string)}`);
  });

  it('retrieve should answer the members given, without entity triggers, when the subscription exists', async () => {
    const b = body({
      subscriptionName: 'parking sources',
      watchedAttributes: ['status'],
      q: 'mode==exclusive',
      csf: 'registrationName=="x"',
      geoQ: { georel: 'within', geometry: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]], geoproperty: 'observationSpace' },
      scopeQ: '/Madrid/#',
      temporalQ: { timerel: 'after', timeAt: '2020-01-01T00:00:00Z', timeproperty: 'modifiedAt' },
      expiresAt: '2099-01-01T00:00:00Z',
      throttling: 2,
    });
    await create(b);
    const got = await retrieve(b.id as string);
    assert.equal(got.type, 'Subscription');
    assert.equal(got.notificationTrigger, undefined);
    assert.deepEqual(got.temporalQ, { timerel: 'after', timeAt: '2020-01-01T00:00:00Z', timeproperty: 'modifiedAt' });
    assert.deepEqual(got.watchedAttributes, ['status']);
    assert.equal(got.q, 'mode==exclusive');
    assert.equal(got.csf, 'registrationName=="x"');
    assert.equal(got.scopeQ, '/Madrid/#');
    assert.equal(got.geoQ.geoproperty, 'observationSpace');
    assert.equal(got.status, 'active');
    assert.equal(got.notification.timesSent, 0);
  });

  it('registration subscriptions should be apart from entity subscriptions when both exist', async () => {
    const b = body();
    await create(b);
    assertProblem(await send(h().app, 'GET', `${SUBS}/${encodeURIComponent(b.id as string)}`), 404, 'ResourceNotFound');
    const listed = (await send(h().app, 'GET', `${SUBS}?limit=1000`)).json() as Array<{ id: string }>;
    assert.ok(!listed.some((s) => s.id === b.id));
    // one id names one subscription of either kind
    assertProblem(await send(h().app, 'POST', SUBS, body({ id: b.id })), 409, 'AlreadyExists');
    assertProblem(await send(h().app, 'POST', CSUBS, b), 409, 'AlreadyExists');
  });

  it('query should list the tenant registration subscriptions with paging and count', async () => {
    const t = { 'NGSILD-Tenant': uniqueTenant('csub') };
    for (let i = 0; i < 3; i++) await create(body(), t);
    const res = await send(h().app, 'GET', `${CSUBS}?limit=2&count=true`, undefined, t);
    assert.equal(res.statusCode, 200);
    assert.equal((res.json() as unknown[]).length, 2);
    assert.equal(res.headers['ngsild-results-count'], '3');
    assert.match(String(res.headers.link), /rel="next"/);
  });

  it('update should replace the members given when the fragment is valid', async () => {
    const b = body();
    await create(b);
    const res = await send(h().app, 'PATCH', subUrl(b.id as string), { isActive: false, temporalQ: { timerel: 'before', timeAt: '2020-01-01T00:00:00Z' } });
    assert.equal(res.statusCode, 204, res.body);
    const got = await retrieve(b.id as string);
    assert.equal(got.status, 'paused');
    assert.deepEqual(got.temporalQ, { timerel: 'before', timeAt: '2020-01-01T00:00:00Z', timeproperty: 'observedAt' });
  });

  it('delete should answer 204, then 404 when the subscription is gone', async () => {
    const b = body();
    await create(b);
    assert.equal((await send(h().app, 'DELETE', subUrl(b.id as string))).statusCode, 204);
    assertProblem(await send(h().app, 'GET', subUrl(b.id as string)), 404, 'ResourceNotFound');
    assertProblem(await send(h().app, 'DELETE', subUrl(b.id as string)), 404, 'ResourceNotFound');
    assertProblem(await send(h().app, 'PATCH', subUrl(b.id as string), { isActive: false }), 404, 'ResourceNotFound');
  });

  const invalid: Array<[string, Record<string, unknown>, number, string]> = [
    ['notificationTrigger is given', { notificationTrigger: ['entityCreated'] }, 400, 'BadRequestData'],
    ['datasetId is given', { datasetId: ['@none'] }, 400, 'BadRequestData'],
    ['notification.attributes is given', { notification: { attributes: ['a'], endpoint: { uri: ENDPOINT } } }, 400, 'BadRequestData'],
    ['the endpoint accepts GeoJSON', { notification: { endpoint: { uri: ENDPOINT, accept: 'application/geo+json' } } }, 400, 'BadRequestData'],
    ['temporalQ has no timeAt', { temporalQ: { timerel: 'after' } }, 400, 'BadRequestData'],
    ['temporalQ has an unknown member', { temporalQ: { timerel: 'after', timeAt: '2020-01-01T00:00:00Z', lastN: 3 } }, 400, 'BadRequestData'],
    ['geoQ names no GeoProperty of registrations', { geoQ: { georel: 'within', geometry: 'Point', coordinates: [1, 2], geoproperty: 'position' } }, 400, 'BadRequestData'],
    ['there is neither entities nor watchedAttributes', { entities: undefined }, 400, 'BadRequestData'],
    ['the type is not Subscription', { type: 'CsourceSubscription' }, 400, 'BadRequestData'],
    ['timeInterval is given', { timeInterval: 60 }, 422, 'OperationNotSupported'],
  ];
  for (const [condition, members, status, type] of invalid) {
    it(`create should answer ${status} ${type} when ${condition}`, async () => {
      assertProblem(await send(h().app, 'POST', CSUBS, body(members)), status, type);
    });
  }

  it('retrieve should answer 404 NonexistentTenant when the tenant does not exist', async () => {
    assertProblem(await send(h().app, 'GET', CSUBS, undefined, { 'NGSILD-Tenant': uniqueTenant('none') }), 404, 'NonexistentTenant');
  });
});
