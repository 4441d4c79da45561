/**
 * A registration selection (port RegistrationSelection) as SQL over the registration row `r`, with every value a
 * parameter. The entity members are matched against the information rows with the semantics of core/csr/match.ts
 * (one EXISTS: some item whose entity and attributes both match); `q` and `csf`, the geo-query and `scopeQ` reuse
 * the compilers of entity queries over a lateral view `v` that presents the registration as they expect an entity
 * row: `doc`/`attr_names` are its filterable members and Properties, `location` the geometry the geo-query names,
 * `scopes` its scopes. PostgreSQL flattens the view, so the indexes on the registration's columns serve.
 */
import { LOCATION, NGSI_LD } from '../../core/entity/model.js';
import { rangeOf, intervalMember } from '../../core/csr/time.js';
import type { EntitySelector, RegistrationSelection } from '../port.js';
import { geoSql } from '../query/geo-sql.js';
import { qSql } from '../query/q-sql.js';
import { scopeSql } from '../query/scope-sql.js';
import { typeSql } from '../query/type-sql.js';
import type { SqlParams } from '../sql-params.js';

const GEO_COLUMNS: Record<string, string> = {
  [LOCATION]: 'location',
  [`${NGSI_LD}observationSpace`]: 'observation_space',
  [`${NGSI_LD}operationSpace`]: 'operation_space',
};

/** FROM the registrations, with the view `v` the query compilers read. */
export function registrationFrom(sel: RegistrationSelection): string {
  const geo = (sel.geo && GEO_COLUMNS[sel.geo.geoproperty]) ?? 'location';
  return `csource_registrations AS r CROSS JOIN LATERAL
    (SELECT r.tenant AS tenant, r.id AS id, r.scopes AS scopes, r.q_doc AS doc, r.q_names AS attr_names, r.${geo} AS location) AS v`;
}

/** An id list against the item `i`: an item naming no entity id fits any; otherwise its id or pattern must fit one. */
function idsSql(ids: readonly string[], p: SqlParams): string {
  const list = p.add(ids);
  return `((i.entity_id IS NULL AND i.id_pattern IS NULL) OR i.entity_id = ANY(${list}::text[])
    OR (i.id_pattern IS NOT NULL AND EXISTS (SELECT 1 FROM unnest(${list}::text[]) AS x(id) WHERE x.id ~ i.id_pattern)))`;
}

/** Clause 5.2.33 EntitySelector against an item: type, and id (which takes precedence) or idPattern. */
function selectorSql(s: EntitySelector, p: SqlParams): string {
  const conds = [s.type ? `(i.types IS NULL OR ${typeSql(s.type, p, 'i')})` : 'TRUE'];
  if (s.id !== undefined) conds.push(idsSql([s.id], p));
  else if (s.idPattern !== undefined) conds.push(`(i.entity_id IS NULL OR i.entity_id ~ ${p.add(s.idPattern)})`);
  return `(${conds.join(' AND ')})`;
}

function informationSql(sel: RegistrationSelection, p: SqlParams): string | undefined {
  const conds: string[] = [];
  if (sel.entities) conds.push(`(${sel.entities.map((s) => selectorSql(s, p)).join(' OR ')})`);
  if (sel.type) conds.push(`(i.types IS NULL OR ${typeSql(sel.type, p, 'i')})`);
  if (sel.ids) conds.push(idsSql(sel.ids, p));
  if (sel.idPattern !== undefined) conds.push(`(i.entity_id IS NULL OR i.entity_id ~ ${p.add(sel.idPattern)})`);
  if (sel.attrs) conds.push(`(i.attrs IS NULL OR i.attrs && ${p.add(sel.attrs)}::text[])`);
  if (conds.length === 0) return undefined;
  return `EXISTS (SELECT 1 FROM csource_registration_information AS i
    WHERE i.tenant = r.tenant AND i.registration_id = r.id AND ${conds.join(' AND ')})`;
}

/** Without a temporal query, sources of latest information only; with one, those whose interval overlaps it. */
function timeSql(sel: RegistrationSelection, p: SqlParams): string {
  if (!sel.time) return 'r.observation_start IS NULL AND r.management_start IS NULL';
  const col = intervalMember(sel.time) === 'observationInterval' ? 'observation' : 'management';
  const { from, to } = rangeOf(sel.time);
  const conds = [`r.${col}_start IS NOT NULL`];
  if (to !== Infinity) conds.push(`r.${col}_start < ${p.add(new Date(to).toISOString())}::timestamptz`);
  if (from !== -Infinity) conds.push(`(r.${col}_end IS NULL OR r.${col}_end > ${p.add(new Date(from).toISOString())}::timestamptz)`);
  return conds.join(' AND ');
}

/** The WHERE of a selection in tenant `tenant`; expired registrations are never selected. */
export function registrationWhere(tenant: string, sel: RegistrationSelection, p: SqlParams): string {
  const conds = [`r.tenant = ${p.add(tenant)}`, '(r.expires_at IS NULL OR r.expires_at > clock_timestamp())', timeSql(sel, p)];
  const info = informationSql(sel, p);
  if (info) conds.push(info);
  if (sel.q) conds.push(qSql(sel.q, p, 'v', { expandValues: [] }));
  if (sel.csf) conds.push(qSql(sel.csf, p, 'v', { expandValues: [] }));
  if (sel.geo) conds.push(GEO_COLUMNS[sel.geo.geoproperty] ? geoSql({ ...sel.geo, geoproperty: LOCATION }, p, 'v') : 'FALSE');
  if (sel.scopeQ) conds.push(scopeSql(sel.scopeQ, p, 'v'));
  return conds.join(' AND ');
}
