/**
 * Query Entities (clause 5.7.2) with the query language (4.9), geo-queries (4.10), scopes (4.19), linked entity
 * retrieval (4.5.23) and pagination (5.5.9), over HTTP, on every engine. The SQL-level semantics are tested in
 * src/store/query; these tests check that each parameter reaches the store and comes back right.
 */
import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { assertProblem, BATCH, describeApi, ENTITIES, entityUrl, send, uniqueTenant } from '../support/http.js';

type Ent = { id: string; [k: string]: any };

describeApi('Query Entities with q, geo, scopeQ, join and paging (5.7.2)', (h) => {
  const tenant = uniqueTenant('ql');
  const T = { 'ngsild-tenant': tenant };
  const spot = (n: number) => `urn:ngsi-ld:ParkingSpot:${n}`;
  const street = 'urn:ngsi-ld:Street:Diagonal';
  const district = 'urn:ngsi-ld:District:Eixample';
  // Points along a parallel at 41.39° N: 0.001° of longitude is about 83.5 m there.
  const lon = (n: number) => 2.16 + n * 0.001;

  before(async () => {
    const spots = Array.from({ length: 12 }, (_, n) => ({
      id: spot(n),
      type: 'ParkingSpot',
      status: { type: 'Property', value: n % 3 === 0 ? 'free' : 'occupied', observedAt: `2026-01-01T00:${String(n).padStart(2, '0')}:00Z` },
      width: { type: 'Property', value: 2 + n / 10, unitCode: 'MTR' },
      category: { type: 'Property', value: n % 2 === 0 ? ['onStreet', 'forDisabled'] : ['onStreet'] },
      address: { type: 'Property', value: { streetAddress: `Diagonal ${n}`, postalCode: n < 6 ? '08008' : '08036' } },
      refStreet: { type: 'Relationship', object: street },
      location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [lon(n), 41.39] } },
      scope: n < 6 ? '/Barcelona/Eixample/Dreta' : '/Barcelona/Gracia',
    }));
    const others = [
      { id: street, type: 'Street', name: 'Avinguda Diagonal', refDistrict: { type: 'Relationship', object: district } },
      { id: district, type: 'District', name: 'Eixample', refStreet: { type: 'Relationship', object: street } },
    ];
    const res = await send(h().app, 'POST', `${BATCH}/create`, [...spots, ...others], T);
    assert.equal(res.statusCode, 201, res.body);
  });

  const get = async (query: string) => {
    const res = await h().app.inject({ method: 'GET', url: `${ENTITIES}?${query}`, headers: T });
    assert.equal(res.statusCode, 200, `${query}: ${res.body}`);
    return res;
  };
  const ids = async (query: string) => ((await get(query)).json() as Ent[]).map((e) => e.id).sort();
  const spots = (...ns: number[]) => ns.map(spot).sort();
  const enc = encodeURIComponent;

  it('q should select by value, unit, observedAt, compound members and list elements when each is asked', async () => {
    assert.deepEqual(await ids(`type=ParkingSpot&q=${enc('status=="free"')}`), spots(0, 3, 6, 9));
    assert.deepEqual(await ids(`type=ParkingSpot&q=${enc('width>=2.9')}`), spots(9, 10, 11));
    assert.deepEqual(await ids(`type=ParkingSpot&q=${enc('width==2.0..2.2')}`), spots(0, 1, 2));
    assert.deepEqual(await ids(`type=ParkingSpot&q=${enc('status.observedAt>=2026-01-01T00:10:00Z')}`), spots(10, 11));
    assert.deepEqual(await ids(`type=ParkingSpot&q=${enc('address[postalCode]=="08036";status=="free"')}`), spots(6, 9));
    assert.deepEqual(await ids(`type=ParkingSpot&q=${enc('category=="forDisabled"')}&limit=100`), spots(0, 2, 4, 6, 8, 10));
    assert.deepEqual(await ids(`type=ParkingSpot&q=${enc('address[streetAddress]~="Diagonal 1[01]"')}`), spots(10, 11));
    assert.deepEqual(await ids(`q=${enc(`refStreet==${street}`)}&limit=100`), [district, ...spots(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)].sort());
  });

  it('q should follow relationships to linked entities when the path names one', async () => {
    assert.deepEqual(await ids(`type=Street&q=${enc('refDistrict{District:name}=="Eixample"')}`), [street]);
  });

  it('geo-query near should select the spots within the distance on the sphere when maxDistance is given', async () => {
    const at = enc(JSON.stringify([lon(0), 41.39]));
    assert.deepEqual(await ids(`type=ParkingSpot&georel=${enc('near;maxDistance==200')}&geometry=Point&coordinates=${at}`), spots(0, 1, 2));
    assert.deepEqual(await ids(`type=ParkingSpot&georel=${enc('near;minDistance==800')}&geometry=Point&coordinates=${at}`), spots(10, 11));
  });

  it('geo-query within should select the spots inside a polygon when it is given', async () => {
    const box = [[[lon(3) - 0.0005, 41.38], [lon(5) + 0.0005, 41.38], [lon(5) + 0.0005, 41.4], [lon(3) - 0.0005, 41.4], [lon(3) - 0.0005, 41.38]]];
    assert.deepEqual(await ids(`type=ParkingSpot&georel=within&geometry=Polygon&coordinates=${enc(JSON.stringify(box))}`), spots(3, 4, 5));
  });

  it('scopeQ should select by scope, wildcard and descendants when each is asked', async () => {
    assert.deepEqual(await ids(`scopeQ=${enc('/Barcelona/Gracia')}&limit=100`), spots(6, 7, 8, 9, 10, 11));
    assert.deepEqual(await ids(`scopeQ=${enc('/Barcelona/+/Dreta')}&limit=100`), spots(0, 1, 2, 3, 4, 5));
    assert.deepEqual((await ids(`scopeQ=${enc('/Barcelona/#')}&limit=100`)).length, 12);
  });

  it('pagination should give next and prev Link headers when there are more pages', async () => {
    const first = await get('type=ParkingSpot&limit=5');
    const link = String(first.headers.link);
    assert.match(link, /rel="next"/);
    assert.doesNotMatch(link, /rel="prev"/);
    const next = /<([^>]+)>; rel="next"/.exec(link)![1];
    assert.match(next, /offset=5/);
    const second = await h().app.inject({ method: 'GET', url: next, headers: T });
    assert.equal(second.statusCode, 200);
    assert.match(String(second.headers.link), /rel="prev"/);
    const last = await get('type=ParkingSpot&limit=5&offset=10');
    assert.doesNotMatch(String(last.headers.link), /rel="next"/);
    const all = (await get('type=ParkingSpot&limit=100')).json() as Ent[];
    assert.deepEqual((last.json() as Ent[]).map((e) => e.id), all.slice(10).map((e) => e.id), 'pages follow id order');
  });

  it('join=inline should nest the linked entity in the relationship when it is asked', async () => {
    const res = await get(`id=${street}&join=inline`);
    const [s] = res.json() as Ent[];
    assert.equal(s.refDistrict.object, district);
    assert.equal(s.refDistrict.entity.id, district);
    assert.equal(s.refDistrict.entity.name.value, 'Eixample');
    assert.equal(s.refDistrict.entity.refStreet.entity, undefined, 'joinLevel defaults to 1');
    const deep = (await get(`id=${street}&join=inline&joinLevel=3`)).json() as Ent[];
    assert.equal(deep[0].refDistrict.entity.refStreet.entity, undefined, 'a cycle back to the root is not followed');
    const kv = (await get(`id=${street}&join=inline&options=keyValues`)).json() as Ent[];
    assert.equal(kv[0].refDistrict.name, 'Eixample');
  });

  it('join=flat should add the linked entities to the answer once when it is asked', async () => {
    // The first page in id order holds spots 0, 1 and 10.
    assert.deepEqual(await ids(`type=ParkingSpot&limit=3&join=flat`), [street, ...spots(0, 1, 10)].sort());
    assert.deepEqual(await ids(`type=ParkingSpot&limit=3&join=flat&joinLevel=2`), [district, street, ...spots(0, 1, 10)].sort());
    assert.deepEqual(await ids(`type=ParkingSpot&limit=3&join=flat&joinLevel=2&containedBy=${street}`), spots(0, 1, 10));
    const one = await h().app.inject({ method: 'GET', url: `${entityUrl(street)}?join=flat`, headers: T });
    assert.deepEqual((one.json() as Ent[]).map((e) => e.id), [street, district]);
  });

  it('expandValues should compare the named attributes with expanded terms when it is given', async () => {
    // "onStreet" is no term of the core context: it expands with the default vocabulary, which the stored value is not.
    assert.deepEqual(await ids(`type=ParkingSpot&q=${enc('category==onStreet')}&limit=100`), spots(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
    assert.deepEqual(await ids(`type=ParkingSpot&q=${enc('category==onStreet')}&expandValues=category`), []);
  });

  it('query should answer 400 when join, joinLevel or csf is malformed', async () => {
    for (const q of ['join=deep', 'join=flat&joinLevel=0', 'joinLevel=2', 'csf=a==', 'containedBy=x']) {
      assertProblem(await h().app.inject({ method: 'GET', url: `${ENTITIES}?type=ParkingSpot&${q}`, headers: T }), 400, 'BadRequestData');
    }
  });

  it('query should answer 400 BadRequestData, not TooManyResults, when joinLevel passes its bound or containedBy is not a URI', async () => {
    for (const [q, named] of [['join=flat&joinLevel=11', 'joinLevel'], ['join=inline&containedBy=street', 'containedBy']]) {
      const res = await h().app.inject({ method: 'GET', url: `${ENTITIES}?type=ParkingSpot&${q}`, headers: T });
      assert.match(String(assertProblem(res, 400, 'BadRequestData').detail), new RegExp(named));
    }
  });

  it('format=geojson should answer a FeatureCollection with geometryProperty as the geometry when Accept allows GeoJSON', async () => {
    const geo = async (query: string, accept?: string) => {
      const res = await h().app.inject({ method: 'GET', url: `${ENTITIES}?type=ParkingSpot&id=${spot(3)}&format=geojson&${query}`, headers: { ...T, ...(accept && { accept }) } });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^application\/geo\+json/);
      return res.json() as { type: string; features: Array<{ id: string; geometry: unknown; properties: Record<string, unknown> }> };
    };
    const fc = await geo('attrs=status');
    assert.equal(fc.type, 'FeatureCollection');
    assert.deepEqual(fc.features.map((f) => [f.id, f.geometry]), [[spot(3), { type: 'Point', coordinates: [lon(3), 41.39] }]]);
    assert.deepEqual(fc.features[0].properties.status, { type: 'Property', value: 'free', observedAt: '2026-01-01T00:03:00Z' });
    assert.equal((await geo('attrs=status&options=keyValues', '*/*')).features[0].properties.status, 'free');
    assert.equal((await geo('geometryProperty=address', 'application/geo+json')).features[0].geometry, null, 'address is no GeoProperty');
  });

  it('format=geojson should answer 406 when Accept allows no GeoJSON', async () => {
    const res = await h().app.inject({ method: 'GET', url: `${ENTITIES}?type=ParkingSpot&format=geojson`, headers: { ...T, accept: 'application/json' } });
    assertProblem(res, 406, 'InvalidRequest');
  });

  it('query should answer 422 OperationNotSupported when a distributed-only parameter is given', async () => {
    assertProblem(await h().app.inject({ method: 'GET', url: `${ENTITIES}?type=ParkingSpot&entityMap=true`, headers: T }), 422, 'OperationNotSupported');
  });
});
