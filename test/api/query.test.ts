/**
 * Query Entities (ETSI GS CIM 009 V1.8.1 clause 5.7.2) over HTTP: GET /entities and POST /entityOperations/query
 * (clause 6.23.3.1); selection by type, id, idPattern and attrs, pagination and count (clause 6.3.10, 6.3.13),
 * and clear errors for what is not implemented yet.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { assertProblem, BATCH, buildTestApp, describeApi, ENTITIES, hostContext, linkHeader, send, uniqueId, uniqueTenant } from '../support/http.js';

type Ent = { id: string; type: string | string[]; [k: string]: unknown };

describeApi('Query Entities (5.7.2)', (h) => {
  // Types unique to this run, so that earlier runs on a persistent PostgreSQL do not leak into the results.
  const tag = uniqueId('Q').replace(/\W/g, '');
  const Car = `Car${tag}`;
  const Bike = `Bike${tag}`;
  const cars = Array.from({ length: 7 }, (_, i) => `urn:ngsi-ld:${Car}:${String(i).padStart(2, '0')}`);
  const bikes = Array.from({ length: 3 }, (_, i) => `urn:ngsi-ld:${Bike}:${i}`);

  before(async () => {
    const body: Ent[] = [
      ...cars.map((id, i) => ({ id, type: Car, speed: i * 10, ...(i % 2 === 0 ? { color: 'red' } : {}) })),
      ...bikes.map((id) => ({ id, type: Bike, gears: 21 })),
    ];
    const res = await send(h().app, 'POST', `${BATCH}/create`, body);
    assert.equal(res.statusCode, 201, res.body);
  });

  const get = (query: string, headers: Record<string, string> = {}) => h().app.inject({ method: 'GET', url: `${ENTITIES}?${query}`, headers });
  const ids = (res: { json(): unknown }) => (res.json() as Ent[]).map((e) => e.id).sort();

  it('query should answer the entities of a type when type is given', async () => {
    const res = await get(`type=${Car}&limit=100`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(ids(res), cars);
    assert.ok(String(res.headers.link).includes('ngsi-ld-core-context'));
  });

  it('query should answer the union when several types are given', async () => {
    assert.deepEqual(ids(await get(`type=${Car},${Bike}&limit=100`)), [...bikes, ...cars].sort());
  });

  it('query should answer only the listed entities when id is given', async () => {
    assert.deepEqual(ids(await get(`id=${cars[1]},${bikes[2]},urn:ngsi-ld:None:1`)), [cars[1], bikes[2]].sort());
    assert.deepEqual(ids(await get(`type=${Car}&id=${cars[1]},${bikes[2]}`)), [cars[1]]);
  });

  it('query should answer the entities whose id matches when idPattern is given', async () => {
    const res = await get(`type=${Car}&idPattern=${encodeURIComponent(`^urn:ngsi-ld:${Car}:0[0-2]$`)}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(ids(res), cars.slice(0, 3));
  });

  it('query should answer entities having one of the attributes when attrs is given', async () => {
    const res = await get(`type=${Car}&attrs=color&limit=100`);
    assert.deepEqual(ids(res), cars.filter((_, i) => i % 2 === 0));
    for (const e of res.json() as Ent[]) assert.deepEqual(Object.keys(e).sort(), ['color', 'id', 'type']);
  });

  it('query should page with limit and offset when they are given', async () => {
    const pages: string[] = [];
    for (let offset = 0; offset < cars.length; offset += 3) {
      const res = await get(`type=${Car}&limit=3&offset=${offset}`);
      assert.equal(res.statusCode, 200, res.body);
      const page = (res.json() as Ent[]).map((e) => e.id);
      assert.ok(page.length <= 3);
      pages.push(...page);
    }
    assert.deepEqual(pages.sort(), cars, 'pages are disjoint and cover every match');
  });

  it('query should report the total in NGSILD-Results-Count when count=true', async () => {
    const res = await get(`type=${Car}&limit=2&count=true`);
    assert.equal(res.headers['ngsild-results-count'], String(cars.length));
    assert.equal((res.json() as Ent[]).length, 2);
    const only = await get(`type=${Car}&limit=0&count=true`);
    assert.equal(only.statusCode, 200, only.body);
    assert.deepEqual(only.json(), []);
    assert.equal(only.headers['ngsild-results-count'], String(cars.length));
    assert.equal((await get(`type=${Car}`)).headers['ngsild-results-count'], undefined);
  });

  it('query should answer defaultLimit entities at most when no limit is given', async () => {
    const app = await buildTestApp(h().store, { defaultLimit: 2 }, h().engine);
    try {
      const res = await app.inject({ method: 'GET', url: `${ENTITIES}?type=${Car}` });
      assert.equal((res.json() as Ent[]).length, 2);
    } finally {
      await app.close();
    }
  });

  it('query should answer 403 TooManyResults when limit exceeds the maximum', async () => {
    assertProblem(await get(`type=${Car}&limit=1001`), 403, 'TooManyResults');
  });

  it('query should answer 400 BadRequestData when limit, offset or count is malformed', async () => {
    for (const q of ['limit=-1', 'limit=abc', 'offset=1.5', 'count=yes', 'limit=0']) {
      assertProblem(await get(`type=${Car}&${q}`), 400, 'BadRequestData');
    }
  });

  it('query should answer 400 BadRequestData, not TooManyResults, when offset exceeds its bound', async () => {
    const body = assertProblem(await get(`type=${Car}&offset=99999999999999999999`), 400, 'BadRequestData');
    assert.match(String(body.detail), /offset/);
  });

  it('query should answer 400 BadRequestData naming the parameter when attrs, pick, omit, expandValues or geometryProperty holds an invalid name', async () => {
    for (const [name, value] of [['attrs', '%00'], ['attrs', 'speed,a%3Db'], ['pick', 'a(b'], ['omit', 'a%22b'], ['expandValues', 'a%3Bb'], ['geometryProperty', 'a%7Cb']]) {
      const body = assertProblem(await get(`type=${Car}&${name}=${value}`), 400, 'BadRequestData');
      assert.match(String(body.detail), new RegExp(`^(Parameter )?${name} `), String(body.detail));
    }
  });

  it('query should keep only the instances of the listed datasetIds when datasetId is given', async () => {
    const tenant = uniqueTenant('ds');
    const id = uniqueId('Meter');
    const speed = [
      { type: 'Property', value: 1, datasetId: 'urn:ngsi-ld:Dataset:gps' },
      { type: 'Property', value: 2, datasetId: 'urn:ngsi-ld:Dataset:obd' },
      { type: 'Property', value: 3 },
    ];
    assert.equal((await send(h().app, 'POST', ENTITIES, { id, type: 'Meter', speed }, { 'ngsild-tenant': tenant })).statusCode, 201);
    const values = async (datasetId: string) => {
      const res = await get(`type=Meter&attrs=speed&datasetId=${encodeURIComponent(datasetId)}`, { 'ngsild-tenant': tenant });
      assert.equal(res.statusCode, 200, res.body);
      const attr = (res.json() as Ent[])[0].speed as { value: number } | Array<{ value: number }> | undefined;
      return attr === undefined ? [] : [attr].flat().map((a) => a.value).sort();
    };
    assert.deepEqual(await values('urn:ngsi-ld:Dataset:gps'), [1]);
    assert.deepEqual(await values('urn:ngsi-ld:Dataset:obd,@none'), [2, 3]);
    assert.deepEqual(await values('urn:ngsi-ld:Dataset:other'), []);
    const posted = await send(h().app, 'POST', `${BATCH}/query`, { type: 'Query', entities: [{ type: 'Meter' }], datasetId: ['urn:ngsi-ld:Dataset:gps'] }, { 'ngsild-tenant': tenant });
    assert.deepEqual((posted.json() as Ent[])[0].speed, speed[0]);
  });

  it('query should answer 400 BadRequestData naming datasetId when a datasetId is not a URI', async () => {
    const body = assertProblem(await get(`type=${Car}&datasetId=gps`), 400, 'BadRequestData');
    assert.match(String(body.detail), /^datasetId "gps"/);
    assertProblem(await get(`type=${Car}&datasetId=${encodeURIComponent('urn:ngsi-ld:Dataset:a,')}`), 400, 'BadRequestData');
    assertProblem(await send(h().app, 'POST', `${BATCH}/query`, { type: 'Query', entities: [{ type: Car }], datasetId: 'gps' }), 400, 'BadRequestData');
  });

  it('query should answer 400 BadRequestData when no selector is given', async () => {
    assertProblem(await get(''), 400, 'BadRequestData');
    assertProblem(await get('limit=5'), 400, 'BadRequestData');
  });

  it('query should answer 400 BadRequestData when an id is not a URI or a list item is empty', async () => {
    assertProblem(await get('id=plain'), 400, 'BadRequestData');
    assertProblem(await get(`type=${Car},`), 400, 'BadRequestData');
  });

  it('query should filter with q, a type expression and a geo-query when they are given', async () => {
    assert.deepEqual(ids(await get(`type=${Car}&q=${encodeURIComponent('speed>30')}&limit=100`)), cars.slice(4));
    assert.deepEqual(ids(await get(`type=${Car}&q=${encodeURIComponent('speed<=20;color=="red"')}&limit=100`)), [cars[0], cars[2]]);
    assert.deepEqual(ids(await get(`type=${encodeURIComponent(`${Car}|${Bike}`)}&limit=100`)), [...bikes, ...cars].sort());
    assert.deepEqual(ids(await get(`type=${encodeURIComponent(`(${Car};${Bike})`)}&limit=100`)), []);
    const near = await get(`type=${Car}&georel=${encodeURIComponent('near;maxDistance==10')}&geometry=Point&coordinates=${encodeURIComponent('[0,0]')}`);
    assert.equal(near.statusCode, 200, near.body);
    assert.deepEqual(near.json(), [], 'these cars have no location');
  });

  it('query should answer 400 BadRequestData naming the problem when q, a geo-query or a type expression is malformed', async () => {
    for (const bad of ['q=speed>', 'q=(speed>1', 'georel=nearby&geometry=Point&coordinates=[0,0]', 'georel=within&geometry=Point', `type=${encodeURIComponent(`(${Car}`)}`, 'scopeQ=/a//b']) {
      const body = assertProblem(await get(`type=${Car}&${bad}`), 400, 'BadRequestData');
      assert.ok(String(body.detail).length > 10, String(body.detail));
    }
  });

  it('query should answer 400 BadRequestData when idPattern is not a valid regular expression', async () => {
    assertProblem(await get(`type=${Car}&idPattern=${encodeURIComponent('([a-')}`), 400, 'BadRequestData');
  });

  it('query should answer 400 BadRequestData naming the rejected regular expression when PostgreSQL refuses one', async () => {
    const detail = async (res: Awaited<ReturnType<typeof get>>) => String(assertProblem(res, 400, 'BadRequestData').detail);
    const q = (re: string) => encodeURIComponent(`color~=${JSON.stringify(re)}`);
    assert.match(await detail(await get(`type=${Car}&idPattern=${encodeURIComponent('((')}&q=${q('^re')}`)), /^idPattern "\(\(" is not a valid regular expression for PostgreSQL: \S/);
    assert.match(await detail(await get(`type=${Car}&idPattern=urn&q=${q('(?<a>x)')}`)), /^q ~= "\(\?<a>x\)" is not a valid regular expression for PostgreSQL: \S/);
    const posted = await send(h().app, 'POST', `${BATCH}/query`, { type: 'Query', entities: [{ type: Car, idPattern: 'urn' }, { type: Car, idPattern: 'a{99999}' }] });
    assert.match(await detail(posted), /^entities\[1\]\.idPattern "a\{99999\}" is not a valid regular expression for PostgreSQL: \S/);
  });

  it('query should render keyValues and GeoJSON when asked', async () => {
    const kv = await get(`id=${cars[2]}&options=keyValues`);
    assert.deepEqual(kv.json(), [{ id: cars[2], type: Car, speed: 20, color: 'red' }]);
    const geo = await get(`id=${cars[2]}`, { accept: 'application/geo+json' });
    assert.match(String(geo.headers['content-type']), /^application\/geo\+json/);
    const fc = geo.json();
    assert.equal(fc.type, 'FeatureCollection');
    assert.equal(fc.features.length, 1);
    assert.equal(fc.features[0].geometry, null);
    const ld = await get(`id=${cars[2]}`, { accept: 'application/ld+json' });
    assert.ok((ld.json() as Ent[]).every((e) => e['@context'] !== undefined), 'each entity carries @context');
  });

  it('query should answer an empty array when the tenant is the default and nothing matches', async () => {
    const res = await get(`type=Nothing${tag}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), []);
  });

  it('query should answer 404 NonexistentTenant when the tenant does not exist', async () => {
    assertProblem(await get(`type=${Car}`, { 'ngsild-tenant': uniqueTenant('none') }), 404, 'NonexistentTenant');
  });

  it('query should expand type names with the Link context when one is given', async () => {
    const url = await hostContext(h().app, { Tram: 'https://example.org/transport#Tram' });
    const tenant = uniqueTenant('link');
    const id = uniqueId('Tram');
    assert.equal((await send(h().app, 'POST', ENTITIES, { id, type: 'Tram' }, { link: linkHeader(url), 'ngsild-tenant': tenant })).statusCode, 201);
    const withLink = await get('type=Tram', { link: linkHeader(url), 'ngsild-tenant': tenant });
    assert.deepEqual(withLink.json(), [{ id, type: 'Tram' }]);
    assert.deepEqual((await get('type=Tram', { 'ngsild-tenant': tenant })).json(), [], 'without the context Tram is another type');
    assert.deepEqual(ids(await get(`type=${encodeURIComponent('https://example.org/transport#Tram')}`, { 'ngsild-tenant': tenant })), [id]);
  });

  // ------------------------------------------------------------ POST /entityOperations/query

  it('query by POST should answer the same entities as GET when the Query selects a type', async () => {
    const res = await send(h().app, 'POST', `${BATCH}/query?limit=100`, { type: 'Query', entities: [{ type: Car }] });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(ids(res), cars);
  });

  it('query by POST should combine entity selectors and attrs when they are given', async () => {
    const res = await send(h().app, 'POST', `${BATCH}/query?count=true`, {
      type: 'Query',
      entities: [{ type: Car, id: cars[0] }, { type: Bike, id: bikes[0] }],
      attrs: ['speed'],
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(ids(res), [cars[0]]);
    assert.equal(res.headers['ngsild-results-count'], '1');
    const pattern = await send(h().app, 'POST', `${BATCH}/query`, { type: 'Query', entities: [{ type: Bike, idPattern: '.*:[12]$' }] });
    assert.deepEqual(ids(pattern), bikes.slice(1));
  });

  it('query by POST should answer 400 BadRequestData when the body is not a Query', async () => {
    for (const body of [[], { entities: [{ type: Car }] }, { type: 'Query', entities: [] }, { type: 'Query', entities: [{ id: cars[0] }] }, { type: 'Query', attrs: 'speed' }, { type: 'Query' }]) {
      assertProblem(await send(h().app, 'POST', `${BATCH}/query`, body), 400, 'BadRequestData');
    }
  });

  it('query by POST should filter with q and geoQ when they are given', async () => {
    const res = await send(h().app, 'POST', `${BATCH}/query?limit=100`, { type: 'Query', entities: [{ type: Car }], q: 'speed>=50' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(ids(res), cars.slice(5));
    const geo = await send(h().app, 'POST', `${BATCH}/query`, { type: 'Query', entities: [{ type: Car }], geoQ: { georel: 'near;maxDistance==1', geometry: 'Point', coordinates: [0, 0] } });
    assert.equal(geo.statusCode, 200, geo.body);
    assertProblem(await send(h().app, 'POST', `${BATCH}/query`, { type: 'Query', entities: [{ type: Car }], geoQ: { georel: 'near' } }), 400, 'BadRequestData');
  });

  it('query by POST should answer 403 TooManyResults when limit exceeds the maximum', async () => {
    assertProblem(await send(h().app, 'POST', `${BATCH}/query?limit=5000`, { type: 'Query', entities: [{ type: Car }] }), 403, 'TooManyResults');
  });
});
