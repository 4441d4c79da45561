/**
 * Store contract, temporal evolution (src/store/port.ts TemporalStore and the recording inside EntityStore.write),
 * run on every engine: what entity writes record and how the options change it, that a rolled-back write records
 * nothing, instance pagination and lastN at the store, partition upkeep (months made ahead, the default
 * partition emptied into them) and retention (whole months dropped, the rest deleted), tenants kept apart.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import type { Attribute, Entity } from '../../src/core/entity/model.js';
import type { TemporalQuery } from '../../src/core/temporal/query.js';
import type { Store, TemporalScope } from '../../src/store/port.js';
import { createSqlStore } from '../../src/store/sql-store.js';
import { forEachEngine } from '../support/engines.js';

const V = 'https://example.org/vocab#';
const SPEED = `${V}speed`;
const DAY = 86_400_000;
const tenant = () => `temporal-${randomUUID()}`;
const iso = (ms: number) => new Date(ms).toISOString();

const prop = (value: unknown, observedAt?: number, more: Partial<Attribute> = {}): Attribute => ({
  type: 'Property',
  value,
  ...(observedAt === undefined ? {} : { observedAt: iso(observedAt) }),
  createdAt: iso(0),
  modifiedAt: iso(0),
  ...more,
});

function entity(id: string, attrs: Entity['attrs'], at = Date.now()): Entity {
  return { id, types: [`${V}Car`], createdAt: iso(at), modifiedAt: iso(at), attrs };
}

const all: TemporalQuery = { timeproperty: 'observedAt' };
const scope = (query: TemporalQuery = all, more: Partial<TemporalScope> = {}): TemporalScope => ({ query, instanceLimit: 1000, ...more });

async function values(store: Store, t: string, id: string, s: TemporalScope = scope(), attr = SPEED): Promise<unknown[] | undefined> {
  const r = await store.retrieveTemporal(t, id, s);
  return r?.entities[0].instances[attr]?.map((i) => i.attribute.value);
}

forEachEngine('Store contract: temporal evolution', (_engine, store, client) => {
  it('write should record each instance created or changed and a deletion instance for each removed', async () => {
    const t = tenant();
    await store().write(t, (tx) => tx.insert([entity('urn:ngsi-ld:Car:1', { [SPEED]: [prop(1, 1000)], [`${V}name`]: [prop('a')] })]));
    await store().write(t, async (tx) => {
      const e = (await tx.getForUpdate(['urn:ngsi-ld:Car:1'])).get('urn:ngsi-ld:Car:1') as Entity;
      const { [`${V}name`]: _gone, ...rest } = e.attrs;
      await tx.update([{ ...e, modifiedAt: iso(5000), attrs: { ...rest, [SPEED]: [prop(2, 2000, { modifiedAt: iso(5000) })] } }]);
    });
    assert.deepEqual(await values(store(), t, 'urn:ngsi-ld:Car:1'), [1, 2]);
    const name = await values(store(), t, 'urn:ngsi-ld:Car:1', scope(), `${V}name`);
    assert.deepEqual(name, ['a', 'urn:ngsi-ld:null']);
    const deleted = await store().retrieveTemporal(t, 'urn:ngsi-ld:Car:1', scope({ timeproperty: 'deletedAt', interval: { timerel: 'after', timeAt: 0 } }));
    assert.equal(deleted?.entities[0].instances[`${V}name`][0].attribute.deletedAt, iso(5000));
  });

  it('write should record nothing when its transaction rolls back', async () => {
    const t = tenant();
    await assert.rejects(
      store().write(t, async (tx) => {
        await tx.insert([entity('urn:ngsi-ld:Car:rb', { [SPEED]: [prop(1, 1000)] })]);
        throw new Error('rolled back');
      }),
    );
    assert.equal(await store().retrieveTemporal(t, 'urn:ngsi-ld:Car:rb', scope()), undefined);
  });

  it('write should record nothing but still drop deleted evolutions when recording is off', async () => {
    const t = tenant();
    const off = await createSqlStore(client(), { temporal: { record: false } });
    await off.write(t, (tx) => tx.insert([entity('urn:ngsi-ld:Car:off', { [SPEED]: [prop(1, 1000)] })]));
    assert.equal(await off.retrieveTemporal(t, 'urn:ngsi-ld:Car:off', scope()), undefined);
    await off.upsertTemporalEntity(t, { id: 'urn:ngsi-ld:Car:off', types: [`${V}Car`], attrs: { [SPEED]: [prop(9, 9000)] } }, iso(9000));
    await off.write(t, (tx) => tx.delete(['urn:ngsi-ld:Car:off']));
    assert.equal(await off.retrieveTemporal(t, 'urn:ngsi-ld:Car:off', scope()), undefined);
  });

  it('write should keep the evolution with deletion instances when deleting an entity and keepDeleted is set', async () => {
    const t = tenant();
    const keep = await createSqlStore(client(), { temporal: { keepDeleted: true } });
    await keep.write(t, (tx) => tx.insert([entity('urn:ngsi-ld:Car:k', { [SPEED]: [prop(1, 1000), prop(2, 1000, { datasetId: 'urn:ngsi-ld:Dataset:x' })] })]));
    await keep.write(t, (tx) => tx.delete(['urn:ngsi-ld:Car:k']));
    const r = await keep.retrieveTemporal(t, 'urn:ngsi-ld:Car:k', scope());
    assert.ok(r?.entities[0].entity.deletedAt);
    const speeds = r.entities[0].instances[SPEED];
    assert.deepEqual(speeds.map((i) => i.attribute.value).sort(), [1, 2, 'urn:ngsi-ld:null', 'urn:ngsi-ld:null']);
    assert.ok(speeds.filter((i) => i.attribute.deletedAt).every((i) => i.attribute.deletedAt === r.entities[0].entity.deletedAt));
  });

  it('write should keep a time PostgreSQL cannot hold out of its column and record the instance', async () => {
    const t = tenant();
    await store().write(t, (tx) => tx.insert([entity('urn:ngsi-ld:Car:y0', { [SPEED]: [prop(1, undefined, { observedAt: '0000-06-01T00:00:00Z' })] })]));
    const r = await store().retrieveTemporal(t, 'urn:ngsi-ld:Car:y0', scope());
    assert.equal(r?.entities[0].instances[SPEED][0].attribute.observedAt, '0000-06-01T00:00:00Z');
  });

  it('retrieve temporal should cut every attribute at one instant when one holds more than the limit', async () => {
    const t = tenant();
    const a = Array.from({ length: 10 }, (_, k) => prop(k, 1000 * (k + 1)));
    const b = [prop('x', 2500), prop('y', 9500)];
    await store().upsertTemporalEntity(t, { id: 'urn:ngsi-ld:Car:cut', types: [`${V}Car`], attrs: { [SPEED]: a, [`${V}b`]: b } }, iso(0));
    const r = await store().retrieveTemporal(t, 'urn:ngsi-ld:Car:cut', scope(all, { instanceLimit: 4 }));
    assert.deepEqual(r?.truncated, { first: 1000, last: 4000 });
    assert.deepEqual(r?.entities[0].instances[SPEED].map((i) => i.attribute.value), [0, 1, 2, 3]);
    assert.deepEqual(r?.entities[0].instances[`${V}b`].map((i) => i.attribute.value), ['x']);
    const back = await store().retrieveTemporal(t, 'urn:ngsi-ld:Car:cut', scope({ ...all, lastN: 8 }, { instanceLimit: 4 }));
    assert.deepEqual(back?.truncated, { first: 7000, last: 10_000 });
    assert.deepEqual(back?.entities[0].instances[SPEED].map((i) => i.attribute.value), [6, 7, 8, 9]);
    assert.deepEqual(back?.entities[0].instances[`${V}b`].map((i) => i.attribute.value), ['y']);
  });

  it('retrieve temporal should keep the datasets and attributes asked when datasetIds, attrs and omit are given', async () => {
    const t = tenant();
    const ds = 'urn:ngsi-ld:Dataset:d';
    await store().upsertTemporalEntity(t, { id: 'urn:ngsi-ld:Car:ds', types: [`${V}Car`], attrs: { [SPEED]: [prop(1, 1000), prop(2, 1000, { datasetId: ds })], [`${V}o`]: [prop(3, 1000)] } }, iso(0));
    assert.deepEqual(await values(store(), t, 'urn:ngsi-ld:Car:ds', scope(all, { datasetIds: [ds] })), [2]);
    assert.deepEqual(await values(store(), t, 'urn:ngsi-ld:Car:ds', scope(all, { datasetIds: ['@none'] })), [1]);
    const only = await store().retrieveTemporal(t, 'urn:ngsi-ld:Car:ds', scope(all, { attrs: [`${V}o`] }));
    assert.deepEqual(Object.keys(only?.entities[0].instances ?? {}), [`${V}o`]);
    const omitted = await store().retrieveTemporal(t, 'urn:ngsi-ld:Car:ds', scope(all, { omit: [`${V}o`] }));
    assert.deepEqual(Object.keys(omitted?.entities[0].instances ?? {}), [SPEED]);
  });

  it('query temporal should keep tenants apart when two hold the same entity id', async () => {
    const [t1, t2] = [tenant(), tenant()];
    await store().upsertTemporalEntity(t1, { id: 'urn:ngsi-ld:Car:same', types: [`${V}Car`], attrs: { [SPEED]: [prop(1, 1000)] } }, iso(0));
    await store().upsertTemporalEntity(t2, { id: 'urn:ngsi-ld:Car:same', types: [`${V}Car`], attrs: { [SPEED]: [prop(2, 1000)] } }, iso(0));
    const q = { ...scope({ timeproperty: 'observedAt', interval: { timerel: 'after', timeAt: 0 } }), selection: { type: { kind: 'type' as const, iri: `${V}Car` } }, limit: 10, offset: 0, count: true };
    const r1 = await store().queryTemporal(t1, q);
    assert.equal(r1.count, 1);
    assert.deepEqual(r1.entities[0].instances[SPEED].map((i) => i.attribute.value), [1]);
  });

  it('maintain temporal should make the months around now and move what the default partition holds for them', async () => {
    const t = tenant();
    const future = Date.UTC(2090, 6, 15);
    await store().upsertTemporalEntity(t, { id: 'urn:ngsi-ld:Car:future', types: [`${V}Car`], attrs: { [SPEED]: [prop(1, future)] } }, iso(0));
    const r = await store().maintainTemporal({ now: future });
    assert.ok(r.created >= 1, JSON.stringify(r));
    const parts = await client().query<{ n: number }>("SELECT count(*)::int AS n FROM attribute_instances_y2090m07");
    assert.ok(Number(parts[0].n) >= 1, 'the instance moved into its month');
    assert.deepEqual(await values(store(), t, 'urn:ngsi-ld:Car:future'), [1]);
    assert.equal((await store().maintainTemporal({ now: future })).created, 0, 'made once');
  });

  it('maintain temporal should drop whole months and delete the older rows of the rest when a retention is given', async () => {
    const t = tenant();
    const now = Date.UTC(2091, 3, 10);
    await store().maintainTemporal({ now: Date.UTC(2091, 0, 10) });
    await store().maintainTemporal({ now });
    const times = [Date.UTC(2091, 0, 20), Date.UTC(2091, 1, 20), Date.UTC(2091, 2, 5), Date.UTC(2091, 2, 25), Date.UTC(2091, 3, 9)];
    await store().upsertTemporalEntity(t, { id: 'urn:ngsi-ld:Car:old', types: [`${V}Car`], attrs: { [SPEED]: times.map((x, k) => prop(k, x)) } }, iso(0));
    // retention 30 days: the cutoff is 11 March 2091; January and February go whole, 5 March by row
    const r = await store().maintainTemporal({ now, retentionMs: 30 * DAY });
    assert.ok(r.dropped >= 2, JSON.stringify(r));
    assert.ok(r.deleted >= 1, JSON.stringify(r));
    assert.deepEqual(await values(store(), t, 'urn:ngsi-ld:Car:old'), [3, 4]);
    const left = await client().query<{ name: string }>("SELECT relname AS name FROM pg_class WHERE relname IN ('attribute_instances_y2091m01', 'attribute_instances_y2091m02')");
    assert.deepEqual(left, []);
  });
});
