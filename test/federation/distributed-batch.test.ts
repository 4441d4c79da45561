/**
 * Distributed batch operations (clause 4.3.6.3 with 5.6.7 create, 5.6.8 upsert, 5.6.9 update, 5.6.10 delete, 5.6.20
 * merge): each entity of a batch goes where its single-entity write would, one sub-batch per source. Two Mimosa
 * brokers on loopback (A forwards, B is the registered source), and fake sources for failures.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brokerPair, createEntity, registerForType as registerType, fakeSource, localEntity, registerSource, uniqueType } from '../support/federation.js';
import { API, send, uniqueId } from '../support/http.js';

const OPS = `${API}/entityOperations`;
const prop = (value: unknown) => ({ type: 'Property', value });


interface BatchResult {
  success: string[];
  errors: Array<{ entityId: string; error: { type: string; status: number; detail: string } }>;
}

describe('Distributed batch operations by registration mode (4.3.6.3)', () => {
  const p = brokerPair();

  it('batch create should split the entities between here and the exclusive source, and list them all as created', async () => {
    const type = uniqueType();
    const [one, two] = [uniqueId(type), uniqueId(type)];
    await registerSource(p.a.app, {
      endpoint: p.b.url,
      mode: 'exclusive',
      operations: ['createBatch', 'createEntity'],
      information: [{ entities: [{ id: one, type }], propertyNames: ['status'] }],
    });
    const res = await send(p.a.app, 'POST', `${OPS}/create`, [
      { id: one, type, status: prop('free'), name: prop('P1') },
      { id: two, type, status: prop('taken') },
    ]);
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual((res.json() as string[]).sort(), [one, two].sort());
    const oneHere = await localEntity(p.a.app, one);
    assert.equal(oneHere?.name.value, 'P1');
    assert.equal(oneHere?.status, undefined);
    assert.equal((await localEntity(p.b.app, one))?.status.value, 'free');
    assert.equal((await localEntity(p.a.app, two))?.status.value, 'taken');
    assert.equal(await localEntity(p.b.app, two), undefined, 'the registration names only the first entity');
  });

  it('batch upsert should write every entity here and at the inclusive source, passing options on', async () => {
    const type = uniqueType();
    const ids = [uniqueId(type), uniqueId(type)];
    await createEntity(p.b.app, { id: ids[0], type, status: prop('free'), note: prop('kept') });
    await registerType(p.a.app, p.b.url, type, 'inclusive', ['upsertBatch']);
    const res = await send(p.a.app, 'POST', `${OPS}/upsert?options=update`, ids.map((id) => ({ id, type, status: prop('taken') })));
    assert.ok(res.statusCode === 201 || res.statusCode === 204, res.body);
    for (const id of ids) {
      assert.equal((await localEntity(p.a.app, id))?.status.value, 'taken');
      assert.equal((await localEntity(p.b.app, id))?.status.value, 'taken');
    }
    assert.equal((await localEntity(p.b.app, ids[0]))?.note.value, 'kept', 'options=update keeps what the upsert does not name');
  });

  it('batch update should update an entity that only the redirect source holds', async () => {
    const type = uniqueType();
    const id = uniqueId(type);
    await createEntity(p.b.app, { id, type, status: prop('free') });
    await registerType(p.a.app, p.b.url, type, 'redirect', ['redirectionOps', 'updateBatch']);
    const res = await send(p.a.app, 'POST', `${OPS}/update`, [{ id, type, status: prop('taken') }]);
    assert.equal(res.statusCode, 204, res.body);
    assert.equal((await localEntity(p.b.app, id))?.status.value, 'taken');
    assert.equal(await localEntity(p.a.app, id), undefined);
  });

  it('batch merge should merge the registered attributes at the source and the others here', async () => {
    const type = uniqueType();
    const id = uniqueId(type);
    await createEntity(p.a.app, { id, type, name: prop('P1') });
    await createEntity(p.b.app, { id, type, status: prop('free') });
    await registerType(p.a.app, p.b.url, type, 'redirect', ['mergeBatch'], ['status']);
    const res = await send(p.a.app, 'POST', `${OPS}/merge`, [{ id, type, status: prop('taken'), name: prop('P2') }]);
    assert.equal(res.statusCode, 204, res.body);
    assert.equal((await localEntity(p.b.app, id))?.status.value, 'taken');
    assert.equal((await localEntity(p.b.app, id))?.name, undefined);
    assert.equal((await localEntity(p.a.app, id))?.name.value, 'P2');
    assert.equal((await localEntity(p.a.app, id))?.status, undefined);
  });

  it('batch delete should delete here and at the source, count an entity only the source held as deleted, and fail one nobody holds', async () => {
    const type = uniqueType();
    const [both, there, nowhere] = [uniqueId(type), uniqueId(type), uniqueId(type)];
    await createEntity(p.a.app, { id: both, type });
    await createEntity(p.b.app, { id: both, type });
    await createEntity(p.b.app, { id: there, type });
    await registerType(p.a.app, p.b.url, type, 'inclusive', ['deleteBatch']);
    const res = await send(p.a.app, 'POST', `${OPS}/delete`, [both, there, nowhere]);
    assert.equal(res.statusCode, 207, res.body);
    const body = res.json() as BatchResult;
    assert.deepEqual(body.success.sort(), [both, there].sort());
    assert.deepEqual(body.errors.map((e) => [e.entityId, e.error.status]), [[nowhere, 404]]);
    assert.equal(await localEntity(p.a.app, both), undefined);
    assert.equal(await localEntity(p.b.app, both), undefined);
    assert.equal(await localEntity(p.b.app, there), undefined);
  });

  it('batch create should carry each entity’s own @context to the source (application/ld+json)', async () => {
    const type = uniqueType();
    const id = uniqueId(type);
    await registerType(p.a.app, p.b.url, type, 'redirect', ['createBatch']);
    const context = { speed: 'https://example.org/vocab#speed' };
    const res = await send(p.a.app, 'POST', `${OPS}/create`, [{ '@context': [context, 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld'], id, type, speed: prop(30) }], {
      'content-type': 'application/ld+json',
    });
    assert.equal(res.statusCode, 201, res.body);
    const there = await send(p.b.app, 'GET', `${API}/entities/${encodeURIComponent(id)}?local=true`);
    assert.equal(there.statusCode, 200, there.body);
    assert.equal((there.json() as Record<string, any>)['https://example.org/vocab#speed'].value, 30);
  });

  it('batch create should report the entities a failing source did not take, and create the others', async () => {
    const source = await fakeSource((res) => res.writeHead(503).end());
    try {
      const type = uniqueType();
      const [forwarded, kept] = [uniqueId(type), uniqueId(type)];
      await registerSource(p.a.app, {
        endpoint: source.url,
        mode: 'exclusive',
        operations: ['createBatch'],
        information: [{ entities: [{ id: forwarded, type }], propertyNames: ['status'] }],
      });
      const res = await send(p.a.app, 'POST', `${OPS}/create`, [
        { id: forwarded, type, status: prop('free') },
        { id: kept, type, status: prop('free') },
      ]);
      assert.equal(res.statusCode, 207, res.body);
      const body = res.json() as BatchResult;
      assert.deepEqual(body.success, [kept]);
      assert.equal(body.errors[0].entityId, forwarded);
      assert.equal(body.errors[0].error.status, 503);
      assert.match(body.errors[0].error.detail, /answers 503/);
      assert.deepEqual(source.requests, ['POST /ngsi-ld/v1/entityOperations/create']);
    } finally {
      source.close();
    }
  });

  it('batch create should keep the reason and kind a source gives for one entity in its 207', async () => {
    const type = uniqueType();
    const [clash, fine] = [uniqueId(type), uniqueId(type)];
    await createEntity(p.b.app, { id: clash, type, status: prop('old') });
    await registerType(p.a.app, p.b.url, type, 'redirect', ['createBatch']);
    const res = await send(p.a.app, 'POST', `${OPS}/create`, [
      { id: clash, type, status: prop('new') },
      { id: fine, type, status: prop('new') },
    ]);
    assert.equal(res.statusCode, 207, res.body);
    const body = res.json() as BatchResult;
    assert.deepEqual(body.success, [fine]);
    assert.equal(body.errors[0].entityId, clash);
    assert.equal(body.errors[0].error.status, 409);
    assert.match(body.errors[0].error.detail, new RegExp(`^Context source ${p.b.url}: Entity .* already exists`));
  });

  it('batch operations should stay local when local=true', async () => {
    const type = uniqueType();
    const id = uniqueId(type);
    await registerType(p.a.app, p.b.url, type, 'redirect', ['createBatch']);
    const res = await send(p.a.app, 'POST', `${OPS}/create?local=true`, [{ id, type, status: prop('free') }]);
    assert.equal(res.statusCode, 201, res.body);
    assert.ok(await localEntity(p.a.app, id));
    assert.equal(await localEntity(p.b.app, id), undefined);
  });
});
