/**
 * Store contract, schema and SQL client (src/store/migrations/index.ts, src/store/port.ts SqlClient), run on
 * every engine: migrations apply once, under concurrency too, and refuse a schema newer than the code; the
 * health probe answers; a client used inside its own transaction callback fails at once instead of hanging,
 * and only while that transaction runs.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openPostgres } from '../../src/store/engines/postgres.js';
import { migrate } from '../../src/store/migrations/index.js';
import type { SqlClient } from '../../src/store/port.js';
import { createSqlStore } from '../../src/store/sql-store.js';
import { forEachEngine, freshPostgresDatabase } from '../support/engines.js';

const INSIDE = /inside its own transaction callback/;
/** Far beyond any migration this code base will ever have. */
const FUTURE_VERSION = 1_000_000;

async function versions(client: SqlClient): Promise<number[]> {
  const rows = await client.query<{ version: number }>('SELECT version FROM mimosa_migrations ORDER BY version');
  return rows.map((r) => Number(r.version));
}

forEachEngine('Store contract: schema and SQL client', (engine, store, client) => {
  it('migrate should apply nothing when the schema is already up to date', async () => {
    const before = await versions(client());
    assert.ok(before.length > 0, 'the store was migrated when it was created');
    assert.deepEqual(await migrate(client()), []);
    assert.deepEqual(await migrate(client()), []);
    assert.deepEqual(await versions(client()), before);
  });

  it('migrate should fail with a message naming the version when the database is newer than the code', async () => {
    await client().query('INSERT INTO mimosa_migrations (version, name) VALUES ($1, $2)', [FUTURE_VERSION, 'from-the-future']);
    try {
      await assert.rejects(migrate(client()), (e: Error) => e.message.includes(String(FUTURE_VERSION)) && /newer/.test(e.message));
    } finally {
      await client().query('DELETE FROM mimosa_migrations WHERE version = $1', [FUTURE_VERSION]);
    }
    assert.deepEqual(await migrate(client()), [], 'the refused run changed nothing');
  });

  it(
    'createSqlStore should migrate once and succeed in every process when several processes start on a fresh database together',
    { skip: engine === 'pglite' && 'PGlite is one connection inside one process: no second process can open the same database' },
    async () => {
      const db = await freshPostgresDatabase();
      const clients: SqlClient[] = [];
      try {
        for (let i = 0; i < 3; i++) clients.push(await openPostgres(db.url, { poolSize: 2 }));
        await Promise.all(clients.map((c) => createSqlStore(c)));
        const applied = await versions(clients[0]);
        assert.ok(applied.length > 0);
        assert.equal(new Set(applied).size, applied.length, 'each migration is recorded once');
        for (const c of clients) assert.deepEqual(await migrate(c), []);
      } finally {
        await Promise.all(clients.map((c) => c.close()));
        await db.drop();
      }
    },
  );

  it(
    'getEntity should run as one named statement per connection and keep answering each id when PostgreSQL switches to a generic plan',
    { skip: engine === 'pglite' && 'PGlite has no named statements: it runs the registered texts as any other' },
    async () => {
      const db = await freshPostgresDatabase();
      // one connection, so that pg_prepared_statements shows the session the store used
      const c = await openPostgres(db.url, { poolSize: 1 });
      try {
        const s = await createSqlStore(c);
        const types = ['https://example.org/vocab#Room'];
        const ids = Array.from({ length: 12 }, (_, i) => `urn:ngsi-ld:Room:${i}`);
        await s.write('', (tx) => tx.insert(ids.map((id) => ({ id, types, createdAt: '2024-01-01T00:00:00Z', modifiedAt: '2024-01-01T00:00:00Z', attrs: {} }))));
        // beyond the fifth execution PostgreSQL may plan once for every id (a generic plan)
        for (const id of [...ids, ...ids]) assert.equal((await s.getEntity('', id))?.id, id);
        assert.equal(await s.getEntity('', 'urn:ngsi-ld:Room:none'), undefined);
        assert.equal(await s.getEntity('other', ids[0]), undefined);
        const named = await c.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
        assert.deepEqual(
          named.map((r) => r.statement),
          ['SELECT doc FROM entities WHERE tenant = $1 AND id = $2'],
          'only the registered statement is named: the generated SQL of the write is not',
        );
        await s.close();
      } finally {
        await db.drop();
      }
    },
  );

  it('ping should resolve when the database answers', async () => {
    await store().ping();
  });

  it('SqlClient should refuse a query or a transaction sent to itself inside its own transaction callback', { timeout: 10_000 }, async () => {
    await assert.rejects(
      client().transaction(async () => client().query('SELECT 1')),
      INSIDE,
    );
    await assert.rejects(
      client().transaction(async () => client().transaction(async () => 1)),
      INSIDE,
    );
    await assert.rejects(
      client().transaction(async () => {
        await sleep(1);
        return client().query('SELECT 1');
      }),
      INSIDE,
      'also after an await that leaves the synchronous part of the callback',
    );
    await store().ping();
    assert.deepEqual(await client().transaction((tx) => tx.query<{ n: number }>('SELECT 1 AS n')), [{ n: 1 }], 'the client still works');
  });

  it('SqlClient should accept a query from work the callback started when the query runs after the transaction ended', { timeout: 10_000 }, async () => {
    // E.g. a notification or cache refresh the callback sets off without awaiting: once the transaction has
    // committed, nothing can deadlock any more, so refusing it would only break the background work.
    let later: Promise<unknown> | undefined;
    await client().transaction(async () => {
      later = sleep(20).then(() => client().query<{ n: number }>('SELECT 1 AS n'));
    });
    assert.deepEqual(await later, [{ n: 1 }]);
  });

  it('SqlClient should roll back what the callback did when the callback throws', async () => {
    await client().query('CREATE TABLE IF NOT EXISTS contract_scratch (n integer)');
    try {
      await assert.rejects(
        client().transaction(async (tx) => {
          await tx.query('INSERT INTO contract_scratch (n) VALUES ($1)', [1]);
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.deepEqual(await client().query('SELECT n FROM contract_scratch'), []);
    } finally {
      await client().query('DROP TABLE contract_scratch');
    }
  });
});
