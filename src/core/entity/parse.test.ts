import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { builtInContext } from '../context/core-contexts.js';
import { compileContext, type TermMap } from '../context/termmap.js';
import type { Problem } from '../problem.js';
import { attributeTypes, NGSI_LD_NULL, type Attribute, type Entity } from './model.js';
import { isNullAttribute, isUri, MAX_ATTRIBUTE_DEPTH, parseAttributeValue, parseEntity, parseFragment } from './parse.js';

const load = async (u: string) => builtInContext(u) ?? Promise.reject(new Error(u));
const compile = (ctx: unknown[]): Promise<TermMap> => compileContext(ctx, load);

const NOW = '2024-05-01T10:00:00.000Z';
const T = { createdAt: NOW, modifiedAt: NOW };
const EX = 'https://example.org/';
const DC = 'https://uri.etsi.org/ngsi-ld/default-context/';
const NGSI = 'https://uri.etsi.org/ngsi-ld/';
const tm = await compile([{ ex: EX, brandName: 'ex:brandName', Car: 'ex:Car', name: 'https://schema.org/name' }]);

function entity(members: Record<string, unknown>): Record<string, unknown> {
  return { id: 'urn:ngsi-ld:Vehicle:A', type: 'Vehicle', ...members };
}

function accept(body: unknown): Entity {
  const r = parseEntity(body, tm, NOW);
  assert.ok(r.ok, r.ok ? '' : r.problem.detail);
  return r.value;
}

function problemOf(r: { ok: boolean; problem?: Problem }): Problem {
  assert.equal(r.ok, false, 'expected a failure');
  return r.problem as Problem;
}

function reject(body: unknown, detail: RegExp, kind = 'BadRequestData'): void {
  const p = problemOf(parseEntity(body, tm, NOW));
  assert.equal(p.kind, kind);
  assert.match(p.detail, detail);
}

/** Parses `{ [name]: raw }` in an entity and returns the instances of the attribute `iri`. */
function attr(name: string, raw: unknown, iri = DC + name): Attribute[] {
  return accept(entity({ [name]: raw })).attrs[iri];
}

function fragment(body: unknown, allowNull = true) {
  return parseFragment(body, tm, NOW, { allowNull });
}

describe('parseEntity: entity members (clause 5.6.1, 4.5.1)', () => {
  it('parseEntity should return a full entity with timestamps when the body is minimal', () => {
    assert.deepEqual(accept({ id: 'urn:ngsi-ld:Vehicle:A', type: 'Vehicle' }), { id: 'urn:ngsi-ld:Vehicle:A', types: [DC + 'Vehicle'], ...T, attrs: {} });
  });

  it('parseEntity should fail with BadRequestData when the body is not a JSON object', () => {
    for (const b of [null, [], [entity({})], 'urn:x', 42, true, undefined]) reject(b, /must be a JSON object/);
  });

  it('parseEntity should fail when id is missing, not a string or not an absolute URI', () => {
    reject({ type: 'Vehicle' }, /Entity has no id/);
    reject({ id: 42, type: 'Vehicle' }, /Entity id 42 is not a URI/);
    reject({ id: 'Vehicle1', type: 'Vehicle' }, /Entity id "Vehicle1" is not a URI/);
    reject({ id: 'urn:ngsi-ld:a b', type: 'Vehicle' }, /not a URI/);
    reject({ id: NGSI_LD_NULL, type: 'Vehicle' }, /not a URI/);
    reject({ id: null, type: 'Vehicle' }, /Entity id null is not a URI/);
  });

  it('parseEntity should accept @id and @type when they replace id and type', () => {
    const e = accept({ '@id': 'urn:x:1', '@type': 'Car' });
    assert.equal(e.id, 'urn:x:1');
    assert.deepEqual(e.types, [EX + 'Car']);
  });

  it('parseEntity should fail when both id and @id (or type and @type) are given', () => {
    reject({ id: 'urn:x:1', '@id': 'urn:x:1', type: 'T' }, /both id and @id/);
    reject({ id: 'urn:x:1', type: 'T', '@type': 'T' }, /both type and @type/);
  });

  it('parseEntity should fail when type is missing, empty or not a valid name', () => {
    reject({ id: 'urn:x:1' }, /Entity urn:x:1 has no type/);
    reject({ id: 'urn:x:1', type: [] }, /non-empty array/);
    reject({ id: 'urn:x:1', type: '' }, /Entity type "" is not a valid name/);
    reject({ id: 'urn:x:1', type: ['Car', 3] }, /not 3/);
    reject({ id: 'urn:x:1', type: 'Big Car' }, /Entity type "Big Car" is not a valid name/);
    reject({ id: 'urn:x:1', type: 'Car\u0000' }, /not a valid name/);
    reject({ id: 'urn:x:1', type: { '@id': 'Car' } }, /must be a string or a non-empty array/);
  });

  it('parseEntity should expand types and remove duplicates when several names denote one IRI', () => {
    assert.deepEqual(accept({ id: 'urn:x:1', type: ['Car', 'ex:Car', `${EX}Car`, 'Truck'] }).types, [EX + 'Car', DC + 'Truck']);
  });

  it('parseEntity should fail when a type or attribute name does not expand to an IRI with the given context', async () => {
    const blank = await compile([{ Car: '_:car', speed: '_:speed' }]);
    assert.match(problemOf(parseEntity({ id: 'urn:x:1', type: 'Car' }, blank, NOW)).detail, /Entity type "Car" does not expand to an IRI/);
    assert.match(problemOf(parseEntity({ id: 'urn:x:1', type: 'T', speed: 1 }, blank, NOW)).detail, /Attribute name "speed" does not expand to an IRI/);
  });

  it('parseEntity should keep scopes when they follow clause 4.18 and deduplicate them', () => {
    assert.deepEqual(accept(entity({ scope: '/Madrid/Gardens' })).scope, ['/Madrid/Gardens']);
    assert.deepEqual(accept(entity({ scope: ['/A', '/B/C', '/A'] })).scope, ['/A', '/B/C']);
    assert.equal('scope' in accept(entity({})), false);
  });

  it('parseEntity should fail when a scope is malformed or the NGSI-LD Null', () => {
    reject(entity({ scope: '/Madrid//Gardens' }), /scope "\/Madrid\/\/Gardens" is not a valid scope/);
    reject(entity({ scope: [] }), /non-empty array/);
    reject(entity({ scope: ['/A', 7] }), /scope 7/);
    reject(entity({ scope: NGSI_LD_NULL }), /not a valid scope/);
  });

  it('parseEntity should ignore @context and system members when they are in the body', () => {
    const e = accept(entity({ '@context': ['https://example.org/ctx.jsonld'], createdAt: '2000-01-01T00:00:00Z', modifiedAt: 'x', deletedAt: 'y' }));
    assert.deepEqual(e, { id: 'urn:ngsi-ld:Vehicle:A', types: [DC + 'Vehicle'], ...T, attrs: {} });
  });
});

describe('parseEntity: attribute names (clause 4.6.2)', () => {
  it('parseEntity should expand attribute names when the context, a prefix or an IRI defines them', () => {
    const e = accept(entity({ brandName: 'M', 'ex:color': 'red', 'https://schema.org/name': 'n2x', speed: 1, location: { type: 'Point', coordinates: [0, 0] } }));
    assert.deepEqual(Object.keys(e.attrs).sort(), [DC + 'speed', EX + 'brandName', EX + 'color', 'https://schema.org/name', NGSI + 'location'].sort());
  });

  it('parseEntity should fail naming the attribute when its name is not valid', () => {
    reject(entity({ 'bad name': 1 }), /Attribute name "bad name" is not a valid name/);
    reject(entity({ 'a(b)': 1 }), /"a\(b\)"/);
    reject(entity({ '@graph': [] }), /Attribute name "@graph"/);
    reject(entity({ '': 1 }), /Attribute name ""/);
  });

  it('parseEntity should fail when two attribute names expand to the same IRI', () => {
    reject(entity({ brandName: 'a', 'ex:brandName': 'b' }), /Attributes brandName and ex:brandName expand to the same IRI https:\/\/example.org\/brandName/);
  });

  it('parseEntity should fail without polluting prototypes when an attribute is named __proto__', () => {
    reject(JSON.parse('{"id":"urn:x:1","type":"T","__proto__":{"type":"Property","value":1}}'), /Attribute name "__proto__" is not a valid name/);
    assert.equal(({} as Record<string, unknown>).value, undefined);
  });

  it('parseEntity should keep constructor as an ordinary attribute and sub-attribute name', () => {
    const e = accept(JSON.parse('{"id":"urn:x:1","type":"T","constructor":{"type":"Property","value":1,"constructor":{"value":2}}}'));
    assert.equal(Object.getPrototypeOf(e.attrs), Object.prototype);
    assert.deepEqual(Object.keys(e.attrs), [DC + 'constructor']);
    const a = e.attrs[DC + 'constructor'][0];
    assert.equal(Object.getPrototypeOf(a), Object.prototype);
    assert.deepEqual(a[DC + 'constructor'], { type: 'Property', value: 2, ...T });
  });
});

describe('parseEntity: normalized attributes (clause 4.5.2–4.5.24)', () => {
  it('parseEntity should parse a Property when type and value are given', () => {
    assert.deepEqual(attr('speed', { type: 'Property', value: 55 }), [{ type: 'Property', value: 55, ...T }]);
    assert.deepEqual(attr('flags', { type: 'Property', value: [true, { a: [1] }] }), [{ type: 'Property', value: [true, { a: [1] }], ...T }]);
  });

  it('parseEntity should fail when a Property has no value or a null value', () => {
    reject(entity({ speed: { type: 'Property' } }), /Attribute speed of type Property has no value/);
    reject(entity({ speed: { type: 'Property', value: null } }), /Attribute speed has a null value/);
  });

  it('parseEntity should fail naming the attribute when its type is unknown', () => {
    reject(entity({ speed: { type: 'Propertyy', value: 1 } }), /Attribute speed has type "Propertyy", which is not one of Property, Relationship/);
    reject(entity({ speed: { type: ['Property'], value: 1 } }), /Attribute speed has type an array/);
    reject(entity({ speed: { type: 'VocabularyProperty', vocab: 'x' } }), /not one of/);
  });

  it('parseEntity should fail when an attribute carries the content member of another type', () => {
    reject(entity({ speed: { type: 'Property', value: 1, object: 'urn:x:1' } }), /Attribute speed of type Property cannot have member object/);
    reject(entity({ owner: { type: 'Relationship', object: 'urn:x:1', value: 1 } }), /of type Relationship cannot have member value/);
    reject(entity({ speed: { type: 'Property', value: 1, objectType: 'Car' } }), /of type Property cannot have member objectType/);
  });

  it('parseEntity should parse a Relationship when object is a URI or a non-empty array of URIs', () => {
    assert.deepEqual(attr('owner', { type: 'Relationship', object: 'urn:ngsi-ld:Person:Bob' }), [{ type: 'Relationship', object: 'urn:ngsi-ld:Person:Bob', ...T }]);
    assert.deepEqual(attr('owners', { type: 'Relationship', object: ['urn:a:1', 'urn:a:2', 'urn:a:1'], objectType: ['Car', 'ex:Car', 'Person'] }), [
      { type: 'Relationship', object: ['urn:a:1', 'urn:a:2'], objectType: [EX + 'Car', DC + 'Person'], ...T },
    ]);
  });

  it('parseEntity should fail when a Relationship object is missing or not a URI', () => {
    reject(entity({ owner: { type: 'Relationship' } }), /Attribute owner of type Relationship has no object/);
    reject(entity({ owner: { type: 'Relationship', object: 'Bob' } }), /Relationship owner has object "Bob", which is not a URI/);
    reject(entity({ owner: { type: 'Relationship', object: [] } }), /non-empty array of URIs/);
    reject(entity({ owner: { type: 'Relationship', object: ['urn:a:1', 'b'] } }), /object "b"/);
    reject(entity({ owner: { type: 'Relationship', object: { id: 'urn:a:1' } } }), /non-empty array of URIs/);
    reject(entity({ owner: { type: 'Relationship', object: 'urn:a:1', objectType: 'A B' } }), /objectType "A B" is not a valid name/);
  });

  it('parseEntity should parse a GeoProperty when its value is a geometry or a JSON string of one', () => {
    const point = { type: 'Point', coordinates: [2.35, 48.85] };
    assert.deepEqual(attr('location', { type: 'GeoProperty', value: point }, NGSI + 'location'), [{ type: 'GeoProperty', value: point, ...T }]);
    assert.deepEqual(attr('area', { type: 'GeoProperty', value: JSON.stringify(point) }), [{ type: 'GeoProperty', value: point, ...T }]);
  });

  it('parseEntity should fail naming the attribute when a GeoProperty value is not a valid geometry', () => {
    reject(entity({ location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [200, 0] } } }), /GeoProperty location has an invalid value: GeoJSON Point coordinates has longitude 200/);
    reject(entity({ location: { type: 'GeoProperty', value: 'POINT (1 2)' } }), /GeoProperty location has an invalid value: GeoJSON geometry string is not valid JSON/);
    reject(entity({ location: { type: 'GeoProperty', value: '"x"' } }), /not a JSON object/);
    reject(entity({ location: { type: 'GeoProperty', value: [1, 2] } }), /GeoProperty location has an invalid value/);
  });

  it('parseEntity should parse a LanguageProperty when the languageMap maps tags to strings', () => {
    const map = { fr: 'Grand Place', 'nl-BE': ['Grote Markt', 'Markt'], '@none': 'GP' };
    assert.deepEqual(attr('street', { type: 'LanguageProperty', languageMap: map }), [{ type: 'LanguageProperty', languageMap: map, ...T }]);
  });

  it('parseEntity should fail when a languageMap has a bad tag or a non-string text', () => {
    reject(entity({ street: { type: 'LanguageProperty', languageMap: { 'fr FR': 'x' } } }), /LanguageProperty street has "fr FR", which is not a language tag/);
    reject(entity({ street: { type: 'LanguageProperty', languageMap: { fr: 3 } } }), /street needs a string or an array of strings for language fr/);
    reject(entity({ street: { type: 'LanguageProperty', languageMap: { fr: [] } } }), /for language fr/);
    reject(entity({ street: { type: 'LanguageProperty', languageMap: 'Grand Place' } }), /needs an object as languageMap/);
    reject(entity({ street: { type: 'LanguageProperty', languageMap: JSON.parse('{"__proto__":"x"}') } }), /"__proto__", which is not a language tag/);
  });

  it('parseEntity should expand vocab values when a VocabProperty is given', () => {
    assert.deepEqual(attr('category', { type: 'VocabProperty', vocab: 'Car' }), [{ type: 'VocabProperty', vocab: EX + 'Car', ...T }]);
    assert.deepEqual(attr('category', { type: 'VocabProperty', vocab: ['Car', 'sports'] }), [{ type: 'VocabProperty', vocab: [EX + 'Car', DC + 'sports'], ...T }]);
    reject(entity({ category: { type: 'VocabProperty', vocab: 'non commercial' } }), /VocabProperty category vocab "non commercial" is not a valid name/);
    reject(entity({ category: { type: 'VocabProperty', vocab: 5 } }), /category vocab must be a string/);
  });

  it('parseEntity should keep json unexpanded when a JsonProperty is given', () => {
    const json = { brandName: { type: 'Property' }, list: [1, null] };
    assert.deepEqual(attr('config', { type: 'JsonProperty', json }), [{ type: 'JsonProperty', json, ...T }]);
    assert.deepEqual(attr('config', { type: 'JsonProperty', json: [] }), [{ type: 'JsonProperty', json: [], ...T }]);
    reject(entity({ config: { type: 'JsonProperty', json: 'text' } }), /JsonProperty config needs a JSON object or array as json, not "text"/);
  });

  it('parseEntity should parse a ListProperty when valueList is an array', () => {
    assert.deepEqual(attr('depths', { type: 'ListProperty', valueList: [3, 2, [1]], unitCode: 'MMT' }), [{ type: 'ListProperty', valueList: [3, 2, [1]], unitCode: 'MMT', ...T }]);
    reject(entity({ depths: { type: 'ListProperty', valueList: 3 } }), /ListProperty depths needs an array as valueList, not 3/);
  });

  it('parseEntity should normalize objectList items to {object} when a ListRelationship is given', () => {
    assert.deepEqual(attr('route', { type: 'ListRelationship', objectList: ['urn:c:1', { object: 'urn:c:2' }], objectType: 'City' }), [
      { type: 'ListRelationship', objectList: [{ object: 'urn:c:1' }, { object: 'urn:c:2' }], objectType: DC + 'City', ...T },
    ]);
    reject(entity({ route: { type: 'ListRelationship', objectList: ['urn:c:1', 'Antwerp'] } }), /ListRelationship route has objectList item "Antwerp", which is not a URI/);
    reject(entity({ route: { type: 'ListRelationship', objectList: [{ id: 'urn:c:1' }] } }), /objectList item undefined/);
    reject(entity({ route: { type: 'ListRelationship', objectList: 'urn:c:1' } }), /needs an array as objectList/);
  });
});

describe('parseEntity: concise and simplified attributes (clause 4.5.11)', () => {
  it('parseEntity should infer the attribute type when type is absent', () => {
    assert.equal(attr('a', { value: 1 })[0].type, 'Property');
    assert.equal(attr('a', { object: 'urn:x:1' })[0].type, 'Relationship');
    assert.equal(attr('a', { languageMap: { en: 'x' } })[0].type, 'LanguageProperty');
    assert.equal(attr('a', { vocab: 'x' })[0].type, 'VocabProperty');
    assert.equal(attr('a', { json: {} })[0].type, 'JsonProperty');
    assert.equal(attr('a', { valueList: [] })[0].type, 'ListProperty');
    assert.equal(attr('a', { objectList: [] })[0].type, 'ListRelationship');
  });

  it('parseEntity should make a GeoProperty when the attribute is a bare GeoJSON geometry', () => {
    const polygon = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] };
    assert.deepEqual(attr('area', polygon), [{ type: 'GeoProperty', value: polygon, ...T }]);
    reject(entity({ area: { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1]]] } }), /GeoProperty area has an invalid value: GeoJSON Polygon coordinates\[0\] needs at least 4/);
  });

  it('parseEntity should make a GeoProperty when value holds a geometry and type is absent, whatever the name', () => {
    const point = { type: 'Point', coordinates: [1, 2] };
    assert.deepEqual(attr('somewhere', { value: point, observedAt: '2024-01-01T00:00:00Z' }), [{ type: 'GeoProperty', value: point, observedAt: '2024-01-01T00:00:00Z', ...T }]);
    assert.equal(attr('location', { value: point }, NGSI + 'location')[0].type, 'GeoProperty');
  });

  it('parseEntity should keep a Property when type Property is explicit and the value looks like a geometry', () => {
    const notGeo = { type: 'Point', coordinates: [500, 500] };
    assert.deepEqual(attr('drawing', { type: 'Property', value: notGeo }), [{ type: 'Property', value: notGeo, ...T }]);
  });

  it('parseEntity should make a Property of any bare value when it has no attribute members', () => {
    assert.deepEqual(attr('a', 'text'), [{ type: 'Property', value: 'text', ...T }]);
    assert.deepEqual(attr('a', 0), [{ type: 'Property', value: 0, ...T }]);
    assert.deepEqual(attr('a', false), [{ type: 'Property', value: false, ...T }]);
    assert.deepEqual(attr('a', [1, 'b']), [{ type: 'Property', value: [1, 'b'], ...T }]);
    assert.deepEqual(attr('a', []), [{ type: 'Property', value: [], ...T }]);
    const address = { streetAddress: 'Main 1', addressLocality: 'Gent' };
    assert.deepEqual(attr('address', address), [{ type: 'Property', value: address, ...T }]);
    assert.deepEqual(attr('a', [{ x: 1 }, { y: 2 }]), [{ type: 'Property', value: [{ x: 1 }, { y: 2 }], ...T }]);
  });

  it('parseEntity should keep @type/@value objects as is when they are Property values', () => {
    const typed = { '@type': 'DateTime', '@value': '2024-01-01T00:00:00Z' };
    assert.deepEqual(attr('dateObserved', typed), [{ type: 'Property', value: typed, ...T }]);
    assert.deepEqual(attr('dateObserved', { type: 'Property', value: typed }), [{ type: 'Property', value: typed, ...T }]);
    const jsonNull = { '@type': '@json', '@value': null };
    assert.deepEqual(attr('nothing', { value: jsonNull }), [{ type: 'Property', value: jsonNull, ...T }]);
  });

  it('parseEntity should fail when a concise attribute has two content members', () => {
    reject(entity({ a: { value: 1, object: 'urn:x:1' } }), /Attribute a is ambiguous: it has both value and object/);
    reject(entity({ a: { languageMap: {}, vocab: 'x' } }), /ambiguous/);
  });

  it('parseEntity should give the same entity when concise and normalized forms say the same', () => {
    const normalized = entity({ speed: { type: 'Property', value: 5, unitCode: 'KMH', accuracy: { type: 'Property', value: 0.5 } }, owner: { type: 'Relationship', object: 'urn:p:1' } });
    const concise = entity({ speed: { value: 5, unitCode: 'KMH', accuracy: 0.5 }, owner: { object: 'urn:p:1' } });
    assert.deepEqual(accept(concise), accept(normalized));
  });
});

describe('parseEntity: multi-attributes (clause 4.5.5)', () => {
  it('parseEntity should keep every instance when datasetIds differ', () => {
    const speed = attr('speed', [{ type: 'Property', value: 1 }, { value: 2, datasetId: 'urn:ds:gps' }, { value: 3, datasetId: 'urn:ds:radar' }]);
    assert.deepEqual(speed, [
      { type: 'Property', value: 1, ...T },
      { type: 'Property', value: 2, datasetId: 'urn:ds:gps', ...T },
      { type: 'Property', value: 3, datasetId: 'urn:ds:radar', ...T },
    ]);
  });

  it('parseEntity should fail when two instances share a datasetId or both lack one', () => {
    reject(entity({ speed: [{ value: 1, datasetId: 'urn:ds:a' }, { value: 2, datasetId: 'urn:ds:a' }] }), /Attribute speed has more than one instance with datasetId urn:ds:a/);
    reject(entity({ speed: [{ value: 1 }, { type: 'Property', value: 2 }] }), /Attribute speed has more than one instance without datasetId/);
  });

  it('parseEntity should fail naming the attribute when a datasetId is not a URI', () => {
    reject(entity({ speed: { value: 1, datasetId: 'gps' } }), /Attribute speed has datasetId "gps", which is not a URI/);
    reject(entity({ speed: [{ value: 1, datasetId: 7 }] }), /datasetId 7/);
  });

  it('parseEntity should read each element as an instance when an array mixes instances and plain objects', () => {
    assert.deepEqual(attr('speed', [{ value: 1, datasetId: 'urn:d:1' }, { foo: 2 }]), [
      { type: 'Property', value: 1, datasetId: 'urn:d:1', ...T },
      { type: 'Property', value: { foo: 2 }, ...T },
    ]);
    reject(entity({ speed: [{ value: 1 }, { foo: 2 }] }), /Attribute speed has more than one instance without datasetId/);
  });

  it('parseEntity should read an array as a Property value when some element is not an object', () => {
    assert.deepEqual(attr('speed', [{ value: 1 }, null]), [{ type: 'Property', value: [{ value: 1 }, null], ...T }]);
  });
});

describe('parseEntity: attribute members and sub-attributes (clause 4.5.2, 4.8)', () => {
  it('parseEntity should keep observedAt and unitCode when they are valid', () => {
    assert.deepEqual(attr('t', { value: 20, observedAt: '2024-01-01T12:00:00.5+01:00', unitCode: 'CEL' }), [
      { type: 'Property', value: 20, observedAt: '2024-01-01T12:00:00.5+01:00', unitCode: 'CEL', ...T },
    ]);
  });

  it('parseEntity should fail when observedAt is not a zoned ISO 8601 date-time or unitCode is not a string', () => {
    reject(entity({ t: { value: 20, observedAt: '2024-01-01T12:00:00' } }), /Attribute t has observedAt "2024-01-01T12:00:00", which is not an ISO 8601 date-time with time zone/);
    reject(entity({ t: { value: 20, observedAt: 1704110400 } }), /observedAt 1704110400/);
    reject(entity({ t: { value: 20, unitCode: 5 } }), /Attribute t has unitCode 5/);
    reject(entity({ t: { value: 20, unitCode: '' } }), /unitCode ""/);
  });

  it('parseEntity should ignore system members when an attribute carries them', () => {
    const raw = { value: 1, createdAt: 'x', modifiedAt: 'y', deletedAt: 'z', instanceId: 'urn:i:1', previousValue: 0, lang: 'en' };
    assert.deepEqual(attr('a', raw), [{ type: 'Property', value: 1, ...T }]);
  });

  it('parseEntity should parse sub-attributes recursively with expanded names and timestamps', () => {
    const got = attr('speed', { value: 1, 'ex:accuracy': { value: 0.1, providedBy: { object: 'urn:p:1', since: '2020' } } });
    assert.deepEqual(got, [
      {
        type: 'Property',
        value: 1,
        ...T,
        [EX + 'accuracy']: { type: 'Property', value: 0.1, ...T, [DC + 'providedBy']: { type: 'Relationship', object: 'urn:p:1', ...T, [DC + 'since']: { type: 'Property', value: '2020', ...T } } },
      },
    ]);
  });

  it('parseEntity should fail when a sub-attribute has several instances, a bad name or an id', () => {
    reject(entity({ speed: { value: 1, accuracy: [{ value: 1 }, { value: 2, datasetId: 'urn:d:1' }] } }), /Sub-attribute speed.accuracy cannot have several instances/);
    reject(entity({ speed: { value: 1, 'bad name': 1 } }), /Sub-attribute name of speed: "bad name" is not a valid name/);
    reject(entity({ speed: { value: 1, id: 'urn:x:1' } }), /Attribute speed cannot have member id/);
    reject(entity({ speed: { value: 1, accuracy: { type: 'Foo' } } }), /Attribute speed.accuracy has type "Foo"/);
  });

  it('parseEntity should fail when two sub-attribute names expand to the same IRI', () => {
    reject(entity({ speed: { value: 1, brandName: 1, 'ex:brandName': 2 } }), /Sub-attributes speed.brandName and speed.ex:brandName expand to the same IRI/);
  });

  it('parseEntity should accept nesting up to the depth limit and refuse one level more', () => {
    const nest = (levels: number): unknown => {
      let a: unknown = { value: levels };
      for (let i = levels - 1; i >= 1; i--) a = { value: i, sub: a };
      return a;
    };
    assert.ok(parseEntity(entity({ deep: nest(MAX_ATTRIBUTE_DEPTH) }), tm, NOW).ok);
    reject(entity({ deep: nest(MAX_ATTRIBUTE_DEPTH + 1) }), new RegExp(`deeper than ${MAX_ATTRIBUTE_DEPTH} levels`));
    reject(entity({ deep: nest(100_000) }), /deeper than/);
  });

  it('parseEntity should not recurse into values when a Property value is deeply nested', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = { v };
    assert.ok(parseEntity(entity({ deep: { type: 'Property', value: v } }), tm, NOW).ok);
  });
});

describe('parseEntity and parseFragment: null handling (clause 5.2.1, 5.6.17)', () => {
  it('parseEntity should fail naming the attribute when it is JSON null', () => {
    reject(entity({ speed: null }), /Attribute speed is null/);
    reject(entity({ speed: { value: 1, accuracy: null } }), /Attribute speed.accuracy is null/);
  });

  it('parseEntity should fail when an attribute holds the NGSI-LD Null', () => {
    for (const raw of [NGSI_LD_NULL, { value: NGSI_LD_NULL }, { type: 'Relationship', object: NGSI_LD_NULL }, { languageMap: { '@none': NGSI_LD_NULL } }, { vocab: NGSI_LD_NULL }]) {
      reject(entity({ speed: raw }), /Attribute speed holds the NGSI-LD Null/);
    }
  });

  it('parseFragment should turn every NGSI-LD Null spelling into a deletion marker when allowNull is set', () => {
    const spellings = [
      NGSI_LD_NULL,
      { value: NGSI_LD_NULL },
      { type: 'GeoProperty', value: NGSI_LD_NULL },
      { type: 'Relationship', object: NGSI_LD_NULL },
      { type: 'LanguageProperty', languageMap: { '@none': NGSI_LD_NULL } },
      { vocab: NGSI_LD_NULL },
      { json: NGSI_LD_NULL },
      { valueList: [NGSI_LD_NULL] },
      { objectList: [NGSI_LD_NULL] },
      { objectList: [{ object: NGSI_LD_NULL }] },
    ];
    for (const raw of spellings) {
      const r = fragment({ a: raw });
      assert.ok(r.ok, JSON.stringify(raw));
      assert.deepEqual(r.value.attrs[DC + 'a'], [{ type: 'Property', value: NGSI_LD_NULL }], JSON.stringify(raw));
      assert.ok(isNullAttribute(r.value.attrs[DC + 'a'][0]));
    }
  });

  it('parseFragment should keep datasetId and delete sub-attributes when nulls are targeted', () => {
    const r = fragment({ speed: [{ value: NGSI_LD_NULL, datasetId: 'urn:ds:1' }, { value: 3, accuracy: NGSI_LD_NULL }] });
    assert.ok(r.ok);
    const [gone, kept] = r.value.attrs[DC + 'speed'];
    assert.deepEqual(gone, { type: 'Property', value: NGSI_LD_NULL, datasetId: 'urn:ds:1' });
    assert.ok(isNullAttribute(kept[DC + 'accuracy'] as Attribute));
    assert.equal(isNullAttribute(kept), false);
    assert.equal(problemOf(fragment({ speed: { value: NGSI_LD_NULL, datasetId: 'x' } })).detail, 'Attribute speed has datasetId "x", which is not a URI');
  });

  it('parseFragment should reject the NGSI-LD Null when allowNull is not set', () => {
    assert.match(problemOf(fragment({ a: NGSI_LD_NULL }, false)).detail, /Attribute a holds the NGSI-LD Null/);
    assert.match(problemOf(fragment({ scope: NGSI_LD_NULL }, false)).detail, /not a valid scope/);
  });

  it('parseFragment should still reject JSON null when allowNull is set', () => {
    assert.match(problemOf(fragment({ a: null })).detail, /Attribute a is null/);
    assert.match(problemOf(fragment({ a: { type: 'Property', value: null } })).detail, /Attribute a has a null value/);
  });

  it('parseFragment should accept the NGSI-LD Null as scope when allowNull is set', () => {
    const r = fragment({ scope: NGSI_LD_NULL });
    assert.ok(r.ok);
    assert.deepEqual(r.value.scope, [NGSI_LD_NULL]);
  });
});

describe('parseFragment (clauses 5.6.2, 5.6.3, 5.6.9)', () => {
  it('parseFragment should return only attributes when id and type are absent', () => {
    const r = fragment({ speed: 5, '@context': 'https://example.org/ctx.jsonld' }, false);
    assert.ok(r.ok);
    assert.deepEqual(r.value, { attrs: { [DC + 'speed']: [{ type: 'Property', value: 5, ...T }] } });
  });

  it('parseFragment should return id, types and scope when present', () => {
    const r = fragment({ id: 'urn:x:1', type: ['Car', 'ex:Car'], scope: '/A', speed: 5 }, false);
    assert.ok(r.ok);
    assert.deepEqual(r.value, { id: 'urn:x:1', types: [EX + 'Car'], scope: ['/A'], attrs: { [DC + 'speed']: [{ type: 'Property', value: 5, ...T }] } });
  });

  it('parseFragment should fail when id, type or body shape is invalid', () => {
    assert.match(problemOf(fragment({ id: 'x' })).detail, /Entity id "x" is not a URI/);
    assert.match(problemOf(fragment({ type: [] })).detail, /non-empty array/);
    assert.match(problemOf(fragment([{ speed: 1 }])).detail, /must be a JSON object, not an array/);
    assert.match(problemOf(fragment({ speed: { type: 'Nope' } })).detail, /Attribute speed has type "Nope"/);
  });
});

describe('parseAttributeValue (clauses 5.6.4, 5.6.19)', () => {
  it('parseAttributeValue should parse the body as one attribute when given the expanded name', () => {
    const r = parseAttributeValue(EX + 'brandName', { value: 'M', observedAt: '2024-01-01T00:00:00Z' }, tm, NOW, { allowNull: false });
    assert.ok(r.ok);
    assert.deepEqual(r.value, [{ type: 'Property', value: 'M', observedAt: '2024-01-01T00:00:00Z', ...T }]);
  });

  it('parseAttributeValue should accept several instances when the body is an array of instances', () => {
    const r = parseAttributeValue(DC + 'speed', [{ value: 1 }, { value: 2, datasetId: 'urn:d:1' }], tm, NOW, { allowNull: false });
    assert.ok(r.ok);
    assert.equal(r.value.length, 2);
  });

  it('parseAttributeValue should name the attribute compacted when the value is invalid', () => {
    const p = problemOf(parseAttributeValue(EX + 'brandName', { type: 'Relationship', object: 'nope' }, tm, NOW, { allowNull: false }));
    assert.equal(p.detail, 'Relationship brandName has object "nope", which is not a URI');
  });

  it('parseAttributeValue should fail with InvalidRequest when the body is null', () => {
    const p = problemOf(parseAttributeValue(DC + 'speed', null, tm, NOW, { allowNull: true }));
    assert.equal(p.kind, 'InvalidRequest');
  });

  it('parseAttributeValue should honour allowNull for the NGSI-LD Null', () => {
    const yes = parseAttributeValue(DC + 'speed', { value: 2, accuracy: NGSI_LD_NULL }, tm, NOW, { allowNull: true });
    assert.ok(yes.ok);
    assert.ok(isNullAttribute(yes.value[0][DC + 'accuracy'] as Attribute));
    assert.equal(parseAttributeValue(DC + 'speed', NGSI_LD_NULL, tm, NOW, { allowNull: false }).ok, false);
  });
});

describe('parseEntity fixtures (test/fixtures/entities)', () => {
  const dir = new URL('../../../test/fixtures/entities/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

  it('fixtures should exist', () => assert.ok(files.length >= 3));

  for (const file of files) {
    const fx = JSON.parse(readFileSync(new URL(file, dir), 'utf8'));
    for (const form of Object.keys(fx.inputs)) {
      it(`parse should give the expected entity when reading ${file} (${form}): ${fx.description}`, async () => {
        const ctx = await compile(fx.context);
        const r = fx.operation === 'fragment' ? parseFragment(fx.inputs[form], ctx, fx.now, { allowNull: fx.allowNull }) : parseEntity(fx.inputs[form], ctx, fx.now);
        assert.ok(r.ok, r.ok ? '' : r.problem.detail);
        assert.deepEqual(r.value, fx.expected);
      });
    }
  }
});

// ---------------------------------------------------------------- properties

const uri = fc.oneof(fc.webUrl(), fc.stringMatching(/^urn:ngsi-ld:[A-Za-z]{1,8}:[A-Za-z0-9]{1,8}$/));
const leaf = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(NGSI_LD_NULL), fc.constant(null), uri);
/** Mostly `good`, sometimes `bad` or any leaf: enough valid bodies to check accepted output, enough invalid ones to hunt throws. */
const mostly = (good: fc.Arbitrary<unknown>, ...bad: unknown[]) =>
  fc.oneof({ arbitrary: good, weight: 12 }, { arbitrary: bad.length > 0 ? fc.constantFrom(...bad) : leaf, weight: 1 }, { arbitrary: leaf, weight: 1 });
const name = fc.oneof(
  { arbitrary: fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,6}$/), weight: 12 },
  fc.constantFrom('brandName', 'ex:c', `${EX}d`, 'location', '__proto__', 'constructor', 'toString', 'id', 'type', 'scope', '@context', 'observedAt', 'value', 'a b', ''),
  fc.string({ maxLength: 6 }),
);
const point = fc.tuple(fc.double({ min: -200, max: 200, noNaN: true }), fc.double({ min: -100, max: 100, noNaN: true })).map((c) => ({ type: 'Point', coordinates: c }));
const dateTime = fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const content = fc.oneof(
  fc.record({ type: fc.constantFrom('Property', undefined), value: mostly(fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== null)) }),
  fc.record({ type: fc.constantFrom('GeoProperty', undefined), value: mostly(point) }),
  fc.record({ type: fc.constantFrom('Relationship', undefined), object: mostly(fc.oneof(uri, fc.array(uri, { minLength: 1, maxLength: 3 }))), objectType: mostly(fc.constantFrom('Car', 'ex:Car', ['Car', 'T'])) }, { requiredKeys: ['type', 'object'] }),
  fc.record({ type: fc.constantFrom('LanguageProperty', undefined), languageMap: mostly(fc.dictionary(fc.constantFrom('en', 'fr', 'nl-BE', '@none', 'x y', '__proto__'), fc.oneof(fc.string(), fc.array(fc.string(), { minLength: 1 })))) }),
  fc.record({ type: fc.constantFrom('VocabProperty', undefined), vocab: mostly(fc.constantFrom('Car', 'ex:x', ['a', 'b'])) }),
  fc.record({ type: fc.constantFrom('JsonProperty', undefined), json: mostly(fc.oneof(fc.object(), fc.array(fc.jsonValue()))) }),
  fc.record({ type: fc.constantFrom('ListProperty', undefined), valueList: mostly(fc.array(leaf, { maxLength: 3 })) }),
  fc.record({ type: fc.constantFrom('ListRelationship', undefined), objectList: mostly(fc.array(fc.oneof(uri, fc.record({ object: uri })), { maxLength: 3 })), objectType: mostly(fc.constant('City')) }, { requiredKeys: ['type', 'objectList'] }),
  fc.record({ type: fc.constantFrom('Point', 'Foo', ...attributeTypes), coordinates: leaf, value: leaf, object: leaf }, { requiredKeys: [] }),
).map((c) => JSON.parse(JSON.stringify(c)) as Record<string, unknown>);
const meta = fc.record({ datasetId: mostly(uri), observedAt: mostly(dateTime), unitCode: mostly(fc.constantFrom('CEL', 'KMH')) }, { requiredKeys: [] });
const { attr: attribute } = fc.letrec<{ attr: unknown }>((tie) => ({
  attr: fc.oneof(
    { depthSize: 'small' },
    leaf,
    fc.tuple(content, meta, fc.dictionary(name, tie('attr'), { maxKeys: 2 })).map(([c, m, subs]) => ({ ...subs, ...m, ...c })),
    fc.array(tie('attr'), { maxLength: 3 }),
  ),
}));
const entityShaped = fc
  .record(
    {
      id: mostly(uri, 'urn:a b', 'Vehicle1'),
      type: mostly(fc.oneof(fc.constantFrom('Car', 'ex:Car'), fc.array(fc.constantFrom('Car', 'T', 'ex:Car'), { minLength: 1, maxLength: 3 })), 'Big Car', [], ['T', 1]),
      scope: mostly(fc.constantFrom('/A', '/A/B', ['/A', 'B/C']), 'x//y', []),
      attrs: fc.dictionary(name, attribute, { maxKeys: 4 }),
    },
    { requiredKeys: ['id', 'type', 'attrs'] },
  )
  // Real bodies come from JSON.parse: plain prototypes, `__proto__` as an own key.
  .map(({ attrs, ...head }) => JSON.parse(JSON.stringify({ ...attrs, ...head })) as Record<string, unknown>);

function checkFailure(r: { ok: boolean; problem?: Problem }): void {
  if (r.ok) return;
  assert.ok(r.problem && ['BadRequestData', 'InvalidRequest'].includes(r.problem.kind));
  assert.ok(r.problem.detail.length > 0);
}

function checkAttribute(a: Attribute, allowNull: boolean, depth: number): void {
  assert.ok(attributeTypes.includes(a.type));
  if (allowNull && isNullAttribute(a)) return;
  assert.equal(a.createdAt, NOW);
  assert.equal(a.modifiedAt, NOW);
  if (a.datasetId !== undefined) assert.ok(isUri(a.datasetId));
  if (a.type === 'Relationship') for (const o of [a.object].flat()) assert.ok(isUri(o as string));
  for (const [k, v] of Object.entries(a)) {
    if (k.includes(':')) {
      assert.ok(isUri(k), k);
      checkAttribute(v as Attribute, allowNull, depth + 1);
    }
  }
  assert.ok(depth <= MAX_ATTRIBUTE_DEPTH);
}

describe('parse properties (fast-check)', () => {
  it('parseEntity, parseFragment and parseAttributeValue should never throw when given any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        checkFailure(parseEntity(v, tm, NOW));
        checkFailure(parseFragment(v, tm, NOW, { allowNull: true }));
        checkFailure(parseAttributeValue(DC + 'a', v, tm, NOW, { allowNull: false }));
      }),
      { numRuns: 500 },
    );
  });

  it('parseEntity should return well-formed plain data when it accepts an entity-shaped body', () => {
    let accepted = 0;
    fc.assert(
      fc.property(entityShaped, (body) => {
        const r = parseEntity(body, tm, NOW);
        checkFailure(r);
        if (!r.ok) return;
        accepted++;
        assert.ok(isUri(r.value.id));
        assert.ok(r.value.types.length > 0 && r.value.types.every(isUri));
        for (const [iri, instances] of Object.entries(r.value.attrs)) {
          assert.ok(isUri(iri));
          assert.ok(instances.length > 0);
          for (const a of instances) checkAttribute(a, false, 1);
          assert.equal(new Set(instances.map((a) => a.datasetId)).size, instances.length);
        }
        assert.deepEqual(JSON.parse(JSON.stringify(r.value)), r.value);
        assert.equal(Object.getPrototypeOf(r.value.attrs), Object.prototype);
      }),
      { numRuns: 1000 },
    );
    assert.ok(accepted > 0, 'the arbitrary should produce some valid entities');
  });

  it('parseFragment should never throw and mark only NGSI-LD Nulls when given entity-shaped bodies', () => {
    fc.assert(
      fc.property(entityShaped, fc.boolean(), (body, allowNull) => {
        const r = parseFragment(body, tm, NOW, { allowNull });
        checkFailure(r);
        if (r.ok) for (const instances of Object.values(r.value.attrs)) for (const a of instances) checkAttribute(a, allowNull, 1);
      }),
      { numRuns: 500 },
    );
  });

  it('parseEntity should keep exactly the expanded names and values when given normalized Properties', () => {
    const simpleName = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,10}$/);
    const value = fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== null && v !== NGSI_LD_NULL);
    fc.assert(
      fc.property(fc.dictionary(simpleName, value, { minKeys: 1, maxKeys: 6 }), (props) => {
        const body: Record<string, unknown> = { id: 'urn:x:1', type: 'T' };
        for (const [k, v] of Object.entries(props)) body[k] = { type: 'Property', value: v };
        const r = parseEntity(body, tm, NOW);
        const reserved = Object.keys(props).some((k) => ['id', 'type', 'scope', 'createdAt', 'modifiedAt', 'deletedAt'].includes(k));
        if (reserved) return;
        assert.ok(r.ok, r.ok ? '' : r.problem.detail);
        assert.deepEqual(Object.keys(r.value.attrs).sort(), Object.keys(props).map((k) => tm.expand(k)).sort());
        for (const [k, v] of Object.entries(props)) assert.deepEqual(r.value.attrs[tm.expand(k)], [{ type: 'Property', value: v, ...T }]);
      }),
    );
  });

  it('parseEntity should read a concise primitive or array value like its normalized Property', () => {
    const value = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.array(fc.oneof(fc.string(), fc.integer())));
    fc.assert(
      fc.property(value, (v) => {
        const concise = parseEntity(entity({ a: v }), tm, NOW);
        const normalized = parseEntity(entity({ a: { type: 'Property', value: v } }), tm, NOW);
        assert.deepEqual(concise, normalized);
      }),
    );
  });

  it('parseEntity should accept instances when datasetIds are distinct and refuse them when one repeats', () => {
    fc.assert(
      fc.property(fc.uniqueArray(uri, { minLength: 1, maxLength: 5 }), fc.boolean(), (ids, withDefault) => {
        const instances: unknown[] = ids.map((d, i) => ({ value: i, datasetId: d }));
        if (withDefault) instances.push({ value: -1 });
        const ok1 = parseEntity(entity({ speed: instances }), tm, NOW);
        assert.ok(ok1.ok);
        assert.equal(ok1.value.attrs[DC + 'speed'].length, instances.length);
        const dup = parseEntity(entity({ speed: [...instances, { value: 9, datasetId: ids[0] }] }), tm, NOW);
        assert.equal(dup.ok, false);
      }),
    );
  });

  it('parseEntity should accept an id exactly when it is a URI', () => {
    fc.assert(
      fc.property(fc.oneof(uri, fc.string()), (id) => {
        assert.equal(parseEntity({ id, type: 'T' }, tm, NOW).ok, isUri(id) && id !== NGSI_LD_NULL);
      }),
    );
  });
});
