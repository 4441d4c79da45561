/**
 * The aggregated temporal representation (clause 4.5.19) computed in SQL: instances grouped by entity, attribute,
 * dataset and period, each requested method one aggregate over the facts derived when the instance was recorded
 * (core/temporal/instance.ts), so that no JSON is read unless distinctCount asks for the values themselves.
 *
 * Periods start at timeAt (after, between) or at the first instance (before, or no temporal query) and follow each
 * other every aggrPeriodDuration: a fixed duration is date_bin arithmetic; one with years or months steps through
 * calendar months in UTC. A zero duration is one period over the whole time range. Periods without instances are
 * left out, as annex C.5.14 shows; with lastN, only the last n periods are answered. Deletion instances are not values and are not aggregated, except when the
 * temporal query is about deletedAt.
 */
import { Kind } from '../../core/temporal/instance.js';
import { isZero, pgInterval, shortestMillis } from '../../core/temporal/duration.js';
import type { Aggregation, AggregationMethod } from '../../core/temporal/query.js';
import type { AggregatedSeries, SqlQueryable, TemporalScope } from '../port.js';
import { SqlParams } from '../sql-params.js';
import { iso, restrictionSql, timeOf, windowSql } from './window.js';

/** Most calendar periods one query may span (a century of months is 1,200). */
const MAX_CALENDAR_PERIODS = 100_000;

/** The value a distinct count compares: the number or string derived, else the content member itself. */
const DISTINCT_KEY = `CASE WHEN i.kind & ${Kind.number | Kind.dateTime | Kind.string} <> 0 THEN COALESCE(i.txt, i.num::text)
  ELSE (CASE i.doc->>'type' WHEN 'Relationship' THEN i.doc->'object' WHEN 'ListRelationship' THEN i.doc->'objectList'
    WHEN 'LanguageProperty' THEN i.doc->'languageMap' WHEN 'VocabProperty' THEN i.doc->'vocab' WHEN 'JsonProperty' THEN i.doc->'json'
    WHEN 'ListProperty' THEN i.doc->'valueList' ELSE i.doc->'value' END)::text END`;

const AGGREGATES: Record<AggregationMethod, string[]> = {
  totalCount: ['count(*)::int AS total_count'],
  distinctCount: ['count(DISTINCT m.dk)::int AS distinct_count'],
  sum: ['sum(m.num) AS sum'],
  avg: ['avg(m.num) AS avg'],
  min: ['min(m.num) AS min', 'min(m.txt) AS min_txt'],
  max: ['max(m.num) AS max', 'max(m.txt) AS max_txt'],
  stddev: ['stddev_samp(m.num) AS stddev'],
  sumsq: ['sum(m.num * m.num) AS sumsq'],
};

interface Row {
  entity_id: string;
  attr: string;
  dataset_id: string | null;
  start_ms: number;
  end_ms: number;
  kinds: number;
  [aggregate: string]: unknown;
}

/** Start and end of the period of each row: SQL over the instance rows `m`, bounds `b` and calendar starts `c`. */
function periods(a: Aggregation, s: TemporalScope, p: SqlParams): { start: string; end: string; bounds: boolean; calendar?: string } {
  const iv = s.query.interval;
  const fromTimeAt = iv !== undefined && iv.timerel !== 'before';
  const origin = fromTimeAt ? `${p.add(iso(iv.timeAt))}::timestamptz` : 'b.first';
  if (isZero(a.period)) {
    const end = iv?.timerel === 'between' ? iv.endTimeAt : iv?.timerel === 'before' ? iv.timeAt : undefined;
    return { start: origin, end: end === undefined ? 'max(b.last)' : `${p.add(iso(end))}::timestamptz`, bounds: true };
  }
  const step = `${p.add(pgInterval(a.period))}::interval`;
  if (a.period.months === 0) {
    const start = `date_bin(${step}, m.t, ${origin})`;
    return { start, end: `(${start} + ${step})`, bounds: !fromTimeAt };
  }
  // calendar periods: the starts, origin + k × duration in UTC, as thresholds of width_bucket
  const n = `LEAST(${MAX_CALENDAR_PERIODS}, ceil(date_part('epoch', b.last - ${origin}) * 1000 / ${p.add(shortestMillis(a.period))}::float8)::int + 1)`;
  const calendar = `SELECT array_agg(((${origin}) AT TIME ZONE 'UTC' + k * ${step}) AT TIME ZONE 'UTC' ORDER BY k) AS starts
    FROM b, generate_series(0, ${n}) AS k`;
  const start = 'c.starts[width_bucket(m.t, c.starts)]';
  return { start, end: `((${start} AT TIME ZONE 'UTC' + ${step}) AT TIME ZONE 'UTC')`, bounds: true, calendar };
}

/** Clause 4.5.19: for each entity of `ids`, attribute IRI → one series per dataset, periods in time order. */
export async function loadAggregates(
  db: SqlQueryable,
  tenant: string,
  ids: readonly string[],
  s: TemporalScope & { aggregation: Aggregation },
): Promise<Map<string, Record<string, AggregatedSeries[]>>> {
  const out = new Map<string, Record<string, AggregatedSeries[]>>();
  if (ids.length === 0 || (s.attrs !== undefined && s.attrs.length === 0)) return out;
  const a = s.aggregation;
  const p = new SqlParams();
  const distinct = a.methods.includes('distinctCount') ? `, ${DISTINCT_KEY} AS dk` : '';
  const values = s.query.timeproperty === 'deletedAt' ? 'TRUE' : 'i.deleted_at IS NULL';
  // txt is not in the covering index: read only when min or max needs it
  const txt = a.methods.includes('min') || a.methods.includes('max') ? ', i.txt' : '';
  const m = `SELECT i.entity_id, i.attr, i.dataset_id, ${timeOf(s.query, 'i')} AS t, i.kind, i.num${txt}${distinct}
    FROM attribute_instances AS i
    WHERE i.tenant = ${p.add(tenant)} AND i.entity_id = ANY(${p.add(ids)}::text[]) AND ${restrictionSql(s, p, 'i')}
      AND ${windowSql(s.query, p, 'i')} AND ${values}`;
  const per = periods(a, s, p);
  const ctes = [`m AS (${m})`];
  if (per.bounds) ctes.push('b AS (SELECT min(t) AS first, max(t) AS last FROM m)');
  if (per.calendar) ctes.push(`c AS (${per.calendar})`);
  const from = ['m', ...(per.bounds ? ['b'] : []), ...(per.calendar ? ['c'] : [])].join(' CROSS JOIN ');
  const aggregates = [...new Set(a.methods.flatMap((x) => AGGREGATES[x]))].join(', ');
  // one entity or one attribute asked: a constant, not a key hashed for each of the instances (measured: a third
  // of the time of an hourly average over 100,000 instances)
  const entity = ids.length === 1 ? `${p.add(ids[0])}::text` : 'm.entity_id';
  const attr = s.attrs?.length === 1 ? `${p.add(s.attrs[0])}::text` : 'm.attr';
  const keys = ['m.dataset_id', per.start, ...(ids.length === 1 ? [] : [entity]), ...(s.attrs?.length === 1 ? [] : [attr])];
  // with lastN, the last n periods of each attribute (and dataset)
  const last = s.query.lastN === undefined ? '' : `WHERE g.rn <= ${p.add(s.query.lastN)}`;
  const rank = s.query.lastN === undefined ? '' : `, row_number() OVER (PARTITION BY ${entity}, ${attr}, m.dataset_id ORDER BY ${per.start} DESC) AS rn`;
  const text = `WITH ${ctes.join(', ')}
    SELECT g.*, date_part('epoch', g.period_start) * 1000 AS start_ms, date_part('epoch', g.period_end) * 1000 AS end_ms
    FROM (SELECT ${entity} AS entity_id, ${attr} AS attr, m.dataset_id, ${per.start} AS period_start, ${per.end} AS period_end,
        bit_or(m.kind)::int AS kinds, ${aggregates}${rank}
      FROM ${from} GROUP BY ${keys.join(', ')}) AS g
    ${last}
    ORDER BY g.entity_id, g.attr, g.dataset_id NULLS FIRST, g.period_start`;
  for (const r of await db.query<Row>(text, p.values)) {
    const attrs = out.get(r.entity_id) ?? {};
    out.set(r.entity_id, attrs);
    const series = (attrs[r.attr] ??= []);
    const ds = r.dataset_id ?? undefined;
    let one = series.find((x) => x.datasetId === ds);
    if (!one) series.push((one = ds === undefined ? { periods: [] } : { datasetId: ds, periods: [] }));
    one.periods.push({ start: Math.round(Number(r.start_ms)), end: Math.round(Number(r.end_ms)), kinds: Number(r.kinds), values: valuesOf(r, a.methods) });
  }
  return out;
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** The raw results of a row: numbers, or the string min/max where the values are strings. */
function valuesOf(r: Row, methods: readonly AggregationMethod[]): AggregatedSeries['periods'][number]['values'] {
  const v: AggregatedSeries['periods'][number]['values'] = {};
  for (const x of methods) {
    if (x === 'totalCount') v.totalCount = num(r.total_count);
    else if (x === 'distinctCount') v.distinctCount = num(r.distinct_count);
    else if (x === 'min' || x === 'max') v[x] = r[x] !== null ? num(r[x]) : ((r[`${x}_txt`] as string | null) ?? null);
    else v[x] = num(r[x]);
  }
  return v;
}
