import type { Attribute, Entity } from '../core/entity/model.js';
import type { Subscription } from '../core/subscription/model.js';
import { CreateBatcher } from './create-batcher.js';
import { deleteEntities, insertEntities, lockEntities, updateEntities } from './entity-rows.js';
import { namingRejectedPattern, translateDbError } from './errors.js';
import { SqlIotStore } from './iot/rows.js';
import { migrate } from './migrations/index.js';
import { SqlModelStore } from './models.js';
import { SqlRegistrationStore } from './registrations/store.js';
import type {
  AttributeInfo,
  AttributeSummary,
  ContextKind,
  EntityQuery,
  EntityQueryResult,
  EntityTx,
  EntityTypeInfo,
  EntityTypeSummary,
  IotStore,
  Outbox,
  RegistrationStore,
  SqlClient,
  SqlQueryable,
  Store,
  StoredContext,
  StoredSubscription,
  SubscriptionPage,
  TemporalChange,
  TemporalEntityQuery,
  TemporalFragment,
  TemporalResult,
  TemporalScope,
} from './port.js';
import { prepared } from './prepared.js';
import { SqlParams } from './sql-params.js';
import { nearOrderSql } from './query/geo-sql.js';
import { selectionSql } from './query/where.js';
import { Statistics } from './statistics.js';
import { ChangeJournal, queueNotifications } from './subscriptions/match.js';
import { SqlOutbox } from './subscriptions/outbox.js';
import * as subscriptions from './subscriptions/rows.js';
import { recordHistory, type RecordingOptions } from './temporal/record.js';
import { SqlTemporalStore } from './temporal/store.js';
import * as vocabulary from './vocabulary.js';

/** Retrieve Entity, the hottest read, and the tenant check of every request to a named tenant. */
const GET_ENTITY = prepared('SELECT doc FROM entities WHERE tenant = $1 AND id = $2');
const TENANT_EXISTS = prepared('SELECT 1 FROM tenants WHERE name = $1');

/**
 * The one store implementation: the port on top of an SqlClient, whichever engine runs it. Brings the schema
 * up to date first.
 */
export async function createSqlStore(client: SqlClient, options: StoreOptions = {}): Promise<Store> {
  await migrate(client);
  return new SqlStore(guardedClient(client), { record: true, keepDeleted: false, ...options.temporal });
}

export interface StoreOptions {
  /** How entity writes feed the temporal evolution (MIMOSA_TEMPORAL, MIMOSA_TEMPORAL_KEEP_DELETED). */
  temporal?: Partial<RecordingOptions>;
}

/** Rethrows a database error caused by the request's data as a StoreQueryError (a 400 at the edge). */
async function guarded<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw translateDbError(e);
  }
}

/** The client with every statement guarded, so that no store method can leak a raw data error. */
function guardedClient(db: SqlClient): SqlClient {
  const guard = (q: SqlQueryable): SqlQueryable => ({ query: (text, params) => guarded(() => q.query(text, params)) });
  return {
    engine: db.engine,
    query: (text, params) => guarded(() => db.query(text, params)),
    transaction: (fn) => guarded(() => db.transaction((tx) => fn(guard(tx)))),
    listen: (channel, onNotify) => db.listen(channel, onNotify),
    close: () => db.close(),
  };
}

interface ContextRow {
  id: string;
  url: string;
  kind: ContextKind;
  body: unknown;
  created_at: string;
  last_usage: string | null;
  hits: number;
}

function toContext(r: ContextRow): StoredContext {
  return {
    id: r.id,
    url: r.url,
    kind: r.kind,
    body: r.body,
    createdAt: r.created_at,
    ...(r.last_usage !== null ? { lastUsage: r.last_usage } : {}),
    numberOfHits: Number(r.hits),
  };
}

class SqlStore implements Store {
  /** Tenants known to exist. Tenants are never deleted, so a positive answer stays true for every process. */
  readonly #tenants = new Set<string>();

  readonly #statistics: Statistics;

  readonly outbox: Outbox;

  readonly iot: IotStore;

  readonly models: SqlModelStore;

  readonly registrations: RegistrationStore;

  readonly #temporal: SqlTemporalStore;

  readonly #creates = new CreateBatcher((tenant, entities) => this.write(tenant, (tx) => tx.insert(entities)));

  constructor(
    private readonly db: SqlClient,
    private readonly recording: RecordingOptions,
  ) {
    this.#statistics = new Statistics(db);
    this.outbox = new SqlOutbox(db);
    this.iot = new SqlIotStore(db);
    this.models = new SqlModelStore(db);
    this.registrations = new SqlRegistrationStore(db);
    this.#temporal = new SqlTemporalStore(db);
  }

  /**
   * The entity changes, the instances they add to the temporal evolution (store/temporal/record.ts) and the
   * notifications they owe (store/subscriptions/match.ts) commit together.
   */
  async write<T>(tenant: string, fn: (tx: EntityTx) => Promise<T>): Promise<T> {
    const known = this.#tenants.has(tenant);
    let rows = 0;
    let instances = 0;
    const result = await this.db.transaction(async (sql) => {
      if (!known) await sql.query('INSERT INTO tenants (name) VALUES ($1) ON CONFLICT DO NOTHING', [tenant]);
      const journal = new ChangeJournal();
      const out = await fn(entityTx(sql, tenant, journal, (n) => (rows += n)));
      if (journal.size > 0) {
        instances = await recordHistory(sql, tenant, journal.values(), this.recording);
        await queueNotifications(sql, tenant, journal);
      }
      return out;
    });
    this.#tenants.add(tenant);
    this.#statistics.wrote(rows);
    this.#temporal.wrote(instances);
    return result;
  }

  create(tenant: string, entity: Entity): Promise<boolean> {
    return this.#creates.insert(tenant, entity);
  }

  // Temporal evolution (clauses 5.6.11–5.6.16, 5.7.3, 5.7.4): see store/temporal/.
  upsertTemporalEntity(tenant: string, f: TemporalFragment, now: string): Promise<'created' | 'updated'> {
    return this.#temporal.upsertTemporalEntity(tenant, f, now);
  }

  appendTemporalAttributes(tenant: string, f: TemporalFragment, now: string): Promise<boolean> {
    return this.#temporal.appendTemporalAttributes(tenant, f, now);
  }

  deleteTemporalEntity(tenant: string, id: string): Promise<boolean> {
    return this.#temporal.deleteTemporalEntity(tenant, id);
  }

  deleteTemporalAttribute(tenant: string, id: string, attr: string, o: { datasetId?: string; deleteAll: boolean }): Promise<TemporalChange> {
    return this.#temporal.deleteTemporalAttribute(tenant, id, attr, o);
  }

  replaceTemporalInstance(tenant: string, id: string, attr: string, instanceId: string, instance: Attribute, now: string): Promise<TemporalChange> {
    return this.#temporal.replaceTemporalInstance(tenant, id, attr, instanceId, instance, now);
  }

  deleteTemporalInstance(tenant: string, id: string, attr: string, instanceId: string): Promise<TemporalChange> {
    return this.#temporal.deleteTemporalInstance(tenant, id, attr, instanceId);
  }

  retrieveTemporal(tenant: string, id: string, scope: TemporalScope): Promise<TemporalResult | undefined> {
    return this.#temporal.retrieveTemporal(tenant, id, scope);
  }

  queryTemporal(tenant: string, query: TemporalEntityQuery): Promise<TemporalResult> {
    return this.#temporal.queryTemporal(tenant, query);
  }

  maintainTemporal(o: { now: number; retentionMs?: number }): Promise<{ created: number; dropped: number; deleted: number }> {
    return this.#temporal.maintainTemporal(o);
  }

  // Subscriptions (clause 5.8): see store/subscriptions/rows.ts.
  async createSubscription(tenant: string, sub: Subscription): Promise<boolean> {
    const created = await this.db.transaction(async (sql) => {
      if (!this.#tenants.has(tenant)) await sql.query('INSERT INTO tenants (name) VALUES ($1) ON CONFLICT DO NOTHING', [tenant]);
      return subscriptions.insertSubscription(sql, tenant, sub);
    });
    this.#tenants.add(tenant);
    return created;
  }

  getSubscription(tenant: string, id: string): Promise<StoredSubscription | undefined> {
    return subscriptions.selectSubscription(this.db, tenant, id);
  }

  listSubscriptions(tenant: string, page: { limit: number; offset: number; count: boolean }): Promise<SubscriptionPage> {
    return subscriptions.selectSubscriptions(this.db, tenant, page);
  }

  updateSubscription(tenant: string, id: string, change: (s: Subscription) => Subscription): Promise<StoredSubscription | undefined> {
    return this.db.transaction((sql) => subscriptions.changeSubscription(sql, tenant, id, change));
  }

  deleteSubscription(tenant: string, id: string): Promise<boolean> {
    return subscriptions.removeSubscription(this.db, tenant, id);
  }

  async getEntity(tenant: string, id: string): Promise<Entity | undefined> {
    const rows = await this.db.query<{ doc: Entity }>(GET_ENTITY, [tenant, id]);
    return rows[0]?.doc;
  }

  async queryEntities(tenant: string, query: EntityQuery): Promise<EntityQueryResult> {
    try {
      return await this.#queryEntities(tenant, query);
    } catch (e) {
      throw await namingRejectedPattern(this.db, query, e);
    }
  }

  async #queryEntities(tenant: string, query: EntityQuery): Promise<EntityQueryResult> {
    const p = new SqlParams();
    const where = selectionSql(tenant, query, p);
    const filterParams = [...p.values];
    const entities: Entity[] = [];
    if (query.limit > 0) {
      const order = nearOrderSql(query.geo, p, 'e') ?? 'e.id';
      const page = `SELECT e.doc FROM entities AS e WHERE ${where} ORDER BY ${order} LIMIT ${p.add(query.limit)} OFFSET ${p.add(query.offset)}`;
      for (const r of await this.db.query<{ doc: Entity }>(page, p.values)) entities.push(r.doc);
    }
    if (!query.count) return { entities };
    const [{ n }] = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM entities AS e WHERE ${where}`, filterParams);
    return { entities, count: Number(n) };
  }

  async tenantExists(tenant: string): Promise<boolean> {
    if (this.#tenants.has(tenant)) return true;
    const rows = await this.db.query(TENANT_EXISTS, [tenant]);
    if (rows.length) this.#tenants.add(tenant);
    return rows.length > 0;
  }

  async listTenants(): Promise<string[]> {
    const rows = await this.db.query<{ name: string }>("SELECT name FROM tenants WHERE name <> '' ORDER BY name");
    return rows.map((r) => r.name);
  }

  // Discovery (clauses 5.7.5–5.7.10): see store/vocabulary.ts for the design.
  listEntityTypes(tenant: string): Promise<string[]> {
    return vocabulary.listEntityTypes(this.db, tenant);
  }

  listEntityTypeDetails(tenant: string): Promise<EntityTypeSummary[]> {
    return vocabulary.listEntityTypeDetails(this.db, tenant);
  }

  getEntityTypeInfo(tenant: string, type: string): Promise<EntityTypeInfo | undefined> {
    return vocabulary.getEntityTypeInfo(this.db, tenant, type);
  }

  listAttributes(tenant: string): Promise<string[]> {
    return vocabulary.listAttributes(this.db, tenant);
  }

  listAttributeDetails(tenant: string): Promise<AttributeSummary[]> {
    return vocabulary.listAttributeDetails(this.db, tenant);
  }

  getAttributeInfo(tenant: string, attribute: string): Promise<AttributeInfo | undefined> {
    return vocabulary.getAttributeInfo(this.db, tenant, attribute);
  }

  async putContext(c: StoredContext): Promise<void> {
    await this.db.query(
      `INSERT INTO contexts (id, url, kind, body, created_at, last_usage, hits) VALUES ($1, $2, $3, $4::json, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET url = EXCLUDED.url, kind = EXCLUDED.kind, body = EXCLUDED.body,
         created_at = EXCLUDED.created_at, last_usage = EXCLUDED.last_usage, hits = EXCLUDED.hits`,
      [c.id, c.url, c.kind, JSON.stringify(c.body), c.createdAt, c.lastUsage ?? null, c.numberOfHits],
    );
  }

  async getContext(id: string): Promise<StoredContext | undefined> {
    const rows = await this.db.query<ContextRow>('SELECT * FROM contexts WHERE id = $1', [id]);
    return rows[0] && toContext(rows[0]);
  }

  async getContextByUrl(url: string): Promise<StoredContext | undefined> {
    const rows = await this.db.query<ContextRow>('SELECT * FROM contexts WHERE url = $1', [url]);
    return rows[0] && toContext(rows[0]);
  }

  async listContexts(kind?: ContextKind): Promise<StoredContext[]> {
    const rows =
      kind === undefined
        ? await this.db.query<ContextRow>('SELECT * FROM contexts ORDER BY created_at, id')
        : await this.db.query<ContextRow>('SELECT * FROM contexts WHERE kind = $1 ORDER BY created_at, id', [kind]);
    return rows.map(toContext);
  }

  async deleteContext(id: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM contexts WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }

  async touchContext(id: string, at: string): Promise<void> {
    await this.db.query('UPDATE contexts SET last_usage = $2, hits = hits + 1 WHERE id = $1', [id, at]);
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.#statistics.settle();
    await this.#temporal.settle();
    await this.db.close();
  }
}

/**
 * The transaction's operations; `journal` records what they change (for subscriptions), `changed` counts the
 * rows written (for the planner statistics).
 */
function entityTx(sql: SqlQueryable, tenant: string, journal: ChangeJournal, changed: (rows: number) => void): EntityTx {
  return {
    getForUpdate: async (ids) => {
      const found = await lockEntities(sql, tenant, ids);
      journal.loaded(found.values());
      return found;
    },
    insert: async (entities) => {
      changed(entities.length);
      const inserted = await insertEntities(sql, tenant, entities);
      journal.inserted(entities.filter((e) => inserted.has(e.id)));
      return inserted;
    },
    update: async (entities) => {
      changed(entities.length);
      await updateEntities(sql, tenant, entities);
      journal.updated(entities);
    },
    delete: async (ids) => {
      changed(ids.length);
      const gone = await deleteEntities(sql, tenant, ids);
      journal.deleted(gone);
      return new Set(gone.map((e) => e.id));
    },
  };
}
