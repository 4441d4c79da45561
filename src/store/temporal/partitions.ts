/**
 * Upkeep of the monthly partitions of `attribute_instances` (migration 005): the months around now are made ahead,
 * so that writes never wait on DDL, and retention drops what is older than the cutoff: whole months by DROP TABLE
 * (no row-by-row delete, no dead rows to vacuum), then the older rows of the month straddling the cutoff and of the
 * default partition with one DELETE, which the month partitions bound (PostgreSQL prunes to the partitions below
 * the cutoff). Both engines run the same statements: PGlite has declarative partitioning like any PostgreSQL;
 * having no autovacuum, it gets an explicit VACUUM after a retention that deleted rows (store/temporal/store.ts).
 *
 * One process at a time does it (a transaction-scoped advisory lock; the others skip their turn).
 */
import type { SqlClient, SqlQueryable } from '../port.js';

/** Arbitrary key of the advisory lock of partition upkeep ("mimt"). */
const MAINTENANCE_LOCK = 0x6d696d74;
/** Months made ahead of and behind the current one. */
const MONTHS_AHEAD = 2;
const MONTHS_BEHIND = 1;

export interface Upkeep {
  created: number;
  dropped: number;
  deleted: number;
}

/** The month partitions and their upper bounds (milliseconds), from their names (attribute_instances_y2024m05). */
async function monthPartitions(tx: SqlQueryable): Promise<Array<{ name: string; end: number }>> {
  const rows = await tx.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits AS h JOIN pg_class AS c ON c.oid = h.inhrelid
     WHERE h.inhparent = 'attribute_instances'::regclass`,
  );
  const out: Array<{ name: string; end: number }> = [];
  for (const { name } of rows) {
    const m = /_y(\d{4})m(\d{2})$/.exec(name);
    if (m) out.push({ name, end: Date.UTC(Number(m[1]), Number(m[2]), 1) });
  }
  return out;
}

export async function upkeep(db: SqlClient, o: { now: number; retentionMs?: number }): Promise<Upkeep> {
  return db.transaction(async (tx) => {
    const result: Upkeep = { created: 0, dropped: 0, deleted: 0 };
    const [lock] = await tx.query<{ got: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS got', [MAINTENANCE_LOCK]);
    if (!lock?.got) return result;
    const now = new Date(o.now);
    for (let k = -MONTHS_BEHIND; k <= MONTHS_AHEAD; k++) {
      const at = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1)).toISOString();
      const [made] = await tx.query<{ made: boolean }>('SELECT mimosa_instance_partition($1::timestamptz) AS made', [at]);
      if (made?.made) result.created++;
    }
    if (o.retentionMs === undefined) return result;
    const cutoff = o.now - o.retentionMs;
    for (const p of await monthPartitions(tx)) {
      if (p.end > cutoff) continue;
      await tx.query(`DROP TABLE ${JSON.stringify(p.name)}`);
      result.dropped++;
    }
    const [d] = await tx.query<{ n: number }>(
      'WITH gone AS (DELETE FROM attribute_instances WHERE ts < $1::timestamptz RETURNING 1) SELECT count(*)::int AS n FROM gone',
      [new Date(cutoff).toISOString()],
    );
    result.deleted = Number(d?.n ?? 0);
    return result;
  });
}
