/**
 * Entity and attribute modification over HTTP (ETSI GS CIM 009 V1.8.1 clauses 5.6.2–5.6.6, 5.6.17–5.6.19):
 * replace, merge, update, append, partial update, replace and delete attribute, delete entity, and
 * atomicity (a failed request writes nothing, STYLE habit 4).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { assertProblem, CORE_CONTEXT, describeApi, ENTITIES, entityUrl, getEntity, hostContext, linkHeader, send, uniqueId, uniqueTenant } from '../support/http.js';

const NULL = 'urn:ngsi-ld:null';
const DS = 'urn:ngsi-ld:Dataset:b';

describeApi('Entity modification (5.6.2–5.6.6, 5.6.17–5.6.19)', (h) => {
  /** Creates a fresh entity and returns its id. */
  async function seed(extra: Record<string, unknown> = {}, type = 'Room'): Promise<string> {
    const id = uniqueId(type);
    const res = await send(h().app, 'POST', ENTITIES, {
      id,
      type,
      temperature: { type: 'Property', value: 20, unitCode: 'CEL', accuracy: { type: 'Property', value: 0.5 } },
      owner: { type: 'Relationship', object: 'urn:ngsi-ld:Person:1' },
      speed: [
        { type: 'Property', value: 1 },
        { type: 'Property', value: 2, datasetId: DS },
      ],
      ...extra,
    });
    assert.equal(res.statusCode, 201, res.body);
    return id;
  }
  const sys = (id: string) => getEntity(h().app, id, 'options=sysAttrs');

  // ------------------------------------------------------------ 5.6.18 Replace Entity

  it('replace should answer 204 and swap every attribute when the entity exists', async () => {
    const id = await seed();
    const before = await sys(id);
    const res = await send(h().app, 'PUT', entityUrl(id), { type: 'Office', humidity: { type: 'Property', value: 40 } });
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual(await getEntity(h().app, id), { id, type: 'Office', humidity: { type: 'Property', value: 40 } });
    const after = await sys(id);
    assert.equal(after.createdAt, before.createdAt, 'createdAt of the entity is kept');
    assert.ok(after.modifiedAt >= before.modifiedAt);
  });

  it('replace should accept the id in the body when it equals the path id', async () => {
    const id = await seed();
    assert.equal((await send(h().app, 'PUT', entityUrl(id), { id, type: 'Room', a: 1 })).statusCode, 204);
  });

  it('replace should answer 400 BadRequestData and change nothing when the body id differs from the path', async () => {
    const id = await seed();
    const before = await getEntity(h().app, id);
    assertProblem(await send(h().app, 'PUT', entityUrl(id), { id: 'urn:ngsi-ld:Room:other', type: 'Room' }), 400, 'BadRequestData');
    assert.deepEqual(await getEntity(h().app, id), before);
  });

  it('replace should answer 400 BadRequestData and change nothing when the body has no type', async () => {
    const id = await seed();
    const before = await getEntity(h().app, id);
    assertProblem(await send(h().app, 'PUT', entityUrl(id), { a: 1 }), 400, 'BadRequestData');
    assert.deepEqual(await getEntity(h().app, id), before);
  });

  it('replace should answer 404 ResourceNotFound when the entity does not exist', async () => {
    const id = uniqueId('Missing');
    assertProblem(await send(h().app, 'PUT', entityUrl(id), { type: 'Room' }), 404, 'ResourceNotFound');
    assertProblem(await h().app.inject({ method: 'GET', url: entityUrl(id) }), 404, 'ResourceNotFound');
  });

  // ------------------------------------------------------------ 5.6.17 Merge Entity

  it('merge should answer 204 and keep untouched attributes when the entity exists', async () => {
    const id = await seed();
    const res = await send(h().app, 'PATCH', entityUrl(id), { temperature: { type: 'Property', value: 25 }, humidity: 40 });
    assert.equal(res.statusCode, 204, res.body);
    const e = await getEntity(h().app, id);
    assert.deepEqual(e.temperature, { type: 'Property', value: 25, unitCode: 'CEL', accuracy: { type: 'Property', value: 0.5 } });
    assert.deepEqual(e.humidity, { type: 'Property', value: 40 });
    assert.deepEqual(e.owner, { type: 'Relationship', object: 'urn:ngsi-ld:Person:1' });
  });

  it('merge should delete attributes and sub-attributes when they are set to urn:ngsi-ld:null', async () => {
    const id = await seed();
    const res = await send(h().app, 'PATCH', entityUrl(id), {
      owner: NULL,
      temperature: { type: 'Property', value: 21, accuracy: { type: 'Property', value: NULL } },
      speed: { type: 'Property', value: NULL, datasetId: DS },
      absent: NULL,
    });
    assert.equal(res.statusCode, 204, res.body);
    const e = await getEntity(h().app, id);
    assert.equal(e.owner, undefined);
    assert.equal(e.absent, undefined);
    assert.deepEqual(e.temperature, { type: 'Property', value: 21, unitCode: 'CEL' });
    assert.deepEqual(e.speed, { type: 'Property', value: 1 }, 'only the datasetId instance is deleted');
  });

  it('merge should add types and never remove them when the fragment names types', async () => {
    const id = await seed();
    assert.equal((await send(h().app, 'PATCH', entityUrl(id), { type: 'Office' })).statusCode, 204);
    assert.deepEqual((await getEntity(h().app, id)).type, ['Room', 'Office']);
  });

  it('merge should accept application/merge-patch+json when the body is a fragment', async () => {
    const id = await seed();
    const res = await send(h().app, 'PATCH', entityUrl(id), { humidity: 40 }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal((await getEntity(h().app, id)).humidity.value, 40);
  });

  it('merge should answer 400 BadRequestData and change nothing when an attribute is invalid', async () => {
    const id = await seed();
    const before = await getEntity(h().app, id);
    const res = await send(h().app, 'PATCH', entityUrl(id), { humidity: 40, owner: { type: 'Relationship', object: 'not a uri' } });
    assertProblem(res, 400, 'BadRequestData');
    assert.deepEqual(await getEntity(h().app, id), before);
  });

  it('merge should answer 400 BadRequestData when the body id differs from the path', async () => {
    const id = await seed();
    assertProblem(await send(h().app, 'PATCH', entityUrl(id), { id: 'urn:ngsi-ld:Room:x', a: 1 }), 400, 'BadRequestData');
  });

  it('merge should answer 404 ResourceNotFound when the entity does not exist', async () => {
    assertProblem(await send(h().app, 'PATCH', entityUrl(uniqueId('Missing')), { a: 1 }), 404, 'ResourceNotFound');
  });

  it('merge should answer 404 NonexistentTenant when the tenant does not exist', async () => {
    const res = await send(h().app, 'PATCH', entityUrl(uniqueId('X')), { a: 1 }, { 'ngsild-tenant': uniqueTenant('none') });
    assertProblem(res, 404, 'NonexistentTenant');
  });

  // ------------------------------------------------------------ 5.6.2 Update Entity Attributes

  it('update attributes should answer 204 and replace the instances when every attribute is updated', async () => {
    const id = await seed();
    const before = await sys(id);
    const res = await send(h().app, 'PATCH', entityUrl(id, '/attrs'), {
      temperature: { type: 'Property', value: 30 },
      speed: { type: 'Property', value: 9, datasetId: DS },
    });
    assert.equal(res.statusCode, 204, res.body);
    const after = await sys(id);
    assert.equal(after.temperature.value, 30);
    assert.equal(after.temperature.createdAt, before.temperature.createdAt, 'createdAt of the instance is kept');
    assert.deepEqual(after.speed.map((s: { value: number }) => s.value), [1, 9]);
    assert.deepEqual(after.owner.object, 'urn:ngsi-ld:Person:1');
  });

  it('update attributes should answer 204 when the attribute names come through a Link context', async () => {
    const url = await hostContext(h().app, { temp: 'https://example.org/ns#temp' });
    const id = uniqueId('Linked');
    assert.equal((await send(h().app, 'POST', ENTITIES, { id, type: 'T', temp: 1 }, { link: linkHeader(url) })).statusCode, 201);
    assert.equal((await send(h().app, 'PATCH', entityUrl(id, '/attrs'), { temp: 2 }, { link: linkHeader(url) })).statusCode, 204);
    assert.equal((await getEntity(h().app, id, '', { link: linkHeader(url) })).temp.value, 2);
  });

  it('update attributes should answer 204 and append an attribute when the entity does not have it yet', async () => {
    // V1.6.1+ reading of 5.6.2 (with 5.5.8), as the ETSI NGSI-LD test suite checks it: TP 011_01_03 ("Check that one
    // can update existing attributes and append non-existing attributes", tagged 5_6_2) expects 204.
    const id = await seed();
    const res = await send(h().app, 'PATCH', entityUrl(id, '/attrs'), { temperature: 25, humidity: { type: 'Property', value: 40 } });
    assert.equal(res.statusCode, 204, res.body);
    const after = await getEntity(h().app, id);
    assert.equal(after.temperature.value, 25);
    assert.deepEqual(after.humidity, { type: 'Property', value: 40 });
  });

  it('update attributes should delete an instance when it is set to urn:ngsi-ld:null', async () => {
    // Clause 5.5.8 (partial update patch, used by 5.6.2): NGSI-LD Null deletes the targeted instance.
    const id = await seed();
    const res = await send(h().app, 'PATCH', entityUrl(id, '/attrs'), { owner: { type: 'Relationship', object: NULL } });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal((await getEntity(h().app, id)).owner, undefined);
  });

  it('update attributes should answer 207 with notUpdated when a deleted attribute does not exist', async () => {
    const id = await seed();
    const res = await send(h().app, 'PATCH', entityUrl(id, '/attrs'), { temperature: 22, ghost: { type: 'Property', value: NULL } });
    assert.equal(res.statusCode, 207, res.body);
    const body = res.json();
    assert.deepEqual(body.updated, ['temperature']);
    assert.equal(body.notUpdated.length, 1);
    assert.equal(body.notUpdated[0].attributeName, 'ghost');
    assert.equal(typeof body.notUpdated[0].reason, 'string');
    assert.equal((await getEntity(h().app, id)).temperature.value, 22, 'the other attribute is updated');
  });

  it('update attributes should answer 400 BadRequestData and change nothing when one attribute is invalid', async () => {
    const id = await seed();
    const before = await getEntity(h().app, id);
    const res = await send(h().app, 'PATCH', entityUrl(id, '/attrs'), { temperature: 99, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [999, 0] } } });
    assertProblem(res, 400, 'BadRequestData');
    assert.deepEqual(await getEntity(h().app, id), before);
  });

  it('update attributes should answer 404 ResourceNotFound when the entity does not exist', async () => {
    assertProblem(await send(h().app, 'PATCH', entityUrl(uniqueId('Missing'), '/attrs'), { a: 1 }), 404, 'ResourceNotFound');
  });

  it('update attributes should accept the type parameter when it names the entity type', async () => {
    // OpenAPI 1.8.1: Query.type is a parameter of PATCH /entities/{id}/attrs (and of append, partial update, delete attribute).
    const id = await seed();
    assert.equal((await send(h().app, 'PATCH', entityUrl(id, '/attrs?type=Room'), { temperature: 1 })).statusCode, 204);
  });

  // ------------------------------------------------------------ 5.6.3 Append Entity Attributes

  it('append attributes should answer 204 and add or overwrite attributes when noOverwrite is not set', async () => {
    const id = await seed();
    const res = await send(h().app, 'POST', entityUrl(id, '/attrs'), { temperature: 5, humidity: { type: 'Property', value: 60 } });
    assert.equal(res.statusCode, 204, res.body);
    const e = await getEntity(h().app, id);
    assert.deepEqual(e.temperature, { type: 'Property', value: 5 });
    assert.deepEqual(e.humidity, { type: 'Property', value: 60 });
  });

  it('append attributes should answer 207 and keep existing attributes when options=noOverwrite', async () => {
    const id = await seed();
    const res = await send(h().app, 'POST', entityUrl(id, '/attrs?options=noOverwrite'), { temperature: 5, humidity: 60 });
    assert.equal(res.statusCode, 207, res.body);
    const body = res.json();
    assert.deepEqual(body.updated, ['humidity']);
    assert.deepEqual(body.notUpdated.map((n: { attributeName: string }) => n.attributeName), ['temperature']);
    const e = await getEntity(h().app, id);
    assert.equal(e.temperature.value, 20);
    assert.equal(e.humidity.value, 60);
  });

  it('append attributes should add a new instance when the datasetId is new', async () => {
    const id = await seed();
    const res = await send(h().app, 'POST', entityUrl(id, '/attrs?options=noOverwrite'), { speed: { type: 'Property', value: 3, datasetId: 'urn:ngsi-ld:Dataset:c' } });
    assert.equal(res.statusCode, 204, res.body);
    assert.equal((await getEntity(h().app, id)).speed.length, 3);
  });

  it('append attributes should answer 400 BadRequestData when an option is unknown', async () => {
    const id = await seed();
    assertProblem(await send(h().app, 'POST', entityUrl(id, '/attrs?options=overwriteAll'), { a: 1 }), 400, 'BadRequestData');
  });

  it('append attributes should answer 404 ResourceNotFound when the entity does not exist', async () => {
    assertProblem(await send(h().app, 'POST', entityUrl(uniqueId('Missing'), '/attrs'), { a: 1 }), 404, 'ResourceNotFound');
  });

  // ------------------------------------------------------------ 5.6.4 Partial Attribute Update

  it('partial attribute update should answer 204 and keep members not given when the attribute exists', async () => {
    const id = await seed();
    const res = await send(h().app, 'PATCH', entityUrl(id, '/attrs/temperature'), { value: 23 });
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual((await getEntity(h().app, id)).temperature, {
      type: 'Property',
      value: 23,
      unitCode: 'CEL',
      accuracy: { type: 'Property', value: 0.5 },
    });
  });

  it('partial attribute update should target the instance with the datasetId when one is given', async () => {
    const id = await seed();
    assert.equal((await send(h().app, 'PATCH', entityUrl(id, '/attrs/speed'), { value: 7, datasetId: DS })).statusCode, 204);
    assert.deepEqual((await getEntity(h().app, id)).speed.map((s: { value: number }) => s.value), [1, 7]);
  });

  it('partial attribute update should delete a sub-attribute when it is set to urn:ngsi-ld:null', async () => {
    const id = await seed();
    assert.equal((await send(h().app, 'PATCH', entityUrl(id, '/attrs/temperature'), { accuracy: NULL })).statusCode, 204);
    assert.equal((await getEntity(h().app, id)).temperature.accuracy, undefined);
  });

  it('partial attribute update should answer 400 BadRequestData when the type would change', async () => {
    const id = await seed();
    assertProblem(await send(h().app, 'PATCH', entityUrl(id, '/attrs/temperature'), { type: 'Relationship', object: 'urn:a:b' }), 400, 'BadRequestData');
  });

  it('partial attribute update should answer 404 ResourceNotFound when the attribute or the entity does not exist', async () => {
    const id = await seed();
    assertProblem(await send(h().app, 'PATCH', entityUrl(id, '/attrs/ghost'), { value: 1 }), 404, 'ResourceNotFound');
    assertProblem(await send(h().app, 'PATCH', entityUrl(id, '/attrs/speed'), { value: 1, datasetId: 'urn:ngsi-ld:Dataset:none' }), 404, 'ResourceNotFound');
    assertProblem(await send(h().app, 'PATCH', entityUrl(uniqueId('Missing'), '/attrs/temperature'), { value: 1 }), 404, 'ResourceNotFound');
  });

  it('partial attribute update should answer 400 when the attribute name in the path is not valid', async () => {
    const id = await seed();
    for (const name of ['a b', '__proto__']) {
      assertProblem(await send(h().app, 'PATCH', `${entityUrl(id)}/attrs/${encodeURIComponent(name)}`, { value: 1 }), 400, 'BadRequestData');
    }
  });

  // ------------------------------------------------------------ 5.6.19 Replace Attribute

  it('replace attribute should answer 204 and replace the instance whole when it exists', async () => {
    const id = await seed();
    const res = await send(h().app, 'PUT', entityUrl(id, '/attrs/temperature'), { type: 'Property', value: 18 });
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual((await getEntity(h().app, id)).temperature, { type: 'Property', value: 18 });
  });

  it('replace attribute should answer 404 ResourceNotFound when the attribute does not exist', async () => {
    const id = await seed();
    assertProblem(await send(h().app, 'PUT', entityUrl(id, '/attrs/ghost'), { type: 'Property', value: 18 }), 404, 'ResourceNotFound');
    assert.equal((await getEntity(h().app, id)).ghost, undefined);
  });

  it('replace attribute should answer 400 when the body is not a valid attribute', async () => {
    const id = await seed();
    assertProblem(await send(h().app, 'PUT', entityUrl(id, '/attrs/owner'), { type: 'Relationship', object: 'no uri' }), 400, 'BadRequestData');
    assert.equal((await send(h().app, 'PUT', entityUrl(id, '/attrs/owner'), 'null')).statusCode, 400);
  });

  // ------------------------------------------------------------ 5.6.5 Delete Attribute

  it('delete attribute should answer 204 and remove the default instance when no datasetId is given', async () => {
    const id = await seed();
    assert.equal((await h().app.inject({ method: 'DELETE', url: entityUrl(id, '/attrs/speed') })).statusCode, 204);
    assert.deepEqual((await getEntity(h().app, id)).speed, { type: 'Property', value: 2, datasetId: DS });
  });

  it('delete attribute should remove only that instance when datasetId is given', async () => {
    const id = await seed();
    const res = await h().app.inject({ method: 'DELETE', url: `${entityUrl(id, '/attrs/speed')}?datasetId=${encodeURIComponent(DS)}` });
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual((await getEntity(h().app, id)).speed, { type: 'Property', value: 1 });
  });

  it('delete attribute should remove every instance when deleteAll=true', async () => {
    const id = await seed();
    assert.equal((await h().app.inject({ method: 'DELETE', url: `${entityUrl(id, '/attrs/speed')}?deleteAll=true` })).statusCode, 204);
    assert.equal((await getEntity(h().app, id)).speed, undefined);
  });

  it('delete attribute should answer 400 BadRequestData when datasetId and deleteAll are combined or malformed', async () => {
    const id = await seed();
    const url = entityUrl(id, '/attrs/speed');
    assertProblem(await h().app.inject({ method: 'DELETE', url: `${url}?deleteAll=true&datasetId=${encodeURIComponent(DS)}` }), 400, 'BadRequestData');
    assertProblem(await h().app.inject({ method: 'DELETE', url: `${url}?datasetId=not%20a%20uri` }), 400, 'BadRequestData');
    assertProblem(await h().app.inject({ method: 'DELETE', url: `${url}?deleteAll=yes` }), 400, 'BadRequestData');
    assert.equal((await getEntity(h().app, id)).speed.length, 2);
  });

  it('delete attribute should answer 404 ResourceNotFound when the attribute, instance or entity does not exist', async () => {
    const id = await seed();
    assertProblem(await h().app.inject({ method: 'DELETE', url: entityUrl(id, '/attrs/ghost') }), 404, 'ResourceNotFound');
    assertProblem(await h().app.inject({ method: 'DELETE', url: `${entityUrl(id, '/attrs/speed')}?datasetId=urn:ngsi-ld:Dataset:none` }), 404, 'ResourceNotFound');
    assertProblem(await h().app.inject({ method: 'DELETE', url: entityUrl(uniqueId('Missing'), '/attrs/speed') }), 404, 'ResourceNotFound');
  });

  it('delete attribute should expand the name with the Link context when one is given', async () => {
    const url = await hostContext(h().app, { level: 'https://example.org/ns#level' });
    const id = uniqueId('Linked');
    await send(h().app, 'POST', ENTITIES, { id, type: 'T', level: 1, other: 2 }, { link: linkHeader(url) });
    assertProblem(await h().app.inject({ method: 'DELETE', url: entityUrl(id, '/attrs/level') }), 404, 'ResourceNotFound');
    assert.equal((await h().app.inject({ method: 'DELETE', url: entityUrl(id, '/attrs/level'), headers: { link: linkHeader(url) } })).statusCode, 204);
    assert.deepEqual(Object.keys(await getEntity(h().app, id)).sort(), ['id', 'other', 'type']);
  });

  // ------------------------------------------------------------ 5.6.6 Delete Entity

  it('delete entity should answer 204 and make the entity unreachable when it exists', async () => {
    const id = await seed();
    assert.equal((await h().app.inject({ method: 'DELETE', url: entityUrl(id) })).statusCode, 204);
    assertProblem(await h().app.inject({ method: 'GET', url: entityUrl(id) }), 404, 'ResourceNotFound');
    assertProblem(await h().app.inject({ method: 'DELETE', url: entityUrl(id) }), 404, 'ResourceNotFound');
    assert.equal((await send(h().app, 'POST', ENTITIES, { id, type: 'Room' })).statusCode, 201, 'the id can be reused');
  });

  it('delete entity should answer 404 NonexistentTenant when the tenant does not exist', async () => {
    const res = await h().app.inject({ method: 'DELETE', url: entityUrl(uniqueId('X')), headers: { 'ngsild-tenant': uniqueTenant('none') } });
    assertProblem(res, 404, 'NonexistentTenant');
  });

  it('delete entity should answer 400 BadRequestData when the id is not a URI', async () => {
    assertProblem(await h().app.inject({ method: 'DELETE', url: `${ENTITIES}/plain` }), 400, 'BadRequestData');
  });

  // ------------------------------------------------------------ atomicity and content types on modifications

  it('every modification should leave the entity unchanged when the request fails', async () => {
    const id = await seed();
    const before = await sys(id);
    const failing: Array<[string, string, unknown, Record<string, string>?]> = [
      ['PUT', entityUrl(id), { type: 'Room', bad: { type: 'Relationship', object: 'x y' } }],
      ['PATCH', entityUrl(id), { temperature: 1, '@context': CORE_CONTEXT }],
      ['PATCH', entityUrl(id, '/attrs'), { temperature: 1, owner: { type: 'Relationship' } }],
      ['POST', entityUrl(id, '/attrs'), { temperature: 1, bad: null }],
      ['PATCH', entityUrl(id, '/attrs/temperature'), { type: 'GeoProperty', value: 1 }],
      ['PUT', entityUrl(id, '/attrs/temperature'), { type: 'Property' }],
      ['PATCH', entityUrl(id, '/attrs'), '{"temperature": 1', {}],
      ['PATCH', entityUrl(id, '/attrs'), JSON.stringify({ temperature: 1 }), { 'content-type': 'text/plain' }],
    ];
    for (const [method, url, body, headers] of failing) {
      const res = await send(h().app, method as 'PUT', url, body, headers);
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${method} ${url} → ${res.statusCode} ${res.body}`);
      assert.deepEqual(await sys(id), before, `${method} ${url} changed the entity`);
    }
  });

  it('modifications should answer 400 when the body is empty or not an object', async () => {
    const id = await seed();
    for (const [method, url] of [
      ['PATCH', entityUrl(id)],
      ['PATCH', entityUrl(id, '/attrs')],
      ['POST', entityUrl(id, '/attrs')],
      ['PUT', entityUrl(id)],
    ] as const) {
      assert.equal((await send(h().app, method, url, '')).statusCode, 400, `${method} ${url} empty`);
      assertProblem(await send(h().app, method, url, '[1,2]'), 400, 'BadRequestData');
    }
  });
});
