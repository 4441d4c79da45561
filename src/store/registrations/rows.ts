/**
 * Registration rows (clauses 5.9, 5.10): the model kept whole in `doc`, the columns discovery and matching select
 * on derived from it here on every write, and one information row per EntityInfo (migrations/008-registrations.ts
 * explains the tables).
 */
import { attributesOf, type ContextSourceRegistration, type RegistrationStatus } from '../../core/csr/model.js';
import { expandOperations } from '../../core/csr/operations.js';
import { NGSI_LD } from '../../core/entity/model.js';
import { checkPatterns } from '../errors.js';
import type { SqlQueryable, StoredRegistration } from '../port.js';

/** The IRIs the core @context gives the members `q` and `csf` may name (description is Dublin Core's). */
const memberIri = (m: string) => (m === 'description' ? 'http://purl.org/dc/terms/description' : `${NGSI_LD}${m}`);
const FILTERABLE = ['registrationName', 'description', 'endpoint', 'mode', 'tenant', 'refreshRate', 'expiresAt', 'contextSourceAlias', 'datasetId'] as const;

/**
 * The registration's members and Properties as an entity's attributes (one Property instance each), so that the
 * query-language compiler of entities (store/query/q-sql.ts) evaluates `q` and `csf` on them unchanged.
 * `operations` holds the operations and groups as given and the single operations the groups stand for.
 */
function filterable(r: ContextSourceRegistration): { doc: { attrs: Record<string, unknown[]> }; names: string[] } {
  const values: Record<string, unknown> = {};
  for (const m of FILTERABLE) if (r[m] !== undefined) values[memberIri(m)] = r[m];
  values[memberIri('operations')] = [...new Set([...r.operations, ...expandOperations(r.operations)])];
  Object.assign(values, r.properties);
  const attrs = Object.fromEntries(Object.entries(values).map(([k, value]) => [k, [{ type: 'Property', value }]]));
  return { doc: { attrs }, names: Object.keys(attrs) };
}

const geometry = (g: unknown) => (g === undefined ? null : JSON.stringify(g));

/** The derived columns, in the order of COLUMNS. */
function derived(r: ContextSourceRegistration): unknown[] {
  const f = filterable(r);
  return [
    JSON.stringify(r),
    r.mode,
    expandOperations(r.operations),
    r.endpoint,
    r.scope ?? null,
    geometry(r.location),
    geometry(r.observationSpace),
    geometry(r.operationSpace),
    r.observationInterval?.startAt ?? null,
    r.observationInterval?.endAt ?? null,
    r.managementInterval?.startAt ?? null,
    r.managementInterval?.endAt ?? null,
    r.expiresAt ?? null,
    JSON.stringify(f.doc),
    f.names,
  ];
}

const COLUMNS = `doc, mode, operations, endpoint, scopes, location, observation_space, operation_space, observation_start, observation_end,
  management_start, management_end, expires_at, q_doc, q_names`;
const geom = (n: number) => `ST_MakeValid(ST_SetSRID(ST_Force2D(ST_GeomFromGeoJSON($${n}::text)), 4326))`;
const VALUES = `$3::jsonb, $4, $5::text[], $6, $7::text[], ${geom(8)}, ${geom(9)}, ${geom(10)}, $11::timestamptz, $12::timestamptz,
  $13::timestamptz, $14::timestamptz, $15::timestamptz, $16::jsonb, $17::text[]`;

/** One row per EntityInfo of each information item; one row without entity for an item that names none. */
function informationRows(r: ContextSourceRegistration): unknown[] {
  return r.information.flatMap((info, item): unknown[] => {
    const attrs = attributesOf(info) ?? null;
    if (info.entities === undefined) return [{ item, entity: 0, types: null, attrs }];
    return info.entities.map((e, entity) => ({ item, entity, types: e.types, entityId: e.id, idPattern: e.idPattern, attrs }));
  });
}

async function writeInformation(db: SqlQueryable, tenant: string, r: ContextSourceRegistration): Promise<void> {
  // discovery matches ids against the patterns in SQL: PostgreSQL must accept them
  await checkPatterns(
    db,
    r.information.flatMap((info, i) =>
      (info.entities ?? []).flatMap((e, j) => (e.idPattern === undefined ? [] : [{ what: `information[${i}].entities[${j}].idPattern`, pattern: e.idPattern }])),
    ),
  );
  await db.query('DELETE FROM csource_registration_information WHERE tenant = $1 AND registration_id = $2', [tenant, r.id]);
  await db.query(
    `INSERT INTO csource_registration_information (tenant, registration_id, item, entity, types, entity_id, id_pattern, attrs)
     SELECT $1, $2, (x->>'item')::int, (x->>'entity')::int, mimosa_text_array(x->'types'), x->>'entityId', x->>'idPattern', mimosa_text_array(x->'attrs')
     FROM jsonb_array_elements($3::jsonb) AS x`,
    [tenant, r.id, JSON.stringify(informationRows(r))],
  );
}

export async function insertRegistration(db: SqlQueryable, tenant: string, r: ContextSourceRegistration): Promise<void> {
  await db.query(`INSERT INTO csource_registrations (tenant, id, ${COLUMNS}) VALUES ($1, $2, ${VALUES})`, [tenant, r.id, ...derived(r)]);
  await writeInformation(db, tenant, r);
}

export async function updateRegistration(db: SqlQueryable, tenant: string, r: ContextSourceRegistration): Promise<void> {
  await db.query(`UPDATE csource_registrations SET (${COLUMNS}) = (${VALUES}) WHERE tenant = $1 AND id = $2`, [tenant, r.id, ...derived(r)]);
  await writeInformation(db, tenant, r);
}

export async function lockRegistration(db: SqlQueryable, tenant: string, id: string): Promise<ContextSourceRegistration | undefined> {
  const rows = await db.query<{ doc: ContextSourceRegistration }>('SELECT doc FROM csource_registrations WHERE tenant = $1 AND id = $2 FOR UPDATE', [tenant, id]);
  return rows[0]?.doc;
}

export async function deleteRegistration(db: SqlQueryable, tenant: string, id: string): Promise<void> {
  await db.query('DELETE FROM csource_registrations WHERE tenant = $1 AND id = $2', [tenant, id]);
}

export interface RegistrationRow {
  doc: ContextSourceRegistration;
  times_sent: string | number;
  times_failed: string | number;
  last_success: Date | string | null;
  last_failure: Date | string | null;
}

/** The columns toStored reads, of the registration row `r`. */
export const STORED = 'r.doc, r.times_sent, r.times_failed, r.last_success, r.last_failure';

export function toStored(row: RegistrationRow): StoredRegistration {
  const status: RegistrationStatus = { timesSent: Number(row.times_sent), timesFailed: Number(row.times_failed) };
  if (row.last_success !== null) status.lastSuccess = new Date(row.last_success).toISOString();
  if (row.last_failure !== null) status.lastFailure = new Date(row.last_failure).toISOString();
  return { registration: row.doc, status };
}

export async function selectRegistration(db: SqlQueryable, tenant: string, id: string): Promise<StoredRegistration | undefined> {
  const rows = await db.query<RegistrationRow>(`SELECT ${STORED} FROM csource_registrations AS r WHERE r.tenant = $1 AND r.id = $2`, [tenant, id]);
  return rows[0] && toStored(rows[0]);
}
