/**
 * Batch entity operations over HTTP (ETSI GS CIM 009 V1.8.1 clauses 5.6.7–5.6.10, 5.6.20): create, upsert
 * (replace and update), update (noOverwrite), delete and merge; BatchOperationResult (clause 5.2.16) with 207
 * on partial success; duplicates, limits, per-entity @context, and large batches.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { assertProblem, BATCH, buildTestApp, CORE_CONTEXT, describeApi, ENTITIES, entityUrl, ERRORS, getEntity, send, uniqueId, uniqueTenant } from '../support/http.js';

type BatchError = { entityId: string; error: { type: string; status: number; title: string; detail: string } };
type BatchBody = { success: string[]; errors: BatchError[] };

const NULL = 'urn:ngsi-ld:null';

describeApi('Batch entity operations (5.6.7–5.6.10, 5.6.20)', (h) => {
  const post = (op: string, body: unknown, headers: Record<string, string> = {}) => send(h().app, 'POST', `${BATCH}/${op}`, body, headers);
  const exists = async (id: string, headers: Record<string, string> = {}) =>
    (await h().app.inject({ method: 'GET', url: entityUrl(id), headers })).statusCode === 200;
  const ids = (prefix: string, n: number) => Array.from({ length: n }, () => uniqueId(prefix));

  /** Checks a 207 body: the success ids, and the error entries' ids and ETSI types. */
  function assertMulti(res: { statusCode: number; body: string; json(): unknown }, success: string[], errors: Array<[string, string]>): BatchBody {
    assert.equal(res.statusCode, 207, res.body);
    const body = res.json() as BatchBody;
    assert.deepEqual([...body.success].sort(), [...success].sort());
    assert.deepEqual(
      body.errors.map((e) => [e.entityId, e.error.type]).sort(),
      errors.map(([id, type]) => [id, `${ERRORS}${type}`]).sort(),
    );
    for (const e of body.errors) assert.ok(e.error.detail.length > 0 && typeof e.error.status === 'number');
    return body;
  }

  // ------------------------------------------------------------ 5.6.7 create

  it('batch create should answer 201 with the created ids when every entity is new', async () => {
    const [a, b] = ids('BC', 2);
    const res = await post('create', [
      { id: a, type: 'T', p: 1 },
      { id: b, type: 'T', r: { type: 'Relationship', object: a } },
    ]);
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json(), [a, b]);
    assert.deepEqual(await getEntity(h().app, b), { id: b, type: 'T', r: { type: 'Relationship', object: a } });
  });

  it('batch create should answer 207 and write only the valid entities when some are invalid', async () => {
    const [good, existing, bad, badGeo] = ids('BC', 4);
    await send(h().app, 'POST', ENTITIES, { id: existing, type: 'T', v: 'original' });
    const res = await post('create', [
      { id: good, type: 'T' },
      { id: existing, type: 'T', v: 'new' },
      { id: bad, p: 1 },
      { id: badGeo, type: 'T', location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [0] } } },
      { id: 'not a uri', type: 'T' },
      42,
    ]);
    assertMulti(res, [good], [
      [existing, 'AlreadyExists'],
      [bad, 'BadRequestData'],
      [badGeo, 'BadRequestData'],
      ['not a uri', 'BadRequestData'],
      ['', 'BadRequestData'],
    ]);
    assert.ok(await exists(good));
    assert.equal((await getEntity(h().app, existing)).v.value, 'original');
    assert.equal(await exists(bad), false);
    assert.equal(await exists(badGeo), false);
  });

  it('batch create should create the first and report the others when an id appears twice', async () => {
    const [dup] = ids('BCdup', 1);
    const res = await post('create', [
      { id: dup, type: 'T', n: 1 },
      { id: dup, type: 'T', n: 2 },
    ]);
    assertMulti(res, [dup], [[dup, 'AlreadyExists']]);
    assert.equal((await getEntity(h().app, dup)).n.value, 1);
  });

  it('batch create should expand each entity with its own @context when the body is application/ld+json', async () => {
    const [a, b] = ids('BCld', 2);
    const res = await post(
      'create',
      [
        { '@context': [{ Lamp: 'https://a.example/Lamp', power: 'https://a.example/power' }, CORE_CONTEXT], id: a, type: 'Lamp', power: 60 },
        { '@context': { Lamp: 'https://b.example/Lamp' }, id: b, type: 'Lamp', power: 40 },
      ],
      { 'content-type': 'application/ld+json' },
    );
    assert.equal(res.statusCode, 201, res.body);
    const ea = await getEntity(h().app, a);
    const eb = await getEntity(h().app, b);
    assert.equal(ea.type, 'https://a.example/Lamp');
    assert.equal(ea['https://a.example/power'].value, 60);
    assert.equal(eb.type, 'https://b.example/Lamp');
    assert.equal(eb.power.value, 40, 'power uses the default vocabulary in the second entity');
  });

  it('batch create should report the entity when application/ld+json lacks its @context', async () => {
    const [a, b] = ids('BCld', 2);
    const res = await post('create', [{ '@context': CORE_CONTEXT, id: a, type: 'T' }, { id: b, type: 'T' }], { 'content-type': 'application/ld+json' });
    assertMulti(res, [a], [[b, 'BadRequestData']]);
  });

  it('batch create should report an entity that carries @context when the body is application/json', async () => {
    const [a, b] = ids('BCjson', 2);
    const res = await post('create', [{ id: a, type: 'T' }, { '@context': CORE_CONTEXT, id: b, type: 'T' }]);
    assertMulti(res, [a], [[b, 'BadRequestData']]);
    assert.equal(await exists(b), false);
  });

  it('batch create should answer 201 when 2,000 entities are sent at once', async () => {
    const tenant = uniqueTenant('big');
    const batch = Array.from({ length: 2000 }, (_, i) => ({
      id: `urn:ngsi-ld:Big:${i}`,
      type: 'Big',
      n: { type: 'Property', value: i, observedAt: '2024-01-01T00:00:00Z' },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [i / 100, i / 100] } },
    }));
    const res = await post('create', batch, { 'ngsild-tenant': tenant });
    assert.equal(res.statusCode, 201, res.body.slice(0, 500));
    assert.equal((res.json() as string[]).length, 2000);
    const count = await h().app.inject({ method: 'GET', url: `${ENTITIES}?type=Big&limit=1&count=true`, headers: { 'ngsild-tenant': tenant } });
    assert.equal(count.headers['ngsild-results-count'], '2000');
    assert.equal((await getEntity(h().app, 'urn:ngsi-ld:Big:1999', '', { 'ngsild-tenant': tenant })).n.value, 1999);
  });

  // ------------------------------------------------------------ request-level errors (every operation)

  it('batch operations should answer 400 BadRequestData when the body is not a non-empty array', async () => {
    for (const op of ['create', 'upsert', 'update', 'delete', 'merge']) {
      for (const body of [{ id: 'urn:a:b', type: 'T' }, '"text"', '42', '[]', 'null']) {
        assertProblem(await post(op, body), 400, 'BadRequestData');
      }
      assertProblem(await post(op, '[{'), 400, 'InvalidRequest');
      assertProblem(await post(op, JSON.stringify([]), { 'content-type': 'text/plain' }), 415, 'InvalidRequest');
    }
  });

  it('batch operations should answer 400 naming the limit when a batch exceeds batchLimit', async () => {
    const app = await buildTestApp(h().store, { batchLimit: 3 }, h().engine);
    try {
      const four = ids('BL', 4);
      for (const [op, body] of [
        ['create', four.map((id) => ({ id, type: 'T' }))],
        ['upsert', four.map((id) => ({ id, type: 'T' }))],
        ['update', four.map((id) => ({ id, a: 1 }))],
        ['merge', four.map((id) => ({ id, a: 1 }))],
        ['delete', four],
      ] as const) {
        const res = await send(app, 'POST', `${BATCH}/${op}`, body);
        const p = assertProblem(res, 400, 'BadRequestData');
        assert.match(String(p.detail), /\b3\b/, `${op}: the detail names the limit`);
      }
      for (const id of four) assert.equal(await exists(id), false);
      assert.equal((await send(app, 'POST', `${BATCH}/create`, four.slice(0, 3).map((id) => ({ id, type: 'T' })))).statusCode, 201, 'at the limit is fine');
    } finally {
      await app.close();
    }
  });

  it('batch operations should answer 400 when the query string has an unknown parameter', async () => {
    assertProblem(await post('create?nope=1', [{ id: uniqueId('X'), type: 'T' }]), 400, 'BadRequestData');
    assertProblem(await post('update?options=replace', [{ id: uniqueId('X'), a: 1 }]), 400, 'BadRequestData');
  });

  // ------------------------------------------------------------ 5.6.8 upsert

  it('batch upsert should answer 201 with the new ids when some entities are created', async () => {
    const [old, fresh] = ids('BU', 2);
    await send(h().app, 'POST', ENTITIES, { id: old, type: 'T', a: 1, b: 2 });
    const res = await post('upsert', [
      { id: old, type: 'T', c: 3 },
      { id: fresh, type: 'T', d: 4 },
    ]);
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json(), [fresh]);
    assert.deepEqual(await getEntity(h().app, old), { id: old, type: 'T', c: { type: 'Property', value: 3 } }, 'replace is the default');
    assert.deepEqual(await getEntity(h().app, fresh), { id: fresh, type: 'T', d: { type: 'Property', value: 4 } });
  });

  it('batch upsert should answer 204 when every entity already exists', async () => {
    const [a, b] = ids('BU', 2);
    await post('create', [{ id: a, type: 'T' }, { id: b, type: 'T' }]);
    const res = await post('upsert?options=replace', [{ id: a, type: 'T', x: 1 }, { id: b, type: 'U', y: 2 }]);
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual((await getEntity(h().app, b)).type, 'U');
  });

  it('batch upsert should keep other attributes and add types when options=update', async () => {
    const [a] = ids('BUu', 1);
    await send(h().app, 'POST', ENTITIES, { id: a, type: 'T', a: 1, b: 2 });
    const before = await getEntity(h().app, a, 'options=sysAttrs');
    const res = await post('upsert?options=update', [{ id: a, type: 'U', b: 20, c: 3 }]);
    assert.equal(res.statusCode, 204, res.body);
    const e = await getEntity(h().app, a, 'options=sysAttrs');
    assert.deepEqual(e.type, ['T', 'U']);
    assert.deepEqual([e.a.value, e.b.value, e.c.value], [1, 20, 3]);
    assert.equal(e.createdAt, before.createdAt);
    assert.equal(e.b.createdAt, before.b.createdAt, 'an updated instance keeps its createdAt');
  });

  it('batch upsert should apply duplicates in order when an id appears twice', async () => {
    const [a] = ids('BUdup', 1);
    const res = await post('upsert?options=update', [
      { id: a, type: 'T', x: 1 },
      { id: a, type: 'T', y: 2 },
    ]);
    assert.ok(res.statusCode === 201 || res.statusCode === 204, res.body);
    const e = await getEntity(h().app, a);
    assert.deepEqual([e.x?.value, e.y?.value], [1, 2]);
  });

  it('batch upsert should answer 207 and write only the valid entities when some are invalid', async () => {
    const [good, bad] = ids('BU', 2);
    const res = await post('upsert', [{ id: good, type: 'T' }, { id: bad, type: 'T', r: { type: 'Relationship', object: 'nope nope' } }]);
    assertMulti(res, [good], [[bad, 'BadRequestData']]);
    assert.ok(await exists(good));
    assert.equal(await exists(bad), false);
  });

  it('batch upsert should answer 400 BadRequestData when options=update and options=replace are combined', async () => {
    assertProblem(await post('upsert?options=update,replace', [{ id: uniqueId('X'), type: 'T' }]), 400, 'BadRequestData');
  });

  it('batch upsert should create the tenant when it does not exist yet', async () => {
    const tenant = uniqueTenant('upsert');
    const [a] = ids('BUt', 1);
    assert.equal((await post('upsert', [{ id: a, type: 'T' }], { 'ngsild-tenant': tenant })).statusCode, 201);
    assert.ok(await exists(a, { 'ngsild-tenant': tenant }));
    assert.equal(await exists(a), false);
  });

  // ------------------------------------------------------------ 5.6.9 update

  it('batch update should answer 204 and append attributes when every entity exists', async () => {
    const [a, b] = ids('BUp', 2);
    await post('create', [{ id: a, type: 'T', x: 1 }, { id: b, type: 'T', x: 1 }]);
    const res = await post('update', [{ id: a, x: 2, y: 3 }, { id: b, type: 'T', z: 4 }]);
    assert.equal(res.statusCode, 204, res.body);
    const ea = await getEntity(h().app, a);
    assert.deepEqual([ea.x.value, ea.y.value], [2, 3]);
    assert.deepEqual([(await getEntity(h().app, b)).x.value, (await getEntity(h().app, b)).z.value], [1, 4]);
  });

  it('batch update should keep existing attributes when options=noOverwrite', async () => {
    const [a] = ids('BUpn', 1);
    await send(h().app, 'POST', ENTITIES, { id: a, type: 'T', x: 1 });
    const res = await post('update?options=noOverwrite', [{ id: a, x: 2, y: 3 }]);
    assert.ok(res.statusCode === 204 || res.statusCode === 207, res.body);
    const e = await getEntity(h().app, a);
    assert.deepEqual([e.x.value, e.y.value], [1, 3]);
  });

  it('batch update should answer 207 with ResourceNotFound when an entity does not exist', async () => {
    const [a, missing, bad] = ids('BUp', 3);
    await send(h().app, 'POST', ENTITIES, { id: a, type: 'T' });
    const res = await post('update', [{ id: a, y: 1 }, { id: missing, y: 1 }, { id: bad, y: null }, { y: 1 }]);
    assertMulti(res, [a], [
      [missing, 'ResourceNotFound'],
      [bad, 'BadRequestData'],
      ['', 'BadRequestData'],
    ]);
    assert.equal((await getEntity(h().app, a)).y.value, 1);
    assert.equal(await exists(missing), false, 'update never creates');
  });

  it('batch update should answer 404 NonexistentTenant when the tenant does not exist', async () => {
    assertProblem(await post('update', [{ id: uniqueId('X'), a: 1 }], { 'ngsild-tenant': uniqueTenant('none') }), 404, 'NonexistentTenant');
  });

  // ------------------------------------------------------------ 5.6.20 merge

  it('batch merge should answer 204 and merge each entity when every entity exists', async () => {
    const [a, b] = ids('BM', 2);
    await post('create', [
      { id: a, type: 'T', x: { type: 'Property', value: 1, unitCode: 'MTR' }, gone: 1 },
      { id: b, type: 'T', x: 1 },
    ]);
    const res = await post('merge', [{ id: a, x: { type: 'Property', value: 2 }, gone: NULL }, { id: b, type: 'U' }]);
    assert.equal(res.statusCode, 204, res.body);
    const ea = await getEntity(h().app, a);
    assert.deepEqual(ea, { id: a, type: 'T', x: { type: 'Property', value: 2, unitCode: 'MTR' } });
    assert.deepEqual((await getEntity(h().app, b)).type, ['T', 'U']);
  });

  it('batch merge should answer 207 when some entities do not exist or are invalid', async () => {
    const [a, missing, bad] = ids('BM', 3);
    await send(h().app, 'POST', ENTITIES, { id: a, type: 'T' });
    const res = await post('merge', [{ id: a, y: 1 }, { id: missing, y: 1 }, { id: bad, y: { type: 'Relationship', object: 1 } }]);
    assertMulti(res, [a], [[missing, 'ResourceNotFound'], [bad, 'BadRequestData']]);
    assert.equal(await exists(missing), false);
  });

  // ------------------------------------------------------------ 5.6.10 delete

  it('batch delete should answer 204 and delete every entity when all exist', async () => {
    const [a, b] = ids('BD', 2);
    await post('create', [{ id: a, type: 'T' }, { id: b, type: 'T' }]);
    const res = await post('delete', [a, b]);
    assert.equal(res.statusCode, 204, res.body);
    assert.equal(await exists(a), false);
    assert.equal(await exists(b), false);
  });

  it('batch delete should answer 207 when some ids do not exist, repeat or are not URIs', async () => {
    const [a, missing] = ids('BD', 2);
    await send(h().app, 'POST', ENTITIES, { id: a, type: 'T' });
    const res = await post('delete', [a, missing, a, 'plain', 7, { id: a }]);
    const body = assertMulti(res, [a], [
      [missing, 'ResourceNotFound'],
      [a, 'ResourceNotFound'],
      ['plain', 'BadRequestData'],
      ['', 'BadRequestData'],
      [a, 'BadRequestData'],
    ]);
    assert.equal(body.success.length, 1);
    assert.equal(await exists(a), false);
  });

  // ------------------------------------------------------------ atomicity

  it('batch operations should write nothing when the request itself is rejected', async () => {
    const [a, b] = ids('BAt', 2);
    await send(h().app, 'POST', ENTITIES, { id: a, type: 'T', x: 1 });
    const rejected = [
      post('create?options=bogus', [{ id: b, type: 'T' }]),
      post('update', [{ id: a, x: 2 }], { 'content-type': 'application/ld+json', link: `<${CORE_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"` }),
      post('merge?bad=1', [{ id: a, x: 2 }]),
      post('delete', [a], { 'ngsild-tenant': 'not valid!' }),
    ];
    for (const res of await Promise.all(rejected)) assert.equal(res.statusCode, 400, res.body);
    assert.equal(await exists(b), false);
    assert.equal((await getEntity(h().app, a)).x.value, 1);
  });

  it('batch operations should keep a consistent result when concurrent batches touch the same entity', async () => {
    const [a] = ids('BCc', 1);
    await send(h().app, 'POST', ENTITIES, { id: a, type: 'T', n: 0 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => post('update', [{ id: a, [`k${i}`]: i }])));
    for (const r of results) assert.equal(r.statusCode, 204, r.body);
    const e = await getEntity(h().app, a);
    for (let i = 0; i < 10; i++) assert.equal(e[`k${i}`]?.value, i, `update ${i} was not lost`);
  });
});
