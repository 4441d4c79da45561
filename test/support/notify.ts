/**
 * In-process delivery testing of subscriptions (clause 5.8): the app runs its notification worker against a local
 * Receiver, on every engine. Tests isolate themselves by unique ids, tenants and receiver paths.
 *
 * "Nothing was notified" is asserted without waiting for a silence: a write queues its notifications in its own
 * transaction (store/subscriptions/match.ts), a queued row stays in the outbox until the receiver has it, so once
 * the write has answered, no outbox row and nothing received means nothing was, or will be, sent.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { after, before, describe } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../src/config.js';
import type { SqlClient, Store } from '../../src/store/port.js';
import { forEachEngine } from './engines.js';
import { API, buildTestApp, send, uniqueId, type Headers, type Method } from './http.js';
import { Receiver } from './receiver.js';

export const SUBS = `${API}/subscriptions`;

/** Quick retries and a short cap on deliveries, so that failures resolve within a test. */
const FAST: Partial<Config> = { notifier: true, notificationRetryMs: 50, notificationTimeoutMs: 1000 };

export interface DeliveryHarness {
  app: FastifyInstance;
  store: Store;
  client: SqlClient;
  engine: string;
  receiver: Receiver;
}

/**
 * Declares `body` once per engine with an app that delivers notifications (FAST, then `overrides`) and a receiver.
 * The nested describe closes the app (and its worker) before forEachEngine disposes of the store.
 */
export function describeDelivery(name: string, body: (h: () => DeliveryHarness) => void, overrides: Partial<Config> = {}): void {
  forEachEngine(name, (engine, store, client) => {
    describe('with a notifier', () => {
      let harness: DeliveryHarness | undefined;
      before(async () => {
        const receiver = await Receiver.start();
        harness = { app: await buildTestApp(store(), { ...FAST, ...overrides }, engine), store: store(), client: client(), engine, receiver };
      });
      after(async () => {
        await harness?.receiver.close();
        await harness?.app.close();
      });
      body(() => {
        if (!harness) throw new Error('the delivery harness is used before its before() hook ran');
        return harness;
      });
    });
  });
}

/** A receiver path no other test uses. */
export const uniquePath = (name: string): string => `/${name}/${randomUUID()}`;

/** Sends a request and asserts its status; returns the parsed body, if any. */
export async function expect(app: FastifyInstance, status: number, method: Method, url: string, body?: unknown, headers: Headers = {}): Promise<any> {
  const res = await send(app, method, url, body, headers);
  assert.equal(res.statusCode, status, `${method} ${url} answered ${res.statusCode}: ${res.body}`);
  return res.body === '' ? undefined : res.json();
}

/** Creates a subscription with `members` (type Subscription and a unique id added) and returns its id. */
export async function subscribe(app: FastifyInstance, members: Record<string, unknown>, headers: Headers = {}): Promise<string> {
  const id = uniqueId('Subscription');
  await expect(app, 201, 'POST', SUBS, { id, type: 'Subscription', ...members }, headers);
  return id;
}

export const subscriptionUrl = (id: string): string => `${SUBS}/${encodeURIComponent(id)}`;

export function getSubscription(app: FastifyInstance, id: string, headers: Headers = {}): Promise<Record<string, any>> {
  return expect(app, 200, 'GET', subscriptionUrl(id), undefined, headers);
}

/** A Property attribute. */
export const prop = (value: unknown, extra: Record<string, unknown> = {}) => ({ type: 'Property', value, ...extra });

/** Polls `check` until it holds; fails after `ms` with `what`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${ms} ms`);
    await sleep(25);
  }
}

/** The subscription's rendered notification member once `check` holds for it. */
export function statusWhen(app: FastifyInstance, id: string, what: string, check: (n: Record<string, any>) => boolean, headers: Headers = {}) {
  return eventually(what, async () => {
    const n = (await getSubscription(app, id, headers)).notification as Record<string, any>;
    return check(n) ? n : undefined;
  });
}

/** Outbox rows (queued, leased or waiting for a retry) of a subscription. */
export async function queued(client: SqlClient, subscription: string): Promise<Array<{ reason: string; due_at: Date | string; attempts: number }>> {
  return client.query('SELECT reason, due_at, attempts FROM notification_outbox WHERE subscription_id = $1 ORDER BY id', [subscription]);
}

export async function deadLetters(client: SqlClient, subscription: string): Promise<Array<{ attempts: number; failure: string; reason: string }>> {
  return client.query('SELECT attempts, failure, reason FROM notification_dead_letters WHERE subscription_id = $1 ORDER BY id', [subscription]);
}

/**
 * Asserts that `path` received exactly `count` notifications and the subscription owes no more (see the header of
 * this file): it waits for the outbox to empty, then counts.
 */
export async function assertNothingMore(h: DeliveryHarness, subscription: string, path: string, count = 0): Promise<void> {
  await eventually(`the outbox of ${subscription} to empty`, async () => (await queued(h.client, subscription)).length === 0);
  assert.equal(h.receiver.at(path).length, count, `${path} received ${JSON.stringify(h.receiver.at(path).map((r) => r.body))}`);
}

/** An entity type no other test writes, so that a subscription on it sees only its own test's writes. */
export const uniqueType = (name: string): string => `${name}${randomUUID().slice(0, 8)}`;

/** The entities a notification carries (data of a Notification, clause 5.3.1). */
export const dataOf = (r: { body: any }): Array<Record<string, any>> => r.body.data;
