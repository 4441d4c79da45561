/**
 * geoSql (clause 4.10) on every engine, with places of Barcelona: each georel against points, lines, polygons
 * and their multi forms, distances checked against geodesic values, a GeoProperty other than `location`, and
 * entities that never match because they have no such GeoProperty.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, it } from 'node:test';
import { forEachEngine } from '../../../test/support/engines.js';
import type { TermMap } from '../../core/context/termmap.js';
import { LOCATION, type Attribute, type Entity } from '../../core/entity/model.js';
import { parseGeoQuery, type GeoQuery, type GeoQueryInput } from '../../core/query/geo.js';
import { EX, termMap } from '../../core/query/query-fixtures.test-util.js';
import { SqlParams } from '../sql-params.js';
import { geoSql, nearOrderSql } from './geo-sql.js';

const T0 = '2024-05-01T10:00:00Z';
const COVERAGE = `${EX}coverage`;
type Position = [number, number];

const box = (w: number, s: number, e: number, n: number): Position[][] => [[[w, s], [e, s], [e, n], [w, n], [w, s]]];
const point = (coordinates: Position) => ({ type: 'Point', coordinates });

function entity(id: string, attrs: Record<string, Attribute[]> = {}): Entity {
  return { id, types: [`${EX}Place`], createdAt: T0, modifiedAt: T0, attrs };
}
const located = (id: string, value: object) => entity(id, { [LOCATION]: [{ type: 'GeoProperty', value }] });

// Landmarks (longitude, latitude).
const BATLLO: Position = [2.165, 41.3916];
const SAGRADA: Position = [2.1744, 41.4036];
const CATEDRAL: Position = [2.1763, 41.3839];
const CAMP_NOU: Position = [2.1228, 41.3809];
/** A box over the Eixample district, the reference of most topological tests. */
const EIXAMPLE = box(2.145, 41.386, 2.185, 41.406);

/** Each geometry type as an entity's location, placed against EIXAMPLE. */
const topology = [
  located('urn:e:batllo', point(BATLLO)),
  located('urn:e:sagrada', point(SAGRADA)),
  located('urn:e:catedral', point(CATEDRAL)),
  located('urn:e:campnou', point(CAMP_NOU)),
  located('urn:e:beaches', { type: 'MultiPoint', coordinates: [[2.1894, 41.3784], [2.205, 41.395]] }),
  located('urn:e:diagonal', { type: 'LineString', coordinates: [[2.13, 41.388], [2.16, 41.395], [2.19, 41.405]] }),
  located('urn:e:illa', { type: 'Polygon', coordinates: box(2.164, 41.391, 2.166, 41.3925) }),
  located('urn:e:eixample', { type: 'Polygon', coordinates: EIXAMPLE }),
  located('urn:e:gracia', { type: 'Polygon', coordinates: box(2.15, 41.4, 2.17, 41.415) }),
  // Self-intersecting: valid GeoJSON, invalid as a Simple Features polygon (two triangles once made valid).
  located('urn:e:bowtie', { type: 'Polygon', coordinates: [[[2.1, 41.3], [2.11, 41.31], [2.11, 41.3], [2.1, 41.31], [2.1, 41.3]]] }),
  entity('urn:e:noLocation', { [`${EX}name`]: [{ type: 'Property', value: 'Somewhere' }] }),
  entity('urn:e:onlyDataset', { [LOCATION]: [{ type: 'GeoProperty', value: point(BATLLO), datasetId: 'urn:ds:gps' }] }),
];

/** Plaça de Catalunya and places at geodesic distances from it (WGS 84, computed with PostGIS ST_Project). */
const ORIGIN: Position = [2.17, 41.387];
const distances = [
  located('urn:d:origin', point(ORIGIN)),
  located('urn:d:north1000', point([2.17, 41.396004])),
  located('urn:d:east1000', point([2.1819558, 41.3869994])),
  // A street along the meridian 500 m west of the origin.
  located('urn:d:west500line', { type: 'LineString', coordinates: [[2.1640221, 41.384], [2.1640221, 41.39]] }),
  located('urn:d:campnou', point(CAMP_NOU)),
  entity('urn:d:noLocation'),
];

/** A GeoProperty other than location, with entities that have it in every way that must not match. */
const geoproperty = [
  entity('urn:g:antenna', {
    [LOCATION]: [{ type: 'GeoProperty', value: point(CATEDRAL) }],
    [COVERAGE]: [{ type: 'GeoProperty', value: { type: 'Polygon', coordinates: box(2.16, 41.385, 2.18, 41.4) } }],
  }),
  entity('urn:g:camera', { [COVERAGE]: [{ type: 'GeoProperty', value: { type: 'Polygon', coordinates: box(2.122, 41.38, 2.124, 41.382) } }] }),
  entity('urn:g:label', { [COVERAGE]: [{ type: 'Property', value: point(BATLLO) }] }),
  entity('urn:g:perDataset', { [COVERAGE]: [{ type: 'GeoProperty', value: point(BATLLO), datasetId: 'urn:ds:1' }] }),
  located('urn:g:plain', point(BATLLO)),
];

/**
 * A self-intersecting polygon whose crossing point (2.15625, 41.40625) is a corner of a square: coordinates exact
 * in binary, the configuration on which GEOS 3.11 throws a TopologyException unless the polygon is made valid.
 */
const BOWTIE = [[[2.125, 41.375], [2.1875, 41.4375], [2.1875, 41.375], [2.125, 41.4375], [2.125, 41.375]]];
const SQUARE = box(2.125, 41.375, 2.15625, 41.40625);
const invalid = [located('urn:i:bowtie', { type: 'Polygon', coordinates: BOWTIE }), located('urn:i:square', { type: 'Polygon', coordinates: SQUARE })];

let tm: TermMap;
before(async () => {
  tm = await termMap();
});

function geo(input: GeoQueryInput): GeoQuery {
  const r = parseGeoQuery(input, tm);
  if (!r.ok || r.value === undefined) assert.fail(`${JSON.stringify(input)} should parse`);
  return r.value;
}
const rel = (georel: string, geometry: string, coordinates: unknown, geoprop?: string) =>
  geo({ georel, geometry, coordinates: JSON.stringify(coordinates), ...(geoprop ? { geoproperty: geoprop } : {}) });

forEachEngine('geoSql (clause 4.10)', (_engine, store, client) => {
  const tenants = { topology: `geo-${randomUUID()}`, distances: `geo-${randomUUID()}`, geoproperty: `geo-${randomUUID()}`, invalid: `geo-${randomUUID()}` };

  before(async () => {
    await store().write(tenants.topology, (tx) => tx.insert(topology));
    await store().write(tenants.distances, (tx) => tx.insert(distances));
    await store().write(tenants.geoproperty, (tx) => tx.insert(geoproperty));
    await store().write(tenants.invalid, (tx) => tx.insert(invalid));
  });

  async function ids(tenant: string, g: GeoQuery): Promise<string[]> {
    const p = new SqlParams();
    const sql = `SELECT e.id FROM entities AS e WHERE e.tenant = ${p.add(tenant)} AND ${geoSql(g, p, 'e')} `;
    return (await client().query<{ id: string }>(sql, p.values)).map((r) => r.id).sort();
  }
  const topo = (g: GeoQuery) => ids(tenants.topology, g);
  const near = (limit: string, metres: number, geometry = 'Point', coordinates: unknown = ORIGIN) =>
    ids(tenants.distances, rel(`near;${limit}==${metres}`, geometry, coordinates));

  it('the distance fixture should lie at the stated geodesic distances when measured from Plaça de Catalunya', async () => {
    const rows = await client().query<{ id: string; m: number }>(
      `SELECT id, ST_Distance(location::geography, ST_SetSRID(ST_MakePoint($2, $3), 4326)::geography) AS m FROM entities WHERE tenant = $1 AND location IS NOT NULL`,
      [tenants.distances, ...ORIGIN],
    );
    const m = Object.fromEntries(rows.map((r) => [r.id, Math.round(Number(r.m))]));
    assert.deepEqual(m, { 'urn:d:origin': 0, 'urn:d:north1000': 1000, 'urn:d:east1000': 1000, 'urn:d:west500line': 500, 'urn:d:campnou': 4006 });
  });

  it('near;maxDistance should keep entities within the distance when two places are 1 km apart', async () => {
    assert.deepEqual(await near('maxDistance', 990), ['urn:d:origin', 'urn:d:west500line']);
    assert.deepEqual(await near('maxDistance', 1010), ['urn:d:east1000', 'urn:d:north1000', 'urn:d:origin', 'urn:d:west500line']);
    assert.deepEqual(await near('maxDistance', 490), ['urn:d:origin']);
    assert.deepEqual(await near('maxDistance', 510), ['urn:d:origin', 'urn:d:west500line']);
  });

  it('near;minDistance should keep entities farther than the distance and never those without location', async () => {
    assert.deepEqual(await near('minDistance', 990), ['urn:d:campnou', 'urn:d:east1000', 'urn:d:north1000']);
    assert.deepEqual(await near('minDistance', 1010), ['urn:d:campnou']);
    assert.deepEqual(await near('minDistance', 0.5), ['urn:d:campnou', 'urn:d:east1000', 'urn:d:north1000', 'urn:d:west500line']);
  });

  it('near should split the located entities exactly when maxDistance and minDistance give the same distance', async () => {
    const located = ['urn:d:campnou', 'urn:d:east1000', 'urn:d:north1000', 'urn:d:origin', 'urn:d:west500line'];
    for (const m of [1, 499, 501, 999.9, 1000.5, 4005, 4007]) {
      const [max, min] = [await near('maxDistance', m), await near('minDistance', m)];
      assert.deepEqual([...max, ...min].sort(), located, `${m} m`);
    }
  });

  it('near should measure from the whole reference geometry when it is a line, a polygon or several points', async () => {
    // Camp Nou is 0 m from a square around it; the street west of the origin crosses the line to Camp Nou.
    assert.deepEqual(await near('maxDistance', 1, 'Polygon', box(2.12, 41.38, 2.125, 41.382)), ['urn:d:campnou']);
    assert.deepEqual(await near('maxDistance', 10, 'LineString', [ORIGIN, CAMP_NOU]), ['urn:d:campnou', 'urn:d:origin', 'urn:d:west500line']);
    // About 55 m north of north1000 and 455 m north of Camp Nou.
    assert.deepEqual(await near('maxDistance', 600, 'MultiPoint', [[2.17, 41.3965], [2.1228, 41.385]]), ['urn:d:campnou', 'urn:d:north1000']);
    assert.deepEqual(await near('minDistance', 990, 'MultiLineString', [[ORIGIN, [2.17, 41.39]], [[2.1, 41.3], [2.1, 41.31]]]), [
      'urn:d:campnou',
      'urn:d:east1000',
    ]);
  });

  it('within should keep entities inside the reference when it is a district polygon', async () => {
    // A geometry is within itself; a line that leaves the district and a polygon that sticks out are not.
    assert.deepEqual(await topo(rel('within', 'Polygon', EIXAMPLE)), ['urn:e:batllo', 'urn:e:eixample', 'urn:e:illa', 'urn:e:sagrada']);
  });

  it('within should keep entities inside any part when the reference is a MultiPolygon', async () => {
    const seaside = box(2.186, 41.375, 2.21, 41.4)[0];
    assert.deepEqual(await topo(rel('within', 'MultiPolygon', [EIXAMPLE, [seaside]])), [
      'urn:e:batllo',
      'urn:e:beaches',
      'urn:e:eixample',
      'urn:e:illa',
      'urn:e:sagrada',
    ]);
  });

  it('within should keep only the same point when the reference is a point', async () => {
    assert.deepEqual(await topo(rel('within', 'Point', BATLLO)), ['urn:e:batllo']);
  });

  it('contains should keep entities that contain the reference when it is a point or a polygon', async () => {
    assert.deepEqual(await topo(rel('contains', 'Point', BATLLO)), ['urn:e:batllo', 'urn:e:eixample', 'urn:e:illa']);
    assert.deepEqual(await topo(rel('contains', 'Polygon', box(2.1645, 41.3912, 2.1655, 41.392))), ['urn:e:eixample', 'urn:e:illa']);
  });

  it('intersects should keep entities sharing any point with the reference when it is a polygon, a line or several', async () => {
    assert.deepEqual(await topo(rel('intersects', 'Polygon', EIXAMPLE)), [
      'urn:e:batllo',
      'urn:e:diagonal',
      'urn:e:eixample',
      'urn:e:gracia',
      'urn:e:illa',
      'urn:e:sagrada',
    ]);
    const passeigDeGracia: Position[] = [[2.165, 41.388], [2.165, 41.399]];
    assert.deepEqual(await topo(rel('intersects', 'LineString', passeigDeGracia)), ['urn:e:batllo', 'urn:e:diagonal', 'urn:e:eixample', 'urn:e:illa']);
    assert.deepEqual(await topo(rel('intersects', 'MultiPoint', [BATLLO, CAMP_NOU])), ['urn:e:batllo', 'urn:e:campnou', 'urn:e:eixample', 'urn:e:illa']);
    // The second line crosses the self-intersecting polygon where its two triangles meet.
    assert.deepEqual(await topo(rel('intersects', 'MultiLineString', [passeigDeGracia, [[2.1, 41.305], [2.11, 41.305]]])), [
      'urn:e:batllo',
      'urn:e:bowtie',
      'urn:e:diagonal',
      'urn:e:eixample',
      'urn:e:illa',
    ]);
  });

  it('disjoint should keep located entities sharing no point with the reference, never those without location', async () => {
    assert.deepEqual(await topo(rel('disjoint', 'Polygon', EIXAMPLE)), ['urn:e:beaches', 'urn:e:bowtie', 'urn:e:campnou', 'urn:e:catedral']);
  });

  it('equals should keep the entity with the same geometry when given a polygon, and ignore altitude', async () => {
    assert.deepEqual(await topo(rel('equals', 'Polygon', EIXAMPLE)), ['urn:e:eixample']);
    assert.deepEqual(await topo(rel('equals', 'Point', [...BATLLO, 40])), ['urn:e:batllo']);
  });

  it('overlaps should keep polygons that share part of the reference when neither contains the other', async () => {
    assert.deepEqual(await topo(rel('overlaps', 'Polygon', EIXAMPLE)), ['urn:e:gracia']);
  });

  it('every georel should answer on every engine when the reference polygon intersects itself', async () => {
    // Two triangles meeting at (2.165, 41.395) once made valid.
    const bowtie = [[[2.14, 41.38], [2.19, 41.41], [2.19, 41.38], [2.14, 41.41], [2.14, 41.38]]];
    const disjoint = ['urn:e:batllo', 'urn:e:beaches', 'urn:e:bowtie', 'urn:e:campnou', 'urn:e:catedral', 'urn:e:illa', 'urn:e:sagrada'];
    assert.deepEqual(await topo(rel('disjoint', 'Polygon', bowtie)), disjoint);
    assert.deepEqual(await topo(rel('intersects', 'Polygon', bowtie)), ['urn:e:diagonal', 'urn:e:eixample', 'urn:e:gracia']);
    assert.deepEqual(await topo(rel('overlaps', 'Polygon', bowtie)), ['urn:e:eixample', 'urn:e:gracia']);
    assert.deepEqual(await topo(rel('within', 'Polygon', bowtie)), []);
    assert.deepEqual(await topo(rel('contains', 'Polygon', bowtie)), []);
    assert.deepEqual(await topo(rel('equals', 'Polygon', bowtie)), []);
  });

  it('every georel should answer as for the polygon made valid when the entity or the reference intersects itself', async () => {
    const expected = {
      // The square against the bowtie's two triangles: it overlaps the left one.
      square: { within: ['urn:i:square'], contains: ['urn:i:square'], equals: ['urn:i:square'], overlaps: ['urn:i:bowtie'], disjoint: [] },
      bowtie: { within: ['urn:i:bowtie'], contains: ['urn:i:bowtie'], equals: ['urn:i:bowtie'], overlaps: ['urn:i:square'], disjoint: [] },
    };
    for (const [name, coordinates] of [['square', SQUARE], ['bowtie', BOWTIE]] as const) {
      for (const [r, want] of Object.entries(expected[name])) {
        assert.deepEqual(await ids(tenants.invalid, rel(r, 'Polygon', coordinates)), want, `${r} ${name}`);
      }
    }
  });

  it('geoSql should test the named GeoProperty, and only its default instance, when geoproperty is not location', async () => {
    const t = tenants.geoproperty;
    assert.deepEqual(await ids(t, rel('intersects', 'Point', BATLLO, 'ex:coverage')), ['urn:g:antenna']);
    assert.deepEqual(await ids(t, rel('near;maxDistance==50', 'Point', CAMP_NOU, 'ex:coverage')), ['urn:g:camera']);
    assert.deepEqual(await ids(t, rel('disjoint', 'Point', BATLLO, 'ex:coverage')), ['urn:g:camera']);
    assert.deepEqual(await ids(t, rel('near;minDistance==1', 'Point', BATLLO, 'ex:coverage')), ['urn:g:camera']);
    // The default is location, named or not.
    assert.deepEqual(await ids(t, rel('intersects', 'Point', BATLLO, 'location')), ['urn:g:plain']);
    assert.deepEqual(await ids(t, rel('intersects', 'Point', BATLLO)), ['urn:g:plain']);
  });

  it('geoSql should let the planner use the GiST indexes on location when 10 000 entities are located', async () => {
    // A 100 × 100 grid over the city, about 170 m apart, so that an index must beat a scan. Written in SQL:
    // through the store, 10 000 entities take 8 s on PGlite.
    const tenant = `geo-bulk-${randomUUID()}`;
    await client().query(
      `INSERT INTO entities (tenant, id, types, attr_names, created_at, modified_at, location, doc)
       SELECT $1, 'urn:bulk:' || i, ARRAY['T'], ARRAY[$2], now(), now(), g, jsonb_build_object('id', 'urn:bulk:' || i)
       FROM generate_series(0, 9999) AS i, ST_SetSRID(ST_MakePoint(2.1 + (i % 100) * 0.002, 41.35 + (i / 100) * 0.0015), 4326) AS g`,
      [tenant, LOCATION],
    );
    // Statistics of the columns the plan turns on; the whole table would take seconds on PGlite.
    await client().query('ANALYZE entities (tenant, location)');
    const plan = async (g: GeoQuery) => {
      const p = new SqlParams();
      const where = `e.tenant = ${p.add(tenant)} AND ${geoSql(g, p, 'e')}`;
      const sql = `EXPLAIN SELECT e.doc FROM entities AS e WHERE ${where} ORDER BY e.id LIMIT ${p.add(100)} OFFSET ${p.add(0)}`;
      return (await client().query<Record<string, string>>(sql, p.values)).map((r) => Object.values(r)[0]).join('\n');
    };
    assert.match(await plan(rel('near;maxDistance==300', 'Point', ORIGIN)), /\bentities_location_geog\b/);
    // Nearest first: a KNN walk of the geography index (ordered by it), not a sort of every entity within reach.
    const p = new SqlParams();
    const near300 = rel('near;maxDistance==300', 'Point', [2.19, 41.42]);
    const where = `e.tenant = ${p.add(tenant)} AND ${geoSql(near300, p, 'e')}`;
    const knn = `EXPLAIN SELECT e.doc FROM entities AS e WHERE ${where} ORDER BY ${nearOrderSql(near300, p, 'e')} LIMIT ${p.add(20)}`;
    const knnPlan = (await client().query<Record<string, string>>(knn, p.values)).map((r) => Object.values(r)[0]).join('\n');
    assert.match(knnPlan, /Index Scan using entities_location_geog[\s\S]*Order By:/);
    assert.doesNotMatch(knnPlan, /\bSort\b/);
    for (const r of ['within', 'intersects', 'contains', 'equals', 'overlaps']) {
      assert.match(await plan(rel(r, 'Polygon', box(2.16, 41.38, 2.17, 41.39))), /\bentities_location\b/, r);
    }
  });

  it('queryEntities should return the nearest entities first when the query is near;maxDistance', async () => {
    const page = async (metres: number, limit: number, offset = 0) =>
      (await store().queryEntities(tenants.distances, { geo: rel(`near;maxDistance==${metres}`, 'Point', ORIGIN), limit, offset, count: true })).entities.map(
        (e) => e.id,
      );
    assert.deepEqual(await page(5000, 2), ['urn:d:origin', 'urn:d:west500line']);
    const all = await page(5000, 10);
    assert.deepEqual(all.slice(0, 2), ['urn:d:origin', 'urn:d:west500line']);
    assert.deepEqual(all.slice(2, 4).sort(), ['urn:d:east1000', 'urn:d:north1000']);
    assert.equal(all[4], 'urn:d:campnou');
    // Pages follow the same order: the two at 1,000 m come in one order, whichever page they fall on.
    assert.deepEqual([...(await page(5000, 3)), ...(await page(5000, 2, 3))], all);
  });

  it('queryEntities should keep entity id order when the query is near;minDistance', async () => {
    const r = await store().queryEntities(tenants.distances, { geo: rel('near;minDistance==1', 'Point', ORIGIN), limit: 10, offset: 0, count: false });
    assert.deepEqual(
      r.entities.map((e) => e.id),
      ['urn:d:campnou', 'urn:d:east1000', 'urn:d:north1000', 'urn:d:west500line'],
    );
  });

  it('queryEntities should apply the geo-query when the selection carries one', async () => {
    const r = await store().queryEntities(tenants.topology, { geo: rel('within', 'Polygon', EIXAMPLE), limit: 2, offset: 1, count: true });
    assert.deepEqual(
      r.entities.map((e) => e.id),
      ['urn:e:eixample', 'urn:e:illa'],
    );
    assert.equal(r.count, 4);
  });
});
