/**
 * The conflicts a registration write must refuse (clause 4.3.6.3 proxied registrations; 5.9.2 and 5.9.3 answer them
 * with AlreadyExists, 409):
 * - an exclusive registration and another registration (but an auxiliary one) that cover one attribute of one
 *   entity (core/csr/match.ts registrationsConflict);
 * - an exclusive or redirect registration of data this broker holds itself: a proxied source is the only holder of
 *   what it registers, so an entity of the tenant it describes, with one of its attributes, is a conflict.
 * Writes of a tenant's registrations are serialised (an advisory lock) so that two conflicting ones cannot both
 * commit.
 */
import type { ContextSourceRegistration, EntityInfo } from '../../core/csr/model.js';
import { attributesOf } from '../../core/csr/model.js';
import { registrationsConflict } from '../../core/csr/match.js';
import type { SqlQueryable } from '../port.js';
import { SqlParams } from '../sql-params.js';

/** Serialises the registration writes of a tenant until the transaction ends. */
export async function lockTenantRegistrations(db: SqlQueryable, tenant: string): Promise<void> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtextextended('mimosa-csr:' || $1, 0))`, [tenant]);
}

/** Registrations of the tenant `r` could conflict with, narrowed by the types they share with it. */
async function candidates(db: SqlQueryable, tenant: string, r: ContextSourceRegistration): Promise<ContextSourceRegistration[]> {
  const exclusive = r.mode === 'exclusive';
  const anyEntity = r.information.some((i) => i.entities === undefined);
  const types = [...new Set(r.information.flatMap((i) => i.entities ?? []).flatMap((e) => e.types))];
  const rows = await db.query<{ doc: ContextSourceRegistration }>(
    `SELECT r.doc FROM csource_registrations AS r
     WHERE r.tenant = $1 AND r.id <> $2 AND r.mode <> 'auxiliary' AND ($3 OR r.mode = 'exclusive')
       AND ($4 OR EXISTS (SELECT 1 FROM csource_registration_information AS i
         WHERE i.tenant = r.tenant AND i.registration_id = r.id AND (i.types IS NULL OR i.types && $5::text[])))
     ORDER BY r.id`,
    [tenant, r.id, exclusive, anyEntity, types],
  );
  return rows.map((x) => x.doc);
}

/** An entity of the tenant that the item describes, with one of its attributes (any, when it names none). */
async function heldLocally(db: SqlQueryable, tenant: string, e: EntityInfo | undefined, attrs: string[] | undefined): Promise<string | undefined> {
  const p = new SqlParams();
  const conds = [`tenant = ${p.add(tenant)}`];
  if (e) conds.push(`types @> ${p.add(e.types)}::text[]`);
  if (e?.id !== undefined) conds.push(`id = ${p.add(e.id)}`);
  else if (e?.idPattern !== undefined) conds.push(`id ~ ${p.add(e.idPattern)}`);
  if (attrs) conds.push(`attr_names && ${p.add(attrs)}::text[]`);
  const rows = await db.query<{ id: string }>(`SELECT id FROM entities WHERE ${conds.join(' AND ')} LIMIT 1`, p.values);
  return rows[0]?.id;
}

/** Why `r` cannot be stored (the detail of the AlreadyExists), or undefined when nothing conflicts. */
export async function conflictOf(db: SqlQueryable, tenant: string, r: ContextSourceRegistration): Promise<string | undefined> {
  if (r.mode === 'auxiliary') return undefined;
  for (const other of await candidates(db, tenant, r)) {
    if (registrationsConflict(r, other)) {
      return `ContextSourceRegistration ${r.id} conflicts with the ${other.mode} registration ${other.id}: both cover an attribute of the same entity`;
    }
  }
  if (r.mode !== 'exclusive' && r.mode !== 'redirect') return undefined;
  for (const info of r.information) {
    for (const e of info.entities ?? [undefined]) {
      const id = await heldLocally(db, tenant, e, attributesOf(info));
      if (id !== undefined) return `ContextSourceRegistration ${r.id} is ${r.mode}, but entity ${id} holds data it registers here`;
    }
  }
  return undefined;
}
