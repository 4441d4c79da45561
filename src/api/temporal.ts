/**
 * The temporal API: Temporal Context Information Provision (clauses 5.6.11–5.6.16) and Consumption (5.7.3, 5.7.4),
 * resources /temporal/entities… and /temporal/entityOperations/query (clauses 6.18–6.24).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TermMap } from '../core/context/termmap.js';
import { isUri, isValidAttributeName } from '../core/entity/parse.js';
import { raise, unwrap } from '../core/problem.js';
import type { RequestContext } from '../core/request.js';
import { parseTemporalBody, type TemporalBody } from '../core/temporal/parse.js';
import type { EntitySelection, TemporalChange } from '../store/port.js';
import { requestContext, requireTenant, type ApiDeps } from './deps.js';
import { bodyContext, linkable, readContext, type LdContext } from './ld.js';
import { negotiate } from './negotiate.js';
import { boolParam, deletionParams, entityIdParam, intParam, pageLinks, queryOf } from './params.js';
import { withBodyParams } from './query.js';
import { isNarrowed, SELECTION_PARAMS, selectionOfParams, selectionOfQuery } from './selection.js';
import { refuseLinked, sendTemporal, TEMPORAL_PARAMS, TEMPORAL_UNSUPPORTED, temporalViewOf } from './temporal-view.js';

const T = '/ngsi-ld/v1/temporal/entities';
const PAGE_PARAMS = ['limit', 'offset', 'count'];
const MEDIA = ['application/json', 'application/ld+json'] as const;

interface IdParams {
  entityId: string;
}
interface AttrParams extends IdParams {
  attrId: string;
}
interface InstanceParams extends AttrParams {
  instanceId: string;
}

const idOf = (req: FastifyRequest<{ Params: IdParams }>) => entityIdParam(req.params.entityId, isUri);

function attrOf(req: FastifyRequest<{ Params: AttrParams }>, tm: TermMap): string {
  const name = req.params.attrId;
  if (!isValidAttributeName(name)) raise('BadRequestData', `Attribute name ${JSON.stringify(name.slice(0, 200))} is not valid`);
  return tm.expand(name);
}

/** Clauses 5.6.12–5.6.15: what does not exist, as a 404. */
function found(c: TemporalChange, id: string, attr: string, tm: TermMap, instanceId?: string): void {
  if (c === 'noEntity') raise('ResourceNotFound', `Entity ${id} has no temporal evolution`);
  if (c === 'noAttribute') raise('ResourceNotFound', `Attribute ${tm.compact(attr)} has no temporal evolution in entity ${id}`);
  if (c === 'noInstance') raise('ResourceNotFound', `Attribute ${tm.compact(attr)} of entity ${id} has no instance ${instanceId}`);
}

/** An EntityTemporal body, its id checked against the path's. */
function bodyOf(body: unknown, tm: TermMap, now: string, pathId?: string): TemporalBody {
  const b = unwrap(parseTemporalBody(body, tm, now));
  if (pathId !== undefined && b.id !== undefined && b.id !== pathId) {
    raise('BadRequestData', `Entity id in the body (${b.id}) differs from the id in the path (${pathId})`);
  }
  return b;
}

/** Query Temporal Evolution (clause 5.7.4), for both the GET and the POST form. */
async function answerQuery(
  req: FastifyRequest,
  deps: ApiDeps,
  rc: RequestContext,
  sel: EntitySelection,
  q: Record<string, string | undefined>,
  temporal: Record<string, unknown>,
  ld: LdContext,
) {
  const media = negotiate(req, [...MEDIA]);
  refuseLinked(q, sel.q);
  const v = temporalViewOf(q, temporal, ld, { required: true, instanceLimit: deps.config.temporalMaxInstances });
  const count = boolParam('count', q.count);
  const limit = intParam('limit', q.limit, 0, deps.config.maxLimit) ?? deps.config.defaultLimit;
  const offset = intParam('offset', q.offset, 0, Number.MAX_SAFE_INTEGER) ?? 0;
  if (limit === 0 && !count) raise('BadRequestData', 'limit=0 is only allowed together with count=true');
  const local = boolParam('local', q.local);
  if (!isNarrowed(sel) && !local) raise('BadRequestData', 'A temporal query needs at least one of type, id, idPattern, attrs, q, a geo-query or scopeQ (or local=true)');
  await requireTenant(deps, rc);
  const r = await deps.store.queryTemporal(rc.tenant, { ...v.scope, selection: sel, limit: limit === 0 ? 0 : limit + 1, offset, count });
  const more = r.entities.length > limit;
  return { media, v, r: more ? { ...r, entities: r.entities.slice(0, limit) } : r, more, offset, limit };
}

export function temporalRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Implements 5.6.11 Create or Update Temporal Evolution of an Entity.
  app.post(T, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, ['local']);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const now = deps.now();
    const b = bodyOf(req.body, ld.tm, now);
    if (b.id === undefined) raise('BadRequestData', 'EntityTemporal has no id');
    if (b.types === undefined) raise('BadRequestData', `EntityTemporal ${b.id} has no type`);
    const r = await deps.store.upsertTemporalEntity(rc.tenant, { ...b, id: b.id }, now);
    if (r === 'updated') return reply.code(204).send();
    return reply.code(201).header('Location', `${T}/${encodeURIComponent(b.id)}`).send();
  });

  // Implements 5.6.12 Add Attributes to Temporal Evolution of an Entity.
  app.post<{ Params: IdParams }>(`${T}/:entityId/attrs`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, ['local']);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const now = deps.now();
    const b = bodyOf(req.body, ld.tm, now, id);
    await requireTenant(deps, rc);
    if (!(await deps.store.appendTemporalAttributes(rc.tenant, { ...b, id }, now))) raise('ResourceNotFound', `Entity ${id} has no temporal evolution`);
    return reply.code(204).send();
  });

  // Implements 5.6.16 Delete Temporal Evolution of an Entity.
  app.delete<{ Params: IdParams }>(`${T}/:entityId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, ['local']);
    const id = idOf(req);
    await requireTenant(deps, rc);
    if (!(await deps.store.deleteTemporalEntity(rc.tenant, id))) raise('ResourceNotFound', `Entity ${id} has no temporal evolution`);
    return reply.code(204).send();
  });

  // Implements 5.6.13 Delete Attribute from Temporal Evolution of an Entity.
  app.delete<{ Params: AttrParams }>(`${T}/:entityId/attrs/:attrId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['datasetId', 'deleteAll', 'local']);
    const id = idOf(req);
    const ld = await readContext(req, deps.contexts);
    const attr = attrOf(req, ld.tm);
    const which = deletionParams(q, isUri);
    await requireTenant(deps, rc);
    found(await deps.store.deleteTemporalAttribute(rc.tenant, id, attr, which), id, attr, ld.tm);
    return reply.code(204).send();
  });

  // Implements 5.6.14 Modify Attribute instance in Temporal Evolution of an Entity.
  app.patch<{ Params: InstanceParams }>(`${T}/:entityId/attrs/:attrId/:instanceId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, ['local']);
    const id = idOf(req);
    const instanceId = entityIdParam(req.params.instanceId, isUri);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const attr = attrOf(req, ld.tm);
    const now = deps.now();
    const b = bodyOf(req.body, ld.tm, now, id);
    const given = Object.entries(b.attrs);
    if (given.length !== 1 || given[0][0] !== attr || given[0][1].length !== 1) {
      raise('BadRequestData', `The body must hold exactly one instance of attribute ${req.params.attrId}`);
    }
    await requireTenant(deps, rc);
    found(await deps.store.replaceTemporalInstance(rc.tenant, id, attr, instanceId, given[0][1][0], now), id, attr, ld.tm, instanceId);
    return reply.code(204).send();
  });

  // Implements 5.6.15 Delete Attribute instance from Temporal Evolution of an Entity.
  app.delete<{ Params: InstanceParams }>(`${T}/:entityId/attrs/:attrId/:instanceId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, ['local']);
    const id = idOf(req);
    const instanceId = entityIdParam(req.params.instanceId, isUri);
    const ld = await readContext(req, deps.contexts);
    const attr = attrOf(req, ld.tm);
    await requireTenant(deps, rc);
    found(await deps.store.deleteTemporalInstance(rc.tenant, id, attr, instanceId), id, attr, ld.tm, instanceId);
    return reply.code(204).send();
  });

  // Implements 5.7.3 Retrieve Temporal Evolution of an Entity.
  app.get<{ Params: IdParams }>(`${T}/:entityId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, TEMPORAL_PARAMS, TEMPORAL_UNSUPPORTED);
    boolParam('local', q.local);
    const id = idOf(req);
    const media = negotiate(req, [...MEDIA]);
    const ld = await readContext(req, deps.contexts);
    refuseLinked(q);
    const v = temporalViewOf(q, q, ld, { required: false, instanceLimit: deps.config.temporalMaxInstances });
    await requireTenant(deps, rc);
    const r = await deps.store.retrieveTemporal(rc.tenant, id, v.scope);
    if (!r) raise('ResourceNotFound', `Entity ${id} has no temporal evolution`);
    return sendTemporal(reply, r, v, media, ld, true);
  });

  // Implements 5.7.4 Query Temporal Evolution of Entities.
  app.get(T, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, [...SELECTION_PARAMS, ...TEMPORAL_PARAMS, ...PAGE_PARAMS], TEMPORAL_UNSUPPORTED);
    const ld = await readContext(req, deps.contexts);
    const a = await answerQuery(req, deps, rc, selectionOfParams(q, ld.tm), q, q, ld);
    if (a.r.count !== undefined) reply.header('NGSILD-Results-Count', String(a.r.count));
    const links = pageLinks(req, a.offset, a.limit, a.more);
    if (links.length) reply.header('Link', links.join(', '));
    return sendTemporal(reply, a.r, a.v, a.media, ld, false);
  });

  // Implements 5.7.4 via POST /temporal/entityOperations/query (clause 6.24.3.1): the Query data type, with temporalQ.
  app.post('/ngsi-ld/v1/temporal/entityOperations/query', async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, [...TEMPORAL_PARAMS, ...PAGE_PARAMS], TEMPORAL_UNSUPPORTED);
    const body = req.body;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) raise('BadRequestData', 'The body must be a Query object');
    const { temporalQ, ...b } = body as Record<string, unknown>;
    if (b.type !== 'Query') raise('BadRequestData', 'The body must be a Query object with "type": "Query"');
    if (temporalQ !== undefined && (temporalQ === null || typeof temporalQ !== 'object' || Array.isArray(temporalQ))) {
      raise('BadRequestData', 'temporalQ must be a TemporalQuery object (clause 5.2.21)');
    }
    const ld = await linkable(req, await bodyContext(req, body, deps.contexts), deps.contexts, deps.now());
    // temporalQ members, else the URL's
    const temporal = { ...q, ...(temporalQ as Record<string, unknown> | undefined) };
    const a = await answerQuery(req, deps, rc, selectionOfQuery(b, ld.tm), withBodyParams(b, q), temporal, ld);
    if (a.r.count !== undefined) reply.header('NGSILD-Results-Count', String(a.r.count));
    return sendTemporal(reply, a.r, a.v, a.media, ld, false);
  });
}
