import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TermMap } from '../core/context/termmap.js';
import {
  appendAttributes,
  deleteAttribute,
  mergeEntity,
  partialAttributeUpdate,
  replaceAttribute,
  replaceEntity,
  updateAttributes,
  type AttrOutcome,
} from '../core/entity/ops.js';
import type { AttributeFragment } from '../core/entity/ops-instance.js';
import { isDateTime } from '../core/entity/uri.js';
import { isUri, isValidAttributeName, parseAttributeValue, parseEntity, parseFragment } from '../core/entity/parse.js';
import { raise, unwrap } from '../core/problem.js';
import { entityLocation, modifyEntity, requestContext, requireTenant, type ApiDeps } from './deps.js';
import { bodyContext, readContext } from './ld.js';
import { negotiate } from './negotiate.js';
import { boolParam, deletionParams, entityIdParam, listParam, queryOf, representationOf } from './params.js';
import { fetchLinked, flatten, joinOf, renderInline } from './join.js';
import { sendEntities, sendEntity, viewOf } from './respond.js';

const E = '/ngsi-ld/v1/entities';
const RETRIEVE_PARAMS = ['attrs', 'pick', 'omit', 'options', 'format', 'lang', 'geometryProperty', 'type', 'local', 'datasetId', 'join', 'joinLevel', 'containedBy'];
/** Defined for distributed operations (issue #6): a clear 422, never silently ignored. */
const RETRIEVE_UNSUPPORTED = ['entityMap', 'via'];

interface IdParams {
  entityId: string;
}
interface AttrParams extends IdParams {
  attrId: string;
}

function idOf(req: FastifyRequest<{ Params: IdParams }>): string {
  return entityIdParam(req.params.entityId, isUri);
}

function attrOf(req: FastifyRequest<{ Params: AttrParams }>, tm: TermMap): string {
  const name = req.params.attrId;
  if (!isValidAttributeName(name)) raise('BadRequestData', `Attribute name ${JSON.stringify(name.slice(0, 200))} is not valid`);
  return tm.expand(name);
}

/** The `type` parameter of an entity operation, expanded: the entity must have one of these types. */
function typesOf(raw: string | undefined, tm: TermMap): string[] | undefined {
  return listParam('type', raw)?.map((t) => tm.expand(t));
}

/** 204 when every attribute was changed, else 207 with updated / notUpdated (clause 5.6.2 / 5.6.3). */
function sendOutcome(reply: FastifyReply, o: AttrOutcome, tm: TermMap): FastifyReply {
  if (o.notUpdated.length === 0) return reply.code(204).send();
  return reply
    .code(207)
    .type('application/json')
    .send({
      updated: o.updated.map((iri) => tm.compact(iri)),
      notUpdated: o.notUpdated.map((n) => ({ attributeName: tm.compact(n.attributeName), reason: n.reason })),
    });
}

export function entityRoutes(app: FastifyInstance, deps: ApiDeps): void {
  // Implements 5.6.1 Create Entity.
  app.post(E, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, ['local']);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const entity = unwrap(parseEntity(req.body, ld.tm, deps.now()));
    const checks = deps.models.writeChecks(rc.tenant);
    checks.enforce(entity);
    const inserted = await deps.store.write(rc.tenant, (tx) => tx.insert([entity]));
    if (!inserted.has(entity.id)) raise('AlreadyExists', `Entity ${entity.id} already exists`);
    await checks.record();
    return reply.code(201).header('Location', entityLocation(entity.id)).send();
  });

  // Implements 5.7.1 Retrieve Entity.
  app.get<{ Params: IdParams }>(`${E}/:entityId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, RETRIEVE_PARAMS, RETRIEVE_UNSUPPORTED);
    boolParam('local', q.local);
    const id = idOf(req);
    const media = negotiate(req, ['application/json', 'application/ld+json', 'application/geo+json']);
    const ld = await readContext(req, deps.contexts);
    const view = viewOf(q, media, ld);
    if (q.datasetId !== undefined) view.render.datasetIds = new Set(q.datasetId.split(','));
    const join = joinOf(q);
    await requireTenant(deps, rc);
    const entity = await deps.store.getEntity(rc.tenant, id);
    const wanted = typesOf(q.type, ld.tm);
    if (!entity || (wanted && !wanted.some((t) => entity.types.includes(t)))) raise('ResourceNotFound', `Entity ${id} does not exist`);
    if (!join) return sendEntity(reply, entity, view);
    // Clause 4.5.23: flat answers the entity and its linked entities as an array; inline nests them.
    const linked = await fetchLinked(deps, rc, [entity], join);
    if (join.kind === 'flat') return sendEntities(reply, flatten([entity], linked), view);
    return sendEntity(reply, entity, view, renderInline(entity, ld.tm, view.render, linked, join.level));
  });

  // Implements 5.6.6 Delete Entity.
  app.delete<{ Params: IdParams }>(`${E}/:entityId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['type', 'local']);
    const id = idOf(req);
    const types = q.type === undefined ? undefined : typesOf(q.type, (await readContext(req, deps.contexts)).tm);
    await requireTenant(deps, rc);
    await deps.store.write(rc.tenant, async (tx) => {
      const current = (await tx.getForUpdate([id])).get(id);
      if (!current || (types && !types.some((t) => current.types.includes(t)))) raise('ResourceNotFound', `Entity ${id} does not exist`);
      await tx.delete([id]);
    });
    return reply.code(204).send();
  });

  // Implements 5.6.18 Replace Entity.
  app.put<{ Params: IdParams }>(`${E}/:entityId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, ['local']);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const body = withId(req.body, id);
    const now = deps.now();
    const replacement = unwrap(parseEntity(body, ld.tm, now));
    await modifyEntity(deps, rc, id, (e) => ({ entity: replaceEntity(e, replacement, now), result: undefined }));
    return reply.code(204).send();
  });

  // Implements 5.6.17 Merge Entity (merge-patch).
  app.patch<{ Params: IdParams }>(`${E}/:entityId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['local', 'options', 'format', 'lang', 'observedAt']);
    const rep = representationOf(q);
    if (q.observedAt !== undefined && !isDateTime(q.observedAt)) raise('BadRequestData', `observedAt ${JSON.stringify(q.observedAt.slice(0, 50))} is not a date-time`);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const now = deps.now();
    const fragment = unwrap(parseFragment(req.body, ld.tm, now, { allowNull: true }));
    checkBodyId(fragment.id, id);
    const options = { observedAt: q.observedAt, simplified: rep.format === 'keyValues', lang: q.lang };
    await modifyEntity(deps, rc, id, (e) => ({ entity: mergeEntity(e, fragment, now, options), result: undefined }));
    return reply.code(204).send();
  });

  // Implements 5.6.2 Update Entity Attributes.
  // NGSI-LD Null deletes the instance it is given for (clause 5.5.8, partial update patch).
  app.patch<{ Params: IdParams }>(`${E}/:entityId/attrs`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['local', 'type']);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const now = deps.now();
    const fragment = unwrap(parseFragment(req.body, ld.tm, now, { allowNull: true }));
    checkBodyId(fragment.id, id);
    const outcome = await modifyEntity(
      deps,
      rc,
      id,
      (e) => {
        const r = updateAttributes(e, fragment.attrs, now, { types: fragment.types, scope: fragment.scope });
        return { entity: r.entity, result: r };
      },
      typesOf(q.type, ld.tm),
    );
    return sendOutcome(reply, outcome, ld.tm);
  });

  // Implements 5.6.3 Append Entity Attributes.
  app.post<{ Params: IdParams }>(`${E}/:entityId/attrs`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['options', 'local', 'type']);
    const rep = representationOf({ options: q.options }, ['noOverwrite']);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const now = deps.now();
    const fragment = unwrap(parseFragment(req.body, ld.tm, now, { allowNull: false }));
    checkBodyId(fragment.id, id);
    const outcome = await modifyEntity(
      deps,
      rc,
      id,
      (e) => {
        const r = appendAttributes(e, fragment.attrs, { noOverwrite: rep.options.has('noOverwrite'), now, types: fragment.types, scope: fragment.scope });
        return { entity: r.entity, result: r };
      },
      typesOf(q.type, ld.tm),
    );
    return sendOutcome(reply, outcome, ld.tm);
  });

  // Implements 5.6.4 Partial Attribute Update.
  app.patch<{ Params: AttrParams }>(`${E}/:entityId/attrs/:attrId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['local', 'type']);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const iri = attrOf(req, ld.tm);
    const now = deps.now();
    const fragment = partialFragment(iri, stripContext(req.body), ld.tm, now);
    await modifyEntity(deps, rc, id, (e) => ({ entity: unwrap(partialAttributeUpdate(e, iri, fragment, now)), result: undefined }), typesOf(q.type, ld.tm));
    return reply.code(204).send();
  });

  // Implements 5.6.19 Replace Attribute.
  app.put<{ Params: AttrParams }>(`${E}/:entityId/attrs/:attrId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    queryOf(req, ['local']);
    const id = idOf(req);
    const ld = await bodyContext(req, req.body, deps.contexts);
    const iri = attrOf(req, ld.tm);
    const now = deps.now();
    const instances = unwrap(parseAttributeValue(iri, stripContext(req.body), ld.tm, now, { allowNull: false }));
    await modifyEntity(deps, rc, id, (e) => ({ entity: unwrap(replaceAttribute(e, iri, instances, now)), result: undefined }));
    return reply.code(204).send();
  });

  // Implements 5.6.5 Delete Entity Attribute.
  app.delete<{ Params: AttrParams }>(`${E}/:entityId/attrs/:attrId`, async (req, reply) => {
    const rc = requestContext(req, reply);
    const q = queryOf(req, ['datasetId', 'deleteAll', 'local', 'lang', 'type']);
    const id = idOf(req);
    const ld = await readContext(req, deps.contexts);
    const iri = attrOf(req, ld.tm);
    const which = deletionParams(q, isUri);
    const now = deps.now();
    await modifyEntity(
      deps,
      rc,
      id,
      (e) => ({ entity: unwrap(deleteAttribute(e, iri, { ...which, now })), result: undefined }),
      typesOf(q.type, ld.tm),
    );
    return reply.code(204).send();
  });
}

const VALUE_MEMBERS = ['value', 'object', 'languageMap', 'vocab', 'json', 'valueList', 'objectList'];

/**
 * The body of a partial attribute update (5.6.4) may carry only some members (say, a new unitCode or
 * sub-attribute). It is parsed as an attribute, and the attribute type is left unset unless the client gave
 * one or it follows from the member given, so that the stored attribute keeps its type.
 */
function partialFragment(iri: string, body: unknown, tm: TermMap, now: string): AttributeFragment {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) raise('BadRequestData', 'A partial attribute update body must be a JSON object');
  const b = body as Record<string, unknown>;
  const hasType = 'type' in b;
  const hasValue = VALUE_MEMBERS.some((k) => k in b);
  const input = hasType || hasValue ? b : { ...b, value: 0 };
  const instances = unwrap(parseAttributeValue(iri, input, tm, now, { allowNull: true }));
  if (instances.length !== 1) raise('BadRequestData', 'Partial attribute update takes one attribute instance');
  const fragment: AttributeFragment = { ...instances[0] };
  if (!hasType && !hasValue) delete fragment.value;
  if (!hasType && (!hasValue || 'value' in b)) delete fragment.type;
  return fragment;
}

function checkBodyId(bodyId: string | undefined, pathId: string): void {
  if (bodyId !== undefined && bodyId !== pathId) raise('BadRequestData', `Entity id in the body (${bodyId}) differs from the id in the path (${pathId})`);
}

/** PUT /entities/{id} bodies may omit id; the path names the entity. */
function withId(body: unknown, id: string): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const b = body as Record<string, unknown>;
  const given = b.id ?? b['@id'];
  if (given !== undefined && given !== id) raise('BadRequestData', `Entity id in the body (${String(given)}) differs from the id in the path (${id})`);
  return { ...b, id };
}

/** The body of an attribute operation is the attribute itself; its @context was already taken. */
function stripContext(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('@context' in body)) return body;
  const { ['@context']: _ignored, ...rest } = body as Record<string, unknown>;
  return rest;
}
