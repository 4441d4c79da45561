import pg from 'pg';
import type { SqlClient, SqlQueryable } from '../port.js';
import { preparedName } from '../prepared.js';
import { TxScope } from './tx-scope.js';

export interface PostgresOptions {
  /** Most connections this process holds open. */
  poolSize?: number;
}

/**
 * A PostgreSQL server (15+, with PostGIS 3) through a `pg` pool. Several Mimosa processes may share one
 * database: everything they coordinate goes through it (row locks, advisory locks), never through memory.
 */
export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<SqlClient> {
  // Options given in the URL (`?options=-c …`) replace these session settings.
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, application_name: 'mimosa', options: SESSION_SETTINGS });
  // An idle client that loses its connection emits 'error' on the pool; without a listener that ends the process.
  pool.on('error', () => undefined);
  try {
    const c = await pool.connect();
    c.release();
  } catch (e) {
    await pool.end();
    throw new Error(`PostgreSQL at ${redact(url)} does not answer: ${(e as Error).message}`);
  }
  return new PostgresSqlClient(pool, url);
}

/**
 * Settings of Mimosa's sessions, for a broker's many short statements (PostgreSQL's defaults aim at reports):
 * - no parallel workers: starting them costs more than the statements they would share (near 500 m, pgbench
 *   here: 685 statements/s with two workers per gather, 1,196 without);
 * - no JIT compilation, which pays off only for statements running for seconds;
 * - random_page_cost 1.1, the usual value for SSD storage and for tables that fit in memory: with the default
 *   4, the planner sorts every entity within a near distance rather than walk the KNN index (geo-sql.ts).
 */
const SESSION_SETTINGS = '-c max_parallel_workers_per_gather=0 -c jit=off -c random_page_cost=1.1';

/** The URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

class PostgresSqlClient implements SqlClient {
  readonly engine = 'postgres';
  readonly #pool: pg.Pool;
  readonly #scope = new TxScope();

  readonly #url: string;

  constructor(pool: pg.Pool, url: string) {
    this.#pool = pool;
    this.#url = url;
  }

  /**
   * LISTEN on a connection of its own (a pooled one would be handed to others). A lost connection is not
   * re-established: listeners also poll, so a missed wake-up only delays work by one poll interval.
   */
  async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    const client = new pg.Client({ connectionString: this.#url, application_name: 'mimosa-listen' });
    client.on('error', () => undefined);
    client.on('notification', (m) => {
      if (m.channel === channel) onNotify();
    });
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    return async () => {
      await client.end().catch(() => undefined);
    };
  }

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]> {
    this.#scope.assertOutside();
    return run<R>(this.#pool, text, params);
  }

  async transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    this.#scope.assertOutside();
    const client = await this.#pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await this.#scope.run(() => fn({ query: <R>(text: string, params?: readonly unknown[]) => run<R>(client, text, params) }));
      await client.query('COMMIT');
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw e;
    } finally {
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.#pool.end();
  }
}

async function run<R>(db: pg.Pool | pg.PoolClient, text: string, params?: readonly unknown[]): Promise<R[]> {
  if (params !== undefined && params.length > 0) {
    const name = preparedName(text);
    if (name !== undefined) return (await db.query({ name, text, values: params as unknown[] })).rows as R[];
    return (await db.query(text, params as unknown[])).rows as R[];
  }
  // Without parameters pg uses the simple protocol: several statements give an array of results.
  const res = (await db.query(text)) as pg.QueryResult | pg.QueryResult[];
  return (Array.isArray(res) ? (res.at(-1)?.rows ?? []) : res.rows) as R[];
}
