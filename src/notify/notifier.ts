/**
 * The notification worker (clause 5.8 subscriptions, delivered per 5.2.14/5.2.15). Every Mimosa process may run
 * one; they share the work through the database outbox (store/subscriptions/outbox.ts) and never through memory:
 *
 * - Woken by LISTEN/NOTIFY when a write queues notifications, and by a timer for retries, throttling windows and
 *   periods; it also polls, so a missed wake-up only delays work by one poll interval.
 * - Claims due rows under a lease (FOR UPDATE SKIP LOCKED): one delivery per notification across processes; a row
 *   whose process died is claimed again when its lease ends (at-least-once).
 * - Isolates endpoints: at most `concurrency` deliveries in flight per endpoint (scheme and authority) and claims
 *   skip saturated endpoints, so a dead or slow endpoint only ever holds its own slots.
 * - Keeps each subscription's notifications in order within the process (one at a time per subscription).
 * - Retries failures with exponential backoff and jitter; a notification still failing after `maxAttempts`, or
 *   refused for good (e.g. HTTP 4xx), goes to the dead-letter table and the subscription shows status failed.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { TermMap } from '../core/context/termmap.js';
import type { Entity } from '../core/entity/model.js';
import { endpointKey, type Subscription } from '../core/subscription/model.js';
import type { ClaimedNotification, Delivered, EntityQuery, EntityStore, Outbox } from '../store/port.js';
import { buildCsourceNotifications } from './csource-payload.js';
import { buildNotifications } from './payload.js';
import type { Sender } from './senders/delivery.js';

export interface NotifierOptions {
  outbox: Outbox;
  /** For periodic notifications: the entities that match now. */
  entities: Pick<EntityStore, 'queryEntities'>;
  senders: Sender;
  /** Compiles a subscription's @context (its jsonldContext, or the context it was created with). */
  termMap: (context: readonly unknown[]) => Promise<TermMap>;
  timeoutMs: number;
  maxAttempts: number;
  retryMs: number;
  /** Deliveries in flight per endpoint. */
  concurrency: number;
  maxEntities: number;
  now?: () => string;
  /** Longest sleep between two looks at the outbox. */
  pollMs?: number;
  log?: { warn: (o: object, msg: string) => void };
}

const MAX_BACKOFF_MS = 5 * 60_000;
/** Rows claimed at once. */
const CLAIM_LIMIT = 64;
/** Claims take at most 1/CLAIM_DUTY of the loop's time while deliveries are in flight… */
const CLAIM_DUTY = 2;
/** …and come at least this far apart. */
const MIN_CLAIM_GAP_MS = 2;
/** Most rows in flight in this process. */
const MAX_IN_FLIGHT = 256;
/** How often the queued notifications of expired subscriptions are deleted. */
const SWEEP_MS = 5000;
/** Most deliveries recorded in one transaction. */
const RECORD_BATCH = 500;

export class Notifier {
  readonly #o: Required<Omit<NotifierOptions, 'log'>> & Pick<NotifierOptions, 'log'>;
  readonly #worker = `mimosa-${process.pid}-${randomUUID().slice(0, 8)}`;
  /** In-flight deliveries per endpoint key. */
  readonly #busy = new Map<string, number>();
  /** The tail of each subscription's delivery chain, so that its notifications go out in order. */
  readonly #chains = new Map<string, Promise<void>>();
  #inFlight = 0;
  /** Outbox rows this process holds (claimed, not yet recorded), whose leases it renews. */
  readonly #held = new Set<string>();
  #renewal: ReturnType<typeof setInterval> | undefined;
  /** Deliveries that succeeded, waiting to be recorded in the next batch. */
  #done: Delivered[] = [];
  #recording: Promise<void> | undefined;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #woken = false;
  #unwatch: (() => Promise<void>) | undefined;
  #lastPeriodic = 0;
  #lastSweep = 0;

  constructor(o: NotifierOptions) {
    this.#o = { now: () => new Date().toISOString(), pollMs: 1000, ...o };
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#unwatch = await this.#o.outbox.watch(() => this.#poke());
    this.#renewal = setInterval(() => void this.#renewLeases(), this.#leaseMs() / 3);
    this.#loop = this.#run();
  }

  /** Stops claiming, waits for the deliveries in flight, and stops listening. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#poke();
    await this.#loop;
    await Promise.all([...this.#chains.values()]);
    while (this.#recording !== undefined) await this.#recording;
    clearInterval(this.#renewal);
    await this.#unwatch?.();
  }

  #poke(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /**
   * Claims, then waits: not at all when the claim was full (more is due); for a completion or a new row while
   * deliveries are in flight (they free slots and poke); else until the next due time the database knows. Claims
   * are paced to at most about a quarter of the time (CLAIM_DUTY): a claim costs the same for one row as for
   * many, so claiming on every completion spent the loop (PGlite: the main thread) on one-row claims (bench notify).
   */
  async #run(): Promise<void> {
    let last = { at: 0, took: 0 };
    while (this.#running) {
      await this.#pace(last);
      if (!this.#running) break;
      this.#woken = false;
      const at = performance.now();
      let claimed = 0;
      try {
        claimed = await this.#tick();
      } catch (e) {
        this.#o.log?.warn({ err: e }, 'notifier: cannot read the outbox; retrying');
        await this.#sleep(this.#o.pollMs);
        continue;
      }
      last = { at, took: performance.now() - at };
      if (claimed === CLAIM_LIMIT && this.#inFlight < MAX_IN_FLIGHT) continue;
      if (this.#inFlight > 0) await this.#sleep(this.#o.pollMs);
      else await this.#idle();
    }
  }

  /** Waits until the last claim, which began at `at` and took `took` ms, is at most 1/CLAIM_DUTY of the time since. */
  async #pace(last: { at: number; took: number }): Promise<void> {
    const wait = last.at + Math.max(MIN_CLAIM_GAP_MS, CLAIM_DUTY * last.took) - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  async #tick(): Promise<number> {
    const now = Date.now();
    if (now - this.#lastPeriodic >= 250) {
      this.#lastPeriodic = now;
      await this.#o.outbox.schedulePeriodic();
    }
    if (now - this.#lastSweep >= SWEEP_MS) {
      this.#lastSweep = now;
      await this.#o.outbox.sweepExpired();
    }
    const room = MAX_IN_FLIGHT - this.#inFlight;
    if (room <= 0) return 0;
    const busyEndpoints = [...this.#busy].filter(([, n]) => n >= this.#o.concurrency).map(([k]) => k);
    const claimed = await this.#o.outbox.claim({
      worker: this.#worker,
      limit: Math.min(CLAIM_LIMIT, room),
      leaseMs: this.#leaseMs(),
      busyEndpoints,
      perEndpoint: this.#o.concurrency,
    });
    for (const n of claimed) {
      // its lease ran out while it waited here (a renewal came late): claimed again, it is already on its way
      if (n.ids.every((id) => this.#held.has(id))) continue;
      for (const id of n.ids) this.#held.add(id);
      this.#enqueue(n);
    }
    return claimed.length;
  }

  /**
   * A lease outlasts one delivery (the timeout) with room to spare and is renewed every third of it while the row
   * is held, however long it waits behind its subscription's earlier rows: a process that dies releases its rows
   * within one lease, and a live one never loses a row it still holds (test/notify/processes.test.ts).
   */
  #leaseMs(): number {
    return 3 * this.#o.timeoutMs + 1000;
  }

  async #renewLeases(): Promise<void> {
    if (this.#held.size === 0) return;
    try {
      await this.#o.outbox.renew(this.#worker, [...this.#held], this.#leaseMs());
    } catch (e) {
      this.#o.log?.warn({ err: e }, 'notifier: cannot renew leases; other processes may deliver those notifications again');
    }
  }

  async #idle(): Promise<void> {
    if (this.#woken) return;
    let wait = this.#o.pollMs;
    try {
      const due = await this.#o.outbox.nextDueInMs();
      if (due !== undefined) wait = Math.min(wait, Math.max(5, due));
    } catch {
      // polling covers it
    }
    await this.#sleep(wait);
  }

  /** Sleeps `ms`, or less when poked (at once if poked since the last claim began). */
  #sleep(ms: number): Promise<void> {
    if (this.#woken) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).then(() => {
      this.#wake = undefined;
    });
  }

  #enqueue(n: ClaimedNotification): void {
    const key = endpointKey(n.subscription.notification.endpoint.uri);
    const chainKey = `${n.tenant}\u0000${n.subscription.id}`;
    this.#inFlight++;
    this.#busy.set(key, (this.#busy.get(key) ?? 0) + 1);
    const previous = this.#chains.get(chainKey) ?? Promise.resolve();
    const next = previous
      .then(() => this.#deliver(n))
      .catch((e: unknown) => this.#o.log?.warn({ err: e }, 'notifier: cannot record a delivery outcome'))
      .finally(() => {
        this.#inFlight--;
        const left = (this.#busy.get(key) ?? 1) - 1;
        if (left > 0) this.#busy.set(key, left);
        else this.#busy.delete(key);
        if (this.#chains.get(chainKey) === next) this.#chains.delete(chainKey);
        this.#poke();
      });
    this.#chains.set(chainKey, next);
  }

  async #deliver(n: ClaimedNotification): Promise<void> {
    const sub = n.subscription;
    let failure: { detail: string; retryable: boolean } | undefined;
    try {
      const deliveries = await this.#build(n);
      for (const d of deliveries) {
        const outcome = await this.#o.senders.send({ ...d, timeoutMs: Math.min(d.timeoutMs, this.#o.timeoutMs) });
        if (!outcome.ok) {
          failure = outcome;
          break;
        }
      }
    } catch (e) {
      failure = { detail: `cannot build the notification: ${(e as Error).message}`, retryable: true };
    }
    const at = this.#o.now();
    if (!failure) return this.#record({ n, at });
    const attempts = n.attempts + 1;
    const cooldown = sub.notification.endpoint.cooldown;
    // due times are compared with the database clock: they come from the real one, whatever clock `now` is
    const real = Date.now();
    const blockUntil = cooldown === undefined ? undefined : new Date(real + cooldown).toISOString();
    if (!failure.retryable || attempts >= this.#o.maxAttempts) {
      const why = failure.retryable ? `${failure.detail} (gave up after ${attempts} attempts)` : failure.detail;
      return this.#failed(n, at, why, undefined, blockUntil);
    }
    const backoff = Math.min(MAX_BACKOFF_MS, this.#o.retryMs * 2 ** (attempts - 1)) * (0.8 + 0.4 * Math.random());
    const retryAt = new Date(real + Math.max(backoff, cooldown ?? 0)).toISOString();
    return this.#failed(n, at, failure.detail, retryAt, blockUntil);
  }

  async #failed(n: ClaimedNotification, at: string, reason: string, retryAt?: string, blockUntil?: string): Promise<void> {
    try {
      await this.#o.outbox.failed(n, at, reason, retryAt, blockUntil);
    } finally {
      for (const id of n.ids) this.#held.delete(id);
    }
  }

  /**
   * Records a success with the others that arrive while the previous batch commits: one transaction for many
   * deliveries instead of one each (commits, not sends, bounded throughput: bench notify). The subscription's next
   * delivery need not wait for it: the row stays leased until the batch deletes it. If the batch cannot be written,
   * its rows are delivered again when their leases run out (at least once).
   */
  #record(d: Delivered): void {
    this.#done.push(d);
    this.#recordBatches();
  }

  #recordBatches(): void {
    if (this.#recording !== undefined || this.#done.length === 0) return;
    this.#recording = (async () => {
      while (this.#done.length > 0) {
        const batch = this.#done.splice(0, RECORD_BATCH);
        const at = performance.now();
        try {
          await this.#o.outbox.delivered(batch);
          for (const d of batch) for (const id of d.n.ids) this.#held.delete(id);
          // the next batch gathers for as long as this one took (half the time recording, like claims)
          await this.#pace({ at, took: performance.now() - at });
        } catch (e) {
          // no longer renewed: their leases run out, and they are delivered again
          for (const d of batch) for (const id of d.n.ids) this.#held.delete(id);
          this.#o.log?.warn({ err: e, notifications: batch.length }, 'notifier: cannot record deliveries; they will be sent again');
        }
      }
    })().finally(() => {
      this.#recording = undefined;
      this.#recordBatches();
    });
  }

  async #build(n: ClaimedNotification) {
    const sub = n.subscription;
    const termMap = await this.#o.termMap(sub.jsonldContext !== undefined ? [sub.jsonldContext] : sub.context);
    const common = {
      subscription: sub,
      tenant: n.tenant,
      termMap,
      now: this.#o.now(),
      newUuid: notificationUuids(n),
      defaultTimeoutMs: this.#o.timeoutMs,
      maxEntitiesPerNotification: this.#o.maxEntities,
    };
    if (n.reason === 'change') return buildNotifications({ ...common, reason: 'change', changes: n.changes, changedAt: n.createdAt });
    if (n.reason === 'csource') return buildCsourceNotifications({ ...common, notice: n.csource ?? { triggerReason: 'updated', registrations: [] } });
    return buildNotifications({ ...common, reason: 'periodic', entities: await this.#matching(n.tenant, sub) });
  }

  /** Every entity the periodic subscription selects now (clause 5.2.12 timeInterval), page by page. */
  async #matching(tenant: string, sub: Subscription): Promise<Entity[]> {
    const out: Entity[] = [];
    const page = 1000;
    const query: EntityQuery = { entities: sub.entities, q: sub.q, geo: sub.geoQ, scopeQ: sub.scopeQ, limit: page, offset: 0, count: false };
    for (;;) {
      const r = await this.#o.entities.queryEntities(tenant, query);
      out.push(...r.entities);
      if (r.entities.length < page) return out;
      query.offset += page;
    }
  }
}


/**
 * Notification ids derived from the outbox rows: a retry, or a redelivery by another process after this one died
 * mid-delivery, carries the ids of the first attempt, so that a receiver can deduplicate by id (README, at least
 * once). Part k of a notification split by maxEntities gets the k-th id. Formatted as a version 5 (name-based) UUID.
 */
function notificationUuids(n: ClaimedNotification): () => string {
  let part = 0;
  return () => {
    const h = createHash('sha256').update(JSON.stringify([n.tenant, n.subscription.id, n.ids, n.createdAt, part++])).digest();
    h[6] = ((h[6] ?? 0) & 0x0f) | 0x50;
    h[8] = ((h[8] ?? 0) & 0x3f) | 0x80;
    const x = h.subarray(0, 16).toString('hex');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  };
}
