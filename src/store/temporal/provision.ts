/**
 * Temporal Context Information Provision (clauses 5.6.11–5.6.16): writes to the temporal evolution itself, each in
 * one transaction. The evolution is independent of the entity: creating one creates no entity, and an evolution
 * exists without its entity (clause 5.6.11 "create the provided Temporal Evolution of an Entity").
 */
import type { Attribute } from '../../core/entity/model.js';
import type { RecordedInstance } from '../../core/temporal/instance.js';
import type { SqlClient, SqlQueryable, TemporalChange, TemporalFragment } from '../port.js';
import { deleteEvolutions, insertInstances, instanceRow, upsertTemporalEntities } from './rows.js';

function records(f: TemporalFragment): RecordedInstance[] {
  return Object.entries(f.attrs).flatMap(([attr, instances]) => instances.map((instance) => ({ entityId: f.id, attr, instance })));
}

async function tenantOf(tx: SqlQueryable, tenant: string): Promise<void> {
  await tx.query('INSERT INTO tenants (name) VALUES ($1) ON CONFLICT DO NOTHING', [tenant]);
}

async function exists(tx: SqlQueryable, tenant: string, id: string): Promise<boolean> {
  const rows = await tx.query('SELECT 1 FROM temporal_entities WHERE tenant = $1 AND id = $2 FOR UPDATE', [tenant, id]);
  return rows.length > 0;
}

/** Adds the fragment's types, scope and instances to an evolution, which it creates if needed; true when created. */
async function add(tx: SqlQueryable, tenant: string, f: TemporalFragment, now: string): Promise<boolean> {
  const created = await upsertTemporalEntities(tx, tenant, [{ id: f.id, types: f.types ?? [], scope: f.scope, createdAt: now, modifiedAt: now }], {
    keepScope: true,
  });
  await insertInstances(tx, tenant, records(f), now);
  return created.has(f.id);
}

export function upsertEvolution(db: SqlClient, tenant: string, f: TemporalFragment, now: string): Promise<'created' | 'updated'> {
  return db.transaction(async (tx) => {
    await tenantOf(tx, tenant);
    return (await add(tx, tenant, f, now)) ? 'created' : 'updated';
  });
}

export function appendEvolution(db: SqlClient, tenant: string, f: TemporalFragment, now: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    if (!(await exists(tx, tenant, f.id))) return false;
    await add(tx, tenant, f, now);
    return true;
  });
}

export function deleteEvolution(db: SqlClient, tenant: string, id: string): Promise<boolean> {
  return db.transaction(async (tx) => (await deleteEvolutions(tx, tenant, [id])).has(id));
}

async function touch(tx: SqlQueryable, tenant: string, id: string, now: string): Promise<void> {
  await tx.query('UPDATE temporal_entities SET modified_at = GREATEST(modified_at, $3::timestamptz) WHERE tenant = $1 AND id = $2', [tenant, id, now]);
}

export function deleteAttribute(
  db: SqlClient,
  tenant: string,
  id: string,
  attr: string,
  o: { datasetId?: string; deleteAll: boolean },
): Promise<TemporalChange> {
  return db.transaction(async (tx) => {
    if (!(await exists(tx, tenant, id))) return 'noEntity';
    const [gone] = await tx.query<{ n: number }>(
      `WITH gone AS (DELETE FROM attribute_instances WHERE tenant = $1 AND entity_id = $2 AND attr = $3
         AND ($4::boolean OR dataset_id IS NOT DISTINCT FROM $5::text) RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [tenant, id, attr, o.deleteAll, o.datasetId ?? null],
    );
    if (Number(gone?.n ?? 0) === 0) return 'noAttribute';
    await touch(tx, tenant, id, new Date().toISOString());
    return 'done';
  });
}

const INSTANCE_ID = /^urn:ngsi-ld:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** Locks the instance; tells what is missing when it does not exist. */
async function target(tx: SqlQueryable, tenant: string, id: string, attr: string, instanceId: string): Promise<{ doc: Attribute; uuid: string } | TemporalChange> {
  if (!(await exists(tx, tenant, id))) return 'noEntity';
  const uuid = INSTANCE_ID.exec(instanceId)?.[1]?.toLowerCase();
  if (uuid !== undefined) {
    const rows = await tx.query<{ doc: Attribute }>(
      'SELECT doc FROM attribute_instances WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND instance_id = $4::uuid FOR UPDATE',
      [tenant, id, attr, uuid],
    );
    if (rows[0]) return { doc: rows[0].doc, uuid };
  }
  const any = await tx.query('SELECT 1 FROM attribute_instances WHERE tenant = $1 AND entity_id = $2 AND attr = $3 LIMIT 1', [tenant, id, attr]);
  return any.length > 0 ? 'noInstance' : 'noAttribute';
}

export function replaceInstance(
  db: SqlClient,
  tenant: string,
  id: string,
  attr: string,
  instanceId: string,
  instance: Attribute,
  now: string,
): Promise<TemporalChange> {
  return db.transaction(async (tx) => {
    const t = await target(tx, tenant, id, attr, instanceId);
    if (typeof t === 'string') return t;
    // clause 5.6.14.4: createdAt remains, modifiedAt is the time of the correction
    const next: Attribute = { ...instance, modifiedAt: now };
    if (t.doc.createdAt !== undefined) next.createdAt = t.doc.createdAt;
    const r = instanceRow({ entityId: id, attr, instance: next }, now);
    await tx.query(
      `UPDATE attribute_instances SET dataset_id = $5, ts = $6::timestamptz, observed_at = $7::timestamptz, created_at = $8::timestamptz,
         modified_at = $9::timestamptz, deleted_at = $10::timestamptz, kind = $11, num = $12, txt = $13, doc = $14::jsonb
       WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND instance_id = $4::uuid`,
      [tenant, id, attr, t.uuid, r.d, r.t, r.o, r.c, r.m, r.x, r.k, r.n, r.s, JSON.stringify(r.v)],
    );
    await touch(tx, tenant, id, now);
    return 'done';
  });
}

export function deleteInstance(db: SqlClient, tenant: string, id: string, attr: string, instanceId: string): Promise<TemporalChange> {
  return db.transaction(async (tx) => {
    const t = await target(tx, tenant, id, attr, instanceId);
    if (typeof t === 'string') return t;
    await tx.query('DELETE FROM attribute_instances WHERE tenant = $1 AND entity_id = $2 AND attr = $3 AND instance_id = $4::uuid', [tenant, id, attr, t.uuid]);
    await touch(tx, tenant, id, new Date().toISOString());
    return 'done';
  });
}
