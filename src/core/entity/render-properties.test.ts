/** Property-based tests of entity rendering over generated valid entities and options. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { builtInContext } from '../context/core-contexts.js';
import { compileContext } from '../context/termmap.js';
import { type Attribute, attributeTypes, type Entity, LOCATION } from './model.js';
import { type Format, renderEntity, renderFeatureCollection, type RenderOptions } from './render.js';

const D = 'https://uri.etsi.org/ngsi-ld/default-context/';
const EX = 'https://example.org/';
const T = '2024-01-01T00:00:00Z';

const tm = await compileContext([{ ex: EX, brandName: `${EX}brandName` }], async (u) =>
  builtInContext(u) ?? Promise.reject(new Error(u)),
);

const attributeIris = [`${D}speed`, `${D}name`, `${EX}brandName`, `${EX}other`, 'urn:x:attr', LOCATION];
const entityMembers = new Set(['id', 'type', 'scope', 'createdAt', 'modifiedAt']);
const datasetIds = ['urn:ngsi-ld:Dataset:0', 'urn:ngsi-ld:Dataset:1', 'urn:ngsi-ld:Dataset:2'];

const num = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((d) => !Object.is(d, -0));
const scalar = fc.oneof(fc.string(), fc.integer(), num, fc.boolean());
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('a', 'b', 'c'), scalar, { maxKeys: 3, noNullPrototype: true }),
);
const point = fc.tuple(num, num).map((coordinates) => ({ type: 'Point', coordinates }));
const uri = fc.constantFrom('urn:ngsi-ld:A:1', 'urn:ngsi-ld:B:2', 'urn:ngsi-ld:C:3');
const languageMap = fc.dictionary(
  fc.constantFrom('en', 'en-US', 'fr', 'de-CH', '@none'),
  fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 })),
  { minKeys: 1, maxKeys: 3, noNullPrototype: true },
);

const body: fc.Arbitrary<Attribute> = fc.oneof(
  value.map((v): Attribute => ({ type: 'Property', value: v })),
  fc.tuple(fc.oneof(uri, fc.array(uri, { minLength: 1, maxLength: 2 })), fc.option(fc.constant(`${D}Car`))).map(
    ([object, objectType]): Attribute => ({ type: 'Relationship', object, ...(objectType ? { objectType } : {}) }),
  ),
  point.map((v): Attribute => ({ type: 'GeoProperty', value: v })),
  languageMap.map((m): Attribute => ({ type: 'LanguageProperty', languageMap: m })),
  fc.constantFrom(`${D}sport`, `${EX}urban`).map((v): Attribute => ({ type: 'VocabProperty', vocab: v })),
  fc
    .dictionary(fc.string().filter((k) => k !== 'type'), scalar, { maxKeys: 3, noNullPrototype: true })
    .map((j): Attribute => ({ type: 'JsonProperty', json: j })),
  fc.array(scalar, { maxLength: 3 }).map((l): Attribute => ({ type: 'ListProperty', valueList: l })),
  fc
    .array(uri, { maxLength: 3 })
    .map((l): Attribute => ({ type: 'ListRelationship', objectList: l.map((o) => ({ object: o })) })),
);

function attribute(depth: number): fc.Arbitrary<Attribute> {
  const subs =
    depth === 0
      ? fc.constant({})
      : fc.dictionary(fc.constantFrom(`${D}source`, `${EX}quality`), attribute(depth - 1), {
          maxKeys: 2,
          noNullPrototype: true,
        });
  return fc
    .tuple(body, subs, fc.boolean(), fc.boolean())
    .map(([b, s, observed, unit]): Attribute => ({
      ...b,
      ...s,
      ...(observed ? { observedAt: T } : {}),
      ...(unit && b.type === 'Property' ? { unitCode: 'MTR' } : {}),
      createdAt: T,
      modifiedAt: T,
    }));
}

/** 1–3 instances with distinct datasetIds, the first one possibly the default instance. */
const instances = fc
  .tuple(fc.array(attribute(2), { minLength: 1, maxLength: 3 }), fc.boolean())
  .map(([list, firstIsDefault]) =>
    list.map((a, i): Attribute => (i === 0 && firstIsDefault ? a : { ...a, datasetId: datasetIds[i] })),
  );

const entity: fc.Arbitrary<Entity> = fc.record({
  id: fc.constantFrom('urn:ngsi-ld:Thing:1', 'urn:ngsi-ld:Thing:2'),
  types: fc.subarray([`${D}Thing`, `${EX}Vehicle`], { minLength: 1 }),
  scope: fc.option(fc.subarray(['/a', '/a/b']), { nil: undefined }),
  createdAt: fc.constant(T),
  modifiedAt: fc.constant(T),
  attrs: fc.dictionary(fc.constantFrom(...attributeIris), instances, {
    maxKeys: attributeIris.length,
    noNullPrototype: true,
  }),
});

const subset = (xs: string[]) => fc.option(fc.subarray(xs).map((s) => new Set(s)), { nil: undefined });
const options = (format: fc.Arbitrary<Format>): fc.Arbitrary<RenderOptions> =>
  fc.record(
    {
      format,
      sysAttrs: fc.boolean(),
      attrs: subset(attributeIris),
      pick: subset([...attributeIris, 'id', 'type', 'scope']),
      omit: subset([...attributeIris, 'id', 'type', 'scope']),
      lang: fc.constantFrom('en', 'fr;q=0.5,de', '*', 'xx', ''),
      datasetIds: subset(['@none', ...datasetIds]),
    },
    { requiredKeys: ['format', 'sysAttrs'] },
  );
const anyFormat = fc.constantFrom<Format>('normalized', 'concise', 'keyValues');

function selectedCount(e: Entity, iri: string, o: RenderOptions): number {
  if (o.attrs && !o.attrs.has(iri)) return 0;
  if ((o.pick && !o.pick.has(iri)) || o.omit?.has(iri)) return 0;
  return e.attrs[iri].filter((a) => !o.datasetIds || o.datasetIds.has(a.datasetId ?? '@none')).length;
}

/** Visits every object member (key, value) of a JSON tree. */
function members(x: unknown, visit: (key: string, v: unknown) => void): void {
  if (Array.isArray(x)) x.forEach((v) => members(v, visit));
  else if (typeof x === 'object' && x !== null) {
    for (const [k, v] of Object.entries(x)) {
      visit(k, v);
      members(v, visit);
    }
  }
}

const isAttributeTyped = (v: unknown) =>
  typeof v === 'object' && v !== null && (attributeTypes as readonly unknown[]).includes((v as { type?: unknown }).type);

describe('renderEntity properties', () => {
  it('renderEntity should never throw and should give plain JSON when the entity is valid, whatever the options', () => {
    fc.assert(
      fc.property(entity, options(anyFormat), (e, o) => {
        const out = renderEntity(e, tm, o);
        assert.deepEqual(JSON.parse(JSON.stringify(out)), out);
        renderFeatureCollection([e], tm, { ...o, geometryProperty: LOCATION });
      }),
    );
  });

  it('renderEntity should contain exactly the selected attributes, as arrays when several instances remain, when format is normalized', () => {
    fc.assert(
      fc.property(entity, options(fc.constant<Format>('normalized')), (e, o) => {
        const out = renderEntity(e, tm, o);
        const expected = Object.keys(e.attrs).filter((iri) => selectedCount(e, iri, o) > 0);
        const actual = Object.keys(out).filter((k) => !entityMembers.has(k));
        assert.deepEqual(actual.sort(), expected.map((iri) => tm.compact(iri)).sort());
        for (const iri of expected) {
          const n = selectedCount(e, iri, o);
          const rendered = out[tm.compact(iri)];
          assert.equal(Array.isArray(rendered) ? rendered.length : 1, n);
        }
      }),
    );
  });

  it('renderEntity should give no attribute an NGSI-LD type member when format is keyValues', () => {
    fc.assert(
      fc.property(entity, options(fc.constant<Format>('keyValues')), (e, o) => {
        const out = renderEntity(e, tm, o);
        for (const [k, v] of Object.entries(out)) {
          if (entityMembers.has(k)) continue;
          const dataset = (v as { dataset?: object } | null)?.dataset ?? {};
          for (const x of [v, ...Object.values(dataset)]) assert.ok(!isAttributeTyped(x), `${k} carries an attribute type`);
        }
      }),
    );
  });

  it('renderEntity should drop every attribute type member and keep the same attribute names when format is concise', () => {
    fc.assert(
      fc.property(entity, options(fc.constant<Format>('concise')), (e, o) => {
        const out = renderEntity(e, tm, o);
        members(out, (_k, v) => assert.ok(!isAttributeTyped(v)));
        assert.deepEqual(Object.keys(out), Object.keys(renderEntity(e, tm, { ...o, format: 'normalized' })));
      }),
    );
  });

  it('renderEntity should include no timestamps when sysAttrs is off', () => {
    fc.assert(
      fc.property(entity, options(anyFormat), (e, o) => {
        members(renderEntity(e, tm, { ...o, sysAttrs: false }), (k) => {
          assert.ok(k !== 'createdAt' && k !== 'modifiedAt');
        });
      }),
    );
  });

  it('renderEntity should leave no languageMap when lang is given in a reified format', () => {
    fc.assert(
      fc.property(entity, options(fc.constantFrom<Format>('normalized', 'concise')), (e, o) => {
        members(renderEntity(e, tm, { ...o, lang: 'de' }), (k) => assert.notEqual(k, 'languageMap'));
      }),
    );
  });
});
