/**
 * Discovery of context source registrations (ETSI GS CIM 009 V1.8.1 clause 5.10.2, matching as clause 5.12 and
 * core/csr/match.ts describe) over HTTP, in-process, on every engine. Each test registers in a tenant of its own,
 * so that what a query answers is exactly what the test registered.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { API, assertProblem, describeApi, send, uniqueId, uniqueTenant, type Headers } from '../support/http.js';

const CSR = `${API}/csourceRegistrations`;

describeApi('Context source discovery (5.10.2)', (h) => {
  /** A tenant with these registrations (each gets an id `<name>` → urn:ngsi-ld:ContextSourceRegistration:<name>). */
  async function tenantWith(regs: Record<string, Record<string, unknown>>): Promise<Headers> {
    const t = { 'NGSILD-Tenant': uniqueTenant('disc') };
    for (const [name, members] of Object.entries(regs)) {
      const body = { id: `urn:ngsi-ld:ContextSourceRegistration:${name}`, type: 'ContextSourceRegistration', endpoint: 'http://127.0.0.1:9/x', ...members };
      const res = await send(h().app, 'POST', CSR, body, t);
      assert.equal(res.statusCode, 201, res.body);
    }
    return t;
  }
  /** The names of the registrations a discovery answers, in its order. */
  async function discover(t: Headers, query: string): Promise<string[]> {
    const res = await send(h().app, 'GET', `${CSR}?${query}`, undefined, t);
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as Array<{ id: string }>).map((r) => r.id.split(':').pop()!);
  }
  const info = (entities: unknown[] | undefined, propertyNames?: string[], relationshipNames?: string[]) => ({
    information: [Object.fromEntries(Object.entries({ entities, propertyNames, relationshipNames }).filter(([, v]) => v !== undefined))],
  });

  it('query should answer every registration in id order when no filter is given', async () => {
    const t = await tenantWith({ b: info([{ type: 'A' }]), a: info([{ type: 'B' }]), c: info(undefined, ['p']) });
    assert.deepEqual(await discover(t, ''), ['a', 'b', 'c']);
  });

  it('query should select by type when the registration describes entities of that type or any entity', async () => {
    const t = await tenantWith({ car: info([{ type: 'Car' }]), bus: info([{ type: 'Bus' }]), both: info([{ type: ['Car', 'Bus'] }]), any: info(undefined, ['speed']) });
    assert.deepEqual(await discover(t, 'type=Car'), ['any', 'both', 'car']);
    assert.deepEqual(await discover(t, 'type=Car|Bus'), ['any', 'both', 'bus', 'car']);
    assert.deepEqual(await discover(t, 'type=Car,Bus'), ['any', 'both', 'bus', 'car']);
    assert.deepEqual(await discover(t, 'type=(Car;Bus)'), ['any', 'both']);
    assert.deepEqual(await discover(t, 'type=Truck'), ['any']);
  });

  it('query should select by id when the registration names it, matches it by pattern, or names no id', async () => {
    const t = await tenantWith({
      one: info([{ type: 'Car', id: 'urn:ngsi-ld:Car:1' }]),
      two: info([{ type: 'Car', id: 'urn:ngsi-ld:Car:2' }]),
      pattern: info([{ type: 'Car', idPattern: '^urn:ngsi-ld:Car:[13]$' }]),
      anyCar: info([{ type: 'Car' }]),
    });
    assert.deepEqual(await discover(t, 'id=urn:ngsi-ld:Car:1'), ['anyCar', 'one', 'pattern']);
    assert.deepEqual(await discover(t, 'id=urn:ngsi-ld:Car:2,urn:ngsi-ld:Car:3'), ['anyCar', 'pattern', 'two']);
    assert.deepEqual(await discover(t, 'id=urn:ngsi-ld:Car:2&type=Bus'), []);
  });

  it('query should select by idPattern when the registered id matches it or the registration has no id', async () => {
    const t = await tenantWith({ one: info([{ type: 'Car', id: 'urn:ngsi-ld:Car:1' }]), two: info([{ type: 'Car', id: 'urn:ngsi-ld:Car:2' }]), pattern: info([{ type: 'Car', idPattern: 'x' }]) });
    assert.deepEqual(await discover(t, `idPattern=${encodeURIComponent(':1$')}`), ['one', 'pattern']);
  });

  it('query should select by attrs when an item names one of them or names no attribute', async () => {
    const t = await tenantWith({
      speed: info([{ type: 'Car' }], ['speed']),
      owner: info([{ type: 'Car' }], undefined, ['owner']),
      all: info([{ type: 'Car' }]),
    });
    assert.deepEqual(await discover(t, 'attrs=speed'), ['all', 'speed']);
    assert.deepEqual(await discover(t, 'attrs=owner,fuel'), ['all', 'owner']);
    assert.deepEqual(await discover(t, 'type=Car&attrs=brand'), ['all']);
  });

  it('query should match type and attrs within one information item when a registration has several', async () => {
    const t = await tenantWith({ split: { information: [{ entities: [{ type: 'Car' }], propertyNames: ['speed'] }, { entities: [{ type: 'Bus' }], propertyNames: ['fuel'] }] } });
    assert.deepEqual(await discover(t, 'type=Car&attrs=speed'), ['split']);
    assert.deepEqual(await discover(t, 'type=Car&attrs=fuel'), []);
  });

  it('query should filter on the registration members and Properties when q or csf is given', async () => {
    const t = await tenantWith({
      ex: { ...info([{ type: 'Car' }], ['speed']), mode: 'exclusive', information: [{ entities: [{ type: 'Car', id: 'urn:ngsi-ld:Car:9' }], propertyNames: ['speed'] }] },
      inc: { ...info([{ type: 'Car' }], ['fuel']), brandName: { type: 'Property', value: 'Mercedes' }, operations: ['retrieveOps'] },
      aux: { ...info([{ type: 'Bus' }]), mode: 'auxiliary', registrationName: 'fallback', expiresAt: '2090-01-01T00:00:00Z' },
    });
    assert.deepEqual(await discover(t, 'csf=mode==exclusive'), ['ex']);
    assert.deepEqual(await discover(t, 'q=mode==inclusive'), ['inc']);
    assert.deepEqual(await discover(t, `q=${encodeURIComponent('brandName=="Mercedes"')}`), ['inc']);
    assert.deepEqual(await discover(t, 'csf=operations==queryEntity'), ['aux', 'ex', 'inc']);
    assert.deepEqual(await discover(t, 'csf=operations==retrieveOps'), ['inc']);
    assert.deepEqual(await discover(t, 'csf=operations==createSubscription'), ['aux', 'ex']);
    assert.deepEqual(await discover(t, `q=${encodeURIComponent('registrationName=="fallback";expiresAt>2080-01-01T00:00:00Z')}`), ['aux']);
    assert.deepEqual(await discover(t, 'q=brandName'), ['inc']);
    assert.deepEqual(await discover(t, 'q=!brandName&type=Car'), ['ex']);
  });

  it('query should select by the registration location when a geo-query is given', async () => {
    const square = (x: number, y: number) => ({ type: 'Polygon', coordinates: [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]] });
    const t = await tenantWith({
      madrid: { ...info([{ type: 'Car' }]), location: square(-4, 40) },
      paris: { ...info([{ type: 'Car' }]), location: square(2, 48), observationSpace: { type: 'Point', coordinates: [-3.5, 40.5] } },
      nowhere: info([{ type: 'Car' }]),
    });
    const near = `georel=${encodeURIComponent('near;maxDistance==1000')}&geometry=Point&coordinates=${encodeURIComponent('[-3.5,40.5]')}`;
    assert.deepEqual(await discover(t, near), ['madrid']);
    assert.deepEqual(await discover(t, `${near}&geoproperty=observationSpace`), ['paris']);
    assert.deepEqual(await discover(t, `georel=intersects&geometry=Point&coordinates=${encodeURIComponent('[2.5,48.5]')}`), ['paris']);
    assert.deepEqual(await discover(t, `georel=disjoint&geometry=Point&coordinates=${encodeURIComponent('[2.5,48.5]')}`), ['madrid']);
  });

  it('query should select by scope when scopeQ is given', async () => {
    const t = await tenantWith({ centre: { ...info([{ type: 'Car' }]), scope: '/Madrid/Centre' }, north: { ...info([{ type: 'Car' }]), scope: ['/Madrid/North', '/Other'] }, none: info([{ type: 'Car' }]) });
    assert.deepEqual(await discover(t, 'scopeQ=/Madrid/%23'), ['centre', 'north']);
    assert.deepEqual(await discover(t, 'scopeQ=/Madrid/Centre'), ['centre']);
    assert.deepEqual(await discover(t, 'scopeQ=/%2B/North'), ['north']);
  });

  it('query should consider only sources of latest information when no temporal query is given', async () => {
    const t = await tenantWith({
      latest: info([{ type: 'Car' }]),
      history: { ...info([{ type: 'Car' }]), observationInterval: { startAt: '2020-01-01T00:00:00Z', endAt: '2021-01-01T00:00:00Z' } },
      managed: { ...info([{ type: 'Car' }]), managementInterval: { startAt: '2022-01-01T00:00:00Z' } },
    });
    assert.deepEqual(await discover(t, 'type=Car'), ['latest']);
    assert.deepEqual(await discover(t, 'type=Car&timerel=after&timeAt=2020-06-01T00:00:00Z'), ['history']);
    assert.deepEqual(await discover(t, 'type=Car&timerel=after&timeAt=2021-01-01T00:00:00Z'), []);
    assert.deepEqual(await discover(t, 'type=Car&timerel=before&timeAt=2020-01-01T00:00:01Z'), ['history']);
    assert.deepEqual(await discover(t, 'type=Car&timerel=between&timeAt=2019-01-01T00:00:00Z&endTimeAt=2020-01-01T00:00:00Z'), []);
    assert.deepEqual(await discover(t, 'type=Car&timerel=after&timeAt=2030-01-01T00:00:00Z&timeproperty=modifiedAt'), ['managed']);
  });

  it('query should page with limit and offset and count with count=true', async () => {
    const t = await tenantWith({ a: info([{ type: 'Car' }]), b: info([{ type: 'Car' }]), c: info([{ type: 'Car' }]) });
    const res = await send(h().app, 'GET', `${CSR}?type=Car&limit=2&count=true`, undefined, t);
    assert.equal(res.statusCode, 200);
    assert.deepEqual((res.json() as Array<{ id: string }>).map((r) => r.id.split(':').pop()), ['a', 'b']);
    assert.equal(res.headers['ngsild-results-count'], '3');
    assert.match(String(res.headers.link), /<\/ngsi-ld\/v1\/csourceRegistrations\?type=Car&limit=2&count=true&offset=2>; rel="next"/);
    assert.deepEqual(await discover(t, 'type=Car&limit=2&offset=2'), ['c']);
    const counted = await send(h().app, 'GET', `${CSR}?limit=0&count=true`, undefined, t);
    assert.equal(counted.headers['ngsild-results-count'], '3');
    assert.deepEqual(counted.json(), []);
  });

  it('query should leave out a registration when its expiresAt has passed', async () => {
    const t = await tenantWith({ soon: { ...info([{ type: 'Car' }]), expiresAt: new Date(Date.now() + 300).toISOString() }, later: info([{ type: 'Car' }]) });
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(await discover(t, 'type=Car'), ['later']);
  });

  const bad: Array<[string, string, number, string]> = [
    ['the type expression is malformed', 'type=(Car', 400, 'BadRequestData'],
    ['q is malformed', 'q=speed>', 400, 'BadRequestData'],
    ['csf is malformed', 'csf=a==', 400, 'BadRequestData'],
    ['q follows a linked entity', 'q=owner%7BPerson%3Aname%7D==1', 400, 'BadRequestData'],
    ['the geo-query misses coordinates', 'georel=within&geometry=Point', 400, 'BadRequestData'],
    ['geoproperty is not a GeoProperty of registrations', 'georel=within&geometry=Point&coordinates=[1,2]&geoproperty=position', 400, 'BadRequestData'],
    ['an id is not a URI', 'id=x', 400, 'BadRequestData'],
    ['idPattern is not a PostgreSQL regular expression', `idPattern=${encodeURIComponent('(?<a>x)')}`, 400, 'BadRequestData'],
    ['timerel has no timeAt', 'timerel=after', 400, 'BadRequestData'],
    ['between has no endTimeAt', 'timerel=between&timeAt=2020-01-01T00:00:00Z', 400, 'BadRequestData'],
    ['a parameter is unknown', 'color=red', 400, 'BadRequestData'],
    ['limit is 0 without count', 'limit=0', 400, 'BadRequestData'],
    ['limit exceeds the maximum', 'limit=100000', 403, 'TooManyResults'],
    ['options is not sysAttrs', 'options=keyValues', 400, 'BadRequestData'],
    ['lang is given', 'lang=en', 422, 'OperationNotSupported'],
    ['geometryProperty is given', 'geometryProperty=location', 422, 'OperationNotSupported'],
  ];
  for (const [condition, query, status, type] of bad) {
    it(`query should answer ${status} ${type} when ${condition}`, async () => {
      assertProblem(await send(h().app, 'GET', `${CSR}?${query}`), status, type);
    });
  }

  it('query should answer 404 NonexistentTenant when the tenant does not exist', async () => {
    assertProblem(await send(h().app, 'GET', CSR, undefined, { 'NGSILD-Tenant': uniqueTenant('none') }), 404, 'NonexistentTenant');
  });

  it('query should render names with the Link context of the request', async () => {
    const t = await tenantWith({ r: info([{ type: 'https://example.org/Car', id: uniqueId('Car') }], ['https://example.org/speed']) });
    const res = await send(h().app, 'GET', `${CSR}?type=${encodeURIComponent('https://example.org/Car')}`, undefined, { ...t, accept: 'application/ld+json' });
    const [r] = res.json() as Array<Record<string, any>>;
    assert.deepEqual(r.information[0].propertyNames, ['https://example.org/speed']);
    assert.ok(r['@context'], 'application/ld+json answers carry @context');
  });
});
