/**
 * Runs a suite once per storage engine (STYLE: one suite, every engine): embedded PGlite always, a PostgreSQL
 * server whenever it answers at MIMOSA_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * with PostGIS available. Each PostgreSQL suite gets a database of its own, dropped at the end. Outside CI a
 * missing server skips those runs with the reason printed; with CI=true it fails them.
 *
 * A PGlite with PostGIS takes about 10 s to create and migrate here, and 2.5 s to load from a data-directory
 * tarball, so the first suite of a run builds a migrated template in .tmp/ and every suite starts from it.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { openPglite } from '../../src/store/engines/pglite.js';
import { openPostgres } from '../../src/store/engines/postgres.js';
import type { Store, SqlClient } from '../../src/store/port.js';
import { createSqlStore } from '../../src/store/sql-store.js';

export type EngineName = 'pglite' | 'postgres';

const ROOT = new URL('../../', import.meta.url).pathname;
export const TEST_DATABASE_URL = process.env.MIMOSA_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const IN_CI = process.env.CI === 'true';

/** Why PostgreSQL cannot be used, or undefined when it can. */
async function probePostgres(): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 10_000 });
  try {
    await c.connect();
    const rows = (await c.query("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")).rows;
    if (rows.length === 0) return `PostgreSQL at ${TEST_DATABASE_URL} has no PostGIS (apt-get install postgresql-15-postgis-3)`;
    return undefined;
  } catch (e) {
    return `PostgreSQL does not answer at ${TEST_DATABASE_URL}: ${(e as Error).message}`;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export const postgresUnavailable = await probePostgres();

/** A key that changes whenever the schema could: the migrations' sources. */
async function schemaKey(): Promise<string> {
  const dir = join(ROOT, 'src/store/migrations');
  const h = createHash('sha256');
  for (const f of (await readdir(dir)).sort()) h.update(f).update(await readFile(join(dir, f)));
  return h.digest('hex').slice(0, 16);
}

async function pgliteTemplate(): Promise<Blob> {
  const path = join(ROOT, '.tmp', `pglite-template-${await schemaKey()}.tgz`);
  try {
    return new Blob([await readFile(path)]);
  } catch {
    const client = await openPglite();
    await createSqlStore(client);
    const blob = await client.dump();
    await client.close();
    await mkdir(join(ROOT, '.tmp'), { recursive: true });
    const tmp = `${path}.${process.pid}`;
    await writeFile(tmp, Buffer.from(await blob.arrayBuffer()));
    await rename(tmp, path);
    return blob;
  }
}

/** A fresh, migrated, in-memory PGlite client. */
export async function freshPglite(): Promise<SqlClient> {
  return openPglite({ template: await pgliteTemplate() });
}

/** A fresh PostgreSQL database; `drop` removes it (and ends every connection to it). */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `mimosa_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Opens a migrated store on a fresh database of the engine; `dispose` closes it and drops what it made. */
export async function openTestStore(engine: EngineName): Promise<{ store: Store; client: SqlClient; dispose: () => Promise<void> }> {
  if (engine === 'pglite') {
    const client = await freshPglite();
    const store = await createSqlStore(client);
    return { store, client, dispose: () => store.close() };
  }
  const db = await freshPostgresDatabase();
  const client = await openPostgres(db.url, { poolSize: 4 });
  const store = await createSqlStore(client);
  return {
    store,
    client,
    dispose: async () => {
      await store.close();
      await db.drop();
    },
  };
}

/**
 * Declares `body` once per engine, inside `describe('<name> [engine]')`. `store()` is the suite's store,
 * opened before its first test and closed after its last.
 */
export function forEachEngine(name: string, body: (engine: EngineName, store: () => Store, client: () => SqlClient) => void): void {
  for (const engine of ['pglite', 'postgres'] as const) {
    if (engine === 'postgres' && postgresUnavailable !== undefined) {
      if (IN_CI) {
        describe(`${name} [postgres]`, () => {
          it('needs PostgreSQL with PostGIS under CI=true', () => assert.fail(postgresUnavailable));
        });
      } else {
        describe(`${name} [postgres]`, { skip: postgresUnavailable }, () => undefined);
      }
      continue;
    }
    describe(`${name} [${engine}]`, () => {
      let opened: Awaited<ReturnType<typeof openTestStore>> | undefined;
      before(async () => {
        opened = await openTestStore(engine);
      });
      after(async () => {
        await opened?.dispose();
      });
      const need = () => {
        if (!opened) throw new Error(`the ${engine} store is used before its before() hook ran`);
        return opened;
      };
      body(
        engine,
        () => need().store,
        () => need().client,
      );
    });
  }
}
