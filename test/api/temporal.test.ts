/**
 * Temporal Context Information Consumption over HTTP on both engines (clauses 5.7.3, 5.7.4; HTTP binding 6.19,
 * 6.20, 6.24): the temporal query (timerel, timeAt, endTimeAt, timeproperty), lastN, the entity selection (type,
 * id, idPattern, attrs, q, geo-query, scopeQ), projection (pick, omit), datasetId, lang, the normalized and
 * simplified (temporalValues) representations of every attribute kind, sysAttrs, entity paging and count, instance
 * paging (206 and Content-Range), the POST form, and a precise 400 for every malformed parameter.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { API, assertProblem, buildTestApp, describeApi, ENTITIES, send, uniqueId } from '../support/http.js';

const T = `${API}/temporal/entities`;
const MIN = 60_000;
const T0 = Date.UTC(2024, 4, 1, 12);
const at = (minutes: number) => new Date(T0 + minutes * MIN).toISOString();
const enc = encodeURIComponent;

type Json = Record<string, any>;

describeApi('Temporal consumption (5.7.3, 5.7.4)', (h) => {
  const tag = uniqueId('Tq').replace(/\W/g, '');
  const Car = `Car${tag}`;
  const Bus = `Bus${tag}`;
  const car = (n: number) => `urn:ngsi-ld:${Car}:${n}`;
  const bus = `urn:ngsi-ld:${Bus}:1`;

  before(async () => {
    const app = h().app;
    // car 1: speed every 10 minutes from 0 to 50, a name in two languages, a relationship and a location that moves
    const res = await send(app, 'POST', T, {
      id: car(1),
      type: Car,
      scope: '/Madrid/Centro',
      speed: [0, 10, 20, 30, 40, 50].map((m) => ({ type: 'Property', value: m * 2, observedAt: at(m), unitCode: 'KMH' })),
      name: [{ type: 'LanguageProperty', languageMap: { en: 'Red car', es: 'Coche rojo' }, observedAt: at(5) }],
      driver: [
        { type: 'Relationship', object: 'urn:ngsi-ld:Person:ana', observedAt: at(5) },
        { type: 'Relationship', object: 'urn:ngsi-ld:Person:luis', observedAt: at(35) },
      ],
      location: [
        { type: 'GeoProperty', value: { type: 'Point', coordinates: [-3.70, 40.41] }, observedAt: at(0) },
        { type: 'GeoProperty', value: { type: 'Point', coordinates: [-3.60, 40.50] }, observedAt: at(30) },
      ],
      tags: [{ type: 'ListProperty', valueList: ['a', 'b'], observedAt: at(15) }],
      category: [{ type: 'VocabProperty', vocab: 'urn:ngsi-ld:Category:taxi', observedAt: at(15) }],
      config: [{ type: 'JsonProperty', json: { gear: 3 }, observedAt: at(15) }],
      stops: [{ type: 'ListRelationship', objectList: [{ object: 'urn:ngsi-ld:Stop:1' }], observedAt: at(15) }],
    });
    assert.equal(res.statusCode, 201, res.body);
    // car 2: slow, two datasets, another scope
    const res2 = await send(app, 'POST', T, {
      id: car(2),
      type: Car,
      scope: '/Sevilla',
      speed: [
        { type: 'Property', value: 5, observedAt: at(12) },
        { type: 'Property', value: 7, observedAt: at(12), datasetId: 'urn:ngsi-ld:Dataset:gps' },
      ],
      location: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [-5.98, 37.39] }, observedAt: at(12) }],
    });
    assert.equal(res2.statusCode, 201, res2.body);
    const res3 = await send(app, 'POST', T, { id: bus, type: Bus, speed: [{ type: 'Property', value: 60, observedAt: at(20) }] });
    assert.equal(res3.statusCode, 201, res3.body);
  });

  const get = (path: string, headers: Record<string, string> = {}) => h().app.inject({ method: 'GET', url: path, headers });
  const one = (query: string) => get(`${T}/${enc(car(1))}?${query}`);
  const many = (query: string) => get(`${T}?${query}`);
  const after = (m: number) => `timerel=after&timeAt=${at(m)}`;
  const ids = (res: { json(): unknown }) => (res.json() as Json[]).map((e) => e.id).sort();
  const values = (attr: unknown) => (Array.isArray(attr) ? attr : [attr]).map((i: Json) => i.value);

  it('retrieve temporal should give every instance in time order with instanceIds when no temporal query is given', async () => {
    const res = await one('attrs=speed');
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    const e = res.json();
    assert.deepEqual(Object.keys(e).sort(), ['id', 'scope', 'speed', 'type']);
    assert.deepEqual(values(e.speed), [0, 20, 40, 60, 80, 100]);
    for (const i of e.speed) {
      assert.match(i.instanceId, /^urn:ngsi-ld:[0-9a-f-]{36}$/);
      assert.equal(i.unitCode, 'KMH');
      assert.equal(i.createdAt, undefined, 'system members only with sysAttrs');
    }
  });

  it('retrieve temporal should apply before, after and between with their bounds when timerel is given', async () => {
    assert.deepEqual(values((await one(`attrs=speed&timerel=before&timeAt=${at(20)}`)).json().speed), [0, 20], 'before is exclusive');
    assert.deepEqual(values((await one(`attrs=speed&${after(40)}`)).json().speed), [80, 100], 'after is inclusive');
    assert.deepEqual(values((await one(`attrs=speed&timerel=between&timeAt=${at(10)}&endTimeAt=${at(30)}`)).json().speed), [20, 40], 'between is [timeAt, endTimeAt)');
  });

  it('retrieve temporal should answer the entity without attributes when nothing lies in the interval', async () => {
    const res = await one(`timerel=after&timeAt=${at(10_000)}`);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { id: car(1), type: Car, scope: '/Madrid/Centro' });
  });

  it('retrieve temporal should give the last n instances per attribute when lastN is given', async () => {
    const e = (await one(`${after(0)}&lastN=2&attrs=speed,driver`)).json();
    assert.deepEqual(values(e.speed), [80, 100]);
    assert.deepEqual(e.driver.map((d: Json) => d.object), ['urn:ngsi-ld:Person:ana', 'urn:ngsi-ld:Person:luis']);
  });

  it('retrieve temporal should select by the time property when timeproperty is given', async () => {
    const now = Date.now();
    const created = (await one(`attrs=speed&timeproperty=createdAt&timerel=after&timeAt=${new Date(now - 3_600_000).toISOString()}`)).json();
    assert.equal(created.speed.length, 6, 'the instances were created within the last hour');
    assert.deepEqual((await one(`attrs=speed&timeproperty=modifiedAt&timerel=before&timeAt=2001-01-01T00:00:00Z`)).json().speed, undefined);
    assert.equal((await one(`attrs=speed&timeproperty=deletedAt&${after(0)}`)).json().speed, undefined, 'nothing was deleted');
  });

  it('retrieve temporal should render every attribute kind when the representation is normalized', async () => {
    const e = (await one(`${after(0)}&attrs=name,driver,location,tags,category,config,stops`)).json();
    assert.deepEqual(e.name.languageMap, { en: 'Red car', es: 'Coche rojo' });
    assert.equal(e.name.type, 'LanguageProperty');
    assert.equal(e.driver[1].type, 'Relationship');
    assert.deepEqual(e.location.map((l: Json) => l.value.coordinates), [[-3.7, 40.41], [-3.6, 40.5]]);
    assert.deepEqual(e.tags.valueList, ['a', 'b']);
    assert.equal(e.category.vocab, 'urn:ngsi-ld:Category:taxi');
    assert.deepEqual(e.config.json, { gear: 3 });
    assert.deepEqual(e.stops.objectList, [{ object: 'urn:ngsi-ld:Stop:1' }]);
  });

  it('retrieve temporal should give value and time pairs per attribute kind when the representation is temporalValues', async () => {
    for (const q of ['options=temporalValues', 'format=temporalValues', 'options=aggregatedValues&format=temporalValues']) {
      const e = (await one(`${after(0)}&${q}`)).json();
      assert.deepEqual(e.speed, { type: 'Property', values: [0, 10, 20, 30, 40, 50].map((m) => [m * 2, at(m)]) }, q);
      assert.deepEqual(e.name, { type: 'LanguageProperty', languageMaps: [[{ languageMap: { en: 'Red car', es: 'Coche rojo' } }, at(5)]] });
      assert.deepEqual(e.driver, { type: 'Relationship', objects: [['urn:ngsi-ld:Person:ana', at(5)], ['urn:ngsi-ld:Person:luis', at(35)]] });
      assert.deepEqual(e.location, { type: 'GeoProperty', values: [[{ type: 'Point', coordinates: [-3.7, 40.41] }, at(0)], [{ type: 'Point', coordinates: [-3.6, 40.5] }, at(30)]] });
      assert.deepEqual(e.tags, { type: 'ListProperty', valueLists: [[['a', 'b'], at(15)]] });
      assert.deepEqual(e.category, { type: 'VocabProperty', vocabs: [[{ vocab: 'urn:ngsi-ld:Category:taxi' }, at(15)]] });
      assert.deepEqual(e.config, { type: 'JsonProperty', jsons: [[{ json: { gear: 3 } }, at(15)]] });
      assert.deepEqual(e.stops, { type: 'ListRelationship', objectLists: [[['urn:ngsi-ld:Stop:1'], at(15)]] });
    }
  });

  it('retrieve temporal should pick one language when lang is given', async () => {
    const n = (await one(`${after(0)}&attrs=name&lang=es`)).json().name;
    assert.deepEqual([n.type, n.value, n.lang], ['Property', 'Coche rojo', 'es']);
    const v = (await one(`${after(0)}&attrs=name&lang=en&format=temporalValues`)).json().name;
    assert.deepEqual(v, { type: 'Property', values: [['Red car', at(5)]] });
  });

  it('retrieve temporal should keep or drop members when pick or omit is given', async () => {
    assert.deepEqual(Object.keys((await one(`${after(0)}&pick=id,speed`)).json()).sort(), ['id', 'speed']);
    const omitted = (await one(`${after(0)}&omit=type,speed,location`)).json();
    assert.ok(!('type' in omitted) && !('speed' in omitted) && !('location' in omitted) && 'name' in omitted);
    assertProblem(await one(`${after(0)}&pick=id&omit=speed`), 400, 'BadRequestData');
  });

  it('retrieve temporal should add system members when options has sysAttrs', async () => {
    const e = (await one(`${after(0)}&attrs=speed&options=sysAttrs`)).json();
    assert.ok(e.createdAt && e.modifiedAt);
    assert.ok(e.speed.every((i: Json) => i.createdAt && i.modifiedAt));
  });

  it('retrieve temporal should keep the instances of the datasets named when datasetId is given', async () => {
    const get2 = (q: string) => get(`${T}/${enc(car(2))}?attrs=speed&${q}`);
    assert.deepEqual(values((await get2('datasetId=urn:ngsi-ld:Dataset:gps')).json().speed), [7]);
    assert.deepEqual(values((await get2('datasetId=@none')).json().speed), [5]);
    assert.deepEqual(values((await get2('datasetId=@none,urn:ngsi-ld:Dataset:gps')).json().speed).sort(), [5, 7]);
    const simplified = (await get2('format=temporalValues')).json().speed;
    assert.deepEqual(simplified, [
      { type: 'Property', values: [[5, at(12)]] },
      { type: 'Property', values: [[7, at(12)]], datasetId: 'urn:ngsi-ld:Dataset:gps' },
    ]);
  });

  it('retrieve temporal should answer 404 when the entity has no temporal evolution', async () => {
    assertProblem(await get(`${T}/${enc('urn:ngsi-ld:None:1')}`), 404, 'ResourceNotFound');
  });

  it('query temporal should select by type, id and idPattern when they are given', async () => {
    assert.deepEqual(ids(await many(`type=${Car}&${after(0)}`)), [car(1), car(2)]);
    assert.deepEqual(ids(await many(`type=${Car},${Bus}&${after(0)}`)), [bus, car(1), car(2)].sort());
    assert.deepEqual(ids(await many(`id=${car(2)},${bus}&${after(0)}`)), [bus, car(2)].sort());
    assert.deepEqual(ids(await many(`type=${Car}&idPattern=${enc(':1$')}&${after(0)}`)), [car(1)]);
  });

  it('query temporal should answer 400 naming the parameter when PostgreSQL rejects a regular expression', async () => {
    const idp = assertProblem(await many(`type=${Car}&idPattern=${enc('\\p{L}')}&${after(0)}`), 400, 'BadRequestData');
    assert.match(String(idp.detail), /^idPattern "\\\\p\{L\}" is not a valid regular expression for PostgreSQL: /);
    const q = assertProblem(await many(`type=${Car}&q=${enc('speed~="\\p{L}"')}&${after(0)}`), 400, 'BadRequestData');
    assert.match(String(q.detail), /^q ~= "\\\\p\{L\}" is not a valid regular expression for PostgreSQL: /);
  });

  it('query temporal should keep entities with instances in the interval when timerel is given', async () => {
    assert.deepEqual(ids(await many(`type=${Car}&${after(45)}`)), [car(1)]);
    assert.deepEqual(ids(await many(`type=${Car},${Bus}&timerel=between&timeAt=${at(11)}&endTimeAt=${at(13)}`)), [car(2)]);
    assert.deepEqual(ids(await many(`type=${Car}&attrs=driver&${after(0)}`)), [car(1)], 'attrs: one of them has instances in the interval');
  });

  it('query temporal should filter on the instances in the interval when q is given', async () => {
    assert.deepEqual(ids(await many(`type=${Car}&q=speed>90&${after(0)}`)), [car(1)]);
    assert.deepEqual(ids(await many(`type=${Car}&q=speed>90&timerel=before&timeAt=${at(45)}`)), []);
    assert.deepEqual(ids(await many(`type=${Car}&q=speed==5&${after(0)}`)), [car(2)]);
    // an attribute without instances in the interval is taken at its last value before it ends (annex C.5.5)
    assert.deepEqual(ids(await many(`type=${Car}&q=${enc('driver==urn:ngsi-ld:Person:luis')}&attrs=speed&${after(40)}`)), [car(1)]);
    assert.deepEqual(ids(await many(`type=${Car}&q=${enc('driver==urn:ngsi-ld:Person:ana')}&attrs=speed&${after(40)}`)), []);
    assertProblem(await many(`type=${Car}&q=${enc('driver{Person:age}>3')}&${after(0)}`), 400, 'BadRequestData');
  });

  it('query temporal should match the GeoProperty instances of the interval when a geo-query is given', async () => {
    const near = (lon: number, lat: number) => `georel=${enc('near;maxDistance==2000')}&geometry=Point&coordinates=${enc(`[${lon},${lat}]`)}`;
    assert.deepEqual(ids(await many(`type=${Car}&${near(-3.6, 40.5)}&${after(0)}`)), [car(1)]);
    assert.deepEqual(ids(await many(`type=${Car}&${near(-3.6, 40.5)}&timerel=before&timeAt=${at(20)}`)), []);
    assert.deepEqual(ids(await many(`type=${Car}&${near(-5.98, 37.39)}&${after(0)}`)), [car(2)]);
  });

  it('query temporal should select by scope when scopeQ is given', async () => {
    assert.deepEqual(ids(await many(`type=${Car}&scopeQ=/Madrid/%23&${after(0)}`)), [car(1)]);
    assert.deepEqual(ids(await many(`type=${Car}&scopeQ=/Sevilla&${after(0)}`)), [car(2)]);
  });

  it('query temporal should page entities and count them when limit, offset and count are given', async () => {
    const first = await many(`type=${Car},${Bus}&${after(0)}&limit=2&count=true&attrs=speed`);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.headers['ngsild-results-count'], '3');
    assert.equal((first.json() as Json[]).length, 2);
    assert.match(String(first.headers.link), /rel="next"/);
    const rest = await many(`type=${Car},${Bus}&${after(0)}&limit=2&offset=2&attrs=speed`);
    assert.deepEqual([...ids(first), ...ids(rest)].sort(), [bus, car(1), car(2)].sort());
    const none = await many(`type=${Car}&${after(0)}&limit=0&count=true`);
    assert.deepEqual(none.json(), []);
    assert.equal(none.headers['ngsild-results-count'], '2');
  });

  it('query temporal should answer JSON-LD with @context when Accept asks for it', async () => {
    const res = await get(`${T}?type=${Car}&${after(0)}&attrs=speed`, { accept: 'application/ld+json' });
    assert.match(String(res.headers['content-type']), /^application\/ld\+json/);
    assert.ok((res.json() as Json[]).every((e) => e['@context']));
    assertProblem(await get(`${T}?type=${Car}&${after(0)}`, { accept: 'application/geo+json' }), 406, 'InvalidRequest');
  });

  it('query temporal should take the temporal query from temporalQ when the POST form is used', async () => {
    const post = (body: unknown, q = '') => send(h().app, 'POST', `${API}/temporal/entityOperations/query${q}`, body);
    const res = await post({ type: 'Query', entities: [{ type: Car }], attrs: ['speed'], temporalQ: { timerel: 'between', timeAt: at(0), endTimeAt: at(25), lastN: 1 } });
    assert.equal(res.statusCode, 200, res.body);
    const byId = Object.fromEntries((res.json() as Json[]).map((e) => [e.id, e]));
    assert.deepEqual(values(byId[car(1)].speed), [40]);
    const agg = await post({ type: 'Query', entities: [{ type: Car, idPattern: ':1$' }], q: 'speed>=0', temporalQ: { timerel: 'after', timeAt: at(0), aggrMethods: 'max', aggrPeriodDuration: 'PT1H' } }, '?format=aggregatedValues&attrs=speed');
    assert.equal(agg.statusCode, 200, agg.body);
    assert.deepEqual((agg.json() as Json[])[0].speed.max, [[100, at(0), at(60)]]);
    assertProblem(await post({ type: 'Query', entities: [{ type: Car }] }), 400, 'BadRequestData');
    assertProblem(await post({ type: 'Query', entities: [{ type: Car }], temporalQ: 'after' }), 400, 'BadRequestData');
  });

  it('retrieve temporal should answer 206 with Content-Range when an attribute holds more instances than the limit', async () => {
    const app = await buildTestApp(h().store, { temporalMaxInstances: 4 }, h().engine);
    try {
      const url = `${T}/${enc(car(1))}?attrs=speed,driver&${after(0)}`;
      const res = await app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 206, res.body);
      assert.equal(res.headers['content-range'], `date-time ${at(0)}-${at(30)}/*`);
      assert.deepEqual(values(res.json().speed), [0, 20, 40, 60]);
      assert.deepEqual([res.json().driver].flat().map((d: Json) => d.object), ['urn:ngsi-ld:Person:ana'], 'cut at the same instant');
      const next = await app.inject({ method: 'GET', url: `${T}/${enc(car(1))}?attrs=speed,driver&timerel=after&timeAt=${at(31)}` });
      assert.equal(next.statusCode, 200, next.body);
      assert.deepEqual(values(next.json().speed), [80, 100]);
      const back = await app.inject({ method: 'GET', url: `${T}/${enc(car(1))}?attrs=speed&timerel=before&timeAt=${at(55)}&lastN=6` });
      assert.equal(back.statusCode, 206, back.body);
      assert.equal(back.headers['content-range'], `date-time ${at(55)}-${at(20)}/6`);
      assert.deepEqual(values(back.json().speed), [40, 60, 80, 100]);
      const fits = await app.inject({ method: 'GET', url: `${T}/${enc(car(1))}?attrs=speed&${after(0)}&lastN=3` });
      assert.equal(fits.statusCode, 200);
      assert.equal(fits.headers['content-range'], undefined);
    } finally {
      await app.close();
    }
  });

  it('query temporal should answer 400 with a precise detail when a parameter is malformed', async () => {
    const base = `type=${Car}`;
    const cases: Array<[string, RegExp]> = [
      [base, /needs timerel/],
      [`${base}&timerel=after`, /timerel=after needs timeAt/],
      [`${base}&timeAt=${at(0)}`, /timeAt needs timerel/],
      [`${base}&timerel=during&timeAt=${at(0)}`, /timerel must be before, after or between/],
      [`${base}&timerel=between&timeAt=${at(0)}`, /needs endTimeAt/],
      [`${base}&timerel=between&timeAt=${at(5)}&endTimeAt=${at(1)}`, /endTimeAt must be later than timeAt/],
      [`${base}&timerel=after&timeAt=${at(0)}&endTimeAt=${at(5)}`, /endTimeAt applies to timerel=between only/],
      [`${base}&timerel=after&timeAt=yesterday`, /timeAt "yesterday" is not a DateTime/],
      [`${base}&${after(0)}&timeproperty=seenAt`, /timeproperty must be one of/],
      [`${base}&${after(0)}&lastN=0`, /lastN must be a positive integer/],
      [`${base}&${after(0)}&lastN=-2`, /lastN must be a positive integer/],
      [`${base}&${after(0)}&lastN=1.5`, /lastN must be a positive integer/],
      [`${base}&${after(0)}&format=aggregatedValues`, /needs aggrMethods/],
      [`${base}&${after(0)}&format=aggregatedValues&aggrMethods=avg,median`, /"median", which is not one of/],
      [`${base}&${after(0)}&format=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=1H`, /aggrPeriodDuration "1H" is not an ISO 8601 duration/],
      [`${base}&${after(0)}&format=aggregatedValues&aggrMethods=avg&aggrPeriodDuration=P1W2D`, /is not an ISO 8601 duration/],
      [`${base}&${after(0)}&aggrMethods=avg`, /aggrMethods applies only to the aggregated representation/],
      [`${base}&${after(0)}&aggrPeriodDuration=PT1H`, /aggrPeriodDuration applies only/],
      [`${base}&${after(0)}&options=temporalValues,aggregatedValues`, /Conflicting representations/],
      [`${base}&${after(0)}&options=keyValues`, /Option "keyValues" is not known/],
      [`${base}&${after(0)}&format=concise`, /format must be one of/],
      [`${base}&${after(0)}&datasetId=notauri`, /datasetId "notauri" is not a URI/],
      [`${base}&${after(0)}&join=flat`, /Linked entity retrieval/],
      [`${base}&${after(0)}&lang=${enc('en;;')}`, /not a language tag list/],
      [`${base}&${after(0)}&limit=0`, /limit=0 is only allowed together with count=true/],
      [`${after(0)}`, /needs at least one of type/],
      [`${base}&${after(0)}&q=${enc('speed>>1')}`, /q/],
      [`${base}&${after(0)}&georel=near&geometry=Point&coordinates=[1,2]`, /near/],
      [`${base}&${after(0)}&scopeQ=//`, /scopeQ/],
      [`${base}&${after(0)}&color=red`, /Parameter "color" is not known/],
    ];
    for (const [q, detail] of cases) {
      const body = assertProblem(await many(q), 400, 'BadRequestData');
      assert.match(String(body.detail), detail, q);
    }
    assertProblem(await many(`${base}&${after(0)}&entityMap=true`), 422, 'OperationNotSupported');
    assertProblem(await many(`${base}&${after(0)}&limit=5000`), 403, 'TooManyResults');
  });

  it('query temporal should answer 404 NonexistentTenant when the tenant does not exist', async () => {
    assertProblem(await get(`${T}?type=${Car}&${after(0)}`, { 'NGSILD-Tenant': `none${tag}` }), 404, 'NonexistentTenant');
  });

  it('retrieve temporal should show the history written through the entity API when entities are created and updated', async () => {
    const id = `urn:ngsi-ld:${Car}:api`;
    assert.equal((await send(h().app, 'POST', ENTITIES, { id, type: Car, speed: { type: 'Property', value: 1, observedAt: at(1) } })).statusCode, 201);
    assert.equal((await send(h().app, 'PATCH', `${ENTITIES}/${enc(id)}/attrs`, { speed: { type: 'Property', value: 2, observedAt: at(2) } })).statusCode, 204);
    const e = (await get(`${T}/${enc(id)}?${after(0)}&format=temporalValues`)).json();
    assert.deepEqual(e.speed.values, [[1, at(1)], [2, at(2)]]);
  });
});
