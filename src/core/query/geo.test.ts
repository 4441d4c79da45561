import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { TermMap } from '../context/termmap.js';
import { LOCATION, NGSI_LD } from '../entity/model.js';
import { parseGeoQuery, type GeoQuery, type GeoQueryInput } from './geo.js';
import { EX, termMap } from './query-fixtures.test-util.js';

let tm: TermMap;
before(async () => {
  tm = await termMap();
});

function parsed(p: GeoQueryInput): GeoQuery | undefined {
  const r = parseGeoQuery(p, tm);
  if (!r.ok) assert.fail(`${JSON.stringify(p)}: ${r.problem.detail}`);
  return r.value;
}

function failure(p: GeoQueryInput): string {
  const r = parseGeoQuery(p, tm);
  if (r.ok) assert.fail(`${JSON.stringify(p)} should fail`);
  assert.equal(r.problem.kind, 'BadRequestData');
  return r.problem.detail;
}

const polygon = [[[100, 0], [101, 0], [101, 1], [100, 1], [100, 0]]];

describe('parseGeoQuery (clause 4.10)', () => {
  it('parseGeoQuery should give undefined when no geo-query parameter is present', () => {
    assert.equal(parsed({}), undefined);
    assert.equal(parsed({ geoproperty: 'observationSpace' }), undefined);
  });

  it('parseGeoQuery should default geoproperty to location when near;maxDistance is given without it (example 3)', () => {
    assert.deepEqual(parsed({ georel: 'near;maxDistance==2000', geometry: 'Point', coordinates: '[8,40]' }), {
      georel: { relation: 'near', limit: 'maxDistance', metres: 2000 },
      geometry: { type: 'Point', coordinates: [8, 40] },
      geoproperty: LOCATION,
    });
  });

  it('parseGeoQuery should expand geoproperty when near;minDistance names one (example 1)', () => {
    assert.deepEqual(parsed({ georel: 'near;minDistance==0.5', geometry: 'Point', coordinates: '[8,40]', geoproperty: 'observationSpace' }), {
      georel: { relation: 'near', limit: 'minDistance', metres: 0.5 },
      geometry: { type: 'Point', coordinates: [8, 40] },
      geoproperty: `${NGSI_LD}observationSpace`,
    });
    assert.equal(parsed({ georel: 'near;maxDistance:10', geometry: 'Point', coordinates: '[8,40]', geoproperty: 'ex:area' })!.geoproperty, `${EX}area`);
  });

  it('parseGeoQuery should parse every topological relation when given with a polygon (example 2)', () => {
    for (const rel of ['within', 'contains', 'intersects', 'disjoint', 'equals', 'overlaps'] as const) {
      assert.deepEqual(parsed({ georel: rel, geometry: 'Polygon', coordinates: JSON.stringify(polygon) }), {
        georel: { relation: rel },
        geometry: { type: 'Polygon', coordinates: polygon },
        geoproperty: LOCATION,
      });
    }
  });

  it('parseGeoQuery should accept coordinates as a JSON array when given in a POST Query geoQ', () => {
    assert.deepEqual(parsed({ georel: 'intersects', geometry: 'LineString', coordinates: [[0, 0], [1, 1]] })!.geometry, { type: 'LineString', coordinates: [[0, 0], [1, 1]] });
  });

  it('parseGeoQuery should accept near when the reference geometry is not a Point (clause 4.10 buffers any geometry)', () => {
    assert.equal(parsed({ georel: 'near;maxDistance==5', geometry: 'Polygon', coordinates: polygon })!.geometry.type, 'Polygon');
    assert.equal(parsed({ georel: 'near;maxDistance==5', geometry: 'MultiPoint', coordinates: '[[0,0],[1,1]]' })!.geometry.type, 'MultiPoint');
  });

  it('parseGeoQuery should name what is missing when georel, geometry and coordinates are not all given', () => {
    assert.equal(failure({ georel: 'within' }), 'A geo-query needs georel, geometry and coordinates together; geometry and coordinates are missing');
    assert.equal(failure({ geometry: 'Point', coordinates: '[1,2]' }), 'A geo-query needs georel, geometry and coordinates together; georel is missing');
  });

  it('parseGeoQuery should fail with a precise detail when georel is malformed', () => {
    const base = { geometry: 'Point', coordinates: '[8,40]' };
    const cases: Array<[unknown, string]> = [
      ['near', 'georel "near": near needs ;maxDistance==N or ;minDistance==N (metres)'],
      ['near;distance==5', 'georel "near;distance==5": near needs ;maxDistance==N or ;minDistance==N (metres)'],
      ['near;maxDistance==0', 'georel "near;maxDistance==0": maxDistance must be a positive, non-zero number of metres'],
      ['near;maxDistance==-5', 'georel "near;maxDistance==-5": maxDistance must be a positive, non-zero number of metres'],
      ['near;minDistance==abc', 'georel "near;minDistance==abc": minDistance must be a positive, non-zero number of metres'],
      ['near;maxDistance==1e999', 'georel "near;maxDistance==1e999": maxDistance must be a positive, non-zero number of metres'],
      ['near;maxDistance==5;minDistance==1', 'georel "near;maxDistance==5;minDistance==1": maxDistance must be a positive, non-zero number of metres'],
      ['within;maxDistance==5', 'georel "within;maxDistance==5": distances only apply to near'],
      ['Within', 'georel "Within" is not one of near;maxDistance==N, near;minDistance==N, within, contains, intersects, disjoint, equals, overlaps'],
      [42, 'georel must be a string, not number'],
    ];
    for (const [georel, detail] of cases) assert.equal(failure({ ...base, georel }), detail, String(georel));
  });

  it('parseGeoQuery should fail with a precise detail when geometry or coordinates are invalid', () => {
    const g = (geometry: unknown, coordinates: unknown) => failure({ georel: 'within', geometry, coordinates });
    assert.equal(g('GeometryCollection', '[]'), 'geometry "GeometryCollection" is not one of Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon');
    assert.equal(g('point', '[1,2]'), 'geometry "point" is not one of Point, MultiPoint, LineString, MultiLineString, Polygon, MultiPolygon');
    assert.equal(g('Point', '8,40'), 'coordinates "8,40" are not a JSON array');
    assert.equal(g('Point', '{"a":1}'), 'coordinates must be a JSON array, not "{\\"a\\":1}"');
    assert.equal(g('Point', 5), 'coordinates must be a JSON array, not number');
    assert.equal(g('Point', '[200,0]'), 'GeoJSON Point coordinates has longitude 200 outside -180..180');
    assert.equal(g('Point', '[[1,2]]'), 'GeoJSON Point coordinates is not a position of 2 or 3 numbers');
    assert.equal(g('Polygon', '[[[0,0],[1,0],[1,1],[0,1]]]'), 'GeoJSON Polygon coordinates[0] is not a closed ring: its first and last positions differ');
    assert.equal(g('LineString', '[[0,0]]'), 'GeoJSON LineString coordinates needs at least 2 elements');
    assert.equal(g('Point', `[${'1,'.repeat(600000)}1]`), 'coordinates are longer than 1048576 characters');
  });

  it('parseGeoQuery should fail when geoproperty is not an attribute name', () => {
    assert.equal(failure({ georel: 'within', geometry: 'Polygon', coordinates: polygon, geoproperty: 'a b' }), 'geoproperty "a b" is not a valid attribute name');
    assert.equal(failure({ georel: 'within', geometry: 'Polygon', coordinates: polygon, geoproperty: 7 }), 'geoproperty number is not a valid attribute name');
  });

  it('parseGeoQuery should never throw when given arbitrary parameters', () => {
    const input = fc.record(
      {
        georel: fc.oneof(fc.string(), fc.constantFrom('near;maxDistance==1', 'within', 'near;minDistance==2e3'), fc.anything()),
        geometry: fc.oneof(fc.constantFrom('Point', 'Polygon', 'MultiPolygon', 'LineString'), fc.anything()),
        coordinates: fc.oneof(fc.json(), fc.anything(), fc.string()),
        geoproperty: fc.oneof(fc.string(), fc.anything()),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(input, (p) => {
        const r = parseGeoQuery(p, tm);
        if (!r.ok) assert.equal(r.problem.kind, 'BadRequestData');
      }),
      { numRuns: 2000 },
    );
  });
});
