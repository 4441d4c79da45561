/**
 * The registration port (clauses 5.9–5.11) on SQL: registrations (rows.ts), discovery (where.ts), conflicts
 * (conflicts.ts) and registration subscriptions, kept as subscriptions of kind 'csource' (store/subscriptions/rows.ts)
 * whose notifications (notify.ts) ride the notification outbox. Every write is one transaction: the registration,
 * its information rows and the notifications it owes commit together.
 */
import type { ContextSourceRegistration } from '../../core/csr/model.js';
import type { CsourceSubscription } from '../../core/csr/subscription.js';
import { fail, ok, type Result } from '../../core/problem.js';
import type { Subscription } from '../../core/subscription/model.js';
import type { RegistrationQuery, RegistrationSelection, RegistrationStore, SqlClient, SqlQueryable, StoredRegistration, StoredSubscription, SubscriptionPage } from '../port.js';
import { SqlParams } from '../sql-params.js';
import * as subscriptions from '../subscriptions/rows.js';
import { conflictOf, lockTenantRegistrations } from './conflicts.js';
import { csourceSubscriptions, matchingSubscriptions, notices, queueCsourceNotifications, selectionOf } from './notify.js';
import * as rows from './rows.js';
import { registrationFrom, registrationWhere } from './where.js';

/** NOTIFY'd (at commit) by every registration write, so that each process knows which tenants have registrations. */
const CHANNEL = 'mimosa_registrations';
const announce = (db: SqlQueryable) => db.query(`SELECT pg_notify('${CHANNEL}', '')`);

const ensureTenant = (db: SqlQueryable, tenant: string) => db.query('INSERT INTO tenants (name) VALUES ($1) ON CONFLICT DO NOTHING', [tenant]);

/** The registration and the subscriptions it matches as stored now. */
async function matched(db: SqlQueryable, tenant: string, r: ContextSourceRegistration) {
  const subs = await csourceSubscriptions(db, tenant);
  return { registration: r, matched: subs.length === 0 ? new Set<string>() : await matchingSubscriptions(db, tenant, r.id, subs) };
}

async function select(db: SqlQueryable, tenant: string, sel: RegistrationSelection, page?: { limit: number; offset: number }): Promise<StoredRegistration[]> {
  const p = new SqlParams();
  const where = registrationWhere(tenant, sel, p);
  const paging = page ? ` LIMIT ${p.add(page.limit)} OFFSET ${p.add(page.offset)}` : '';
  const found = await db.query<rows.RegistrationRow>(`SELECT ${rows.STORED} FROM ${registrationFrom(sel)} WHERE ${where} ORDER BY r.id${paging}`, p.values);
  return found.map(rows.toStored);
}

export class SqlRegistrationStore implements RegistrationStore {
  constructor(private readonly db: SqlClient) {}

  createRegistration(tenant: string, r: ContextSourceRegistration): Promise<Result<true>> {
    return this.db.transaction(async (tx) => {
      await ensureTenant(tx, tenant);
      await lockTenantRegistrations(tx, tenant);
      if (await rows.lockRegistration(tx, tenant, r.id)) return fail('AlreadyExists', `ContextSourceRegistration ${r.id} already exists`);
      const conflict = await conflictOf(tx, tenant, r);
      if (conflict !== undefined) return fail('AlreadyExists', conflict);
      await rows.insertRegistration(tx, tenant, r);
      await announce(tx);
      await queueCsourceNotifications(tx, tenant, notices(undefined, await matched(tx, tenant, r)));
      return ok(true as const);
    });
  }

  getRegistration(tenant: string, id: string): Promise<StoredRegistration | undefined> {
    return rows.selectRegistration(this.db, tenant, id);
  }

  async queryRegistrations(tenant: string, q: RegistrationQuery): Promise<{ items: StoredRegistration[]; count?: number }> {
    const items = q.limit > 0 ? await select(this.db, tenant, q, { limit: q.limit, offset: q.offset }) : [];
    if (!q.count) return { items };
    const p = new SqlParams();
    const [{ n }] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${registrationFrom(q)} WHERE ${registrationWhere(tenant, q, p)}`, p.values);
    return { items, count: Number(n) };
  }

  updateRegistration(tenant: string, id: string, change: (r: ContextSourceRegistration) => ContextSourceRegistration): Promise<Result<true> | undefined> {
    return this.db.transaction(async (tx) => {
      await lockTenantRegistrations(tx, tenant);
      const current = await rows.lockRegistration(tx, tenant, id);
      if (!current) return undefined;
      const next: ContextSourceRegistration = { ...change(current), id };
      const conflict = await conflictOf(tx, tenant, next);
      if (conflict !== undefined) return fail('AlreadyExists', conflict);
      const before = await matched(tx, tenant, current);
      await rows.updateRegistration(tx, tenant, next);
      await announce(tx);
      await queueCsourceNotifications(tx, tenant, notices(before, await matched(tx, tenant, next)));
      return ok(true as const);
    });
  }

  async recordDistributed(tenant: string, id: string, outcome: { ok: boolean; at: string }): Promise<void> {
    const set = outcome.ok ? 'last_success = $3' : 'times_failed = times_failed + 1, last_failure = $3';
    await this.db.query(`UPDATE csource_registrations SET times_sent = times_sent + 1, ${set} WHERE tenant = $1 AND id = $2`, [tenant, id, outcome.at]);
  }

  async tenantsWithRegistrations(): Promise<string[]> {
    const found = await this.db.query<{ tenant: string }>('SELECT DISTINCT tenant FROM csource_registrations');
    return found.map((r) => r.tenant);
  }

  watchRegistrations(onChange: () => void): Promise<() => Promise<void>> {
    return this.db.listen(CHANNEL, onChange);
  }

  deleteRegistration(tenant: string, id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const current = await rows.lockRegistration(tx, tenant, id);
      if (!current) return false;
      const before = await matched(tx, tenant, current);
      await rows.deleteRegistration(tx, tenant, id);
      await announce(tx);
      await queueCsourceNotifications(tx, tenant, notices(before, undefined));
      return true;
    });
  }

  createCsourceSubscription(tenant: string, s: CsourceSubscription): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await ensureTenant(tx, tenant);
      if (!(await subscriptions.insertSubscription(tx, tenant, s, 'csource'))) return false;
      // clause 5.3.2 newlyMatching: "used in the first notification", with what matches already
      const found = s.isActive ? await select(tx, tenant, selectionOf(s)) : [];
      if (found.length > 0) {
        const notice = { triggerReason: 'newlyMatching' as const, registrations: found.map((x) => x.registration) };
        await queueCsourceNotifications(tx, tenant, [{ subscription: s.id, notice }]);
      }
      return true;
    });
  }

  getCsourceSubscription(tenant: string, id: string): Promise<StoredSubscription | undefined> {
    return subscriptions.selectSubscription(this.db, tenant, id, 'csource');
  }

  listCsourceSubscriptions(tenant: string, page: { limit: number; offset: number; count: boolean }): Promise<SubscriptionPage> {
    return subscriptions.selectSubscriptions(this.db, tenant, page, 'csource');
  }

  updateCsourceSubscription(tenant: string, id: string, change: (s: CsourceSubscription) => CsourceSubscription): Promise<StoredSubscription | undefined> {
    return this.db.transaction((tx) => subscriptions.changeSubscription(tx, tenant, id, change as (s: Subscription) => Subscription, 'csource'));
  }

  deleteCsourceSubscription(tenant: string, id: string): Promise<boolean> {
    return subscriptions.removeSubscription(this.db, tenant, id, 'csource');
  }
}
