import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { toAttribute, unitCodeOf } from './convert.js';

const at = '2024-01-01T00:00:00.000Z';

test('toAttribute should type the value when the mapping names a FIWARE type', () => {
  const cases: Array<[string, unknown, unknown]> = [
    ['Number', '21.5', { type: 'Property', value: 21.5 }],
    ['Float', 3, { type: 'Property', value: 3 }],
    ['Integer', '-7', { type: 'Property', value: -7 }],
    ['Boolean', 'TRUE', { type: 'Property', value: true }],
    ['Boolean', '0', { type: 'Property', value: false }],
    ['Text', 12, { type: 'Property', value: '12' }],
    ['DateTime', '2024-05-01T10:00:00+02:00', { type: 'Property', value: { '@type': 'DateTime', '@value': '2024-05-01T08:00:00.000Z' } }],
    ['geo:point', '41.38, 2.17', { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.17, 41.38] } }],
    ['geo:json', '{"type":"Point","coordinates":[2.17,41.38]}', { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.17, 41.38] } }],
    ['Point', [2.17, 41.38], { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.17, 41.38] } }],
    ['Relationship', 'urn:ngsi-ld:Building:1', { type: 'Relationship', object: 'urn:ngsi-ld:Building:1' }],
    ['StructuredValue', '{"a":1}', { type: 'Property', value: { a: 1 } }],
    ['Property', '21.5', { type: 'Property', value: '21.5' }],
  ];
  for (const [type, v, want] of cases) {
    const r = toAttribute('x', type, v, {});
    assert.ok(r.ok, `${type} ${JSON.stringify(v)}: ${r.ok ? '' : r.error.message}`);
    assert.deepEqual(r.value, want, type);
  }
});

test('toAttribute should refuse the value with WRONG_TYPE when it is not of the mapped type', () => {
  const cases: Array<[string, unknown]> = [
    ['Number', 'abc'],
    ['Number', ''],
    ['Number', 'Infinity'],
    ['Integer', '1.5'],
    ['Integer', '99999999999999999999'],
    ['Boolean', 'yes'],
    ['Text', { a: 1 }],
    ['DateTime', 'tomorrow'],
    ['geo:point', '200, 10'],
    ['geo:json', 'nowhere'],
    ['Relationship', 'not a uri'],
    ['StructuredValue', 'plain'],
    ['Property', null],
    ['Property', 'nul\u0000byte'],
  ];
  for (const [type, v] of cases) {
    const r = toAttribute('x', type, v, {});
    assert.equal(r.ok, false, `${type} ${JSON.stringify(v)}`);
    if (!r.ok) assert.equal(r.error.name, 'WRONG_TYPE');
  }
});

test('toAttribute should add observedAt and the unit code when they are given', () => {
  const r = toAttribute('t', 'Number', '20', { observedAt: at, unitCode: 'CEL' });
  assert.ok(r.ok);
  assert.deepEqual(r.value, { type: 'Property', value: 20, observedAt: at, unitCode: 'CEL' });
  assert.equal(unitCodeOf({ unitCode: { type: 'Text', value: 'CEL' } }), 'CEL');
  assert.equal(unitCodeOf({ unitCode: 'MTR' }), 'MTR');
  assert.equal(unitCodeOf(undefined), undefined);
});

test('toAttribute should never throw when given any type name and any value', () => {
  const types = fc.constantFrom('Number', 'Integer', 'Boolean', 'Text', 'DateTime', 'geo:point', 'geo:json', 'Relationship', 'json', 'Property', 'whatever');
  fc.assert(fc.property(types, fc.oneof(fc.string(), fc.jsonValue(), fc.anything()), (t, v) => void toAttribute('x', t, v, {})), { numRuns: 3000 });
});
