/**
 * The portal's live stream (src/portal/live.ts): Server-Sent Events fed by an NGSI-LD subscription the portal holds
 * while clients are connected, so that a write through any Mimosa application on the same database reaches them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { forEachEngine } from '../support/engines.js';
import { assertProblem, buildTestApp, ENTITIES, entityUrl, send, uniqueId, uniqueTenant } from '../support/http.js';
import { eventually } from '../support/notify.js';
import { openSse } from './support.js';

const LIVE = '/mimosa/portal/live';

// The nested describe closes the applications (and their notifiers) before forEachEngine disposes of the store.
forEachEngine('Portal live stream', (engine, store) => describe('with two applications on one database', () => {
  let portal: FastifyInstance;
  let other: FastifyInstance;
  let base: string;
  before(async () => {
    portal = await buildTestApp(store(), { notifier: true }, engine);
    await portal.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(portal.server.address() as { port: number }).port}`;
    // Another application on the same database: a write through it must reach the portal's clients.
    other = await buildTestApp(store(), { notifier: true }, engine);
  });
  after(async () => {
    await other.close();
    await portal.close();
  });
  const subscriptions = async (tenant: string) => (await send(portal, 'GET', '/ngsi-ld/v1/subscriptions', undefined, { 'NGSILD-Tenant': tenant })).json() as { subscriptionName?: string }[];

  it('live stream should be a 404 NonexistentTenant when the tenant does not exist', async () => {
    assertProblem(await portal.inject({ method: 'GET', url: `${LIVE}?tenant=${uniqueTenant('none')}` }), 404, 'NonexistentTenant');
  });

  it('live stream should be a 400 when the tenant name or a parameter is not valid', async () => {
    assertProblem(await portal.inject({ method: 'GET', url: `${LIVE}?tenant=${encodeURIComponent('/bad tenant')}` }), 400, 'BadRequestData');
    assertProblem(await portal.inject({ method: 'GET', url: `${LIVE}?tenant=x&since=now` }), 400, 'BadRequestData');
  });

  it('a notification for an unknown live feed should be a 404', async () => {
    assertProblem(await send(portal, 'POST', '/mimosa/portal/notify/nothing', { data: [] }), 404, 'ResourceNotFound');
  });

  it('a write through another application should reach the SSE client when the portal holds a live feed', async () => {
    const tenant = uniqueTenant('live');
    const id = uniqueId('ParkingSpot');
    const headers = { 'NGSILD-Tenant': tenant };
    const created = await send(other, 'POST', ENTITIES, { id, type: 'ParkingSpot', status: { type: 'Property', value: 'free' } }, headers);
    assert.equal(created.statusCode, 201, created.body);

    const stream = await openSse(`${base}${LIVE}?tenant=${tenant}`);
    assert.equal(stream.res.statusCode, 200);
    assert.match(String(stream.res.headers['content-type']), /^text\/event-stream/);
    await stream.next((e) => e.event === 'ready');
    assert.deepEqual((await subscriptions(tenant)).map((s) => s.subscriptionName), ['mimosa-portal-live']);

    const patched = await send(other, 'PATCH', entityUrl(id, '/attrs'), { status: { type: 'Property', value: 'occupied' } }, headers);
    assert.equal(patched.statusCode, 204, patched.body);
    const change = await stream.next((e) => e.event === 'change' && (e.data as { id: string; status: string }[]).some((x) => x.id === id && x.status === 'occupied'));
    assert.deepEqual(change.data, [{ id, type: 'ParkingSpot', status: 'occupied' }]);

    stream.close();
    await eventually('the live subscription is deleted after the last client left', async () => (await subscriptions(tenant)).length === 0);
  });
}));
