/** Property-based tests of the entity mutation operations (fast-check). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NGSI_LD_NULL, type Attribute, type Entity } from './model.js';
import {
  appendAttributes,
  deleteAttribute,
  mergeEntity,
  partialAttributeUpdate,
  replaceAttribute,
  replaceEntity,
  updateAttributes,
  upsertUpdate,
} from './ops.js';
import { EX, NOW, deepFreeze, entity, stamp } from './ops-fixtures.test-util.js';

const IRIS = ['a', 'b', 'c', 'd'].map((n) => `${EX}${n}`);
const SUBS = [`${EX}s1`, `${EX}s2`];
const DATASETS = [undefined, 'urn:ds:1', 'urn:ds:2'];
type Attrs = Record<string, Attribute[]>;

const scalar = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.boolean());
/** Values, with NGSI-LD Null members inside objects when `nulls` (merge-patch deletions). */
const valueArb = (nulls: boolean) =>
  fc.oneof(
    scalar,
    fc.array(scalar, { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('x', 'y', 'z'), nulls ? fc.oneof(scalar, fc.constant(NGSI_LD_NULL)) : scalar, { maxKeys: 3, noNullPrototype: true }),
  );

const subAttrArb = (nulls: boolean) =>
  fc.record({ type: fc.constant('Property' as const), value: nulls ? fc.oneof(scalar, fc.constant(NGSI_LD_NULL)) : scalar });

/** One attribute instance without timestamps; `nulls` allows NGSI-LD Null markers (fragments only). */
const instanceArb = (nulls: boolean) =>
  fc
    .record(
      {
        body: fc.oneof(
          fc.record({ type: fc.constant('Property' as const), value: valueArb(nulls) }),
          fc.record({ type: fc.constant('Relationship' as const), object: fc.constantFrom('urn:x:1', 'urn:x:2') }),
          ...(nulls ? [fc.constant({ type: 'Property' as const, value: NGSI_LD_NULL })] : []),
        ),
        datasetId: fc.constantFrom(...DATASETS),
        unitCode: fc.option(fc.constantFrom('CEL', 'KMH'), { nil: undefined }),
        subs: fc.dictionary(fc.constantFrom(...SUBS), subAttrArb(nulls), { maxKeys: 2, noNullPrototype: true }),
      },
      { requiredKeys: ['body', 'datasetId', 'subs'], noNullPrototype: true },
    )
    .map(({ body, datasetId, unitCode, subs }) => {
      const a: Partial<Attribute> = { ...body, ...subs };
      if (datasetId !== undefined) a.datasetId = datasetId;
      if (unitCode !== undefined) a.unitCode = unitCode;
      return a;
    });

const instancesArb = (nulls: boolean) =>
  fc.uniqueArray(instanceArb(nulls), { minLength: 1, maxLength: 3, selector: (a) => a.datasetId ?? '' });

const attrsArb = (nulls: boolean, at: string): fc.Arbitrary<Attrs> =>
  fc
    .record(Object.fromEntries(IRIS.map((iri) => [iri, instancesArb(nulls)])), { requiredKeys: [], noNullPrototype: true })
    .map((r) => Object.fromEntries(Object.entries(r).map(([iri, list]) => [iri, (list ?? []).map((a) => stamp(a, at))])));

const T_STORED = '2024-01-01T00:00:00.000Z';
const storedEntityArb = fc
  .record({ attrs: attrsArb(false, T_STORED), scope: fc.boolean() })
  .map(({ attrs, scope }) => entity(attrs, scope ? { scope: ['/s'] } : {}));
const fragmentArb = (nulls: boolean) => attrsArb(nulls, NOW);
const typesArb = fc.option(fc.subarray([`${EX}Vehicle`, `${EX}Car`, `${EX}Bus`]), { nil: undefined });

/** The outcome of each entity-level operation that writes a fragment. */
const writers: Record<string, (e: Entity, f: Attrs) => Entity> = {
  append: (e, f) => appendAttributes(e, f, { noOverwrite: false, now: NOW }).entity,
  appendNoOverwrite: (e, f) => appendAttributes(e, f, { noOverwrite: true, now: NOW }).entity,
  update: (e, f) => updateAttributes(e, f, NOW).entity,
  merge: (e, f) => mergeEntity(e, { attrs: f }, NOW),
};

function findInstance(attrs: Attrs, iri: string, datasetId: string | undefined): Attribute | undefined {
  return attrs[iri]?.find((a) => a.datasetId === datasetId);
}

describe('entity operations (properties)', () => {
  it('every operation should leave its inputs unchanged when given any entity and fragment', () => {
    fc.assert(
      fc.property(storedEntityArb, fragmentArb(true), typesArb, (e, f, types) => {
        const before = structuredClone({ e, f });
        deepFreeze(e);
        deepFreeze(f);
        for (const write of Object.values(writers)) write(e, f);
        updateAttributes(e, f, NOW, { types, scope: ['/t'] });
        mergeEntity(e, { attrs: f, types, scope: [NGSI_LD_NULL] }, NOW, { observedAt: NOW, simplified: true });
        replaceEntity(e, entity(f), NOW);
        upsertUpdate(e, entity(f, { types: types ?? [`${EX}Car`] }), NOW);
        for (const [iri, list] of Object.entries(f)) {
          partialAttributeUpdate(e, iri, list[0], NOW);
          replaceAttribute(e, iri, list, NOW);
          deleteAttribute(e, iri, { datasetId: list[0].datasetId, deleteAll: false, now: NOW });
        }
        assert.deepEqual({ e, f }, before);
      }),
    );
  });

  it('appendAttributes then deleteAttribute should restore the attribute set when the attributes were new', () => {
    fc.assert(
      fc.property(storedEntityArb, fragmentArb(false), (e, f) => {
        const fresh = Object.fromEntries(Object.entries(f).filter(([iri]) => !(iri in e.attrs)));
        let out = appendAttributes(e, fresh, { noOverwrite: true, now: NOW }).entity;
        for (const iri of Object.keys(fresh)) {
          const r = deleteAttribute(out, iri, { deleteAll: true, now: NOW });
          assert.ok(r.ok);
          out = r.value;
        }
        assert.deepEqual(out.attrs, e.attrs);
      }),
    );
  });

  it('append, update and merge should keep untouched attributes identical when the fragment does not name them', () => {
    fc.assert(
      fc.property(storedEntityArb, fragmentArb(true), (e, f) => {
        for (const write of Object.values(writers)) {
          const out = write(e, f);
          for (const iri of Object.keys(e.attrs).filter((i) => !(i in f))) assert.equal(out.attrs[iri], e.attrs[iri]);
        }
      }),
    );
  });

  it('append, update and merge should never change the createdAt of an instance when it survives', () => {
    fc.assert(
      fc.property(storedEntityArb, fragmentArb(true), (e, f) => {
        for (const write of Object.values(writers)) {
          const out = write(e, f);
          assert.equal(out.createdAt, e.createdAt);
          for (const [iri, list] of Object.entries(e.attrs)) {
            for (const prev of list) {
              const next = findInstance(out.attrs, iri, prev.datasetId);
              if (next) assert.equal(next.createdAt, prev.createdAt);
            }
          }
        }
      }),
    );
  });

  it('every writing operation should keep at most one instance per datasetId and no empty attribute', () => {
    fc.assert(
      fc.property(storedEntityArb, fragmentArb(true), (e, f) => {
        for (const write of Object.values(writers)) {
          for (const list of Object.values(write(e, f).attrs)) {
            assert.ok(list.length > 0);
            assert.equal(new Set(list.map((a) => a.datasetId)).size, list.length);
          }
        }
      }),
    );
  });

  it('every writing operation should set the entity modifiedAt to now exactly when it returns a new entity', () => {
    fc.assert(
      fc.property(storedEntityArb, fragmentArb(true), (e, f) => {
        for (const write of Object.values(writers)) {
          const out = write(e, f);
          assert.equal(out.modifiedAt, out === e ? e.modifiedAt : NOW);
        }
      }),
    );
  });

  it('mergeEntity should change nothing when the fragment is empty', () => {
    fc.assert(
      fc.property(storedEntityArb, (e) => {
        assert.deepEqual(mergeEntity(e, { attrs: {} }, NOW), e);
        assert.deepEqual(mergeEntity(e, { attrs: {}, types: [...e.types] }, NOW), e);
      }),
    );
  });

  it('mergeEntity should be idempotent when the same fragment is merged twice at the same time', () => {
    fc.assert(
      fc.property(storedEntityArb, fragmentArb(true), typesArb, (e, f, types) => {
        const once = mergeEntity(e, { attrs: f, types }, NOW);
        assert.deepEqual(mergeEntity(once, { attrs: f, types }, NOW), once);
      }),
    );
  });

  it('mergeEntity should leave no NGSI-LD Null in the entity when the fragment contains some', () => {
    fc.assert(
      fc.property(storedEntityArb, fragmentArb(true), (e, f) => {
        assert.equal(JSON.stringify(mergeEntity(e, { attrs: f }, NOW)).includes(NGSI_LD_NULL), false);
      }),
    );
  });

  it('updateAttributes should hold every instance given, as given, when the fragment has no NGSI-LD Null', () => {
    const untimed = (a: Attribute): unknown =>
      JSON.parse(JSON.stringify(a, (k, v: unknown) => (k === 'createdAt' || k === 'modifiedAt' ? undefined : v)));
    fc.assert(
      fc.property(storedEntityArb, fragmentArb(false), (e, f) => {
        const { entity: out, notUpdated } = updateAttributes(e, f, NOW);
        assert.deepEqual(notUpdated, []);
        for (const [iri, list] of Object.entries(f)) {
          for (const inst of list) {
            const got = findInstance(out.attrs, iri, inst.datasetId);
            assert.ok(got);
            assert.deepEqual(untimed(got), untimed(inst));
            assert.equal(got.modifiedAt, NOW);
          }
        }
      }),
    );
  });

  it('appendAttributes with noOverwrite should never change an existing instance', () => {
    fc.assert(
      fc.property(storedEntityArb, fragmentArb(false), (e, f) => {
        const { entity: out, notUpdated } = appendAttributes(e, f, { noOverwrite: true, now: NOW });
        let skipped = 0;
        for (const [iri, list] of Object.entries(f)) {
          for (const inst of list) {
            const prev = findInstance(e.attrs, iri, inst.datasetId);
            if (prev) {
              skipped++;
              assert.equal(findInstance(out.attrs, iri, inst.datasetId), prev);
            }
          }
        }
        assert.equal(notUpdated.length, skipped);
      }),
    );
  });
});
