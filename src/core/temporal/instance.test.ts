import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Attribute, Entity } from '../entity/model.js';
import { appendAttributes, deleteAttribute, mergeEntity, replaceEntity, updateAttributes } from '../entity/ops.js';
import { aggregationFacts, deletionInstance, Kind, recordedInstances, typeBit, typesOf } from './instance.js';

const V = 'https://example.org/';
const t = (m: number) => new Date(Date.UTC(2024, 0, 1, 0, m)).toISOString();
const prop = (value: unknown, more: Partial<Attribute> = {}): Attribute => ({ type: 'Property', value, createdAt: t(0), modifiedAt: t(0), ...more });

function car(attrs: Entity['attrs']): Entity {
  return { id: 'urn:ngsi-ld:Car:1', types: [`${V}Car`], createdAt: t(0), modifiedAt: t(0), attrs };
}

const summary = (xs: ReturnType<typeof recordedInstances>) => xs.map((x) => [x.attr.slice(V.length), x.instance.value ?? x.instance.object, x.instance.deletedAt ?? null]);

describe('recordedInstances (clauses 4.5.7, 4.5.8)', () => {
  const before = car({ [`${V}a`]: [prop(1)], [`${V}b`]: [prop(2), prop(3, { datasetId: 'urn:ds:1' })] });

  it('recordedInstances should give every instance when the entity is created', () => {
    assert.deepEqual(summary(recordedInstances(undefined, before, t(9))), [['a', 1, null], ['b', 2, null], ['b', 3, null]]);
  });

  it('recordedInstances should give only what an update changed when the other instances are untouched', () => {
    const after = updateAttributes(before, { [`${V}a`]: [prop(10)] }, t(5)).entity;
    assert.deepEqual(summary(recordedInstances(before, after, t(9))), [['a', 10, null]]);
    const appended = appendAttributes(before, { [`${V}c`]: [prop(4)] }, { noOverwrite: false, now: t(6) }).entity;
    assert.deepEqual(summary(recordedInstances(before, appended, t(9))), [['c', 4, null]]);
    const merged = mergeEntity(before, { attrs: { [`${V}b`]: [{ type: 'Property', value: 20 }] } }, t(7));
    assert.deepEqual(summary(recordedInstances(before, merged, t(9))), [['b', 20, null]]);
  });

  it('recordedInstances should give deletion instances at the write time when instances are removed', () => {
    const r = deleteAttribute(before, `${V}b`, { deleteAll: true, now: t(5) });
    assert.ok(r.ok);
    const recorded = recordedInstances(before, r.value, t(9));
    assert.deepEqual(summary(recorded), [['b', 'urn:ngsi-ld:null', t(5)], ['b', 'urn:ngsi-ld:null', t(5)]]);
    assert.equal(recorded[1].instance.datasetId, 'urn:ds:1');
    const replaced = replaceEntity(before, car({ [`${V}a`]: [prop(7)] }), t(6));
    assert.deepEqual(summary(recordedInstances(before, replaced, t(9))), [['a', 7, null], ['b', 'urn:ngsi-ld:null', t(6)], ['b', 'urn:ngsi-ld:null', t(6)]]);
  });

  it('recordedInstances should give a deletion instance per instance at the given time when the entity is deleted', () => {
    assert.deepEqual(summary(recordedInstances(before, undefined, t(9))).map((x) => x[2]), [t(9), t(9), t(9)]);
  });

  it('recordedInstances should record a change written in the same millisecond when the content differs', () => {
    const same = car({ [`${V}a`]: [prop(1)] });
    const changed = car({ [`${V}a`]: [prop(2)] });
    assert.equal(recordedInstances(same, changed, t(9)).length, 1);
    assert.equal(recordedInstances(same, car({ [`${V}a`]: [prop(1)] }), t(9)).length, 0);
  });
});

describe('deletionInstance (clause 4.5.7)', () => {
  it('deletionInstance should hold the NGSI-LD Null in the content member of each attribute type', () => {
    const at = t(3);
    assert.deepEqual(deletionInstance({ type: 'Relationship', object: 'urn:x', createdAt: t(1) }, at), { type: 'Relationship', object: 'urn:ngsi-ld:null', modifiedAt: at, deletedAt: at, createdAt: t(1) });
    assert.deepEqual(deletionInstance({ type: 'LanguageProperty', languageMap: { en: 'x' } }, at).languageMap, { '@none': 'urn:ngsi-ld:null' });
    assert.deepEqual(deletionInstance({ type: 'ListProperty', valueList: [1] }, at).valueList, ['urn:ngsi-ld:null']);
    assert.deepEqual(deletionInstance({ type: 'ListRelationship', objectList: [{ object: 'urn:x' }] }, at).objectList, [{ object: 'urn:ngsi-ld:null' }]);
  });
});

describe('aggregationFacts (clause 4.5.19.1)', () => {
  it('aggregationFacts should classify values as the tables of clause 4.5.19.1 do', () => {
    const p = typeBit('Property');
    assert.deepEqual(aggregationFacts(prop(2.5), false), { kind: Kind.number | p, num: 2.5 });
    assert.deepEqual(aggregationFacts(prop(true), false), { kind: Kind.number | p, num: 1 });
    assert.deepEqual(aggregationFacts(prop([1, 2, 3]), false), { kind: Kind.array | p, num: 3 });
    assert.deepEqual(aggregationFacts(prop('2024-01-01T00:00:00Z'), false), { kind: Kind.dateTime | p, num: Date.UTC(2024, 0, 1), txt: '2024-01-01T00:00:00Z' });
    assert.deepEqual(aggregationFacts(prop({ '@type': 'DateTime', '@value': '2024-01-01T00:00:00Z' }), false).kind, Kind.dateTime | p);
    assert.deepEqual(aggregationFacts(prop('2024-01-01'), false), { kind: Kind.string | p, txt: '2024-01-01' });
    assert.deepEqual(aggregationFacts(prop({ a: 1 }), false), { kind: Kind.other | p });
    assert.deepEqual(aggregationFacts({ type: 'Relationship', object: 'urn:x' }, false), { kind: Kind.relationship | typeBit('Relationship') });
    assert.deepEqual(aggregationFacts({ type: 'ListProperty', valueList: [1, 2] }, false), { kind: Kind.array | typeBit('ListProperty'), num: 2 });
    assert.deepEqual(aggregationFacts({ type: 'GeoProperty', value: { type: 'Point', coordinates: [0, 0] } }, false).kind, Kind.other | typeBit('GeoProperty'));
    assert.deepEqual(aggregationFacts(prop(1), true), { kind: Kind.deleted | p });
  });

  it('aggregationFacts should never throw and give one value kind and one type when given any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const f = aggregationFacts(prop(v), false);
        assert.deepEqual(typesOf(f.kind), ['Property']);
        const kinds = f.kind & 127;
        assert.equal(kinds & (kinds - 1), 0, 'exactly one value kind');
        if (f.num !== undefined) assert.ok(Number.isFinite(f.num));
      }),
    );
  });
});
