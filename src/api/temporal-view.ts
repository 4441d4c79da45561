/**
 * The parameters of temporal consumption (clauses 5.7.3, 5.7.4; HTTP binding 6.18–6.24) → what the store reads
 * (TemporalScope) and how the answer is rendered; and the answer itself, with the instance pagination of clause
 * 6.3.10 (206 Partial Content and Content-Range). The grammars are parsed in core/temporal.
 */
import type { FastifyReply } from 'fastify';
import type { QExpr } from '../core/query/q-ast.js';
import { raise, unwrap } from '../core/problem.js';
import { eligible, renderTemporalEntity, seriesKinds, type TemporalRenderOptions } from '../core/temporal/render.js';
import { parseTemporalQuery, parseTemporalRepresentation, type TemporalQuery, type TemporalQueryInput } from '../core/temporal/query.js';
import type { TemporalResult, TemporalScope } from '../store/port.js';
import { contextHeaders, withContext, type LdContext } from './ld.js';
import type { MediaType } from './negotiate.js';
import { datasetIdsParam, expandedSet, langParam, listParam } from './params.js';

/** Parameters of both temporal consumption operations (clause 6.19.3.1, 6.20.3.1). */
export const TEMPORAL_PARAMS = [
  'attrs',
  'pick',
  'omit',
  'timeproperty',
  'timerel',
  'timeAt',
  'endTimeAt',
  'lastN',
  'lang',
  'aggrMethods',
  'aggrPeriodDuration',
  'datasetId',
  'options',
  'format',
  'local',
  'join',
  'joinLevel',
];
/** Defined for distributed operations (issue #6): a clear 422, never silently ignored. */
export const TEMPORAL_UNSUPPORTED = ['entityMap', 'via'];

/** Entity members a projection may name besides attributes. */
const MEMBERS = ['id', 'type', 'scope', 'createdAt', 'modifiedAt', 'deletedAt'];

export interface TemporalView {
  scope: TemporalScope;
  render: TemporalRenderOptions;
  /** Attributes the request names (attrs or pick): aggregation methods must apply to each (clause 5.7.4.4). */
  named: boolean;
}

/** Clauses 5.7.3.4, 5.7.4.4: linked entity retrieval does not apply to temporal operations. */
export function refuseLinked(q: Record<string, string | undefined>, filter?: QExpr): void {
  if (q.join !== undefined || q.joinLevel !== undefined) raise('BadRequestData', 'Linked entity retrieval (join, joinLevel) does not apply to temporal operations');
  const linked = (e: QExpr): boolean => (e.kind === 'and' || e.kind === 'or' ? e.items.some(linked) : e.path.via.length > 0);
  if (filter && linked(filter)) raise('BadRequestData', 'A temporal query cannot filter on linked entities (rel{Type:attr} in q)');
}

/**
 * The view of a temporal request. `temporal` holds the temporal query members (from the URL, or a body's
 * temporalQ); `required` for Query Temporal Evolution, which needs one (clause 5.7.4.4).
 */
export function temporalViewOf(
  q: Record<string, string | undefined>,
  temporal: TemporalQueryInput & { aggrMethods?: unknown; aggrPeriodDuration?: unknown },
  ld: LdContext,
  o: { required: boolean; instanceLimit: number },
): TemporalView {
  const query = unwrap(parseTemporalQuery(temporal, { required: o.required }));
  const rep = unwrap(
    parseTemporalRepresentation({
      options: listParam('options', q.options),
      format: q.format,
      aggrMethods: temporal.aggrMethods,
      aggrPeriodDuration: temporal.aggrPeriodDuration,
    }),
  );
  const attrs = expandedSet('attrs', q.attrs, ld.tm);
  const pick = expandedSet('pick', q.pick, ld.tm, MEMBERS);
  const omit = expandedSet('omit', q.omit, ld.tm, MEMBERS);
  if (pick && omit) raise('BadRequestData', 'pick and omit cannot be used together');
  // the attributes read: attrs, narrowed by the attributes pick names; omit leaves some out
  const picked = pick && [...pick].filter((n) => !MEMBERS.includes(n));
  const read = attrs ? [...attrs].filter((a) => !picked || picked.includes(a)) : picked;
  const scope: TemporalScope = { query, instanceLimit: o.instanceLimit };
  if (read) scope.attrs = read;
  const omitted = omit && [...omit].filter((n) => !MEMBERS.includes(n));
  if (omitted?.length) scope.omit = omitted;
  const ds = datasetIdsParam(q.datasetId);
  if (ds) scope.datasetIds = ds;
  if (rep.aggregation) scope.aggregation = rep.aggregation;
  const render: TemporalRenderOptions = { format: rep.format, sysAttrs: rep.sysAttrs, pick, omit, lang: langParam(q.lang) };
  if (rep.aggregation) render.methods = rep.aggregation.methods;
  return { scope, render, named: attrs !== undefined || (picked?.length ?? 0) > 0 };
}

/**
 * Clause 5.7.4.4: an attribute the request names that a requested aggregation method does not apply to is an
 * InvalidRequest (attributes it does not name are rendered with the methods that apply).
 */
function checkAggregation(r: TemporalResult, v: TemporalView, ld: LdContext): void {
  if (!v.named || !v.scope.aggregation) return;
  for (const e of r.entities) {
    for (const [iri, series] of Object.entries(e.aggregated)) {
      for (const s of series) {
        const mask = seriesKinds(s.periods);
        const bad = v.scope.aggregation.methods.find((m) => !eligible(m, mask));
        if (bad) raise('InvalidRequest', `Aggregation method ${bad} does not apply to the values of attribute ${ld.tm.compact(iri)} of entity ${e.entity.id}`);
      }
    }
  }
}

/**
 * Clause 6.3.10: `date-time <range-start>-<range-end>/<size>`. Without lastN the answer runs forwards from timeAt
 * (after, between) or its first instance, to its last instance, size unknown (`*`); with lastN it runs backwards
 * from timeAt (before), endTimeAt (between) or its last instance, to its first, and the size is lastN.
 */
export function contentRange(t: { first: number; last: number }, q: TemporalQuery): string {
  const iso = (ms: number) => new Date(ms).toISOString();
  const iv = q.interval;
  if (q.lastN === undefined) {
    const start = iv && iv.timerel !== 'before' ? iv.timeAt : t.first;
    return `date-time ${iso(start)}-${iso(t.last)}/*`;
  }
  const start = iv?.timerel === 'before' ? iv.timeAt : iv?.timerel === 'between' ? (iv.endTimeAt as number) : t.last;
  return `date-time ${iso(start)}-${iso(t.first)}/${q.lastN}`;
}

/** Renders the evolutions; 206 with Content-Range when instances were left for another request. */
export function sendTemporal(reply: FastifyReply, r: TemporalResult, v: TemporalView, media: MediaType, ld: LdContext, one: boolean): FastifyReply {
  checkAggregation(r, v, ld);
  contextHeaders(reply, media, ld);
  if (r.truncated) reply.code(206).header('Content-Range', contentRange(r.truncated, v.scope.query));
  const docs = r.entities.map((e) => withContext(media, ld, renderTemporalEntity(e, ld.tm, v.render)));
  return reply.send(one ? docs[0] : docs);
}
