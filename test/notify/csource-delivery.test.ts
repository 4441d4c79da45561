/**
 * Notifications of registration subscriptions (clauses 5.11 and 5.3.2): registering, updating and deleting context
 * source registrations notifies the subscriptions they newly match, still match, or no longer match, delivered
 * through the notification outbox to a local receiver, on every engine. "Nothing" is asserted through the outbox
 * (test/support/notify.ts), never by waiting for a silence.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { API, linkHeader, uniqueId, uniqueTenant, hostContext } from '../support/http.js';
import { assertNothingMore, deadLetters, describeDelivery, eventually, expect, uniquePath, uniqueType, type DeliveryHarness } from '../support/notify.js';

const CSR = `${API}/csourceRegistrations`;
const CSUBS = `${API}/csourceSubscriptions`;
const regUrl = (id: string) => `${CSR}/${encodeURIComponent(id)}`;

async function watch(h: DeliveryHarness, path: string, members: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  const id = uniqueId('Subscription');
  await expect(h.app, 201, 'POST', CSUBS, { id, type: 'Subscription', notification: { endpoint: { uri: h.receiver.url(path) } }, ...members }, headers);
  return id;
}

async function register(h: DeliveryHarness, members: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  const id = uniqueId('ContextSourceRegistration');
  await expect(h.app, 201, 'POST', CSR, { id, type: 'ContextSourceRegistration', endpoint: 'http://127.0.0.1:9/source', ...members }, headers);
  return id;
}

describeDelivery('Context source notifications (5.11, 5.3.2)', (h) => {
  it('register should notify newlyMatching with the registration when it matches a subscription', async () => {
    const [T, path] = [uniqueType('Parking'), uniquePath('csr-new')];
    const sub = await watch(h(), path, { entities: [{ type: T }] });
    const reg = await register(h(), { information: [{ entities: [{ type: T }], propertyNames: ['status'] }], registrationName: 'operator' });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.equal(n.body.type, 'ContextSourceNotification');
    assert.equal(n.body.subscriptionId, sub);
    assert.equal(n.body.triggerReason, 'newlyMatching');
    assert.match(n.body.id, /^urn:ngsi-ld:ContextSourceNotification:[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(n.body.notifiedAt)));
    assert.deepEqual(n.body.data, [
      {
        id: reg,
        type: 'ContextSourceRegistration',
        registrationName: 'operator',
        information: [{ entities: [{ type: T }], propertyNames: ['status'] }],
        endpoint: 'http://127.0.0.1:9/source',
        mode: 'inclusive',
        operations: ['federationOps'],
      },
    ]);
    assert.equal(n.headers['content-type'], 'application/json');
    assert.match(String(n.headers.link), /rel="http:\/\/www.w3.org\/ns\/json-ld#context"/);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('create subscription should notify newlyMatching with every registration that matches already', async () => {
    const [T, path] = [uniqueType('Parking'), uniquePath('csr-first')];
    const a = await register(h(), { information: [{ entities: [{ type: T }] }] });
    const b = await register(h(), { information: [{ entities: [{ type: T }], propertyNames: ['status'] }] });
    await register(h(), { information: [{ entities: [{ type: uniqueType('Other') }] }] });
    const sub = await watch(h(), path, { entities: [{ type: T }] });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.equal(n.body.triggerReason, 'newlyMatching');
    assert.deepEqual(n.body.data.map((r: { id: string }) => r.id), [a, b].sort());
    await assertNothingMore(h(), sub, path, 1);
  });

  it('update should notify updated when the registration still matches, then noLongerMatching when it stops', async () => {
    const [T, path] = [uniqueType('Parking'), uniquePath('csr-upd')];
    const sub = await watch(h(), path, { entities: [{ type: T }], watchedAttributes: ['status'] });
    const reg = await register(h(), { information: [{ entities: [{ type: T }], propertyNames: ['status'] }] });
    await h().receiver.waitFor(path, 1);
    await expect(h().app, 204, 'PATCH', regUrl(reg), { description: 'now described' });
    const [, updated] = await h().receiver.waitFor(path, 2);
    assert.equal(updated.body.triggerReason, 'updated');
    assert.equal(updated.body.data[0].description, 'now described');
    await expect(h().app, 204, 'PATCH', regUrl(reg), { information: [{ entities: [{ type: T }], propertyNames: ['occupancy'] }] });
    const [, , gone] = await h().receiver.waitFor(path, 3);
    assert.equal(gone.body.triggerReason, 'noLongerMatching');
    // the registration as it was when it last matched
    assert.deepEqual(gone.body.data[0].information, [{ entities: [{ type: T }], propertyNames: ['status'] }]);
    await expect(h().app, 204, 'PATCH', regUrl(reg), { description: 'still not watched' });
    await assertNothingMore(h(), sub, path, 3);
  });

  it('update should notify newlyMatching when a registration that did not match comes to match', async () => {
    const [T, path] = [uniqueType('Parking'), uniquePath('csr-comes')];
    const sub = await watch(h(), path, { entities: [{ type: T }], q: 'mode==redirect' });
    const reg = await register(h(), { information: [{ entities: [{ type: T }] }] });
    await expect(h().app, 204, 'PATCH', regUrl(reg), { mode: 'redirect' });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.equal(n.body.triggerReason, 'newlyMatching');
    assert.equal(n.body.data[0].mode, 'redirect');
    await assertNothingMore(h(), sub, path, 1);
  });

  it('delete should notify noLongerMatching with the registration as it was', async () => {
    const [T, path] = [uniqueType('Parking'), uniquePath('csr-del')];
    const reg = await register(h(), { information: [{ entities: [{ type: T }] }], registrationName: 'doomed' });
    const sub = await watch(h(), path, { entities: [{ type: T }] });
    await h().receiver.waitFor(path, 1);
    await expect(h().app, 204, 'DELETE', regUrl(reg));
    const [, n] = await h().receiver.waitFor(path, 2);
    assert.equal(n.body.triggerReason, 'noLongerMatching');
    assert.deepEqual([n.body.data[0].id, n.body.data[0].registrationName], [reg, 'doomed']);
    await assertNothingMore(h(), sub, path, 2);
  });

  it('register should not notify a subscription whose selection the registration does not meet', async () => {
    const [T, path] = [uniqueType('Parking'), uniquePath('csr-none')];
    const near = { georel: 'near;maxDistance==1000', geometry: 'Point', coordinates: [-3.7, 40.4] };
    const subs = [
      await watch(h(), path, { entities: [{ type: T, id: 'urn:ngsi-ld:Parking:1' }] }),
      await watch(h(), path, { entities: [{ type: T }], watchedAttributes: ['fuel'] }),
      await watch(h(), path, { entities: [{ type: T }], csf: 'mode==exclusive' }),
      await watch(h(), path, { entities: [{ type: T }], geoQ: near }),
      await watch(h(), path, { entities: [{ type: T }], scopeQ: '/Paris' }),
      await watch(h(), path, { entities: [{ type: T }], temporalQ: { timerel: 'after', timeAt: '2020-01-01T00:00:00Z' } }),
      await watch(h(), path, { entities: [{ type: T }], isActive: false }),
    ];
    await register(h(), {
      information: [{ entities: [{ type: T, id: 'urn:ngsi-ld:Parking:2' }], propertyNames: ['status'] }],
      location: { type: 'Point', coordinates: [2.35, 48.85] },
      scope: '/Madrid',
    });
    for (const s of subs) await assertNothingMore(h(), s, path, 0);
  });

  it('register should notify with the subscription context and tenant when they are given', async () => {
    const [path, tenant] = [uniquePath('csr-ctx'), uniqueTenant('csrnote')];
    const ctx = await hostContext(h().app, { ex: 'http://example.org/', Spot: 'ex:Spot', free: 'ex:free' });
    const t = { 'NGSILD-Tenant': tenant };
    const sub = await watch(h(), path, { entities: [{ type: 'Spot' }], notification: { endpoint: { uri: h().receiver.url(path), accept: 'application/ld+json' } } }, { ...t, link: linkHeader(ctx) });
    await register(h(), { information: [{ entities: [{ type: 'http://example.org/Spot' }], propertyNames: ['http://example.org/free'] }] }, t);
    const [n] = await h().receiver.waitFor(path, 1);
    assert.equal(n.headers['ngsild-tenant'], tenant);
    assert.equal(n.headers['content-type'], 'application/ld+json');
    assert.equal(n.body['@context'], ctx);
    assert.deepEqual(n.body.data[0].information, [{ entities: [{ type: 'Spot' }], propertyNames: ['free'] }]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('notifications should be retried and dead-lettered like entity notifications when the endpoint fails', async () => {
    const [T, path] = [uniqueType('Parking'), uniquePath('csr-fail')];
    h().receiver.answer(path, 500, 404);
    const sub = await watch(h(), path, { entities: [{ type: T }] });
    await register(h(), { information: [{ entities: [{ type: T }] }] });
    await h().receiver.waitFor(path, 2);
    const [dead] = await eventually('the notification to be dead-lettered', async () => {
      const d = await deadLetters(h().client, sub);
      return d.length > 0 ? d : undefined;
    });
    assert.equal(dead.reason, 'csource');
    assert.equal(dead.attempts, 2);
    const got = await expect(h().app, 200, 'GET', `${CSUBS}/${encodeURIComponent(sub)}`);
    assert.equal(got.notification.status, 'failed');
    assert.equal(got.notification.timesFailed, 2);
  });

  it('entity writes should not notify registration subscriptions when an entity of the type changes', async () => {
    const [T, path] = [uniqueType('Parking'), uniquePath('csr-entity')];
    const sub = await watch(h(), path, { entities: [{ type: T }] });
    await expect(h().app, 201, 'POST', `${API}/entities`, { id: uniqueId('Parking'), type: T, status: { type: 'Property', value: 'free' } });
    await assertNothingMore(h(), sub, path, 0);
  });
});
