/**
 * Matching entity changes to subscriptions, inside the write's transaction (clause 5.8 and 5.2.12): the change
 * and the notifications it owes commit together, so that none is lost and none is sent for a rolled-back write.
 *
 * Cost per write does not grow with the number of subscriptions: one statement fetches only the subscriptions
 * whose selectors name a written type (GIN index on `types`) or select any type; triggers, watched attributes
 * and plain type/id selectors are then checked in memory, as are numeric q terms (core/query/q-eval.ts, checked
 * against SQL by a property test); what only SQL can answer the same way queries do (other q terms, geoQ,
 * scopeQ, idPattern) is one more statement over the written documents, compiled by the compilers of store/query.
 * Deleted entities are matched as they were before the deletion.
 */
import type { Attribute, Entity } from '../../core/entity/model.js';
import { evalQ } from '../../core/query/q-eval.js';
import type { TypeExpr } from '../../core/query/type-expr.js';
import type { NotificationTrigger, Subscription } from '../../core/subscription/model.js';
import { derivedColumns } from '../entity-rows.js';
import type { EntityChange, SqlQueryable } from '../port.js';
import { selectionSql } from '../query/where.js';
import { SqlParams } from '../sql-params.js';
import { OUTBOX_CHANNEL } from './rows.js';

/** An entity's state before and after the transaction's writes. */
export interface Written {
  before?: Entity;
  after?: Entity;
}

/** The entity changes of one transaction, by id, as the store's operations report them. */
export class ChangeJournal {
  readonly #changes = new Map<string, Written>();
  /** Entities loaded for update: the state before the write. */
  readonly #loaded = new Map<string, Entity>();

  loaded(entities: Iterable<Entity>): void {
    for (const e of entities) if (!this.#loaded.has(e.id)) this.#loaded.set(e.id, e);
  }

  inserted(entities: Iterable<Entity>): void {
    for (const e of entities) this.#changes.set(e.id, { ...this.#changes.get(e.id), after: e });
  }

  updated(entities: Iterable<Entity>): void {
    for (const e of entities) {
      const w = this.#changes.get(e.id);
      this.#changes.set(e.id, w ? { ...w, after: e } : { before: this.#loaded.get(e.id) ?? e, after: e });
    }
  }

  deleted(entities: Iterable<Entity>): void {
    for (const e of entities) {
      const w = this.#changes.get(e.id);
      // created and deleted in the same transaction: nothing happened
      if (w && w.before === undefined) this.#changes.delete(e.id);
      else this.#changes.set(e.id, { before: w?.before ?? e });
    }
  }

  get size(): number {
    return this.#changes.size;
  }

  values(): Written[] {
    return [...this.#changes.values()];
  }
}

interface Candidate {
  id: string;
  doc: Subscription;
}

/** Attribute names created, updated and deleted by one change. */
interface AttributeDiff {
  created: string[];
  updated: string[];
  deleted: string[];
}

const same = (a: readonly Attribute[] | undefined, b: readonly Attribute[] | undefined) => JSON.stringify(a) === JSON.stringify(b);

function diff(w: Written): AttributeDiff {
  const before = w.before?.attrs ?? {};
  const after = w.after?.attrs ?? {};
  if (w.after === undefined) return { created: [], updated: [], deleted: [] };
  if (w.before === undefined) return { created: Object.keys(after), updated: [], deleted: [] };
  return {
    created: Object.keys(after).filter((k) => !(k in before)),
    updated: Object.keys(after).filter((k) => k in before && !same(before[k], after[k])),
    deleted: Object.keys(before).filter((k) => !(k in after)),
  };
}

/**
 * The triggers a change fires for a subscription, with the attributes they concern (clause 5.2.12). Creating an
 * entity creates its attributes; deleting one fires entityDeleted only; entityUpdated is the combination of the
 * three attribute triggers on an existing entity. watchedAttributes narrows the attribute triggers.
 */
function fired(s: Subscription, w: Written, d: AttributeDiff): { triggers: NotificationTrigger[]; attributes: string[] } {
  const watched = s.watchedAttributes;
  const keep = (names: string[]) => (watched === undefined ? names : names.filter((n) => watched.includes(n)));
  const [created, updated, deleted] = [keep(d.created), keep(d.updated), keep(d.deleted)];
  const on = new Set(s.notificationTrigger);
  const triggers: NotificationTrigger[] = [];
  const attributes = new Set<string>();
  const fire = (t: NotificationTrigger, names: string[]) => {
    if (!on.has(t)) return;
    triggers.push(t);
    for (const n of names) attributes.add(n);
  };
  if (w.before === undefined) fire('entityCreated', []);
  if (w.after === undefined) fire('entityDeleted', []);
  if (created.length) fire('attributeCreated', created);
  if (updated.length) fire('attributeUpdated', updated);
  if (deleted.length) fire('attributeDeleted', deleted);
  if (w.before !== undefined && w.after !== undefined && created.length + updated.length + deleted.length > 0) {
    fire('entityUpdated', [...created, ...updated, ...deleted]);
  }
  return { triggers, attributes: [...attributes] };
}

function typeMatches(e: TypeExpr, types: readonly string[]): boolean {
  if (e.kind === 'type') return types.includes(e.iri);
  return e.kind === 'and' ? e.items.every((i) => typeMatches(i, types)) : e.items.some((i) => typeMatches(i, types));
}

/**
 * In memory: true, false, or 'sql' when only the query compilers can tell (geoQ, scopeQ, idPattern, and the q
 * terms that core/query/q-eval.ts leaves undecided).
 */
function quickMatch(s: Subscription, e: Entity): boolean | 'sql' {
  let sql = s.geoQ !== undefined || s.scopeQ !== undefined;
  if (s.entities !== undefined) {
    const selected = s.entities.filter((x) => typeMatches(x.type, e.types) && (x.id === undefined || x.id === e.id));
    if (selected.length === 0) return false;
    // id takes precedence over idPattern (clause 5.2.33)
    if (selected.every((x) => x.id === undefined && x.idPattern !== undefined)) sql = true;
  }
  if (sql) return 'sql';
  return s.q === undefined ? true : (evalQ(s.q, e) ?? 'sql');
}

interface Pair {
  sub: Candidate;
  entity: number;
  change: EntityChange;
}

/**
 * Subscriptions per statement when matching in SQL: a statement holds a UNION ALL branch per subscription, and a
 * long chain of branches exhausts the parser's stack on PGlite (measured: ~2,000 branches fail).
 */
const BRANCHES_PER_STATEMENT = 200;

/**
 * Which of `pairs` hold in SQL: over the written documents, a branch per subscription that returns the ordinals of
 * its matching entities, so that a batch of many entities costs one branch per subscription, not one per pair.
 */
async function sqlMatches(db: SqlQueryable, tenant: string, docs: Entity[], pairs: Pair[]): Promise<Set<number>> {
  const bySub = new Map<Candidate, Map<number, number>>();
  pairs.forEach((x, k) => {
    const m = bySub.get(x.sub) ?? new Map<number, number>();
    m.set(x.entity + 1, k);
    bySub.set(x.sub, m);
  });
  const subs = [...bySub];
  const hits = new Set<number>();
  const json = JSON.stringify(docs);
  for (let from = 0; from < subs.length; from += BRANCHES_PER_STATEMENT) {
    const chunk = subs.slice(from, from + BRANCHES_PER_STATEMENT);
    const p = new SqlParams();
    const rows = p.add(json);
    const branches = chunk.map(([sub, ordinals], b) => {
      const s = sub.doc;
      const entities = s.entities?.map((sel) => (sel.id !== undefined ? { type: sel.type, id: sel.id } : sel));
      const where = selectionSql(tenant, { entities, q: s.q, geo: s.geoQ, scopeQ: s.scopeQ }, p, 'e');
      return `SELECT ${b} AS b, e.n FROM written AS e WHERE e.n = ANY(${p.add([...ordinals.keys()])}::int[]) AND ${where}`;
    });
    const text = `WITH written AS (
      SELECT ${p.add(tenant)}::text AS tenant, x->>'id' AS id, ${derivedColumns('x')}, n::int AS n
      FROM jsonb_array_elements(${rows}::jsonb) WITH ORDINALITY AS w(x, n))
    ${branches.join('\nUNION ALL\n')}`;
    for (const r of await db.query<{ b: number; n: number }>(text, p.values)) {
      const k = chunk[Number(r.b)]?.[1].get(Number(r.n));
      if (k !== undefined) hits.add(k);
    }
  }
  return hits;
}

/** What the notification of `sub` carries for one change: `before` only where rendering needs it. */
function changeOf(s: Subscription, w: Written, f: { triggers: NotificationTrigger[]; attributes: string[] }): EntityChange {
  const c: EntityChange = { triggers: f.triggers, attributes: f.attributes };
  if (w.after !== undefined) c.after = w.after;
  if (w.before !== undefined && (w.after === undefined || s.notification.showChanges || f.triggers.includes('attributeDeleted'))) c.before = w.before;
  return c;
}

/**
 * The subscriptions a write of entities of types $2 in tenant $1 may concern: one index probe (subscriptions_types,
 * or subscriptions_any_type), whatever the number of subscriptions.
 */
export const CANDIDATES = `SELECT id, doc FROM subscriptions
  WHERE tenant = $1 AND kind = 'entity' AND active AND time_interval IS NULL AND (expires_at IS NULL OR expires_at > clock_timestamp())
    AND (any_type OR types && $2::text[])`;

/** Queues the notifications the transaction's changes owe; called by the store before it commits. */
export async function queueNotifications(db: SqlQueryable, tenant: string, journal: ChangeJournal): Promise<void> {
  const written = journal.values();
  const types = [...new Set(written.flatMap((w) => (w.after ?? w.before)?.types ?? []))];
  const candidates = await db.query<Candidate>(CANDIDATES, [tenant, types]);
  if (candidates.length === 0) return;
  const diffs = written.map(diff);
  const docs = written.map((w) => (w.after ?? w.before) as Entity);
  const sure: Pair[] = [];
  const unsure: Pair[] = [];
  for (const sub of candidates) {
    written.forEach((w, i) => {
      const f = fired(sub.doc, w, diffs[i]);
      if (f.triggers.length === 0) return;
      const m = quickMatch(sub.doc, docs[i]);
      if (m === false) return;
      (m === true ? sure : unsure).push({ sub, entity: i, change: changeOf(sub.doc, w, f) });
    });
  }
  const hits = await sqlMatches(db, tenant, docs, unsure);
  const bySub = new Map<string, EntityChange[]>();
  for (const x of [...sure, ...unsure.filter((_, k) => hits.has(k))]) {
    const list = bySub.get(x.sub.id) ?? [];
    list.push(x.change);
    bySub.set(x.sub.id, list);
  }
  if (bySub.size === 0) return;
  const rows = [...bySub].map(([id, changes]) => ({ id, changes }));
  await db.query(
    `WITH queued AS (
       INSERT INTO notification_outbox (tenant, subscription_id, reason, changes, endpoint, due_at)
       SELECT s.tenant, s.id, 'change', r->'changes', s.endpoint, GREATEST(clock_timestamp(), s.throttled_until, s.blocked_until)
       FROM jsonb_array_elements($2::jsonb) AS r JOIN subscriptions AS s ON s.tenant = $1 AND s.id = r->>'id'
       RETURNING 1)
     SELECT pg_notify('${OUTBOX_CHANNEL}', '') FROM (SELECT count(*) AS n FROM queued) AS q WHERE q.n > 0`,
    [tenant, JSON.stringify(rows)],
  );
}
