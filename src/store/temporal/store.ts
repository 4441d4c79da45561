/**
 * The temporal side of the store port (TemporalStore in store/port.ts) on an SqlClient: provision
 * (store/temporal/provision.ts), consumption (query.ts, aggregate.ts) and partition upkeep (partitions.ts).
 */
import type { Attribute } from '../../core/entity/model.js';
import type {
  SqlClient,
  TemporalChange,
  TemporalEntityInfo,
  TemporalEntityQuery,
  TemporalFragment,
  TemporalResult,
  TemporalScope,
  TemporalStore,
} from '../port.js';
import { namingRejectedPattern } from '../errors.js';
import { Statistics } from '../statistics.js';
import { loadAggregates } from './aggregate.js';
import { upkeep } from './partitions.js';
import { appendEvolution, deleteAttribute, deleteEvolution, deleteInstance, replaceInstance, upsertEvolution } from './provision.js';
import { loadEntity, loadInstances, selectEntities } from './query.js';

/** Instance rows, summed over the partitions, for the statistics threshold. */
const INSTANCE_ROWS = `SELECT coalesce(sum(c.reltuples), 0)::float8 AS n FROM pg_inherits AS h JOIN pg_class AS c ON c.oid = h.inhrelid
  WHERE h.inhparent = 'attribute_instances'::regclass AND c.reltuples > 0`;

/** A pause in writes after this many instance rows is a quiet period, when the store vacuums. */
const QUIET_ROWS = 10_000;
const QUIET_MS = 2000;

/** Memory one aggregation may hash its periods in. */
const AGGREGATION_WORK_MEM = '64MB';

export class SqlTemporalStore implements TemporalStore {
  readonly #vacuum: Statistics;

  constructor(private readonly db: SqlClient) {
    // The store vacuums, so that index-only scans need not read the rows: PGlite runs no autovacuum, and a server's
    // comes a minute or more after a bulk load. Rarely: on PGlite a vacuum holds the one connection (measured:
    // vacuuming at every 10 % of growth tripled the time of a batch create).
    this.#vacuum = new Statistics(db, { refresh: 'VACUUM (ANALYZE) attribute_instances', rows: INSTANCE_ROWS, min: 50_000, scale: 0.5 });
  }

  /** Rows written since the last quiet period. */
  #pending = 0;
  #quiet: NodeJS.Timeout | undefined;

  /**
   * Instance rows written by a committed transaction: may start a background VACUUM ANALYZE, and does once writes
   * pause after a bulk load, whose last rows the growth threshold would otherwise leave unvacuumed (measured: an
   * aggregation reading their rows took twice as long).
   */
  wrote(rows: number): void {
    if (rows <= 0) return;
    this.#vacuum.wrote(rows);
    this.#pending += rows;
    clearTimeout(this.#quiet);
    if (this.#pending < QUIET_ROWS) return;
    this.#quiet = setTimeout(() => {
      this.#pending = 0;
      this.#vacuum.refresh();
    }, QUIET_MS);
    this.#quiet.unref();
  }

  settle(): Promise<void> {
    clearTimeout(this.#quiet);
    return this.#vacuum.settle();
  }

  async upsertTemporalEntity(tenant: string, f: TemporalFragment, now: string): Promise<'created' | 'updated'> {
    const r = await upsertEvolution(this.db, tenant, f, now);
    this.wrote(count(f));
    return r;
  }

  async appendTemporalAttributes(tenant: string, f: TemporalFragment, now: string): Promise<boolean> {
    const r = await appendEvolution(this.db, tenant, f, now);
    if (r) this.wrote(count(f));
    return r;
  }

  deleteTemporalEntity(tenant: string, id: string): Promise<boolean> {
    return deleteEvolution(this.db, tenant, id);
  }

  deleteTemporalAttribute(tenant: string, id: string, attr: string, o: { datasetId?: string; deleteAll: boolean }): Promise<TemporalChange> {
    return deleteAttribute(this.db, tenant, id, attr, o);
  }

  replaceTemporalInstance(tenant: string, id: string, attr: string, instanceId: string, instance: Attribute, now: string): Promise<TemporalChange> {
    return replaceInstance(this.db, tenant, id, attr, instanceId, instance, now);
  }

  deleteTemporalInstance(tenant: string, id: string, attr: string, instanceId: string): Promise<TemporalChange> {
    return deleteInstance(this.db, tenant, id, attr, instanceId);
  }

  async retrieveTemporal(tenant: string, id: string, scope: TemporalScope): Promise<TemporalResult | undefined> {
    const e = await loadEntity(this.db, tenant, id);
    return e && this.withEvolution([e], tenant, scope);
  }

  async queryTemporal(tenant: string, query: TemporalEntityQuery): Promise<TemporalResult> {
    const page = await selectEntities(this.db, tenant, query).catch(async (e: unknown) => {
      throw await namingRejectedPattern(this.db, query.selection, e);
    });
    const r = await this.withEvolution(page.entities, tenant, query);
    return page.count === undefined ? r : { ...r, count: page.count };
  }

  async maintainTemporal(o: { now: number; retentionMs?: number }): Promise<{ created: number; dropped: number; deleted: number }> {
    const r = await upkeep(this.db, o);
    // rows deleted leave dead tuples, and PGlite runs no autovacuum
    if (r.deleted > 0) await this.db.query('VACUUM attribute_instances');
    return r;
  }

  /** The instances (or aggregated periods) of each entity the scope takes. */
  private async withEvolution(infos: TemporalEntityInfo[], tenant: string, s: TemporalScope): Promise<TemporalResult> {
    const ids = infos.map((e) => e.id);
    if (s.aggregation) {
      const aggregation = s.aggregation;
      // The planner cannot tell that periods are few (date_bin over an index range): with the default 4 MB it sorts
      // 100,000 rows on disk to group them (125 ms measured) where a hash table of the periods takes 45 ms. And with
      // the default random_page_cost (4, for spinning disks) it reads a whole partition rather than the index range of
      // an attribute that holds half of it (145 ms against 60 ms measured on PGlite, whose pages are in memory).
      const periods = await this.db.transaction(async (tx) => {
        await tx.query(`SET LOCAL work_mem = '${AGGREGATION_WORK_MEM}'; SET LOCAL random_page_cost = 1.1`);
        return loadAggregates(tx, tenant, ids, { ...s, aggregation });
      });
      return { entities: infos.map((entity) => ({ entity, instances: {}, aggregated: periods.get(entity.id) ?? {} })) };
    }
    const loaded = await loadInstances(this.db, tenant, ids, s);
    const entities = infos.map((entity) => ({ entity, instances: loaded.byEntity.get(entity.id) ?? {}, aggregated: {} }));
    return loaded.truncated ? { entities, truncated: loaded.truncated } : { entities };
  }
}

const count = (f: TemporalFragment) => Object.values(f.attrs).reduce((n, xs) => n + xs.length, 0);
