import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { builtInContext } from '../core/context/core-contexts.js';
import { compileContext, type TermMap } from '../core/context/termmap.js';
import { parseEntity } from '../core/entity/parse.js';
import type { Entity } from '../core/entity/model.js';
import { toKeyValues, variants } from './keyvalues.js';

const SDM = 'https://smartdatamodels.org/dataModel.Parking/';
const NOW = '2024-05-01T10:00:00.000Z';
const load = async (url: string) => {
  const doc = builtInContext(url);
  if (!doc) throw new Error(`not offline: ${url}`);
  return doc;
};
/** A model context in the manner of dataModel.Parking/context.jsonld. */
const modelTm = await compileContext([{ ParkingSpot: `${SDM}ParkingSpot`, status: `${SDM}status`, refParkingSite: `${SDM}refParkingSite`, free: `${SDM}free` }], load);
const coreTm = await compileContext([], load);

function parsed(body: Record<string, unknown>, tm: TermMap = modelTm): Entity {
  const r = parseEntity(body, tm, NOW);
  assert.ok(r.ok, r.ok ? '' : r.problem.detail);
  return r.value;
}

test('toKeyValues should give each attribute its bare value under the model names when the entity is normalized', () => {
  const e = parsed({
    id: 'urn:ngsi-ld:ParkingSpot:1',
    type: 'ParkingSpot',
    status: { type: 'Property', value: 'free', observedAt: NOW, parkingPermit: { type: 'Property', value: 'yes' } },
    refParkingSite: { type: 'Relationship', object: 'urn:ngsi-ld:ParkingSite:1' },
    location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [2, 41] } },
    dateObserved: { type: 'Property', value: { '@type': 'DateTime', '@value': '2024-05-01T10:00:00Z' } },
    kind: { type: 'VocabProperty', vocab: 'free' },
    raw: { type: 'JsonProperty', json: { a: [1] } },
    refs: { type: 'ListRelationship', objectList: [{ object: 'urn:a' }, { object: 'urn:b' }] },
    name: { type: 'LanguageProperty', languageMap: { en: 'Spot' } },
  });
  assert.deepEqual(toKeyValues(e, modelTm, 'ParkingSpot'), {
    id: 'urn:ngsi-ld:ParkingSpot:1',
    type: 'ParkingSpot',
    status: 'free',
    refParkingSite: 'urn:ngsi-ld:ParkingSite:1',
    location: { type: 'Point', coordinates: [2, 41] },
    dateObserved: '2024-05-01T10:00:00Z',
    kind: 'free',
    raw: { a: [1] },
    refs: ['urn:a', 'urn:b'],
    name: { languageMap: { en: 'Spot' } },
  });
});

test('toKeyValues should show the default instance and variants the others when an attribute has datasetIds', () => {
  const e = parsed({
    id: 'urn:ngsi-ld:ParkingSpot:2',
    type: 'ParkingSpot',
    status: [
      { type: 'Property', value: 'occupied', datasetId: 'urn:ds:camera' },
      { type: 'Property', value: 'free' },
    ],
  });
  assert.equal(toKeyValues(e, modelTm, 'ParkingSpot').status, 'free');
  assert.deepEqual(variants(e, modelTm), [{ name: 'status', datasetId: 'urn:ds:camera', value: 'occupied' }]);
});

test('toKeyValues should name attributes in the default vocabulary when compacting with the core context', () => {
  const e = parsed({ id: 'urn:ngsi-ld:ParkingSpot:3', type: 'ParkingSpot', refParkingSite: 'urn:a' }, coreTm);
  assert.deepEqual(toKeyValues(e, coreTm, 'ParkingSpot'), { id: 'urn:ngsi-ld:ParkingSpot:3', type: 'ParkingSpot', refParkingSite: 'urn:a' });
  // The same entity seen through the model's context does not have the model's `refParkingSite`.
  assert.equal(toKeyValues(e, modelTm, 'ParkingSpot').refParkingSite, undefined);
});

// ------------------------------------------------------------------------------------------------ properties

const names = fc.constantFrom('status', 'refParkingSite', 'name', 'level', 'note', '__proto__', 'constructor', 'https://example.org/x');
const primitive = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
const json = fc.jsonValue({ maxDepth: 3 });
const attribute = fc.oneof(
  primitive,
  fc.record({ type: fc.constant('Property'), value: json }),
  fc.record({ value: json }),
  fc.record({ type: fc.constant('Relationship'), object: fc.constantFrom('urn:a', 'urn:b:c') }),
  fc.record({ type: fc.constant('GeoProperty'), value: fc.constant({ type: 'Point', coordinates: [1, 2] }) }),
  fc.record({ type: fc.constant('LanguageProperty'), languageMap: fc.dictionary(fc.constantFrom('en', 'fr'), fc.string({ maxLength: 5 })) }),
  fc.record({ vocab: fc.constantFrom('free', 'occupied') }),
  fc.record({ json }),
  fc.record({ valueList: fc.array(json, { maxLength: 3 }) }),
  fc.record({ objectList: fc.array(fc.record({ object: fc.constantFrom('urn:a', 'urn:b') }), { maxLength: 3 }) }),
  fc.array(fc.record({ type: fc.constant('Property'), value: primitive, datasetId: fc.constantFrom('urn:d:1', 'urn:d:2') }), { minLength: 1, maxLength: 2 }),
);
const bodies = fc.dictionary(names, attribute, { maxKeys: 6 }).map((attrs) => ({ id: 'urn:ngsi-ld:ParkingSpot:fuzz', type: 'ParkingSpot', ...attrs }));

test('toKeyValues should never throw and give plain JSON with every bare Property value intact when entities are arbitrary', () => {
  fc.assert(
    fc.property(bodies, fc.boolean(), (body, core) => {
      const tm = core ? coreTm : modelTm;
      const r = parseEntity(body, tm, NOW);
      if (!r.ok) return;
      const kv = toKeyValues(r.value, tm, 'ParkingSpot');
      assert.deepEqual(JSON.parse(JSON.stringify(kv)), kv);
      assert.equal(kv.type, 'ParkingSpot');
      assert.equal(kv.id, body.id);
      assert.deepEqual(Object.keys(kv).sort(), ['id', 'type', ...Object.keys(r.value.attrs).map((iri) => tm.compact(iri))].sort());
      for (const [name, v] of Object.entries(body)) {
        if (name === 'id' || name === 'type' || typeof v === 'object') continue;
        assert.deepEqual(Object.getOwnPropertyDescriptor(kv, tm.compact(tm.expand(name)))?.value, v, name);
      }
      for (const variant of variants(r.value, tm)) assert.ok(Object.hasOwn(kv, variant.name));
    }),
    { numRuns: 300 },
  );
});
