/**
 * The notification outbox shared by the workers of every process (migrations/004-subscriptions.ts). Claiming is
 * FOR UPDATE SKIP LOCKED plus a lease: two workers never hold the same row, and a row whose worker died is
 * claimed again once its lease ends (at-least-once). The database clock (clock_timestamp) rules every due time,
 * so processes on several machines agree on it.
 */
import type { Subscription } from '../../core/subscription/model.js';
import type { ClaimedNotification, ClaimOptions, Delivered, EntityChange, NotificationReason, Outbox, RegistrationNotice, SqlClient, SqlQueryable } from '../port.js';
import { OUTBOX_CHANNEL } from './rows.js';

interface ClaimedRow {
  id: string;
  tenant: string;
  subscription_id: string;
  reason: NotificationReason;
  /** Entity changes; for reason 'csource', the RegistrationNotice (store/registrations/notify.ts). */
  changes: EntityChange[] | RegistrationNotice | null;
  attempts: number;
  created_at: Date | string;
  doc: Subscription;
  throttling: number | null;
}

/**
 * Due rows not leased, of active subscriptions outside their throttling and cooldown windows, for endpoints the
 * worker has room for; the throttling window of each claimed throttled subscription starts now. A row waits while
 * an earlier row of its subscription is not due (a retry's backoff): otherwise a later change overtakes the retry
 * and the receiver ends with the older state (test/notify/delivery-guarantees.test.ts, order with a retry).
 * One instant rules the whole claim (statement_timestamp, not clock_timestamp, which moves while the statement
 * runs): otherwise a retry that falls due between the look-ahead and this check is neither claimed nor holding
 * back its successor, and the successor overtakes it.
 */
const CLAIMABLE = `
  o.due_at <= statement_timestamp() AND (o.lease_until IS NULL OR o.lease_until <= statement_timestamp())
  AND NOT EXISTS (SELECT 1 FROM notification_outbox AS p WHERE p.tenant = o.tenant AND p.subscription_id = o.subscription_id
    AND p.id < o.id AND p.due_at > statement_timestamp())
  AND NOT (o.endpoint = ANY($3::text[]))
  AND s.active AND (s.expires_at IS NULL OR s.expires_at > statement_timestamp())
  AND (s.throttled_until IS NULL OR s.throttled_until <= statement_timestamp())
  AND (s.blocked_until IS NULL OR s.blocked_until <= statement_timestamp())`;

/** How far ahead of the due order one claim looks for rows of endpoints that are not saturated. */
const WINDOW = 256;

/**
 * The look-ahead reads only the due-order index and the rows' own columns (due, not leased, endpoint not
 * saturated): its cost is WINDOW, whatever the backlog; the subscriptions' conditions are checked on the few rows
 * it ranks. Rows the subscriptions hold back are rarely due: queued during a throttling window or cooldown they
 * are due at its end, rows of paused subscriptions are deleted, and those of expired ones are swept.
 */
const CLAIM = `
WITH ahead AS (
  SELECT o.id, row_number() OVER (PARTITION BY o.endpoint ORDER BY o.due_at, o.id) AS rank
  FROM (SELECT id, endpoint, due_at FROM notification_outbox
        WHERE due_at <= statement_timestamp() AND (lease_until IS NULL OR lease_until <= statement_timestamp())
          AND NOT (endpoint = ANY($3::text[]))
        ORDER BY due_at, id LIMIT ${WINDOW}) AS o
), due AS (
  SELECT o.id FROM notification_outbox AS o
  JOIN subscriptions AS s ON s.tenant = o.tenant AND s.id = o.subscription_id
  -- an array, not IN (…): with IN the planner may check every queued row, then join (PGlite, 2,000 rows: 30 ms)
  WHERE o.id = ANY(ARRAY(SELECT id FROM ahead WHERE rank <= $5)) AND ${CLAIMABLE}
  ORDER BY o.due_at, o.id
  LIMIT $2
  -- the subscription row too: two workers claiming at once cannot both open a throttling window
  FOR UPDATE OF o SKIP LOCKED
  FOR NO KEY UPDATE OF s SKIP LOCKED
)
UPDATE notification_outbox AS o
SET lease_until = statement_timestamp() + $4 * interval '1 millisecond', leased_by = $1
FROM due, subscriptions AS s
WHERE o.id = due.id AND s.tenant = o.tenant AND s.id = o.subscription_id
RETURNING o.id::text AS id, o.tenant, o.subscription_id, o.reason, o.changes, o.attempts, o.created_at, s.doc, s.throttling`;

/**
 * The worker's bookkeeping (leases, deliveries recorded) commits without waiting for the WAL flush. Losing its last
 * commits in a database crash only makes rows claimable again, so they are delivered again: the at-least-once
 * promise holds, and a delivery no longer waits for a disk flush (bench notify: claims ~7 ms → ~1 ms). The writes
 * that queue notifications commit synchronously, with the change.
 */
const ASYNC_COMMIT = 'SET LOCAL synchronous_commit = off';

export class SqlOutbox implements Outbox {
  constructor(private readonly db: SqlClient) {}

  async claim(o: ClaimOptions): Promise<ClaimedNotification[]> {
    return this.db.transaction(async (tx) => {
      await tx.query(ASYNC_COMMIT);
      const rows = await tx.query<ClaimedRow>(CLAIM, [o.worker, o.limit, [...o.busyEndpoints], o.leaseMs, o.perEndpoint]);
      rows.sort((a, b) => Number(a.id) - Number(b.id));
      const out: ClaimedNotification[] = [];
      const throttled = new Map<string, ClaimedNotification>();
      for (const r of rows) {
        const n: ClaimedNotification = {
          ids: [r.id],
          tenant: r.tenant,
          reason: r.reason,
          changes: Array.isArray(r.changes) ? r.changes : [],
          attempts: Number(r.attempts),
          subscription: r.doc,
          createdAt: new Date(r.created_at).toISOString(),
        };
        if (r.reason === 'csource' && r.changes !== null && !Array.isArray(r.changes)) n.csource = r.changes;
        if (!(r.throttling && r.throttling > 0)) {
          out.push(n);
          continue;
        }
        // Throttling (clause 5.2.12): one notification per window, carrying every change queued until then.
        const key = `${r.tenant}\u0000${r.subscription_id}`;
        const first = throttled.get(key);
        if (first && first.reason === 'change' && n.reason === 'change') {
          first.ids.push(...n.ids);
          first.changes.push(...n.changes);
          first.attempts = Math.max(first.attempts, n.attempts);
          continue;
        }
        if (!first) throttled.set(key, n);
        out.push(n);
      }
      await startWindows(tx, [...throttled.values()]);
      return out;
    });
  }

  async delivered(done: readonly Delivered[]): Promise<void> {
    if (done.length === 0) return;
    const subs = done.map((d) => [d.n.tenant, d.n.subscription.id, d.at]);
    await this.db.transaction(async (tx) => {
      await tx.query(ASYNC_COMMIT);
      // Subscriptions first, then their rows, like a subscription update (which deletes a paused one's rows): the
      // other order deadlocks with it. Subscriptions in key order: overlapping batches of two processes cannot.
      await tx.query(
        `WITH d AS (
           SELECT x->>0 AS tenant, x->>1 AS id, count(*) AS sent, max((x->>2)::timestamptz) AS at
           FROM jsonb_array_elements($1::jsonb) AS x GROUP BY 1, 2),
         locked AS (
           SELECT s.tenant, s.id FROM subscriptions AS s JOIN d ON s.tenant = d.tenant AND s.id = d.id
           ORDER BY s.tenant, s.id FOR NO KEY UPDATE OF s)
         UPDATE subscriptions AS s
         SET times_sent = s.times_sent + d.sent,
           last_notification = GREATEST(s.last_notification, d.at), last_success = GREATEST(s.last_success, d.at),
           -- a failure recorded since (this batch waited for its commit) keeps the status it set
           notification_status = CASE WHEN s.last_failure IS NULL OR s.last_failure <= d.at THEN 'ok' ELSE s.notification_status END
         FROM d, locked WHERE s.tenant = d.tenant AND s.id = d.id AND locked.tenant = d.tenant AND locked.id = d.id`,
        [JSON.stringify(subs)],
      );
      await tx.query('DELETE FROM notification_outbox WHERE id = ANY($1::bigint[])', [done.flatMap((d) => d.n.ids)]);
    });
  }

  async failed(n: ClaimedNotification, at: string, reason: string, retryAt?: string, blockUntil?: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      // the subscription first, then its rows (see delivered)
      await tx.query(
        `UPDATE subscriptions SET times_failed = times_failed + 1, last_notification = $3, last_failure = $3, last_failure_reason = $4,
           notification_status = 'failed', dead_letters = dead_letters + $5, blocked_until = GREATEST(blocked_until, $6::timestamptz)
         WHERE tenant = $1 AND id = $2`,
        [n.tenant, n.subscription.id, at, reason, retryAt === undefined ? n.ids.length : 0, blockUntil ?? null],
      );
      if (retryAt !== undefined) {
        await tx.query(
          'UPDATE notification_outbox SET attempts = attempts + 1, due_at = $2, lease_until = NULL, leased_by = NULL WHERE id = ANY($1::bigint[])',
          [n.ids, retryAt],
        );
      } else {
        await tx.query(
          `WITH gone AS (DELETE FROM notification_outbox WHERE id = ANY($1::bigint[]) RETURNING *)
           INSERT INTO notification_dead_letters (id, tenant, subscription_id, reason, changes, endpoint, attempts, created_at, failed_at, failure)
           SELECT id, tenant, subscription_id, reason, changes, endpoint, attempts + 1, created_at, $2, $3 FROM gone`,
          [n.ids, at, reason],
        );
      }
    });
  }

  /** Periods that began (clause 5.2.12 timeInterval): one row each; the next period starts after now. */
  async schedulePeriodic(): Promise<number> {
    const rows = await this.db.query(
      `WITH due AS (
         SELECT tenant, id FROM subscriptions
         WHERE time_interval IS NOT NULL AND active AND next_run_at <= clock_timestamp()
           AND (expires_at IS NULL OR expires_at > clock_timestamp())
         FOR UPDATE SKIP LOCKED),
       moved AS (
         UPDATE subscriptions AS s
         SET next_run_at = s.next_run_at + make_interval(secs => s.time_interval
           * (floor(extract(epoch FROM clock_timestamp() - s.next_run_at) / s.time_interval) + 1))
         FROM due WHERE s.tenant = due.tenant AND s.id = due.id
         RETURNING s.tenant, s.id, s.endpoint)
       INSERT INTO notification_outbox (tenant, subscription_id, reason, endpoint, due_at)
       SELECT tenant, id, 'periodic', endpoint, clock_timestamp() FROM moved
       RETURNING 1`,
    );
    return rows.length;
  }

  async renew(worker: string, ids: readonly string[], leaseMs: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(ASYNC_COMMIT);
      await tx.query(
        `UPDATE notification_outbox SET lease_until = clock_timestamp() + $3 * interval '1 millisecond'
         WHERE id = ANY($1::bigint[]) AND leased_by = $2`,
        [ids, worker, leaseMs],
      );
    });
  }

  async sweepExpired(): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM notification_outbox WHERE (tenant, subscription_id) IN
         (SELECT tenant, id FROM subscriptions WHERE expires_at <= clock_timestamp())
       RETURNING 1`,
    );
    return rows.length;
  }

  async nextDueInMs(): Promise<number | undefined> {
    const [r] = await this.db.query<{ ms: number | null }>(
      `SELECT extract(epoch FROM (LEAST(
         (SELECT min(GREATEST(due_at, lease_until)) FROM notification_outbox),
         (SELECT min(next_run_at) FROM subscriptions WHERE time_interval IS NOT NULL AND active),
         (SELECT min(GREATEST(throttled_until, blocked_until)) FROM subscriptions
           WHERE GREATEST(throttled_until, blocked_until) > clock_timestamp())
       ) - clock_timestamp())) * 1000 AS ms`,
    );
    return r?.ms === null || r?.ms === undefined ? undefined : Math.max(0, Number(r.ms));
  }

  watch(wake: () => void): Promise<() => Promise<void>> {
    return this.db.listen(OUTBOX_CHANNEL, wake);
  }
}

async function startWindows(tx: SqlQueryable, throttled: ClaimedNotification[]): Promise<void> {
  if (throttled.length === 0) return;
  await tx.query(
    `UPDATE subscriptions AS s SET throttled_until = clock_timestamp() + make_interval(secs => s.throttling)
     FROM jsonb_array_elements($1::jsonb) AS k WHERE s.tenant = k->>0 AND s.id = k->>1`,
    [JSON.stringify(throttled.map((n) => [n.tenant, n.subscription.id]))],
  );
}
