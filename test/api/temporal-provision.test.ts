/**
 * Temporal Context Information Provision over HTTP on both engines (clauses 5.6.11–5.6.16; HTTP binding 6.18,
 * 6.20–6.22), and the history that every write through the entity API (5.6.1–5.6.10, 5.6.17–5.6.20) records:
 * one instance per attribute instance created or changed, a deletion instance (clause 4.5.7) per one removed.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { API, assertProblem, BATCH, describeApi, ENTITIES, send, uniqueId } from '../support/http.js';

const T = `${API}/temporal/entities`;
const enc = encodeURIComponent;
const at = (minutes: number) => new Date(Date.UTC(2024, 5, 1) + minutes * 60_000).toISOString();

type Json = Record<string, any>;

describeApi('Temporal provision (5.6.11–5.6.16)', (h) => {
  const type = `Sensor${uniqueId('Tp').replace(/\W/g, '')}`;
  let n = 0;
  const fresh = () => `urn:ngsi-ld:${type}:${++n}`;
  const app = () => h().app;
  const history = async (id: string, query = 'timerel=after&timeAt=2000-01-01T00:00:00Z&options=sysAttrs') => {
    const res = await app().inject({ method: 'GET', url: `${T}/${enc(id)}?${query}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as Json;
  };
  const list = (x: unknown): Json[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]) as Json[];
  const temp = (v: number, m: number, more: Json = {}) => ({ type: 'Property', value: v, observedAt: at(m), ...more });

  it('create temporal should answer 201 with Location when the evolution is new and 204 when it exists', async () => {
    const id = fresh();
    const res = await send(app(), 'POST', T, { id, type, temperature: [temp(20, 1), temp(21, 2)] });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers.location, `${T}/${enc(id)}`);
    const again = await send(app(), 'POST', T, { id, type: [type, 'Thermometer'], temperature: temp(22, 3), humidity: temp(50, 3) });
    assert.equal(again.statusCode, 204, again.body);
    const e = await history(id, 'timerel=after&timeAt=2024-01-01T00:00:00Z');
    assert.deepEqual(e.type, [type, 'Thermometer'], 'types are added');
    assert.deepEqual(list(e.temperature).map((i) => i.value), [20, 21, 22]);
    assert.deepEqual(list(e.humidity).map((i) => i.value), [50]);
    const entity = await app().inject({ method: 'GET', url: `${ENTITIES}/${enc(id)}` });
    assert.equal(entity.statusCode, 404, 'an evolution creates no entity');
  });

  it('create temporal should expand names with the body @context when the body is JSON-LD', async () => {
    const id = fresh();
    const ctx = { '@context': { temp: 'https://example.org/temperature' } };
    const res = await send(app(), 'POST', T, { id, type, temp: temp(1, 1), ...ctx }, { 'content-type': 'application/ld+json' });
    assert.equal(res.statusCode, 201, res.body);
    const e = await history(id, 'timerel=after&timeAt=2024-01-01T00:00:00Z');
    assert.ok(e['https://example.org/temperature'], JSON.stringify(e));
  });

  it('create temporal should answer 400 when the body is not a valid EntityTemporal', async () => {
    const cases: unknown[] = [
      [],
      { type },
      { id: fresh() },
      { id: 'not a uri', type },
      { id: fresh(), type, temperature: { type: 'Property' } },
      { id: fresh(), type, temperature: { type: 'Property', value: 1, observedAt: 'noon' } },
      { id: fresh(), type, 'bad name': temp(1, 1) },
    ];
    for (const body of cases) assertProblem(await send(app(), 'POST', T, body), 400, 'BadRequestData');
  });

  it('add temporal attributes should add instances when the evolution exists and 404 when it does not', async () => {
    const id = fresh();
    assert.equal((await send(app(), 'POST', T, { id, type, temperature: temp(1, 1) })).statusCode, 201);
    assert.equal((await send(app(), 'POST', `${T}/${enc(id)}/attrs`, { temperature: [temp(2, 2), temp(3, 3)] })).statusCode, 204);
    assert.deepEqual(list((await history(id)).temperature).map((i) => i.value), [1, 2, 3]);
    assertProblem(await send(app(), 'POST', `${T}/${enc(fresh())}/attrs`, { temperature: temp(1, 1) }), 404, 'ResourceNotFound');
    assertProblem(await send(app(), 'POST', `${T}/${enc(id)}/attrs`, { id: fresh(), temperature: temp(1, 1) }), 400, 'BadRequestData');
  });

  it('delete temporal should remove the whole evolution when the entity has one', async () => {
    const id = fresh();
    assert.equal((await send(app(), 'POST', T, { id, type, temperature: temp(1, 1) })).statusCode, 201);
    assert.equal((await send(app(), 'DELETE', `${T}/${enc(id)}`)).statusCode, 204);
    assertProblem(await app().inject({ method: 'GET', url: `${T}/${enc(id)}` }), 404, 'ResourceNotFound');
    assertProblem(await send(app(), 'DELETE', `${T}/${enc(id)}`), 404, 'ResourceNotFound');
    assertProblem(await send(app(), 'DELETE', `${T}/not%20a%20uri`), 400, 'BadRequestData');
  });

  it('delete temporal attribute should remove the default, one dataset or all instances as asked', async () => {
    const id = fresh();
    const ds = 'urn:ngsi-ld:Dataset:b';
    const body = { id, type, temperature: [temp(1, 1), temp(2, 2, { datasetId: ds }), temp(3, 3)], humidity: temp(4, 4) };
    assert.equal((await send(app(), 'POST', T, body)).statusCode, 201);
    const del = (q: string) => send(app(), 'DELETE', `${T}/${enc(id)}/attrs/temperature${q}`);
    assert.equal((await del('')).statusCode, 204);
    assert.deepEqual(list((await history(id)).temperature).map((i) => i.value), [2]);
    assert.equal((await del(`?datasetId=${enc(ds)}`)).statusCode, 204);
    assert.equal((await history(id)).temperature, undefined);
    assertProblem(await del(''), 404, 'ResourceNotFound');
    assert.equal((await send(app(), 'DELETE', `${T}/${enc(id)}/attrs/humidity?deleteAll=true`)).statusCode, 204);
    assertProblem(await del(`?datasetId=${enc(ds)}&deleteAll=true`), 400, 'BadRequestData');
    assertProblem(await send(app(), 'DELETE', `${T}/${enc(fresh())}/attrs/temperature`), 404, 'ResourceNotFound');
  });

  it('modify temporal instance should replace one instance and keep its createdAt when the instanceId exists', async () => {
    const id = fresh();
    assert.equal((await send(app(), 'POST', T, { id, type, temperature: [temp(1, 1), temp(2, 2)] })).statusCode, 201);
    const [first, second] = list((await history(id)).temperature);
    const url = `${T}/${enc(id)}/attrs/temperature/${enc(first.instanceId)}`;
    const res = await send(app(), 'PATCH', url, { temperature: [temp(10, 5, { unitCode: 'CEL' })] });
    assert.equal(res.statusCode, 204, res.body);
    const after = list((await history(id)).temperature);
    const changed = after.find((i) => i.instanceId === first.instanceId) as Json;
    assert.deepEqual([changed.value, changed.observedAt, changed.unitCode, changed.createdAt], [10, at(5), 'CEL', first.createdAt]);
    assert.ok(changed.modifiedAt >= first.modifiedAt);
    assert.deepEqual(after.find((i) => i.instanceId === second.instanceId)?.value, 2);
    assertProblem(await send(app(), 'PATCH', `${T}/${enc(id)}/attrs/temperature/${enc('urn:ngsi-ld:00000000-0000-4000-8000-000000000000')}`, { temperature: temp(1, 1) }), 404, 'ResourceNotFound');
    assertProblem(await send(app(), 'PATCH', `${T}/${enc(id)}/attrs/pressure/${enc(first.instanceId)}`, { pressure: temp(1, 1) }), 404, 'ResourceNotFound');
    assertProblem(await send(app(), 'PATCH', url, { temperature: [temp(1, 1), temp(2, 2)] }), 400, 'BadRequestData');
    assertProblem(await send(app(), 'PATCH', url, { humidity: temp(1, 1) }), 400, 'BadRequestData');
    assertProblem(await send(app(), 'PATCH', `${T}/${enc(id)}/attrs/temperature/not-a-uri`, { temperature: temp(1, 1) }), 400, 'BadRequestData');
  });

  it('delete temporal instance should remove one instance when the instanceId exists', async () => {
    const id = fresh();
    assert.equal((await send(app(), 'POST', T, { id, type, temperature: [temp(1, 1), temp(2, 2)] })).statusCode, 201);
    const [first] = list((await history(id)).temperature);
    const url = `${T}/${enc(id)}/attrs/temperature/${enc(first.instanceId)}`;
    assert.equal((await send(app(), 'DELETE', url)).statusCode, 204);
    assert.deepEqual(list((await history(id)).temperature).map((i) => i.value), [2]);
    assertProblem(await send(app(), 'DELETE', url), 404, 'ResourceNotFound');
  });

  it('entity writes should record an instance per change and a deletion instance per removal when recording is on', async () => {
    const id = fresh();
    const e = `${ENTITIES}/${enc(id)}`;
    const ok = async (method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, body?: unknown, headers = {}) => {
      const res = await send(app(), method, url, body, headers);
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
    };
    await ok('POST', ENTITIES, { id, type, temperature: temp(1, 1), humidity: temp(50, 1), kept: { type: 'Property', value: 'same' } });
    await ok('PATCH', `${e}/attrs`, { temperature: temp(2, 2) }); // 5.6.2
    await ok('POST', `${e}/attrs`, { pressure: temp(1000, 3) }); // 5.6.3
    await ok('PATCH', `${e}/attrs/temperature`, { value: 3, observedAt: at(4) }); // 5.6.4
    await ok('PATCH', e, { temperature: { value: 4, observedAt: at(5) } }, { 'content-type': 'application/merge-patch+json' }); // 5.6.17
    await ok('PUT', `${e}/attrs/temperature`, temp(5, 6)); // 5.6.19
    await ok('DELETE', `${e}/attrs/humidity`); // 5.6.5
    const h1 = await history(id);
    assert.deepEqual(list(h1.temperature).map((i) => i.value), [1, 2, 3, 4, 5]);
    assert.deepEqual(list(h1.pressure).map((i) => i.value), [1000]);
    // without observedAt, instances are found by the time they were written
    const written = await history(id, 'timeproperty=modifiedAt&timerel=after&timeAt=2000-01-01T00:00:00Z&options=sysAttrs');
    assert.deepEqual(list(written.kept).map((i) => i.value), ['same'], 'an unchanged attribute is recorded once');
    const humidity = list(written.humidity);
    assert.deepEqual(humidity.map((i) => i.value).sort(), [50, 'urn:ngsi-ld:null']);
    assert.ok(humidity.find((i) => i.value !== 50)?.deletedAt, 'the deletion instance carries deletedAt');
    const deleted = await history(id, 'timeproperty=deletedAt&timerel=after&timeAt=2000-01-01T00:00:00Z');
    assert.deepEqual(list(deleted.humidity).map((i) => i.value), ['urn:ngsi-ld:null']);
    await ok('PUT', e, { type, temperature: temp(6, 7) }); // 5.6.18: the others are removed
    const h2 = await history(id, 'timeproperty=modifiedAt&timerel=after&timeAt=2000-01-01T00:00:00Z');
    assert.deepEqual(list(h2.temperature).map((i) => i.value).sort(), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(list(h2.pressure).map((i) => i.value).sort(), [1000, 'urn:ngsi-ld:null']);
    await ok('DELETE', e); // 5.6.6: the evolution goes with the entity (MIMOSA_TEMPORAL_KEEP_DELETED off)
    assertProblem(await app().inject({ method: 'GET', url: `${T}/${enc(id)}` }), 404, 'ResourceNotFound');
  });

  it('batch operations should record the instances of every entity they write', async () => {
    const [a, b] = [fresh(), fresh()];
    const post = async (op: string, body: unknown, q = '') => {
      const res = await send(app(), 'POST', `${BATCH}/${op}${q}`, body);
      assert.ok(res.statusCode < 300, `${op}: ${res.statusCode} ${res.body}`);
    };
    await post('create', [a, b].map((id) => ({ id, type, level: temp(1, 1) })));
    await post('upsert', [{ id: a, type, level: temp(2, 2) }], '?options=update');
    await post('update', [{ id: b, type, level: temp(3, 3) }]);
    await post('merge', [{ id: a, type, level: { value: 4, observedAt: at(4) } }]);
    assert.deepEqual(list((await history(a)).level).map((i) => i.value), [1, 2, 4]);
    assert.deepEqual(list((await history(b)).level).map((i) => i.value), [1, 3]);
    await post('delete', [a]);
    assertProblem(await app().inject({ method: 'GET', url: `${T}/${enc(a)}` }), 404, 'ResourceNotFound');
  });
});
