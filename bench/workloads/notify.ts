import type { Entity } from '../data.js';

/**
 * Notification latency (clause 5.8, issue #4): `subscriptions` subscriptions point at a receiver run by the load
 * generator (bench/notify-driver.ts), which updates a pool of entities at a fixed rate with batch update and times
 * every entity of every notification from the update's send (its `sentAt` value) to its receipt. Every update
 * matches exactly one subscription, so the notifications expected are the updates acknowledged.
 */
export interface NotifyWorkload {
  name: string;
  /** One line for the README and the report. */
  title: string;
  subscriptions: number;
  /** Entity updates per second asked for. */
  rate: number;
  /** Entities per POST /entityOperations/update. */
  batch: number;
  /** Entities updated in turn (each `pool / (rate)` seconds): created before the subscriptions, tag `notify`. */
  pool: number;
  /** Entity i as created: what subscriptions select it by, and `sentAt`. */
  entity(i: number, sentAt: number): Entity;
  /** Subscription k, notifying `uri`. */
  subscription(k: number, uri: string): Record<string, unknown>;
}

const prop = (value: unknown) => ({ type: 'Property', value });
const SUBSCRIPTIONS = 100;

/** Left in place at the end (the broker goes with its engine's run); the other workloads write no type they select. */
function subscription(name: string, k: number, uri: string, select: Record<string, unknown>): Record<string, unknown> {
  return {
    id: `urn:ngsi-ld:Subscription:bench-${name}:${k}`,
    type: 'Subscription',
    ...select,
    watchedAttributes: ['sentAt'],
    notification: { attributes: ['sentAt'], format: 'normalized', endpoint: { uri, accept: 'application/json' } },
  };
}

/** One type per subscription: each write's candidates are the subscriptions of its types only, matched in memory. */
export const notify: NotifyWorkload = {
  name: 'notify',
  title: '100 subscriptions, one entity type each (NotifyBench0…99); batch update of 50 entities of 50 types per request at 1,000 updates/s',
  subscriptions: SUBSCRIPTIONS,
  rate: 1000,
  batch: 50,
  pool: 2000,
  entity: (i, sentAt) => ({ id: `urn:ngsi-ld:NotifyBench${i % SUBSCRIPTIONS}:notify:${i}`, type: `NotifyBench${i % SUBSCRIPTIONS}`, sentAt: prop(sentAt) }),
  subscription: (k, uri) => subscription('notify', k, uri, { entities: [{ type: `NotifyBench${k}` }] }),
};

/**
 * One type for all: every write's candidates are all 100 subscriptions, and their q is matched in SQL over the
 * batch's documents, one UNION ALL branch per subscription.
 */
export const notifyQ: NotifyWorkload = {
  name: 'notify-q',
  title: '100 subscriptions on one type (NotifyBenchQ), q=bucket==k each; batch update of 50 entities (50 buckets) per request at 1,000 updates/s',
  subscriptions: SUBSCRIPTIONS,
  rate: 1000,
  batch: 50,
  pool: 2000,
  entity: (i, sentAt) => ({ id: `urn:ngsi-ld:NotifyBenchQ:notify:${i}`, type: 'NotifyBenchQ', bucket: prop(i % SUBSCRIPTIONS), sentAt: prop(sentAt) }),
  subscription: (k, uri) => subscription('notify-q', k, uri, { entities: [{ type: 'NotifyBenchQ' }], q: `bucket==${k}` }),
};

export const NOTIFY_WORKLOADS: readonly NotifyWorkload[] = [notify, notifyQ];

export function notifyWorkload(name: string): NotifyWorkload {
  const w = NOTIFY_WORKLOADS.find((x) => x.name === name);
  if (!w) throw new Error(`unknown notification workload ${name}`);
  return w;
}
