/**
 * Discovery over HTTP (ETSI GS CIM 009 V1.8.1 clauses 5.7.5–5.7.10), in-process, on every storage engine:
 * EntityTypeList, EntityType, EntityTypeInfo, AttributeList and Attribute (clauses 5.2.24–5.2.28), names compacted
 * with the request's @context, tenants, media types, and answers that follow entities as they change or go.
 * Each test writes into a tenant of its own, so that lists can be compared exactly.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import type { Entity } from '../../src/core/entity/model.js';
import { vocabulary } from '../../src/store/migrations/003-vocabulary.js';
import { forEachEngine } from '../support/engines.js';
import { API, assertProblem, BATCH, CORE_CONTEXT, DEFAULT_VOCAB, describeApi, entityUrl, hostContext, linkHeader, send, uniqueId, uniqueTenant } from '../support/http.js';

const TYPES = `${API}/types`;
const ATTRIBUTES = `${API}/attributes`;
const point = { type: 'Point', coordinates: [2.35, 48.85] };

/** A type or attribute name of this run, a plain term (expanded with the default vocabulary). */
function uniqueName(prefix: string): string {
  return `${prefix}_${uniqueId('n').split(':').pop()!.replace(/-/g, '_')}`;
}

describeApi('Discovery (5.7.5–5.7.10)', (h) => {
  const tenantHeaders = (tenant: string, extra: Record<string, string> = {}) => ({ 'NGSILD-Tenant': tenant, ...extra });

  async function create(tenant: string, entities: unknown[], headers: Record<string, string> = {}): Promise<void> {
    const res = await send(h().app, 'POST', `${BATCH}/create`, entities, tenantHeaders(tenant, headers));
    assert.equal(res.statusCode, 201, res.body);
  }

  async function get(url: string, tenant: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return h().app.inject({ method: 'GET', url, headers: tenantHeaders(tenant, headers) });
  }

  async function ok(url: string, tenant: string, headers: Record<string, string> = {}): Promise<any> {
    const res = await get(url, tenant, headers);
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  }

  // ------------------------------------------------------------ 5.7.5 / 5.7.6 types

  it('types should answer an EntityTypeList of the types entities have when details is absent', async () => {
    const tenant = uniqueTenant('disc');
    const [a, b, c] = [uniqueName('A'), uniqueName('B'), uniqueName('C')];
    await create(tenant, [
      { id: uniqueId('E'), type: a, p: 1 },
      { id: uniqueId('E'), type: [a, b] },
      { id: uniqueId('E'), type: c },
    ]);
    const res = await get(TYPES, tenant);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.equal(res.headers.link, linkHeader(CORE_CONTEXT));
    assert.equal(res.headers['ngsild-tenant'], tenant);
    const body = res.json();
    assert.match(body.id, /^urn:ngsi-ld:EntityTypeList:[0-9a-f-]{36}$/);
    assert.equal(body.type, 'EntityTypeList');
    assert.deepEqual(body.typeList, [a, b, c]);
    assert.deepEqual(Object.keys(body).sort(), ['id', 'type', 'typeList']);
  });

  it('types should answer EntityType elements with their attribute names when details=true', async () => {
    const tenant = uniqueTenant('disc');
    const [a, b] = [uniqueName('A'), uniqueName('B')];
    await create(tenant, [
      { id: uniqueId('E'), type: a, speed: 1, location: { type: 'GeoProperty', value: point } },
      { id: uniqueId('E'), type: a, owner: { type: 'Relationship', object: 'urn:ngsi-ld:P:1' } },
      { id: uniqueId('E'), type: b },
    ]);
    assert.deepEqual(await ok(`${TYPES}?details=true`, tenant), [
      { id: `${DEFAULT_VOCAB}${a}`, type: 'EntityType', typeName: a, attributeNames: ['location', 'owner', 'speed'].sort(byIri) },
      { id: `${DEFAULT_VOCAB}${b}`, type: 'EntityType', typeName: b, attributeNames: [] },
    ]);
  });

  it('types should answer an empty typeList when no entity is left in the tenant', async () => {
    const tenant = uniqueTenant('disc');
    const id = uniqueId('E');
    await create(tenant, [{ id, type: uniqueName('Gone'), p: 1 }]);
    assert.equal((await send(h().app, 'DELETE', entityUrl(id), undefined, tenantHeaders(tenant))).statusCode, 204);
    assert.deepEqual((await ok(TYPES, tenant)).typeList, []);
    assert.deepEqual(await ok(`${TYPES}?details=true`, tenant), []);
  });

  it('types should omit a type when its entities no longer have it', async () => {
    const tenant = uniqueTenant('disc');
    const [a, b] = [uniqueName('A'), uniqueName('B')];
    const id = uniqueId('E');
    await create(tenant, [{ id, type: [a, b] }]);
    const res = await send(h().app, 'PUT', entityUrl(id), { type: a }, tenantHeaders(tenant));
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual((await ok(TYPES, tenant)).typeList, [a]);
  });

  it('types should keep listing a type and its attributes when the entity that first had them is deleted', async () => {
    const tenant = uniqueTenant('disc');
    const a = uniqueName('A');
    const [first, second] = [uniqueId('E'), uniqueId('E')];
    await create(tenant, [{ id: first, type: a, p: 1 }]);
    await create(tenant, [{ id: second, type: a, p: 2 }]);
    await send(h().app, 'DELETE', entityUrl(first), undefined, tenantHeaders(tenant));
    for (let i = 0; i < 2; i++) {
      assert.deepEqual(await ok(`${TYPES}?details=true`, tenant), [{ id: `${DEFAULT_VOCAB}${a}`, type: 'EntityType', typeName: a, attributeNames: ['p'] }]);
      assert.deepEqual((await ok(`${ATTRIBUTES}/p`, tenant)).typeNames, [a]);
    }
  });

  it('types should compact names with the Link context and keep full IRIs when the context has no term', async () => {
    const tenant = uniqueTenant('disc');
    const ctx = await hostContext(h().app, { Building: 'https://example.org/ns/Building', height: 'https://example.org/ns/height' });
    await create(tenant, [{ id: uniqueId('B'), type: 'Building', height: 12 }], { link: linkHeader(ctx) });
    assert.deepEqual((await ok(TYPES, tenant)).typeList, ['https://example.org/ns/Building']);
    const res = await get(`${TYPES}?details=true`, tenant, { link: linkHeader(ctx) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers.link, linkHeader(ctx));
    assert.deepEqual(res.json(), [{ id: 'https://example.org/ns/Building', type: 'EntityType', typeName: 'Building', attributeNames: ['height'] }]);
  });

  it('types should put @context in each element and send no Link header when Accept is application/ld+json', async () => {
    const tenant = uniqueTenant('disc');
    const a = uniqueName('A');
    await create(tenant, [{ id: uniqueId('E'), type: a }]);
    const list = await get(TYPES, tenant, { accept: 'application/ld+json' });
    assert.equal(list.statusCode, 200, list.body);
    assert.match(String(list.headers['content-type']), /^application\/ld\+json/);
    assert.equal(list.headers.link, undefined);
    assert.equal(list.json()['@context'], CORE_CONTEXT);
    const details = await get(`${TYPES}?details=true`, tenant, { accept: 'application/ld+json' });
    assert.deepEqual(
      details.json().map((t: Record<string, unknown>) => t['@context']),
      [CORE_CONTEXT],
    );
  });

  // ------------------------------------------------------------ 5.7.7 type information

  it('type info should answer EntityTypeInfo with entityCount and the attribute types of each attribute', async () => {
    const tenant = uniqueTenant('disc');
    const [a, other] = [uniqueName('A'), uniqueName('Other')];
    await create(tenant, [
      {
        id: uniqueId('E'),
        type: a,
        brightness: { type: 'Property', value: 'on' },
        location: { type: 'GeoProperty', value: point },
        owner: { type: 'Relationship', object: 'urn:ngsi-ld:P:1' },
      },
      { id: uniqueId('E'), type: [a, other], brightness: { type: 'VocabProperty', vocab: 'on' } },
      { id: uniqueId('E'), type: other, name: { type: 'LanguageProperty', languageMap: { en: 'x' } } },
    ]);
    const res = await get(`${TYPES}/${a}`, tenant);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers.link, linkHeader(CORE_CONTEXT));
    assert.deepEqual(res.json(), {
      id: `${DEFAULT_VOCAB}${a}`,
      type: 'EntityTypeInfo',
      typeName: a,
      entityCount: 2,
      attributeDetails: [
        { id: `${DEFAULT_VOCAB}owner`, type: 'Attribute', attributeName: 'owner', attributeTypes: ['Relationship'] },
        { id: `${DEFAULT_VOCAB}brightness`, type: 'Attribute', attributeName: 'brightness', attributeTypes: ['Property', 'VocabProperty'] },
        { id: 'https://uri.etsi.org/ngsi-ld/location', type: 'Attribute', attributeName: 'location', attributeTypes: ['GeoProperty'] },
      ].sort((x, y) => byIri(x.id, y.id)),
    });
  });

  it('type info should accept the type as a full IRI and compact it with the Link context', async () => {
    const tenant = uniqueTenant('disc');
    const ctx = await hostContext(h().app, { Shop: 'https://example.org/ns/Shop' });
    await create(tenant, [{ id: uniqueId('S'), type: 'Shop' }], { link: linkHeader(ctx) });
    const byIriRes = await ok(`${TYPES}/${encodeURIComponent('https://example.org/ns/Shop')}`, tenant);
    assert.equal(byIriRes.typeName, 'https://example.org/ns/Shop');
    const byTerm = await ok(`${TYPES}/Shop`, tenant, { link: linkHeader(ctx), accept: 'application/ld+json' });
    assert.deepEqual(byTerm, {
      id: 'https://example.org/ns/Shop',
      type: 'EntityTypeInfo',
      typeName: 'Shop',
      entityCount: 1,
      attributeDetails: [],
      '@context': ctx,
    });
  });

  it('type info should drop attribute types and attributes when no entity of the type has them any more', async () => {
    const tenant = uniqueTenant('disc');
    const a = uniqueName('A');
    const id = uniqueId('E');
    await create(tenant, [{ id, type: a, x: { type: 'Property', value: 1 }, y: 2 }]);
    const put = await send(h().app, 'PUT', entityUrl(id, '/attrs/x'), { type: 'Relationship', object: 'urn:ngsi-ld:P:1' }, tenantHeaders(tenant));
    assert.equal(put.statusCode, 204, put.body);
    const del = await send(h().app, 'DELETE', entityUrl(id, '/attrs/y'), undefined, tenantHeaders(tenant));
    assert.equal(del.statusCode, 204, del.body);
    const info = await ok(`${TYPES}/${a}`, tenant);
    assert.deepEqual(info.attributeDetails, [{ id: `${DEFAULT_VOCAB}x`, type: 'Attribute', attributeName: 'x', attributeTypes: ['Relationship'] }]);
  });

  it('type info should answer 404 ResourceNotFound when no entity has the type', async () => {
    const tenant = uniqueTenant('disc');
    const id = uniqueId('E');
    const a = uniqueName('A');
    await create(tenant, [{ id, type: a }]);
    assertProblem(await get(`${TYPES}/${uniqueName('Never')}`, tenant), 404, 'ResourceNotFound');
    await send(h().app, 'DELETE', entityUrl(id), undefined, tenantHeaders(tenant));
    assertProblem(await get(`${TYPES}/${a}`, tenant), 404, 'ResourceNotFound');
  });

  // ------------------------------------------------------------ 5.7.8 / 5.7.9 attributes

  it('attributes should answer an AttributeList of the attributes entities have when details is absent', async () => {
    const tenant = uniqueTenant('disc');
    await create(tenant, [
      { id: uniqueId('E'), type: uniqueName('A'), speed: 1, location: { type: 'GeoProperty', value: point } },
      { id: uniqueId('E'), type: uniqueName('B'), speed: 2, owner: { type: 'Relationship', object: 'urn:ngsi-ld:P:1' } },
    ]);
    const res = await get(ATTRIBUTES, tenant);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers.link, linkHeader(CORE_CONTEXT));
    const body = res.json();
    assert.match(body.id, /^urn:ngsi-ld:AttributeList:[0-9a-f-]{36}$/);
    assert.equal(body.type, 'AttributeList');
    assert.deepEqual(body.attributeList, ['location', 'owner', 'speed'].sort(byIri));
  });

  it('attributes should answer Attribute elements with the types that have them when details=true', async () => {
    const tenant = uniqueTenant('disc');
    const [a, b] = [uniqueName('A'), uniqueName('B')];
    await create(tenant, [
      { id: uniqueId('E'), type: a, speed: 1 },
      { id: uniqueId('E'), type: [b], speed: 2, owner: { type: 'Relationship', object: 'urn:ngsi-ld:P:1' } },
    ]);
    const res = await get(`${ATTRIBUTES}?details=true`, tenant, { accept: 'application/ld+json' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), [
      { id: `${DEFAULT_VOCAB}owner`, type: 'Attribute', attributeName: 'owner', typeNames: [b], '@context': CORE_CONTEXT },
      { id: `${DEFAULT_VOCAB}speed`, type: 'Attribute', attributeName: 'speed', typeNames: [a, b], '@context': CORE_CONTEXT },
    ]);
  });

  it('attributes should list an attribute added by an update and drop one whose last holder was deleted', async () => {
    const tenant = uniqueTenant('disc');
    const [keep, gone] = [uniqueId('E'), uniqueId('E')];
    await create(tenant, [
      { id: keep, type: uniqueName('A'), p: 1 },
      { id: gone, type: uniqueName('A'), q: 1 },
    ]);
    const append = await send(h().app, 'POST', entityUrl(keep, '/attrs'), { r: { type: 'Property', value: 3 } }, tenantHeaders(tenant));
    assert.equal(append.statusCode, 204, append.body);
    const upsert = await send(h().app, 'POST', `${BATCH}/upsert?options=update`, [{ id: keep, type: 'Ignored', s: 4 }], tenantHeaders(tenant));
    assert.ok([201, 204].includes(upsert.statusCode), upsert.body);
    await send(h().app, 'DELETE', entityUrl(gone), undefined, tenantHeaders(tenant));
    assert.deepEqual((await ok(ATTRIBUTES, tenant)).attributeList, ['p', 'r', 's']);
  });

  // ------------------------------------------------------------ 5.7.10 attribute information

  it('attribute info should answer Attribute with attributeCount, attributeTypes and typeNames', async () => {
    const tenant = uniqueTenant('disc');
    const [a, b, c] = [uniqueName('A'), uniqueName('B'), uniqueName('C')];
    await create(tenant, [
      { id: uniqueId('E'), type: a, level: { type: 'Property', value: 1 } },
      { id: uniqueId('E'), type: [a, b], level: [{ type: 'Property', value: 2 }, { type: 'JsonProperty', json: { v: 2 }, datasetId: 'urn:ds:1' }] },
      { id: uniqueId('E'), type: c, other: 1 },
    ]);
    const res = await get(`${ATTRIBUTES}/level`, tenant);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      id: `${DEFAULT_VOCAB}level`,
      type: 'Attribute',
      attributeName: 'level',
      attributeCount: 2,
      attributeTypes: ['JsonProperty', 'Property'],
      typeNames: [a, b],
    });
  });

  it('attribute info should answer 404 ResourceNotFound when no entity has the attribute', async () => {
    const tenant = uniqueTenant('disc');
    await create(tenant, [{ id: uniqueId('E'), type: uniqueName('A'), p: 1 }]);
    assertProblem(await get(`${ATTRIBUTES}/${uniqueName('never')}`, tenant), 404, 'ResourceNotFound');
  });

  // ------------------------------------------------------------ common request handling

  it('discovery should answer 404 NonexistentTenant when the tenant does not exist', async () => {
    const tenant = uniqueTenant('none');
    for (const url of [TYPES, `${TYPES}/Room`, ATTRIBUTES, `${ATTRIBUTES}/speed`]) {
      assertProblem(await get(url, tenant), 404, 'NonexistentTenant');
    }
  });

  it('discovery should keep tenants apart when the same names exist in several', async () => {
    const [t1, t2] = [uniqueTenant('disc'), uniqueTenant('disc')];
    const [a, b] = [uniqueName('A'), uniqueName('B')];
    await create(t1, [{ id: uniqueId('E'), type: a, p: 1 }]);
    await create(t2, [{ id: uniqueId('E'), type: b, q: 1 }]);
    assert.deepEqual((await ok(TYPES, t1)).typeList, [a]);
    assert.deepEqual((await ok(ATTRIBUTES, t2)).attributeList, ['q']);
    assertProblem(await get(`${TYPES}/${b}`, t1), 404, 'ResourceNotFound');
  });

  it('discovery should answer 400 BadRequestData when a query parameter is unknown or details is not a boolean', async () => {
    const tenant = uniqueTenant('disc');
    await create(tenant, [{ id: uniqueId('E'), type: 'T', p: 1 }]);
    for (const url of [`${TYPES}?limit=1`, `${TYPES}/T?details=true`, `${ATTRIBUTES}?type=T`, `${ATTRIBUTES}/p?attrs=p`, `${TYPES}?details=yes`, `${ATTRIBUTES}?local=maybe`]) {
      assertProblem(await get(url, tenant), 400, 'BadRequestData');
    }
    assert.equal((await get(`${TYPES}?local=true`, tenant)).statusCode, 200);
  });

  it('discovery should answer 400 BadRequestData when the type or attribute in the path is not a valid name', async () => {
    const tenant = uniqueTenant('disc');
    await create(tenant, [{ id: uniqueId('E'), type: 'T', p: 1 }]);
    assertProblem(await get(`${TYPES}/${encodeURIComponent('a b')}`, tenant), 400, 'BadRequestData');
    assertProblem(await get(`${ATTRIBUTES}/${encodeURIComponent('@id')}`, tenant), 400, 'BadRequestData');
  });

  it('discovery should answer 406 when Accept offers no JSON media type', async () => {
    const tenant = uniqueTenant('disc');
    await create(tenant, [{ id: uniqueId('E'), type: 'T', p: 1 }]);
    for (const url of [TYPES, `${TYPES}/T`, ATTRIBUTES, `${ATTRIBUTES}/p`]) {
      const res = await get(url, tenant, { accept: 'application/geo+json' });
      assert.equal(res.statusCode, 406, res.body);
    }
  });

  it('discovery should answer in the default tenant when no NGSILD-Tenant is sent', async () => {
    const a = uniqueName('Default');
    const res = await send(h().app, 'POST', `${BATCH}/create`, [{ id: uniqueId('E'), type: a, p: 1 }]);
    assert.equal(res.statusCode, 201, res.body);
    const list = await h().app.inject({ method: 'GET', url: TYPES });
    assert.equal(list.statusCode, 200, list.body);
    assert.ok(list.json().typeList.includes(a));
    assert.equal(list.headers['ngsild-tenant'], undefined);
    const info = await h().app.inject({ method: 'GET', url: `${TYPES}/${a}` });
    assert.equal(info.json().entityCount, 1);
  });
});

forEachEngine('Vocabulary index (migration 003)', (_engine, store, client) => {
  it('migration 003 should index the entities that exist when it runs', async () => {
    const tenant = uniqueTenant('mig');
    const [a, b] = [`https://example.org/${uniqueName('A')}`, `https://example.org/${uniqueName('B')}`];
    const at = '2024-01-01T00:00:00Z';
    const entity = (types: string[], attrs: Entity['attrs']): Entity => ({ id: uniqueId('M'), types, createdAt: at, modifiedAt: at, attrs });
    await store().write(tenant, (tx) =>
      tx.insert([
        entity([a], { 'https://example.org/p': [{ type: 'Property', value: 1 }] }),
        entity([a, b], { 'https://example.org/r': [{ type: 'Relationship', object: 'urn:x:1' }] }),
      ]),
    );
    await client().query('DROP TABLE vocabulary');
    await client().query(vocabulary);
    assert.deepEqual(await store().listEntityTypeDetails(tenant), [
      { type: a, attributeNames: ['https://example.org/p', 'https://example.org/r'] },
      { type: b, attributeNames: ['https://example.org/r'] },
    ]);
    assert.deepEqual(await store().getAttributeInfo(tenant, 'https://example.org/r'), {
      attribute: 'https://example.org/r',
      attributeCount: 1,
      attributeTypes: ['Relationship'],
      typeNames: [a, b],
    });
  });
});

/** Names sort by their expanded IRI: core attributes (https://uri.etsi.org/ngsi-ld/…) before default-vocabulary ones. */
function byIri(x: string, y: string): number {
  const iri = (s: string) => (s.includes(':') ? s : s === 'location' ? 'https://uri.etsi.org/ngsi-ld/location' : `${DEFAULT_VOCAB}${s}`);
  return iri(x) < iri(y) ? -1 : iri(x) > iri(y) ? 1 : 0;
}
