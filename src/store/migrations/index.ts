import type { SqlClient } from '../port.js';
import { initial } from './001-initial.js';
import { queryIndexes } from './002-query-indexes.js';
import { vocabulary } from './003-vocabulary.js';
import { subscriptions } from './004-subscriptions.js';
import { temporal } from './005-temporal.js';
import { iot } from './006-iot.js';
import { models } from './007-models.js';
import { registrations } from './008-registrations.js';

/**
 * Append-only migrations: a deployed migration is never edited; a change of schema is a new entry at the end.
 * Each runs in the transaction that records it, so a failed migration leaves no trace.
 */
const migrations: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'query-indexes', sql: queryIndexes },
  { version: 3, name: 'vocabulary', sql: vocabulary },
  { version: 4, name: 'subscriptions', sql: subscriptions },
  { version: 5, name: 'temporal', sql: temporal },
  { version: 6, name: 'iot', sql: iot },
  { version: 7, name: 'models', sql: models },
  { version: 8, name: 'registrations', sql: registrations },
];

/** Arbitrary key of the advisory lock that serialises migrations of several Mimosa processes starting together. */
const MIGRATION_LOCK = 0x6d696d6f;

/** Brings the schema up to date; returns the versions it applied. */
export async function migrate(client: SqlClient): Promise<number[]> {
  return client.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(
      'CREATE TABLE IF NOT EXISTS mimosa_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const rows = await tx.query<{ version: number }>('SELECT version FROM mimosa_migrations');
    const done = new Set(rows.map((r) => Number(r.version)));
    const known = Math.max(...migrations.map((m) => m.version));
    const newer = [...done].filter((v) => v > known);
    if (newer.length) throw new Error(`the database schema is at version ${Math.max(...newer)}, newer than this Mimosa knows (${known}); upgrade Mimosa`);
    const applied: number[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await tx.query(m.sql);
      await tx.query('INSERT INTO mimosa_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
    return applied;
  });
}
