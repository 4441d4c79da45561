import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { raise } from '../core/problem.js';
import { DEFAULT_TENANT, type RequestContext } from '../core/request.js';
import type { EntitySelection } from '../store/port.js';
import { requestContext, type ApiDeps } from './deps.js';
import { fetchLinked, flatten, joinOf, renderInline, type Join } from './join.js';
import type { Entity } from '../core/entity/model.js';
import type { TypeExpr } from '../core/query/type-expr.js';
import { mergeEntities } from '../federation/merge.js';
import { askMatched, registeredSources, reportFailures } from './federated.js';
import { bodyContext, linkable, readContext, type LdContext } from './ld.js';
import { boolParam, pageLinks, pageParams, queryOf } from './params.js';
import { entityMediaOf, sendEntities, viewOf } from './respond.js';
import { csfOf, isNarrowed, SELECTION_PARAMS, selectionOfParams, selectionOfQuery } from './selection.js';

const RENDER_PARAMS = ['pick', 'omit', 'options', 'format', 'lang', 'geometryProperty', 'datasetId'];
const PAGE_PARAMS = ['limit', 'offset', 'count', 'local', 'join', 'joinLevel', 'containedBy'];
/** Defined by clause 5.7.2 for distributed operations and not delivered yet: a clear 422, never silently ignored. */
const QUERY_UNSUPPORTED = ['entityMap'];

/** Runs a query (clause 5.7.2) and answers with the page, the count and the Link headers. */
async function answer(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: ApiDeps,
  rc: RequestContext,
  sel: EntitySelection,
  q: Record<string, string | undefined>,
  ld: LdContext,
): Promise<FastifyReply> {
  const view = viewOf(q, entityMediaOf(req, q), ld);
  const join: Join | undefined = joinOf(q);
  const { limit, offset, count } = pageParams(q, deps.config);
  const local = boolParam('local', q.local);
  if (!isNarrowed(sel) && !local) {
    raise('BadRequestData', 'A query needs at least one of type, id, idPattern, attrs, q, a geo-query or scopeQ (or local=true)');
  }
  if (rc.tenant !== DEFAULT_TENANT && !(await deps.store.tenantExists(rc.tenant))) raise('NonexistentTenant', `Tenant ${rc.tenant} does not exist`);
  const { page, more, total } = await distributedPage(req, reply, deps, rc, sel, q, ld, { limit, offset, count, local });
  if (total !== undefined) reply.header('NGSILD-Results-Count', String(total));
  const links = pageLinks(req, offset, limit, more);
  if (links.length) reply.header('Link', links.join(', '));
  if (!join) sendEntities(reply, page, view);
  else {
    const linked = await fetchLinked(deps, rc, page, join);
    if (join.kind === 'flat') sendEntities(reply, flatten(page, linked), view);
    else sendEntities(reply, page, view, (e) => renderInline(e, ld.tm, view.render, linked, join.level));
  }
  return reply;
}

/** The types of a Query's EntitySelectors (clause 5.2.33) as one type selection, when every selector names one. */
function selectorTypes(sel: EntitySelection): TypeExpr | undefined {
  const types = sel.entities?.map((e) => e.type);
  if (!types || types.length === 0 || types.some((t) => t === undefined)) return undefined;
  return types.length === 1 ? types[0] : { kind: 'or', items: types as TypeExpr[] };
}

/**
 * The page of a query, local (clause 5.7.2) or distributed (clause 4.3.6.4). Distributed, the first offset + limit
 * + 1 entities of every party are merged by id and the page cut from the merge; the count is the local count plus
 * the entities only sources answered within that window (sources do not report their counts).
 */
async function distributedPage(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: ApiDeps,
  rc: RequestContext,
  sel: EntitySelection,
  q: Record<string, string | undefined>,
  ld: LdContext,
  p: { limit: number; offset: number; count: boolean; local: boolean | undefined },
): Promise<{ page: Entity[]; more: boolean; total?: number }> {
  const window = p.offset + p.limit + 1;
  const target = { kind: 'query' as const, type: sel.type ?? selectorTypes(sel), ids: sel.ids, idPattern: sel.idPattern, attrs: sel.attrs };
  const post = req.method === 'POST';
  const csf = csfOf(post ? (req.body as Record<string, unknown>).csf : q.csf, ld.tm);
  const matches = await registeredSources(req, deps, rc, target, 'queryEntity', { local: p.local, csf });
  if (matches.length === 0) {
    // One row more than the page tells whether a next page exists without counting.
    const result = await deps.store.queryEntities(rc.tenant, { ...sel, limit: p.limit === 0 ? 0 : p.limit + 1, offset: p.offset, count: p.count });
    const more = result.entities.length > p.limit;
    return { page: more ? result.entities.slice(0, p.limit) : result.entities, more, total: result.count };
  }
  const held = await deps.store.queryEntities(rc.tenant, { ...sel, limit: window, offset: 0, count: p.count });
  const remote = await askMatched(req, deps, rc, ld, matches, (m, params) => {
    params.set('limit', String(window));
    params.set('offset', '0');
    if (!post) return { method: 'GET', path: '/entities', params, accept: [200] };
    // csf selected this source; the Query goes on without it
    const { csf: _csf, ...body } = req.body as Record<string, unknown>;
    if (m.attrs !== undefined) body.attrs = params.get('attrs')!.split(',');
    params.delete('attrs');
    return { method: 'POST', path: '/entityOperations/query', params, body, accept: [200] };
  }, q, held.entities.length > 0);
  reportFailures(reply, remote);
  const merged = mergeEntities([held.entities, ...remote.lists]);
  const localIds = new Set(held.entities.map((e) => e.id));
  const total = held.count === undefined ? undefined : held.count + merged.filter((e) => !localIds.has(e.id)).length;
  return { page: merged.slice(p.offset, p.offset + p.limit), more: merged.length > p.offset + p.limit, total };
}

export function queryRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Implements 5.7.2 Query Entities: type expressions, ids, idPattern, attrs, q, geo-query, scopeQ, csf, paging.
  app.get('/ngsi-ld/v1/entities', async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, [...SELECTION_PARAMS, ...RENDER_PARAMS, ...PAGE_PARAMS], QUERY_UNSUPPORTED);
    const ld = await readContext(req, deps.contexts);
    return answer(req, reply, deps, rc, selectionOfParams(q, ld.tm), q, ld);
  });

  // Implements 5.7.2 via POST /entityOperations/query (clause 6.23.3.1): the Query data type in the body.
  app.post('/ngsi-ld/v1/entityOperations/query', async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, [...RENDER_PARAMS, ...PAGE_PARAMS], QUERY_UNSUPPORTED);
    const body = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) raise('BadRequestData', 'The body must be a Query object');
    const b = body as Record<string, unknown>;
    if (b.type !== 'Query') raise('BadRequestData', 'The body must be a Query object with "type": "Query"');
    const ld = await linkable(req, await bodyContext(req, body, deps.contexts), deps.contexts, deps.now());
    const sel = selectionOfQuery(b, ld.tm);
    return answer(req, reply, deps, rc, sel, withBodyParams(b, q), ld);
  });
}

/**
 * The URL parameters with the Query body's attrs, lang, pick, omit and datasetId (strings, or arrays of strings)
 * in their place, where given.
 */
export function withBodyParams(b: Record<string, unknown>, q: Record<string, string | undefined>): Record<string, string | undefined> {
  const fromBody = (k: string) => {
    const v = b[k];
    if (v === undefined) return q[k];
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.join(',');
    raise('BadRequestData', `Query ${k} must be a string or an array of strings`);
  };
  return { ...q, attrs: fromBody('attrs'), lang: fromBody('lang'), pick: fromBody('pick'), omit: fromBody('omit'), datasetId: fromBody('datasetId') };
}
