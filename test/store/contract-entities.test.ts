/**
 * Store contract, entity rows (src/store/port.ts EntityTx and getEntity), run on every engine: what insert,
 * update, delete and getForUpdate return and leave behind, and that an entity comes back exactly as written
 * whatever it holds (every attribute kind, sub-attributes, datasetIds, unicode, extreme numbers, every GeoJSON
 * geometry with altitude, scope). Each test works in a tenant of its own, so tests never see each other's rows.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { Attribute, Entity } from '../../src/core/entity/model.js';
import { LOCATION } from '../../src/core/entity/model.js';
import { forEachEngine } from '../support/engines.js';

const V = 'https://example.org/vocab#';
const T1 = '2024-01-02T03:04:05.678Z';
const T2 = '2025-06-07T08:09:10.111Z';

const tenant = () => `contract-${randomUUID()}`;

function entity(id: string, attrs: Entity['attrs'] = {}, types = [`${V}Room`]): Entity {
  return { id, types, createdAt: T1, modifiedAt: T1, attrs };
}

const prop = (value: unknown, more: Partial<Attribute> = {}): Attribute[] => [{ type: 'Property', value, ...more }];

/** One entity holding every attribute kind of clause 4.5 and the values JSON storage most often gets wrong. */
const rich: Entity = {
  id: 'urn:ngsi-ld:Bâtiment:東京-🌼-Ω',
  types: [`${V}Building`, `${V}Shop`, `${V}Gebäude`],
  scope: ['/Madrid/Gran_Via', '/España/中心'],
  createdAt: T1,
  modifiedAt: T2,
  attrs: {
    [`${V}temperature`]: [
      {
        type: 'Property',
        value: 21.5,
        unitCode: 'CEL',
        observedAt: T2,
        createdAt: T1,
        modifiedAt: T2,
        [`${V}accuracy`]: { type: 'Property', value: 0.25, [`${V}method`]: { type: 'Property', value: 'probe' } },
        [`${V}measuredBy`]: { type: 'Relationship', object: 'urn:ngsi-ld:Sensor:1' },
      },
      { type: 'Property', value: 22, datasetId: 'urn:ngsi-ld:Dataset:sensor-2' },
      { type: 'Property', value: 23, datasetId: 'urn:ngsi-ld:Dataset:sensor-3', observedAt: T1 },
    ],
    [`${V}numbers`]: prop({
      maxSafe: Number.MAX_SAFE_INTEGER,
      minSafe: Number.MIN_SAFE_INTEGER,
      maxValue: Number.MAX_VALUE,
      minValue: Number.MIN_VALUE,
      beyondSafe: 2 ** 60,
      exponent: 1e21,
      negativeTiny: -1.5e-300,
      inexact: 0.1 + 0.2,
      longFraction: 3.141592653589793,
      zero: 0,
    }),
    [`${V}texts`]: prop([
      'ñandú',
      '👩‍👩‍👧 family',
      '東京都',
      'مرحبا',
      'e\u0301 (combining) vs é',
      'line\u2028separator\u2029',
      'quotes " \' and \\ backslash',
      'tab\tnewline\n',
      '',
      '\u{10FFFF}',
    ]),
    [`${V}ключ-ünïcode`]: prop({ 'clé-ключ': { '😀': true, '': false }, nested: [[[]], {}, null] }),
    [`${V}owner`]: [
      { type: 'Relationship', object: 'urn:ngsi-ld:Person:alice', objectType: `${V}Person` },
      { type: 'Relationship', object: ['urn:ngsi-ld:Person:bob', 'urn:ngsi-ld:Person:carol'], datasetId: 'urn:ngsi-ld:Dataset:co' },
    ],
    [`${V}name`]: [{ type: 'LanguageProperty', languageMap: { en: 'Town hall', fr: "Hôtel de ville", 'zh-Hans': '市政厅', ar: ['قاعة', 'المدينة'] } }],
    [`${V}category`]: [{ type: 'VocabProperty', vocab: [`${V}Public`, `${V}Historic`] }],
    [`${V}config`]: [{ type: 'JsonProperty', json: { z: 1, a: [1, 'two', null, { deep: { deeper: [true] } }], '@id': 'not-expanded' } }],
    [`${V}readings`]: [{ type: 'ListProperty', valueList: [1, 'two', { three: 3 }, [4, [5]], false] }],
    [`${V}visits`]: [{ type: 'ListRelationship', objectList: [{ object: 'urn:ngsi-ld:Visit:1' }, { object: 'urn:ngsi-ld:Visit:2' }] }],
    [LOCATION]: [
      { type: 'GeoProperty', value: { type: 'Point', coordinates: [139.6917, 35.6895, 40.5] } },
      { type: 'GeoProperty', value: { type: 'Point', coordinates: [2.35, 48.85] }, datasetId: 'urn:ngsi-ld:Dataset:old' },
    ],
  },
};

/** Every GeoJSON geometry type (RFC 7946 clause 3.1), each with a third (altitude) coordinate. */
const geometries = [
  { type: 'Point', coordinates: [2.35, 48.85, 35] },
  { type: 'MultiPoint', coordinates: [[2.35, 48.85, 35], [2.36, 48.86, -10.5]] },
  { type: 'LineString', coordinates: [[2.35, 48.85, 1], [2.36, 48.86, 2], [2.37, 48.84, 3]] },
  { type: 'MultiLineString', coordinates: [[[2.35, 48.85, 1], [2.36, 48.86, 2]], [[2.30, 48.80, 0], [2.31, 48.81, 0]]] },
  {
    type: 'Polygon',
    coordinates: [
      [[2.3, 48.8, 10], [2.4, 48.8, 10], [2.4, 48.9, 12], [2.3, 48.9, 12], [2.3, 48.8, 10]],
      [[2.33, 48.83, 10], [2.34, 48.83, 10], [2.34, 48.84, 10], [2.33, 48.83, 10]],
    ],
  },
  {
    type: 'MultiPolygon',
    coordinates: [
      [[[2.3, 48.8, 1], [2.31, 48.8, 1], [2.31, 48.81, 1], [2.3, 48.8, 1]]],
      [[[2.5, 48.5, 2], [2.51, 48.5, 2], [2.51, 48.51, 2], [2.5, 48.5, 2]]],
    ],
  },
  {
    type: 'GeometryCollection',
    geometries: [
      { type: 'Point', coordinates: [2.35, 48.85, 100] },
      { type: 'LineString', coordinates: [[2.35, 48.85, 0], [2.36, 48.86, 5]] },
      { type: 'Polygon', coordinates: [[[2.3, 48.8, 0], [2.31, 48.8, 0], [2.31, 48.81, 0], [2.3, 48.8, 0]]] },
    ],
  },
];

forEachEngine('Store contract: entity rows', (_engine, store) => {
  it('insert should return the ids it inserted when none of them existed', async () => {
    const t = tenant();
    const inserted = await store().write(t, (tx) => tx.insert([entity('urn:a:1'), entity('urn:a:2'), entity('urn:a:3')]));
    assert.deepEqual(inserted, new Set(['urn:a:1', 'urn:a:2', 'urn:a:3']));
  });

  it('insert should neither overwrite nor return an id that already exists', async () => {
    const t = tenant();
    const first = entity('urn:a:1', { [`${V}v`]: prop('first') });
    await store().write(t, (tx) => tx.insert([first]));
    const second = entity('urn:a:1', { [`${V}w`]: prop('second') }, [`${V}Other`]);
    const inserted = await store().write(t, (tx) => tx.insert([second, entity('urn:a:2')]));
    assert.deepEqual(inserted, new Set(['urn:a:2']));
    assert.deepEqual(await store().getEntity(t, 'urn:a:1'), first);
  });

  it('insert should return an empty set when given no entities', async () => {
    assert.deepEqual(await store().write(tenant(), (tx) => tx.insert([])), new Set());
  });

  it('insert should write 5,000 entities when they come in one call', async () => {
    const t = tenant();
    const many = Array.from({ length: 5000 }, (_, i) =>
      entity(`urn:bulk:${String(i).padStart(5, '0')}`, { [`${V}n`]: prop(i), [LOCATION]: [{ type: 'GeoProperty', value: { type: 'Point', coordinates: [i / 100, i / 200] } }] }),
    );
    const inserted = await store().write(t, (tx) => tx.insert(many));
    assert.equal(inserted.size, 5000);
    const { count } = await store().queryEntities(t, { limit: 0, offset: 0, count: true });
    assert.equal(count, 5000);
    assert.deepEqual(await store().getEntity(t, 'urn:bulk:04321'), many[4321]);
  });

  it('create should give each concurrent create its own outcome when they share transactions', async () => {
    const t = tenant();
    const ids = Array.from({ length: 40 }, (_, i) => `urn:c:${i % 30}`);
    const outcomes = await Promise.all(ids.map((id, i) => store().create(t, entity(id, { [`${V}n`]: prop(i) }))));
    // Ten ids come twice, in concurrent creates: exactly one of the two creates the entity, and what is stored
    // is what that one wrote.
    for (let k = 0; k < 30; k++) {
      const mine = ids.flatMap((id, i) => (id === `urn:c:${k}` ? [i] : []));
      const winners = mine.filter((i) => outcomes[i]);
      assert.equal(winners.length, 1, `urn:c:${k}`);
      assert.deepEqual(await store().getEntity(t, `urn:c:${k}`), entity(`urn:c:${k}`, { [`${V}n`]: prop(winners[0]) }));
    }
    const { count } = await store().queryEntities(t, { limit: 0, offset: 0, count: true });
    assert.equal(count, 30);
  });

  it('create should fail only the create the database refuses when it shares a transaction with others', async () => {
    const t = tenant();
    // PostgreSQL's jsonb refuses the NUL character: a data error of one row fails the whole shared statement.
    const bad = entity('urn:c:bad', { [`${V}s`]: prop('a\u0000b') });
    // Twelve at once: the first few start transactions of their own, the rest (the bad one among them) share one.
    const good = Array.from({ length: 11 }, (_, i) => entity(`urn:c:${String(i).padStart(2, '0')}`));
    const all = [...good.slice(0, 9), bad, ...good.slice(9)];
    const settled = await Promise.allSettled(all.map((e) => store().create(t, e)));
    assert.deepEqual(
      settled.map((s) => s.status),
      all.map((e) => (e === bad ? 'rejected' : 'fulfilled')),
    );
    assert.ok(settled.every((s) => s.status === 'rejected' || s.value === true));
    const stored = (await store().queryEntities(t, { limit: 20, offset: 0, count: false })).entities.map((e) => e.id);
    assert.deepEqual(stored, good.map((e) => e.id));
  });

  it('getEntity should return the entity exactly as written when it holds every attribute kind', async () => {
    const t = tenant();
    await store().write(t, (tx) => tx.insert([rich]));
    assert.deepEqual(await store().getEntity(t, rich.id), rich);
  });

  it('getEntity should return a GeoProperty exactly as written when it is any GeoJSON geometry with altitude', async () => {
    const t = tenant();
    const located = geometries.map((g, i) =>
      entity(`urn:geo:${g.type}`, { [LOCATION]: [{ type: 'GeoProperty', value: g }], [`${V}other`]: [{ type: 'GeoProperty', value: geometries[(i + 1) % geometries.length] }] }),
    );
    const inserted = await store().write(t, (tx) => tx.insert(located));
    assert.equal(inserted.size, geometries.length);
    for (const e of located) assert.deepEqual(await store().getEntity(t, e.id), e, e.id);
  });

  it('queryEntities should find an entity by its location when the location is any GeoJSON geometry with altitude', async () => {
    const t = tenant();
    const located = geometries.map((g) => entity(`urn:geo:${g.type}`, { [LOCATION]: [{ type: 'GeoProperty', value: g }] }));
    const elsewhere = entity('urn:geo:only-in-a-dataset', {
      [LOCATION]: [{ type: 'GeoProperty', value: geometries[0], datasetId: 'urn:ngsi-ld:Dataset:d' }],
    });
    await store().write(t, (tx) => tx.insert([...located, elsewhere]));
    const around = (coordinates: number[][][]) =>
      store().queryEntities(t, { geo: { georel: { relation: 'intersects' }, geometry: { type: 'Polygon', coordinates }, geoproperty: LOCATION }, limit: 20, offset: 0, count: false });
    const paris = await around([[[2, 48], [3, 48], [3, 49], [2, 49], [2, 48]]]);
    assert.deepEqual(
      paris.entities.map((e) => e.id),
      located.map((e) => e.id).sort(),
      'every geometry type is located, and only the default instance (no datasetId) counts as the location',
    );
    assert.deepEqual((await around([[[100, 10], [101, 10], [101, 11], [100, 11], [100, 10]]])).entities, []);
  });

  it('getEntity should return undefined when the id does not exist', async () => {
    const t = tenant();
    await store().write(t, (tx) => tx.insert([entity('urn:a:1')]));
    assert.equal(await store().getEntity(t, 'urn:a:2'), undefined);
    assert.equal(await store().getEntity(t, 'urn:a:'), undefined);
  });

  it('update should overwrite every field when the entity exists', async () => {
    const t = tenant();
    await store().write(t, (tx) => tx.insert([rich]));
    const replaced: Entity = {
      id: rich.id,
      types: [`${V}Museum`],
      createdAt: T2,
      modifiedAt: '2026-01-01T00:00:00.000Z',
      attrs: { [`${V}visitors`]: prop(12, { datasetId: 'urn:ngsi-ld:Dataset:gate' }) },
    };
    await store().write(t, (tx) => tx.update([replaced]));
    assert.deepEqual(await store().getEntity(t, rich.id), replaced, 'no member of the old entity (scope, location…) survives');
    const byOldType = await store().queryEntities(t, { type: { kind: 'type', iri: `${V}Building` }, limit: 10, offset: 0, count: true });
    assert.equal(byOldType.count, 0, 'the selection columns follow the new document');
    const byNewAttr = await store().queryEntities(t, { attrs: [`${V}visitors`], type: { kind: 'type', iri: `${V}Museum` }, limit: 10, offset: 0, count: false });
    assert.deepEqual(byNewAttr.entities, [replaced]);
  });

  it('update should leave other entities untouched and create nothing when an id does not exist', async () => {
    const t = tenant();
    const other = entity('urn:a:other', { [`${V}v`]: prop(1) });
    await store().write(t, (tx) => tx.insert([other]));
    await store().write(t, (tx) => tx.update([entity('urn:a:ghost', { [`${V}v`]: prop(2) })]));
    assert.equal(await store().getEntity(t, 'urn:a:ghost'), undefined);
    assert.deepEqual(await store().getEntity(t, other.id), other);
  });

  it('delete should return the ids that existed and remove them when some ids do not exist', async () => {
    const t = tenant();
    await store().write(t, (tx) => tx.insert([entity('urn:a:1'), entity('urn:a:2'), entity('urn:a:3')]));
    const deleted = await store().write(t, (tx) => tx.delete(['urn:a:3', 'urn:a:missing', 'urn:a:1']));
    assert.deepEqual(deleted, new Set(['urn:a:1', 'urn:a:3']));
    assert.equal(await store().getEntity(t, 'urn:a:1'), undefined);
    assert.equal(await store().getEntity(t, 'urn:a:3'), undefined);
    assert.deepEqual(await store().getEntity(t, 'urn:a:2'), entity('urn:a:2'));
    assert.deepEqual(await store().write(t, (tx) => tx.delete(['urn:a:1'])), new Set(), 'a second delete finds nothing');
  });

  it('insert should write an id again when it was deleted', async () => {
    const t = tenant();
    await store().write(t, (tx) => tx.insert([entity('urn:a:1', { [`${V}v`]: prop(1) })]));
    const again = entity('urn:a:1', { [`${V}v`]: prop(2) });
    const inserted = await store().write(t, async (tx) => {
      await tx.delete(['urn:a:1']);
      return tx.insert([again]);
    });
    assert.deepEqual(inserted, new Set(['urn:a:1']));
    assert.deepEqual(await store().getEntity(t, 'urn:a:1'), again);
  });

  it('getForUpdate should return only the entities that exist, keyed by id', async () => {
    const t = tenant();
    const a = entity('urn:a:1', { [`${V}v`]: prop(1) });
    const b = entity('urn:a:2', { [`${V}v`]: prop(2) });
    await store().write(t, (tx) => tx.insert([a, b]));
    const found = await store().write(t, (tx) => tx.getForUpdate(['urn:a:2', 'urn:a:missing', 'urn:a:1']));
    assert.deepEqual(found, new Map([[a.id, a], [b.id, b]]));
    assert.deepEqual(await store().write(t, (tx) => tx.getForUpdate([])), new Map());
  });

  it('getForUpdate should see what the same transaction wrote before it', async () => {
    const t = tenant();
    const e = entity('urn:a:1', { [`${V}v`]: prop(1) });
    const seen = await store().write(t, async (tx) => {
      await tx.insert([e]);
      return tx.getForUpdate([e.id]);
    });
    assert.deepEqual(seen.get(e.id), e);
  });
});
