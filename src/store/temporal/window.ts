/**
 * The temporal query (clause 4.11) as SQL over instance rows, and the filters of a temporal entity query
 * (clause 5.7.4.4) evaluated on the instances it selects, by the query compilers of store/query.
 */
import type { GeoQuery } from '../../core/query/geo.js';
import type { QExpr } from '../../core/query/q-ast.js';
import type { TemporalQuery, TimeProperty } from '../../core/temporal/query.js';
import type { TemporalScope } from '../port.js';
import { geoSql } from '../query/geo-sql.js';
import { qSql } from '../query/q-sql.js';
import type { SqlParams } from '../sql-params.js';

const COLUMN: Record<TimeProperty, string> = {
  observedAt: 'observed_at',
  createdAt: 'created_at',
  modifiedAt: 'modified_at',
  deletedAt: 'deleted_at',
};

export const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The time of instance row `i` for the query: its time property; without an interval every instance is selected,
 * and one that lacks the property is placed at its own time (`ts`: observedAt, else modifiedAt).
 */
export function timeOf(q: TemporalQuery, i: string): string {
  const col = `${i}.${COLUMN[q.timeproperty]}`;
  return q.interval ? col : `COALESCE(${col}, ${i}.ts)`;
}

/**
 * Instance row `i` lies within the interval: before is exclusive, after inclusive, between [timeAt, endTimeAt).
 * An instance without the time property never matches (clause 4.11). For observedAt and deletedAt, `ts` (the
 * partition key, and the time the index is ordered by) equals the property wherever it is set (store/temporal/rows.ts;
 * a deletion instance has no observedAt and its modifiedAt is its deletedAt), so the same bounds on `ts` let
 * PostgreSQL skip the months outside and read only the range of the index.
 */
export function windowSql(q: TemporalQuery, p: SqlParams, i: string): string {
  const iv = q.interval;
  if (!iv) return 'TRUE';
  const at = `${p.add(iso(iv.timeAt))}::timestamptz`;
  const end = iv.endTimeAt === undefined ? undefined : `${p.add(iso(iv.endTimeAt))}::timestamptz`;
  const cols = [`${i}.${COLUMN[q.timeproperty]}`];
  if (q.timeproperty === 'observedAt' || q.timeproperty === 'deletedAt') cols.push(`${i}.ts`);
  const conds: string[] = [];
  for (const c of cols) {
    if (iv.timerel === 'before') conds.push(`${c} < ${at}`);
    else conds.push(`${c} >= ${at}`);
    if (end !== undefined) conds.push(`${c} < ${end}`);
  }
  return conds.join(' AND ');
}

/** The attribute and dataset restrictions of a scope on instance row `i`. */
export function restrictionSql(s: Pick<TemporalScope, 'attrs' | 'omit' | 'datasetIds'>, p: SqlParams, i: string): string {
  const conds: string[] = [];
  if (s.attrs) conds.push(`${i}.attr = ANY(${p.add(s.attrs)}::text[])`);
  if (s.omit && s.omit.length > 0) conds.push(`NOT (${i}.attr = ANY(${p.add(s.omit)}::text[]))`);
  if (s.datasetIds) {
    const named = s.datasetIds.filter((d) => d !== '@none');
    const none = s.datasetIds.includes('@none') ? ` OR ${i}.dataset_id IS NULL` : '';
    conds.push(`(${i}.dataset_id = ANY(${p.add(named)}::text[])${none})`);
  }
  return conds.length ? conds.join(' AND ') : 'TRUE';
}

/**
 * The instances of attribute `attr` (SQL text) of the temporal entity row `te` that a filter sees, as a JSON array:
 * those within the interval; for an attribute without any there, its last instance before the interval ends (the
 * value it held then, unless that instance records its deletion): annex C.5.5 selects vehicles by a brandName that
 * has no temporal evolution in the interval. NULL when there is none.
 */
function instancesSeen(te: string, attr: string, q: TemporalQuery, p: SqlParams): string {
  const of = `f.tenant = ${te}.tenant AND f.entity_id = ${te}.id AND f.attr = ${attr}`;
  const iv = q.interval;
  const endMs = iv === undefined ? undefined : iv.timerel === 'between' ? iv.endTimeAt : iv.timerel === 'before' ? iv.timeAt : undefined;
  const before = endMs === undefined ? '' : ` AND f.ts < ${p.add(iso(endMs))}::timestamptz`;
  const within = `(SELECT jsonb_agg(f.doc) FROM attribute_instances AS f WHERE ${of} AND f.deleted_at IS NULL AND ${windowSql(q, p, 'f')})`;
  if (!iv) return within;
  const last = `(SELECT CASE WHEN f.deleted_at IS NULL THEN jsonb_build_array(f.doc) END FROM attribute_instances AS f
    WHERE ${of}${before} ORDER BY f.ts DESC LIMIT 1)`;
  return `COALESCE(${within}, ${last})`;
}

/** The Query Language terms (clause 4.9) hold on the instances seen of the attributes they name. */
export function temporalQSql(
  q: QExpr,
  o: { attrs: readonly string[]; expandValues: readonly string[]; query: TemporalQuery },
  p: SqlParams,
  te: string,
): string {
  const seen = instancesSeen(te, 'n.a', o.query, p);
  const doc = `jsonb_build_object('attrs', COALESCE((SELECT jsonb_object_agg(s.a, s.v)
    FROM (SELECT n.a, ${seen} AS v FROM unnest(${p.add(o.attrs)}::text[]) AS n(a)) AS s WHERE s.v IS NOT NULL), '{}'::jsonb))`;
  return `EXISTS (SELECT 1 FROM (SELECT ${te}.tenant, ${te}.id, d.doc, ARRAY(SELECT jsonb_object_keys(d.doc->'attrs')) AS attr_names
    FROM (SELECT ${doc} AS doc) AS d) AS tq WHERE ${qSql(q, p, 'tq', { expandValues: o.expandValues })})`;
}

/** The geo-query (clause 4.10) holds for one of the GeoProperty instances seen. */
export function temporalGeoSql(g: GeoQuery, query: TemporalQuery, p: SqlParams, te: string): string {
  const prop = p.add(g.geoproperty);
  // each instance as a row of its own, default instance of its attribute, in the shape geoSql reads
  const one = `jsonb_build_array(gi.doc - 'datasetId')`;
  return `EXISTS (SELECT 1 FROM jsonb_array_elements(${instancesSeen(te, `${prop}::text`, query, p)}) AS gi(doc)
    CROSS JOIN LATERAL (SELECT mimosa_geometry(${one}) AS location, jsonb_build_object('attrs', jsonb_build_object(${prop}::text, ${one})) AS doc) AS tg
    WHERE ${geoSql(g, p, 'tg')})`;
}
