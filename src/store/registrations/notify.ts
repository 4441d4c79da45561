/**
 * Registration subscriptions (clause 5.11): which of them a registration write concerns, and the notifications it
 * owes them (clause 5.3.2), queued in the write's own transaction into the notification outbox with reason
 * 'csource'. A subscription matches a registration as discovery would select it with the subscription's
 * selection members (where.ts), evaluated in SQL on the registration row; a write compares the matches of the
 * row before and after it:
 * - matched after, not before: newlyMatching; before and after: updated; before, not after: noLongerMatching
 *   (with the registration as it was, which is how a deleted one is notified).
 */
import type { ContextSourceRegistration } from '../../core/csr/model.js';
import type { CsourceSubscription } from '../../core/csr/subscription.js';
import type { RegistrationNotice, RegistrationSelection, SqlQueryable, TriggerReason } from '../port.js';
import { SqlParams } from '../sql-params.js';
import { OUTBOX_CHANNEL } from '../subscriptions/rows.js';
import { registrationFrom, registrationWhere } from './where.js';

interface Candidate {
  id: string;
  doc: CsourceSubscription;
}

/** What a registration subscription selects (clause 5.11 with 5.2.12), as a registration selection. */
export function selectionOf(s: CsourceSubscription): RegistrationSelection {
  const sel: RegistrationSelection = {};
  if (s.entities) sel.entities = s.entities;
  if (s.watchedAttributes) sel.attrs = s.watchedAttributes;
  if (s.q) sel.q = s.q;
  if (s.csf) sel.csf = s.csf;
  if (s.geoQ) sel.geo = s.geoQ;
  if (s.scopeQ) sel.scopeQ = s.scopeQ;
  if (s.temporalQ) sel.time = s.temporalQ;
  return sel;
}

/** The active, unexpired registration subscriptions of the tenant (few: one index probe). */
export async function csourceSubscriptions(db: SqlQueryable, tenant: string): Promise<Candidate[]> {
  return db.query<Candidate>(
    `SELECT id, doc FROM subscriptions
     WHERE tenant = $1 AND kind = 'csource' AND active AND (expires_at IS NULL OR expires_at > clock_timestamp())`,
    [tenant],
  );
}

const BRANCHES_PER_STATEMENT = 200;

/** The ids of `subs` that select the registration `id` as it is stored now: one SQL branch per subscription. */
export async function matchingSubscriptions(db: SqlQueryable, tenant: string, id: string, subs: readonly Candidate[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let from = 0; from < subs.length; from += BRANCHES_PER_STATEMENT) {
    const chunk = subs.slice(from, from + BRANCHES_PER_STATEMENT);
    const p = new SqlParams();
    const branches = chunk.map((s, b) => {
      const sel = selectionOf(s.doc);
      return `SELECT ${b} AS b FROM ${registrationFrom(sel)} WHERE r.id = ${p.add(id)} AND ${registrationWhere(tenant, sel, p)}`;
    });
    for (const r of await db.query<{ b: number }>(branches.join('\nUNION ALL\n'), p.values)) out.add(chunk[Number(r.b)].id);
  }
  return out;
}

/** Queues one notification per subscription, in the caller's transaction, and wakes the workers. */
export async function queueCsourceNotifications(db: SqlQueryable, tenant: string, rows: ReadonlyArray<{ subscription: string; notice: RegistrationNotice }>): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO notification_outbox (tenant, subscription_id, reason, changes, endpoint, due_at)
     SELECT s.tenant, s.id, 'csource', r->'notice', s.endpoint, GREATEST(clock_timestamp(), s.throttled_until, s.blocked_until)
     FROM jsonb_array_elements($2::jsonb) AS r JOIN subscriptions AS s ON s.tenant = $1 AND s.id = r->>'subscription'`,
    [tenant, JSON.stringify(rows)],
  );
  await db.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
}

/** The notices a write owes: `before`/`after` are the registration and the subscriptions it matched then. */
export function notices(
  before: { registration: ContextSourceRegistration; matched: Set<string> } | undefined,
  after: { registration: ContextSourceRegistration; matched: Set<string> } | undefined,
): Array<{ subscription: string; notice: RegistrationNotice }> {
  const out: Array<{ subscription: string; notice: RegistrationNotice }> = [];
  const add = (subscription: string, triggerReason: TriggerReason, registration: ContextSourceRegistration) =>
    out.push({ subscription, notice: { triggerReason, registrations: [registration] } });
  for (const s of after?.matched ?? []) add(s, before?.matched.has(s) ? 'updated' : 'newlyMatching', after!.registration);
  if (before) for (const s of before.matched) if (!after?.matched.has(s)) add(s, 'noLongerMatching', before.registration);
  return out;
}
