/**
 * Retrieve Entity (ETSI GS CIM 009 V1.8.1 clause 5.7.1) over HTTP: representations (clause 4.5), sysAttrs,
 * attrs / pick / omit (clause 4.21), lang (clause 4.15), content negotiation (clause 6.3.6), tenants (clause 6.3.14)
 * and the round trip of names through a user @context.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import {
  assertProblem,
  CORE_CONTEXT,
  describeApi,
  ENTITIES,
  entityUrl,
  getEntity,
  hostContext,
  JSONLD_REL,
  linkHeader,
  send,
  uniqueId,
  uniqueTenant,
} from '../support/http.js';

const point = { type: 'Point', coordinates: [4.35, 50.85] };

const building = (id: string) => ({
  id,
  type: 'Building',
  name: { type: 'LanguageProperty', languageMap: { en: 'Town hall', fr: 'Hôtel de ville', nl: 'Stadhuis' } },
  height: { type: 'Property', value: 35, unitCode: 'MTR', observedAt: '2024-05-01T10:00:00Z' },
  floors: [
    { type: 'Property', value: 5 },
    { type: 'Property', value: 6, datasetId: 'urn:ngsi-ld:Dataset:survey' },
  ],
  owner: { type: 'Relationship', object: 'urn:ngsi-ld:City:Brussels' },
  location: { type: 'GeoProperty', value: point },
  status: { type: 'Property', value: 'open', reliability: { type: 'Property', value: 0.9 } },
});

describeApi('Retrieve Entity (5.7.1)', (h) => {
  const id = uniqueId('Building');

  before(async () => {
    const res = await send(h().app, 'POST', ENTITIES, building(id));
    assert.equal(res.statusCode, 201, res.body);
  });

  const get = (query: string, headers: Record<string, string> = {}) =>
    h().app.inject({ method: 'GET', url: `${entityUrl(id)}${query ? `?${query}` : ''}`, headers });

  it('retrieve should answer the normalized representation when no options are given', async () => {
    assert.deepEqual(await getEntity(h().app, id), building(id));
  });

  it('retrieve should answer the concise representation when options=concise or format=concise', async () => {
    const expected = {
      id,
      type: 'Building',
      name: { languageMap: { en: 'Town hall', fr: 'Hôtel de ville', nl: 'Stadhuis' } },
      height: { value: 35, unitCode: 'MTR', observedAt: '2024-05-01T10:00:00Z' },
      floors: [{ value: 5 }, { value: 6, datasetId: 'urn:ngsi-ld:Dataset:survey' }],
      owner: { object: 'urn:ngsi-ld:City:Brussels' },
      location: point,
      status: { value: 'open', reliability: 0.9 },
    };
    assert.deepEqual(await getEntity(h().app, id, 'options=concise'), expected);
    assert.deepEqual(await getEntity(h().app, id, 'format=concise'), expected);
  });

  it('retrieve should answer the simplified representation when options=keyValues or format=simplified', async () => {
    const expected = {
      id,
      type: 'Building',
      name: { languageMap: { en: 'Town hall', fr: 'Hôtel de ville', nl: 'Stadhuis' } },
      height: 35,
      floors: { dataset: { '@none': 5, 'urn:ngsi-ld:Dataset:survey': 6 } },
      owner: 'urn:ngsi-ld:City:Brussels',
      location: point,
      status: 'open',
    };
    assert.deepEqual(await getEntity(h().app, id, 'options=keyValues'), expected);
    assert.deepEqual(await getEntity(h().app, id, 'format=simplified'), expected);
    assert.deepEqual(await getEntity(h().app, id, 'format=keyValues'), expected);
  });

  it('retrieve should answer 400 BadRequestData when two representations are asked at once', async () => {
    assertProblem(await get('options=keyValues,concise'), 400, 'BadRequestData');
    assertProblem(await get('options=keyValues&format=normalized'), 400, 'BadRequestData');
    assertProblem(await get('format=pretty'), 400, 'BadRequestData');
    assertProblem(await get('options=shiny'), 400, 'BadRequestData');
  });

  it('retrieve should add createdAt and modifiedAt when options=sysAttrs', async () => {
    const e = await getEntity(h().app, id, 'options=sysAttrs');
    for (const x of [e, e.height, e.owner, e.status, e.status.reliability, e.floors[0], e.floors[1]]) {
      assert.ok(!Number.isNaN(Date.parse(x.createdAt)), `createdAt on ${JSON.stringify(x)}`);
      assert.ok(!Number.isNaN(Date.parse(x.modifiedAt)), `modifiedAt on ${JSON.stringify(x)}`);
    }
    const plain = await getEntity(h().app, id);
    assert.equal(plain.createdAt, undefined);
    assert.equal(plain.height.modifiedAt, undefined);
  });

  it('retrieve should keep entity sysAttrs only when options=sysAttrs,keyValues', async () => {
    const e = await getEntity(h().app, id, 'options=sysAttrs,keyValues');
    assert.equal(typeof e.createdAt, 'string');
    assert.equal(e.height, 35);
  });

  it('retrieve should answer only the listed attributes when attrs is given', async () => {
    const e = await getEntity(h().app, id, 'attrs=height,owner,nothing');
    assert.deepEqual(Object.keys(e).sort(), ['height', 'id', 'owner', 'type']);
  });

  it('retrieve should project members when pick or omit is given', async () => {
    assert.deepEqual(await getEntity(h().app, id, 'pick=id,height'), { id, height: building(id).height });
    const omitted = await getEntity(h().app, id, 'omit=type,name,floors,location,status');
    assert.deepEqual(omitted, { id, height: building(id).height, owner: building(id).owner });
    assertProblem(await get('pick=id&omit=type'), 400, 'BadRequestData');
    assertProblem(await get('pick=id,,type'), 400, 'BadRequestData');
  });

  it('retrieve should answer one language as a Property with lang when lang is given', async () => {
    const e = await getEntity(h().app, id, 'lang=fr');
    assert.deepEqual(e.name, { type: 'Property', value: 'Hôtel de ville', lang: 'fr' });
    assert.equal((await getEntity(h().app, id, 'lang=de;q=0.9,nl')).name.value, 'Stadhuis');
    assert.equal((await getEntity(h().app, id, 'lang=fr&options=keyValues')).name, 'Hôtel de ville');
    assert.deepEqual((await getEntity(h().app, id, 'lang=fr&options=concise')).name, { value: 'Hôtel de ville', lang: 'fr' });
    assertProblem(await get('lang=not%20a%20tag!'), 400, 'BadRequestData');
  });

  it('retrieve should keep only the selected instances when datasetId is given', async () => {
    assert.deepEqual((await getEntity(h().app, id, 'datasetId=urn:ngsi-ld:Dataset:survey')).floors, {
      type: 'Property',
      value: 6,
      datasetId: 'urn:ngsi-ld:Dataset:survey',
    });
  });

  it('retrieve should answer the entity when the type filter matches one of its types', async () => {
    assert.equal((await getEntity(h().app, id, 'type=Building')).id, id);
    assert.equal((await getEntity(h().app, id, 'type=Shop,Building')).id, id);
  });

  it('retrieve should answer 404 ResourceNotFound when the type filter matches none of its types', async () => {
    assertProblem(await get('type=Shop'), 404, 'ResourceNotFound');
  });

  it('retrieve should answer application/json with a Link to the core context when Accept is json or absent', async () => {
    for (const accept of [undefined, 'application/json', '*/*', 'application/*', 'text/html, application/json;q=0.5']) {
      const res = await get('', accept === undefined ? {} : { accept });
      assert.equal(res.statusCode, 200, `${accept}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.equal(res.headers.link, `<${CORE_CONTEXT}>; rel="${JSONLD_REL}"; type="application/ld+json"`);
      assert.equal(res.json()['@context'], undefined);
    }
  });

  it('retrieve should put @context in the body when Accept is application/ld+json', async () => {
    const res = await get('', { accept: 'application/ld+json' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/ld\+json/);
    assert.equal(res.headers.link, undefined);
    const body = res.json();
    assert.equal(body['@context'], CORE_CONTEXT);
    assert.equal(body.id, id);
  });

  it('retrieve should answer a GeoJSON Feature when Accept is application/geo+json', async () => {
    const res = await get('', { accept: 'application/geo+json' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/geo\+json/);
    const f = res.json();
    assert.equal(f.type, 'Feature');
    assert.equal(f.id, id);
    assert.deepEqual(f.geometry, point);
    assert.equal(f.properties.type, 'Building');
    assert.equal(f.properties.id, undefined);
    assert.deepEqual(f.properties.height, building(id).height);
    assert.equal(f['@context'], CORE_CONTEXT);
    const kv = (await get('options=keyValues', { accept: 'application/geo+json' })).json();
    assert.equal(kv.properties.height, 35);
  });

  it('retrieve should use geometryProperty as the Feature geometry when it is given', async () => {
    const other = uniqueId('TwoGeo');
    const area = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] };
    await send(h().app, 'POST', ENTITIES, { id: other, type: 'Zone', location: point, area: { type: 'GeoProperty', value: area } });
    const res = await h().app.inject({ method: 'GET', url: `${entityUrl(other)}?geometryProperty=area`, headers: { accept: 'application/geo+json' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().geometry, area);
    const none = await h().app.inject({ method: 'GET', url: `${entityUrl(other)}?geometryProperty=missing`, headers: { accept: 'application/geo+json' } });
    assert.equal(none.json().geometry, null);
  });

  it('retrieve should answer a GeoJSON Feature when format=geojson and Accept allows GeoJSON', async () => {
    for (const accept of [undefined, '*/*', 'application/geo+json']) {
      const res = await get('format=geojson&options=keyValues&attrs=height', accept === undefined ? {} : { accept });
      assert.equal(res.statusCode, 200, `${accept}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/geo\+json/);
      const f = res.json();
      assert.equal(f.type, 'Feature');
      assert.deepEqual(f.geometry, point);
      assert.equal(f.properties.height, 35);
    }
    assertProblem(await get('format=geojson', { accept: 'application/json' }), 406, 'InvalidRequest');
  });

  it('retrieve should answer 406 when no Accept media type can be served', async () => {
    for (const accept of ['text/csv', 'application/xml', 'application/json;q=0']) {
      assertProblem(await get('', { accept }), 406, 'InvalidRequest');
    }
  });

  it('retrieve should answer 404 ResourceNotFound when the entity does not exist', async () => {
    const p = assertProblem(await h().app.inject({ method: 'GET', url: entityUrl(uniqueId('Missing')) }), 404, 'ResourceNotFound');
    assert.match(String(p.detail), /does not exist/);
  });

  it('retrieve should answer 400 BadRequestData when the entity id is not a URI', async () => {
    assertProblem(await h().app.inject({ method: 'GET', url: `${ENTITIES}/not-a-uri` }), 400, 'BadRequestData');
  });

  it('retrieve should answer 400 BadRequestData when a parameter is unknown or repeated', async () => {
    assertProblem(await get('nope=1'), 400, 'BadRequestData');
    assertProblem(await get('attrs=a&attrs=b'), 400, 'BadRequestData');
  });

  it('retrieve should answer 422 OperationNotSupported when a parameter is defined but not implemented', async () => {
    // entityMap belongs to distributed operations (context sources, not delivered yet).
    assertProblem(await get('entityMap=true'), 422, 'OperationNotSupported');
  });

  it('retrieve should answer 404 NonexistentTenant when the tenant does not exist', async () => {
    const res = await get('', { 'ngsild-tenant': uniqueTenant('missing') });
    assertProblem(res, 404, 'NonexistentTenant');
  });

  it('retrieve should keep tenants apart when the same id exists in two tenants', async () => {
    const shared = uniqueId('Shared');
    const [a, b] = [uniqueTenant('a'), uniqueTenant('b')];
    const ra = await send(h().app, 'POST', ENTITIES, { id: shared, type: 'T', owner: 'a' }, { 'ngsild-tenant': a });
    assert.equal(ra.statusCode, 201, ra.body);
    assert.equal(ra.headers['ngsild-tenant'], a, 'the tenant is echoed');
    assert.equal((await send(h().app, 'POST', ENTITIES, { id: shared, type: 'T', owner: 'b' }, { 'ngsild-tenant': b })).statusCode, 201);
    assert.equal((await getEntity(h().app, shared, '', { 'ngsild-tenant': a })).owner.value, 'a');
    assert.equal((await getEntity(h().app, shared, '', { 'ngsild-tenant': b })).owner.value, 'b');
    assertProblem(await h().app.inject({ method: 'GET', url: entityUrl(shared) }), 404, 'ResourceNotFound');
    const del = await h().app.inject({ method: 'DELETE', url: entityUrl(shared), headers: { 'ngsild-tenant': a } });
    assert.equal(del.statusCode, 204);
    assert.equal((await getEntity(h().app, shared, '', { 'ngsild-tenant': b })).owner.value, 'b', 'deleting in one tenant leaves the other');
  });

  it('retrieve should compact names back to the user terms when the Link context is the one used to create', async () => {
    const url = await hostContext(h().app, {
      Parking: 'https://smart.example/Parking',
      free: 'https://smart.example/freeSpots',
      kind: { '@id': 'https://smart.example/kind', '@type': '@vocab' },
      Underground: 'https://smart.example/Underground',
      operator: 'https://smart.example/operator',
    });
    const pid = uniqueId('Parking');
    const body = {
      '@context': url,
      id: pid,
      type: 'Parking',
      free: { type: 'Property', value: 12, precision: { type: 'Property', value: 1 } },
      kind: { type: 'VocabProperty', vocab: 'Underground' },
      operator: { type: 'Relationship', object: 'urn:ngsi-ld:Company:1', objectType: 'Parking' },
      extra: 'x',
    };
    const res = await send(h().app, 'POST', ENTITIES, body, { 'content-type': 'application/ld+json' });
    assert.equal(res.statusCode, 201, res.body);
    const back = await getEntity(h().app, pid, '', { link: linkHeader(url) });
    const { '@context': _ctx, ...expected } = body;
    assert.deepEqual(back, { ...expected, extra: { type: 'Property', value: 'x' } });
    const ld = await h().app.inject({ method: 'GET', url: entityUrl(pid), headers: { link: linkHeader(url), accept: 'application/ld+json' } });
    assert.equal(ld.json()['@context'], url);
    const json = await h().app.inject({ method: 'GET', url: entityUrl(pid), headers: { link: linkHeader(url) } });
    assert.equal(json.headers.link, linkHeader(url));
    const core = await getEntity(h().app, pid);
    assert.equal(core.type, 'https://smart.example/Parking');
    assert.deepEqual(core['https://smart.example/freeSpots'].precision, { type: 'Property', value: 1 }, 'unmapped terms use the core default vocabulary');
    assert.deepEqual(core['https://smart.example/operator'].objectType, 'https://smart.example/Parking');
    assert.deepEqual(core['https://smart.example/kind'].vocab, 'https://smart.example/Underground');
  });

  it('retrieve should answer 503 LdContextNotAvailable when the Link context cannot be fetched', async () => {
    const res = await get('', { link: linkHeader('http://127.0.0.1:9/unreachable-context.jsonld') });
    assertProblem(res, 503, 'LdContextNotAvailable');
  });

  it('query should accept a trailing slash on the collection URL', async () => {
    const tid = uniqueId('Slash');
    const type = `Slash${tid.replace(/\W/g, '')}`;
    const created = await send(h().app, 'POST', `${ENTITIES}/`, { id: tid, type });
    assert.equal(created.statusCode, 201, created.body);
    const res = await h().app.inject({ method: 'GET', url: `${ENTITIES}/?type=${type}` });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().map((e: { id: string }) => e.id), [tid]);
  });
});
