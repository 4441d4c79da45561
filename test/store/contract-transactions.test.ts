/**
 * Store contract, transactions and tenants (src/store/port.ts EntityStore.write), run on every engine: a write
 * either happens whole or not at all (STYLE habit 4), concurrent writers neither lose updates nor deadlock, and
 * tenants are created by their first write and see only their own entities.
 *
 * On PostgreSQL the concurrency tests run on a pool of 4 connections, so they prove row locks and lock order;
 * on PGlite the single connection serialises transactions and they prove that nothing interleaves.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import type { Entity } from '../../src/core/entity/model.js';
import { StoreQueryError } from '../../src/store/errors.js';
import { forEachEngine } from '../support/engines.js';

const V = 'https://example.org/vocab#';
const T1 = '2024-01-02T03:04:05.678Z';
const COUNTER = `${V}counter`;

const tenant = () => `contract-${randomUUID()}`;

function entity(id: string, value: unknown = 0, type = `${V}Room`): Entity {
  return { id, types: [type], createdAt: T1, modifiedAt: T1, attrs: { [COUNTER]: [{ type: 'Property', value }] } };
}

class Boom extends Error {}

/** Runs `write` and expects it to reject with the Boom it throws at the end. */
async function rejectsWithBoom(write: Promise<unknown>): Promise<void> {
  await assert.rejects(write, (e) => e instanceof Boom);
}

forEachEngine('Store contract: transactions and tenants', (_engine, store) => {
  it('write should return the value of its callback when the callback resolves', async () => {
    const t = tenant();
    const value = await store().write(t, async (tx) => ({ inserted: [...(await tx.insert([entity('urn:a:1')]))], answer: 42 }));
    assert.deepEqual(value, { inserted: ['urn:a:1'], answer: 42 });
  });

  it('write should leave nothing inserted and create no tenant when the callback throws after an insert into a new tenant', async () => {
    const t = tenant();
    await rejectsWithBoom(
      store().write(t, async (tx) => {
        await tx.insert([entity('urn:a:1'), entity('urn:a:2')]);
        throw new Boom();
      }),
    );
    assert.equal(await store().getEntity(t, 'urn:a:1'), undefined);
    assert.equal(await store().tenantExists(t), false);
    assert.ok(!(await store().listTenants()).includes(t));
  });

  it('write should leave every entity as it was when the callback throws after insert, update and delete', async () => {
    const t = tenant();
    const kept = [entity('urn:a:1', 1), entity('urn:a:2', 2)];
    await store().write(t, (tx) => tx.insert(kept));
    await rejectsWithBoom(
      store().write(t, async (tx) => {
        await tx.update([entity('urn:a:1', 100, `${V}Changed`)]);
        await tx.delete(['urn:a:2']);
        await tx.insert([entity('urn:a:3', 3)]);
        throw new Boom();
      }),
    );
    assert.deepEqual(await store().getEntity(t, 'urn:a:1'), kept[0]);
    assert.deepEqual(await store().getEntity(t, 'urn:a:2'), kept[1]);
    assert.equal(await store().getEntity(t, 'urn:a:3'), undefined);
    const { count } = await store().queryEntities(t, { type: { kind: 'type', iri: `${V}Changed` }, limit: 0, offset: 0, count: true });
    assert.equal(count, 0);
  });

  it('write should accept a later write to the tenant when an earlier one rolled back', async () => {
    const t = tenant();
    await rejectsWithBoom(
      store().write(t, async () => {
        throw new Boom();
      }),
    );
    await store().write(t, (tx) => tx.insert([entity('urn:a:1')]));
    assert.equal(await store().tenantExists(t), true);
    assert.deepEqual(await store().getEntity(t, 'urn:a:1'), entity('urn:a:1'));
  });

  it('getForUpdate should lose no update when 20 writers increment the same counter concurrently', async () => {
    const t = tenant();
    const id = 'urn:counter:1';
    await store().write(t, (tx) => tx.insert([entity(id, 0)]));
    await Promise.all(
      Array.from({ length: 20 }, () =>
        store().write(t, async (tx) => {
          const current = (await tx.getForUpdate([id])).get(id);
          assert.ok(current);
          // A pause between read and write: without a row lock, every other writer would read the same value.
          await sleep(2);
          await tx.update([entity(id, (current.attrs[COUNTER][0].value as number) + 1)]);
        }),
      ),
    );
    assert.equal((await store().getEntity(t, id))?.attrs[COUNTER][0].value, 20);
  });

  it('insert should not deadlock when concurrent writers insert overlapping ids in opposite orders', async () => {
    const t = tenant();
    await store().write(t, (tx) => tx.insert([entity('urn:warm:up')]));
    for (let round = 0; round < 5; round++) {
      // Several types and attributes per batch, so that whatever else a write records is contended for too.
      const ids = Array.from({ length: 150 }, (_, i) => `urn:race:${round}:${String(i).padStart(3, '0')}`);
      const batch = (order: string[]) => order.map((id, i) => entity(id, i, `${V}Type${i % 5}`));
      const writers = [ids, [...ids].reverse(), ids.filter((_, i) => i % 2 === 0).reverse(), ids.filter((_, i) => i % 3 === 0)];
      const results = await Promise.all(writers.map((order) => store().write(t, (tx) => tx.insert(batch(order)))));
      const union = new Set(results.flatMap((r) => [...r]));
      assert.equal(union.size, ids.length, 'every id is inserted');
      assert.equal(results.reduce((n, r) => n + r.size, 0), ids.length, 'and by exactly one writer');
    }
  });

  it('delete and getForUpdate should not deadlock when concurrent writers name overlapping ids in opposite orders', async () => {
    const t = tenant();
    const ids = Array.from({ length: 100 }, (_, i) => `urn:lock:${String(i).padStart(3, '0')}`);
    await store().write(t, (tx) => tx.insert(ids.map((id) => entity(id))));
    const bump = (order: string[]) =>
      store().write(t, async (tx) => {
        const found = await tx.getForUpdate(order);
        await tx.update([...found.values()].map((e) => entity(e.id, (e.attrs[COUNTER][0].value as number) + 1)));
      });
    await Promise.all([bump(ids), bump([...ids].reverse()), bump(ids), bump([...ids].reverse())]);
    assert.deepEqual((await store().getEntity(t, ids[50]))?.attrs[COUNTER][0].value, 4);
    const deleted = await Promise.all([ids, [...ids].reverse()].map((order) => store().write(t, (tx) => tx.delete(order))));
    assert.equal(deleted[0].size + deleted[1].size, ids.length, 'each id is deleted by exactly one writer');
  });

  it('getEntity should not see an entity of another tenant when both tenants hold the same id', async () => {
    const [a, b] = [tenant(), tenant()];
    const inA = entity('urn:shared:1', 'a');
    const inB = entity('urn:shared:1', 'b');
    assert.deepEqual(await store().write(a, (tx) => tx.insert([inA])), new Set([inA.id]));
    assert.deepEqual(await store().write(b, (tx) => tx.insert([inB])), new Set([inB.id]), 'the id is free in the other tenant');
    assert.deepEqual(await store().getEntity(a, inA.id), inA);
    assert.deepEqual(await store().getEntity(b, inB.id), inB);
    await store().write(a, (tx) => tx.insert([entity('urn:only:a')]));
    assert.equal(await store().getEntity(b, 'urn:only:a'), undefined);
    const inBQuery = await store().queryEntities(b, { limit: 10, offset: 0, count: true });
    assert.deepEqual(inBQuery, { entities: [inB], count: 1 });
  });

  it('update, delete and getForUpdate should not touch another tenant when both tenants hold the same id', async () => {
    const [a, b] = [tenant(), tenant()];
    await store().write(a, (tx) => tx.insert([entity('urn:shared:1', 'a')]));
    await store().write(b, (tx) => tx.insert([entity('urn:shared:1', 'b')]));
    await store().write(a, (tx) => tx.update([entity('urn:shared:1', 'a2')]));
    assert.deepEqual(await store().getEntity(b, 'urn:shared:1'), entity('urn:shared:1', 'b'));
    assert.deepEqual(await store().write(a, (tx) => tx.delete(['urn:shared:1'])), new Set(['urn:shared:1']));
    assert.deepEqual(await store().getEntity(b, 'urn:shared:1'), entity('urn:shared:1', 'b'));
    assert.deepEqual(await store().write(a, (tx) => tx.getForUpdate(['urn:shared:1'])), new Map());
  });

  it('tenantExists should be false before the first write of a tenant and true after it', async () => {
    const t = tenant();
    assert.equal(await store().tenantExists(t), false);
    assert.equal(await store().getEntity(t, 'urn:a:1'), undefined, 'reading does not create the tenant');
    assert.deepEqual(await store().queryEntities(t, { limit: 10, offset: 0, count: true }), { entities: [], count: 0 });
    assert.equal(await store().tenantExists(t), false);
    await store().write(t, async () => undefined);
    assert.equal(await store().tenantExists(t), true, 'a write that changes nothing still creates the tenant');
  });

  it('tenantExists should answer false or reject with StoreQueryError when the tenant name holds U+0000', async () => {
    // Never a raw database error (a 500 at the edge): the name comes from the NGSILD-Tenant header.
    let answer: boolean | undefined;
    try {
      answer = await store().tenantExists('bad\u0000tenant');
    } catch (e) {
      assert.ok(e instanceof StoreQueryError, `a raw database error escaped: ${(e as Error).message}`);
      return;
    }
    assert.equal(answer, false);
  });

  it('write should reject with StoreQueryError and create nothing when the tenant name holds U+0000', async () => {
    await assert.rejects(store().write('bad\u0000tenant', (tx) => tx.insert([entity('urn:a:1')])), StoreQueryError);
    assert.ok(!(await store().listTenants()).some((t) => t.startsWith('bad')));
  });

  it('listTenants should list every created tenant and never the default tenant', async () => {
    const created = [tenant(), tenant()];
    for (const t of [...created, '']) await store().write(t, (tx) => tx.insert([entity('urn:a:1')]));
    const listed = await store().listTenants();
    for (const t of created) assert.ok(listed.includes(t), `${t} is listed`);
    assert.ok(!listed.includes(''), 'the default tenant is not listed');
    assert.equal(await store().tenantExists(''), true);
    assert.deepEqual(listed, [...listed].sort(), 'tenants are listed in name order');
  });
});
