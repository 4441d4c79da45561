/**
 * Subscription rows (clause 5.8): the model kept whole in `doc`, and the columns matching and scheduling select
 * on, derived from it here on every write (migrations/004-subscriptions.ts explains the table).
 */
import type { TypeExpr } from '../../core/query/type-expr.js';
import { endpointKey, type Subscription } from '../../core/subscription/model.js';
import { checkPatterns, patternsOf } from '../errors.js';
import type { SqlQueryable, StoredSubscription, SubscriptionPage, SubscriptionStatus } from '../port.js';


function typeIris(e: TypeExpr): string[] {
  return e.kind === 'type' ? [e.iri] : e.items.flatMap(typeIris);
}

/** The derived columns, in the order of COLUMNS. */
function derived(s: Subscription): unknown[] {
  return [
    JSON.stringify(s),
    s.entities === undefined,
    [...new Set((s.entities ?? []).flatMap((x) => typeIris(x.type)))],
    s.watchedAttributes ?? null,
    s.isActive,
    s.expiresAt ?? null,
    s.timeInterval ?? null,
    s.throttling ?? null,
    endpointKey(s.notification.endpoint.uri),
  ];
}

const COLUMNS = 'doc, any_type, types, watched, active, expires_at, time_interval, throttling, endpoint';
const PLACEHOLDERS = '$3::jsonb, $4, $5::text[], $6::text[], $7, $8::timestamptz, $9::double precision, $10::double precision, $11';

interface SubscriptionRow {
  doc: Subscription;
  times_sent: string | number;
  times_failed: string | number;
  dead_letters: string | number;
  last_notification: Date | string | null;
  last_success: Date | string | null;
  last_failure: Date | string | null;
  last_failure_reason: string | null;
  notification_status: 'ok' | 'failed' | null;
}

const iso = (d: Date | string | null): string | undefined => (d === null ? undefined : new Date(d).toISOString());

function toStored(r: SubscriptionRow): StoredSubscription {
  const status: SubscriptionStatus = {
    timesSent: Number(r.times_sent),
    timesFailed: Number(r.times_failed),
    deadLetters: Number(r.dead_letters),
  };
  const at = { lastNotification: iso(r.last_notification), lastSuccess: iso(r.last_success), lastFailure: iso(r.last_failure) };
  for (const [k, v] of Object.entries(at)) if (v !== undefined) (status as unknown as Record<string, string>)[k] = v;
  if (r.last_failure_reason !== null) status.lastFailureReason = r.last_failure_reason;
  if (r.notification_status !== null) status.notificationStatus = r.notification_status;
  return { subscription: r.doc, status };
}

const SELECT = `SELECT doc, times_sent, times_failed, dead_letters, last_notification, last_success, last_failure,
  last_failure_reason, notification_status FROM subscriptions`;

/** The NOTIFY channel that wakes notification workers. */
export const OUTBOX_CHANNEL = 'mimosa_outbox';

/**
 * Which subscriptions: of entities (clause 5.8), or of context source registrations (clause 5.11,
 * store/registrations); both kinds share the table, and so the notification outbox.
 */
export type SubscriptionKind = 'entity' | 'csource';

/** Inserts a subscription; a periodic one starts its first period now (and wakes the workers). */
export async function insertSubscription(db: SqlQueryable, tenant: string, s: Subscription, kind: SubscriptionKind = 'entity'): Promise<boolean> {
  await checkPatterns(db, patternsOf({ entities: s.entities, q: s.q }));
  const rows = await db.query(
    `INSERT INTO subscriptions (tenant, id, ${COLUMNS}, next_run_at, kind)
     VALUES ($1, $2, ${PLACEHOLDERS}, CASE WHEN $9::double precision IS NULL THEN NULL ELSE clock_timestamp() END, $12)
     ON CONFLICT (tenant, id) DO NOTHING RETURNING id`,
    [tenant, s.id, ...derived(s), kind],
  );
  if (rows.length === 0) return false;
  if (s.timeInterval !== undefined) await db.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
  return true;
}

export async function selectSubscription(db: SqlQueryable, tenant: string, id: string, kind: SubscriptionKind = 'entity'): Promise<StoredSubscription | undefined> {
  const rows = await db.query<SubscriptionRow>(`${SELECT} WHERE tenant = $1 AND id = $2 AND kind = $3`, [tenant, id, kind]);
  return rows[0] && toStored(rows[0]);
}

export async function selectSubscriptions(
  db: SqlQueryable,
  tenant: string,
  page: { limit: number; offset: number; count: boolean },
  kind: SubscriptionKind = 'entity',
): Promise<SubscriptionPage> {
  const items =
    page.limit > 0
      ? (await db.query<SubscriptionRow>(`${SELECT} WHERE tenant = $1 AND kind = $4 ORDER BY id LIMIT $2 OFFSET $3`, [tenant, page.limit, page.offset, kind])).map(toStored)
      : [];
  if (!page.count) return { items };
  const [{ n }] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM subscriptions WHERE tenant = $1 AND kind = $2', [tenant, kind]);
  return { items, count: Number(n) };
}

/**
 * Applies `change` to the locked row. A periodic subscription whose interval changed or that became active
 * again starts a period now; one that stops being active loses its queued notifications (a paused subscription
 * notifies nothing: clause 5.2.12 isActive).
 */
export async function changeSubscription(
  db: SqlQueryable,
  tenant: string,
  id: string,
  change: (s: Subscription) => Subscription,
  kind: SubscriptionKind = 'entity',
): Promise<StoredSubscription | undefined> {
  const rows = await db.query<{ doc: Subscription }>('SELECT doc FROM subscriptions WHERE tenant = $1 AND id = $2 AND kind = $3 FOR UPDATE', [tenant, id, kind]);
  if (rows.length === 0) return undefined;
  const before = rows[0].doc;
  const after = { ...change(before), id };
  await checkPatterns(db, patternsOf({ entities: after.entities, q: after.q }));
  const restart = after.timeInterval !== undefined && (after.timeInterval !== before.timeInterval || (after.isActive && !before.isActive));
  await db.query(
    `UPDATE subscriptions SET (${COLUMNS}) = (${PLACEHOLDERS}),
       next_run_at = CASE WHEN $9::double precision IS NULL THEN NULL WHEN $12 THEN clock_timestamp() ELSE next_run_at END
     WHERE tenant = $1 AND id = $2`,
    [tenant, id, ...derived(after), restart],
  );
  // paused: what was queued is not sent, now or after re-activation (which starts a new period at once)
  if (!after.isActive) await db.query('DELETE FROM notification_outbox WHERE tenant = $1 AND subscription_id = $2', [tenant, id]);
  if (restart) await db.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
  return selectSubscription(db, tenant, id, kind);
}

export async function removeSubscription(db: SqlQueryable, tenant: string, id: string, kind: SubscriptionKind = 'entity'): Promise<boolean> {
  const rows = await db.query('DELETE FROM subscriptions WHERE tenant = $1 AND id = $2 AND kind = $3 RETURNING id', [tenant, id, kind]);
  return rows.length > 0;
}
