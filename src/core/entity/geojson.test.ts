import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isGeometryLike, parseGeometryValue, validateGeometry } from './geojson.js';

const square = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
  [0, 0],
];

function accepts(g: unknown): unknown {
  const r = validateGeometry(g);
  assert.ok(r.ok, r.ok ? '' : r.problem.detail);
  return r.value;
}

function rejects(g: unknown, detail: RegExp): void {
  const r = validateGeometry(g);
  assert.equal(r.ok, false, JSON.stringify(g));
  if (r.ok) return;
  assert.equal(r.problem.kind, 'BadRequestData');
  assert.match(r.problem.detail, detail);
}

const lon = fc.double({ min: -180, max: 180, noNaN: true });
const lat = fc.double({ min: -90, max: 90, noNaN: true });
const position = fc.oneof(fc.tuple(lon, lat), fc.tuple(lon, lat, fc.double({ noNaN: true, noDefaultInfinity: true })));
/** A closed ring: n ≥ 3 distinct-or-not positions plus the first one again. */
const ring = fc.array(position, { minLength: 3, maxLength: 8 }).map((ps) => [...ps, [...ps[0]]]);
const geometry = fc.oneof(
  position.map((coordinates) => ({ type: 'Point', coordinates })),
  fc.array(position, { minLength: 1, maxLength: 5 }).map((coordinates) => ({ type: 'MultiPoint', coordinates })),
  fc.array(position, { minLength: 2, maxLength: 5 }).map((coordinates) => ({ type: 'LineString', coordinates })),
  fc.array(fc.array(position, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 3 }).map((coordinates) => ({ type: 'MultiLineString', coordinates })),
  fc.array(ring, { minLength: 1, maxLength: 3 }).map((coordinates) => ({ type: 'Polygon', coordinates })),
  fc.array(fc.array(ring, { minLength: 1, maxLength: 2 }), { minLength: 1, maxLength: 3 }).map((coordinates) => ({ type: 'MultiPolygon', coordinates })),
);

describe('validateGeometry (clause 4.7, RFC 7946)', () => {
  it('validateGeometry should accept each geometry type when its coordinates are well formed', () => {
    for (const g of [
      { type: 'Point', coordinates: [-3.7, 40.4] },
      { type: 'Point', coordinates: [-3.7, 40.4, 650] },
      { type: 'MultiPoint', coordinates: [[0, 0], [1, 1]] },
      { type: 'LineString', coordinates: [[0, 0], [1, 1]] },
      { type: 'MultiLineString', coordinates: [[[0, 0], [1, 1]], [[2, 2], [3, 3]]] },
      { type: 'Polygon', coordinates: [square] },
      { type: 'MultiPolygon', coordinates: [[square], [square]] },
      { type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [0, 0] }, { type: 'Polygon', coordinates: [square] }] },
      { type: 'Point', coordinates: [180, 90] },
      { type: 'Point', coordinates: [-180, -90] },
    ]) {
      assert.deepEqual(accepts(g), g);
    }
  });

  it('validateGeometry should drop foreign members and bbox when it returns the geometry', () => {
    const out = accepts({ type: 'Point', coordinates: [1, 2], bbox: [1, 2, 1, 2], crs: 'x', properties: {} });
    assert.deepEqual(out, { type: 'Point', coordinates: [1, 2] });
  });

  it('validateGeometry should return a copy when the input is later mutated', () => {
    const input = { type: 'LineString', coordinates: [[0, 0], [1, 1]] };
    const out = accepts(input) as { coordinates: number[][] };
    input.coordinates[0][0] = 99;
    assert.equal(out.coordinates[0][0], 0);
  });

  it('validateGeometry should reject a value when it is not a geometry object', () => {
    rejects(null, /not a JSON object/);
    rejects([0, 0], /not a JSON object/);
    rejects('POINT(0 0)', /not a JSON object/);
    rejects({ coordinates: [0, 0] }, /no type/);
    rejects({ type: 'Feature', geometry: { type: 'Point', coordinates: [0, 0] } }, /"Feature" is not one of/);
    rejects({ type: 'point', coordinates: [0, 0] }, /"point" is not one of/);
  });

  it('validateGeometry should reject positions when they are not 2 or 3 finite numbers', () => {
    rejects({ type: 'Point' }, /Point has no coordinates/);
    rejects({ type: 'Point', coordinates: [1] }, /Point coordinates is not a position/);
    rejects({ type: 'Point', coordinates: [1, 2, 3, 4] }, /not a position/);
    rejects({ type: 'Point', coordinates: ['1', 2] }, /not a finite number/);
    rejects({ type: 'Point', coordinates: [Number.NaN, 2] }, /not a finite number/);
    rejects({ type: 'Point', coordinates: [1, Infinity] }, /not a finite number/);
    rejects({ type: 'Point', coordinates: [[1, 2], [3, 4]] }, /not a finite number/);
    rejects({ type: 'Point', coordinates: [[1, 2]] }, /not a position/);
  });

  it('validateGeometry should reject positions when longitude or latitude is out of range', () => {
    rejects({ type: 'Point', coordinates: [180.5, 0] }, /longitude 180.5 outside -180..180/);
    rejects({ type: 'Point', coordinates: [-181, 0] }, /longitude -181/);
    rejects({ type: 'Point', coordinates: [0, 90.1] }, /latitude 90.1 outside -90..90/);
    rejects({ type: 'MultiPoint', coordinates: [[0, 0], [0, -91]] }, /MultiPoint coordinates\[1\] has latitude -91/);
  });

  it('validateGeometry should reject lines and multi-geometries when they have too few elements', () => {
    rejects({ type: 'LineString', coordinates: [[0, 0]] }, /LineString coordinates needs at least 2 elements/);
    rejects({ type: 'MultiPoint', coordinates: [] }, /needs at least 1 element/);
    rejects({ type: 'MultiLineString', coordinates: [[[0, 0]]] }, /MultiLineString coordinates\[0\] needs at least 2/);
    rejects({ type: 'MultiPolygon', coordinates: [] }, /needs at least 1 element/);
    rejects({ type: 'LineString', coordinates: { 0: [0, 0] } }, /is not an array/);
  });

  it('validateGeometry should reject polygons when a ring is open or shorter than four positions', () => {
    rejects({ type: 'Polygon', coordinates: [] }, /Polygon coordinates needs at least 1 element/);
    rejects({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [0, 0]]] }, /Polygon coordinates\[0\] needs at least 4/);
    rejects({ type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 1]]] }, /Polygon coordinates\[0\] is not a closed ring/);
    rejects({ type: 'Polygon', coordinates: [square, [[0, 0], [1, 0], [1, 1], [0, 0, 5]]] }, /coordinates\[1\] is not a closed ring/);
    rejects({ type: 'MultiPolygon', coordinates: [[square], [[[0, 0], [1, 0], [1, 1], [0, 1]]]] }, /MultiPolygon coordinates\[1\]\[0\] is not a closed ring/);
  });

  it('validateGeometry should reject geometry collections when empty or nested', () => {
    rejects({ type: 'GeometryCollection', geometries: [] }, /non-empty geometries/);
    rejects({ type: 'GeometryCollection' }, /non-empty geometries/);
    rejects({ type: 'GeometryCollection', geometries: [{ type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [0, 0] }] }] }, /cannot contain another GeometryCollection/);
    rejects({ type: 'GeometryCollection', geometries: [{ type: 'Point', coordinates: [0, 100] }] }, /latitude 100/);
  });

  it('validateGeometry should accept and copy exactly every generated valid geometry', () => {
    fc.assert(fc.property(geometry, (g) => assert.deepEqual(accepts(g), g)));
  });

  it('validateGeometry should reject a generated Point when its longitude is out of range', () => {
    const outside = fc.oneof(fc.double({ min: 180, noNaN: true, noDefaultInfinity: true }), fc.double({ max: -180, noNaN: true, noDefaultInfinity: true })).filter((x) => Math.abs(x) > 180);
    fc.assert(fc.property(outside, lat, (x, y) => !validateGeometry({ type: 'Point', coordinates: [x, y] }).ok));
  });

  it('validateGeometry should reject a generated Polygon when its last position differs from the first', () => {
    const open = fc.array(position, { minLength: 4, maxLength: 8 }).filter((ps) => ps[0][0] !== ps[ps.length - 1][0]);
    fc.assert(fc.property(open, (r) => !validateGeometry({ type: 'Polygon', coordinates: [r] }).ok));
  });

  it('validateGeometry should never throw when given any JSON value', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => typeof validateGeometry(v).ok === 'boolean'), { numRuns: 500 });
    const typed = fc.record({ type: fc.constantFrom('Point', 'MultiPoint', 'LineString', 'MultiLineString', 'Polygon', 'MultiPolygon', 'GeometryCollection'), coordinates: fc.jsonValue(), geometries: fc.jsonValue() });
    fc.assert(fc.property(typed, (v) => typeof validateGeometry(v).ok === 'boolean'), { numRuns: 500 });
  });
});

describe('parseGeometryValue (clause 4.7)', () => {
  it('parseGeometryValue should accept a geometry given directly or as a JSON string', () => {
    const g = { type: 'LineString', coordinates: [[0, 0], [1, 1]] };
    assert.deepEqual(parseGeometryValue(g), { ok: true, value: g });
    assert.deepEqual(parseGeometryValue(JSON.stringify(g)), { ok: true, value: g });
  });

  it('parseGeometryValue should fail when the string is not JSON or not a valid geometry', () => {
    const notJson = parseGeometryValue('POINT (1 2)');
    assert.equal(notJson.ok, false);
    assert.match(notJson.ok ? '' : notJson.problem.detail, /string is not valid JSON/);
    const badGeo = parseGeometryValue('{"type":"Point","coordinates":[0,95]}');
    assert.match(badGeo.ok ? '' : badGeo.problem.detail, /latitude 95/);
  });

  it('parseGeometryValue should agree with validateGeometry when given the JSON string of any value', () => {
    fc.assert(fc.property(fc.oneof(geometry, fc.jsonValue()), (v) => {
      assert.deepEqual(parseGeometryValue(JSON.stringify(v)), validateGeometry(JSON.parse(JSON.stringify(v))));
    }));
  });
});

describe('isGeometryLike', () => {
  it('isGeometryLike should be true only when type names a GeoJSON geometry type', () => {
    assert.equal(isGeometryLike({ type: 'Point' }), true);
    assert.equal(isGeometryLike({ type: 'GeometryCollection', geometries: [] }), true);
    assert.equal(isGeometryLike({ type: 'Property', value: 1 }), false);
    assert.equal(isGeometryLike({ type: 'Feature' }), false);
    assert.equal(isGeometryLike(['Point']), false);
    assert.equal(isGeometryLike(null), false);
    assert.equal(isGeometryLike(JSON.parse('{"__proto__": {"type": "Point"}}')), false);
  });
});
