import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { builtInContext } from '../context/core-contexts.js';
import { compileContext } from '../context/termmap.js';
import { type Attribute, type Entity, LOCATION } from './model.js';
import { type GeoJsonOptions, renderEntity, renderFeature, renderFeatureCollection, type RenderOptions } from './render.js';

const D = 'https://uri.etsi.org/ngsi-ld/default-context/';
const EX = 'https://example.org/';
const T1 = '2024-01-01T00:00:00Z';
const T2 = '2024-01-02T00:00:00Z';

const tm = await compileContext(
  [{ ex: EX, Vehicle: `${EX}Vehicle`, brandName: `${EX}brandName` }],
  async (u) => builtInContext(u) ?? Promise.reject(new Error(u)),
);

const fixtures = new URL('../../../test/fixtures/render/', import.meta.url);
const readJson = (path: string): unknown => JSON.parse(readFileSync(new URL(path, fixtures), 'utf8'));
const storedEntity = (name: string) => readJson(`entities/${name}`) as Entity;

interface FixtureCase {
  title: string;
  render?: 'entity' | 'feature' | 'collection';
  entity?: string;
  entities?: string[];
  options: Record<string, unknown>;
  expected: unknown;
}

const setMembers = ['attrs', 'pick', 'omit', 'datasetIds'] as const;

function optionsOf(raw: Record<string, unknown>): GeoJsonOptions {
  const o = { geometryProperty: LOCATION, ...raw } as Record<string, unknown>;
  for (const k of setMembers) if (Array.isArray(o[k])) o[k] = new Set(o[k] as string[]);
  return o as unknown as GeoJsonOptions;
}

describe('render fixtures (test/fixtures/render/cases)', () => {
  for (const file of readdirSync(new URL('cases/', fixtures)).sort()) {
    const c = readJson(`cases/${file}`) as FixtureCase;
    it(`${c.title} [${file}]`, () => {
      const o = optionsOf(c.options);
      const actual =
        c.render === 'collection'
          ? renderFeatureCollection((c.entities ?? []).map(storedEntity), tm, o)
          : c.render === 'feature'
            ? renderFeature(storedEntity(c.entity ?? ''), tm, o)
            : renderEntity(storedEntity(c.entity ?? ''), tm, o);
      assert.deepEqual(actual, c.expected);
    });
  }
});

const plain = (attrs: Record<string, Attribute[]>, extra: Partial<Entity> = {}): Entity => ({
  id: 'urn:ngsi-ld:Thing:1',
  types: [`${D}Thing`],
  createdAt: T1,
  modifiedAt: T2,
  attrs,
  ...extra,
});
const prop = (value: unknown, extra: Partial<Attribute> = {}): Attribute => ({
  type: 'Property',
  value,
  createdAt: T1,
  modifiedAt: T2,
  ...extra,
});
const normalized: RenderOptions = { format: 'normalized', sysAttrs: false };
const concise: RenderOptions = { format: 'concise', sysAttrs: false };
const keyValues: RenderOptions = { format: 'keyValues', sysAttrs: false };

describe('renderEntity lang (clause 4.15)', () => {
  const vehicle = storedEntity('vehicle.json');

  it('renderEntity should pick some language with its lang member when lang is *', () => {
    const out = renderEntity(vehicle, tm, { ...normalized, lang: '*' });
    assert.deepEqual(out.street, { type: 'Property', value: 'Grand Place', lang: 'fr' });
  });

  it('renderEntity should give the bare string when format is keyValues and lang matches', () => {
    assert.equal(renderEntity(vehicle, tm, { ...keyValues, lang: 'nl' }).street, 'Grote Markt');
  });

  it('renderEntity should prefer the higher q weight over list position when lang has weights', () => {
    const out = renderEntity(vehicle, tm, { ...concise, lang: 'fr;q=0.2,nl;q=0.9' });
    assert.deepEqual(out.street, { value: 'Grote Markt', lang: 'nl' });
  });

  it('renderEntity should convert each instance when a LanguageProperty has several instances', () => {
    const e = plain({
      [`${D}label`]: [
        { type: 'LanguageProperty', languageMap: { en: 'a', de: 'b' } },
        { type: 'LanguageProperty', languageMap: { de: 'c' }, datasetId: 'urn:ds:1' },
      ],
    });
    assert.deepEqual(renderEntity(e, tm, { ...keyValues, lang: 'en' }).label, { dataset: { '@none': 'a', 'urn:ds:1': 'c' } });
  });

  it('renderEntity should leave VocabProperties and Properties untouched when lang is given', () => {
    const e = plain({ [`${D}n`]: [prop('x')], [`${D}v`]: [{ type: 'VocabProperty', vocab: `${D}term` }] });
    assert.deepEqual(renderEntity(e, tm, { ...normalized, lang: 'en' }), {
      id: e.id,
      type: 'Thing',
      n: { type: 'Property', value: 'x' },
      v: { type: 'VocabProperty', vocab: 'term' },
    });
  });
});

describe('renderEntity concise (clauses 4.5.x.3)', () => {
  it('renderEntity should keep the value object when a concise Property holds an array', () => {
    const e = plain({ [`${D}list`]: [prop([1, 2])] });
    assert.deepEqual(renderEntity(e, tm, concise).list, { value: [1, 2] });
  });

  it('renderEntity should not reduce to a bare geometry when a plain Property holds a geometry-shaped value', () => {
    const point = { type: 'Point', coordinates: [1, 2] };
    const e = plain({ [`${D}shape`]: [prop(point)] });
    assert.deepEqual(renderEntity(e, tm, concise).shape, { value: point });
  });

  it('renderEntity should keep value objects for every instance when a concise attribute has several instances', () => {
    const e = plain({ [`${D}n`]: [prop(1), prop(2, { datasetId: 'urn:ds:1' })] });
    assert.deepEqual(renderEntity(e, tm, concise).n, [{ value: 1 }, { value: 2, datasetId: 'urn:ds:1' }]);
  });

  it('renderEntity should keep the value object when a GeoProperty holds no valid geometry', () => {
    const e = plain({ [LOCATION]: [{ type: 'GeoProperty', value: { type: 'Point' } }] });
    assert.deepEqual(renderEntity(e, tm, concise).location, { value: { type: 'Point' } });
  });

  it('renderEntity should keep a bare sub-attribute value inside a concise object when the parent has metadata', () => {
    const e = plain({ [`${D}n`]: [prop(1, { unitCode: 'MTR', [`${D}src`]: prop('gps') })] });
    assert.deepEqual(renderEntity(e, tm, concise).n, { value: 1, unitCode: 'MTR', src: 'gps' });
  });
});

describe('renderEntity members and filters', () => {
  it('renderEntity should render a sole non-default instance as a bare value when format is keyValues', () => {
    const e = plain({ [`${D}n`]: [prop(7, { datasetId: 'urn:ds:1' })] });
    assert.equal(renderEntity(e, tm, keyValues).n, 7);
  });

  it('renderEntity should keep a multi-object Relationship as its object array when format is keyValues', () => {
    const e = plain({ [`${D}r`]: [{ type: 'Relationship', object: ['urn:a:1', 'urn:a:2'] }] });
    assert.deepEqual(renderEntity(e, tm, keyValues).r, ['urn:a:1', 'urn:a:2']);
  });

  it('renderEntity should leave out an attribute when the datasetId filter removes all its instances', () => {
    const e = plain({ [`${D}n`]: [prop(1)], [`${D}m`]: [prop(2, { datasetId: 'urn:ds:1' })] });
    const out = renderEntity(e, tm, { ...normalized, datasetIds: new Set(['urn:ds:1']) });
    assert.deepEqual(Object.keys(out), ['id', 'type', 'm']);
  });

  it('renderEntity should drop entity timestamps too when pick does not list them', () => {
    const e = plain({ [`${D}n`]: [prop(1)] });
    assert.deepEqual(renderEntity(e, tm, { ...normalized, sysAttrs: true, pick: new Set(['id', 'modifiedAt']) }), {
      id: e.id,
      modifiedAt: T2,
    });
  });

  it('renderEntity should omit id when omit lists id', () => {
    const e = plain({});
    assert.deepEqual(renderEntity(e, tm, { ...keyValues, omit: new Set(['id']) }), { type: 'Thing' });
  });

  it('renderEntity should keep non-reified sub-properties as stored when an attribute carries them', () => {
    // Like entityIdSealed in ngsildproof (clause 4.5.2.2): a sub-property that is a plain string, not an Attribute.
    const e = plain({ [`${D}proof`]: [prop({ proofValue: 'z' }, { [`${D}sealedId`]: 'urn:ngsi-ld:Thing:1' })] });
    assert.deepEqual(renderEntity(e, tm, normalized).proof, {
      type: 'Property',
      value: { proofValue: 'z' },
      sealedId: 'urn:ngsi-ld:Thing:1',
    });
  });

  it('renderEntity should pass previous values through and compact previousVocab when they are stored', () => {
    const e = plain({
      [`${D}v`]: [{ type: 'VocabProperty', vocab: `${D}b`, previousVocab: `${D}a` }],
      [`${D}n`]: [prop(2, { previousValue: 1 })],
    });
    const out = renderEntity(e, tm, normalized);
    assert.deepEqual(out.v, { type: 'VocabProperty', vocab: 'b', previousVocab: 'a' });
    assert.deepEqual(out.n, { type: 'Property', value: 2, previousValue: 1 });
  });

  it('renderEntity should not change the stored entity when it renders it', () => {
    const e = storedEntity('vehicle.json');
    const before = structuredClone(e);
    renderEntity(e, tm, { ...concise, sysAttrs: true, lang: 'fr' });
    renderFeature(e, tm, { ...keyValues, geometryProperty: LOCATION });
    assert.deepEqual(e, before);
  });
});

describe('renderFeature geometry (clause 4.5.16.1)', () => {
  const geo = { ...normalized, geometryProperty: LOCATION };
  const point = { type: 'Point', coordinates: [1, 2] };

  it('renderFeature should give null geometry when the geometry property is not a GeoProperty', () => {
    const e = plain({ [LOCATION]: [prop(point)] });
    assert.equal(renderFeature(e, tm, geo).geometry, null);
  });

  it('renderFeature should use the sole instance when it has a datasetId', () => {
    const e = plain({ [LOCATION]: [{ type: 'GeoProperty', value: point, datasetId: 'urn:ds:1' }] });
    assert.deepEqual(renderFeature(e, tm, geo).geometry, point);
  });

  it('renderFeature should give null geometry when several instances have no default one', () => {
    const e = plain({
      [LOCATION]: [
        { type: 'GeoProperty', value: point, datasetId: 'urn:ds:1' },
        { type: 'GeoProperty', value: point, datasetId: 'urn:ds:2' },
      ],
    });
    assert.equal(renderFeature(e, tm, geo).geometry, null);
  });

  it('renderFeature should accept a GeometryCollection as geometry', () => {
    const collection = { type: 'GeometryCollection', geometries: [point] };
    const e = plain({ [LOCATION]: [{ type: 'GeoProperty', value: collection }] });
    assert.deepEqual(renderFeature(e, tm, geo).geometry, collection);
  });
});
