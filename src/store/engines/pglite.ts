import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import type { SqlClient, SqlQueryable } from '../port.js';
import { lockDataDir } from './data-dir-lock.js';
import { TxScope } from './tx-scope.js';

export interface PgliteOptions {
  /** Directory of the database files; in memory when absent. */
  dataDir?: string;
  /** A data directory tarball (from `dump()`) to start from; only for a new, empty database. */
  template?: Blob;
}

export interface PgliteClient extends SqlClient {
  /** The whole data directory as a gzipped tarball, to start other instances from. */
  dump(): Promise<Blob>;
}

/**
 * PGlite (PostgreSQL compiled to WASM, in process) with PostGIS. PGlite is a single connection: its
 * own mutex serialises `transaction()` callers and makes a plain `query()` wait until the running
 * transaction ends, so nothing interleaves into a transaction.
 */
export async function openPglite(options: PgliteOptions = {}): Promise<PgliteClient> {
  let release = async () => {};
  if (options.dataDir !== undefined) {
    await mkdir(options.dataDir, { recursive: true });
    release = await lockDataDir(options.dataDir);
  }
  let db: PGlite | undefined;
  try {
    db = await PGlite.create({
      ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}),
      ...(options.template !== undefined ? { loadDataDir: options.template } : {}),
      extensions: { postgis },
    });
    await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
    // As for PostgreSQL (engines/postgres.ts): the planner's cost of a random page read, for data in memory.
    await db.exec('SET random_page_cost = 1.1');
  } catch (err) {
    await db?.close();
    await release();
    throw err;
  }
  return new PgliteSqlClient(db, release);
}

class PgliteSqlClient implements PgliteClient {
  readonly engine = 'pglite';
  readonly #db: PGlite;
  readonly #scope = new TxScope();
  readonly #release: () => Promise<void>;

  constructor(db: PGlite, release: () => Promise<void>) {
    this.#db = db;
    this.#release = release;
  }

  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]> {
    this.#scope.assertOutside();
    return run<R>(this.#db, text, params);
  }

  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
    this.#scope.assertOutside();
    return this.#db.transaction((tx) =>
      this.#scope.run(() => fn({ query: <R>(text: string, params?: readonly unknown[]) => run<R>(tx, text, params) })),
    );
  }

  /** PGlite is one session in this process: a NOTIFY reaches the listeners of this instance only. */
  async listen(channel: string, onNotify: () => void): Promise<() => Promise<void>> {
    const unlisten = await this.#db.listen(channel, () => onNotify());
    return () => unlisten();
  }

  async dump(): Promise<Blob> {
    return this.#db.dumpDataDir('gzip');
  }

  async close(): Promise<void> {
    await this.#db.close();
    await this.#release();
  }
}

/** Parameterised text goes through the extended protocol; text without parameters may hold several statements. */
async function run<R>(db: PGlite | Transaction, text: string, params?: readonly unknown[]): Promise<R[]> {
  if (params !== undefined && params.length > 0) return (await db.query<R>(text, [...params])).rows;
  const results = await db.exec(text);
  return (results.at(-1)?.rows ?? []) as R[];
}
