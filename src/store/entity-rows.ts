/**
 * The statements that write and read entity rows. An entity is sent as JSON and its indexed columns are derived
 * from it inside PostgreSQL, so that a batch of thousands of entities is one statement with one parameter.
 */
import type { Entity } from '../core/entity/model.js';
import { LOCATION } from '../core/entity/model.js';
import type { SqlQueryable } from './port.js';
import { recordVocabulary } from './vocabulary.js';

/**
 * The columns of an entity row derived from its JSON document `x` (types, scopes, attr_names, created_at,
 * modified_at, location, doc, in that order): subscription matching (store/subscriptions/match.ts) derives
 * them the same way for documents that are not stored.
 */
export function derivedColumns(x: string): string {
  return `
  mimosa_text_array(${x}->'types') AS types,
  mimosa_text_array(${x}->'scope') AS scopes,
  ARRAY(SELECT jsonb_object_keys(${x}->'attrs')) AS attr_names,
  (${x}->>'createdAt')::timestamptz AS created_at,
  (${x}->>'modifiedAt')::timestamptz AS modified_at,
  mimosa_geometry(${x}->'attrs'->'${LOCATION}') AS location,
  ${x} AS doc`;
}
const DERIVED = derivedColumns('e');

const INSERT = `
INSERT INTO entities (tenant, id, types, scopes, attr_names, created_at, modified_at, location, doc)
SELECT $1, e->>'id', ${DERIVED}
FROM jsonb_array_elements($2::jsonb) AS e
ON CONFLICT (tenant, id) DO NOTHING
RETURNING id`;

const UPDATE = `
UPDATE entities AS t
SET (types, scopes, attr_names, created_at, modified_at, location, doc) = (SELECT ${DERIVED})
FROM jsonb_array_elements($2::jsonb) AS e
WHERE t.tenant = $1 AND t.id = e->>'id'`;

/** Entities in id order: concurrent batches touching the same ids then lock them in the same order (no deadlock). */
function byId(entities: readonly Entity[]): Entity[] {
  return [...entities].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function insertEntities(db: SqlQueryable, tenant: string, entities: readonly Entity[]): Promise<Set<string>> {
  if (entities.length === 0) return new Set();
  const sorted = byId(entities);
  const rows = await db.query<{ id: string }>(INSERT, [tenant, JSON.stringify(sorted)]);
  const inserted = new Set(rows.map((r) => r.id));
  await recordVocabulary(db, tenant, inserted.size === sorted.length ? sorted : sorted.filter((e) => inserted.has(e.id)));
  return inserted;
}

export async function updateEntities(db: SqlQueryable, tenant: string, entities: readonly Entity[]): Promise<void> {
  if (entities.length === 0) return;
  const sorted = byId(entities);
  await db.query(UPDATE, [tenant, JSON.stringify(sorted)]);
  await recordVocabulary(db, tenant, sorted);
}

export async function lockEntities(db: SqlQueryable, tenant: string, ids: readonly string[]): Promise<Map<string, Entity>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ doc: Entity }>('SELECT doc FROM entities WHERE tenant = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE', [
    tenant,
    [...ids],
  ]);
  return new Map(rows.map((r) => [r.doc.id, r.doc]));
}

/** Deletes entities; returns the deleted ones as they were. */
export async function deleteEntities(db: SqlQueryable, tenant: string, ids: readonly string[]): Promise<Entity[]> {
  if (ids.length === 0) return [];
  const sorted = [...ids].sort();
  const rows = await db.query<{ doc: Entity }>(
    `DELETE FROM entities WHERE tenant = $1 AND id IN (SELECT id FROM entities WHERE tenant = $1 AND id = ANY($2::text[]) ORDER BY id FOR UPDATE) RETURNING doc`,
    [tenant, sorted],
  );
  return rows.map((r) => r.doc);
}
