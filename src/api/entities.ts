/**
 * Entities as a whole (clauses 5.6.1, 5.6.6, 5.6.17, 5.6.18, 5.7.1): retrieval merges what the registered context
 * sources answer (clause 4.3.6.4), and the writes are forwarded to the sources registered for them (clause
 * 4.3.6.3, api/federated-write.ts). The attribute writes are in entity-attrs.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Entity } from '../core/entity/model.js';
import { mergeEntity, replaceEntity } from '../core/entity/ops.js';
import { isDateTime } from '../core/entity/uri.js';
import { parseEntity, parseFragment } from '../core/entity/parse.js';
import { raise, unwrap } from '../core/problem.js';
import type { RequestContext } from '../core/request.js';
import { mergeEntities } from '../federation/merge.js';
import type { SourceRequest } from '../federation/source-client.js';
import { bodyFor } from '../federation/write.js';
import { entityLocation, modifyEntity, requestContext, requireTenant, type ApiDeps } from './deps.js';
import { checkBodyId, E, forwardedParams, idOf, pick, typesOf, type IdParams } from './entity-params.js';
import { askMatched, registeredSources, reportFailures } from './federated.js';
import { deleteAtSources, runWrite, sendWriteOutcome } from './federated-write.js';
import { fetchLinked, flatten, joinOf, renderInline } from './join.js';
import { bodyContext, readContext, type LdContext } from './ld.js';
import { boolParam, listParam, queryOf, representationOf } from './params.js';
import { entityMediaOf, sendEntities, sendEntity, viewOf } from './respond.js';

const RETRIEVE_PARAMS = ['attrs', 'pick', 'omit', 'options', 'format', 'lang', 'geometryProperty', 'type', 'local', 'datasetId', 'join', 'joinLevel', 'containedBy'];
/** Defined for distributed operations and not delivered yet: a clear 422, never silently ignored. */
const RETRIEVE_UNSUPPORTED = ['entityMap'];

/** Clause 4.3.6.4: the entity as held here, merged with what the context sources registered for it answer. */
async function withRegistered(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: ApiDeps,
  rc: RequestContext,
  ld: LdContext,
  held: Entity | undefined,
  q: Record<string, string | undefined>,
  local: boolean | undefined,
): Promise<Entity | undefined> {
  const id = held?.id ?? idOf(req as FastifyRequest<{ Params: IdParams }>);
  const attrs = listParam('attrs', q.attrs)?.map((a) => ld.tm.expand(a));
  const matches = await registeredSources(req, deps, rc, { kind: 'entity', id, types: held?.types, attrs }, 'retrieveEntity', { local });
  if (matches.length === 0) return held;
  const path = `/entities/${encodeURIComponent(id)}`;
  const remote = await askMatched(req, deps, rc, ld, matches, (_m, params) => ({ method: 'GET', path, params, accept: [200, 404] }), q, held !== undefined);
  reportFailures(reply, remote);
  return mergeEntities([held ? [held] : [], ...remote.lists]).find((e) => e.id === id);
}

export function entityRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Implements 5.6.1 Create Entity.
  app.post(E, async (req, reply) => {
    const rc = requestContext(req, reply);
    const local = boolParam('local', queryOf(req, ['local']).local);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const entity = unwrap(parseEntity(req.body, ld.tm, deps.now()));
    const checks = deps.models.writeChecks(rc.tenant);
    const request = (a: readonly string[]): SourceRequest => ({ method: 'POST', path: '/entities', body: bodyFor(req.body, a, ld.tm), accept: [201] });
    const w = { id: entity.id, types: entity.types, attrs: Object.keys(entity.attrs), operation: 'createEntity' as const, local, request };
    const outcome = await runWrite(req, deps, rc, ld.tm, w, async (keep) => {
      const part = { ...entity, attrs: pick(entity.attrs, keep) };
      checks.enforce(part);
      if (!(await deps.store.create(rc.tenant, part))) raise('AlreadyExists', `Entity ${entity.id} already exists`);
      await checks.record();
      return { updated: [...keep], notUpdated: [] };
    });
    reply.header('Location', entityLocation(entity.id));
    return sendWriteOutcome(reply, outcome, ld.tm, 201);
  });

  // Implements 5.7.1 Retrieve Entity.
  app.get<{ Params: IdParams }>(`${E}/:entityId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, RETRIEVE_PARAMS, RETRIEVE_UNSUPPORTED);
    const local = boolParam('local', q.local);
    const id = idOf(req);
    const media = entityMediaOf(req, q);
    const ld = await readContext(req, deps.contexts);
    const view = viewOf(q, media, ld);
    const join = joinOf(q);
    await requireTenant(deps, rc);
    const held = await deps.store.getEntity(rc.tenant, id);
    const entity = await withRegistered(req, reply, deps, rc, ld, held, q, local);
    const wanted = typesOf(q.type, ld.tm);
    if (!entity || (wanted && !wanted.some((t) => entity.types.includes(t)))) raise('ResourceNotFound', `Entity ${id} does not exist`);
    if (!join) return sendEntity(reply, entity, view);
    // Clause 4.5.23: flat answers the entity and its linked entities as an array; inline nests them.
    const linked = await fetchLinked(deps, rc, [entity], join);
    if (join.kind === 'flat') return sendEntities(reply, flatten([entity], linked), view);
    return sendEntity(reply, entity, view, renderInline(entity, ld.tm, view.render, linked, join.level));
  });

  // Implements 5.6.6 Delete Entity. Sources registered for the entity delete it too (clause 4.3.6.3); one that
  // fails is named in NGSILD-Warning, and the answer is 404 only when no party held the entity.
  app.delete<{ Params: IdParams }>(`${E}/:entityId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['type', 'local']);
    const local = boolParam('local', q.local);
    const id = idOf(req);
    const types = q.type === undefined ? undefined : typesOf(q.type, (await readContext(req, deps.contexts)).tm);
    await requireTenant(deps, rc);
    const here = async (): Promise<boolean> => {
      const deleted = await deps.store.write(rc.tenant, async (tx) => {
        const current = (await tx.getForUpdate([id])).get(id);
        if (!current || (types && !types.some((t) => current.types.includes(t)))) return false;
        await tx.delete([id]);
        return true;
      });
      return deleted;
    };
    const there = await deleteAtSources(req, deps, rc, { id, types, local });
    const deletedHere = await here();
    reportFailures(reply, { lists: [], failures: there.failures, asked: 0 });
    if (!deletedHere && !there.deleted) raise('ResourceNotFound', `Entity ${id} does not exist`);
    return reply.code(204).send();
  });

  // Implements 5.6.18 Replace Entity: each source registered for some of its attributes replaces with those.
  app.put<{ Params: IdParams }>(`${E}/:entityId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const local = boolParam('local', queryOf(req, ['local']).local);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const body = withId(req.body, id);
    const now = deps.now();
    const replacement = unwrap(parseEntity(body, ld.tm, now));
    const path = `/entities/${encodeURIComponent(id)}`;
    const request = (a: readonly string[]): SourceRequest => ({ method: 'PUT', path, body: bodyFor(body, a, ld.tm), accept: [204] });
    const w = { id, types: replacement.types, attrs: Object.keys(replacement.attrs), operation: 'replaceEntity' as const, local, request, entityLevel: true };
    const outcome = await runWrite(req, deps, rc, ld.tm, w, async (keep) => {
      const part = { ...replacement, attrs: pick(replacement.attrs, keep) };
      await modifyEntity(deps, rc, id, (e) => ({ entity: replaceEntity(e, part, now), result: undefined }));
      return { updated: [...keep], notUpdated: [] };
    });
    return sendWriteOutcome(reply, outcome, ld.tm, 204);
  });

  // Implements 5.6.17 Merge Entity (merge-patch).
  app.patch<{ Params: IdParams }>(`${E}/:entityId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['local', 'options', 'format', 'lang', 'observedAt']);
    const rep = representationOf(q);
    if (q.observedAt !== undefined && !isDateTime(q.observedAt)) raise('BadRequestData', `observedAt ${JSON.stringify(q.observedAt.slice(0, 50))} is not a date-time`);
    const local = boolParam('local', q.local);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const now = deps.now();
    const fragment = unwrap(parseFragment(req.body, ld.tm, now, { allowNull: true }));
    checkBodyId(fragment.id, id);
    const options = { observedAt: q.observedAt, simplified: rep.format === 'keyValues', lang: q.lang };
    const path = `/entities/${encodeURIComponent(id)}`;
    const params = forwardedParams(q);
    const request = (a: readonly string[]): SourceRequest => ({ method: 'PATCH', path, params, body: bodyFor(req.body, a, ld.tm), accept: [204, 207] });
    const w = { id, attrs: Object.keys(fragment.attrs), operation: 'mergeEntity' as const, local, request };
    const outcome = await runWrite(req, deps, rc, ld.tm, w, async (keep) => {
      const part = { ...fragment, attrs: pick(fragment.attrs, keep) };
      await modifyEntity(deps, rc, id, (e) => ({ entity: mergeEntity(e, part, now, options), result: undefined }));
      return { updated: [...keep], notUpdated: [] };
    });
    return sendWriteOutcome(reply, outcome, ld.tm, 204);
  });
}

/** PUT /entities/{id} bodies may omit id; the path names the entity. */
function withId(body: unknown, id: string): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = body as Record<string, unknown>;
  const given = b.id ?? b['@id'];
  if (given !== undefined && given !== id) raise('BadRequestData', `Entity id in the body (${String(given)}) differs from the id in the path (${id})`);
  return { ...b, id };
}
