import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TermMap } from '../core/context/termmap.js';
import { isUri } from '../core/entity/parse.js';
import { raise } from '../core/problem.js';
import { DEFAULT_TENANT, type RequestContext } from '../core/request.js';
import type { EntityQuery } from '../store/port.js';
import { requestContext, type ApiDeps } from './deps.js';
import { bodyContext, linkable, readContext, type LdContext } from './ld.js';
import { negotiate } from './negotiate.js';
import { boolParam, intParam, listParam, queryOf } from './params.js';
import { sendEntities, viewOf } from './respond.js';

const QUERY_PARAMS = ['type', 'id', 'idPattern', 'attrs', 'pick', 'omit', 'options', 'format', 'lang', 'geometryProperty', 'limit', 'offset', 'count', 'local', 'datasetId'];
/** Defined by clause 5.7.2, delivered with the query language work (issue #3): a clear 422, never silently ignored. */
const QUERY_UNSUPPORTED = ['q', 'georel', 'geometry', 'coordinates', 'geoproperty', 'scopeQ', 'csf', 'join', 'joinLevel', 'containedBy', 'entityMap', 'expandValues', 'via'];

interface Selection {
  types?: string[];
  ids?: string[];
  idPattern?: string;
  attrs?: string[];
}

function typeList(raw: string, tm: TermMap): string[] {
  if (/[;|()]/.test(raw)) raise('OperationNotSupported', 'Type expressions with ; | ( ) are not supported yet; give a comma-separated list of types');
  return listParam('type', raw)!.map((t) => tm.expand(t));
}

function idList(raw: string): string[] {
  const ids = listParam('id', raw)!;
  for (const id of ids) if (!isUri(id)) raise('BadRequestData', `Entity id ${JSON.stringify(id.slice(0, 200))} is not a URI`);
  return ids;
}

/** Runs a query (clause 5.7.2) and answers with the page, count and Link header. */
async function answer(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: ApiDeps,
  rc: RequestContext,
  sel: Selection,
  q: Record<string, string | undefined>,
  ld: LdContext,
): Promise<FastifyReply> {
  const media = negotiate(req, ['application/json', 'application/ld+json', 'application/geo+json']);
  const view = viewOf(q, media, ld);
  const count = boolParam('count', q.count);
  const limit = intParam('limit', q.limit, 0, deps.config.maxLimit) ?? deps.config.defaultLimit;
  const offset = intParam('offset', q.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0;
  if (limit === 0 && !count) raise('BadRequestData', 'limit=0 is only allowed together with count=true');
  const local = boolParam('local', q.local);
  if (!sel.types && !sel.ids && !sel.idPattern && !sel.attrs && !local) {
    raise('BadRequestData', 'A query needs at least one of type, id, idPattern or attrs (or local=true)');
  }
  const query: EntityQuery = { ...sel, limit, offset, count };
  if (rc.tenant !== DEFAULT_TENANT && !(await deps.store.tenantExists(rc.tenant))) raise('NonexistentTenant', `Tenant ${rc.tenant} does not exist`);
  const result = await deps.store.queryEntities(rc.tenant, query);
  if (result.count !== undefined) reply.header('NGSILD-Results-Count', String(result.count));
  return sendEntities(reply, result.entities, view);
}

export function queryRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Implements 5.7.2 Query Entities (selection by type, id, idPattern, attrs; the query language arrives with #3).
  app.get('/ngsi-ld/v1/entities', async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, QUERY_PARAMS, QUERY_UNSUPPORTED);
    const ld = await readContext(req, deps.contexts);
    const sel: Selection = {
      types: q.type === undefined ? undefined : typeList(q.type, ld.tm),
      ids: q.id === undefined ? undefined : idList(q.id),
      idPattern: q.idPattern,
      attrs: listParam('attrs', q.attrs)?.map((a) => ld.tm.expand(a)),
    };
    return answer(req, reply, deps, rc, sel, q, ld);
  });

  // Implements 5.7.2 via POST /entityOperations/query (clause 6.23.3.1): the Query data type in the body.
  app.post('/ngsi-ld/v1/entityOperations/query', async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['limit', 'offset', 'count', 'options', 'format', 'local', 'pick', 'omit', 'geometryProperty', 'lang']);
    const body = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) raise('BadRequestData', 'The body must be a Query object');
    const b = body as Record<string, unknown>;
    if (b.type !== 'Query') raise('BadRequestData', 'The body must be a Query object with "type": "Query"');
    for (const k of ['q', 'geoQ', 'scopeQ', 'csf', 'temporalQ']) {
      if (b[k] !== undefined) raise('OperationNotSupported', `Query member ${k} is not supported yet`);
    }
    const ld = await linkable(req, await bodyContext(req, body, deps.contexts), deps.contexts, deps.now());
    const sel = selectionOfQuery(b, ld.tm);
    const lang = typeof b.lang === 'string' ? b.lang : q.lang;
    return answer(req, reply, deps, rc, sel, { ...q, lang }, ld);
  });
}

/** The `entities` and `attrs` members of a Query (clause 5.2.23) as one selection. */
function selectionOfQuery(b: Record<string, unknown>, tm: TermMap): Selection {
  const sel: Selection = {};
  if (b.attrs !== undefined) {
    if (!Array.isArray(b.attrs) || b.attrs.some((a) => typeof a !== 'string' || a === '')) raise('BadRequestData', 'Query attrs must be an array of attribute names');
    sel.attrs = (b.attrs as string[]).map((a) => tm.expand(a));
  }
  if (b.entities === undefined) return sel;
  if (!Array.isArray(b.entities) || b.entities.length === 0) raise('BadRequestData', 'Query entities must be a non-empty array of EntitySelector');
  const types = new Set<string>();
  const ids = new Set<string>();
  for (const s of b.entities as unknown[]) {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) raise('BadRequestData', 'Each EntitySelector must be an object');
    const { id, idPattern, type } = s as Record<string, unknown>;
    if (typeof type !== 'string' || type === '') raise('BadRequestData', 'Each EntitySelector needs a type');
    for (const t of typeList(type, tm)) types.add(t);
    if (id !== undefined) {
      if (typeof id !== 'string' || !isUri(id)) raise('BadRequestData', 'EntitySelector id must be a URI');
      ids.add(id);
    }
    if (idPattern !== undefined) {
      if (typeof idPattern !== 'string') raise('BadRequestData', 'EntitySelector idPattern must be a string');
      if (sel.idPattern !== undefined && sel.idPattern !== idPattern) raise('OperationNotSupported', 'Several different idPatterns in one query are not supported yet');
      sel.idPattern = idPattern;
    }
  }
  sel.types = [...types];
  if (ids.size) sel.ids = [...ids];
  return sel;
}
