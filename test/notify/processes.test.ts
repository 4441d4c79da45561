/**
 * Delivery guarantees of subscriptions (clause 5.8) with real broker processes: a broker killed with SIGKILL
 * mid-delivery or between a write and its delivery loses no notification once a broker runs again on the same
 * storage (at-least-once, through the outbox lease, under the same notification id); two brokers on one PostgreSQL
 * deliver every change exactly once and share periodic schedules (one notification per period, not one per process);
 * a slow but healthy endpoint never sees a change twice (renewed leases outlast the wait of a claimed row in its queue).
 *
 * PostgreSQL runs need a server with PostGIS (test/support/engines.ts): outside CI a missing one skips them with
 * the reason printed, with CI=true it fails them. Each scenario gets a database of its own, dropped at the end.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { type BrokerProcess, startBroker, stopAll, tail } from '../support/broker-process.js';
import { freshPostgresDatabase, postgresUnavailable } from '../support/engines.js';
import { Receiver } from '../support/receiver.js';

const IN_CI = process.env.CI === 'true';

/**
 * A short lease: 3 × 1000 ms + 1000 ms = 4 s (notifier.ts #leaseMs). A delivery held by the
 * endpoint times out after 1 s, long enough to kill its broker while the request is still open.
 */
const SHORT_LEASE = { MIMOSA_NOTIFICATION_TIMEOUT_MS: '1000', MIMOSA_NOTIFICATION_CONCURRENCY: '1', MIMOSA_NOTIFICATION_RETRY_MS: '100' };

type Storage = Record<string, string>;

interface Answer {
  status: number;
  body: any;
}

async function call(b: BrokerProcess, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${b.api}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

async function expectStatus(b: BrokerProcess, method: string, path: string, status: number, body?: unknown): Promise<Answer> {
  const a = await call(b, method, path, body);
  assert.equal(a.status, status, `${method} ${path} answered ${a.status}: ${JSON.stringify(a.body)}`);
  return a;
}

function subscribe(b: BrokerProcess, id: string, type: string, uri: string, extra: Record<string, unknown> = {}): Promise<Answer> {
  const body = { id, type: 'Subscription', entities: [{ type }], notification: { endpoint: { uri } }, ...extra };
  return expectStatus(b, 'POST', '/subscriptions', 201, body);
}

function createEntity(b: BrokerProcess, id: string, type: string, speed: number): Promise<Answer> {
  return expectStatus(b, 'POST', '/entities', 201, { id, type, speed: { type: 'Property', value: speed } });
}

function setSpeed(b: BrokerProcess, id: string, speed: number): Promise<Answer> {
  return expectStatus(b, 'PATCH', `/entities/${encodeURIComponent(id)}/attrs`, 204, { speed: { type: 'Property', value: speed } });
}

async function timesSent(b: BrokerProcess, subscription: string): Promise<number> {
  return (await status(b, subscription)).timesSent;
}

async function status(b: BrokerProcess, subscription: string): Promise<{ timesSent: number; timesFailed: number }> {
  const a = await expectStatus(b, 'GET', `/subscriptions/${encodeURIComponent(subscription)}`, 200);
  return { timesSent: Number(a.body.notification.timesSent ?? 0), timesFailed: Number(a.body.notification.timesFailed ?? 0) };
}

/** Polls `check` until it holds; fails after `ms` with `what`. */
async function eventually(what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms`);
    await sleep(50);
  }
}

/** Runs `body` with a fresh PostgreSQL database URL, or reports why it cannot (a failure under CI=true). */
function describePostgres(name: string, body: (url: () => string) => void): void {
  if (postgresUnavailable !== undefined) {
    if (IN_CI) describe(`${name} [postgres]`, () => it('needs PostgreSQL with PostGIS under CI=true', () => assert.fail(postgresUnavailable)));
    else describe(`${name} [postgres]`, { skip: postgresUnavailable }, () => undefined);
    return;
  }
  describe(`${name} [postgres]`, () => {
    let db: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
    before(async () => {
      db = await freshPostgresDatabase();
    });
    after(async () => {
      await stopAll();
      await db?.drop();
    });
    body(() => {
      if (!db) throw new Error('the database is used before its before() hook ran');
      return db.url;
    });
  });
}

/** Runs `body` with a fresh PGlite data directory, removed at the end. */
function describePglite(name: string, body: (dataDir: () => string) => void): void {
  describe(`${name} [pglite]`, () => {
    let dir: string | undefined;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'mimosa-proc-'));
    });
    after(async () => {
      await stopAll();
      if (dir) await rm(dir, { recursive: true, force: true });
    });
    body(() => {
      if (!dir) throw new Error('the data directory is used before its before() hook ran');
      return dir;
    });
  });
}

let receiver: Receiver;
before(async () => {
  receiver = await Receiver.start();
});
after(async () => {
  await stopAll();
  await receiver.close();
});

/** Entity ids in the notifications `path` received, in arrival order. */
const notifiedIds = (path: string) => receiver.at(path).flatMap((r) => (r.body.data as Array<{ id: string }>).map((e) => e.id));

// ------------------------------------------------------------------ 1. kill -9 mid-delivery, then restart

function killMidDelivery(engine: string, storage: () => Storage): void {
  it('delivery should reach the endpoint again after a restart when the broker is killed mid-delivery', async (t: TestContext) => {
    const path = `/mid-delivery-${engine}`;
    const sub = `urn:ngsi-ld:Subscription:mid-delivery-${engine}`;
    const car = `urn:ngsi-ld:Car:mid-delivery-${engine}`;
    receiver.answer(path, 'hold');

    let t0 = Date.now();
    const a = await startBroker({ ...storage(), ...SHORT_LEASE }, 'broker A');
    t.diagnostic(`broker A started in ${Date.now() - t0} ms`);
    await subscribe(a, sub, 'Car', receiver.url(path));
    await createEntity(a, car, 'Car', 1);
    await receiver.waitFor(path, 1);
    await a.kill();
    const killedAt = Date.now();
    assert.equal(receiver.at(path).length, 1, 'broker A delivered again before it was killed: the kill came too late');
    receiver.release(); // the held request's connection is gone with A; nothing waits for this answer

    t0 = Date.now();
    const b = await startBroker({ ...storage(), ...SHORT_LEASE }, 'broker B');
    const startedAt = Date.now();
    t.diagnostic(`broker B started on the killed broker's storage in ${startedAt - t0} ms`);
    const got = await receiver.waitFor(path, 2, 30_000).catch((e: Error) => assert.fail(`${e.message}\nbroker B ${tail(b)}`));
    const again = got[1];
    assert.ok(again);
    t.diagnostic(`redelivered ${again.at - killedAt} ms after the kill, ${again.at - startedAt} ms after broker B was ready`);
    assert.equal(again.body.subscriptionId, sub);
    assert.deepEqual(
      again.body.data.map((e: any) => [e.id, e.speed.value]),
      [[car, 1]],
    );
    assert.deepEqual(again.body.data, got[0]?.body.data);
    assert.equal(again.body.id, got[0]?.body.id, 'a redelivery should keep the notification id, for receivers to deduplicate by');
    // the write committed by the killed broker is still there
    assert.equal((await expectStatus(b, 'GET', `/entities/${encodeURIComponent(car)}`, 200)).body.speed.value, 1);
    await eventually('timesSent ≥ 1 on broker B', async () => (await timesSent(b, sub)) >= 1);
    await b.stop();
  });
}

describePglite('Kill -9 mid-delivery', (dir) => killMidDelivery('pglite', () => ({ MIMOSA_DATA_DIR: dir() })));
describePostgres('Kill -9 mid-delivery', (url) => killMidDelivery('postgres', () => ({ MIMOSA_DATABASE_URL: url() })));

// ------------------------------------------------------------------ 2. kill -9 between the write and its delivery

function killBeforeDelivery(engine: string, storage: () => Storage): void {
  it('delivery should happen after a restart when the broker is killed between the write and the delivery', async (t: TestContext) => {
    const path = `/before-delivery-${engine}`;
    const sub = `urn:ngsi-ld:Subscription:before-delivery-${engine}`;
    const car = `urn:ngsi-ld:Van:before-delivery-${engine}`;

    const a = await startBroker({ ...storage(), MIMOSA_NOTIFIER: 'false' }, 'broker A (no notifier)');
    await subscribe(a, sub, 'Van', receiver.url(path));
    await createEntity(a, car, 'Van', 7);
    await a.kill();
    const killedAt = Date.now();
    assert.equal(receiver.at(path).length, 0);

    const b = await startBroker(storage(), 'broker B');
    const got = await receiver.waitFor(path, 1, 30_000).catch((e: Error) => assert.fail(`${e.message}\nbroker B ${tail(b)}`));
    t.diagnostic(`delivered ${(got[0]?.at ?? 0) - killedAt} ms after the kill (including broker B's start)`);
    assert.deepEqual(
      got.map((r) => r.body.data.map((e: any) => [e.id, e.speed.value])),
      [[[car, 7]]],
    );
    assert.equal((await expectStatus(b, 'GET', `/entities/${encodeURIComponent(car)}`, 200)).body.speed.value, 7);
    await eventually('timesSent = 1 on broker B', async () => (await timesSent(b, sub)) === 1);
    await b.stop();
    assert.equal(receiver.at(path).length, 1);
  });
}

describePglite('Kill -9 before delivery', (dir) => killBeforeDelivery('pglite', () => ({ MIMOSA_DATA_DIR: dir() })));
describePostgres('Kill -9 before delivery', (url) => killBeforeDelivery('postgres', () => ({ MIMOSA_DATABASE_URL: url() })));

// ------------------------------------------------------------------ 3. two brokers, one database: exactly once

describePostgres('Two brokers sharing changes', (url) => {
  const ENTITIES = 20;
  const UPDATES = 200;
  const path = '/shared-changes';
  const sub = 'urn:ngsi-ld:Subscription:shared-changes';
  const car = (i: number) => `urn:ngsi-ld:Bus:${i % ENTITIES}`;
  let a: BrokerProcess;
  let b: BrokerProcess;

  before(async () => {
    a = await startBroker({ MIMOSA_DATABASE_URL: url() }, 'broker A');
    b = await startBroker({ MIMOSA_DATABASE_URL: url() }, 'broker B');
    for (let i = 0; i < ENTITIES; i++) await createEntity(i % 2 ? b : a, car(i), 'Bus', -1 - i);
  });

  it('a subscription created through one broker should be matched by writes through the other when written at once', async () => {
    await subscribe(a, sub, 'Bus', receiver.url(path));
    await setSpeed(b, car(0), 1000);
    const got = await receiver.waitFor(path, 1);
    assert.deepEqual(
      got[0]?.body.data.map((e: any) => [e.id, e.speed.value]),
      [[car(0), 1000]],
    );
  });

  it('changes should each be notified exactly once when written through two brokers that both notify', async () => {
    // value i is written to entity i mod 20: each notification names the one change it reports
    let next = 0;
    const writer = async () => {
      for (let i = next++; i < UPDATES; i = next++) await setSpeed(i % 2 ? b : a, car(i), i);
    };
    await Promise.all(Array.from({ length: 8 }, writer));
    await receiver.waitFor(path, UPDATES + 1, 60_000);

    // every row has left the outbox: nothing can still be delivered, then any duplicate would be here
    const db = new pg.Client({ connectionString: url() });
    await db.connect();
    try {
      await eventually('an empty outbox', async () => Number((await db.query('SELECT count(*) AS n FROM notification_outbox')).rows[0].n) === 0);
    } finally {
      await db.end();
    }
    const changes = receiver.at(path).flatMap((r) => r.body.data.map((e: any) => `${e.id}=${e.speed.value}`));
    const expected = [`${car(0)}=1000`, ...Array.from({ length: UPDATES }, (_, i) => `${car(i)}=${i}`)];
    const duplicates = changes.filter((c, i) => changes.indexOf(c) !== i);
    assert.deepEqual(duplicates, [], 'changes notified more than once');
    assert.deepEqual([...changes].sort(), [...expected].sort());
    assert.equal(new Set(receiver.at(path).map((r) => r.body.id)).size, receiver.at(path).length, 'notification ids are unique');
    // both brokers count the deliveries in the one database
    assert.equal(await timesSent(b, sub), receiver.at(path).length);
    assert.equal(notifiedIds(path).length, UPDATES + 1);
  });
});

// ------------------------------------------------------------------ 4. two brokers, one database: periodic

describePostgres('Two brokers sharing a periodic subscription', (url) => {
  const path = '/shared-periodic';
  const sub = 'urn:ngsi-ld:Subscription:shared-periodic';
  const WINDOW_MS = 4000;
  const PERIODS = WINDOW_MS / 1000;

  it('periodic notifications should come once per period, not once per broker, when two brokers notify', async (t: TestContext) => {
    const a = await startBroker({ MIMOSA_DATABASE_URL: url() }, 'broker A');
    const b = await startBroker({ MIMOSA_DATABASE_URL: url() }, 'broker B');
    await createEntity(b, 'urn:ngsi-ld:Tram:1', 'Tram', 3);
    await subscribe(a, sub, 'Tram', receiver.url(path), { timeInterval: 1 });
    const [first] = await receiver.waitFor(path, 1);
    assert.ok(first);
    await sleep(WINDOW_MS + 300);
    const window = receiver.at(path).filter((r) => r.at >= first.at && r.at < first.at + WINDOW_MS);
    const gaps = window.slice(1).map((r, i) => r.at - (window[i]?.at ?? 0));
    t.diagnostic(`${window.length} periodic notifications in ${WINDOW_MS} ms; gaps ${gaps.join(', ')} ms`);
    assert.ok(window.length >= PERIODS - 1 && window.length <= PERIODS + 1, `${window.length} notifications for ${PERIODS} periods`);
    assert.deepEqual(
      gaps.filter((g) => g < 500),
      [],
      'two notifications of one period',
    );
    assert.deepEqual(
      [...new Set(window.flatMap((r) => r.body.data.map((e: any) => e.id)))],
      ['urn:ngsi-ld:Tram:1'],
    );

    await Promise.all([a.stop(), b.stop()]);
    const stoppedAt = Date.now();
    const before = receiver.at(path).length;
    const c = await startBroker({ MIMOSA_DATABASE_URL: url() }, 'broker C');
    const d = await startBroker({ MIMOSA_DATABASE_URL: url() }, 'broker D');
    const got = await receiver.waitFor(path, before + 3, 15_000);
    const resumed = got.slice(before);
    t.diagnostic(`resumed ${(resumed[0]?.at ?? 0) - stoppedAt} ms after the stop; gaps ${resumed.slice(1).map((r, i) => r.at - (resumed[i]?.at ?? 0)).join(', ')} ms`);
    assert.ok(resumed.every((r) => r.body.subscriptionId === sub));
    await Promise.all([c.stop(), d.stop()]);
  });
});

// ------------------------------------------------------------------ 5. a slow, healthy endpoint: renewed leases outlast the queue

describePostgres('A slow endpoint', (url) => {
  const CHANGES = 30;
  /** Answers 200 after DELAY_MS, well inside the delivery timeout even on a loaded machine: every delivery succeeds, slowly. */
  const DELAY_MS = 200;
  /** What each request carried: its notification id and the changes in it. */
  const received: { id: string; changes: string[] }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text);
      received.push({ id: body.id, changes: body.data.map((e: any) => `${e.id}=${e.speed.value}`) });
      setTimeout(() => res.writeHead(200).end(), DELAY_MS);
    });
  });
  before(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
  after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));

  it('changes should each be notified once when they queue behind one subscription longer than a delivery timeout', async (t) => {
    // 10 deliveries at once per endpoint with a 1 s timeout: the 30 rows of one subscription are sent one after the
    // other (about 6 s at 200 ms each), longer than one lease (4 s): renewals keep them held. The creates go one
    // after the other: concurrent ones would share transactions (group commit) and so outbox rows, and the queue
    // would be shorter than a lease.
    const a = await startBroker({ MIMOSA_DATABASE_URL: url(), MIMOSA_NOTIFICATION_TIMEOUT_MS: '1000', MIMOSA_NOTIFICATION_CONCURRENCY: '10' }, 'broker');
    const sub = 'urn:ngsi-ld:Subscription:slow-endpoint';
    await subscribe(a, sub, 'Taxi', `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`);
    for (let i = 0; i < CHANGES; i++) await createEntity(a, `urn:ngsi-ld:Taxi:${i}`, 'Taxi', i);
    const changes = () => received.flatMap((r) => r.changes);
    await eventually('every change notified', () => new Set(changes()).size === CHANGES, 40_000);
    await a.stop(); // waits for the deliveries in flight and records them: a duplicate on its way arrives before this resolves
    const b = await startBroker({ MIMOSA_DATABASE_URL: url(), MIMOSA_NOTIFIER: 'false' }, 'broker after');
    const { timesSent: sent, timesFailed: failed } = await status(b, sub);
    await b.stop();

    const notifications = new Map(received.map((r) => [r.id, r.changes]));
    t.diagnostic(`${received.length} requests, ${notifications.size} notifications for ${CHANGES} changes; timesSent ${sent}, timesFailed ${failed}`);
    assert.equal(notifications.size, CHANGES, "one notification per change: creates one after the other queue one row each");
    assert.equal(sent, notifications.size, 'one recorded success per notification');
    const all = [...notifications.values()].flat();
    assert.deepEqual(all.filter((c, i) => all.indexOf(c) !== i), [], 'a change notified in two notifications');
    // A delivery that timed out on a starved machine reached the endpoint and was retried with the same notification
    // id: a legitimate duplicate, counted in timesFailed. A request sent again without a failed attempt is a row
    // delivered twice because its lease ran out while it was held: what this test is about.
    assert.ok(received.length - notifications.size <= failed, `${received.length - notifications.size} notifications sent again, ${failed} failed attempts`);
  });
});
