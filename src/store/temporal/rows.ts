/**
 * The statements that write the temporal evolution: instance rows with their derived columns, and the entity side
 * (`temporal_entities`). Like entity rows (store/entity-rows.ts), a whole batch is one statement with one JSON
 * parameter; what cannot fail in SQL is derived here: times are normalised (a time PostgreSQL cannot hold
 * becomes NULL in its column, never an error that would fail the entity write), and the aggregation facts are
 * computed once (core/temporal/instance.ts).
 */
import type { Attribute } from '../../core/entity/model.js';
import { aggregationFacts, type RecordedInstance } from '../../core/temporal/instance.js';
import type { SqlQueryable } from '../port.js';

/** An ISO time PostgreSQL holds (years 1 to 9999), normalised to UTC; undefined for anything else. */
export function pgTime(s: unknown): string | undefined {
  if (typeof s !== 'string') return undefined;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return undefined;
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  return y >= 1 && y <= 9999 ? d.toISOString() : undefined;
}

interface InstanceRow {
  e: string;
  a: string;
  d: string | null;
  t: string;
  o: string | null;
  c: string;
  m: string;
  x: string | null;
  k: number;
  n: number | null;
  s: string | null;
  v: Attribute;
}

/** The row of one instance; `now` stands in for a missing or unusable createdAt/modifiedAt. */
export function instanceRow(r: RecordedInstance, now: string): InstanceRow {
  const a = r.instance;
  const deleted = pgTime(a.deletedAt);
  const observed = pgTime(a.observedAt);
  const modified = pgTime(a.modifiedAt) ?? now;
  const facts = aggregationFacts(a, deleted !== undefined);
  return {
    e: r.entityId,
    a: r.attr,
    d: a.datasetId ?? null,
    // the instance's own time, the partition key: when it was observed, else when it was written
    t: observed ?? modified,
    o: observed ?? null,
    c: pgTime(a.createdAt) ?? modified,
    m: modified,
    x: deleted ?? null,
    k: facts.kind,
    n: facts.num ?? null,
    s: facts.txt ?? null,
    v: a,
  };
}

const INSERT = `
INSERT INTO attribute_instances (tenant, entity_id, attr, instance_id, dataset_id, ts, observed_at, created_at, modified_at,
  deleted_at, kind, num, txt, doc)
SELECT $1, r->>'e', r->>'a', gen_random_uuid(), r->>'d', (r->>'t')::timestamptz, (r->>'o')::timestamptz,
  (r->>'c')::timestamptz, (r->>'m')::timestamptz, (r->>'x')::timestamptz, (r->>'k')::int, (r->>'n')::float8, r->>'s', r->'v'
FROM jsonb_array_elements($2::jsonb) AS r`;

/** Instances per statement: bounds the JSON parameter of a huge temporal upsert. */
const CHUNK = 20_000;

export async function insertInstances(db: SqlQueryable, tenant: string, records: readonly RecordedInstance[], now: string): Promise<void> {
  for (let from = 0; from < records.length; from += CHUNK) {
    const rows = records.slice(from, from + CHUNK).map((r) => instanceRow(r, now));
    await db.query(INSERT, [tenant, JSON.stringify(rows)]);
  }
}

/** What the evolution records of an entity itself. */
export interface TemporalEntityRow {
  id: string;
  types: readonly string[];
  scope?: readonly string[];
  createdAt: string;
  modifiedAt: string;
}

/**
 * Creates the entity side of evolutions, or updates it: types accumulate (in the order seen), the scope is the one
 * given (with `keepScope`, an absent scope keeps the recorded one), a deletion mark goes. Returns the ids created.
 * Rows are written in id order, so that concurrent batches lock them in the same order.
 */
export async function upsertTemporalEntities(
  db: SqlQueryable,
  tenant: string,
  entities: readonly TemporalEntityRow[],
  o: { keepScope: boolean },
): Promise<Set<string>> {
  if (entities.length === 0) return new Set();
  const now = new Date().toISOString();
  const sorted = [...entities].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rows = await db.query<{ id: string; created: boolean }>(
    `INSERT INTO temporal_entities AS t (tenant, id, types, scopes, created_at, modified_at)
     SELECT $1, x->>'id', mimosa_text_array(x->'types'), mimosa_text_array(x->'scope'), (x->>'createdAt')::timestamptz,
       (x->>'modifiedAt')::timestamptz
     FROM jsonb_array_elements($2::jsonb) AS x
     ON CONFLICT (tenant, id) DO UPDATE SET
       types = t.types || ARRAY(SELECT y FROM unnest(EXCLUDED.types) AS y WHERE NOT y = ANY(t.types)),
       scopes = CASE WHEN $3::boolean THEN COALESCE(EXCLUDED.scopes, t.scopes) ELSE EXCLUDED.scopes END,
       modified_at = GREATEST(t.modified_at, EXCLUDED.modified_at),
       deleted_at = NULL
     RETURNING id, (xmax = 0) AS created`,
    [tenant, JSON.stringify(sorted.map((e) => ({ ...e, createdAt: pgTime(e.createdAt) ?? now, modifiedAt: pgTime(e.modifiedAt) ?? now }))), o.keepScope],
  );
  return new Set(rows.filter((r) => r.created).map((r) => r.id));
}

/** Removes the whole evolution of these entities (instances and entity side). */
export async function deleteEvolutions(db: SqlQueryable, tenant: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  await db.query('DELETE FROM attribute_instances WHERE tenant = $1 AND entity_id = ANY($2::text[])', [tenant, [...ids]]);
  const gone = await db.query<{ id: string }>('DELETE FROM temporal_entities WHERE tenant = $1 AND id = ANY($2::text[]) RETURNING id', [tenant, [...ids]]);
  return new Set(gone.map((r) => r.id));
}

/** Marks entities deleted (their evolution kept, with a deletion instance per attribute instance). */
export async function markDeleted(db: SqlQueryable, tenant: string, ids: readonly string[], at: string): Promise<void> {
  if (ids.length === 0) return;
  await db.query('UPDATE temporal_entities SET deleted_at = $3, modified_at = $3 WHERE tenant = $1 AND id = ANY($2::text[])', [tenant, [...ids], at]);
}
