/**
 * Delivery guarantees of subscriptions in one process (clause 5.8, 5.2.12, 5.2.15): lifecycle (isActive, expiresAt,
 * deletion, delivery status), throttling, periodic notifications, failures (retry, dead letters, timeout,
 * cooldown), endpoint isolation and per-subscription order. Assertions are on counts, order and content, never
 * on durations (those belong to bench/). Multi-process guarantees are in processes.test.ts.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENTITIES, entityUrl, uniqueId } from '../support/http.js';
import {
  assertNothingMore,
  dataOf,
  deadLetters,
  describeDelivery,
  expect,
  getSubscription,
  prop,
  queued,
  statusWhen,
  subscribe,
  subscriptionUrl,
  uniquePath,
  uniqueType,
  type DeliveryHarness,
} from '../support/notify.js';
import { Receiver } from '../support/receiver.js';

/** Writes entity `id` of `type` with speed `speed` (created first when `create`). */
function writer(h: () => DeliveryHarness) {
  return {
    create: (id: string, type: string, speed: number) => expect(h().app, 201, 'POST', ENTITIES, { id, type, speed: prop(speed) }),
    speed: (id: string, speed: number) => expect(h().app, 204, 'PATCH', entityUrl(id, '/attrs'), { speed: prop(speed) }),
  };
}

const speeds = (r: Receiver, path: string) => r.at(path).map((n) => dataOf(n).map((e) => e.speed.value));

function on(h: DeliveryHarness, type: string, path: string, members: Record<string, unknown> = {}, endpoint: Record<string, unknown> = {}) {
  return subscribe(h.app, { entities: [{ type }], notification: { endpoint: { uri: h.receiver.url(path), ...endpoint } }, ...members });
}

describeDelivery('Subscription lifecycle (5.2.12)', (h) => {
  const w = writer(h);

  it('update attributes should not notify a paused subscription and notify later changes when it is re-activated', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('paused'), uniqueId('Car')];
    await w.create(id, T, 0);
    const sub = await on(h(), T, path, { isActive: false });
    await w.speed(id, 1);
    await assertNothingMore(h(), sub, path, 0);
    assert.equal((await getSubscription(h().app, sub)).status, 'paused');
    await expect(h().app, 204, 'PATCH', subscriptionUrl(sub), { isActive: true });
    await w.speed(id, 2);
    await h().receiver.waitFor(path, 1);
    assert.deepEqual(speeds(h().receiver, path), [[2]]);
    await assertNothingMore(h(), sub, path, 1);
  });

  it('update attributes should notify nothing and the subscription show expired when expiresAt has passed', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('expired'), uniqueId('Car')];
    await w.create(id, T, 0);
    const sub = await on(h(), T, path);
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    await expect(h().app, 204, 'PATCH', subscriptionUrl(sub), { expiresAt });
    assert.equal((await getSubscription(h().app, sub)).status, 'active');
    await sleep(Date.parse(expiresAt) - Date.now() + 100);
    await w.speed(id, 1);
    await assertNothingMore(h(), sub, path, 0);
    const read = await getSubscription(h().app, sub);
    assert.equal(read.status, 'expired');
    assert.equal(read.notification.timesSent, 0);
  });

  it('update attributes should notify nothing more when the subscription is deleted', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('deleted-sub'), uniqueId('Car')];
    await w.create(id, T, 0);
    const sub = await on(h(), T, path);
    await w.speed(id, 1);
    await h().receiver.waitFor(path, 1);
    await expect(h().app, 204, 'DELETE', subscriptionUrl(sub));
    await w.speed(id, 2);
    await assertNothingMore(h(), sub, path, 1);
    assert.deepEqual(speeds(h().receiver, path), [[1]]);
  });

  it('retrieve subscription should show timesSent, lastNotification and lastSuccess when notifications were delivered', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('status'), uniqueId('Car')];
    await w.create(id, T, 0);
    const sub = await on(h(), T, path);
    const fresh = (await getSubscription(h().app, sub)).notification;
    assert.equal(fresh.timesSent, 0);
    assert.equal(fresh.lastNotification, undefined);
    await w.speed(id, 1);
    await w.speed(id, 2);
    const n = await statusWhen(h().app, sub, 'two deliveries recorded', (x) => x.timesSent === 2);
    assert.equal(n.status, 'ok');
    assert.equal(n.timesFailed, 0);
    assert.equal(n.lastSuccess, n.lastNotification);
    assert.equal(n.lastFailure, undefined);
    assert.ok(Date.parse(n.lastSuccess) >= Date.parse(h().receiver.at(path)[1].body.notifiedAt), n.lastSuccess);
  });

  it('update attributes should notify the first change at once and the later ones in one notification when throttling is set', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('throttled'), uniqueId('Car')];
    await w.create(id, T, 0);
    const sub = await on(h(), T, path, { throttling: 2 });
    await w.speed(id, 1);
    await h().receiver.waitFor(path, 1);
    for (const v of [2, 3, 4, 5]) await w.speed(id, v);
    await h().receiver.waitFor(path, 2);
    await assertNothingMore(h(), sub, path, 2);
    assert.deepEqual(speeds(h().receiver, path), [[1], [5]]);
    assert.equal((await getSubscription(h().app, sub)).notification.timesSent, 2);
  });

  it('periodic notifications should carry the current state and stop when paused, then deleted, when timeInterval is set', async () => {
    const [T, path, id] = [uniqueType('Car'), uniquePath('periodic'), uniqueId('Car')];
    await w.create(id, T, 1);
    const sub = await on(h(), T, path, { timeInterval: 1 });
    await h().receiver.waitFor(path, 1);
    await w.speed(id, 2);
    // a periodic subscription owes nothing for a change (clause 5.2.12 timeInterval)
    assert.ok((await queued(h().client, sub)).every((r) => r.reason === 'periodic'));
    const got = await h().receiver.waitFor(path, 3);
    assert.deepEqual(got.map((n) => n.body.subscriptionId), [sub, sub, sub]);
    assert.deepEqual(dataOf(got[2]), [{ id, type: T, speed: prop(2) }]);
    assert.deepEqual(dataOf(got[0]), [{ id, type: T, speed: prop(1) }]);

    await expect(h().app, 204, 'PATCH', subscriptionUrl(sub), { isActive: false });
    const paused = h().receiver.at(path).length;
    await sleep(2500); // more than two periods
    assert.ok(h().receiver.at(path).length <= paused + 1, 'only a notification already in flight may arrive after the pause');
    const afterPause = h().receiver.at(path).length;
    await expect(h().app, 204, 'PATCH', subscriptionUrl(sub), { isActive: true });
    await h().receiver.waitFor(path, afterPause + 1);
    await expect(h().app, 204, 'DELETE', subscriptionUrl(sub));
    await assertNothingMore(h(), sub, path, h().receiver.at(path).length);
    const deleted = h().receiver.at(path).length;
    await sleep(1500);
    assert.equal(h().receiver.at(path).length, deleted);
  });
});

describeDelivery(
  'Delivery failures (5.2.15)',
  (h) => {
    const w = writer(h);

    it('delivery should retry until the endpoint accepts and count the failures when it answers 500, 500, then 200', async () => {
      const [T, path, id] = [uniqueType('Car'), uniquePath('retry'), uniqueId('Car')];
      await w.create(id, T, 0);
      const sub = await on(h(), T, path);
      h().receiver.answer(path, 500, 500);
      await w.speed(id, 1);
      const got = await h().receiver.waitFor(path, 3);
      // the same notification each time: a receiver can deduplicate by id
      assert.deepEqual(new Set(got.map((n) => n.body.id)).size, 1);
      assert.deepEqual(speeds(h().receiver, path), [[1], [1], [1]]);
      const n = await statusWhen(h().app, sub, 'the delivery recorded', (x) => x.timesSent === 1);
      assert.equal(n.timesFailed, 2);
      assert.equal(n.status, 'ok');
      assert.ok(n.lastFailure !== undefined && Date.parse(n.lastFailure) <= Date.parse(n.lastSuccess), JSON.stringify(n));
      await assertNothingMore(h(), sub, path, 3);
    });

    it('delivery should not retry and move the notification to the dead letters when the endpoint answers 400', async () => {
      const [T, path, id] = [uniqueType('Car'), uniquePath('refused'), uniqueId('Car')];
      await w.create(id, T, 0);
      const sub = await on(h(), T, path);
      h().receiver.answer(path, 400);
      await w.speed(id, 1);
      const n = await statusWhen(h().app, sub, 'the refusal recorded', (x) => x.status === 'failed');
      assert.equal(n.timesFailed, 1);
      assert.equal(n.timesSent, 0);
      assert.deepEqual(await deadLetters(h().client, sub), [{ attempts: 1, failure: 'the endpoint answered HTTP 400', reason: 'change' }]);
      await assertNothingMore(h(), sub, path, 1);
    });

    it('delivery should give up and keep a dead letter when the endpoint fails maxAttempts times', async () => {
      const [T, path, id] = [uniqueType('Car'), uniquePath('exhausted'), uniqueId('Car')];
      await w.create(id, T, 0);
      const sub = await on(h(), T, path);
      h().receiver.answer(path, 503, 503, 503);
      await w.speed(id, 1);
      const n = await statusWhen(h().app, sub, 'the dead letter recorded', (x) => x.timesFailed === 3);
      assert.equal(n.status, 'failed');
      assert.deepEqual(await deadLetters(h().client, sub), [
        { attempts: 3, failure: 'the endpoint answered HTTP 503 (gave up after 3 attempts)', reason: 'change' },
      ]);
      await assertNothingMore(h(), sub, path, 3);
    });

    it('delivery should count a failure and retry when the endpoint does not answer within endpoint.timeout', async () => {
      const [T, path, id] = [uniqueType('Car'), uniquePath('timeout'), uniqueId('Car')];
      await w.create(id, T, 0);
      const sub = await on(h(), T, path, {}, { timeout: 300 });
      h().receiver.answer(path, 'hold');
      await w.speed(id, 1);
      const n = await statusWhen(h().app, sub, 'the retry delivered', (x) => x.timesSent === 1);
      assert.equal(n.timesFailed, 1);
      const [{ reason }] = await h().client.query<{ reason: string }>('SELECT last_failure_reason AS reason FROM subscriptions WHERE id = $1', [sub]);
      assert.equal(reason, 'no answer within 300 ms');
      await assertNothingMore(h(), sub, path, 2);
      h().receiver.release();
    });

    it('delivery should wait for endpoint.cooldown after a failure before any further attempt to the subscription', async () => {
      const [T, path, id] = [uniqueType('Car'), uniquePath('cooldown'), uniqueId('Car')];
      await w.create(id, T, 0);
      const cooldown = 1500;
      const sub = await on(h(), T, path, {}, { cooldown });
      h().receiver.answer(path, 500);
      await w.speed(id, 1);
      const failed = await statusWhen(h().app, sub, 'the failure recorded', (x) => x.timesFailed === 1);
      // the retry and a change written during the cooldown are both due after it, the retry first
      await w.speed(id, 2);
      const rows = await queued(h().client, sub);
      assert.equal(rows.length, 2);
      for (const r of rows) assert.ok(Date.parse(String(new Date(r.due_at).toISOString())) >= Date.parse(failed.lastFailure) + cooldown - 50, JSON.stringify(r));
      assert.equal(h().receiver.at(path).length, 1, 'no attempt during the cooldown');
      const got = await h().receiver.waitFor(path, 3);
      assert.equal(got[1].body.id, got[0].body.id);
      assert.deepEqual(speeds(h().receiver, path), [[1], [1], [2]]);
    });

    it('delivery should fail retryably and record the reason when nothing listens at the endpoint', async () => {
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const port = (probe.address() as AddressInfo).port;
      await new Promise((r) => probe.close(r));
      const [T, id] = [uniqueType('Car'), uniqueId('Car')];
      await w.create(id, T, 0);
      const sub = await subscribe(h().app, { entities: [{ type: T }], notification: { endpoint: { uri: `http://127.0.0.1:${port}/nobody` } } });
      await w.speed(id, 1);
      const n = await statusWhen(h().app, sub, 'the dead letter recorded', (x) => x.timesFailed === 3);
      assert.equal(n.status, 'failed');
      assert.equal(n.timesSent, 0);
      const [dead] = await deadLetters(h().client, sub);
      assert.match(dead.failure, /^cannot reach the endpoint: ECONNREFUSED \(gave up after 3 attempts\)$/);
    });
  },
  { notificationMaxAttempts: 3 },
);

describeDelivery(
  'Endpoint isolation and order (5.8)',
  (h) => {
    const w = writer(h);
    let dead: Receiver;
    before(async () => {
      dead = await Receiver.start();
    });

    it('delivery should reach a live endpoint with every notification when another endpoint holds every request', async () => {
      const [T, id] = [uniqueType('Car'), uniqueId('Car')];
      const [livePath, deadPath] = [uniquePath('live'), uniquePath('dead')];
      await w.create(id, T, 0);
      dead.answer(deadPath, ...Array<'hold'>(100).fill('hold'));
      // more dead subscriptions than the notifier's deliveries in flight per endpoint
      const deadSubs = [];
      for (let k = 0; k < 10; k++) deadSubs.push(await subscribe(h().app, { entities: [{ type: T }], notification: { endpoint: { uri: dead.url(deadPath) } } }));
      const live = await on(h(), T, livePath);
      for (let v = 1; v <= 5; v++) await w.speed(id, v);
      await h().receiver.waitFor(livePath, 5);
      assert.deepEqual(speeds(h().receiver, livePath), [[1], [2], [3], [4], [5]]);
      // the dead endpoint's requests are still held: none of them is answered yet
      assert.ok(dead.at(deadPath).length >= 1);
      for (const s of deadSubs) assert.equal((await getSubscription(h().app, s)).notification.timesSent, 0);
      await statusWhen(h().app, live, 'the live deliveries recorded', (x) => x.timesSent === 5);
      // answers the held requests and refuses the rest, so that the notifier stops at once after this suite
      await dead.close();
    });

    it('update attributes should be notified in write order when one entity is updated 20 times in a row', async () => {
      const [T, path, id] = [uniqueType('Car'), uniquePath('order'), uniqueId('Car')];
      await w.create(id, T, 0);
      const sub = await on(h(), T, path);
      for (let v = 1; v <= 20; v++) await w.speed(id, v);
      await h().receiver.waitFor(path, 20);
      await assertNothingMore(h(), sub, path, 20);
      assert.deepEqual(speeds(h().receiver, path), Array.from({ length: 20 }, (_, k) => [k + 1]));
    });

    it('update attributes should be notified in write order when an earlier notification waits for its retry', async () => {
      const [T, path, id] = [uniqueType('Car'), uniquePath('order-retry'), uniqueId('Car')];
      await w.create(id, T, 0);
      const sub = await on(h(), T, path);
      h().receiver.answer(path, 500);
      await w.speed(id, 1);
      await statusWhen(h().app, sub, 'the failure recorded', (x) => x.timesFailed === 1);
      await w.speed(id, 2);
      await h().receiver.waitFor(path, 3);
      await assertNothingMore(h(), sub, path, 3);
      // the receiver ends with the latest state: the change written later is not delivered before the retry
      assert.deepEqual(speeds(h().receiver, path), [[1], [1], [2]]);
    });
  },
  // retries wait long enough for a later change to be due first
  { notificationTimeoutMs: 30_000, notificationRetryMs: 1000 },
);

