/**
 * The postgres engine's own database, and the database ceiling: the same rows written with multi-row INSERTs and
 * read back by primary key straight through `pg`, with the broker's pool size and the workloads' concurrency.
 * What Mimosa adds on top (HTTP, JSON-LD, validation, its own SQL) is the gap between a workload and this.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { batchAt, idAt, prng } from './data.js';
import { sample, type Backends, type Usage } from './sampler.js';
import { Latencies, type Latency } from './stats.js';

export interface BenchDatabase {
  url: string;
  /** Pids of the server processes serving this database now. */
  backends: Backends;
  drop(): Promise<void>;
}

/** Creates mimosa_bench_<random> on the server; keeps one connection to the server's own database to watch and drop it. */
export async function createDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `mimosa_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect().catch((e: unknown) => {
    throw new Error(`PostgreSQL at ${serverUrl} does not answer (${e instanceof Error ? e.message : String(e)}); set MIMOSA_DATABASE_URL or use --engine pglite`);
  });
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    backends: async () => (await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name])).rows.map((r) => r.pid),
    drop: async () => {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    },
  };
}

export interface Ceiling extends Usage {
  seconds: number;
  ops: number;
  opsPerSec: number;
  /** Rows per second (ops/s × rows per statement). */
  itemsPerSec: number;
  errors: number;
  latencyMs: Latency;
  firstError?: string;
}

/** Runs `op` from `workers` concurrent loops for `seconds`, timing each call; samples this process and the database. */
async function hammer(seconds: number, workers: number, rowsPerOp: number, backends: Backends, op: () => Promise<void>): Promise<Ceiling> {
  const latencies = new Latencies();
  let errors = 0;
  let firstError: string | undefined;
  const stop = sample(process.pid, backends);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const start = performance.now();
      try {
        await op();
        latencies.push(performance.now() - start);
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  const elapsed = (performance.now() - t0) / 1000;
  const ops = latencies.count;
  return { seconds: elapsed, ops, opsPerSec: ops / elapsed, itemsPerSec: (ops * rowsPerOp) / elapsed, errors, latencyMs: latencies.summary(), firstError, ...(await stop()) };
}

const ROWS = 1000;
/** Columns and indexes of the kinds the broker keeps: primary key, GIN on types, GiST on location, the document as jsonb. */
const TABLE = `
  DROP TABLE IF EXISTS bench_ceiling;
  CREATE TABLE bench_ceiling (id text PRIMARY KEY, types text[] NOT NULL, location geometry(Geometry, 4326), doc jsonb NOT NULL);
  CREATE INDEX ON bench_ceiling USING gin (types);
  CREATE INDEX ON bench_ceiling USING gist (location);`;
const INSERT = `INSERT INTO bench_ceiling (id, types, location, doc) VALUES ${Array.from(
  { length: ROWS },
  (_, r) => `($${4 * r + 1}, $${4 * r + 2}, ST_GeomFromGeoJSON($${4 * r + 3}), $${4 * r + 4})`,
).join(', ')}`;

/**
 * The insert ceiling writes the data set's rows (then rows past it) 1,000 per statement; the select ceiling reads
 * random rows of those by id, each with as many concurrent callers as its workload has connections, on a pool of
 * `poolSize` like the broker's.
 */
export async function dbCeilings(db: BenchDatabase, seed: number, seconds: number, callers: { insert: number; select: number }, poolSize: number) {
  const pool = new pg.Pool({ connectionString: db.url, max: poolSize });
  try {
    await pool.query(TABLE);
    let next = 0;
    const insert = await hammer(seconds, callers.insert, ROWS, db.backends, async () => {
      const from = ROWS * next++;
      const values = batchAt(seed, from, ROWS).flatMap((e) => [e.id, [e.type], JSON.stringify((e.location as { value: unknown }).value), JSON.stringify(e)]);
      await pool.query({ name: 'ceiling_insert', text: INSERT, values });
    });
    const written = ROWS * insert.ops;
    const r = prng(seed + 4);
    const select = await hammer(seconds, callers.select, 1, db.backends, async () => {
      await pool.query({ name: 'ceiling_select', text: 'SELECT doc FROM bench_ceiling WHERE id = $1', values: [idAt(Math.floor(r() * written))] });
    });
    await pool.query('DROP TABLE bench_ceiling');
    return { insert, select };
  } finally {
    await pool.end();
  }
}
