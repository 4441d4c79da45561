/**
 * Store contract, subscriptions and the notification outbox (src/store/port.ts SubscriptionStore and Outbox), run
 * on every engine: a write queues exactly the notifications its committed changes owe, claims never hand one row
 * to two workers, a lease that runs out makes a row claimable again, failures retry or go to the dead letters,
 * throttled rows are coalesced, periods are queued once however many schedulers run, and matching reads only the
 * subscriptions of the written types through an index.
 *
 * Each test uses its own tenant and endpoint and deletes its subscriptions (and so their rows) when it ends, since
 * the outbox is shared by every tenant of the store.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import type { Entity } from '../../src/core/entity/model.js';
import type { QExpr } from '../../src/core/query/q-ast.js';
import type { Subscription } from '../../src/core/subscription/model.js';
import type { ClaimedNotification, Store } from '../../src/store/port.js';
import { CANDIDATES } from '../../src/store/subscriptions/match.js';
import { forEachEngine } from '../support/engines.js';

const V = 'https://example.org/vocab#';
const T = '2024-01-02T03:04:05.678Z';
const SPEED = `${V}speed`;

function entity(id: string, speed: number, type = `${V}Car`): Entity {
  return { id, types: [type], createdAt: T, modifiedAt: T, attrs: { [SPEED]: [{ type: 'Property', value: speed }] } };
}

function subscription(id: string, endpoint: string, members: Partial<Subscription> = {}): Subscription {
  return {
    id,
    type: 'Subscription',
    entities: [{ type: { kind: 'type', iri: `${V}Car` } }],
    notificationTrigger: ['entityCreated', 'attributeUpdated', 'entityDeleted'],
    isActive: true,
    notification: { format: 'normalized', sysAttrs: false, showChanges: false, endpoint: { uri: endpoint } },
    context: [],
    createdAt: T,
    modifiedAt: T,
    ...members,
  };
}

/** A tenant, an endpoint of its own, and clean-up of the subscriptions made through it. */
function scope(store: () => Store) {
  const tenant = `outbox-${randomUUID()}`;
  const endpoint = `http://${randomUUID()}.example:80/n`;
  const made: string[] = [];
  return {
    tenant,
    endpoint,
    async subscribe(id: string, members: Partial<Subscription> = {}): Promise<void> {
      assert.equal(await store().createSubscription(tenant, subscription(id, endpoint, members)), true);
      made.push(id);
    },
    /** Claims and keeps only this scope's rows; the others' leases end at once. */
    async claim(leaseMs = 60_000): Promise<ClaimedNotification[]> {
      const all = await store().outbox.claim({ worker: 'contract', limit: 1000, leaseMs, busyEndpoints: [], perEndpoint: 1000 });
      return all.filter((n) => n.tenant === tenant);
    },
    async dispose(): Promise<void> {
      for (const id of made) await store().deleteSubscription(tenant, id);
    },
  };
}

forEachEngine('Store contract: subscriptions and outbox', (engine, store, client) => {
  it('createSubscription should refuse an id the tenant already has and accept it in another tenant', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:dup');
    assert.equal(await store().createSubscription(s.tenant, subscription('urn:sub:dup', s.endpoint)), false);
    const other = `outbox-${randomUUID()}`;
    assert.equal(await store().createSubscription(other, subscription('urn:sub:dup', s.endpoint)), true);
    await store().deleteSubscription(other, 'urn:sub:dup');
    await s.dispose();
  });

  it('write should queue one row per subscription for a batch and carry the changes with their triggers', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:batch');
    await store().write(s.tenant, (tx) => tx.insert([entity('urn:car:1', 1), entity('urn:car:2', 2), entity('urn:bike:1', 3, `${V}Bike`)]));
    const [n, ...rest] = await s.claim();
    assert.equal(rest.length, 0);
    assert.equal(n.reason, 'change');
    assert.deepEqual(
      n.changes.map((c) => [c.after?.id, c.before, c.triggers]),
      [
        ['urn:car:1', undefined, ['entityCreated']],
        ['urn:car:2', undefined, ['entityCreated']],
      ],
    );
    await s.dispose();
  });

  it('write should queue nothing when the transaction rolls back', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:rollback');
    await assert.rejects(
      store().write(s.tenant, async (tx) => {
        await tx.insert([entity('urn:car:rb', 1)]);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(await s.claim(), []);
    await s.dispose();
  });

  it('write should match a deletion against the entity as it was, and q against the written state', async () => {
    const s = scope(store);
    const fast: QExpr = { kind: 'compare', path: { via: [], attr: SPEED, sub: [], keys: [] }, op: '>', value: { kind: 'number', value: 10 } };
    await s.subscribe('urn:sub:q', { q: fast });
    await store().write(s.tenant, (tx) => tx.insert([entity('urn:car:q', 5)]));
    await store().write(s.tenant, async (tx) => {
      await tx.getForUpdate(['urn:car:q']);
      await tx.update([entity('urn:car:q', 50)]);
    });
    await store().write(s.tenant, (tx) => tx.delete(['urn:car:q']));
    const got = await s.claim();
    assert.deepEqual(
      got.map((n) => n.changes.map((c) => [c.triggers, c.before?.attrs[SPEED][0].value, c.after?.attrs[SPEED][0].value])),
      [[[['attributeUpdated'], undefined, 50]], [[['entityDeleted'], 50, undefined]]],
      'the slow creation does not match q; the update and the deletion of the fast car do (the state before is kept for deletions and showChanges only)',
    );
    await s.dispose();
  });

  it('write should match every entity of a large batch against many q subscriptions, each with its own threshold', async () => {
    const s = scope(store);
    const above = (n: number): QExpr => ({ kind: 'compare', path: { via: [], attr: SPEED, sub: [], keys: [] }, op: '>', value: { kind: 'number', value: n } });
    const thresholds = Array.from({ length: 250 }, (_, k) => k * 4);
    for (const t of thresholds) await s.subscribe(`urn:sub:many:${t}`, { q: above(t) });
    const speeds = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    await store().write(s.tenant, (tx) => tx.insert(speeds.map((v, i) => entity(`urn:car:many:${i}`, v))));
    const got = new Map((await s.claim()).map((n) => [n.subscription.id, n.changes.map((c) => c.after?.id).sort()]));
    for (const t of thresholds) {
      const expected = speeds.flatMap((v, i) => (v > t ? [`urn:car:many:${i}`] : [])).sort();
      assert.deepEqual(got.get(`urn:sub:many:${t}`) ?? [], expected, `speed > ${t}`);
    }
    await s.dispose();
  });

  it('claim should never hand one row to two workers when they claim at once', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:race');
    for (let i = 0; i < 20; i++) await store().write(s.tenant, (tx) => tx.insert([entity(`urn:car:race:${i}`, i)]));
    // A claim that loses the race for the subscription row skips the outbox rows it locked meanwhile, and so may the
    // winner: some rows wait for the next round. None may go to two workers.
    const ids: string[] = [];
    for (let round = 0; round < 10 && ids.length < 20; round++) {
      const claims = await Promise.all([0, 1, 2, 3].map(() => s.claim()));
      ids.push(...claims.flat().flatMap((n) => n.ids));
    }
    assert.equal(ids.length, 20, 'every row was claimed');
    assert.equal(new Set(ids).size, 20, 'no row was claimed twice');
    await s.dispose();
  });

  it('claim should hand a row again once its lease has run out, and not before', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:lease');
    await store().write(s.tenant, (tx) => tx.insert([entity('urn:car:lease', 1)]));
    const [first] = await s.claim(300);
    assert.ok(first);
    assert.deepEqual(await s.claim(), [], 'leased rows are not claimable');
    await sleep(400);
    const [again] = await s.claim();
    assert.deepEqual(again?.ids, first.ids, 'the worker died: another one takes the row');
    await s.dispose();
  });

  it('renew should extend the leases of the worker that holds the rows, and only of that worker', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:renew');
    await store().write(s.tenant, (tx) => tx.insert([entity('urn:car:renew:1', 1)]));
    await store().write(s.tenant, (tx) => tx.insert([entity('urn:car:renew:2', 2)]));
    const [one, two] = await s.claim(300);
    assert.ok(one && two);
    await store().outbox.renew('contract', one.ids, 60_000);
    await store().outbox.renew('another-worker', two.ids, 60_000);
    await sleep(400);
    const again = await s.claim();
    assert.deepEqual(again.map((n) => n.ids), [two.ids], 'the renewed row stays held; the other lease ran out');
    await s.dispose();
  });

  it('sweepExpired should delete the queued notifications of expired subscriptions only', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:expiring', { expiresAt: new Date(Date.now() + 1000).toISOString() });
    await s.subscribe('urn:sub:lasting');
    await store().write(s.tenant, (tx) => tx.insert([entity('urn:car:sweep', 1)]));
    await sleep(1100);
    assert.ok((await store().outbox.sweepExpired()) >= 1);
    const [left, ...rest] = await s.claim();
    assert.deepEqual([left?.subscription.id, rest.length], ['urn:sub:lasting', 0]);
    const queued = await client().query('SELECT count(*)::int AS n FROM notification_outbox WHERE tenant = $1', [s.tenant]);
    assert.deepEqual(queued, [{ n: 1 }], 'only the lasting subscription row is left (leased)');
    await s.dispose();
  });

  it('failed should retry at the given time, then dead-letter the row and mark the subscription failed', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:fail');
    await store().write(s.tenant, (tx) => tx.insert([entity('urn:car:fail', 1)]));
    const [n] = await s.claim();
    const now = new Date().toISOString();
    await store().outbox.failed(n, now, 'HTTP 503', new Date(Date.now() + 60_000).toISOString());
    assert.deepEqual(await s.claim(), [], 'not due before the retry time');
    await store().outbox.failed(n, now, 'HTTP 503', new Date(Date.now() - 1).toISOString());
    const [retry] = await s.claim();
    assert.equal(retry.attempts, 2);
    await store().outbox.failed(retry, now, 'HTTP 400');
    assert.deepEqual(await s.claim(), []);
    const st = (await store().getSubscription(s.tenant, 'urn:sub:fail'))?.status;
    assert.deepEqual([st?.timesFailed, st?.deadLetters, st?.notificationStatus, st?.lastFailureReason], [3, 1, 'failed', 'HTTP 400']);
    const dead = await client().query<{ failure: string; attempts: number }>(
      'SELECT failure, attempts FROM notification_dead_letters WHERE tenant = $1',
      [s.tenant],
    );
    assert.deepEqual(dead.map((d) => [d.failure, Number(d.attempts)]), [['HTTP 400', 3]]);
    await s.dispose();
  });

  it('delivered should record a batch of deliveries of several subscriptions in one call and keep a later failure', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:rec:a');
    await s.subscribe('urn:sub:rec:b', { entities: [{ type: { kind: 'type', iri: `${V}Bike` } }] });
    for (let i = 0; i < 3; i++) await store().write(s.tenant, (tx) => tx.insert([entity(`urn:car:rec:${i}`, i), entity(`urn:bike:rec:${i}`, i, `${V}Bike`)]));
    const got = await s.claim();
    assert.equal(got.length, 6);
    const [early, late, failedAt] = ['2024-05-01T00:00:00.000Z', '2024-05-01T00:00:05.000Z', '2024-05-01T00:00:03.000Z'];
    const ofB = got.filter((n) => n.subscription.id === 'urn:sub:rec:b');
    await store().outbox.failed(ofB[2], failedAt, 'HTTP 503', new Date(Date.now() + 60_000).toISOString());
    await store().outbox.delivered(
      got.filter((n) => n !== ofB[2]).map((n, k) => ({ n, at: n.subscription.id === 'urn:sub:rec:a' && k === 0 ? late : early })),
    );
    const a = (await store().getSubscription(s.tenant, 'urn:sub:rec:a'))?.status;
    const b = (await store().getSubscription(s.tenant, 'urn:sub:rec:b'))?.status;
    assert.deepEqual([a?.timesSent, a?.lastSuccess, a?.notificationStatus], [3, late, 'ok'], 'the latest success of the batch is kept');
    assert.deepEqual([b?.timesSent, b?.timesFailed, b?.lastSuccess, b?.notificationStatus], [2, 1, early, 'failed'], 'a failure after the successes keeps its status');
    assert.deepEqual((await s.claim()).length, 0, 'delivered rows are gone; the failed one waits for its retry');
    await s.dispose();
  });

  it('claim should coalesce the rows of a throttled subscription and hold later ones until the window ends', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:throttle', { throttling: 1 });
    for (let i = 0; i < 3; i++) await store().write(s.tenant, (tx) => tx.insert([entity(`urn:car:th:${i}`, i)]));
    const [n, ...rest] = await s.claim();
    assert.equal(rest.length, 0);
    assert.equal(n.ids.length, 3);
    assert.deepEqual(n.changes.map((c) => c.after?.id), ['urn:car:th:0', 'urn:car:th:1', 'urn:car:th:2']);
    await store().outbox.delivered([{ n, at: new Date().toISOString() }]);
    await store().write(s.tenant, (tx) => tx.insert([entity('urn:car:th:3', 3)]));
    assert.deepEqual(await s.claim(), [], 'inside the window');
    const wait = await store().outbox.nextDueInMs();
    assert.ok(wait !== undefined && wait > 0 && wait <= 1000, `next due in ${wait} ms`);
    await sleep(wait + 50);
    assert.deepEqual((await s.claim()).flatMap((x) => x.changes.map((c) => c.after?.id)), ['urn:car:th:3']);
    await s.dispose();
  });

  it('schedulePeriodic should queue one notification per period however many schedulers run at once', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:period', { timeInterval: 3600, notificationTrigger: [] });
    await Promise.all([0, 1, 2].map(() => store().outbox.schedulePeriodic()));
    const got = await s.claim();
    assert.deepEqual(got.map((n) => n.reason), ['periodic']);
    await store().outbox.schedulePeriodic();
    assert.deepEqual(await s.claim(), [], 'the next period starts in an hour');
    await s.dispose();
  });

  it('updateSubscription should drop queued notifications when it pauses the subscription', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:pause');
    await store().write(s.tenant, (tx) => tx.insert([entity('urn:car:pause', 1)]));
    await store().updateSubscription(s.tenant, 'urn:sub:pause', (x) => ({ ...x, isActive: false }));
    await store().write(s.tenant, (tx) => tx.insert([entity('urn:car:pause:2', 1)]));
    assert.deepEqual(await s.claim(), []);
    await s.dispose();
  });

  it('updateSubscription should drop a queued periodic notification when it pauses, and re-activation should queue one', async () => {
    const s = scope(store);
    await s.subscribe('urn:sub:pause:periodic', { timeInterval: 3600, notificationTrigger: [] });
    await store().outbox.schedulePeriodic();
    await store().updateSubscription(s.tenant, 'urn:sub:pause:periodic', (x) => ({ ...x, isActive: false }));
    await store().outbox.schedulePeriodic();
    assert.deepEqual(await s.claim(), [], 'nothing queued while paused');
    await store().updateSubscription(s.tenant, 'urn:sub:pause:periodic', (x) => ({ ...x, isActive: true }));
    await store().outbox.schedulePeriodic();
    assert.deepEqual((await s.claim()).map((n) => n.reason), ['periodic'], 'one period, not the one queued before the pause too');
    await s.dispose();
  });

  it('write should look up subscriptions through the type index when the tenant has thousands of them', async () => {
    const tenant = `outbox-bulk-${randomUUID()}`;
    await client().query('INSERT INTO tenants (name) VALUES ($1)', [tenant]);
    await client().query(
      `INSERT INTO subscriptions (tenant, id, doc, any_type, types, active, endpoint)
       SELECT $1, 'urn:bulk:' || i, '{}'::jsonb, false, ARRAY['${V}T' || i], true, 'http://x' FROM generate_series(1, 5000) AS i`,
      [tenant],
    );
    await client().query('ANALYZE subscriptions');
    const plan = await client().query<Record<string, string>>(`EXPLAIN ${CANDIDATES}`, [tenant, [`${V}T42`]]);
    assert.match(plan.map((r) => Object.values(r)[0]).join('\n'), /\bsubscriptions_types\b/, `${engine} plan`);
    await client().query('DELETE FROM subscriptions WHERE tenant = $1', [tenant]);
  });
});
