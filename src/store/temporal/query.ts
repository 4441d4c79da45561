/**
 * Reading temporal evolutions (clauses 5.7.3, 5.7.4): the page of entities a temporal query selects, and the
 * instances of each in the interval, with lastN and the per-attribute instance limit of clause 6.3.10 applied in
 * SQL. The aggregated representation is read by store/temporal/aggregate.ts.
 */
import type { QExpr } from '../../core/query/q-ast.js';
import type { StoredInstance, SqlQueryable, TemporalEntityInfo, TemporalEntityQuery, TemporalScope } from '../port.js';
import { selectionSql } from '../query/where.js';
import { SqlParams } from '../sql-params.js';
import { iso, restrictionSql, temporalGeoSql, temporalQSql, timeOf, windowSql } from './window.js';

interface EntityRow {
  id: string;
  types: string[];
  scopes: string[] | null;
  created_ms: number;
  modified_ms: number;
  deleted_ms: number | null;
}

const ENTITY_COLUMNS = `te.id, te.types, te.scopes, date_part('epoch', te.created_at) * 1000 AS created_ms,
  date_part('epoch', te.modified_at) * 1000 AS modified_ms, date_part('epoch', te.deleted_at) * 1000 AS deleted_ms`;

function info(r: EntityRow): TemporalEntityInfo {
  const e: TemporalEntityInfo = { id: r.id, types: r.types, createdAt: iso(Number(r.created_ms)), modifiedAt: iso(Number(r.modified_ms)) };
  if (r.scopes && r.scopes.length > 0) e.scope = r.scopes;
  if (r.deleted_ms !== null) e.deletedAt = iso(Number(r.deleted_ms));
  return e;
}

export async function loadEntity(db: SqlQueryable, tenant: string, id: string): Promise<TemporalEntityInfo | undefined> {
  const rows = await db.query<EntityRow>(`SELECT ${ENTITY_COLUMNS} FROM temporal_entities AS te WHERE te.tenant = $1 AND te.id = $2`, [tenant, id]);
  return rows[0] && info(rows[0]);
}

/** The top-level attributes a q names; linked-entity terms are refused before this (clause 5.7.4.4). */
function qAttributes(q: QExpr, out = new Set<string>()): string[] {
  if (q.kind === 'and' || q.kind === 'or') for (const i of q.items) qAttributes(i, out);
  else out.add(q.path.attr);
  return [...out];
}

/** The WHERE clause of the entity selection over the temporal entity row `te`. */
function whereSql(tenant: string, q: TemporalEntityQuery, p: SqlParams): string {
  const sel = q.selection;
  // type, id, idPattern, scopeQ and entity selectors are facts of the entity: the query compilers run on its row
  const conds = [selectionSql(tenant, { entities: sel.entities, type: sel.type, ids: sel.ids, idPattern: sel.idPattern, scopeQ: sel.scopeQ }, p, 'te')];
  // some instance of the concerned attributes lies in the interval (clause 5.7.4.4, S1)
  const concerned = { attrs: sel.attrs, datasetIds: q.datasetIds };
  conds.push(`EXISTS (SELECT 1 FROM attribute_instances AS i WHERE i.tenant = te.tenant AND i.entity_id = te.id
    AND ${restrictionSql(concerned, p, 'i')} AND ${windowSql(q.query, p, 'i')})`);
  if (sel.q) conds.push(temporalQSql(sel.q, { attrs: qAttributes(sel.q), expandValues: sel.expandValues ?? [], query: q.query }, p, 'te'));
  if (sel.geo) conds.push(temporalGeoSql(sel.geo, q.query, p, 'te'));
  return conds.join(' AND ');
}

/** Clause 5.7.4: the page of entities selected, in id order, and their number when asked. */
export async function selectEntities(db: SqlQueryable, tenant: string, q: TemporalEntityQuery): Promise<{ entities: TemporalEntityInfo[]; count?: number }> {
  const p = new SqlParams();
  const where = whereSql(tenant, q, p);
  const filter = [...p.values];
  const entities: TemporalEntityInfo[] = [];
  if (q.limit > 0) {
    const text = `SELECT ${ENTITY_COLUMNS} FROM temporal_entities AS te WHERE ${where} ORDER BY te.id LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}`;
    for (const r of await db.query<EntityRow>(text, p.values)) entities.push(info(r));
  }
  if (!q.count) return { entities };
  const [{ n }] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM temporal_entities AS te WHERE ${where}`, filter);
  return { entities, count: Number(n) };
}

interface InstanceRow {
  entity_id: string;
  attr: string;
  instance_id: string;
  doc: StoredInstance['attribute'];
  time_ms: number;
}

export interface LoadedInstances {
  /** Entity id → attribute IRI → instances in time order. */
  byEntity: Map<string, Record<string, StoredInstance[]>>;
  truncated?: { first: number; last: number };
}

/**
 * The instances of `ids` the scope takes, in time order. With lastN, the last n per attribute (clause 5.7.3.4).
 * At most `instanceLimit` per attribute: one row more is read to know whether an attribute holds more, and then
 * every attribute of the answer is cut at one instant, so that the next page (from that instant on, or, with
 * lastN, back from it) loses no instance of any attribute (clause 6.3.10).
 */
export async function loadInstances(db: SqlQueryable, tenant: string, ids: readonly string[], s: TemporalScope): Promise<LoadedInstances> {
  const byEntity = new Map<string, Record<string, StoredInstance[]>>();
  if (ids.length === 0 || (s.attrs !== undefined && s.attrs.length === 0)) return { byEntity };
  const backwards = s.query.lastN !== undefined;
  const per = Math.min(s.query.lastN ?? Infinity, s.instanceLimit + 1);
  const p = new SqlParams();
  const t = timeOf(s.query, 'i');
  const text = `SELECT x.entity_id, x.attr, 'urn:ngsi-ld:' || x.instance_id AS instance_id, x.doc, date_part('epoch', x.t) * 1000 AS time_ms
    FROM (SELECT i.entity_id, i.attr, i.instance_id, i.doc, ${t} AS t,
        row_number() OVER (PARTITION BY i.entity_id, i.attr ORDER BY ${t} ${backwards ? 'DESC' : 'ASC'}, i.instance_id) AS rn
      FROM attribute_instances AS i
      WHERE i.tenant = ${p.add(tenant)} AND i.entity_id = ANY(${p.add(ids)}::text[]) AND ${restrictionSql(s, p, 'i')} AND ${windowSql(s.query, p, 'i')}) AS x
    WHERE x.rn <= ${p.add(per)}
    ORDER BY x.entity_id, x.attr, x.rn`;
  const groups = new Map<string, { entity: string; attr: string; list: StoredInstance[] }>();
  for (const r of await db.query<InstanceRow>(text, p.values)) {
    const key = `${r.entity_id}\u0000${r.attr}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { entity: r.entity_id, attr: r.attr, list: [] }));
    g.list.push({ instanceId: r.instance_id, attribute: r.doc, time: Math.round(Number(r.time_ms)) });
  }
  const truncated = cut([...groups.values()].map((g) => g.list), s.instanceLimit, backwards);
  for (const g of groups.values()) {
    if (g.list.length === 0) continue;
    if (backwards) g.list.reverse();
    const attrs = byEntity.get(g.entity) ?? {};
    attrs[g.attr] = g.list;
    byEntity.set(g.entity, attrs);
  }
  return truncated ? { byEntity, truncated } : { byEntity };
}

/**
 * Cuts lists (each in reading order: ascending, or descending when backwards) that hold more than `limit` at the
 * instant of the earliest-reached limit, in place; returns the times answered when anything was cut.
 */
function cut(lists: StoredInstance[][], limit: number, backwards: boolean): { first: number; last: number } | undefined {
  const over = lists.filter((l) => l.length > limit);
  if (over.length === 0) return undefined;
  const reached = over.map((l) => l[limit - 1].time);
  const at = backwards ? Math.max(...reached) : Math.min(...reached);
  let first = Infinity;
  let last = -Infinity;
  for (const l of lists) {
    const kept = l.filter((x) => (backwards ? x.time >= at : x.time <= at)).slice(0, limit);
    l.splice(0, l.length, ...kept);
    for (const x of kept) {
      first = Math.min(first, x.time);
      last = Math.max(last, x.time);
    }
  }
  return { first, last };
}
