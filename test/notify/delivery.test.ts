/**
 * Which writes notify a subscription (clause 5.8 with 5.2.12): the notification triggers, batch operations and the
 * selection members (entities, watchedAttributes, q, geoQ, scopeQ), delivered in-process to a local receiver on
 * every engine. "Nothing" is asserted through the outbox (test/support/notify.ts), never by waiting for a silence.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BATCH, ENTITIES, entityUrl, uniqueId, uniqueTenant } from '../support/http.js';
import { assertNothingMore, dataOf, describeDelivery, expect, prop, subscribe, uniquePath, uniqueType, type DeliveryHarness } from '../support/notify.js';

const NULL = 'urn:ngsi-ld:null';

/** A subscription on entities of `type` notifying `path`, with `members`. */
function on(h: DeliveryHarness, type: string, path: string, members: Record<string, unknown> = {}): Promise<string> {
  return subscribe(h.app, { entities: [{ type }], notification: { endpoint: { uri: h.receiver.url(path) } }, ...members });
}

describeDelivery('Notification triggers (5.2.12)', (h) => {
  const create = (entity: Record<string, unknown>, headers = {}) => expect(h().app, 201, 'POST', ENTITIES, entity, headers);
  const patchAttrs = (id: string, attrs: Record<string, unknown>) => expect(h().app, 204, 'PATCH', entityUrl(id, '/attrs'), attrs);

  it('create entity should notify the entity when entityCreated is the trigger', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('created'), uniqueId('Car')];
    const sub = await on(h(), T, path, { notificationTrigger: ['entityCreated'] });
    await create({ id, type: T, speed: prop(10) });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.equal(n.body.type, 'Notification');
    assert.equal(n.body.subscriptionId, sub);
    assert.match(n.body.id, /^urn:ngsi-ld:Notification:[0-9a-f-]{36}$/);
    assert.deepEqual(dataOf(n), [{ id, type: T, speed: { type: 'Property', value: 10 } }]);
    await patchAttrs(id, { speed: prop(11) });
    await assertNothingMore(h(), sub, path, 1);
  });

  it('update attributes should notify the whole entity when entityUpdated is the trigger', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('updated'), uniqueId('Car')];
    await create({ id, type: T, speed: prop(10), brand: prop('Mercedes') });
    const sub = await on(h(), T, path, { notificationTrigger: ['entityUpdated'] });
    await patchAttrs(id, { speed: prop(20) });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.deepEqual(dataOf(n), [{ id, type: T, speed: prop(20), brand: prop('Mercedes') }]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('delete entity should notify id, type and deletedAt when entityDeleted is the trigger', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('deleted'), uniqueId('Car')];
    const sub = await on(h(), T, path, { notificationTrigger: ['entityDeleted'] });
    await create({ id, type: T, speed: prop(10) });
    await expect(h().app, 204, 'DELETE', entityUrl(id));
    const [n] = await h().receiver.waitFor(path, 1);
    const [deleted] = dataOf(n);
    assert.deepEqual(Object.keys(deleted).sort(), ['deletedAt', 'id', 'type']);
    assert.equal(deleted.id, id);
    assert.equal(deleted.type, T);
    assert.ok(!Number.isNaN(Date.parse(deleted.deletedAt)), deleted.deletedAt);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('append attributes should notify only when an attribute is new when attributeCreated is the trigger', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('attr-created'), uniqueId('Car')];
    await create({ id, type: T, speed: prop(10) });
    const sub = await on(h(), T, path, { notificationTrigger: ['attributeCreated'] });
    await patchAttrs(id, { speed: prop(11) });
    await expect(h().app, 204, 'POST', entityUrl(id, '/attrs'), { brand: prop('Volvo') });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.deepEqual(dataOf(n), [{ id, type: T, speed: prop(11), brand: prop('Volvo') }]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('update attributes should notify only when a value changes when attributeUpdated is the trigger', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('attr-updated'), uniqueId('Car')];
    await create({ id, type: T, speed: prop(10) });
    const sub = await on(h(), T, path, { notificationTrigger: ['attributeUpdated'] });
    await expect(h().app, 204, 'POST', entityUrl(id, '/attrs'), { brand: prop('Volvo') });
    await patchAttrs(id, { speed: prop(12) });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.deepEqual(dataOf(n), [{ id, type: T, speed: prop(12), brand: prop('Volvo') }]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('delete attribute should notify the attribute as urn:ngsi-ld:null when attributeDeleted is the trigger', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('attr-deleted'), uniqueId('Car')];
    await create({ id, type: T, speed: prop(10), brand: prop('Volvo') });
    const sub = await on(h(), T, path, { notificationTrigger: ['attributeDeleted'] });
    await patchAttrs(id, { speed: prop(13) });
    await expect(h().app, 204, 'DELETE', entityUrl(id, '/attrs/brand'));
    const [n] = await h().receiver.waitFor(path, 1);
    const [e] = dataOf(n);
    assert.deepEqual(e.speed, prop(13));
    assert.equal(e.brand.type, 'Property');
    assert.equal(e.brand.value, NULL);
    assert.ok(!Number.isNaN(Date.parse(e.brand.deletedAt)), JSON.stringify(e.brand));
    await assertNothingMore(h(), sub, path, 1);
  });

  it('writes should notify creation and attribute updates but not deletion when the triggers are the default', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('default'), uniqueId('Car')];
    const sub = await on(h(), T, path);
    await create({ id, type: T, speed: prop(1) });
    await patchAttrs(id, { speed: prop(2) });
    const [first, second] = await h().receiver.waitFor(path, 2);
    assert.deepEqual(dataOf(first), [{ id, type: T, speed: prop(1) }]);
    assert.deepEqual(dataOf(second), [{ id, type: T, speed: prop(2) }]);
    await expect(h().app, 204, 'DELETE', entityUrl(id));
    await assertNothingMore(h(), sub, path, 2);
  });

  it('batch upsert and update should send one notification per batch with every entity in data', async () => {
    const [T, path] = [uniqueType('Car'), uniquePath('batch')];
    const [a, b] = [uniqueId('Car'), uniqueId('Car')];
    const sub = await on(h(), T, path);
    const res = await expect(h().app, 201, 'POST', `${BATCH}/upsert`, [{ id: a, type: T, speed: prop(1) }, { id: b, type: T, speed: prop(2) }]);
    assert.deepEqual(res, [a, b]);
    await expect(h().app, 204, 'POST', `${BATCH}/update`, [{ id: a, type: T, speed: prop(3) }, { id: b, type: T, speed: prop(4) }]);
    const [created, updated] = await h().receiver.waitFor(path, 2);
    assert.deepEqual(dataOf(created), [{ id: a, type: T, speed: prop(1) }, { id: b, type: T, speed: prop(2) }]);
    assert.deepEqual(dataOf(updated), [{ id: a, type: T, speed: prop(3) }, { id: b, type: T, speed: prop(4) }]);
    await assertNothingMore(h(), sub, path, 2);
  });

  it('batch delete should send one notification with every deleted entity when entityDeleted is the trigger', async () => {
    const [T, path] = [uniqueType('Car'), uniquePath('batch-delete')];
    const [a, b] = [uniqueId('Car'), uniqueId('Car')];
    await expect(h().app, 201, 'POST', `${BATCH}/create`, [{ id: a, type: T, speed: prop(1) }, { id: b, type: T }]);
    const sub = await on(h(), T, path, { notificationTrigger: ['entityDeleted'] });
    await expect(h().app, 204, 'POST', `${BATCH}/delete`, [a, b]);
    const [n] = await h().receiver.waitFor(path, 1);
    assert.deepEqual(dataOf(n).map((e) => [e.id, e.type, typeof e.deletedAt]), [[a, T, 'string'], [b, T, 'string']]);
    await assertNothingMore(h(), sub, path, 1);
  });
});

describeDelivery('Subscription selection (5.2.12, 5.2.33)', (h) => {
  const create = (entity: Record<string, unknown>, headers = {}) => expect(h().app, 201, 'POST', ENTITIES, entity, headers);
  const patchAttrs = (id: string, attrs: Record<string, unknown>) => expect(h().app, 204, 'PATCH', entityUrl(id, '/attrs'), attrs);
  const ids = (path: string) => h().receiver.at(path).flatMap((n) => dataOf(n).map((e) => e.id));

  it('update attributes should notify only when a watched attribute changes when watchedAttributes is given', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('watched'), uniqueId('Car')];
    await create({ id, type: T, speed: prop(1), brand: prop('Volvo') });
    const sub = await on(h(), T, path, { watchedAttributes: ['speed'] });
    await patchAttrs(id, { brand: prop('Saab') });
    await patchAttrs(id, { speed: prop(2) });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.deepEqual(dataOf(n), [{ id, type: T, speed: prop(2), brand: prop('Saab') }]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('writes should notify entities of any type when the subscription has only watchedAttributes', async () => {
    const [tenant, path] = [uniqueTenant('watchonly'), uniquePath('watch-only')];
    const headers = { 'NGSILD-Tenant': tenant };
    const sub = await subscribe(h().app, { watchedAttributes: ['temperature'], notification: { endpoint: { uri: h().receiver.url(path) } } }, headers);
    const [a, b, c] = [uniqueId('Room'), uniqueId('Tank'), uniqueId('Room')];
    await create({ id: c, type: 'Room', humidity: prop(40) }, headers);
    await create({ id: a, type: 'Room', temperature: prop(20) }, headers);
    await create({ id: b, type: 'Tank', temperature: prop(8) }, headers);
    await h().receiver.waitFor(path, 2);
    assert.deepEqual(ids(path), [a, b]);
    assert.equal(h().receiver.at(path)[0].headers['ngsild-tenant'], tenant);
    await assertNothingMore(h(), sub, path, 2);
  });

  it('writes should notify only the selected entity when the selector gives an id', async () => {
    const [T, path, a, b] = [uniqueType('Car'), uniquePath('by-id'), uniqueId('Car'), uniqueId('Car')];
    const sub = await subscribe(h().app, { entities: [{ type: T, id: a }], notification: { endpoint: { uri: h().receiver.url(path) } } });
    await create({ id: b, type: T, speed: prop(1) });
    await create({ id: a, type: T, speed: prop(1) });
    await h().receiver.waitFor(path, 1);
    assert.deepEqual(ids(path), [a]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('writes should notify only entities whose id matches when the selector gives an idPattern', async () => {
    const [T, path] = [uniqueType('Car'), uniquePath('by-pattern')];
    const [yes, no] = [`urn:ngsi-ld:${T}:yes-1`, `urn:ngsi-ld:${T}:no-1`];
    const sub = await subscribe(h().app, { entities: [{ type: T, idPattern: `^urn:ngsi-ld:${T}:yes-.*$` }], notification: { endpoint: { uri: h().receiver.url(path) } } });
    await create({ id: no, type: T, speed: prop(1) });
    await create({ id: yes, type: T, speed: prop(1) });
    await h().receiver.waitFor(path, 1);
    assert.deepEqual(ids(path), [yes]);
    await assertNothingMore(h(), sub, path, 1);
  });

  for (const [op, matching] of [[',', ['A', 'B', 'AB']], ['|', ['A', 'B', 'AB']], [';', ['AB']]] as const) {
    it(`writes should notify the entities the type expression selects when it uses '${op}'`, async () => {
      const [A, B, C, path] = [uniqueType('A'), uniqueType('B'), uniqueType('C'), uniquePath('type-expr')];
      const sub = await on(h(), `${A}${op}${B}`, path);
      const made: Record<string, string> = {};
      for (const [name, type] of [['C', C], ['A', A], ['B', B], ['AB', [A, B]]] as const) {
        made[name] = uniqueId(name);
        await create({ id: made[name], type, speed: prop(1) });
      }
      await h().receiver.waitFor(path, matching.length);
      assert.deepEqual(ids(path), matching.map((m) => made[m]));
      await assertNothingMore(h(), sub, path, matching.length);
    });
  }

  it('update attributes should not notify when the change makes q stop matching', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('q'), uniqueId('Car')];
    const sub = await on(h(), T, path, { q: 'speed>50' });
    await create({ id, type: T, speed: prop(30) });
    await patchAttrs(id, { speed: prop(60) });
    await patchAttrs(id, { speed: prop(40) });
    await patchAttrs(id, { speed: prop(70) });
    await h().receiver.waitFor(path, 2);
    assert.deepEqual(h().receiver.at(path).map((n) => dataOf(n)[0].speed.value), [60, 70]);
    await assertNothingMore(h(), sub, path, 2);
  });

  const at = (lon: number, lat: number) => ({ type: 'GeoProperty', value: { type: 'Point', coordinates: [lon, lat] } });

  it('create entity should notify only nearby entities when geoQ is near with maxDistance', async () => {
    const [T, path, near, far] = [uniqueType('Bin'), uniquePath('near'), uniqueId('Bin'), uniqueId('Bin')];
    const geoQ = { geometry: 'Point', coordinates: [2.35, 48.85], georel: 'near;maxDistance==1000' };
    const sub = await on(h(), T, path, { geoQ });
    await create({ id: far, type: T, location: at(2.5, 48.9) });
    await create({ id: near, type: T, location: at(2.351, 48.851) });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.deepEqual(dataOf(n), [{ id: near, type: T, location: at(2.351, 48.851) }]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('create entity should notify only entities inside the polygon when geoQ is within', async () => {
    const [T, path, inside, outside] = [uniqueType('Bin'), uniquePath('within'), uniqueId('Bin'), uniqueId('Bin')];
    const geoQ = { geometry: 'Polygon', coordinates: [[[2, 48], [3, 48], [3, 49], [2, 49], [2, 48]]], georel: 'within' };
    const sub = await on(h(), T, path, { geoQ });
    await create({ id: outside, type: T, location: at(4, 48.5) });
    await create({ id: inside, type: T, location: at(2.5, 48.5) });
    await h().receiver.waitFor(path, 1);
    assert.deepEqual(ids(path), [inside]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('create entity should notify only entities in the scope when scopeQ is given', async () => {
    const [T, path, yes, no] = [uniqueType('Park'), uniquePath('scope'), uniqueId('Park'), uniqueId('Park')];
    const sub = await on(h(), T, path, { scopeQ: '/Madrid/#' });
    await create({ id: no, type: T, scope: '/Paris/Gardens', area: prop(1) });
    await create({ id: yes, type: T, scope: '/Madrid/Gardens', area: prop(2) });
    const [n] = await h().receiver.waitFor(path, 1);
    assert.deepEqual(dataOf(n), [{ id: yes, type: T, scope: '/Madrid/Gardens', area: prop(2) }]);
    await assertNothingMore(h(), sub, path, 1);
  });
});
