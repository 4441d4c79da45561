import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { raise } from '../core/problem.js';
import { DEFAULT_TENANT, type RequestContext } from '../core/request.js';
import type { EntitySelection } from '../store/port.js';
import { requestContext, type ApiDeps } from './deps.js';
import { fetchLinked, flatten, joinOf, renderInline, type Join } from './join.js';
import { bodyContext, linkable, readContext, type LdContext } from './ld.js';
import { negotiate } from './negotiate.js';
import { boolParam, intParam, pageLinks, queryOf } from './params.js';
import { sendEntities, viewOf } from './respond.js';
import { isNarrowed, SELECTION_PARAMS, selectionOfParams, selectionOfQuery } from './selection.js';

const RENDER_PARAMS = ['pick', 'omit', 'options', 'format', 'lang', 'geometryProperty', 'datasetId'];
const PAGE_PARAMS = ['limit', 'offset', 'count', 'local', 'join', 'joinLevel', 'containedBy'];
/** Defined by clause 5.7.2 for distributed operations (issue #6): a clear 422, never silently ignored. */
const QUERY_UNSUPPORTED = ['entityMap', 'via'];

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
  const media = negotiate(req, ['application/json', 'application/ld+json', 'application/geo+json']);
  const view = viewOf(q, media, ld);
  if (q.datasetId !== undefined) view.render.datasetIds = new Set(q.datasetId.split(','));
  const join: Join | undefined = joinOf(q);
  const count = boolParam('count', q.count);
  const limit = intParam('limit', q.limit, 0, deps.config.maxLimit) ?? deps.config.defaultLimit;
  const offset = intParam('offset', q.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0;
  if (limit === 0 && !count) raise('BadRequestData', 'limit=0 is only allowed together with count=true');
  const local = boolParam('local', q.local);
  if (!isNarrowed(sel) && !local) {
    raise('BadRequestData', 'A query needs at least one of type, id, idPattern, attrs, q, a geo-query or scopeQ (or local=true)');
  }
  if (rc.tenant !== DEFAULT_TENANT && !(await deps.store.tenantExists(rc.tenant))) raise('NonexistentTenant', `Tenant ${rc.tenant} does not exist`);
  // One row more than the page tells whether a next page exists without counting.
  const result = await deps.store.queryEntities(rc.tenant, { ...sel, limit: limit === 0 ? 0 : limit + 1, offset, count });
  const more = result.entities.length > limit;
  const page = more ? result.entities.slice(0, limit) : result.entities;
  if (result.count !== undefined) reply.header('NGSILD-Results-Count', String(result.count));
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
